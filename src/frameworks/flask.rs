//! Flask 3 with Flask-CORS 6 (flask_cors/core.py, extension.py):
//! `CORS(app, ...)`.
//!
//! From its source: an `after_request` hook (also wrapped around Flask's
//! exception handlers, so a 500 gets the headers) adds them to every
//! response whose path matches a resource. `origins` defaults to `*`,
//! which reflects the request's origin (a wildcard is only sent with
//! `send_wildcard`, or to a request without `Origin`); a string with a
//! regex character is a regex matched at the start, case-insensitively.
//! The methods, headers and max-age of a preflight are sent only when the
//! requested method is in `methods` (a substring test of the joined list).

use super::pattern::{Anchor, Pattern};
use super::source::{read_file, Expr, Lang, Parser, Scope, Value};
use super::{Answer, Backend, ConfigError, Outcome, Request};

const ALL_METHODS: [&str; 7] = ["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"];

/// A string or a regex: Flask-CORS's `probably_regex` decides which.
#[derive(Debug, Clone)]
enum Pat {
    Literal(String),
    Regex(Pattern),
}

impl Pat {
    fn new(text: &str, case_insensitive: bool) -> Result<Pat, String> {
        let text = if text == "*" { ".*" } else { text };
        if text.chars().any(|c| "*\\]?$^[]()".contains(c)) {
            Pattern::new(text, case_insensitive, Anchor::Start).map(Pat::Regex)
        } else {
            Ok(Pat::Literal(text.to_owned()))
        }
    }

    fn matches(&self, value: &str, case_sensitive: bool) -> bool {
        match self {
            Pat::Regex(p) => p.is_match(value),
            Pat::Literal(l) if case_sensitive => l == value,
            Pat::Literal(l) => super::case::lower(l) == super::case::lower(value),
        }
    }
}

/// A non-negative decimal number (`90`, `1.5`) in millionths, digits past
/// the sixth decimal dropped.
fn micros_of(number: &str) -> Option<u64> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit() || c == '_');
    if !digits(whole) || !digits(fraction) || (whole.is_empty() && fraction.is_empty()) {
        return None;
    }
    let whole: u64 = match whole.replace('_', "") {
        w if w.is_empty() => 0,
        w => w.parse().ok()?,
    };
    let mut fraction: String = fraction.replace('_', "").chars().take(6).collect();
    while fraction.len() < 6 {
        fraction.push('0');
    }
    whole
        .checked_mul(1_000_000)?
        .checked_add(fraction.parse::<u64>().ok()?)
}

/// The resolved options of one resource.
#[derive(Debug, Clone)]
struct Options {
    origins: Vec<Pat>,
    allow_all_origins: bool,
    allow_headers: Vec<Pat>,
    methods: Option<String>,
    expose_headers: Option<String>,
    max_age: Option<String>,
    supports_credentials: bool,
    send_wildcard: bool,
    vary_header: bool,
    always_send: bool,
}

/// A parsed `CORS(app, ...)`: resources in match order.
#[derive(Debug, Clone)]
pub struct Flask {
    resources: Vec<(Pat, Options)>,
}

/// Reads the first `CORS(app, ...)` of a Flask app file.
pub(super) fn parse(text: &str) -> Result<Flask, ConfigError> {
    read_file(text, Lang::Python, Vec::new(), read_config)
}

/// Reads the parsed file: its tokens, and its top-level names in `scope`.
fn read_config(parser: &Parser<'_>, scope: &Scope<'_>) -> Result<Flask, ConfigError> {
    let (text, tokens) = (parser.source, parser.tokens);
    let call = (0..tokens.len()).find(|&i| {
        parser.dotted_name(i).is_some_and(|(name, next)| {
            (name == "CORS" || name == "flask_cors.CORS") && parser.is_punct(next, "(")
        })
    });
    let Some(call) = call else {
        return Err(ConfigError::at(
            text,
            text.len(),
            "no CORS(app, ...) call in this file",
        ));
    };
    let (expr, _) = parser.expr(call)?;
    let Value::Call { kwargs, .. } = &expr.value else {
        return Err(ConfigError::at(
            text,
            expr.start,
            "expected CORS(app, ...) here",
        ));
    };
    let mut resources: Vec<(String, Vec<(String, Expr)>)> = vec![("/*".to_owned(), Vec::new())];
    let mut common = Vec::new();
    for (key, value) in kwargs {
        if key == "resources" {
            let value = scope.resolve(value)?;
            resources = match &value.value {
                Value::Dict(pairs) => pairs
                    .iter()
                    .map(|(pattern, opts)| match &scope.resolve(opts)?.value {
                        Value::Dict(o) => Ok((pattern.clone(), o.clone())),
                        _ => Err(scope.error(opts, "expected a dict of options here")),
                    })
                    .collect::<Result<_, _>>()?,
                _ => scope
                    .strings(value)?
                    .into_iter()
                    .map(|p| (p, Vec::new()))
                    .collect(),
            };
        } else {
            common.push((key.clone(), value.clone()));
        }
    }
    // parse_resources sorts a dict's patterns: literal paths first, then
    // by more slashes, then longer.
    let mut resources: Vec<(String, Vec<(String, Expr)>)> = resources;
    let regexish = |p: &str| p.chars().any(|c| "*\\]?$^[]()".contains(c));
    resources.sort_by_key(|(p, _)| {
        (
            regexish(p),
            std::cmp::Reverse(p.matches('/').count()),
            std::cmp::Reverse(p.len()),
        )
    });
    let mut out = Vec::new();
    for (pattern, own) in resources {
        let merged: Vec<(String, Expr)> = common.iter().chain(own.iter()).cloned().collect();
        let path = Pat::new(&pattern, false).map_err(|m| ConfigError::at(text, expr.start, m))?;
        out.push((path, options(scope, &merged)?));
    }
    Ok(Flask { resources: out })
}

