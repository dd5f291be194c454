//! HAR files ("Save all as HAR"): every entry as a captured exchange.

use serde::Deserialize;

use super::evidence::{Captured, CapturedRequest, CapturedResponse};
use crate::scenario::HeaderPair;

#[derive(Debug, Deserialize)]
struct Har {
    log: Log,
}

#[derive(Debug, Deserialize)]
struct Log {
    #[serde(default)]
    entries: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
struct Entry {
    request: Request,
    #[serde(default)]
    response: Option<Response>,
    /// Chromium's resource type (`fetch`, `xhr`, `preflight`, ...).
    #[serde(default, rename = "_resourceType")]
    resource_type: Option<String>,
    /// Chromium's CORS error, in HARs assembled from DevTools-protocol events.
    #[serde(default, rename = "_corsError")]
    cors_error: Option<CorsErrorStatus>,
}

#[derive(Debug, Deserialize)]
struct CorsErrorStatus {
    #[serde(default, rename = "corsError")]
    cors_error: String,
}

#[derive(Debug, Deserialize)]
struct Request {
    #[serde(default)]
    method: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    headers: Vec<Header>,
    #[serde(default, rename = "postData")]
    post_data: Option<PostData>,
}

#[derive(Debug, Deserialize)]
struct PostData {
    #[serde(default)]
    text: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Response {
    #[serde(default)]
    status: i64,
    #[serde(default)]
    headers: Vec<Header>,
}

#[derive(Debug, Deserialize)]
struct Header {
    #[serde(default)]
    name: String,
    #[serde(default)]
    value: String,
}

fn pairs(headers: Vec<Header>) -> Vec<HeaderPair> {
    headers
        .into_iter()
        .filter(|h| !h.name.starts_with(':'))
        .map(|h| (h.name, h.value))
        .collect()
}

/// One HAR entry: the exchange, and whether Chromium tagged it an XHR.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HarEntry {
    /// The request and its response (`None` for status 0: nothing arrived or it was withheld).
    pub(crate) captured: Captured,
    /// `_resourceType` was `xhr`.
    pub(crate) is_xhr: bool,
}

/// Parses a HAR file; the error names the line and column serde stopped at.
pub(crate) fn parse_har(text: &str) -> Result<Vec<HarEntry>, String> {
    let har: Har = serde_json::from_str(text).map_err(|e| format!("not a valid HAR file: {e}"))?;
    Ok(har
        .log
        .entries
        .into_iter()
        .map(|entry| {
            let response = entry.response.and_then(|r| {
                u16::try_from(r.status)
                    .ok()
                    .filter(|s| *s > 0)
                    .map(|status| CapturedResponse {
                        status,
                        headers: pairs(r.headers),
                    })
            });
            let headers = pairs(entry.request.headers);
            let referrer = super::evidence::header(&headers, "Referer").map(str::to_owned);
            HarEntry {
                captured: Captured {
                    request: CapturedRequest {
                        method: entry.request.method,
                        url: entry.request.url,
                        headers,
                        body: entry.request.post_data.and_then(|p| p.text),
                        script: None,
                        referrer,
                        api: (entry.resource_type.as_deref() == Some("xhr"))
                            .then_some(crate::scenario::Api::Xhr),
                        // Chromium names a credentials check only for a request with credentials.
                        credentials: entry
                            .cors_error
                            .as_ref()
                            .is_some_and(|c| {
                                c.cors_error.contains("Wildcard")
                                    || c.cors_error.contains("AllowCredentials")
                            })
                            .then_some(crate::scenario::Credentials::Include),
                    },
                    response,
                },
                is_xhr: entry.resource_type.as_deref() == Some("xhr"),
            }
        })
        .collect())
}
