//! Source-list matching: whether a URL matches a directive's source
//! expressions (CSP3 §6.7.2), for `should_request_be_blocked`.

use url::Url;

use super::Directive;
use crate::engine::origin::Origin;

/// [Does url match source list in origin with redirect count?](https://w3c.github.io/webappsec-csp/#match-url-to-source-list)
/// (redirect count 0): the first expression that matches, if any. "If
/// source list is empty, return Does Not Match"; a lone `'none'` matches
/// nothing (beside other sources it is ignored, as Chromium does).
pub(super) fn does_url_match_source_list(
    url: &Url,
    directive: &Directive,
    page: &Origin,
) -> Option<String> {
    let sources: Vec<&str> = directive.sources().collect();
    if let [only] = sources.as_slice() {
        if only.eq_ignore_ascii_case("'none'") {
            return None;
        }
    }
    sources
        .into_iter()
        .find(|expression| does_url_match_expression(url, expression, page))
        .map(str::to_owned)
}

/// [Does url match expression in origin with redirect count?](https://w3c.github.io/webappsec-csp/#match-url-to-source-expression)
pub(super) fn does_url_match_expression(url: &Url, expression: &str, page: &Origin) -> bool {
    let page_tuple = match page {
        Origin::Tuple(url::Origin::Tuple(scheme, host, port)) => {
            Some((scheme.as_str(), host.to_string(), *port))
        }
        // Not modelled: 'self' and scheme-less sources on an opaque page.
        _ => None,
    };
    // "If expression is the string "*", return "Matches" if … url's scheme
    // is an HTTP(S) scheme [or] url's scheme is the same as origin's scheme."
    // Browser: Chromium's `*` also matches ws: and wss: (observed in Chromium 156).
    if expression == "*" {
        return matches!(url.scheme(), "http" | "https" | "ws" | "wss")
            || page_tuple
                .as_ref()
                .is_some_and(|(scheme, ..)| *scheme == url.scheme());
    }
    if expression.eq_ignore_ascii_case("'self'") {
        return page_tuple
            .is_some_and(|(scheme, host, port)| matches_self(url, scheme, &host, port));
    }
    if expression.starts_with('\'') {
        // Other keywords, nonces and hashes never match a URL.
        return false;
    }
    if let Some(scheme) = scheme_source(expression) {
        return scheme_part_match(scheme, url.scheme());
    }
    let Some(source) = HostSource::parse(expression) else {
        // Not a valid source expression: it matches nothing (Chromium warns at load).
        return false;
    };
    let Some(host) = url.host_str() else {
        return false;
    };
    let scheme_fits = match source.scheme {
        Some(scheme) => scheme_part_match(scheme, url.scheme()),
        // "If expression does not have a scheme-part, and origin's scheme does
        // not scheme-part match url's scheme, return Does Not Match."
        None => page_tuple
            .as_ref()
            .is_some_and(|(scheme, ..)| scheme_part_match(scheme, url.scheme())),
    };
    scheme_fits
        && host_part_match(source.host, host)
        && port_part_match(source.port, url)
        && (source.path.is_empty() || path_part_match(source.path, url.path()))
}

/// `'self'`: the same origin, or the same host and (default-equivalent) port
/// with a secure upgrade: "url's scheme is "https" or "wss"", or "origin's
/// scheme is "http" and url's scheme is "http" or "ws"".
fn matches_self(url: &Url, scheme: &str, host: &str, port: u16) -> bool {
    let Some(url_host) = url.host_str() else {
        return false;
    };
    let default_port = |scheme: &str| match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        _ => None,
    };
    let url_port = url.port().or_else(|| default_port(url.scheme()));
    let ports_fit =
        url_port == Some(port) || (url.port().is_none() && default_port(scheme) == Some(port));
    url_host.eq_ignore_ascii_case(host)
        && ports_fit
        && (matches!(url.scheme(), "https" | "wss")
            || (scheme == "http" && matches!(url.scheme(), "http" | "ws")))
}

