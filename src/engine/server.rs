//! The scenario's mock server: which rule answers a request, and with what.

use serde::Serialize;
use std::cell::OnceCell;

use url::Url;

use super::headers::{normalize_header_value, HeaderList};
use crate::scenario::{FrameworkRule, HeaderPair, NetworkErrorKind, ServerRule};

/// Extension: what answers a server rule written as a framework's
/// configuration (`ServerRule::framework`). The engine models no framework;
/// a caller that does (`crate::frameworks::Models`) passes one to
/// [`evaluate_with`](super::evaluate_with).
pub trait FrameworkServers {
    /// The status and headers `rule`'s framework sends back to `request`,
    /// or `None` when it cannot say (an unknown framework, a configuration
    /// it cannot read): the rule's own `respond` answers then.
    fn answer(&self, rule: &FrameworkRule, request: &WireRequest)
        -> Option<(u16, Vec<HeaderPair>)>;
}

/// No framework is modelled: every rule answers with its `respond`.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoFrameworks;

impl FrameworkServers for NoFrameworks {
    fn answer(&self, _: &FrameworkRule, _: &WireRequest) -> Option<(u16, Vec<HeaderPair>)> {
        None
    }
}

/// A request as it goes over the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WireRequest {
    /// Method as sent.
    pub method: String,
    /// Full URL (no fragment).
    pub url: String,
    /// Headers as sent (the CORS-relevant ones and the script's).
    pub headers: HeaderList,
    /// Body text, if any.
    pub body: Option<String>,
}

/// What came back over the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum WireResponse {
    /// An HTTP response.
    Http {
        /// Status code.
        status: u16,
        /// Headers as sent: the rule's (values trimmed as a parser would), plus
        /// the `Content-Length` every server adds (not on 1xx, 204 or 304).
        headers: HeaderList,
        /// Body text.
        body: String,
        /// Which rule answered (index into `server`); `None` for the default 404.
        rule: Option<usize>,
    },
    /// The connection failed.
    NetworkError {
        /// Which rule said so.
        rule: usize,
        /// How.
        error: NetworkErrorKind,
    },
}

impl WireRequest {
    /// The request as [HTTP/1.1 message text](https://www.rfc-editor.org/rfc/rfc9112#section-2.1):
    /// request line (origin-form target), `Host` (from the URL, unless already
    /// listed), the headers as sent, a blank line, then the body. Lines end in
    /// `\n` for display; on the wire each ends in CRLF.
    pub fn http1_text(&self) -> String {
        let parsed = Url::parse(&self.url).ok();
        let target = parsed.as_ref().map_or_else(
            || self.url.clone(),
            |url| match url.query() {
                Some(query) => format!("{}?{query}", url.path()),
                None => url.path().to_owned(),
            },
        );
        let mut text = format!("{} {target} HTTP/1.1\n", self.method);
        if !self.headers.contains("Host") {
            if let Some(host) = parsed.as_ref().and_then(Url::host_str) {
                let port = parsed
                    .as_ref()
                    .and_then(Url::port)
                    .map(|port| format!(":{port}"))
                    .unwrap_or_default();
                text.push_str(&format!("Host: {host}{port}\n"));
            }
        }
        push_headers_and_body(&mut text, &self.headers, self.body.as_deref());
        text
    }
}

impl WireResponse {
    /// The response as HTTP/1.1 message text: status line with the reason
    /// phrase the mock server sends, the headers, a blank line, the body; a
    /// failed connection has no text on the wire and says so.
    pub fn http1_text(&self) -> String {
        match self {
            WireResponse::Http {
                status,
                headers,
                body,
                ..
            } => {
                let mut text = format!("HTTP/1.1 {status} {}\n", reason_phrase(*status));
                push_headers_and_body(&mut text, headers, Some(body));
                text
            }
            WireResponse::NetworkError { error, .. } => match error {
                NetworkErrorKind::Closed => {
                    "(no response: the server closed the connection without answering)"
                }
                NetworkErrorKind::Reset => "(no response: the server reset the connection)",
                NetworkErrorKind::Timeout => "(no response: the server never answered)",
                NetworkErrorKind::Refused => {
                    "(nothing sent: nothing listens on this port, the connection was refused)"
                }
                NetworkErrorKind::Dns => "(nothing sent: the host name does not resolve)",
                NetworkErrorKind::Tls => {
                    "(nothing sent: the TLS handshake failed, the certificate is not trusted)"
                }
            }
            .to_owned(),
        }
    }
}

