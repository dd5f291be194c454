//! FastAPI / Starlette `CORSMiddleware` (starlette/middleware/cors.py).
//!
//! From its source: a request without `Origin` passes straight to the app
//! (only `Vary: Origin` is added); `OPTIONS` with `Origin` and
//! `Access-Control-Request-Method` is answered by the middleware, 200 or,
//! when the origin, method or a header is not allowed, 400; every other
//! response gets the simple headers. `allow_methods` defaults to `GET`;
//! `"*"` in `allow_origins` with `allow_credentials` reflects every origin.
//! An unhandled exception's 500 comes from `ServerErrorMiddleware`, outside
//! `CORSMiddleware`, so it has no CORS headers.

use super::pattern::{Anchor, Pattern};
use super::source::{read_file, Lang, Parser, Scope, Value};
use super::{Answer, Backend, ConfigError, Outcome, Request};

const ALL_METHODS: [&str; 8] = [
    "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY",
];
const SAFELISTED_HEADERS: [&str; 4] = [
    "Accept",
    "Accept-Language",
    "Content-Language",
    "Content-Type",
];

/// A parsed `CORSMiddleware(...)`.
#[derive(Debug, Clone)]
pub struct Starlette {
    allow_origins: Vec<String>,
    allow_methods: Vec<String>,
    /// Lower-cased, the safelisted four included.
    allow_headers: Vec<String>,
    /// As sent in a preflight (sorted, as written).
    allow_headers_value: String,
    allow_all_headers: bool,
    allow_credentials: bool,
    allow_origin_regex: Option<Pattern>,
    expose_headers: Vec<String>,
    max_age: String,
    allow_private_network: bool,
}

/// Reads `app.add_middleware(CORSMiddleware, ...)` or
/// `Middleware(CORSMiddleware, ...)` in a Python file.
pub(super) fn parse(text: &str) -> Result<Starlette, ConfigError> {
    read_file(text, Lang::Python, Vec::new(), read_config)
}

/// Reads the parsed file: its tokens, and its top-level names in `scope`.
fn read_config(parser: &Parser<'_>, scope: &Scope<'_>) -> Result<Starlette, ConfigError> {
    let (text, tokens) = (parser.source, parser.tokens);
    let call = (0..tokens.len()).find(|&i| {
        parser.dotted_name(i).is_some_and(|(name, next)| {
            (name.ends_with("add_middleware") || name.ends_with("Middleware"))
                && name != "CORSMiddleware"
                && parser.is_punct(next, "(")
                && parser.is_ident(next + 1, "CORSMiddleware")
        })
    });
    let Some(call) = call else {
        return Err(ConfigError::at(
            text,
            text.len(),
            "no CORSMiddleware in this file: expected app.add_middleware(CORSMiddleware, ...)",
        ));
    };
    let (expr, _) = parser.expr(call)?;
    let Value::Call { kwargs, args, .. } = &expr.value else {
        return Err(ConfigError::at(text, expr.start, "expected a call here"));
    };
    if let Some(extra) = args.get(1) {
        return Err(scope.error(extra, "CORSMiddleware's options are keyword arguments"));
    }
    let mut allow_origins = Vec::new();
    let mut allow_methods = vec!["GET".to_owned()];
    let mut headers = Vec::new();
    let mut allow_credentials = false;
    let mut allow_origin_regex = None;
    let mut expose_headers = Vec::new();
    let mut max_age = "600".to_owned();
    let mut allow_private_network = false;
    for (key, value) in kwargs {
        match key.as_str() {
            "allow_origins" => allow_origins = scope.strings(value)?,
            "allow_methods" => allow_methods = scope.strings(value)?,
            "allow_headers" => headers = scope.strings(value)?,
            "allow_credentials" => allow_credentials = scope.boolean(value)?,
            "allow_origin_regex" => {
                let pattern = scope.strings(value)?.concat();
                allow_origin_regex = Some(
                    Pattern::new(&pattern, false, Anchor::Full)
                        .map_err(|m| scope.error(value, m))?,
                );
            }
            "expose_headers" => expose_headers = scope.strings(value)?,
            "max_age" => match &scope.resolve(value)?.value {
                Value::Num(n) => max_age = n.clone(),
                _ => return Err(scope.error(value, "expected a number of seconds here")),
            },
            "allow_private_network" => allow_private_network = scope.boolean(value)?,
            other => {
                return Err(scope.error(
                    value,
                    format!(
                        "CORSMiddleware has no option '{other}' (Python would raise TypeError)"
                    ),
                ))
            }
        }
    }
    if allow_methods.iter().any(|m| m == "*") {
        allow_methods = ALL_METHODS.iter().map(|m| (*m).to_owned()).collect();
    }
    let allow_all_headers = headers.iter().any(|h| h == "*");
    let mut sorted: Vec<String> = SAFELISTED_HEADERS
        .iter()
        .map(|h| (*h).to_owned())
        .chain(headers)
        .collect();
    sorted.sort();
    sorted.dedup();
    Ok(Starlette {
        allow_origins,
        allow_methods,
        allow_headers: sorted.iter().map(|h| super::case::lower(h)).collect(),
        allow_headers_value: sorted.join(", "),
        allow_all_headers,
        allow_credentials,
        allow_origin_regex,
        expose_headers,
        max_age,
        allow_private_network,
    })
}

