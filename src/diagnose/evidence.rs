//! What a paste says happened, before it becomes a scenario: requests as
//! captured on the wire and the responses to them.

use serde::Serialize;

use crate::scenario::{HeaderPair, RequestSpec};

/// A request as a capture shows it (browser-added headers included).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct CapturedRequest {
    /// Method as sent.
    pub method: String,
    /// Absolute URL.
    pub url: String,
    /// Headers as captured.
    pub headers: Vec<HeaderPair>,
    /// Body text, if any.
    pub body: Option<String>,
    /// The script's own call, when the paste was script code (exact mode,
    /// credentials and headers; nothing to guess).
    pub script: Option<RequestSpec>,
    /// The page URL the capture names (`referrer` option, `Referer` header).
    pub referrer: Option<String>,
    /// The API that made it, when the capture says (a HAR's `_resourceType`).
    pub api: Option<crate::scenario::Api>,
    /// The credentials mode, when the capture says (a HAR's `_corsError`
    /// naming a credentials check means `include`).
    pub credentials: Option<crate::scenario::Credentials>,
}

impl CapturedRequest {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// Whether this is a CORS preflight (OPTIONS with `Access-Control-Request-Method`).
    pub fn is_preflight(&self) -> bool {
        self.method.eq_ignore_ascii_case("OPTIONS")
            && self.header("Access-Control-Request-Method").is_some()
    }
}

/// A response as captured.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct CapturedResponse {
    /// Status code.
    pub status: u16,
    /// Headers as captured.
    pub headers: Vec<HeaderPair>,
}

/// One request and, when the paste has it, its response.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Captured {
    /// The request.
    pub request: CapturedRequest,
    /// The response, when known (a HAR entry with status 0 has none).
    pub response: Option<CapturedResponse>,
}

/// The first header called `name` in `headers` (case-insensitive).
pub(crate) fn header<'a>(headers: &'a [HeaderPair], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}