/// `name: value` lines, the blank line that ends the header section, and the body.
fn push_headers_and_body(text: &mut String, headers: &HeaderList, body: Option<&str>) {
    for (name, value) in &headers.0 {
        text.push_str(&format!("{name}: {value}\n"));
    }
    text.push('\n');
    text.push_str(body.unwrap_or_default());
}

/// The scenario's server rules, with each rule's URL normalised once, when
/// first needed, and what answers a framework rule.
#[derive(Clone)]
pub(super) struct MockServer<'a> {
    rules: &'a [ServerRule],
    urls: Vec<OnceCell<String>>,
    frameworks: &'a dyn FrameworkServers,
}

impl<'a> MockServer<'a> {
    /// Prepares `rules` for matching.
    pub(super) fn new(
        rules: &'a [ServerRule],
        frameworks: &'a dyn FrameworkServers,
    ) -> MockServer<'a> {
        MockServer::reusing(rules, &[], frameworks)
    }

    /// Prepares `rules` for matching, taking a rule URL's normal form from
    /// `known` (as written, normalised) when it is there: the fix planner's
    /// re-runs change headers and statuses, rarely URLs, so they parse none.
    pub(super) fn reusing(
        rules: &'a [ServerRule],
        known: &[(String, String)],
        frameworks: &'a dyn FrameworkServers,
    ) -> MockServer<'a> {
        let urls = rules
            .iter()
            .map(|rule| {
                let written = &rule.matcher.url;
                let normal = OnceCell::new();
                if let Some((_, url)) = known.iter().find(|(raw, _)| raw == written) {
                    let _ = normal.set(url.clone());
                }
                normal
            })
            .collect();
        MockServer {
            rules,
            urls,
            frameworks,
        }
    }

    /// Each rule's URL as written, with its normal form where it was needed
    /// so far (for [`MockServer::reusing`]).
    pub(super) fn normalised_urls(&self) -> Vec<(String, String)> {
        self.rules
            .iter()
            .zip(&self.urls)
            .filter_map(|(rule, url)| Some((rule.matcher.url.clone(), url.get()?.clone())))
            .collect()
    }

    /// Answers `request` from the first matching rule, substituting
    /// `{{request.NAME}}` in header values; no rule gives 404 with no headers.
    pub(super) fn respond(&self, request: &WireRequest) -> WireResponse {
        // The request URL was serialised by the url crate, so its first `#` starts the fragment.
        let url = request.url.split('#').next().unwrap_or_default();
        let matching = self
            .rules
            .iter()
            .zip(&self.urls)
            .enumerate()
            .find(|(_, (rule, rule_url))| rule_fits(rule, rule_url, &request.method, url));
        let Some((index, (rule, _))) = matching else {
            return WireResponse::Http {
                status: 404,
                headers: with_content_length(404, HeaderList::default(), ""),
                body: String::new(),
                rule: None,
            };
        };
        let modelled = rule
            .framework
            .as_ref()
            .and_then(|framework| self.frameworks.answer(framework, request));
        if let (None, Some(kind)) = (&modelled, rule.respond.network_error) {
            return WireResponse::NetworkError {
                rule: index,
                error: kind,
            };
        }
        let (status, written) = match &modelled {
            Some((status, headers)) => (*status, headers),
            None => (rule.respond.status, &rule.respond.headers),
        };
        let headers = written
            .iter()
            .map(|(name, value)| {
                let value = if modelled.is_some() {
                    value.clone()
                } else {
                    substitute_request_values(value, &request.headers)
                };
                (name.clone(), normalize_header_value(&value).to_owned())
            })
            .collect();
        WireResponse::Http {
            status,
            headers: with_content_length(status, HeaderList(headers), &rule.respond.body),
            body: rule.respond.body.clone(),
            rule: Some(index),
        }
    }
}

/// Whether `rule` (whose URL, without its fragment, normalises to
/// `rule_url`) answers a `method` request for `url` (without its fragment,
/// as the url crate serialises it): a rule with no method answers every
/// method, `OPTIONS` included.
fn rule_fits(rule: &ServerRule, rule_url: &OnceCell<String>, method: &str, url: &str) -> bool {
    let method_fits = rule.matcher.method.as_deref().is_none_or(|m| m == method);
    // A rule written exactly as the url crate serialised the request's URL
    // is already normal (parsing a serialisation gives it back), so most
    // rules are never parsed.
    let written = rule.matcher.url.split('#').next().unwrap_or_default();
    method_fits
        && (written == url || rule_url.get_or_init(|| without_fragment(&rule.matcher.url)) == url)
}

