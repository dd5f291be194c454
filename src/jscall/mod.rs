//! Script code ⇄ [`RequestSpec`]: reads the `fetch(...)` call (or
//! `XMLHttpRequest` statements) a developer pastes, and prints a request
//! back as tidy code.
//!
//! Pure (no web crates, no clock), so the app's code editor and `diagnose`
//! share it. The API is four functions:
//!
//! - [`parse_call`]: the first `fetch(url, init)` call, or else the
//!   `XMLHttpRequest` statements, in the text → [`ParsedCall`].
//!   Understands what DevTools' "Copy as fetch", "Copy as fetch (Node.js)"
//!   and Firefox's "Copy as Fetch" emit, plus hand-written code: `'`, `"`
//!   and `` ` `` strings, object literals, `new Headers({...})`, arrays of
//!   pairs, `JSON.stringify(...)`, comments, trailing commas, `await`, `;`.
//! - [`print_fetch`] / [`print_xhr`]: a request as code, default fields left out.
//! - Errors are [`JsCallError`]s with the byte offset of the problem.
//!
//! Anything only known when the script runs (a variable, `${}`) is an
//! error at its offset, never a guess.

mod lex;
mod parse;
mod print;

use std::fmt;

use self::lex::{tokenize, Token, TokenKind};
use self::parse::{Expr, ExprKind, Parser};
use crate::scenario::{AddressSpace, Api, Credentials, HeaderPair, Mode, Redirect, RequestSpec};

pub use self::print::{print_fetch, print_xhr};

/// A problem in the code, at a byte offset of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsCallError {
    /// Byte offset of the problem in the parsed text.
    pub offset: usize,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl JsCallError {
    pub(crate) fn new(offset: usize, message: impl Into<String>) -> JsCallError {
        JsCallError {
            offset,
            message: message.into(),
        }
    }
}

impl fmt::Display for JsCallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for JsCallError {}

/// A parsed call: the request plus what the code said that a
/// [`RequestSpec`] does not hold.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedCall {
    /// The request as the script makes it (`api` says fetch or XHR).
    pub request: RequestSpec,
    /// The `referrer` option, if given (DevTools writes the page URL there).
    pub referrer: Option<String>,
    /// Options read but not modelled (`referrerPolicy`, `signal`, ...), by name.
    pub ignored: Vec<String>,
    /// Byte range of the call (for `fetch`) or of the XHR statements.
    pub span: (usize, usize),
}

/// Parses the first `fetch(...)` call in `source`, or, when there is none,
/// its `XMLHttpRequest` statements (`open`, `setRequestHeader`,
/// `withCredentials`, `upload` listeners, `send`).
pub fn parse_call(source: &str) -> Result<ParsedCall, JsCallError> {
    let tokens = tokenize(source)?;
    if let Some(at) = find_call(&tokens, "fetch") {
        return parse_fetch_at(&tokens, at, source.len());
    }
    if tokens
        .iter()
        .any(|t| t.kind == TokenKind::Ident("XMLHttpRequest".to_owned()))
    {
        return parse_xhr(&tokens, source.len());
    }
    Err(JsCallError::new(
        0,
        "no `fetch(...)` call or `XMLHttpRequest` found",
    ))
}

/// Index of the first `name` token directly followed by `(`.
fn find_call(tokens: &[Token], name: &str) -> Option<usize> {
    tokens.windows(2).position(|pair| {
        matches!(pair, [Token { kind: TokenKind::Ident(n), .. }, Token { kind: TokenKind::Punct('('), .. }] if n == name)
    })
}

