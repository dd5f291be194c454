//! Express 5 with the `cors` package (2.8): `app.use(cors(options))`.
//!
//! From the `cors` source (lib/index.js): the options are merged over its
//! defaults (`origin: '*'`, methods `GET,HEAD,PUT,PATCH,POST,DELETE`,
//! `optionsSuccessStatus: 204`). A falsy `origin`, or an origin function
//! that calls back without an origin, skips CORS entirely; one that calls
//! back with an `Error` hands the error to Express (a bare 500). Every
//! `OPTIONS` request is answered as a preflight, whatever its headers and
//! whether its origin is allowed. A string `origin` is sent to everyone.

use super::source::{read_file, Expr, Lang, Parser, Scope, Tok, Token, Value};
use super::{Answer, Backend, ConfigError, Outcome, Request};

/// `cors`'s `origin` option.
#[derive(Debug, Clone)]
enum OriginOption {
    /// Falsy (`false`, `''`, `null`): no CORS headers at all.
    Off,
    /// `'*'` (the default): `Access-Control-Allow-Origin: *`.
    Star,
    /// Another string: sent as is to every request.
    Fixed(String),
    /// `true`, a list, a RegExp or a list of both: the request's origin
    /// when it matches, else none.
    Match(Vec<Allowed>),
    /// An origin function of the README's allowlist shape.
    Callback(Callback),
}

/// One entry of an origin list.
#[derive(Debug, Clone)]
enum Allowed {
    Any,
    Exact(String),
    Regex(super::pattern::Pattern),
}