fn options(scope: &Scope<'_>, pairs: &[(String, Expr)]) -> Result<Options, ConfigError> {
    let get = |key: &str| pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v);
    let list = |key: &str, default: &[&str]| match get(key) {
        Some(v) => scope.strings(v),
        None => Ok(default.iter().map(|s| (*s).to_owned()).collect()),
    };
    let flag = |key: &str, default: bool| get(key).map_or(Ok(default), |v| scope.boolean(v));
    let pats = |items: Vec<String>, at: Option<&Expr>| {
        items
            .iter()
            .map(|p| {
                Pat::new(p, true).map_err(|m| match at {
                    Some(e) => scope.error(e, m),
                    None => ConfigError::at(scope.source, 0, m),
                })
            })
            .collect::<Result<Vec<_>, _>>()
    };
    let origins_raw = list("origins", &["*"])?;
    let allow_all_origins = origins_raw.iter().any(|o| o == "*" || o == ".*");
    let sorted_join =
        |key: &str, default: Option<&[&str]>| -> Result<Option<String>, ConfigError> {
            let items = match (get(key), default) {
                (Some(v), _) if matches!(scope.resolve(v)?.value, Value::Null) => return Ok(None),
                (Some(v), _) => match &scope.resolve(v)?.value {
                    Value::Str(s) => return Ok(Some(s.clone())),
                    _ => scope.strings(v)?,
                },
                (None, Some(d)) => d.iter().map(|s| (*s).to_owned()).collect(),
                (None, None) => return Ok(None),
            };
            let mut items = items;
            items.sort();
            Ok(Some(items.join(", ")))
        };
    let max_age = match get("max_age") {
        None => None,
        Some(v) => match &scope.resolve(v)?.value {
            Value::Num(n) | Value::Str(n) => Some(n.clone()),
            Value::Null => None,
            Value::Call { callee, kwargs, .. } if callee.ends_with("timedelta") => {
                // `int(total_seconds())`, in microseconds as timedelta
                // keeps them (no floating point: it would ship float
                // parsing and printing in the app's wasm).
                let mut micros: u64 = 0;
                for (unit, amount) in kwargs {
                    let Value::Num(n) = &amount.value else {
                        return Err(scope.error(amount, "expected a number here"));
                    };
                    let n = micros_of(n)
                        .ok_or_else(|| scope.error(amount, "expected a number here"))?;
                    let scale: u64 = match unit.as_str() {
                        "days" => 86400,
                        "hours" => 3600,
                        "minutes" => 60,
                        _ => 1,
                    };
                    micros = micros.saturating_add(n.saturating_mul(scale));
                }
                Some((micros / 1_000_000).to_string())
            }
            _ => return Err(scope.error(v, "expected a number of seconds here")),
        },
    };
    Ok(Options {
        origins: pats(origins_raw, get("origins"))?,
        allow_all_origins,
        allow_headers: pats(list("allow_headers", &["*"])?, get("allow_headers"))?,
        methods: sorted_join("methods", Some(&ALL_METHODS))?.map(|m| super::case::upper(&m)),
        expose_headers: sorted_join("expose_headers", None)?,
        max_age,
        supports_credentials: flag("supports_credentials", false)?,
        send_wildcard: flag("send_wildcard", false)?,
        vary_header: flag("vary_header", true)?,
        always_send: flag("always_send", true)?,
    })
}

