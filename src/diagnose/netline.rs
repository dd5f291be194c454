//! Chrome DevTools' network lines, which carry what the CORS line leaves
//! out: the request's method and its real status.
//!
//! - `GET https://api.test/x net::ERR_FAILED 500 (Internal Server Error)`:
//!   DevTools renders a failed request's console message as its method,
//!   URL, `net::` error and, when a response came, the status and reason
//!   (`FINDINGS-beyond-cors.md`, "The DevTools network line"). A pasted
//!   `OPTIONS … 401 (Unauthorized)` is the preflight's own row.
//! - `POST https://api.test/x 500 (Internal Server Error)`: a request that
//!   got an error status and no net error.
//! - `Failed to load resource: the server responded with a status of 500 (Internal Server Error)`
//!   and `Failed to load resource: net::ERR_…`: the console's own form.

use std::collections::BTreeSet;

use super::console::ConsoleLine;
use crate::engine::{Cause, Failure};
use crate::scenario::Browser;

/// What a network line says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct NetworkLine {
    /// The method, when the line names it (`OPTIONS` for a preflight).
    pub(crate) method: Option<String>,
    /// The request's URL, when the line names it.
    pub(crate) url: Option<String>,
    /// Chromium's net error, e.g. `net::ERR_CONNECTION_REFUSED`.
    pub(crate) net_error: Option<String>,
    /// The response's status, when one came.
    pub(crate) status: Option<u16>,
}

const FAILED_LOAD: &str = "Failed to load resource: ";
const SERVER_RESPONDED: &str = "the server responded with a status of ";

/// Reads a network line, or `None` when `line` is not one.
pub(crate) fn parse_network_line(line: &str) -> Option<NetworkLine> {
    if let Some(at) = line.find(FAILED_LOAD) {
        let rest = line.get(at + FAILED_LOAD.len()..)?.trim();
        if let Some(status) = rest.strip_prefix(SERVER_RESPONDED) {
            return Some(NetworkLine {
                status: leading_status(status),
                ..NetworkLine::default()
            });
        }
        if rest.starts_with("net::ERR_") {
            return Some(NetworkLine {
                net_error: rest.split_whitespace().next().map(str::to_owned),
                ..NetworkLine::default()
            });
        }
        return None;
    }
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let start = tokens.windows(2).position(|pair| match pair {
        [method, url] => is_method(method) && is_url(url),
        _ => false,
    })?;
    let mut rest = tokens.iter().skip(start + 2).copied().peekable();
    let net_error = rest
        .next_if(|t| t.starts_with("net::ERR_"))
        .map(str::to_owned);
    let status = rest.next_if(|t| leading_status(t).is_some() && t.len() == 3);
    let status = status.and_then(leading_status);
    // A status needs its reason phrase after it, as DevTools prints it.
    if status.is_some() && !rest.peek().is_some_and(|t| t.starts_with('(')) {
        return None;
    }
    if net_error.is_none() && status.is_none() {
        return None;
    }
    Some(NetworkLine {
        method: tokens.get(start).map(|m| (*m).to_owned()),
        url: tokens.get(start + 1).map(|u| (*u).to_owned()),
        net_error,
        status,
    })
}

/// A three-digit status at the start of `text`.
fn leading_status(text: &str) -> Option<u16> {
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    (digits.len() == 3)
        .then(|| digits.parse().ok())
        .flatten()
        .filter(|s| (100..600).contains(s))
}

fn is_method(token: &str) -> bool {
    (3..=10).contains(&token.len()) && token.chars().all(|c| c.is_ascii_uppercase())
}

fn is_url(token: &str) -> bool {
    ["http://", "https://", "ws://", "wss://"]
        .iter()
        .any(|scheme| token.starts_with(scheme))
}