/// A scheme-source (`https:`): the scheme, if `expression` is one.
fn scheme_source(expression: &str) -> Option<&str> {
    let scheme = expression.strip_suffix(':')?;
    is_scheme(scheme).then_some(scheme)
}

fn is_scheme(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// [scheme-part match](https://w3c.github.io/webappsec-csp/#scheme-part-match):
/// equal, or a secure upgrade (`http` → `https`, `ws` → `wss`/`http`/`https`, `wss` → `https`).
pub(super) fn scheme_part_match(expression: &str, url_scheme: &str) -> bool {
    let a = expression.to_ascii_lowercase();
    a == url_scheme
        || (a == "http" && url_scheme == "https")
        || (a == "ws" && matches!(url_scheme, "wss" | "http" | "https"))
        || (a == "wss" && url_scheme == "https")
}

/// A host-source: `[scheme "://"] host [":" port] [path]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct HostSource<'a> {
    scheme: Option<&'a str>,
    host: &'a str,
    port: Option<&'a str>,
    path: &'a str,
}

impl<'a> HostSource<'a> {
    fn parse(expression: &'a str) -> Option<HostSource<'a>> {
        let (scheme, rest) = match expression.split_once("://") {
            Some((scheme, rest)) if is_scheme(scheme) => (Some(scheme), rest),
            Some(_) => return None,
            None => (None, expression),
        };
        let (authority, path) = match rest.find('/') {
            Some(cut) => (rest.get(..cut)?, rest.get(cut..)?),
            None => (rest, ""),
        };
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        let host_ok = host == "*"
            || host
                .strip_prefix("*.")
                .unwrap_or(host)
                .split('.')
                .all(|label| {
                    !label.is_empty()
                        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                });
        let port_ok = port
            .is_none_or(|p| p == "*" || (!p.is_empty() && p.chars().all(|c| c.is_ascii_digit())));
        (host_ok && port_ok).then_some(HostSource {
            scheme,
            host,
            port,
            path,
        })
    }
}

/// [host-part match](https://w3c.github.io/webappsec-csp/#match-hosts): a
/// leading `*` matches any host ending in the rest (`*.example.com` matches
/// `api.example.com`, never `example.com`); otherwise the same host, ignoring case.
pub(super) fn host_part_match(pattern: &str, host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    match pattern.strip_prefix('*') {
        Some(remaining) => host.ends_with(&remaining.to_ascii_lowercase()),
        None => pattern.eq_ignore_ascii_case(&host),
    }
}

/// [port-part match](https://w3c.github.io/webappsec-csp/#match-ports): `*`
/// matches any port; no port matches only the URL scheme's default port;
/// a number matches that port (written or default).
fn port_part_match(port: Option<&str>, url: &Url) -> bool {
    match port {
        Some("*") => true,
        None => url.port().is_none(),
        Some(digits) => {
            let wanted = digits.parse::<u32>().ok();
            wanted.is_some() && wanted == url.port_or_known_default().map(u32::from)
        }
    }
}

/// [path-part match](https://w3c.github.io/webappsec-csp/#match-paths): a
/// path ending in `/` is a prefix (by whole segments); any other path must
/// equal the URL's path (segments compared percent-decoded).
pub(super) fn path_part_match(expression_path: &str, url_path: &str) -> bool {
    if expression_path.is_empty() || (expression_path == "/" && url_path.is_empty()) {
        return true;
    }
    let exact = !expression_path.ends_with('/');
    let mut a: Vec<&str> = expression_path.split('/').collect();
    let b: Vec<&str> = url_path.split('/').collect();
    if a.len() > b.len() || (exact && a.len() != b.len()) {
        return false;
    }
    if !exact {
        a.pop();
    }
    let decode = |piece: &str| percent_encoding::percent_decode_str(piece).collect::<Vec<u8>>();
    a.iter().zip(&b).all(|(x, y)| decode(x) == decode(y))
}
