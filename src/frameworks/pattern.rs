//! Regular expressions as each framework applies them, through the `regex`
//! crate (a well-kept engine close to JavaScript's, Python's `re` and PCRE
//! for the patterns origin lists use; look-around and back-references are
//! not supported and are reported as configuration errors).

use regex::{Regex, RegexBuilder};

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
    regex: Regex,
}

impl Pattern {
    /// Compiles `text`; the error says why the `regex` crate refused it.
    pub(crate) fn new(
        text: &str,
        case_insensitive: bool,
        anchor: Anchor,
    ) -> Result<Pattern, String> {
        let anchored = match anchor {
            Anchor::Search => text.to_owned(),
            Anchor::Start => format!(r"\A(?:{text})"),
            Anchor::Full => format!(r"\A(?:{text})\z"),
        };
        let regex = RegexBuilder::new(&anchored)
            .case_insensitive(case_insensitive)
            .build()
            .map_err(|e| {
                let detail = e.to_string();
                let last = detail.lines().last().unwrap_or("").trim().to_owned();
                format!("the regular expression {text:?} cannot be read ({last})")
            })?;
        Ok(Pattern { regex })
    }

    /// Whether `text` matches.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }

    /// The captures of the first match: `$0`, `$1`... (empty when unset).
    pub(crate) fn captures(&self, text: &str) -> Option<Vec<String>> {
        self.regex.captures(text).map(|c| {
            c.iter()
                .map(|m| m.map_or_else(String::new, |m| m.as_str().to_owned()))
                .collect()
        })
    }
}
