//! Edits to the options of an application framework's CORS call (Express
//! `cors({...})`, `CORSMiddleware` keywords, Flask-CORS `CORS(app, ...)`)
//! and to Django settings, made in the text as written: a list gains an
//! item before its closing bracket, a missing option is added after the
//! last one, a value is replaced where it stands.

use super::{Candidate, Needs};
use crate::frameworks::source::{tokenize, Expr, Lang, Parser, Tok, Token, Value};
use crate::frameworks::Framework;

/// The option names of one framework, and how it writes values.
struct Names {
    lang: Lang,
    origins: &'static str,
    credentials: &'static str,
    methods: &'static str,
    /// The methods a missing `methods` option means.
    default_methods: &'static [&'static str],
    headers: &'static str,
    /// The request headers a missing `headers` option allows, when a list.
    default_headers: &'static [&'static str],
    expose: &'static str,
}

fn names(framework: Framework) -> Option<Names> {
    Some(match framework {
        Framework::Express => Names {
            lang: Lang::Js,
            origins: "origin",
            credentials: "credentials",
            methods: "methods",
            default_methods: &["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE"],
            headers: "allowedHeaders",
            default_headers: &[],
            expose: "exposedHeaders",
        },
        Framework::Fastapi => Names {
            lang: Lang::Python,
            origins: "allow_origins",
            credentials: "allow_credentials",
            methods: "allow_methods",
            default_methods: &["GET"],
            headers: "allow_headers",
            default_headers: &[],
            expose: "expose_headers",
        },
        Framework::Flask => Names {
            lang: Lang::Python,
            origins: "origins",
            credentials: "supports_credentials",
            methods: "methods",
            default_methods: &["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"],
            headers: "allow_headers",
            default_headers: &[],
            expose: "expose_headers",
        },
        Framework::Django => Names {
            lang: Lang::Python,
            origins: "CORS_ALLOWED_ORIGINS",
            credentials: "CORS_ALLOW_CREDENTIALS",
            methods: "CORS_ALLOW_METHODS",
            default_methods: &["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"],
            headers: "CORS_ALLOW_HEADERS",
            default_headers: &crate::frameworks::django::DEFAULT_HEADERS,
            expose: "CORS_EXPOSE_HEADERS",
        },
        _ => return None,
    })
}

/// A file's tokens and the options found in it.
struct File<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    lang: Lang,
    framework: Framework,
}

/// Where an option's value is, or where a new option goes.
enum Place {
    /// The value expression: its span, and the expression.
    Value(usize, usize, Expr),
    /// Absent: insert `, key: value` (or a settings line) at this offset.
    Missing(usize, bool),
}

