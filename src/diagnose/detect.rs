//! Which format a paste is in, without being told.

use std::fmt;

use serde::Serialize;

/// The input formats `diagnose` recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// A HAR file.
    Har,
    /// DevTools "Copy as cURL (bash)" or Firefox "Copy as cURL" (POSIX quoting).
    CurlBash,
    /// DevTools "Copy as cURL (cmd)" (Windows quoting).
    CurlCmd,
    /// A curl command with `curl -v` output.
    CurlVerbose,
    /// A curl command with `curl -i` output (response head after it).
    CurlInclude,
    /// Chrome/Edge "Copy as fetch".
    Fetch,
    /// Chrome/Edge "Copy as fetch (Node.js)".
    FetchNode,
    /// Firefox "Copy as Fetch".
    FirefoxFetch,
    /// Hand-written `fetch(...)` code.
    FetchCode,
    /// Hand-written `XMLHttpRequest` code.
    XhrCode,
    /// Request/response heads as DevTools shows them ("General", "Response Headers", ...).
    DevtoolsHeaders,
    /// Raw HTTP request/response heads.
    Http,
    /// Console error lines only.
    Console,
}

impl Format {
    /// The kebab-case name used in `--json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Har => "har",
            Format::CurlBash => "curl-bash",
            Format::CurlCmd => "curl-cmd",
            Format::CurlVerbose => "curl-verbose",
            Format::CurlInclude => "curl-include",
            Format::Fetch => "fetch",
            Format::FetchNode => "fetch-node",
            Format::FirefoxFetch => "firefox-fetch",
            Format::FetchCode => "fetch-code",
            Format::XhrCode => "xhr-code",
            Format::DevtoolsHeaders => "devtools-headers",
            Format::Http => "http",
            Format::Console => "console",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether the paste is JSON (a HAR) rather than text.
pub(crate) fn looks_like_json(text: &str) -> bool {
    text.trim_start().starts_with('{')
}

/// Which DevTools "Copy as fetch" flavour produced `code`, from its shape:
/// Firefox awaits and indents by four; Chrome's browser form names `mode`
/// or `referrerPolicy`; its Node.js form quotes keys but has neither.
pub(crate) fn fetch_flavour(code: &str) -> Format {
    let trimmed = code.trim_start();
    if trimmed.starts_with("XMLHttpRequest")
        || (!code.contains("fetch(") && code.contains("XMLHttpRequest"))
    {
        return Format::XhrCode;
    }
    if trimmed.starts_with("await fetch(\"") && code.contains("\n    \"") {
        return Format::FirefoxFetch;
    }
    if trimmed.starts_with("fetch(\"") && code.contains("\n  \"") {
        if code.contains("\"referrerPolicy\"") || code.contains("\"mode\"") {
            return Format::Fetch;
        }
        if code.contains("\"method\"") {
            return Format::FetchNode;
        }
    }
    Format::FetchCode
}
