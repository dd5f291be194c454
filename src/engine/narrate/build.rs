//! The words of the build steps: what building the request changed, how an
//! element or other API fetches, and why a call throws.

use super::StepText;
use crate::engine::failure::Failure;
use crate::engine::request::BuildNote;
use crate::engine::step::StepKind;
use crate::scenario::{Api, Credentials, CrossOrigin};

pub(super) fn narrate(kind: &StepKind) -> StepText {
    match kind {
        StepKind::Built { note } => build_note(note),
        StepKind::InitiatorMode {
            api,
            crossorigin,
            credentials,
            method,
        } => initiator_mode(*api, *crossorigin, *credentials, method),
        StepKind::Thrown { failure } => thrown(failure),
        _ => StepText::default(),
    }
}

fn build_note(note: &BuildNote) -> StepText {
    match note {
        BuildNote::MethodNormalized { from, to } => StepText::titled("Method normalised")
            .compared(format!("method {from:?}"))
            .found(format!("sent as {to}"))
            .why("Only DELETE, GET, HEAD, OPTIONS, POST and PUT are upper-cased by the browser."),
        BuildNote::MethodNotNormalized { method } => StepText::titled("Method kept as written")
            .compared(format!("method {method:?}"))
            .found(format!("sent as {method}, not upper-cased"))
            .why(format!("`{method}` is not upper-cased by the browser: only DELETE, GET, HEAD, OPTIONS, POST and PUT are. The server must allow exactly `{method}`."))
            .highlight(method.clone()),
        BuildNote::ForbiddenHeaderDropped { name } => StepText::titled("Forbidden header dropped")
            .compared(format!("header {name}"))
            .found("the browser drops this header")
            .why("Scripts may not set forbidden request-headers; the browser silently ignores them.")
            .highlight(name.clone()),
        BuildNote::NoCorsHeaderDropped { name } => StepText::titled("Header dropped in no-cors mode")
            .compared(format!("header {name}"))
            .found("dropped: not a no-CORS-safelisted request-header")
            .why("A no-cors request may only carry Accept, Accept-Language, Content-Language and a simple Content-Type.")
            .highlight(name.clone()),
        BuildNote::HeaderCombined { name, value } => StepText::titled("Repeated header combined")
            .compared(format!("setRequestHeader({name:?}, …) called more than once"))
            .found(format!("one header {name}: {value}"))
            .why("The browser combines repeated headers into one value, which is then judged as a whole (128 bytes at most)."),
        BuildNote::DefaultHeaderAdded { name, value } => StepText::titled("Default header added")
            .compared(format!("no {name} set by the script"))
            .found(format!("the browser adds {name}: {value}"))
            .why("This default is CORS-safelisted, so it never causes a preflight by itself."),
        BuildNote::BodyIgnored => StepText::titled("Body ignored")
            .found("XMLHttpRequest ignores the body of a GET or HEAD request"),
        BuildNote::UploadListenerForcesPreflight => StepText::titled("Upload listener")
            .compared("an xhr.upload listener registered before send()")
            .found("sets the use-CORS-preflight flag")
            .why("Upload progress events would reveal timing to the page, so a cross-origin request with a listener is always preflighted."),
        // Recorded as `StepKind::InitiatorMode`, never as a note.
        BuildNote::InitiatorMode { .. } => StepText::titled("How this API fetches"),
        BuildNote::ApiIgnoresSetting { setting } => StepText::titled("Setting ignored")
            .found(format!("this API has no `{setting}`: the browser decides it")),
        BuildNote::XhrIgnoresSetting { setting } => StepText::titled("XHR ignores a setting")
            .found(format!("XMLHttpRequest has no `{setting}` option; it always uses mode cors and follows redirects")),
    }
}

fn initiator_mode(
    api: Api,
    crossorigin: Option<CrossOrigin>,
    credentials: Credentials,
    method: &str,
) -> StepText {
    let (found, why) = match (api, crossorigin) {
        (Api::Stylesheet, None) => (
            "no crossorigin attribute: mode no-cors, credentials include".to_owned(),
            "Embedding another origin's stylesheet was allowed before CORS existed: it loads with cookies and no CORS check, and its rules style the page, but the page's script cannot read them (document.styleSheets[i].cssRules throws).",
        ),
        (Api::Img | Api::Script, None) => (
            "no crossorigin attribute: mode no-cors, credentials include".to_owned(),
            "Embedding another origin's image or script was allowed before CORS existed: it loads with cookies and no CORS check, and the page can use it but not read it.",
        ),
        (Api::Img | Api::Script | Api::Stylesheet, Some(CrossOrigin::Anonymous)) => (
            "crossorigin=\"anonymous\": mode cors, credentials same-origin".to_owned(),
            "The attribute asks for a CORS request: the element loads only if the response passes the CORS check.",
        ),
        (Api::Img | Api::Script | Api::Stylesheet, Some(CrossOrigin::UseCredentials)) => (
            "crossorigin=\"use-credentials\": mode cors, credentials include".to_owned(),
            "A CORS request with cookies: the response must name the exact origin and allow credentials.",
        ),
        (Api::Eventsource, _) => (
            format!(
                "mode cors, credentials {}",
                if credentials == Credentials::Include {
                    "include (withCredentials: true)"
                } else {
                    "same-origin"
                }
            ),
            "EventSource always makes a CORS request; only Accept: text/event-stream is set, so it is never preflighted.",
        ),
        (Api::Form, _) => (
            format!("a {method} navigation of the target iframe"),
            "A form submission is a navigation: mode navigate, no CORS.",
        ),
        _ => (
            "mode websocket, credentials include".to_owned(),
            "A WebSocket handshake is fetched without any CORS check.",
        ),
    };
    StepText::titled("How this API fetches")
        .found(found)
        .why(why)
}

/// Why the script's call was rejected, in plain words, and the argument at fault.
fn thrown(failure: &Failure) -> StepText {
    let (found, highlight) = match failure {
        Failure::InvalidUrl { url } => {
            (format!("the URL {url:?} does not parse"), Some(url.clone()))
        }
        Failure::InvalidMethod { method } => (
            format!("{method:?} is not a method: a method must be a token"),
            Some(method.clone()),
        ),
        Failure::ForbiddenMethod { method } => (
            format!(
                "{method} is a forbidden method: scripts may never send CONNECT, TRACE or TRACK"
            ),
            Some(method.clone()),
        ),
        Failure::NoCorsMethod { method } => (
            format!("mode no-cors allows only GET, HEAD and POST, not {method}"),
            Some(method.clone()),
        ),
        Failure::InvalidHeaderName { name } => (
            format!(
                "{name:?} is not a header name: a name must be a token (no spaces or separators)"
            ),
            Some(name.clone()),
        ),
        Failure::InvalidHeaderValue { name, .. } => (
            format!("the value of {name} holds NUL, CR, LF or a character above U+00FF"),
            Some(name.clone()),
        ),
        Failure::BodyWithGetOrHead => (
            "a GET or HEAD request cannot have a body".to_owned(),
            Some("body".to_owned()),
        ),
        // Only the failures above are thrown by the script's call.
        _ => ("the browser rejects the call".to_owned(), None),
    };
    let text = StepText::titled("The call throws")
        .compared("the script's arguments")
        .found(found)
        .why("The browser rejects the call before any request is made.");
    match highlight {
        Some(h) => text.highlight(h),
        None => text,
    }
}
