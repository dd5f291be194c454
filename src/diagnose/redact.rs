//! Secrets out of exports and share links: credentials, cookies, API keys
//! and tokens are replaced by a marker, and the caller learns what went.

use serde::Serialize;
use url::Url;

use crate::scenario::{HeaderPair, Scenario};

/// What replaces a secret value.
pub const REDACTED: &str = "[redacted]";

/// One value that was replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redaction {
    /// Where: `request 1 header Authorization`, `server rule 2 header Set-Cookie`, `request 1 URL query access_token`.
    pub location: String,
}

/// Header names whose values are always secret.
fn secret_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie" | "set-cookie2"
    ) || secret_name(&lower)
}

/// Names that say "key" or "token": `x-api-key`, `api_key`, `apikey`, `token`,
/// `access_token`, `x-auth-token`, `client_secret`, `password`, `signature`.
fn secret_name(lower: &str) -> bool {
    let squashed: String = lower
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    [
        "apikey",
        "token",
        "secret",
        "password",
        "passwd",
        "sessionid",
        "signature",
        "authkey",
        "accesskey",
    ]
    .iter()
    .any(|word| squashed.contains(word))
        || squashed == "key"
        || squashed == "sig"
        || squashed == "auth"
}

/// A value that is a credential whatever its name says (`Bearer ...`, `Basic ...`, a JWT).
fn secret_value(value: &str) -> bool {
    let trimmed = value.trim();
    let lower = trimmed.to_ascii_lowercase();
    lower.starts_with("bearer ")
        || lower.starts_with("basic ")
        || lower.starts_with("token ")
        || (trimmed.starts_with("eyJ") && trimmed.matches('.').count() == 2)
}

fn redact_headers(headers: &mut [HeaderPair], place: &str, out: &mut Vec<Redaction>) {
    for (name, value) in headers.iter_mut() {
        if value != REDACTED && (secret_header(name) || secret_value(value)) {
            *value = REDACTED.to_owned();
            out.push(Redaction {
                location: format!("{place} header {name}"),
            });
        }
    }
}

/// Replaces secret query parameter values in `url`; returns the names replaced.
pub fn redact_url(url: &str) -> (String, Vec<String>) {
    let Ok(mut parsed) = Url::parse(url) else {
        return (url.to_owned(), Vec::new());
    };
    let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    let secret: Vec<String> = pairs
        .iter()
        .filter(|(k, v)| v != REDACTED && (secret_name(&k.to_ascii_lowercase()) || secret_value(v)))
        .map(|(k, _)| k.clone())
        .collect();
    if secret.is_empty() {
        return (url.to_owned(), Vec::new());
    }
    parsed
        .query_pairs_mut()
        .clear()
        .extend_pairs(pairs.iter().map(|(k, v)| {
            let value = if secret.contains(k) {
                REDACTED
            } else {
                v.as_str()
            };
            (k.as_str(), value)
        }));
    (parsed.to_string(), secret)
}

/// Redacts `scenario` in place: request and response header values,
/// secret query parameters in request and rule URLs, and secrets in the
/// page. Returns what it replaced, in order.
pub fn redact(scenario: &mut Scenario) -> Vec<Redaction> {
    let mut out = Vec::new();
    for (index, request) in scenario.requests.iter_mut().enumerate() {
        let place = format!("request {}", index + 1);
        redact_headers(&mut request.headers, &place, &mut out);
        let (url, names) = redact_url(&request.url);
        request.url = url;
        out.extend(names.into_iter().map(|n| Redaction {
            location: format!("{place} URL query {n}"),
        }));
        if let Some(body) = &request.body {
            if secret_value(body) {
                request.body = Some(REDACTED.to_owned());
                out.push(Redaction {
                    location: format!("{place} body"),
                });
            }
        }
    }
    for (index, rule) in scenario.server.iter_mut().enumerate() {
        let place = format!("server rule {}", index + 1);
        redact_headers(&mut rule.respond.headers, &place, &mut out);
        let (url, names) = redact_url(&rule.matcher.url);
        rule.matcher.url = url;
        out.extend(names.into_iter().map(|n| Redaction {
            location: format!("{place} URL query {n}"),
        }));
    }
    out
}

