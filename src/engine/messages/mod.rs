//! Console lines and script errors, rendered per browser from a typed
//! [`Failure`], as Chromium renders its `CorsError` in `cors_error_string.cc`.
//!
//! Chromium's strings are checked against real Chromium by the verify test;
//! Firefox's come from `security.properties` and Safari's from WebKit's source
//! (see `../shared/research/console-messages.md`).

use serde::Serialize;

use super::csp::{gecko_directive_text, CspViolation};
use super::failure::{CorsError, Failure, NetworkErrorKind, Phase};
use super::request::BuildNote;
use crate::scenario::{AddressSpace, Api, Browser, Mode, Outcome};

/// What a message needs besides the failure itself.
#[derive(Debug, Clone)]
pub struct MessageContext<'a> {
    /// Which script API made the call.
    pub api: Api,
    /// The URL that failed (the last one of a redirect chain).
    pub url: &'a str,
    /// The URL the script asked for.
    pub initial_url: &'a str,
    /// The page's serialized origin.
    pub origin: &'a str,
    /// The page's URL (its origin with path `/`; the origin itself when opaque).
    pub page_url: &'a str,
    /// Whether the response that failed was a redirect the request was following.
    pub on_followed_redirect: bool,
    /// The status of the response that failed, if there was one.
    pub status: Option<u16>,
    /// The method as sent.
    pub method: &'a str,
    /// The request's mode (`no-cors` for an element without `crossorigin`).
    pub mode: Mode,
    /// The `Origin` the failing request carried, when it is not the page's
    /// (`null` after a cross-origin redirect tainted it).
    pub sent_origin: Option<&'a str>,
    /// Where the redirect that failed pointed (its `Location`, resolved), when
    /// the failing response was a redirect the request was following.
    pub redirect_to: Option<&'a str>,
    /// The script's request headers, names as it wrote them.
    pub script_headers: &'a [(String, String)],
}

/// The console lines and the script's exception for one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rendered {
    /// Console lines, in order.
    pub console: Vec<String>,
    /// The exception the script sees (`None` for async XHR, which fires `error`).
    pub js_error: Option<String>,
}

/// Console lines for a request the script receives.
pub(crate) fn success_console(
    browser: Browser,
    outcome: Outcome,
    status: Option<u16>,
) -> Vec<String> {
    match (browser, outcome, status) {
        // Browser: Chromium reports an error status even when CORS allowed the
        // response; Firefox and Safari print nothing for it.
        (Browser::Chrome, Outcome::Allowed, Some(status)) if status >= 400 => {
            vec![format!(
                "Failed to load resource: the server responded with a status of {status} ({})",
                super::server::reason_phrase(status)
            )]
        }
        _ => Vec::new(),
    }
}

/// Console lines printed while the script builds the request: Chromium and
/// WebKit warn when `setRequestHeader` is refused a forbidden header (fetch's
/// `Headers` drops it silently).
pub(crate) fn build_console(notes: &[BuildNote], api: Api, browser: Browser) -> Vec<String> {
    if api != Api::Xhr || browser == Browser::Firefox {
        return Vec::new();
    }
    notes
        .iter()
        .filter_map(|note| match note {
            BuildNote::ForbiddenHeaderDropped { name } => {
                Some(format!("Refused to set unsafe header \"{name}\""))
            }
            _ => None,
        })
        .collect()
}

/// Whether Safari's `line` (a console line or the script's error) comes
/// from WebKit's source only, not from what WebCore printed in WebKitGTK
/// (`cors-lab verify --browser webkit`): Web Inspector's own lines, and the
/// texts Safari's network stack (CFNetwork) words where WebKitGTK's
/// (libsoup) words them differently, or that were never run.
pub fn safari_line_from_source(line: &str) -> bool {
    safari::FROM_SOURCE_ONLY
        .iter()
        .any(|mark| line.contains(mark))
}

/// The warnings `browser` prints as it parses the page's policies: a
/// directive listing `'none'` with other sources, which CSP ignores
/// (observed in Chromium 156 and WebKitGTK 2.50; Firefox ESR 153 prints none),
/// for `tests/verify-fixtures/finding-k-csp-two-policies.json`.
/// Not modelled: the browsers' other policy warnings.
pub fn page_csp_warnings(policies: &[super::csp::Policy], browser: Browser) -> Vec<String> {
    let mut lines = Vec::new();
    for directive in policies.iter().flat_map(|p| &p.directives) {
        let sources: Vec<&str> = directive.sources().collect();
        let none_among_others =
            sources.len() > 1 && sources.iter().any(|s| s.eq_ignore_ascii_case("'none'"));
        if !none_among_others {
            continue;
        }
        let name = &directive.name;
        match browser {
            Browser::Chrome => lines.push(format!(
                "The Content-Security-Policy directive '{name}' contains the keyword 'none' alongside with other source expressions. The keyword 'none' must be the only source expression in the directive value, otherwise it is ignored."
            )),
            Browser::Safari => lines.push(format!(
                "The source list for Content Security Policy directive '{name}' contains an invalid source: ''none''. It will be ignored. Note that 'none' has no effect unless it is the only expression in the source list."
            )),
            Browser::Firefox => {}
        }
    }
    lines
}

/// Renders `failure` as `browser` prints it.
pub fn render(failure: &Failure, context: &MessageContext<'_>, browser: Browser) -> Rendered {
    // Issue 13 families 4 and 5 have their own lines.
    if let Some(rendered) = beyond_cors::render(failure, context, browser) {
        return rendered;
    }
    match browser {
        Browser::Chrome => chrome::render(failure, context),
        Browser::Firefox => firefox::render(failure, context),
        Browser::Safari => safari::render(failure, context),
    }
}

/// EventSource's own lines when it refuses a response, the same text in
/// Chromium 156 (observed) and WebKit (`EventSource::responseIsValid`: nothing
/// for a status other than 200, so only the failed-load line).
fn event_stream_refusal(failure: &Failure) -> Option<String> {
    match failure {
        Failure::EventStreamStatus { status } => Some(format!(
            "Failed to load resource: the server responded with a status of {status} ({})",
            crate::engine::server::reason_phrase(*status)
        )),
        Failure::EventStreamMimeType { mime } => Some(format!(
            "EventSource's response has a MIME type (\"{mime}\") that is not \"text/event-stream\". Aborting the connection."
        )),
        _ => None,
    }
}

mod beyond_cors;
pub use beyond_cors::{firefox_lna_detected, firefox_lna_permission_required, firefox_orb_lines};

mod chrome;

mod firefox;

mod safari;

#[cfg(test)]
mod tests;
