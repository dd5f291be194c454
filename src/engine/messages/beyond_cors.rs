//! The console lines of issue 13's families 4 and 5, per browser: Local
//! Network Access, Cross-Origin-Resource-Policy (with COEP) and ORB.
//! Chromium's and Firefox's are observed in Chromium 156 and Firefox ESR 153
//! (`tests/verify-fixtures/FINDINGS-beyond-cors.md` §4–5, and the verify
//! fixtures `finding-n-*.json`); Safari's CORP lines come from WebKit's WPT
//! expectations (`fetch/cross-origin-resource-policy/fetch-expected.txt`).
//!
//! Not modelled in `console`: Firefox's lines logged by its parent process
//! (LNA's "Local Network Access permission required/detected" info lines,
//! ORB's two warnings, "Loading failed for the <script>"), which the
//! console verify reads (WebDriver BiDi `log.entryAdded`) never carries; their
//! text is rendered by [`firefox_lna_permission_required`],
//! [`firefox_lna_detected`] and [`firefox_orb_lines`] for `diagnose`.

use super::*;
use crate::engine::local_network::LnaDenial;
use crate::engine::resource_policy::{CorpPolicy, OrbReason};

/// Chromium's reason after "has been blocked by CORS policy: " for a Local
/// Network Access refusal (its CorsErrors `LocalNetworkAccessPermissionDenied`,
/// `InsecureLocalNetwork`, `InvalidLocalNetworkAccess`).
pub(super) fn chrome_lna_reason(target: AddressSpace, denial: &LnaDenial) -> String {
    let space = target.as_str();
    match denial {
        LnaDenial::PermissionDenied { .. } => {
            format!("Permission was denied for this request to access the `{space}` address space.")
        }
        LnaDenial::InsecureContext => format!(
            "The request client is not a secure context and the resource is in more-private address space `{space}`."
        ),
        LnaDenial::TargetSpaceMismatch { declared } => format!(
            "Request had a target IP address space of `{}` yet the resource is in address space `{space}`.",
            declared.as_str()
        ),
    }
}

/// Chromium's `net::ERR_BLOCKED_BY_RESPONSE` reason for a CORP block.
fn chrome_corp_reason(policy: CorpPolicy, defaulted_by_coep: bool) -> &'static str {
    match (policy, defaulted_by_coep) {
        (_, true) => "NotSameOriginAfterDefaultedToSameOriginByCoep",
        (CorpPolicy::SameOrigin, false) => "NotSameOrigin",
        (CorpPolicy::SameSite, false) => "NotSameSite",
    }
}

/// Firefox's `CORPBlocked` (necko.properties), for CORP and COEP alike.
fn firefox_corp_line(url: &str) -> String {
    format!(
        "The resource at \u{201C}{url}\u{201D} was blocked due to its Cross-Origin-Resource-Policy header (or lack thereof). See https://developer.mozilla.org/docs/Web/HTTP/Cross-Origin_Resource_Policy_(CORP)#"
    )
}

