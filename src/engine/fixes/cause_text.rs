//! The words of a [`Cause`]'s repair, for the failures that look like CORS
//! in the console but are not (or not only) CORS. Facts behind each one:
//! `tests/verify-fixtures/FINDINGS-beyond-cors.md`.

use crate::engine::cause::Cause;
use crate::engine::server::reason_phrase;

/// "500 (Internal Server Error)", or "an error status" when unknown.
fn status_text(status: Option<u16>) -> String {
    match status {
        Some(status) if status > 0 => format!("{status} ({})", reason_phrase(status)),
        _ => "an error status".to_owned(),
    }
}

/// The cause's name for people: "Server error", "Connection refused"…
pub fn cause_label(cause: Cause) -> &'static str {
    match cause {
        Cause::Cors => "CORS",
        Cause::PreflightStatus => "Preflight refused by the server",
        Cause::ServerError => "Server error",
        Cause::Redirect => "Unintended redirect",
        Cause::NetworkRefused => "Connection refused",
        Cause::NetworkDns => "Host name does not resolve",
        Cause::NetworkTls => "Untrusted certificate",
        Cause::NetworkClosed => "Connection closed without a response",
        Cause::NetworkReset => "Connection reset",
        Cause::NetworkTimeout => "Timed out",
        Cause::NetworkUnknown => "Connection failed",
        Cause::BlockedByClient => "Blocked by a browser extension",
        Cause::MixedContent => "Mixed content",
        Cause::LocalNetworkAccess => "Local Network Access",
        Cause::Corp => "Cross-Origin-Resource-Policy",
        Cause::Coep => "Cross-Origin-Embedder-Policy",
        Cause::Orb => "Opaque Response Blocking",
        Cause::PageCsp => "The page's Content-Security-Policy",
        Cause::Unknown => "Not known from the paste",
    }
}

/// The problem, in one clause (no capital, no full stop).
pub(super) fn cause_problem(cause: Cause) -> &'static str {
    match cause {
        Cause::Cors => "the CORS check failed",
        Cause::PreflightStatus => "the preflight (OPTIONS) request was refused with an error status",
        Cause::ServerError => "the server answered with an error, without CORS headers",
        Cause::Redirect => "the request was redirected where it may not go",
        Cause::NetworkRefused => "nothing accepted the connection",
        Cause::NetworkDns => "the host name does not resolve",
        Cause::NetworkTls => "the browser does not trust the server's certificate",
        Cause::NetworkClosed => "the server closed the connection without answering",
        Cause::NetworkReset => "the connection was reset",
        Cause::NetworkTimeout => "no answer came in time",
        Cause::NetworkUnknown => "the connection failed before any response",
        Cause::BlockedByClient => "a browser extension cancelled the request",
        Cause::MixedContent => "an https page asked for an http URL",
        Cause::LocalNetworkAccess => "Local Network Access refused a call to a more private address",
        Cause::Corp => "the response's Cross-Origin-Resource-Policy refuses this page",
        Cause::Coep => "the page's Cross-Origin-Embedder-Policy requires a CORP or CORS header the response lacks",
        Cause::Orb => "Opaque Response Blocking refused a no-cors response of the wrong type",
        Cause::PageCsp => "the page's own Content-Security-Policy does not allow this URL",
        Cause::Unknown => "the request failed, and the evidence does not say why",
    }
}