fn parse_fetch_at(tokens: &[Token], at: usize, len: usize) -> Result<ParsedCall, JsCallError> {
    let start = tokens.get(at).map_or(0, |t| t.start);
    let mut parser = Parser::new(tokens, at + 2, len);
    let args = parser.arguments(')', 0)?;
    let end = tokens
        .get(parser.pos.saturating_sub(1))
        .map_or(len, |t| t.start + 1);
    let mut args = args.into_iter();
    let Some(url) = args.next() else {
        return Err(JsCallError::new(start, "`fetch()` needs a URL"));
    };
    let url = string_value(&url, "the URL")?;
    let mut request = RequestSpec {
        api: Api::Fetch,
        url,
        method: "GET".to_owned(),
        headers: Vec::new(),
        body: None,
        mode: Mode::Cors,
        credentials: Credentials::SameOrigin,
        redirect: Redirect::Follow,
        crossorigin: None,
        upload_listener: false,
        timeout_ms: None,
        at_ms: None,
        target_address_space: None,
    };
    let mut referrer = None;
    let mut ignored = Vec::new();
    match args.next() {
        None => {}
        Some(Expr {
            kind: ExprKind::Null,
            ..
        }) => {}
        Some(Expr {
            kind: ExprKind::Object(entries),
            ..
        }) => {
            for (key, value) in entries {
                match key.as_str() {
                    "method" => request.method = string_value(&value, "`method`")?,
                    "headers" => request.headers = header_pairs(&value)?,
                    "body" => request.body = body_value(&value)?,
                    "mode" => request.mode = mode_value(&value)?,
                    "credentials" => request.credentials = credentials_value(&value)?,
                    "redirect" => request.redirect = redirect_value(&value)?,
                    "referrer" => referrer = Some(string_value(&value, "`referrer`")?),
                    "signal" => request.timeout_ms = Some(timeout_signal(&value)?),
                    "targetAddressSpace" => {
                        request.target_address_space = Some(address_space_value(&value)?);
                    }
                    _ => ignored.push(key),
                }
            }
        }
        Some(other) => {
            return Err(JsCallError::new(
                other.start,
                "the second argument of `fetch()` must be an object literal `{...}`",
            ))
        }
    }
    Ok(ParsedCall {
        request,
        referrer,
        ignored,
        span: (start, end),
    })
}

/// Reads `XMLHttpRequest` statements: every `.open(`, `.setRequestHeader(`,
/// `.send(`, `.withCredentials =` and `upload` listener in the text.
fn parse_xhr(tokens: &[Token], len: usize) -> Result<ParsedCall, JsCallError> {
    let mut request = RequestSpec {
        api: Api::Xhr,
        url: String::new(),
        method: "GET".to_owned(),
        headers: Vec::new(),
        body: None,
        mode: Mode::Cors,
        credentials: Credentials::SameOrigin,
        redirect: Redirect::Follow,
        crossorigin: None,
        upload_listener: false,
        timeout_ms: None,
        at_ms: None,
        target_address_space: None,
    };
    let mut opened = false;
    let start = tokens.first().map_or(0, |t| t.start);
    let end = tokens.last().map_or(len, |t| t.start + 1);
    let mut index = 0;
    while let Some(token) = tokens.get(index) {
        index += 1;
        if token.kind != TokenKind::Punct('.') {
            continue;
        }
        let Some(Token {
            kind: TokenKind::Ident(member),
            start: member_start,
        }) = tokens.get(index)
        else {
            continue;
        };
        let next = tokens.get(index + 1).map(|t| &t.kind);
        match (member.as_str(), next) {
            ("open" | "setRequestHeader" | "send", Some(TokenKind::Punct('('))) => {
                let mut parser = Parser::new(tokens, index + 2, len);
                let args = parser.arguments(')', 0)?;
                index = parser.pos;
                match member.as_str() {
                    "open" => {
                        let [method, url, ..] = args.as_slice() else {
                            return Err(JsCallError::new(
                                *member_start,
                                "`open()` needs a method and a URL",
                            ));
                        };
                        request.method = string_value(method, "the method")?;
                        request.url = string_value(url, "the URL")?;
                        opened = true;
                    }
                    "setRequestHeader" => {
                        let [name, value, ..] = args.as_slice() else {
                            return Err(JsCallError::new(
                                *member_start,
                                "`setRequestHeader()` needs a name and a value",
                            ));
                        };
                        request.headers.push((
                            string_value(name, "the header name")?,
                            string_value(value, "the header value")?,
                        ));
                    }
                    _ => request.body = args.first().map(body_value).transpose()?.flatten(),
                }
            }
            ("withCredentials", Some(TokenKind::Punct('='))) => {
                let mut parser = Parser::new(tokens, index + 2, len);
                let value = parser.expression(0)?;
                index = parser.pos;
                request.credentials = match value.kind {
                    ExprKind::Bool(true) => Credentials::Include,
                    ExprKind::Bool(false) => Credentials::SameOrigin,
                    _ => {
                        return Err(JsCallError::new(
                            value.start,
                            "`withCredentials` must be `true` or `false`",
                        ))
                    }
                };
            }
            ("upload", Some(TokenKind::Punct('.'))) => request.upload_listener = true,
            ("timeout", Some(TokenKind::Punct('='))) => {
                let mut parser = Parser::new(tokens, index + 2, len);
                let value = parser.expression(0)?;
                index = parser.pos;
                request.timeout_ms = Some(milliseconds(&value, "`timeout`")?);
            }
            _ => {}
        }
    }
    if !opened {
        return Err(JsCallError::new(
            start,
            "no `xhr.open(method, url)` call found",
        ));
    }
    Ok(ParsedCall {
        request,
        referrer: None,
        ignored: Vec::new(),
        span: (start, end),
    })
}

