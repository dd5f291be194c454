//! tower-http 0.6 `CorsLayer` (src/cors/): the builder chain, read as
//! token trees (`lex.rs`) and the few expressions it uses (`expr.rs`).
//!
//! From its source: every `OPTIONS` request is answered by the layer
//! itself (200, empty) with the methods, headers and max-age; every other
//! response gets the origin, credentials and exposed headers. `Vary`
//! (default `origin, access-control-request-method,
//! access-control-request-headers`) is on every response. Lists are joined
//! with `,`. A credentials-with-wildcard configuration panics when the
//! layer is built.

mod expr;
mod lex;

use self::expr::{At, Expr};
use super::{Answer, Backend, ConfigError, Outcome, Request};

/// One option's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// `Any` (`*`).
    Any,
    /// A fixed list (an origin list matches; the others are sent joined).
    List(Vec<String>),
    /// One exact value (`AllowOrigin::exact`, a single `HeaderValue`).
    Exact(String),
    /// `mirror_request()`: the request's own value.
    Mirror,
}

/// A parsed `CorsLayer` chain. Public so the harness can build the same
/// layer from it in real tower-http.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tower {
    /// `allow_origin`.
    pub allow_origin: Option<Rule>,
    /// `allow_methods` (method names).
    pub allow_methods: Option<Rule>,
    /// `allow_headers` (lower-case names).
    pub allow_headers: Option<Rule>,
    /// `expose_headers` (lower-case names).
    pub expose_headers: Option<Rule>,
    /// `allow_credentials(true)`.
    pub allow_credentials: bool,
    /// `max_age`, in seconds.
    pub max_age: Option<u64>,
    /// `vary([...])` (lower-case names); `None` is the default three.
    pub vary: Option<Vec<String>>,
}

/// Reads the `CorsLayer::new()...` (or `permissive()`, `very_permissive()`)
/// expression in `text`.
pub(super) fn parse(text: &str) -> Result<Tower, ConfigError> {
    let Some(start) = text.find("CorsLayer::") else {
        return Err(ConfigError::at(
            text,
            text.len(),
            "no CorsLayer::new() in this text",
        ));
    };
    let rest = text.get(start..).unwrap_or("");
    let end = expression_end(rest);
    let snippet = rest.get(..end).unwrap_or(rest);
    let fail = |at: At, message: &str| error_at(text, start, at, message);
    let expr = expr::parse(snippet).map_err(|e| fail(e.at, &e.message))?;
    let mut calls = Vec::new();
    let mut current = &expr;
    while let Expr::MethodCall(receiver, name, at, args) = current {
        calls.push((name.as_str(), *at, args.as_slice()));
        current = receiver;
    }
    let mut tower = match path_text(current).as_deref() {
        Some(p) if p.ends_with("CorsLayer::new") || p.ends_with("CorsLayer::default") => {
            Tower::default()
        }
        Some(p) if p.ends_with("CorsLayer::permissive") => Tower {
            allow_origin: Some(Rule::Any),
            allow_methods: Some(Rule::Any),
            allow_headers: Some(Rule::Any),
            expose_headers: Some(Rule::Any),
            ..Tower::default()
        },
        Some(p) if p.ends_with("CorsLayer::very_permissive") => Tower {
            allow_credentials: true,
            allow_origin: Some(Rule::Mirror),
            allow_methods: Some(Rule::Mirror),
            allow_headers: Some(Rule::Mirror),
            ..Tower::default()
        },
        _ => return Err(fail(current.at(), "expected CorsLayer::new() here")),
    };
    for (name, at, args) in calls.into_iter().rev() {
        apply(&mut tower, name, at, args).map_err(|(at, m)| fail(at, &m))?;
    }
    let wildcard = |r: &Option<Rule>| r.as_ref() == Some(&Rule::Any);
    if tower.allow_credentials
        && (wildcard(&tower.allow_origin)
            || wildcard(&tower.allow_methods)
            || wildcard(&tower.allow_headers)
            || wildcard(&tower.expose_headers))
    {
        return Err(ConfigError::at(
            text,
            start,
            "tower-http panics on this layer: credentials cannot be combined with a wildcard (Any)",
        ));
    }
    Ok(tower)
}

/// The length of the expression at the start of `rest`: up to the first
/// `;` (or unmatched closing bracket) outside brackets and strings.
fn expression_end(rest: &str) -> usize {
    let mut depth = 0i32;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in rest.char_indices() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => return i,
            ')' | ']' | '}' => depth -= 1,
            ';' if depth == 0 => return i,
            _ => {}
        }
    }
    rest.len()
}

