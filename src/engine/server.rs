//! The scenario's mock server: which rule answers a request, and with what.

use serde::Serialize;
use url::Url;

use super::headers::{normalize_header_value, HeaderList};
use crate::scenario::ServerRule;

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
    },
}

/// The scenario's server rules, with each rule's URL normalised once.
#[derive(Debug, Clone)]
pub struct MockServer<'a> {
    rules: &'a [ServerRule],
    urls: Vec<String>,
}

impl<'a> MockServer<'a> {
    /// Prepares `rules` for matching.
    pub fn new(rules: &'a [ServerRule]) -> MockServer<'a> {
        let urls = rules
            .iter()
            .map(|rule| without_fragment(&rule.matcher.url))
            .collect();
        MockServer { rules, urls }
    }

    /// Answers `request` from the first matching rule, substituting
    /// `{{request.NAME}}` in header values; no rule gives 404 with no headers.
    pub fn respond(&self, request: &WireRequest) -> WireResponse {
        // The request URL was serialised by the url crate, so its first `#` starts the fragment.
        let url = request.url.split('#').next().unwrap_or_default();
        let matching =
            self.rules
                .iter()
                .zip(&self.urls)
                .enumerate()
                .find(|(_, (rule, rule_url))| {
                    let method_fits = rule
                        .matcher
                        .method
                        .as_deref()
                        .is_none_or(|m| m == request.method);
                    method_fits && rule_url.as_str() == url
                });
        let Some((index, (rule, _))) = matching else {
            return WireResponse::Http {
                status: 404,
                headers: with_content_length(404, HeaderList::default(), ""),
                body: String::new(),
                rule: None,
            };
        };
        if rule.respond.network_error {
            return WireResponse::NetworkError { rule: index };
        }
        let headers = rule
            .respond
            .headers
            .iter()
            .map(|(name, value)| {
                let value = substitute_request_values(value, &request.headers);
                (name.clone(), normalize_header_value(&value).to_owned())
            })
            .collect();
        let status = rule.respond.status;
        WireResponse::Http {
            status,
            headers: with_content_length(status, HeaderList(headers), &rule.respond.body),
            body: rule.respond.body.clone(),
            rule: Some(index),
        }
    }
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
pub fn substitute_request_values(template: &str, request_headers: &HeaderList) -> String {
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
pub fn without_fragment(text: &str) -> String {
    match Url::parse(text) {
        Ok(mut url) => {
            url.set_fragment(None);
            url.to_string()
        }
        Err(_) => text.split('#').next().unwrap_or_default().to_owned(),
    }
}

/// The reason phrase the mock server sends: the canonical one, or
/// `<none>` (what hyper, the real mock server, writes for an unknown status).
pub fn reason_phrase(status: u16) -> &'static str {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("<none>")
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
}