impl Flask {
    /// Flask's answer with the after_request hook applied.
    pub(super) fn respond(&self, request: &Request, backend: &Backend) -> Answer {
        // Flask answers OPTIONS for a route it has (automatic OPTIONS).
        let status = match backend.outcome {
            Outcome::NotFound => 404,
            _ if request.method == "OPTIONS" => 200,
            Outcome::Ok => 200,
            Outcome::Error | Outcome::Down => 500,
        };
        let mut answer = super::backend_answer(backend, status);
        if answer.get("Access-Control-Allow-Origin").is_some() {
            return answer;
        }
        let Some((_, options)) = self
            .resources
            .iter()
            .find(|(path, _)| path.matches(&request.path, true))
        else {
            return answer;
        };
        options.apply(request, &mut answer);
        answer
    }
}

impl Options {
    fn cors_origins(&self, origin: Option<&str>) -> Option<Vec<String>> {
        match origin.filter(|o| !o.is_empty()) {
            Some(_) if self.allow_all_origins && self.send_wildcard => Some(vec!["*".to_owned()]),
            Some(o) if self.origins.iter().any(|p| p.matches(o, false)) => Some(vec![o.to_owned()]),
            Some(_) => None,
            None if !self.always_send => None,
            None if self.allow_all_origins => {
                (!self.supports_credentials).then(|| vec!["*".to_owned()])
            }
            None => {
                let mut literal: Vec<String> = self
                    .origins
                    .iter()
                    .filter_map(|p| match p {
                        Pat::Literal(l) => Some(l.clone()),
                        Pat::Regex(_) => None,
                    })
                    .collect();
                literal.sort();
                Some(literal)
            }
        }
    }

    fn apply(&self, request: &Request, answer: &mut Answer) {
        let Some(origins) = self
            .cors_origins(request.header("Origin"))
            .filter(|o| !o.is_empty())
        else {
            return;
        };
        // A MultiDict's items() yields each key's first value only.
        let first_origin = origins.first().cloned().unwrap_or_default();
        let mut headers: Vec<(&str, String)> =
            vec![("Access-Control-Allow-Origin", first_origin.clone())];
        if let Some(expose) = &self.expose_headers {
            headers.push(("Access-Control-Expose-Headers", expose.clone()));
        }
        if self.supports_credentials {
            headers.push(("Access-Control-Allow-Credentials", "true".to_owned()));
        }
        if request.method == "OPTIONS" {
            let method = super::case::upper(
                request
                    .header("Access-Control-Request-Method")
                    .unwrap_or(""),
            );
            if let Some(methods) = self
                .methods
                .as_ref()
                .filter(|m| !method.is_empty() && m.contains(&method))
            {
                if let Some(requested) = request
                    .header("Access-Control-Request-Headers")
                    .filter(|h| !h.is_empty())
                {
                    let mut matching: Vec<&str> = requested
                        .split(',')
                        .map(str::trim)
                        .filter(|h| self.allow_headers.iter().any(|p| p.matches(h, false)))
                        .collect();
                    matching.sort();
                    headers.push(("Access-Control-Allow-Headers", matching.join(", ")));
                }
                if let Some(max_age) = &self.max_age {
                    headers.push(("Access-Control-Max-Age", max_age.clone()));
                }
                headers.push(("Access-Control-Allow-Methods", methods.clone()));
            }
        }
        if self.vary_header
            && first_origin != "*"
            && (self.origins.len() > 1
                || origins.len() > 1
                || self.origins.iter().any(|p| matches!(p, Pat::Regex(_))))
        {
            headers.push(("Vary", "Origin".to_owned()));
        }
        for (name, value) in headers {
            if !value.is_empty() {
                answer.add(name, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timedelta_amounts_are_read_without_floating_point() {
        assert_eq!(micros_of("90"), Some(90_000_000));
        assert_eq!(micros_of("1.5"), Some(1_500_000));
        assert_eq!(micros_of(".25"), Some(250_000));
        assert_eq!(micros_of("1_000"), Some(1_000_000_000));
        assert_eq!(micros_of("1e3"), None);
        assert_eq!(micros_of("."), None);
        let config = crate::frameworks::parse(
            crate::frameworks::Framework::Flask,
            "from flask_cors import CORS\nCORS(app, max_age=timedelta(hours=1.5, seconds=30))\n",
        )
        .unwrap();
        let request = Request {
            method: "OPTIONS".into(),
            path: "/".into(),
            headers: vec![
                ("Origin".into(), "https://a.example".into()),
                ("Access-Control-Request-Method".into(), "PUT".into()),
            ],
        };
        let answer = config.respond(&request, &Backend::default());
        assert_eq!(answer.get("Access-Control-Max-Age"), Some("5430"));
    }
}