/// An error at `at` of the snippet that begins at byte `start`.
fn error_at(text: &str, start: usize, at: At, message: &str) -> ConfigError {
    let base = ConfigError::at(text, start, "");
    let (line, column) = if at.line <= 1 {
        (base.line, base.column + at.column)
    } else {
        (base.line + at.line - 1, at.column + 1)
    };
    ConfigError {
        line,
        column,
        message: message.to_owned(),
    }
}

/// `a::b::c` of a path, or of a call's function.
fn path_text(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Call(func, _) => path_text(func),
        Expr::Path(segments, _) => Some(segments.join("::")),
        _ => None,
    }
}

/// A problem in a method's argument: where, and why.
type Problem = (At, String);

fn problem(expr: &Expr, message: &str) -> Problem {
    (expr.at(), message.to_owned())
}

/// Applies the builder method `name(args)`.
fn apply(tower: &mut Tower, name: &str, at: At, args: &[Expr]) -> Result<(), Problem> {
    let Some(arg) = args.first() else {
        return Err((at, "expected an argument here".to_owned()));
    };
    match name {
        "allow_origin" => tower.allow_origin = Some(rule(arg, false)?),
        "allow_methods" => tower.allow_methods = Some(rule(arg, false)?),
        "allow_headers" => tower.allow_headers = Some(rule(arg, true)?),
        "expose_headers" => tower.expose_headers = Some(rule(arg, true)?),
        "allow_credentials" => match arg {
            Expr::Bool(b, _) => tower.allow_credentials = *b,
            Expr::Str(..) | Expr::Int(..) | Expr::OtherLit(_) => {
                return Err(problem(arg, "expected true or false here"))
            }
            _ => {
                return Err(problem(
                    arg,
                    "a credentials predicate is only known when the program runs",
                ))
            }
        },
        "max_age" => {
            tower.max_age = Some(
                seconds(arg).ok_or_else(|| problem(arg, "expected Duration::from_secs(N) here"))?,
            )
        }
        "vary" => match rule(arg, true)? {
            Rule::List(names) => tower.vary = Some(names),
            Rule::Exact(name) => tower.vary = Some(vec![name]),
            _ => return Err(problem(arg, "expected a list of header names here")),
        },
        "allow_private_network" => {}
        other => {
            return Err((
                at,
                format!("CorsLayer has no method {other} that CORS Lab reads"),
            ))
        }
    }
    Ok(())
}

fn seconds(arg: &Expr) -> Option<u64> {
    let Expr::Call(func, args) = arg else {
        return None;
    };
    let path = path_text(func)?;
    let Some(Expr::Int(n, _)) = args.first() else {
        return None;
    };
    let n = (*n)?;
    match path.rsplit("::").next()? {
        "from_secs" => Some(n),
        "from_mins" => n.checked_mul(60),
        "from_hours" => n.checked_mul(3600),
        _ => None,
    }
}

/// An origin, method or header argument as a [`Rule`].
fn rule(arg: &Expr, lower: bool) -> Result<Rule, Problem> {
    match arg {
        Expr::Path(..) | Expr::Call(..) => {
            let path = path_text(arg).unwrap_or_default();
            let last = path.rsplit("::").next().unwrap_or("");
            match last {
                "Any" | "any" => return Ok(Rule::Any),
                "mirror_request" => return Ok(Rule::Mirror),
                "list" | "exact" => {
                    if let Expr::Call(_, args) = arg {
                        if let Some(inner) = args.first() {
                            return rule(inner, lower);
                        }
                    }
                }
                "predicate" | "async_predicate" => {
                    return Err(problem(
                        arg,
                        "a predicate is only known when the program runs",
                    ))
                }
                _ => {}
            }
            single(arg, lower)
                .map(Rule::Exact)
                .ok_or_else(|| problem(arg, "expected Any, a value, or a list here"))
        }
        Expr::Array(items, _) => constants(items, lower),
        Expr::Macro(name, items, _) if name == "vec" => constants(items, lower),
        Expr::Reference(inner, _) => rule(inner, lower),
        Expr::MethodCall(..) => single(arg, lower)
            .map(Rule::Exact)
            .ok_or_else(|| problem(arg, "expected a constant value here")),
        _ => Err(problem(arg, "expected Any, a value, or a list here")),
    }
}