impl File<'_> {
    fn parser(&self) -> Parser<'_> {
        Parser {
            source: self.text,
            tokens: &self.tokens,
            lang: self.lang,
        }
    }

    fn is(&self, pos: usize, kind: &Tok) -> bool {
        self.tokens.get(pos).is_some_and(|t| &t.kind == kind)
    }

    fn punct(&self, pos: usize, p: &str) -> bool {
        self.is(pos, &Tok::Punct(p.to_owned()))
    }

    fn ident(&self, pos: usize, word: &str) -> bool {
        self.is(pos, &Tok::Ident(word.to_owned()))
    }

    /// The byte offset where the token at `pos` starts (the end of the text after the last).
    fn offset(&self, pos: usize) -> usize {
        self.tokens.get(pos).map_or(self.text.len(), |t| t.start)
    }

    /// The end of the text before token `pos`, trailing blanks left out.
    fn end_before(&self, pos: usize) -> usize {
        let at = self.offset(pos);
        self.text.get(..at).map_or(at, |t| t.trim_end().len())
    }

    /// The value at token `pos`: its span, the token after it, and the expression.
    fn value(&self, pos: usize) -> Option<(usize, usize, usize, Expr)> {
        let (expr, next) = self.parser().expr(pos).ok()?;
        Some((self.offset(pos), self.end_before(next), next, expr))
    }

    /// The token position of the first of `key: value` / `key=value` pairs
    /// of the options, and the name of a variable holding them (Express
    /// `cors(corsOptions)`), found from the framework's call.
    fn options_start(&self) -> Option<usize> {
        let n = self.tokens.len();
        match self.framework {
            Framework::Express => {
                let call = (0..n).find(|&i| self.ident(i, "cors") && self.punct(i + 1, "("))?;
                match self.tokens.get(call + 2).map(|t| &t.kind) {
                    Some(Tok::Punct(p)) if p == "{" => Some(call + 3),
                    Some(Tok::Ident(name)) => {
                        let name = name.clone();
                        let at = (0..n).find(|&i| {
                            self.ident(i, &name) && self.punct(i + 1, "=") && self.punct(i + 2, "{")
                        })?;
                        Some(at + 3)
                    }
                    _ => None,
                }
            }
            Framework::Fastapi => {
                let at = (0..n).find(|&i| {
                    self.ident(i, "CORSMiddleware") && i > 0 && self.punct(i - 1, "(")
                })?;
                Some(at + 1)
            }
            Framework::Flask => {
                let at = (0..n).find(|&i| self.ident(i, "CORS") && self.punct(i + 1, "("))?;
                // `CORS(app, ...)`: skip the app.
                let (_, _, next, _) = self.value(at + 2)?;
                Some(next)
            }
            _ => None,
        }
    }

    /// Where option `key` is in the options starting at token `start`.
    fn option(&self, start: usize, key: &str) -> Option<Place> {
        let mut pos = start;
        let mut last_end = self.end_before(pos);
        for _ in 0..64 {
            if self.punct(pos, ",") {
                pos += 1;
            }
            let name = match self.tokens.get(pos).map(|t| &t.kind) {
                Some(Tok::Ident(k) | Tok::Str(k)) => k.clone(),
                _ => break,
            };
            if !(self.punct(pos + 1, ":") || self.punct(pos + 1, "=")) {
                break;
            }
            let (from, to, next, expr) = self.value(pos + 2)?;
            if name == key {
                return Some(Place::Value(from, to, expr));
            }
            last_end = to;
            pos = next;
        }
        let empty = last_end <= self.end_before(start) && self.framework == Framework::Express;
        Some(Place::Missing(last_end, empty))
    }

    /// Django: the last top-level `NAME = value`.
    fn setting(&self, key: &str) -> Place {
        let found = (0..self.tokens.len())
            .rev()
            .find(|&i| self.ident(i, key) && self.punct(i + 1, "="))
            .and_then(|i| self.value(i + 2));
        match found {
            Some((from, to, _, expr)) => Place::Value(from, to, expr),
            None => Place::Missing(self.text.len(), false),
        }
    }

    /// The list assignment a variable names (`allowlist` in the README's
    /// origin callback): its span and expression.
    fn variable(&self, name: &str) -> Option<(usize, usize, Expr)> {
        let at = (0..self.tokens.len())
            .rev()
            .find(|&i| self.ident(i, name) && self.punct(i + 1, "="))?;
        let (from, to, _, expr) = self.value(at + 2)?;
        Some((from, to, expr))
    }
}

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|i| quote(i)).collect();
    format!("[{}]", items.join(", "))
}

fn boolean(lang: Lang) -> &'static str {
    match lang {
        Lang::Js => "true",
        Lang::Python => "True",
    }
}

/// The text with `replacement` over `from..to`.
fn splice(text: &str, from: usize, to: usize, replacement: &str) -> String {
    format!(
        "{}{replacement}{}",
        text.get(..from).unwrap_or_default(),
        text.get(to..).unwrap_or_default()
    )
}