/// Chromium net errors the engine does not render, and the family each
/// one belongs to (Chromium's `net_error_list.h` groups them).
///
/// Not modelled: an extension's block (`ERR_BLOCKED_BY_CLIENT`) is the
/// extension's choice, so the engine has no failure for it (issue 13 §7);
/// the other rows are further spellings of a family the engine renders
/// with one error each (e.g. `tls` as `ERR_CERT_AUTHORITY_INVALID`).
const NET_ERROR_FAMILIES: [(&str, Cause); 18] = [
    ("net::ERR_BLOCKED_BY_CLIENT", Cause::BlockedByClient),
    ("net::ERR_BLOCKED_BY_ADMINISTRATOR", Cause::BlockedByClient),
    ("net::ERR_NAME_RESOLUTION_FAILED", Cause::NetworkDns),
    ("net::ERR_CERT_", Cause::NetworkTls),
    ("net::ERR_SSL_", Cause::NetworkTls),
    ("net::ERR_BAD_SSL_CLIENT_AUTH_CERT", Cause::NetworkTls),
    ("net::ERR_CONNECTION_CLOSED", Cause::NetworkClosed),
    ("net::ERR_CONNECTION_ABORTED", Cause::NetworkReset),
    ("net::ERR_CONNECTION_TIMED_OUT", Cause::NetworkTimeout),
    ("net::ERR_TIMED_OUT", Cause::NetworkTimeout),
    ("net::ERR_ADDRESS_UNREACHABLE", Cause::NetworkUnknown),
    ("net::ERR_INTERNET_DISCONNECTED", Cause::NetworkUnknown),
    ("net::ERR_NETWORK_CHANGED", Cause::NetworkUnknown),
    (
        "net::ERR_BLOCKED_BY_RESPONSE.NotSameOriginAfterDefaultedToSameOriginByCoep",
        Cause::Coep,
    ),
    ("net::ERR_BLOCKED_BY_RESPONSE.NotSameOrigin", Cause::Corp),
    ("net::ERR_BLOCKED_BY_RESPONSE", Cause::Corp),
    ("net::ERR_BLOCKED_BY_ORB", Cause::Orb),
    (
        "net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS",
        Cause::LocalNetworkAccess,
    ),
];

/// The family of a net error the engine does not render (longest name first).
pub(crate) fn net_error_family(net_error: &str) -> Option<Cause> {
    NET_ERROR_FAMILIES
        .iter()
        .filter(|(name, _)| {
            net_error == *name || (name.ends_with('_') && net_error.starts_with(name))
        })
        .max_by_key(|(name, _)| name.len())
        .map(|(_, cause)| *cause)
        .or_else(|| {
            // `…NotSameOrigin` is a prefix of the COEP variant: exact names only, then the family.
            net_error
                .starts_with("net::ERR_BLOCKED_BY_RESPONSE")
                .then_some(Cause::Corp)
        })
}

/// A status from a network line for the same request: the preflight's row
/// (`OPTIONS`) for a preflight failure, the request's own otherwise. It also
/// fills the status a line left out (`It does not have HTTP ok status.`).
pub(crate) fn attach_network_statuses(lines: &mut [(ConsoleLine, BTreeSet<Cause>)]) {
    let rows: Vec<(Option<String>, bool, u16)> = lines
        .iter()
        .filter(|(l, _)| l.method.is_some())
        .filter_map(|(l, _)| {
            let preflight = l.method.as_deref() == Some("OPTIONS");
            Some((l.url.clone(), preflight, l.status?))
        })
        .collect();
    for (line, _) in lines.iter_mut() {
        let Some(failure) = &mut line.failure else {
            continue;
        };
        if line.status.is_none() {
            let preflight = failure.is_preflight_failure();
            let same = |url: &Option<String>| match (url, &line.url) {
                (Some(a), Some(b)) => super::build::same_url(a, b),
                _ => true,
            };
            line.status = rows
                .iter()
                .find(|(url, p, _)| *p == preflight && same(url))
                .map(|(_, _, status)| *status);
        }
        if let (
            Failure::PreflightInvalidStatus { status } | Failure::PreflightRedirect { status },
            Some(known),
        ) = (failure, line.status)
        {
            if *status == 0 {
                *status = known;
            }
        }
    }
}

