//! Django with django-cors-headers 4 (corsheaders/middleware.py): the
//! `CORS_*` settings of a `settings.py`.
//!
//! From its source: a preflight (`OPTIONS` with
//! `Access-Control-Request-Method`, on a path `CORS_URLS_REGEX` matches) is
//! answered 200 by the middleware whatever its origin; every response on
//! such a path gets `Vary: origin`; the CORS headers follow only for an
//! allowed origin, and on `OPTIONS` the methods and headers lists are sent
//! as configured, never checked against the request. Errors (500, 404)
//! pass through the middleware and get the headers too.

use super::pattern::{Anchor, Pattern};
use super::source::{read_file, Lang, Parser, Scope};
use super::{Answer, Backend, ConfigError, Outcome, Request};

pub(super) const DEFAULT_HEADERS: [&str; 6] = [
    "accept",
    "authorization",
    "content-type",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
];
const DEFAULT_METHODS: [&str; 6] = ["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"];

/// The settings django-cors-headers reads.
#[derive(Debug, Clone)]
pub struct Django {
    installed: bool,
    allow_all: bool,
    allowed_origins: Vec<String>,
    regexes: Vec<Pattern>,
    credentials: bool,
    allow_headers: Vec<String>,
    allow_methods: Vec<String>,
    expose_headers: Vec<String>,
    max_age: Option<String>,
    urls_regex: Pattern,
}

/// Reads the `CORS_*` settings (and whether `MIDDLEWARE` lists the
/// middleware) of a `settings.py`.
pub(super) fn parse(text: &str) -> Result<Django, ConfigError> {
    read_file(
        text,
        Lang::Python,
        vec![
            (
                "default_headers",
                DEFAULT_HEADERS.map(String::from).to_vec(),
            ),
            (
                "default_methods",
                DEFAULT_METHODS.map(String::from).to_vec(),
            ),
        ],
        read_config,
    )
}

/// Reads the parsed file: its tokens, and its top-level names in `scope`.
fn read_config(parser: &Parser<'_>, scope: &Scope<'_>) -> Result<Django, ConfigError> {
    let text = parser.source;
    let setting = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| scope.names.iter().rev().find(|(k, _)| k == n))
            .map(|(_, v)| v)
    };
    let strings = |names: &[&str], default: &[&str]| match setting(names) {
        Some(v) => scope.strings(v),
        None => Ok(default.iter().map(|s| (*s).to_owned()).collect()),
    };
    let boolean = |names: &[&str]| setting(names).map_or(Ok(false), |v| scope.boolean(v));
    let installed = match setting(&["MIDDLEWARE"]) {
        Some(v) => scope
            .strings(v)?
            .iter()
            .any(|m| m == "corsheaders.middleware.CorsMiddleware"),
        None => true,
    };
    let mut regexes = Vec::new();
    if let Some(v) = setting(&["CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST"]) {
        for pattern in scope.strings(v)? {
            regexes
                .push(Pattern::new(&pattern, false, Anchor::Start).map_err(|m| scope.error(v, m))?);
        }
    }
    let urls_regex = match setting(&["CORS_URLS_REGEX"]) {
        Some(v) => Pattern::new(&scope.strings(v)?.concat(), false, Anchor::Start)
            .map_err(|m| scope.error(v, m))?,
        None => {
            Pattern::new("^.*$", false, Anchor::Start).map_err(|m| ConfigError::at(text, 0, m))?
        }
    };
    let max_age = match setting(&["CORS_PREFLIGHT_MAX_AGE"]) {
        Some(v) => match &scope.resolve(v)?.value {
            super::source::Value::Num(n) if n == "0" => None,
            super::source::Value::Num(n) => Some(n.clone()),
            super::source::Value::Bool(false) | super::source::Value::Null => None,
            _ => return Err(scope.error(v, "expected a number of seconds here")),
        },
        None => Some("86400".to_owned()),
    };
    Ok(Django {
        installed,
        allow_all: boolean(&["CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL"])?,
        allowed_origins: strings(&["CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST"], &[])?,
        regexes,
        credentials: boolean(&["CORS_ALLOW_CREDENTIALS"])?,
        allow_headers: strings(&["CORS_ALLOW_HEADERS"], &DEFAULT_HEADERS)?,
        allow_methods: strings(&["CORS_ALLOW_METHODS"], &DEFAULT_METHODS)?,
        expose_headers: strings(&["CORS_EXPOSE_HEADERS"], &[])?,
        max_age,
        urls_regex,
    })
}

/// `urlsplit(origin)`: the scheme and the netloc, as written.
fn scheme_netloc(origin: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = origin.split_once("://")?;
    let netloc = rest.split(['/', '?', '#']).next().unwrap_or("");
    Some((scheme, netloc))
}

impl Django {
    fn origin_allowed(&self, origin: &str) -> bool {
        let listed = |o: &str| match (scheme_netloc(o), scheme_netloc(origin)) {
            (Some((s1, n1)), Some((s2, n2))) => s1 == s2 && n1 == n2,
            _ => false,
        };
        (origin == "null" && self.allowed_origins.iter().any(|o| o == "null"))
            || self.allowed_origins.iter().any(|o| listed(o))
            || self.regexes.iter().any(|r| r.is_match(origin))
    }

    /// The middleware's answer, or the view's with the headers added.
    pub(super) fn respond(&self, request: &Request, backend: &Backend) -> Answer {
        let view = || {
            // A plain function view answers every method.
            let status = match backend.outcome {
                Outcome::Down => 500,
                outcome => outcome.status(),
            };
            super::backend_answer(backend, status)
        };
        if !self.installed {
            return view();
        }
        let enabled = self.urls_regex.is_match(&request.path);
        let mut answer = if enabled
            && request.method == "OPTIONS"
            && request.header("Access-Control-Request-Method").is_some()
        {
            Answer::new(200)
        } else {
            view()
        };
        if !enabled {
            return answer;
        }
        patch_vary(&mut answer, "origin");
        let Some(origin) = request.header("Origin").filter(|o| !o.is_empty()) else {
            return answer;
        };
        if !self.allow_all && !self.origin_allowed(origin) {
            return answer;
        }
        if self.allow_all && !self.credentials {
            answer.set("Access-Control-Allow-Origin", "*");
        } else {
            answer.set("Access-Control-Allow-Origin", origin);
        }
        if self.credentials {
            answer.set("Access-Control-Allow-Credentials", "true");
        }
        if !self.expose_headers.is_empty() {
            answer.set(
                "Access-Control-Expose-Headers",
                self.expose_headers.join(", "),
            );
        }
        if request.method == "OPTIONS" {
            answer.set(
                "Access-Control-Allow-Headers",
                self.allow_headers.join(", "),
            );
            answer.set(
                "Access-Control-Allow-Methods",
                self.allow_methods.join(", "),
            );
            if let Some(max_age) = &self.max_age {
                answer.set("Access-Control-Max-Age", max_age.clone());
            }
        }
        answer
    }
}

/// Django's `patch_vary_headers`: adds `field` unless listed
/// (case-insensitively).
fn patch_vary(answer: &mut Answer, field: &str) {
    let existing: Vec<String> = answer
        .get("Vary")
        .map(|v| {
            v.split(',')
                .map(|f| f.trim().to_owned())
                .filter(|f| !f.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if existing
        .iter()
        .any(|f| f.eq_ignore_ascii_case(field) || f == "*")
    {
        return;
    }
    let mut fields = existing;
    fields.push(field.to_owned());
    answer.set("Vary", fields.join(", "));
}
