//! The words of the steps where the failure is not CORS (issue 13): the
//! connection, mixed content, and an error status before the CORS check.

use super::StepText;
use crate::engine::failure::Phase;
use crate::engine::server::reason_phrase;
use crate::engine::step::{MixedContentResolution, StepKind};
use crate::scenario::NetworkErrorKind;

pub(super) fn narrate(kind: &StepKind) -> StepText {
    match kind {
        StepKind::Unanswered {
            method,
            url,
            kind,
            page_timeout_ms,
        } => connection(&format!("{method} {url}"), *kind, *page_timeout_ms),
        StepKind::PreflightUnanswered {
            url,
            kind,
            page_timeout_ms,
        } => connection(
            &format!("OPTIONS {url} (the preflight)"),
            *kind,
            *page_timeout_ms,
        ),
        StepKind::MixedContent {
            page_url,
            url,
            resolution,
        } => mixed_content(page_url, url, resolution),
        StepKind::ErrorStatus {
            phase,
            status,
            has_allow_origin,
        } => error_status(*phase, *status, *has_allow_origin),
        StepKind::RedirectedElsewhere { from, to } => StepText::titled("Redirected elsewhere")
            .compared(format!("asked for {from}"))
            .found(format!("a redirect took the request to {to}, another origin, whose answer has no CORS permission"))
            .why("Chrome's line says \"(redirected from …)\". If nobody meant this redirect (an expired session sent to a login page, a load balancer's error page), make the API answer 401 or 404 with its CORS headers instead, and let the page navigate there itself; if it was meant, the target must allow the origin too.")
            .highlight(to.clone()),
        _ => StepText::default(),
    }
}

/// What happened to the connection, by kind.
fn connection(what: &str, kind: NetworkErrorKind, page_timeout_ms: Option<u64>) -> StepText {
    let (found, why, detail) = match kind {
        NetworkErrorKind::Closed => (
            "the server accepted the connection and closed it without answering",
            "The server crashed or dropped the request (a proxy, a worker that died). Check its logs.",
            "closed",
        ),
        NetworkErrorKind::Refused => (
            "the connection was refused: nothing listens on that host and port",
            "The server is not running, or listens on another port or address. Start it, or fix the URL.",
            "refused",
        ),
        NetworkErrorKind::Reset => (
            "the connection was reset after the request was sent",
            "Something between the browser and the server (or the server itself) cut the connection. Check the server's and the proxy's logs.",
            "reset",
        ),
        NetworkErrorKind::Dns => (
            "the host name does not resolve: no address, nothing was sent",
            "A typo in the host, a missing DNS record, or a name that only resolves on another network (VPN, /etc/hosts).",
            "does not resolve",
        ),
        NetworkErrorKind::Tls => (
            "the TLS handshake failed: the browser does not trust the server's certificate, nothing was sent",
            "The certificate is self-signed, expired or for another name. Install a certificate the browser trusts (or trust your development CA).",
            "certificate",
        ),
        NetworkErrorKind::Timeout => match page_timeout_ms {
            Some(_) => (
                "the server accepted the request and never answered; the page gave up",
                "The server is stuck or too slow. The page's own limit ended the wait; no CORS check ever ran.",
                "gave up",
            ),
            None => (
                "the server accepted the request and never answered",
                "The server is stuck or too slow; the browser gives up on its own after a long wait.",
                "never answered",
            ),
        },
    };
    let found = match page_timeout_ms {
        Some(ms) => format!("{found} after {ms} ms"),
        None => found.to_owned(),
    };
    StepText::titled("Connection")
        .compared(what.to_owned())
        .found(found)
        .why(format!(
            "{why} This is a network error, not a CORS error: no response, so nothing for CORS to check."
        ))
        .highlight(detail)
}

fn mixed_content(page_url: &str, url: &str, resolution: &MixedContentResolution) -> StepText {
    let text =
        StepText::titled("Mixed content").compared(format!("page {page_url} asks for {url}"));
    match resolution {
        MixedContentResolution::Blocked => text
            .found("an https page asked for an http URL: blocked before anything was sent")
            .why("A secure page may not load active content over plain http. Serve the API over https (same host, https://); no CORS header can change this.")
            .highlight("http:"),
        MixedContentResolution::Upgraded { to } => text
            .found(format!("an image over http: the browser upgraded it to {to}"))
            .why("Images, audio and video are upgraded to https rather than blocked; the server must answer on https at the same port.")
            .highlight("https:"),
        MixedContentResolution::LoopbackBlocked => text
            .found("an https page asked for http on this machine (localhost or a loopback address): blocked before anything was sent")
            .why("This browser does not count http://localhost and http://127.0.0.1 as potentially trustworthy (Safari: WebKit deviates from the spec here; Chrome and Firefox allow them). Serve the local API over https too.")
            .highlight("http:"),
        MixedContentResolution::Trustworthy => text
            .found("the http URL is on this machine (localhost or a loopback address): potentially trustworthy, so not mixed content")
            .why("Browsers let a secure page reach http://localhost and http://127.0.0.1, which never leave the machine."),
    }
}

fn error_status(phase: Phase, status: u16, has_allow_origin: bool) -> StepText {
    let which = match phase {
        Phase::Preflight => "the preflight (OPTIONS)",
        Phase::Actual => "the request",
    };
    let code = format!("{status} {}", reason_phrase(status));
    let text = StepText::titled("Server error")
        .compared(format!("the status of {which}"))
        .found(format!("the server answered {code}"))
        .highlight(status.to_string());
    match (phase, has_allow_origin) {
        (Phase::Preflight, _) => text.why(format!(
            "The server does not handle OPTIONS for this URL ({code}): its router has no OPTIONS route, or authentication runs before the CORS middleware. Answer the preflight with 204 and the CORS headers, before any login check (a preflight never carries credentials)."
        )),
        (Phase::Actual, false) => text.why(format!(
            "The server failed first ({code}), and its error response carries no CORS headers, so the browser reports CORS. Fix the error itself, and have error responses carry the CORS headers too, so the script can read them."
        )),
        (Phase::Actual, true) => text.why(format!(
            "The server failed ({code}); fix the error itself."
        )),
    }
}