/// `signal: AbortSignal.timeout(ms)`: the only signal a request spec can
/// hold (a controller aborted by other code is not a request's own option).
fn timeout_signal(expr: &Expr) -> Result<u64, JsCallError> {
    match &expr.kind {
        ExprKind::Call {
            callee,
            new: false,
            args,
        } if callee == "AbortSignal.timeout" => match args.as_slice() {
            [ms] => milliseconds(ms, "`AbortSignal.timeout()`'s argument"),
            _ => Err(JsCallError::new(
                expr.start,
                "`AbortSignal.timeout()` takes one number of milliseconds",
            )),
        },
        _ => Err(JsCallError::new(
            expr.start,
            "`signal` is read only as `AbortSignal.timeout(milliseconds)`",
        )),
    }
}

/// A whole, non-negative number of milliseconds.
fn milliseconds(expr: &Expr, what: &str) -> Result<u64, JsCallError> {
    match &expr.kind {
        ExprKind::Num(text) => text.parse::<u64>().map_err(|_| {
            JsCallError::new(
                expr.start,
                format!("{what} must be a whole number of milliseconds, not {text}"),
            )
        }),
        _ => Err(JsCallError::new(
            expr.start,
            format!("{what} must be a number of milliseconds"),
        )),
    }
}

/// `targetAddressSpace`: `"loopback"`, `"local"` or `"public"`.
fn address_space_value(expr: &Expr) -> Result<AddressSpace, JsCallError> {
    let text = string_value(expr, "`targetAddressSpace`")?;
    [
        AddressSpace::Loopback,
        AddressSpace::Local,
        AddressSpace::Public,
    ]
    .into_iter()
    .find(|space| space.as_str() == text)
    .ok_or_else(|| {
        JsCallError::new(
            expr.start,
            format!("`targetAddressSpace` is \"loopback\", \"local\" or \"public\", not {text:?}"),
        )
    })
}

fn string_value(expr: &Expr, what: &str) -> Result<String, JsCallError> {
    match &expr.kind {
        ExprKind::Str(text) => Ok(text.clone()),
        ExprKind::Name(name) => Err(JsCallError::new(
            expr.start,
            format!("{what} is the variable `{name}`: paste its value as a string instead"),
        )),
        _ => Err(JsCallError::new(
            expr.start,
            format!("{what} must be a string"),
        )),
    }
}