/// The index of the first of `rules` that answers a `method` request (the
/// method as sent, normalised) for `url`: the rule the mock server uses.
pub fn answering_rule(rules: &[ServerRule], method: &str, url: &str) -> Option<usize> {
    let url = without_fragment(url);
    rules.iter().position(|rule| {
        let normal = OnceCell::from(without_fragment(&rule.matcher.url));
        rule_fits(rule, &normal, method, &url)
    })
}

/// Adds the `Content-Length` a real server sends, unless the rule set one or
/// HTTP forbids it (1xx, 204, 304).
fn with_content_length(status: u16, mut headers: HeaderList, body: &str) -> HeaderList {
    let bodyless = status == 204 || status == 304 || (100..200).contains(&status);
    if !bodyless && !headers.contains("Content-Length") {
        headers.append("Content-Length", &body.len().to_string());
    }
    headers
}

/// Replaces each `{{request.NAME}}` with that request header's value (empty when absent).
pub(super) fn substitute_request_values(template: &str, request_headers: &HeaderList) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{request.") {
        let (before, after) = rest.split_at(start);
        out.push_str(before);
        let after_marker = after.get("{{request.".len()..).unwrap_or_default();
        match after_marker.find("}}") {
            Some(end) => {
                let name = after_marker.get(..end).unwrap_or_default().trim();
                out.push_str(&request_headers.get(name).unwrap_or_default());
                rest = after_marker.get(end + 2..).unwrap_or_default();
            }
            None => {
                out.push_str(after);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// A URL compared "without its fragment"; unparsable text compares as written.
pub(super) fn without_fragment(text: &str) -> String {
    match Url::parse(text) {
        Ok(mut url) => {
            url.set_fragment(None);
            String::from(url)
        }
        Err(_) => text.split('#').next().unwrap_or_default().to_owned(),
    }
}

/// The reason phrase the mock server sends: the canonical one, or none for
/// an unknown status (verify's server writes `HTTP/1.1 699 `, and Chromium
/// then prints `status of 699 ()`).
pub(super) fn reason_phrase(status: u16) -> &'static str {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_reflect_request_headers() {
        let headers = HeaderList(vec![("Origin".into(), "https://app.example".into())]);
        assert_eq!(
            substitute_request_values("{{request.origin}}", &headers),
            "https://app.example"
        );
        assert_eq!(
            substitute_request_values("a {{request.x-missing}} b", &headers),
            "a  b"
        );
        assert_eq!(
            substitute_request_values("{{request.origin", &headers),
            "{{request.origin"
        );
    }

    #[test]
    fn fragments_are_ignored_when_matching() {
        assert_eq!(
            without_fragment("https://a.example/x#frag"),
            "https://a.example/x"
        );
    }

    #[test]
    fn wire_request_renders_as_http1_text() {
        let request = WireRequest {
            method: "POST".into(),
            url: "https://api.example.com:8443/users?page=2".into(),
            headers: HeaderList(vec![
                ("Origin".into(), "https://app.example.com".into()),
                ("Content-Type".into(), "application/json".into()),
            ]),
            body: Some("{}".into()),
        };
        assert_eq!(
            request.http1_text(),
            "POST /users?page=2 HTTP/1.1\nHost: api.example.com:8443\nOrigin: https://app.example.com\nContent-Type: application/json\n\n{}"
        );
        let preflight = WireRequest {
            method: "OPTIONS".into(),
            url: "https://api.example.com/users".into(),
            headers: HeaderList::default(),
            body: None,
        };
        assert_eq!(
            preflight.http1_text(),
            "OPTIONS /users HTTP/1.1\nHost: api.example.com\n\n"
        );
    }

    #[test]
    fn wire_response_renders_as_http1_text() {
        let response = WireResponse::Http {
            status: 204,
            headers: HeaderList(vec![(
                "Access-Control-Allow-Origin".into(),
                "https://app.example.com".into(),
            )]),
            body: String::new(),
            rule: Some(0),
        };
        assert_eq!(
            response.http1_text(),
            "HTTP/1.1 204 No Content\nAccess-Control-Allow-Origin: https://app.example.com\n\n"
        );
        let unknown = WireResponse::Http {
            status: 599,
            headers: HeaderList::default(),
            body: "x".into(),
            rule: None,
        };
        assert_eq!(unknown.http1_text(), "HTTP/1.1 599 \n\nx");
        let failed = |kind| {
            WireResponse::NetworkError {
                rule: 0,
                error: kind,
            }
            .http1_text()
        };
        assert!(failed(NetworkErrorKind::Closed).contains("no response"));
        assert!(failed(NetworkErrorKind::Dns).contains("does not resolve"));
    }
}
