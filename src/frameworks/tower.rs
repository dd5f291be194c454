//! tower-http 0.6 `CorsLayer` (src/cors/): the builder chain, read with
//! `syn`.
//!
//! From its source: every `OPTIONS` request is answered by the layer
//! itself (200, empty) with the methods, headers and max-age; every other
//! response gets the origin, credentials and exposed headers. `Vary`
//! (default `origin, access-control-request-method,
//! access-control-request-headers`) is on every response. Lists are joined
//! with `,`. A credentials-with-wildcard configuration panics when the
//! layer is built.

use syn::spanned::Spanned;
use syn::{Expr, ExprMethodCall, Lit};

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
    let expr: Expr = syn::parse_str(snippet).map_err(|e| syn_error(text, start, &e))?;
    let mut calls = Vec::new();
    let mut current = &expr;
    while let Expr::MethodCall(call) = current {
        calls.push(call);
        current = &call.receiver;
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
        _ => {
            return Err(error_at(
                text,
                start,
                current.span(),
                "expected CorsLayer::new() here",
            ))
        }
    };
    for call in calls.into_iter().rev() {
        apply(text, start, &mut tower, call)?;
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

fn syn_error(text: &str, start: usize, error: &syn::Error) -> ConfigError {
    error_at(text, start, error.span(), &error.to_string())
}

/// An error at `span` of the snippet that begins at byte `start`.
fn error_at(text: &str, start: usize, span: proc_macro2::Span, message: &str) -> ConfigError {
    let at = span.start();
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

fn path_text(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Call(call) => path_text(&call.func),
        Expr::Path(p) => Some(
            p.path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect::<Vec<_>>()
                .join("::"),
        ),
        _ => None,
    }
}

fn apply(
    text: &str,
    start: usize,
    tower: &mut Tower,
    call: &ExprMethodCall,
) -> Result<(), ConfigError> {
    let name = call.method.to_string();
    let arg = call.args.first();
    let fail = |span: proc_macro2::Span, message: &str| error_at(text, start, span, message);
    let Some(arg) = arg else {
        return Err(fail(call.span(), "expected an argument here"));
    };
    match name.as_str() {
        "allow_origin" => tower.allow_origin = Some(rule(text, start, arg, false)?),
        "allow_methods" => tower.allow_methods = Some(rule(text, start, arg, false)?),
        "allow_headers" => tower.allow_headers = Some(rule(text, start, arg, true)?),
        "expose_headers" => tower.expose_headers = Some(rule(text, start, arg, true)?),
        "allow_credentials" => match arg {
            Expr::Lit(l) => match &l.lit {
                Lit::Bool(b) => tower.allow_credentials = b.value,
                _ => return Err(fail(arg.span(), "expected true or false here")),
            },
            _ => {
                return Err(fail(
                    arg.span(),
                    "a credentials predicate is only known when the program runs",
                ))
            }
        },
        "max_age" => {
            tower.max_age = Some(
                seconds(arg)
                    .ok_or_else(|| fail(arg.span(), "expected Duration::from_secs(N) here"))?,
            )
        }
        "vary" => match rule(text, start, arg, true)? {
            Rule::List(names) => tower.vary = Some(names),
            Rule::Exact(name) => tower.vary = Some(vec![name]),
            _ => return Err(fail(arg.span(), "expected a list of header names here")),
        },
        "allow_private_network" => {}
        other => {
            return Err(fail(
                call.method.span(),
                &format!("CorsLayer has no method {other} that CORS Lab reads"),
            ))
        }
    }
    Ok(())
}

fn seconds(arg: &Expr) -> Option<u64> {
    let Expr::Call(call) = arg else { return None };
    let path = path_text(&call.func)?;
    let Some(Expr::Lit(lit)) = call.args.first() else {
        return None;
    };
    let Lit::Int(n) = &lit.lit else { return None };
    let n: u64 = n.base10_parse().ok()?;
    match path.rsplit("::").next()? {
        "from_secs" => Some(n),
        "from_mins" => Some(n * 60),
        "from_hours" => Some(n * 3600),
        _ => None,
    }
}

/// An origin, method or header argument as a [`Rule`].
fn rule(text: &str, start: usize, arg: &Expr, lower: bool) -> Result<Rule, ConfigError> {
    let fail = |e: &Expr, m: &str| error_at(text, start, e.span(), m);
    match arg {
        Expr::Path(_) | Expr::Call(_) => {
            let path = path_text(arg).unwrap_or_default();
            let last = path.rsplit("::").next().unwrap_or("");
            match last {
                "Any" | "any" => return Ok(Rule::Any),
                "mirror_request" => return Ok(Rule::Mirror),
                "list" | "exact" => {
                    if let Expr::Call(call) = arg {
                        if let Some(inner) = call.args.first() {
                            let inner = rule(text, start, inner, lower)?;
                            return Ok(inner);
                        }
                    }
                }
                "predicate" | "async_predicate" => {
                    return Err(fail(arg, "a predicate is only known when the program runs"))
                }
                _ => {}
            }
            single(arg, lower)
                .map(Rule::Exact)
                .ok_or_else(|| fail(arg, "expected Any, a value, or a list here"))
        }
        Expr::Array(array) => array
            .elems
            .iter()
            .map(|e| single(e, lower).ok_or_else(|| fail(e, "expected a constant value here")))
            .collect::<Result<Vec<_>, _>>()
            .map(Rule::List),
        Expr::Macro(m) if m.mac.path.is_ident("vec") => {
            let items = m
                .mac
                .parse_body_with(
                    syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated,
                )
                .map_err(|e| syn_error(text, start, &e))?;
            items
                .iter()
                .map(|e| single(e, lower).ok_or_else(|| fail(e, "expected a constant value here")))
                .collect::<Result<Vec<_>, _>>()
                .map(Rule::List)
        }
        Expr::Reference(r) => rule(text, start, &r.expr, lower),
        Expr::MethodCall(_) => single(arg, lower)
            .map(Rule::Exact)
            .ok_or_else(|| fail(arg, "expected a constant value here")),
        _ => Err(fail(arg, "expected Any, a value, or a list here")),
    }
}

/// One constant: `Method::GET`, `header::CONTENT_TYPE`,
/// `HeaderValue::from_static("...")`, `"...".parse().unwrap()`.
fn single(expr: &Expr, lower: bool) -> Option<String> {
    let value = match expr {
        Expr::Lit(l) => match &l.lit {
            Lit::Str(s) => s.value(),
            _ => return None,
        },
        Expr::MethodCall(m)
            if matches!(m.method.to_string().as_str(), "parse" | "unwrap" | "expect") =>
        {
            return single(&m.receiver, lower)
        }
        Expr::Try(t) => return single(&t.expr, lower),
        Expr::Call(call) => {
            let path = path_text(&call.func)?;
            let last = path.rsplit("::").next()?;
            if !matches!(
                last,
                "from_static" | "from_str" | "from_bytes" | "from" | "try_from"
            ) {
                return None;
            }
            return single(call.args.first()?, lower);
        }
        Expr::Path(p) => {
            let name = p.path.segments.last()?.ident.to_string();
            if p.path.segments.iter().any(|s| s.ident == "Method") {
                name
            } else {
                name.to_ascii_lowercase().replace('_', "-")
            }
        }
        Expr::Reference(r) => return single(&r.expr, lower),
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