/// `headers`: an object, an array of `[name, value]` pairs, or `new Headers(either)`.
fn header_pairs(expr: &Expr) -> Result<Vec<HeaderPair>, JsCallError> {
    match &expr.kind {
        ExprKind::Object(entries) => entries
            .iter()
            .map(|(name, value)| Ok((name.clone(), scalar_text(value, "a header value")?)))
            .collect(),
        ExprKind::Array(items) => items
            .iter()
            .map(|item| match &item.kind {
                ExprKind::Array(pair) => match pair.as_slice() {
                    [name, value] => Ok((
                        string_value(name, "a header name")?,
                        scalar_text(value, "a header value")?,
                    )),
                    _ => Err(JsCallError::new(
                        item.start,
                        "each header must be a `[name, value]` pair",
                    )),
                },
                _ => Err(JsCallError::new(
                    item.start,
                    "each header must be a `[name, value]` pair",
                )),
            })
            .collect(),
        ExprKind::Call {
            callee,
            new: true,
            args,
        } if callee == "Headers" => match args.as_slice() {
            [] => Ok(Vec::new()),
            [init, ..] => header_pairs(init),
        },
        ExprKind::Null => Ok(Vec::new()),
        _ => Err(JsCallError::new(
            expr.start,
            "`headers` must be an object, an array of pairs or `new Headers(...)`",
        )),
    }
}

/// A header value: strings, and numbers or booleans as JavaScript turns them into text.
fn scalar_text(expr: &Expr, what: &str) -> Result<String, JsCallError> {
    match &expr.kind {
        ExprKind::Num(n) => Ok(n.clone()),
        ExprKind::Bool(b) => Ok(b.to_string()),
        _ => string_value(expr, what),
    }
}

/// `body`: a string, `null`/`undefined`, or `JSON.stringify(literal)`.
fn body_value(expr: &Expr) -> Result<Option<String>, JsCallError> {
    match &expr.kind {
        ExprKind::Null => Ok(None),
        ExprKind::Str(text) => Ok(Some(text.clone())),
        ExprKind::Call { callee, args, .. } if callee == "JSON.stringify" => match args.first() {
            Some(value) => Ok(Some(json_value(value)?.to_string())),
            None => Ok(None),
        },
        _ => Err(JsCallError::new(
            expr.start,
            "the body must be a string, `null` or `JSON.stringify(...)` of a literal",
        )),
    }
}

fn json_value(expr: &Expr) -> Result<serde_json::Value, JsCallError> {
    use serde_json::Value;
    Ok(match &expr.kind {
        ExprKind::Str(text) => Value::String(text.clone()),
        ExprKind::Num(n) => n
            .parse::<serde_json::Number>()
            .map(Value::Number)
            .map_err(|_| JsCallError::new(expr.start, "a number JSON cannot hold"))?,
        ExprKind::Bool(b) => Value::Bool(*b),
        ExprKind::Null => Value::Null,
        ExprKind::Array(items) => {
            Value::Array(items.iter().map(json_value).collect::<Result<_, _>>()?)
        }
        ExprKind::Object(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| Ok((k.clone(), json_value(v)?)))
                .collect::<Result<_, JsCallError>>()?,
        ),
        _ => {
            return Err(JsCallError::new(
                expr.start,
                "this value is only known when the script runs",
            ))
        }
    })
}

fn mode_value(expr: &Expr) -> Result<Mode, JsCallError> {
    match string_value(expr, "`mode`")?.as_str() {
        "cors" => Ok(Mode::Cors),
        "no-cors" => Ok(Mode::NoCors),
        "same-origin" => Ok(Mode::SameOrigin),
        other => Err(JsCallError::new(
            expr.start,
            format!("`mode: {other:?}` is not one of \"cors\", \"no-cors\", \"same-origin\""),
        )),
    }
}

fn credentials_value(expr: &Expr) -> Result<Credentials, JsCallError> {
    match string_value(expr, "`credentials`")?.as_str() {
        "omit" => Ok(Credentials::Omit),
        "same-origin" => Ok(Credentials::SameOrigin),
        "include" => Ok(Credentials::Include),
        other => Err(JsCallError::new(
            expr.start,
            format!(
                "`credentials: {other:?}` is not one of \"omit\", \"same-origin\", \"include\""
            ),
        )),
    }
}

fn redirect_value(expr: &Expr) -> Result<Redirect, JsCallError> {
    match string_value(expr, "`redirect`")?.as_str() {
        "follow" => Ok(Redirect::Follow),
        "error" => Ok(Redirect::Error),
        "manual" => Ok(Redirect::Manual),
        other => Err(JsCallError::new(
            expr.start,
            format!("`redirect: {other:?}` is not one of \"follow\", \"error\", \"manual\""),
        )),
    }
}
