//! The words of the navigation and WebSocket steps, and of the verdict.

use super::StepText;
use crate::engine::step::StepKind;
use crate::scenario::{Api, Outcome};

pub(super) fn narrate(kind: &StepKind) -> StepText {
    match kind {
        StepKind::Navigation => StepText::titled("A navigation, not a CORS request")
            .found("the form submission navigates its target iframe: no preflight, no CORS check")
            .why("Forms predate CORS; servers have always had to expect cross-origin form posts. Whatever the enctype or body, the browser sends it."),
        StepKind::NavigationUnanswered => {
            StepText::titled("Request sent").found("the connection failed")
        }
        StepKind::NavigationAnswered { status } => StepText::titled("Request sent")
            .found(format!("status {status}: the server acted on the request and the iframe shows its answer"))
            .why("The page's script cannot read the cross-origin document in the iframe: the same-origin policy blocks reading, not sending."),
        StepKind::Handshake { url, origin } => StepText::titled("A WebSocket handshake, not a CORS request")
            .compared(format!("GET {url} with Origin: {origin}"))
            .found("the browser sends the page's Origin and will not look for any Access-Control-* header")
            .why("CORS does not apply to WebSockets: a server that does not check Origin accepts every page on the web."),
        StepKind::HandshakeAnswered { status: 101 } => StepText::titled("Handshake answered")
            .found("status 101: the connection is open, and the script can send and read messages"),
        StepKind::HandshakeAnswered { status } => StepText::titled("Handshake answered")
            .found(format!("status {status}, not 101: the connection fails"))
            .why("Only the server's own decision (here: a refusal) stops a WebSocket; the browser never does."),
        StepKind::Verdict {
            outcome,
            api,
            failed,
            csp_blocked,
            console_lines,
        } => verdict(*outcome, *api, *failed, *csp_blocked, *console_lines),
        _ => StepText::default(),
    }
}

fn verdict(
    outcome: Outcome,
    api: Api,
    failed: bool,
    csp_blocked: bool,
    console_lines: usize,
) -> StepText {
    let found = match (outcome, api) {
        (Outcome::Allowed, Api::Stylesheet) => {
            "the stylesheet loads and applies, and the page's script may read its rules"
        }
        (Outcome::Allowed, Api::Img | Api::Script) => {
            "the element loads, and the page may read it (canvas pixels, script errors)"
        }
        (Outcome::Allowed, Api::Eventsource | Api::Websocket) => {
            "the connection opens and the script receives its messages"
        }
        (Outcome::Allowed, _) => "the script gets the response",
        (Outcome::Opaque, Api::Stylesheet) => {
            "the stylesheet loads and styles the page, but the page's script cannot read its rules"
        }
        (Outcome::Opaque, Api::Img | Api::Script) => {
            "the element loads (the image is shown, the script runs), but the page cannot read the response"
        }
        (Outcome::Opaque, Api::Form) => {
            "the form was submitted; the iframe shows the answer, which the page's script cannot read"
        }
        (Outcome::Opaque, _) => "the script gets an opaque response: status 0, no headers, no body",
        (Outcome::Blocked, _) => "blocked by CORS: the script gets a network error",
        (Outcome::NetworkError, _) if csp_blocked => {
            "blocked by the page's own Content-Security-Policy: a network error, and nothing was sent"
        }
        (Outcome::NetworkError, _) => "a network error, before any CORS check",
    };
    let why = match (failed, api) {
        (false, _) => "",
        (true, Api::Xhr) => "XMLHttpRequest fires its error event with status 0; the details are only in the console.",
        (true, Api::Fetch) => "fetch() rejects with a TypeError that says nothing about why; the details are only in the console.",
        (true, Api::Img | Api::Script | Api::Stylesheet) => "The element fires its error event; the details are only in the console.",
        (true, Api::Eventsource) => "EventSource fires its error event and closes (readyState 2); the details are only in the console.",
        (true, Api::Websocket) => "WebSocket fires error, then close with code 1006; the details are only in the console.",
        (true, Api::Form) => "The iframe shows the browser's error page.",
    };
    let lines = match console_lines {
        0 => String::new(),
        1 => "; the console shows 1 line".to_owned(),
        n => format!("; the console shows {n} lines"),
    };
    StepText::titled("Verdict")
        .found(format!("{found}{lines}"))
        .why(why)
}