/// The lines and error for a failure of families 4 and 5; `None` for any other.
pub(super) fn render(
    failure: &Failure,
    context: &MessageContext<'_>,
    browser: Browser,
) -> Option<Rendered> {
    let fetch_error = |text: &str| (context.api == Api::Fetch).then(|| text.to_owned());
    let url = context.url;
    Some(match (failure, browser) {
        // Chromium's LNA refusal is a CORS line (chrome::reason).
        (Failure::LocalNetworkAccess { .. }, Browser::Chrome) => return None,
        // Firefox: the content process reports it as a failed CORS request;
        // an element (no-cors) prints nothing there. Firefox checks each
        // connection, the preflight's first: a refused preflight, then the
        // cancelled request, print the line once each (as for any preflight
        // whose connection failed).
        (
            Failure::LocalNetworkAccess {
                needs_preflight, ..
            },
            _,
        ) => Rendered {
            console: if context.mode == Mode::NoCors {
                Vec::new()
            } else {
                let line = format!(
                    "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: CORS request did not succeed). Status code: (null)."
                );
                vec![line; if *needs_preflight { 2 } else { 1 }]
            },
            js_error: fetch_error("TypeError: NetworkError when attempting to fetch resource."),
        },
        (
            Failure::CorpBlocked {
                policy,
                defaulted_by_coep,
            },
            Browser::Chrome,
        ) => Rendered {
            console: vec![format!(
                "Failed to load resource: net::ERR_BLOCKED_BY_RESPONSE.{}",
                chrome_corp_reason(*policy, *defaulted_by_coep)
            )],
            js_error: fetch_error("TypeError: Failed to fetch"),
        },
        (Failure::CorpBlocked { .. }, Browser::Firefox) => Rendered {
            console: vec![firefox_corp_line(url)],
            js_error: fetch_error("TypeError: NetworkError when attempting to fetch resource."),
        },
        (Failure::CorpBlocked { .. }, Browser::Safari) => {
            let mut console = vec![format!(
                "Cancelled load to {url} because it violates the resource's Cross-Origin-Resource-Policy response header."
            )];
            let wrapper = match context.api {
                Api::Fetch => Some("Fetch API cannot load"),
                Api::Img => Some("Cannot load image"),
                _ => None,
            };
            if let Some(wrapper) = wrapper {
                console.push(format!("{wrapper} {url} due to access control checks."));
            }
            Rendered {
                console,
                js_error: fetch_error("TypeError: Load failed"),
            }
        }
        // Chromium prints no console line for ORB (the DevTools network row
        // shows `net::ERR_BLOCKED_BY_ORB`); Firefox's lines are its parent
        // process's (see the module doc). Only elements meet ORB.
        (Failure::OrbBlocked { .. }, _) => Rendered {
            console: Vec::new(),
            js_error: None,
        },
        _ => return None,
    })
}

/// Firefox's `LocalNetworkAccessPermissionRequired` line (necko.properties,
/// info level, parent process), without the JavaScript stack Firefox appends:
/// `page` is the page's URL, `target` the request's, `via` `fetch`, `xhr`
/// or `http` (an element).
pub fn firefox_lna_permission_required(
    page: &str,
    target: &str,
    via: &str,
    secure: bool,
) -> String {
    let host_port = host_port(target);
    let secure = if secure { "True" } else { "False" };
    format!(
        "Local Network Access permission required: top-level site \u{201C}{page}\u{201D}, initiator \u{201C}{page}\u{201D}, attempting to access target \u{201C}{target}\u{201D} ({host_port}) via {via}. Secure context: {secure}"
    )
}

/// Firefox's `LocalNetworkAccessDetected` line (necko.properties, info
/// level, parent process), printed when the request's fate is decided:
/// `action` is the prompt's outcome (`prompt_deny`, `auto_deny` for a
/// denied permission, `auto_allow` for a granted one); the other arguments
/// as for [`firefox_lna_permission_required`].
pub fn firefox_lna_detected(
    page: &str,
    target: &str,
    via: &str,
    secure: bool,
    action: &str,
) -> String {
    let secure = if secure { "True" } else { "False" };
    format!(
        "Local Network Access detected: top-level site \u{201C}{page}\u{201D}, initiator \u{201C}{page}\u{201D}, accessing target \u{201C}{target}\u{201D} ({}) via {via}. Secure context: {secure}, prompt action: {action}",
        host_port(target)
    )
}

/// `host:port` of `target` as Firefox's LNA lines name it (the port even
/// when it is the scheme's default).
fn host_port(target: &str) -> String {
    url::Url::parse(target)
        .ok()
        .and_then(|u| Some(format!("{}:{}", u.host_str()?, u.port_or_known_default()?)))
        .unwrap_or_default()
}

/// Firefox's two ORB warnings (`ResourceBlockedORB`, then the summary line;
/// parent process), with the reason string of the step that refused.
pub fn firefox_orb_lines(url: &str, reason: &OrbReason) -> Vec<String> {
    let reason = match reason {
        OrbReason::NeverSniffed { .. } => "mimeType is an opaque-blocklisted-never-sniffed MIME type",
        OrbReason::Nosniff { .. } => {
            "nosniff is true and mimeType is an opaque-blocklisted MIME type or its essence is 'text/plain'"
        }
        OrbReason::NotJavaScript { .. } => "Javascript validation failed",
    };
    vec![
        format!("The resource at \u{201C}{url}\u{201D} was blocked by OpaqueResponseBlocking. Reason: \u{201C}{reason}\u{201D}."),
        "A resource is blocked by OpaqueResponseBlocking, please check browser console for details.".to_owned(),
    ]
}