/// The cause a line reports: its failure's, met on the status it (or its
/// network line) names; a network failure of unknown kind when the same
/// text is printed for every kind (Firefox's "did not succeed"); the
/// family of a net error the engine does not render.
pub(crate) fn line_cause(line: &ConsoleLine, shared: &BTreeSet<Cause>) -> Option<Cause> {
    if shared.len() > 1 && shared.iter().all(|c| c.is_network()) {
        return Some(Cause::NetworkUnknown);
    }
    if let Some(failure) = &line.failure {
        return Some(Cause::of(failure, line.failed_response()));
    }
    if let Some(cause) = line.net_error.as_deref().and_then(net_error_family) {
        return Some(cause);
    }
    // Safari's catch-all closes every failure, a failed connection included:
    // alone it names no cause (see `is_safari_catch_all`).
    if line.browser == Browser::Safari && line.failure.is_none() {
        return None;
    }
    // A line printed for failed connections among others (Firefox's "CORS
    // request did not succeed", also the second line after a failed
    // preflight): alone, it means the connection failed, of unknown kind.
    if line.net_error.is_none() && shared.iter().any(|c| c.is_network()) {
        return Some(Cause::NetworkUnknown);
    }
    // `net::ERR_FAILED` after a response: it was blocked, and its error status comes first.
    line.status.filter(|s| *s >= 400)?;
    line.net_error.as_ref()?;
    Some(if line.method.as_deref() == Some("OPTIONS") {
        Cause::PreflightStatus
    } else {
        Cause::ServerError
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devtools_lines_give_method_url_error_and_status() {
        let line = parse_network_line(
            "xhr.js:187  GET http://localhost:8080/api/items net::ERR_FAILED 500 (Internal Server Error)",
        );
        assert_eq!(
            line,
            Some(NetworkLine {
                method: Some("GET".into()),
                url: Some("http://localhost:8080/api/items".into()),
                net_error: Some("net::ERR_FAILED".into()),
                status: Some(500),
            })
        );
        let refused =
            parse_network_line("GET http://localhost:8080/api/items net::ERR_CONNECTION_REFUSED");
        assert_eq!(
            refused.and_then(|l| l.net_error).as_deref(),
            Some("net::ERR_CONNECTION_REFUSED")
        );
        let preflight =
            parse_network_line("OPTIONS https://api.test/x net::ERR_FAILED 401 (Unauthorized)");
        assert_eq!(preflight.and_then(|l| l.status), Some(401));
        let plain = parse_network_line("POST https://api.test/x 503 (Service Unavailable)");
        assert_eq!(plain.and_then(|l| l.status), Some(503));
        assert_eq!(
            parse_network_line(
                "Failed to load resource: the server responded with a status of 404 (Not Found)"
            )
            .and_then(|l| l.status),
            Some(404)
        );
    }

    #[test]
    fn other_lines_are_not_network_lines() {
        for line in [
            "GET /x HTTP/1.1",
            "GET http://proxy.test/x HTTP/1.1",
            "curl 'http://a.test/' -X GET",
            "GET https://a.test/x 200",
            "Failed to load resource: Origin http://a.test is not allowed",
        ] {
            assert_eq!(parse_network_line(line), None, "{line}");
        }
    }

    #[test]
    fn net_errors_by_family() {
        assert_eq!(
            net_error_family("net::ERR_BLOCKED_BY_CLIENT"),
            Some(Cause::BlockedByClient)
        );
        assert_eq!(
            net_error_family("net::ERR_CERT_DATE_INVALID"),
            Some(Cause::NetworkTls)
        );
        assert_eq!(
            net_error_family(
                "net::ERR_BLOCKED_BY_RESPONSE.NotSameOriginAfterDefaultedToSameOriginByCoep"
            ),
            Some(Cause::Coep)
        );
        assert_eq!(
            net_error_family("net::ERR_BLOCKED_BY_RESPONSE.NotSameOrigin"),
            Some(Cause::Corp)
        );
        assert_eq!(net_error_family("net::ERR_FAILED"), None);
    }
}