impl Starlette {
    fn allow_all_origins(&self) -> bool {
        self.allow_origins.iter().any(|o| o == "*")
    }

    fn is_allowed_origin(&self, origin: &str) -> bool {
        self.allow_all_origins()
            || self
                .allow_origin_regex
                .as_ref()
                .is_some_and(|p| p.is_match(origin))
            || self.allow_origins.iter().any(|o| o == origin)
    }

    /// The middleware's answer, or the app's with the simple headers.
    pub(super) fn respond(&self, request: &Request, backend: &Backend) -> Answer {
        let origin = request.header("Origin");
        if origin.is_some() && request.method == "OPTIONS" {
            if let Some(method) = request.header("Access-Control-Request-Method") {
                return self.preflight(request, method);
            }
        }
        // FastAPI's router: 404 for an unknown path, 405 for a method the
        // route does not have (the harness's routes are GET only); an
        // unhandled exception's 500 is sent by ServerErrorMiddleware,
        // outside this middleware, so without CORS headers.
        let status = match backend.outcome {
            Outcome::NotFound => 404,
            _ if request.method != "GET" && request.method != "HEAD" => 405,
            Outcome::Error | Outcome::Down => return Answer::new(500),
            Outcome::Ok => 200,
        };
        let mut answer = super::backend_answer(backend, status);
        if origin.is_some() {
            if self.allow_all_origins() {
                answer.set("Access-Control-Allow-Origin", "*");
            }
            if self.allow_credentials {
                answer.set("Access-Control-Allow-Credentials", "true");
            }
            if !self.expose_headers.is_empty() {
                answer.set(
                    "Access-Control-Expose-Headers",
                    self.expose_headers.join(", "),
                );
            }
        }
        match origin {
            Some(o)
                if (self.allow_all_origins() && self.allow_credentials)
                    || (!self.allow_all_origins() && self.is_allowed_origin(o)) =>
            {
                answer.set("Access-Control-Allow-Origin", o);
                append_vary(&mut answer);
            }
            _ => append_vary(&mut answer),
        }
        answer
    }

    fn preflight(&self, request: &Request, method: &str) -> Answer {
        let explicit = !self.allow_all_origins() || self.allow_credentials;
        let mut answer = Answer::new(200);
        answer.set(
            "Vary",
            "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network",
        );
        if !explicit {
            answer.set("Access-Control-Allow-Origin", "*");
        }
        answer.set(
            "Access-Control-Allow-Methods",
            self.allow_methods.join(", "),
        );
        answer.set("Access-Control-Max-Age", self.max_age.clone());
        if !self.allow_all_headers {
            answer.set(
                "Access-Control-Allow-Headers",
                self.allow_headers_value.clone(),
            );
        }
        if self.allow_credentials {
            answer.set("Access-Control-Allow-Credentials", "true");
        }
        let mut failed = false;
        let origin = request.header("Origin").unwrap_or("");
        if self.is_allowed_origin(origin) {
            if explicit {
                answer.set("Access-Control-Allow-Origin", origin);
            }
        } else {
            failed = true;
        }
        if !self.allow_methods.iter().any(|m| m == method) {
            failed = true;
        }
        if let Some(requested) = request.header("Access-Control-Request-Headers") {
            if self.allow_all_headers {
                answer.set("Access-Control-Allow-Headers", requested);
            } else if super::case::lower(requested)
                .split(',')
                .any(|h| !self.allow_headers.iter().any(|a| a == h.trim()))
            {
                failed = true;
            }
        }
        if request
            .header("Access-Control-Request-Private-Network")
            .is_some()
        {
            if self.allow_private_network {
                answer.set("Access-Control-Allow-Private-Network", "true");
            } else {
                failed = true;
            }
        }
        if failed {
            answer.status = 400;
        }
        answer
    }
}

/// `headers["Vary"] = ", ".join([*headers.getlist("Vary"), "Origin"])`.
fn append_vary(answer: &mut Answer) {
    let existing: Vec<String> = answer
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("Vary"))
        .map(|(_, v)| v.clone())
        .chain(std::iter::once("Origin".to_owned()))
        .collect();
    answer.set("Vary", existing.join(", "));
}