/// Redacts secrets in free text (a paste): `Name: value` header lines,
/// `-H 'Name: value'`, `"Name": "value"`, `-b`/`--cookie` values and
/// `name=value` query or cookie pairs. Returns the text and what went.
pub fn redact_text(text: &str) -> (String, Vec<Redaction>) {
    let mut out = Vec::new();
    let mut result = String::with_capacity(text.len());
    for (number, line) in text.split_inclusive('\n').enumerate() {
        result.push_str(&redact_line(line, number + 1, &mut out));
    }
    (result, out)
}

fn redact_line(line: &str, number: usize, out: &mut Vec<Redaction>) -> String {
    let mut line = line.to_owned();
    // `Name: value` (a header line, possibly inside quotes after -H).
    let lower = line.to_ascii_lowercase();
    for name in [
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "api-key",
        "x-auth-token",
        "x-access-token",
        "x-csrf-token",
        "x-xsrf-token",
    ] {
        for quote in ["", "\""] {
            let needle = format!("{name}{quote}:");
            let Some(at) = lower.find(&needle) else {
                continue;
            };
            let before_ok =
                at == 0 || !lower[..at].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '-');
            if !before_ok {
                continue;
            }
            let value_start = at + needle.len();
            let rest = &line[value_start..];
            let skip = rest.len() - rest.trim_start_matches([' ', '"']).len();
            let start = value_start + skip;
            let end = line[start..]
                .find(['\'', '"', '\n', '\r', '^'])
                .map_or(line.len(), |e| start + e);
            if end > start && &line[start..end] != REDACTED {
                line.replace_range(start..end, REDACTED);
                out.push(Redaction {
                    location: format!("line {number}: {name}"),
                });
            }
            break;
        }
    }
    // curl's `-b`/`--cookie` value: every cookie is a secret.
    for flag in [" -b ", " --cookie "] {
        if let Some(at) = line.find(flag) {
            let start = at + flag.len();
            let rest = line.get(start..).unwrap_or("");
            let (open, skip) = match rest.chars().next() {
                Some(q @ ('\'' | '"')) => (Some(q), 1),
                _ => (None, 0),
            };
            let body = rest.get(skip..).unwrap_or("");
            let len = match open {
                Some(q) => body.find(q).unwrap_or(body.len()),
                None => body.find([' ', '\n', '\r']).unwrap_or(body.len()),
            };
            let value_start = start + skip;
            if len > 0 && body.get(..len) != Some(REDACTED) {
                line.replace_range(value_start..value_start + len, REDACTED);
                out.push(Redaction {
                    location: format!("line {number}: cookie"),
                });
            }
        }
    }
    // `name=value` pairs with secret names (query strings, cookies, bodies).
    let mut rebuilt = String::with_capacity(line.len());
    let mut rest = line.as_str();
    while let Some(eq) = rest.find('=') {
        let (before, after) = rest.split_at(eq);
        let name_start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .map_or(0, |i| i + 1);
        let name = &before[name_start..];
        let after = &after[1..];
        let value_len = after
            .find(['&', ';', ' ', '\'', '"', '\n', '\r', '^', ','])
            .unwrap_or(after.len());
        rebuilt.push_str(before);
        rebuilt.push('=');
        let value = &after[..value_len];
        if !name.is_empty()
            && secret_name(&name.to_ascii_lowercase())
            && !value.is_empty()
            && value != REDACTED
        {
            rebuilt.push_str(REDACTED);
            out.push(Redaction {
                location: format!("line {number}: {name}"),
            });
        } else {
            rebuilt.push_str(value);
        }
        rest = &after[value_len..];
    }
    rebuilt.push_str(rest);
    rebuilt
}