/// An origin function: allowed when the origin is in `list` (or missing
/// and `allow_missing`), else it calls back with `reject`.
#[derive(Debug, Clone)]
struct Callback {
    list: Vec<String>,
    allow_missing: bool,
    reject: Reject,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reject {
    /// `callback(new Error(...))`: Express's error handler answers 500.
    Error,
    /// `callback(null, false)`: no CORS headers.
    NoCors,
}

/// A parsed Express app's CORS middleware.
#[derive(Debug, Clone)]
pub struct Express {
    mount: String,
    origin: OriginOption,
    methods: String,
    allowed_headers: Option<String>,
    exposed_headers: Option<String>,
    credentials: bool,
    max_age: Option<String>,
    preflight_continue: bool,
    options_success_status: u16,
}

/// Reads the first `app.use([path,] cors(...))` of an app file.
pub(super) fn parse(text: &str) -> Result<Express, ConfigError> {
    read_file(text, Lang::Js, Vec::new(), read_config)
}

/// Reads the parsed file: its tokens, and its top-level names in `scope`.
fn read_config(parser: &Parser<'_>, scope: &Scope<'_>) -> Result<Express, ConfigError> {
    let (text, tokens) = (parser.source, parser.tokens);
    let Some(call) = (0..tokens.len()).find(|&i| {
        parser.is_ident(i, "cors")
            && parser.is_punct(i + 1, "(")
            && !parser.is_punct(i.wrapping_sub(1), ".")
            && !parser.is_ident(i.wrapping_sub(1), "function")
    }) else {
        return Err(ConfigError::at(
            text,
            text.len(),
            "no cors(...) call in this file: expected app.use(cors({...}))",
        ));
    };
    let mount = mount_path(parser, call);
    let (expr, _) = parser.expr(call)?;
    let Value::Call { args, .. } = &expr.value else {
        return Err(ConfigError::at(text, expr.start, "expected cors(...) here"));
    };
    let mut express = Express {
        mount,
        origin: OriginOption::Star,
        methods: "GET,HEAD,PUT,PATCH,POST,DELETE".to_owned(),
        allowed_headers: None,
        exposed_headers: None,
        credentials: false,
        max_age: None,
        preflight_continue: false,
        options_success_status: 204,
    };
    let Some(options) = args.first() else {
        return Ok(express);
    };
    let options = scope.resolve(options)?;
    let Value::Dict(pairs) = &options.value else {
        return Err(scope.error(
            options,
            "expected an options object here (an options function is only known when the program runs)",
        ));
    };
    for (key, value) in pairs {
        let value = scope.resolve(value)?;
        match key.as_str() {
            "origin" => express.origin = origin_option(scope, value)?,
            "methods" => express.methods = joined(scope, value)?.unwrap_or_default(),
            "allowedHeaders" | "headers" => express.allowed_headers = joined(scope, value)?,
            "exposedHeaders" => express.exposed_headers = joined(scope, value)?,
            "credentials" => express.credentials = matches!(value.value, Value::Bool(true)),
            "maxAge" => {
                express.max_age = match &value.value {
                    Value::Num(n) | Value::Str(n) => Some(n.clone()).filter(|n| !n.is_empty()),
                    _ => None,
                }
            }
            "preflightContinue" => express.preflight_continue = scope.boolean(value)?,
            "optionsSuccessStatus" => {
                express.options_success_status = match &value.value {
                    Value::Num(n) => n
                        .parse()
                        .map_err(|_| scope.error(value, "expected a status code here"))?,
                    _ => return Err(scope.error(value, "expected a status code here")),
                }
            }
            _ => {}
        }
    }
    Ok(express)
}

/// The path of `app.use('/path', cors(...))`, or `/`.
fn mount_path(parser: &Parser<'_>, call: usize) -> String {
    let before = |back: usize| call.checked_sub(back).and_then(|i| parser.tokens.get(i));
    match (before(3), before(2), before(1)) {
        (Some(open), Some(path), Some(comma))
            if open.kind == Tok::Punct("(".into()) && comma.kind == Tok::Punct(",".into()) =>
        {
            match &path.kind {
                Tok::Str(p) => p.clone(),
                _ => "/".to_owned(),
            }
        }
        _ => "/".to_owned(),
    }
}

/// A string or an array of strings, joined with `,` as `cors` does.
fn joined(scope: &Scope<'_>, value: &Expr) -> Result<Option<String>, ConfigError> {
    match &value.value {
        Value::Null | Value::Bool(false) => Ok(None),
        _ => Ok(Some(scope.strings(value)?.join(","))),
    }
}

fn origin_option(scope: &Scope<'_>, value: &Expr) -> Result<OriginOption, ConfigError> {
    Ok(match &value.value {
        Value::Bool(false) | Value::Null => OriginOption::Off,
        Value::Str(s) if s.is_empty() => OriginOption::Off,
        Value::Str(s) if s == "*" => OriginOption::Star,
        Value::Str(s) => OriginOption::Fixed(s.clone()),
        Value::Bool(true) => OriginOption::Match(vec![Allowed::Any]),
        Value::Regex(..) => OriginOption::Match(vec![allowed(scope, value)?]),
        Value::List(items) => OriginOption::Match(
            items
                .iter()
                .map(|item| allowed(scope, scope.resolve(item)?))
                .collect::<Result<_, _>>()?,
        ),
        Value::Function { params, body } => {
            OriginOption::Callback(callback(scope, value, params, body)?)
        }
        _ => {
            return Err(scope.error(
                value,
                "expected a string, true, a RegExp, an array or a function as origin",
            ))
        }
    })
}

fn allowed(scope: &Scope<'_>, item: &Expr) -> Result<Allowed, ConfigError> {
    match &item.value {
        Value::Str(s) => Ok(Allowed::Exact(s.clone())),
        Value::Regex(pattern, flags) => super::pattern::Pattern::new(
            pattern,
            flags.contains('i'),
            super::pattern::Anchor::Search,
        )
        .map(Allowed::Regex)
        .map_err(|m| scope.error(item, m)),
        Value::Bool(true) => Ok(Allowed::Any),
        _ => Err(scope.error(item, "expected a string or a RegExp in the origin list")),
    }
}

/// Reads an origin function of the allowlist shape the `cors` README
/// shows: `if (LIST.indexOf(origin) !== -1 [|| !origin]) callback(null,
/// true) else callback(new Error(...))` (or `LIST.includes(origin)`, or
/// `callback(null, false)` to reject).
fn callback(
    scope: &Scope<'_>,
    value: &Expr,
    params: &[String],
    body: &[Token],
) -> Result<Callback, ConfigError> {
    let unreadable = || {
        scope.error(
            value,
            "this origin function is not one CORS Lab can read: expected the allowlist shape \
             `if (list.indexOf(origin) !== -1) callback(null, true) else callback(new Error(...))`",
        )
    };
    let origin = params.first().ok_or_else(unreadable)?;
    let idents: Vec<&str> = body
        .iter()
        .map(|t| match &t.kind {
            Tok::Ident(w) | Tok::Punct(w) => w.as_str(),
            _ => "",
        })
        .collect();
    let list_name = idents
        .windows(5)
        .find(|w| matches!(w, [_, ".", "indexOf" | "includes", "(", o] if *o == origin.as_str()))
        .and_then(|w| w.first())
        .ok_or_else(unreadable)?;
    let list_expr = Expr {
        value: Value::Name((*list_name).to_owned()),
        start: value.start,
    };
    let list = scope.strings(&list_expr)?;
    let allow_missing = idents
        .windows(2)
        .any(|w| matches!(w, ["!", o] if *o == origin.as_str()));
    let reject = if idents.windows(2).any(|w| w == ["new", "Error"]) {
        Reject::Error
    } else if idents.windows(3).any(|w| w == ["null", ",", "false"]) {
        Reject::NoCors
    } else {
        return Err(unreadable());
    };
    Ok(Callback {
        list,
        allow_missing,
        reject,
    })
}

impl Express {
    /// Express's answer: the `cors` middleware, then the route.
    pub(super) fn respond(&self, request: &Request, backend: &Backend) -> Answer {
        let route = || route_answer(request, backend);
        if !mounted(&self.mount, &request.path) {
            return route();
        }
        let origin = request.header("Origin");
        let matchers = match &self.origin {
            OriginOption::Off => return route(),
            OriginOption::Callback(cb) => {
                let allowed = match origin {
                    Some(o) => cb.list.iter().any(|l| l == o),
                    None => cb.allow_missing,
                };
                if !allowed {
                    return match cb.reject {
                        // next(err): the default error handler's bare 500.
                        Reject::Error => Answer::new(500),
                        Reject::NoCors => route(),
                    };
                }
                vec![Allowed::Any]
            }
            OriginOption::Match(list) => list.clone(),
            OriginOption::Star | OriginOption::Fixed(_) => Vec::new(),
        };
        let mut answer = Answer::new(200);
        // configureOrigin
        match &self.origin {
            OriginOption::Star => answer.set("Access-Control-Allow-Origin", "*"),
            OriginOption::Fixed(value) => {
                answer.set("Access-Control-Allow-Origin", value.clone());
                vary(&mut answer, "Origin");
            }
            _ => {
                let allowed = origin.filter(|o| matchers.iter().any(|m| m.allows(o)));
                if let Some(o) = allowed {
                    answer.set("Access-Control-Allow-Origin", o);
                }
                vary(&mut answer, "Origin");
            }
        }
        if self.credentials {
            answer.set("Access-Control-Allow-Credentials", "true");
        }
        if request.method.eq_ignore_ascii_case("OPTIONS") {
            if !self.methods.is_empty() {
                answer.set("Access-Control-Allow-Methods", self.methods.clone());
            }
            let allowed_headers = match &self.allowed_headers {
                Some(list) => Some(list.clone()),
                None => {
                    vary(&mut answer, "Access-Control-Request-Headers");
                    request
                        .header("Access-Control-Request-Headers")
                        .map(str::to_owned)
                }
            };
            if let Some(list) = allowed_headers.filter(|l| !l.is_empty()) {
                answer.set("Access-Control-Allow-Headers", list);
            }
            if let Some(max_age) = &self.max_age {
                answer.set("Access-Control-Max-Age", max_age.clone());
            }
            self.expose(&mut answer);
            if !self.preflight_continue {
                answer.status = self.options_success_status;
                return answer;
            }
        } else {
            self.expose(&mut answer);
        }
        // next(): the route (or Express's 404 / error handler) answers and
        // keeps the headers already set.
        let route = route();
        answer.status = route.status;
        for (name, value) in route.headers {
            answer.set(&name, value);
        }
        answer
    }

