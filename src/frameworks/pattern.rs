//! Regular expressions as each framework applies them.
//!
//! Each framework has its own dialect: Express (the `cors` package) runs a
//! JavaScript `RegExp` (`RegExp.prototype.test`); Starlette, Django and
//! Flask-CORS use Python's `re` (`fullmatch`, `match`, `match`); nginx and
//! Apache use PCRE. Origin and path patterns rarely use anything past the
//! common core (literals, `.`, classes, groups, alternation, `?*+{n,m}`,
//! `^`/`$`, `\d\w\s`), on which all of these agree. Two engines apply them:
//!
//! - **Native** (the CLI, `verify`, the real-framework harness): the
//!   `regex` crate, with the anchor added as `\A(?:…)` / `\A(?:…)\z`.
//!   It has no look-around and no back-references: a pattern that uses
//!   them is a configuration error here although every framework would
//!   run it. Its `$` matches only at the very end, where Python's and
//!   PCRE's also match before a final newline (no origin ends in one).
//! - **Wasm** (the app): the browser's own `RegExp` (js-sys; no regex
//!   engine in the module), with the anchor added as `^(?:…)` / `^(?:…)$`
//!   (no `m` flag, so both anchor the whole text). That is exactly
//!   Express's dialect. For Python and PCRE patterns the Python-only
//!   spellings people write are translated: a leading `(?i)` becomes the
//!   `i` flag and `(?P<name>` becomes `(?<name>`; `(?P=name)`, `\A`, `\Z`,
//!   possessive quantifiers and other inline flags are not, and a
//!   pattern using them may be refused or read differently. Look-around
//!   and back-references work as in the frameworks. Only the `i` flag of
//!   an Express regex literal is applied (`g`/`y` would make the real
//!   `test` stateful).

/// Where a pattern must match in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    /// Anywhere (JavaScript `RegExp.test`, nginx `~`, Apache `SetEnvIf`).
    Search,
    /// At the start (Python `re.match`).
    Start,
    /// The whole text (Python `re.fullmatch`).
    Full,
}

/// A compiled pattern.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    regex: engine::Regex,
}

impl Pattern {
    /// Compiles `text`; the error says why the engine refused it.
    pub(crate) fn new(
        text: &str,
        case_insensitive: bool,
        anchor: Anchor,
    ) -> Result<Pattern, String> {
        engine::Regex::new(text, case_insensitive, anchor)
            .map(|regex| Pattern { regex })
            .map_err(|why| format!("the regular expression {text:?} cannot be read ({why})"))
    }

    /// Whether `text` matches.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }

    /// The captures of the first match: `$0`, `$1`... (empty when unset).
    pub(crate) fn captures(&self, text: &str) -> Option<Vec<String>> {
        self.regex.captures(text)
    }
}

/// The `regex` crate (native).
#[cfg(not(target_arch = "wasm32"))]
mod engine {
    use regex::RegexBuilder;

    use super::Anchor;

    #[derive(Debug, Clone)]
    pub(super) struct Regex(regex::Regex);

    impl Regex {
        pub(super) fn new(
            text: &str,
            case_insensitive: bool,
            anchor: Anchor,
        ) -> Result<Regex, String> {
            let anchored = match anchor {
                Anchor::Search => text.to_owned(),
                Anchor::Start => format!(r"\A(?:{text})"),
                Anchor::Full => format!(r"\A(?:{text})\z"),
            };
            RegexBuilder::new(&anchored)
                .case_insensitive(case_insensitive)
                .build()
                .map(Regex)
                .map_err(|e| {
                    let detail = e.to_string();
                    detail.lines().last().unwrap_or("").trim().to_owned()
                })
        }

        pub(super) fn is_match(&self, text: &str) -> bool {
            self.0.is_match(text)
        }

        pub(super) fn captures(&self, text: &str) -> Option<Vec<String>> {
            self.0.captures(text).map(|c| {
                c.iter()
                    .map(|m| m.map_or_else(String::new, |m| m.as_str().to_owned()))
                    .collect()
            })
        }
    }
}

/// The browser's `RegExp` (wasm).
#[cfg(target_arch = "wasm32")]
mod engine {
    use js_sys::{Array, Function, Reflect, RegExp};
    use wasm_bindgen::{JsCast, JsValue};

    use super::Anchor;

    #[derive(Debug, Clone)]
    pub(super) struct Regex(RegExp);

    impl Regex {
        pub(super) fn new(
            text: &str,
            case_insensitive: bool,
            anchor: Anchor,
        ) -> Result<Regex, String> {
            let (text, inline_i) = match text.strip_prefix("(?i)") {
                Some(rest) => (rest, true),
                None => (text, false),
            };
            let text = text.replace("(?P<", "(?<");
            let source = match anchor {
                Anchor::Search => text,
                Anchor::Start => format!("^(?:{text})"),
                Anchor::Full => format!("^(?:{text})$"),
            };
            let flags = if case_insensitive || inline_i {
                "i"
            } else {
                ""
            };
            // `new RegExp(source, flags)`, through Reflect so that the
            // SyntaxError of a bad pattern is caught rather than thrown
            // through the module (js-sys's `RegExp::new` does not catch).
            let constructor = Reflect::get(&js_sys::global(), &JsValue::from_str("RegExp"))
                .ok()
                .and_then(|c| c.dyn_into::<Function>().ok())
                .ok_or_else(|| "this browser has no RegExp".to_owned())?;
            let arguments = Array::of2(&JsValue::from_str(&source), &JsValue::from_str(flags));
            Reflect::construct(&constructor, &arguments)
                .map_err(|e| {
                    e.dyn_into::<js_sys::Error>()
                        .ok()
                        .and_then(|e| e.message().as_string())
                        .unwrap_or_else(|| "the browser refused it".to_owned())
                })?
                .dyn_into::<RegExp>()
                .map(Regex)
                .map_err(|_| "the browser returned no RegExp".to_owned())
        }

        pub(super) fn is_match(&self, text: &str) -> bool {
            self.0.test(text)
        }

        pub(super) fn captures(&self, text: &str) -> Option<Vec<String>> {
            let found = self.0.exec(text)?;
            Some(
                found
                    .iter()
                    .map(|v| v.as_string().unwrap_or_default())
                    .collect(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_apply_as_each_framework_does() {
        let search = Pattern::new(r"\.example\.com", false, Anchor::Search).unwrap();
        assert!(search.is_match("https://evil.example.com.attacker.net"));
        let start = Pattern::new(r"https://.*\.example\.com", false, Anchor::Start).unwrap();
        assert!(start.is_match("https://a.example.com.attacker.net"));
        assert!(!start.is_match("http://x/https://a.example.com"));
        let full = Pattern::new(r"https://.*\.example\.com", false, Anchor::Full).unwrap();
        assert!(!full.is_match("https://a.example.com.attacker.net"));
        assert!(full.is_match("https://a.example.com"));
        let nocase = Pattern::new("ABC", true, Anchor::Full).unwrap();
        assert!(nocase.is_match("abc"));
        let caps = Pattern::new(r"^/api/(\w+)(/x)?", false, Anchor::Search).unwrap();
        assert_eq!(
            caps.captures("/api/users"),
            Some(vec!["/api/users".into(), "users".into(), String::new()])
        );
        assert!(Pattern::new("(", false, Anchor::Search)
            .unwrap_err()
            .starts_with("the regular expression \"(\" cannot be read ("));
    }
}