/// A list of constants.
fn constants(items: &[Expr], lower: bool) -> Result<Rule, Problem> {
    items
        .iter()
        .map(|e| single(e, lower).ok_or_else(|| problem(e, "expected a constant value here")))
        .collect::<Result<Vec<_>, _>>()
        .map(Rule::List)
}

/// One constant: `Method::GET`, `header::CONTENT_TYPE`,
/// `HeaderValue::from_static("...")`, `"...".parse().unwrap()`.
fn single(expr: &Expr, lower: bool) -> Option<String> {
    let value = match expr {
        Expr::Str(s, _) => s.clone(),
        Expr::MethodCall(receiver, method, _, _)
            if matches!(method.as_str(), "parse" | "unwrap" | "expect") =>
        {
            return single(receiver, lower)
        }
        Expr::Try(inner) | Expr::Reference(inner, _) => return single(inner, lower),
        Expr::Call(func, args) => {
            let path = path_text(func)?;
            let last = path.rsplit("::").next()?;
            if !matches!(
                last,
                "from_static" | "from_str" | "from_bytes" | "from" | "try_from"
            ) {
                return None;
            }
            return single(args.first()?, lower);
        }
        Expr::Path(segments, _) => {
            let name = segments.last()?.clone();
            if segments.iter().any(|s| s == "Method") {
                name
            } else {
                name.to_ascii_lowercase().replace('_', "-")
            }
        }
        _ => return None,
    };
    Some(if lower {
        value.to_ascii_lowercase()
    } else {
        value
    })
}

impl Tower {
    /// The layer's answer (the inner service's status for non-`OPTIONS`).
    pub(super) fn respond(&self, request: &Request, backend: &Backend) -> Answer {
        let origin = request.header("Origin");
        let mut headers: Vec<(&str, String)> = Vec::new();
        if self.allow_credentials {
            headers.push(("access-control-allow-credentials", "true".to_owned()));
        }
        let vary = self.vary.clone().unwrap_or_else(|| {
            [
                "origin",
                "access-control-request-method",
                "access-control-request-headers",
            ]
            .map(String::from)
            .to_vec()
        });
        if !vary.is_empty() {
            headers.push(("vary", vary.join(", ")));
        }
        let allow_origin = match &self.allow_origin {
            None => None,
            Some(Rule::Any) => Some("*".to_owned()),
            Some(Rule::Exact(v)) => Some(v.clone()),
            Some(Rule::List(list)) => origin
                .filter(|o| list.iter().any(|l| l == o))
                .map(str::to_owned),
            Some(Rule::Mirror) => origin.map(str::to_owned),
        };
        let sent = |rule: &Option<Rule>, mirror: Option<&str>| match rule {
            None => None,
            Some(Rule::Any) => Some("*".to_owned()),
            Some(Rule::Exact(v)) => Some(v.clone()),
            Some(Rule::List(list)) if list.is_empty() => None,
            Some(Rule::List(list)) => Some(list.join(",")),
            Some(Rule::Mirror) => mirror.map(str::to_owned),
        };
        if request.method == "OPTIONS" {
            if let Some(v) = sent(
                &self.allow_methods,
                request.header("Access-Control-Request-Method"),
            ) {
                headers.push(("access-control-allow-methods", v));
            }
            if let Some(v) = sent(
                &self.allow_headers,
                request.header("Access-Control-Request-Headers"),
            ) {
                headers.push(("access-control-allow-headers", v));
            }
            if let Some(seconds) = self.max_age {
                headers.push(("access-control-max-age", seconds.to_string()));
            }
            if let Some(v) = allow_origin {
                headers.push(("access-control-allow-origin", v));
            }
            let mut answer = Answer::new(200);
            for (name, value) in headers {
                answer.add(name, value);
            }
            return answer;
        }
        if let Some(v) = sent(&self.expose_headers, None) {
            headers.push(("access-control-expose-headers", v));
        }
        if let Some(v) = allow_origin {
            headers.push(("access-control-allow-origin", v));
        }
        let status = match backend.outcome {
            Outcome::Down => 500,
            outcome => outcome.status(),
        };
        let mut answer = super::backend_answer(backend, status);
        for (name, value) in headers {
            if name == "vary" {
                answer.add(name, value);
            } else {
                answer.set(name, value);
            }
        }
        answer
    }
}