    fn expose(&self, answer: &mut Answer) {
        if let Some(list) = self.exposed_headers.as_ref().filter(|l| !l.is_empty()) {
            answer.set("Access-Control-Expose-Headers", list.clone());
        }
    }
}

impl Allowed {
    fn allows(&self, origin: &str) -> bool {
        match self {
            Allowed::Any => true,
            Allowed::Exact(s) => s == origin,
            Allowed::Regex(p) => p.is_match(origin),
        }
    }
}

/// Whether `app.use(mount, ...)` runs for `path` (Express matches whole
/// path segments, case-insensitively).
fn mounted(mount: &str, path: &str) -> bool {
    let mount = mount.trim_end_matches('/').to_ascii_lowercase();
    let path = path.to_ascii_lowercase();
    mount.is_empty()
        || path == mount
        || path
            .strip_prefix(&mount)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The route without CORS: Express's router answers an `OPTIONS` for a
/// route it has with 200 (its automatic `Allow` answer).
fn route_answer(request: &Request, backend: &Backend) -> Answer {
    let status = match backend.outcome {
        Outcome::NotFound => 404,
        _ if request.method.eq_ignore_ascii_case("OPTIONS") => 200,
        outcome => outcome.status(),
    };
    super::backend_answer(backend, status)
}

/// The `vary` package: adds `field` to `Vary` unless it is listed.
pub(super) fn vary(answer: &mut Answer, field: &str) {
    match answer.get("Vary").map(str::to_owned) {
        Some(existing)
            if existing
                .split(',')
                .any(|f| f.trim().eq_ignore_ascii_case(field) || f.trim() == "*") => {}
        Some(existing) if !existing.is_empty() => {
            answer.set("Vary", format!("{existing}, {field}"));
        }
        _ => answer.set("Vary", field),
    }
}
