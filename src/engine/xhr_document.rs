//! The document an `XMLHttpRequest` builds from its response, as far as it
//! prints to the console: Firefox's `XML Parsing Error` line.
//!
//! [XHR § response body](https://xhr.spec.whatwg.org/#document-response):
//! "If xhr's response type is the empty string … and the MIME type is not
//! an HTML MIME type or an XML MIME type, then return" — a Document is built
//! only for XML (or, with responseType "document", HTML). The spec builds it
//! lazily when `responseXML` is read; Gecko parses every eligible body as it
//! arrives, so a page that only reads `responseText` still gets the line.

use super::headers::HeaderList;
use super::server::WireResponse;
use super::trace::{Exchange, ExchangeKind};

// Browser: Firefox (XMLHttpRequestMainThread) parses the body of an XHR with
// the default responseType ("") as XML when its MIME type is an XML MIME
// type or missing, unless the method is HEAD or Content-Length is 0. A body
// that is not well-formed prints one console error of three lines (observed
// in Firefox ESR 153, verify over `tests/wpt/wpt-status-xhr.json` 2-3,
// `wpt-preflight-failure-xhr.json` 0-1, `wpt-xhr-upload-listener.json` 0-2):
// `XML Parsing Error: not well-formed` for `{}`, `… syntax error` for `OMG`,
// then `Location: <response URL>` and `Line Number 1, Column 1:`. Chromium and
// WebKit print nothing for a body they cannot parse.
//
// Which of the two reasons follows expat's first token: a name or name token
// (letters, digits, `_`, `:`) is a syntax error in the prolog, any other
// character an invalid token ("not well-formed").
// Not modelled: a body starting with `<` or whitespace (its well-formedness
// and the error's position need a real XML parser); a body without
// Content-Length (verify's server always sends one; Firefox would then parse
// an empty body and print `no root element found`).
/// Firefox's `XML Parsing Error` line for the last response of an XHR that
/// the script received, if Firefox prints one.
pub(super) fn firefox_xml_parsing_error(exchanges: &[Exchange], method: &str) -> Option<String> {
    if method.eq_ignore_ascii_case("HEAD") {
        return None;
    }
    let exchange = exchanges
        .iter()
        .rev()
        .find(|e| e.kind == ExchangeKind::Actual)?;
    let WireResponse::Http { headers, body, .. } = &exchange.response else {
        return None;
    };
    if body.is_empty() || !is_parsed_as_xml(headers) {
        return None;
    }
    let first = body.chars().next()?;
    if first == '<' || first.is_whitespace() {
        return None;
    }
    let reason = if first.is_ascii_alphanumeric() || first == '_' || first == ':' {
        "syntax error"
    } else {
        "not well-formed"
    };
    Some(format!(
        "XML Parsing Error: {reason}\nLocation: {}\nLine Number 1, Column 1:",
        exchange.request.url
    ))
}

/// Whether Gecko parses the body as XML: no `Content-Type`, or an
/// [XML MIME type](https://mimesniff.spec.whatwg.org/#xml-mime-type).
fn is_parsed_as_xml(headers: &HeaderList) -> bool {
    let Some(value) = headers.get("Content-Type") else {
        return true;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "text/xml" || essence == "application/xml" || essence.ends_with("+xml")
}