/// What to do, as full sentences: the cause first, then the repair.
pub(super) fn cause_advice(cause: Cause, status: Option<u16>) -> String {
    let status_text = status_text(status);
    match cause {
        Cause::ServerError => format!(
            "The server failed first: it answered {status_text}, and its error response carries no CORS headers, so the browser hides it from the script behind a CORS error. Fix the error itself (see the server's log), and send the CORS headers on error responses too (many frameworks add them only to successful ones)."
        ),
        Cause::PreflightStatus => format!(
            "The preflight (OPTIONS) was answered {status_text}: the server does not handle OPTIONS for this URL, or authentication (or routing) runs before CORS. A preflight never carries cookies or an Authorization header: let OPTIONS through before any authentication and answer it 204 with the CORS headers."
        ),
        Cause::Redirect => {
            let what = match status {
                Some(status @ 300..=399) => format!("answered with a {status} redirect"),
                _ => "redirected".to_owned(),
            };
            format!(
                "Not a CORS header problem: the request was {what}. An API call redirected to a login page means the session expired or the call is not authenticated: have the API answer 401 instead of redirecting, and sign in again. A preflight may never be redirected: request the final URL directly (often the trailing slash, or http → https)."
            )
        }
        Cause::NetworkRefused => "Not a CORS problem: nothing accepted the connection (connection refused). The server is not running, or listens on another port or address: start it, or fix the URL's host and port. No header can change this.".to_owned(),
        Cause::NetworkDns => "Not a CORS problem: the host name does not resolve. Check the URL's host for a typo, its DNS record, and any VPN or hosts-file entry it needs.".to_owned(),
        Cause::NetworkTls => "Not a CORS problem: the browser does not trust the server's certificate (self-signed, expired, or for another name). Open the URL in a tab to see the certificate error, and serve a certificate the browser trusts.".to_owned(),
        Cause::NetworkClosed => "Not a CORS problem: the server closed the connection without sending a response. It most likely crashed on this request, or a proxy dropped it: check the server's log.".to_owned(),
        Cause::NetworkReset => "Not a CORS problem: the connection was reset. The server, or a proxy, firewall or load balancer in between, aborted it: check their logs.".to_owned(),
        Cause::NetworkTimeout => "Not a CORS problem: no answer came in time. The server is slow or hangs on this request (or the page's own timeout is too short): check the server's log.".to_owned(),
        Cause::NetworkUnknown => "Not a CORS problem as far as the line goes: the connection failed before any response, and the browser does not say why. Check, in this order: the server is running and the URL's host, port and scheme are right; its certificate is trusted (open the URL in a tab); an ad or privacy blocker (try a private window without extensions); and, in Firefox, a Local Network Access prompt. The Network panel names the real error.".to_owned(),
        Cause::BlockedByClient => "Not a CORS problem: a browser extension (an ad, tracker or privacy blocker) cancelled the request before it was sent; the server never saw it. Disable extensions for this site, or try a private window without them, and keep API paths clear of words blockers match (ads, track, analytics, banner).".to_owned(),
        Cause::MixedContent => "Not a CORS problem: the page is https and the URL is http, so the browser blocks it as mixed content before sending anything. Serve the API over https (or call it with an https URL). No response header allows it; only localhost and 127.0.0.1 are exempt.".to_owned(),
        Cause::LocalNetworkAccess => "Not a CORS header problem: Local Network Access (Chrome 142+, Firefox 153) refused a call from a more public page to a loopback or private address, because the user has not granted the permission. Private Network Access is gone, and with it Access-Control-Allow-Private-Network: no response header changes this. The user must allow local network access for the site; in Chrome the page may declare it with fetch(url, {targetAddressSpace: \"loopback\"}) (or \"local\"); or serve the page and the API from the same address space.".to_owned(),
        Cause::Corp => "Not a CORS header problem: the resource sends Cross-Origin-Resource-Policy (same-origin or same-site), which refuses this page for a no-cors load (an <img>, a <script>, fetch with mode \"no-cors\"). Send `Cross-Origin-Resource-Policy: cross-origin` on it (helmet sets same-origin by default), or load it with CORS (crossorigin, or fetch in mode \"cors\").".to_owned(),
        Cause::Coep => "Not a CORS header problem: the page sends Cross-Origin-Embedder-Policy: require-corp, so every cross-origin no-cors resource must opt in. Send `Cross-Origin-Resource-Policy: cross-origin` on the resource, or load it with crossorigin and CORS headers, or use `Cross-Origin-Embedder-Policy: credentialless` on the page.".to_owned(),
        Cause::Orb => "Not a CORS header problem: Opaque Response Blocking refused a no-cors load (an <img> or <script>) whose response is JSON, HTML or another type that does not fit. Fetch data with fetch() in mode \"cors\", or serve the resource with the type it is loaded as.".to_owned(),
        Cause::PageCsp => "Not a CORS problem: the page's own Content-Security-Policy forbids this URL; widen it in the header that serves the page.".to_owned(),
        Cause::Cors | Cause::Unknown => "The line only says that the request failed: paste the line that names the reason (\"has been blocked by CORS policy: …\", \"Reason: …\"), the Network panel's line for the request (with its status), or the response headers.".to_owned(),
    }
}

/// Safari's `… due to access control checks.` on its own.
pub(super) const SAFARI_CATCH_ALL_PROBLEM: &str =
    "Safari printed only its general \"due to access control checks\" line";

/// What tells the cases of Safari's catch-all apart.
pub(super) const SAFARI_CATCH_ALL: &str = "This is Safari's general line: it closes every failed load, not only CORS failures. Safari also prints it for mixed content (an https page asking for http) and for cancelled loads (a blocker, a page navigating away). To tell them apart: the line Safari prints just before it (\"Origin … is not allowed by Access-Control-Allow-Origin. Status code: N\", \"Preflight response is not successful. Status code: N\", or \"[blocked] The page at … requested insecure content from ….\"), the page's and the URL's schemes (https page, http URL: mixed content), and the request's status in Web Inspector's Network tab (none at all: it was never answered or was cancelled).";