/// The strings of a list (or single string) expression; `None` for anything else.
fn strings(expr: &Expr) -> Option<Vec<String>> {
    match &expr.value {
        Value::Str(s) => Some(vec![s.clone()]),
        Value::List(items) => items
            .iter()
            .map(|i| match &i.value {
                Value::Str(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// Makes `key`'s list include `items` (the ones it lacks), in `text`; the
/// edit in words, or `None` when nothing needs adding or the value is not a
/// list of strings as written.
fn add_to_list(
    file: &File<'_>,
    key: &str,
    items: &[String],
    default: &[&str],
) -> Option<(String, String)> {
    let place = match file.framework {
        Framework::Django => file.setting(key),
        _ => file.option(file.options_start()?, key)?,
    };
    let (from, to, current, missing_place) = match place {
        Place::Value(from, to, expr) => {
            let (from, to, expr) = match &expr.value {
                Value::Name(name) => file.variable(name)?,
                _ => (from, to, expr),
            };
            (from, to, strings(&expr)?, None)
        }
        Place::Missing(at, empty) => (
            at,
            at,
            default.iter().map(|m| (*m).to_owned()).collect(),
            Some(empty),
        ),
    };
    let lacking: Vec<String> = items
        .iter()
        .filter(|i| !current.iter().any(|c| c.eq_ignore_ascii_case(i)))
        .cloned()
        .collect();
    if lacking.is_empty() {
        return None;
    }
    let mut all = current.clone();
    all.extend(lacking.iter().cloned());
    let value = list(&all);
    let text = match missing_place {
        None => splice(file.text, from, to, &value),
        Some(empty) => insert_option(file, from, key, &value, empty),
    };
    let words = format!(
        "add {} to `{key}`",
        lacking
            .iter()
            .map(|l| quote(l))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Some((text, words))
}

/// The text with option `key` set to `value` added at `at`.
fn insert_option(file: &File<'_>, at: usize, key: &str, value: &str, empty: bool) -> String {
    let addition = match (file.framework, file.lang) {
        (Framework::Django, _) => {
            let newline = if file.text.ends_with('\n') { "" } else { "\n" };
            format!("{newline}{key} = {value}\n")
        }
        (_, Lang::Js) if empty => format!(" {key}: {value} "),
        (_, Lang::Js) => format!(", {key}: {value}"),
        (_, Lang::Python) => format!(", {key}={value}"),
    };
    splice(file.text, at, at, &addition)
}

/// Sets boolean option `key` to true.
fn set_true(file: &File<'_>, key: &str) -> Option<(String, String)> {
    let place = match file.framework {
        Framework::Django => file.setting(key),
        _ => file.option(file.options_start()?, key)?,
    };
    let value = boolean(file.lang);
    let text = match place {
        Place::Value(
            _,
            _,
            Expr {
                value: Value::Bool(true),
                ..
            },
        ) => return None,
        Place::Value(from, to, _) => splice(file.text, from, to, value),
        Place::Missing(at, empty) => insert_option(file, at, key, value, empty),
    };
    Some((text, format!("set `{key}` to {value}")))
}

/// Express's origin option when it is a single string or the README's
/// callback over a list variable: the origin joins the list.
fn express_origin(file: &File<'_>, origin: &str) -> Option<(String, String)> {
    let place = file.option(file.options_start()?, "origin")?;
    let Place::Value(from, to, expr) = place else {
        return None;
    };
    let origin = origin.to_owned();
    match &expr.value {
        Value::Str(current) if current != "*" => {
            let value = list(&[current.clone(), origin.clone()]);
            Some((
                splice(file.text, from, to, &value),
                format!("make `origin` a list: {value}"),
            ))
        }
        Value::Function { body, .. } => {
            // The list the callback looks the origin up in.
            let kinds: Vec<&Tok> = body.iter().map(|t| &t.kind).collect();
            let name = kinds.windows(3).find_map(|w| match w {
                [Tok::Ident(n), Tok::Punct(dot), Tok::Ident(m)]
                    if dot == "." && (m == "indexOf" || m == "includes") =>
                {
                    Some(n.clone())
                }
                _ => None,
            })?;
            let (from, to, list_expr) = file.variable(&name)?;
            let mut all = strings(&list_expr)?;
            if all.contains(&origin) {
                return None;
            }
            all.push(origin.clone());
            Some((
                splice(file.text, from, to, &list(&all)),
                format!("add {} to `{name}`", quote(&origin)),
            ))
        }
        _ => add_to_list(file, "origin", &[origin], &[]),
    }
}

/// One edit: the text after it and its words, or `None` when not needed.
type Step<'n> = dyn Fn(&File<'_>) -> Option<(String, String)> + 'n;

/// The edits `needs` asks of an application framework's configuration,
/// made one after another on the text (one candidate: all of them).
pub(super) fn candidates(framework: Framework, text: &str, needs: &Needs) -> Vec<Candidate> {
    let Some(names) = names(framework) else {
        return Vec::new();
    };
    let mut current = text.to_owned();
    let mut edits = Vec::new();
    let steps: [&Step<'_>; 5] = [
        &|f| {
            let origin = needs.origin.as_deref()?;
            match framework {
                Framework::Express => express_origin(f, origin),
                _ => add_to_list(f, names.origins, &[origin.to_owned()], &[]),
            }
        },
        &|f| needs.credentials.then(|| set_true(f, names.credentials))?,
        &|f| add_to_list(f, names.methods, &needs.methods, names.default_methods),
        &|f| add_to_list(f, names.headers, &needs.headers, names.default_headers),
        &|f| add_to_list(f, names.expose, &needs.expose, &[]),
    ];
    // Each candidate makes one more edit than the one before, so the first
    // that the engine allows changes no more than the request needs (the
    // engine's fixes list every header a refused answer lacked).
    let mut candidates = Vec::new();
    for step in steps {
        let Ok(tokens) = tokenize(&current, names.lang) else {
            break;
        };
        let file = File {
            text: &current,
            tokens,
            lang: names.lang,
            framework,
        };
        if let Some((next, words)) = step(&file) {
            current = next;
            edits.push(words);
            candidates.push((current.clone(), edits.clone()));
        }
    }
    candidates
}
