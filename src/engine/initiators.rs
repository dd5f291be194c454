//! The format's extension APIs: requests that an element, `EventSource`, a
//! form submission or a `WebSocket` makes, rather than `fetch()` or XHR.
//!
//! `<img>`, `<script>` and `EventSource` go through [main fetch](super::fetch)
//! with the mode and credentials their specs give; a form submission is a
//! navigation and a WebSocket handshake never runs the CORS check, so both
//! are modelled here.

use url::Url;

use super::failure::{Failure, Phase};
use super::fetch::{FetchContext, Fetched};
use super::headers::HeaderList;
use super::request::{BuildNote, Built, Request};
use super::server::{WireRequest, WireResponse};
use super::trace::{Exchange, ExchangeKind, Stage, Step, StepStatus};
use crate::scenario::{
    Api, Credentials, CrossOrigin, Mode, Outcome, PreflightUse, Redirect, RequestSpec,
};

/// The form encodings a `<form enctype>` can send.
const FORM_ENCTYPES: [&str; 3] = [
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "text/plain",
];

/// Builds the request of an extension API (`spec.api.is_extension()`).
///
/// - `<img>`, `<script>`, `<link rel=stylesheet>`: HTML's [create a potential-CORS request](https://html.spec.whatwg.org/multipage/urls-and-fetching.html#create-a-potential-cors-request):
///   "Let mode be "no-cors" if corsAttributeState is No CORS, and "cors"
///   otherwise"; "Let credentialsMode be "include"", then "same-origin" when
///   the state is Anonymous. A stylesheet's destination is "style", so
///   Fetch sets `Accept: text/css,*/*;q=0.1`.
/// - `EventSource`: [the constructor](https://html.spec.whatwg.org/multipage/server-sent-events.html#dom-eventsource):
///   mode "cors", credentials "same-origin", or "include" when
///   `withCredentials` is true; `Accept: text/event-stream`.
/// - `<form>`: [form submission](https://html.spec.whatwg.org/multipage/form-control-infrastructure.html#form-submission-algorithm)
///   navigates; the method is GET or POST and the body has the enctype's type.
/// - `WebSocket`: [establish a WebSocket connection](https://websockets.spec.whatwg.org/#concept-websocket-establish):
///   mode "websocket", credentials "include"; no CORS check.
pub fn build_initiator_request(spec: &RequestSpec, url: Url) -> Built {
    let mut notes = Vec::new();
    let ignored = |notes: &mut Vec<BuildNote>, setting: &str| {
        notes.push(BuildNote::ApiIgnoresSetting {
            setting: setting.to_owned(),
        })
    };
    if !spec.headers.is_empty() && spec.api != Api::Form {
        ignored(&mut notes, "headers");
    }
    if spec.crossorigin.is_some() && !spec.api.is_element() {
        ignored(&mut notes, "crossorigin");
    }
    let mut headers = HeaderList::default();
    let mut body = None;
    let mut method = "GET".to_owned();
    let (mode, credentials) = match spec.api {
        Api::Img | Api::Script | Api::Stylesheet => {
            if spec.api == Api::Stylesheet {
                // Fetch, "fetch" step 12: "If request's header list does not contain
                // `Accept`": for destination "style", `text/css,*/*;q=0.1`.
                headers.append("Accept", "text/css,*/*;q=0.1");
            }
            // Not modelled: each element's Sec-Fetch-Dest (image, script, style) and,
            // for `<img>`, Chromium's image Accept list (never part of a CORS decision).
            match spec.crossorigin {
                None => (Mode::NoCors, Credentials::Include),
                Some(CrossOrigin::Anonymous) => (Mode::Cors, Credentials::SameOrigin),
                Some(CrossOrigin::UseCredentials) => (Mode::Cors, Credentials::Include),
            }
        }
        Api::Eventsource => {
            // "Set request's header list to … `Accept`/`text/event-stream`."
            headers.append("Accept", "text/event-stream");
            let credentials = if spec.credentials == Credentials::Include {
                Credentials::Include
            } else {
                Credentials::SameOrigin
            };
            (Mode::Cors, credentials)
        }
        Api::Form => {
            // "If method is POST: … set body and the Content-Type of the enctype."
            if spec.method.eq_ignore_ascii_case("post") {
                method = "POST".to_owned();
                let enctype = spec
                    .headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
                    .map(|(_, v)| v.to_ascii_lowercase())
                    .filter(|v| FORM_ENCTYPES.contains(&v.as_str()))
                    .unwrap_or_else(|| "application/x-www-form-urlencoded".to_owned());
                headers.append("Content-Type", &enctype);
                body = Some(spec.body.clone().unwrap_or_default());
            }
            // Not modelled: the navigation's Accept and Sec-Fetch-* headers.
            (Mode::NoCors, Credentials::Include)
        }
        Api::Websocket | Api::Fetch | Api::Xhr => (Mode::Cors, Credentials::Include),
    };
    notes.push(BuildNote::InitiatorMode {
        crossorigin: spec.crossorigin.filter(|_| spec.api.is_element()),
    });
    if !spec.method.eq_ignore_ascii_case(&method) {
        ignored(&mut notes, "method");
    }
    Built {
        request: Request {
            api: spec.api,
            url,
            method,
            headers,
            body,
            mode,
            credentials,
            redirect: Redirect::Follow,
            use_cors_preflight: false,
        },
        notes,
    }
}

/// The build step that says which mode and credentials mode the API chose, and why.
pub fn initiator_mode_step(request: &Request, crossorigin: Option<CrossOrigin>) -> Step {
    let (anchor, found, why) = match (request.api, crossorigin) {
        (Api::Stylesheet, None) => (
            "create-a-potential-cors-request",
            "no crossorigin attribute: mode no-cors, credentials include".to_owned(),
            "Embedding another origin's stylesheet was allowed before CORS existed: it loads with cookies and no CORS check, and its rules style the page, but the page's script cannot read them (document.styleSheets[i].cssRules throws).",
        ),
        (Api::Img | Api::Script, None) => (
            "create-a-potential-cors-request",
            "no crossorigin attribute: mode no-cors, credentials include".to_owned(),
            "Embedding another origin's image or script was allowed before CORS existed: it loads with cookies and no CORS check, and the page can use it but not read it.",
        ),
        (Api::Img | Api::Script | Api::Stylesheet, Some(CrossOrigin::Anonymous)) => (
            "create-a-potential-cors-request",
            "crossorigin=\"anonymous\": mode cors, credentials same-origin".to_owned(),
            "The attribute asks for a CORS request: the element loads only if the response passes the CORS check.",
        ),
        (Api::Img | Api::Script | Api::Stylesheet, Some(CrossOrigin::UseCredentials)) => (
            "create-a-potential-cors-request",
            "crossorigin=\"use-credentials\": mode cors, credentials include".to_owned(),
            "A CORS request with cookies: the response must name the exact origin and allow credentials.",
        ),
        (Api::Eventsource, _) => (
            "dom-eventsource",
            format!(
                "mode cors, credentials {}",
                if request.credentials == Credentials::Include { "include (withCredentials: true)" } else { "same-origin" }
            ),
            "EventSource always makes a CORS request; only Accept: text/event-stream is set, so it is never preflighted.",
        ),
        (Api::Form, _) => (
            "form-submission-algorithm",
            format!("a {} navigation of the target iframe", request.method),
            "A form submission is a navigation: mode navigate, no CORS.",
        ),
        _ => (
            "concept-websocket-establish",
            "mode websocket, credentials include".to_owned(),
            "A WebSocket handshake is fetched without any CORS check.",
        ),
    };
    Step {
        stage: Stage::Build,
        anchor,
        title: "How this API fetches".to_owned(),
        compared: String::new(),
        found,
        why: why.to_owned(),
        status: StepStatus::Info,
        highlight: None,
    }
}

fn step(anchor: &'static str, title: &str, status: StepStatus) -> Step {
    Step {
        stage: Stage::Request,
        anchor,
        title: title.to_owned(),
        compared: String::new(),
        found: String::new(),
        why: String::new(),
        status,
        highlight: None,
    }
}

fn fetched(
    request: &Request,
    outcome: Outcome,
    failure: Option<Failure>,
    status: Option<u16>,
) -> Fetched {
    Fetched {
        outcome,
        failure,
        readable_headers: Vec::new(),
        preflight: PreflightUse::None,
        preflight_request: Vec::new(),
        final_url: request.url.to_string(),
        final_status: status,
        method: request.method.clone(),
        failed_on_followed_redirect: false,
    }
}

/// Sends `wire` to the mock server and records the exchange.
fn send(ctx: &mut FetchContext<'_>, wire: WireRequest) -> WireResponse {
    let response = ctx.server.respond(&wire);
    ctx.exchanges.push(Exchange {
        kind: ExchangeKind::Actual,
        request: wire,
        response: response.clone(),
    });
    response
}

/// A form submitted cross-origin into an iframe: the [navigate](https://html.spec.whatwg.org/multipage/browsing-the-web.html#navigate)
/// algorithm fetches with mode "navigate", which never runs the CORS check
/// and never preflights, whatever the method, enctype or body. The response
/// becomes a document the page's script cannot read (it is cross-origin).
pub fn submit_form(ctx: &mut FetchContext<'_>, request: &Request) -> Fetched {
    let mut headers = request.headers.clone();
    // Fetch: "append a request `Origin` header" — for navigations only when the method is neither GET nor HEAD.
    if request.method == "POST" {
        headers.append("Origin", &ctx.page.serialize());
    }
    let wire = WireRequest {
        method: request.method.clone(),
        url: request.url.to_string(),
        headers,
        body: request.body.clone(),
    };
    ctx.steps.push(
        step("navigate", "A navigation, not a CORS request", StepStatus::Info)
            .with_found("the form submission navigates its target iframe: no preflight, no CORS check")
            .with_why("Forms predate CORS; servers have always had to expect cross-origin form posts. Whatever the enctype or body, the browser sends it."),
    );
    match send(ctx, wire) {
        WireResponse::NetworkError { .. } => {
            // Not modelled: Chromium shows its error page in the iframe; the harness sees a load.
            ctx.steps.push(
                step("concept-network-error", "Request sent", StepStatus::Fail)
                    .with_found("the connection failed"),
            );
            fetched(
                request,
                Outcome::NetworkError,
                Some(Failure::ConnectionFailed {
                    phase: Phase::Actual,
                }),
                None,
            )
        }
        WireResponse::Http { status, .. } => {
            ctx.steps.push(
                step("navigate", "Request sent", StepStatus::Info)
                    .with_found(format!("status {status}: the server acted on the request and the iframe shows its answer"))
                    .with_why("The page's script cannot read the cross-origin document in the iframe: the same-origin policy blocks reading, not sending."),
            );
            fetched(request, Outcome::Opaque, None, Some(status))
        }
    }
}

/// The [WebSocket handshake](https://websockets.spec.whatwg.org/#concept-websocket-establish):
/// a GET with `Origin` and `Upgrade: websocket`; the connection opens on
/// status 101. "The request's mode is "websocket"", so no CORS check runs:
/// the server alone decides, from `Origin`, whom to accept.
pub fn establish_websocket(ctx: &mut FetchContext<'_>, request: &Request) -> Fetched {
    // The handshake is fetched, so main fetch's CSP step (connect-src) runs first.
    if let Some(blocked) = super::fetch::check_page_csp(ctx, request) {
        return blocked;
    }
    let mut headers = HeaderList::default();
    headers.append("Upgrade", "websocket");
    headers.append("Origin", &ctx.page.serialize());
    // Not modelled: Sec-WebSocket-Key, -Version and -Extensions (random or fixed, never CORS).
    let wire = WireRequest {
        method: "GET".to_owned(),
        url: request.url.to_string(),
        headers,
        body: None,
    };
    ctx.steps.push(
        step("concept-websocket-establish", "A WebSocket handshake, not a CORS request", StepStatus::Info)
            .with_compared(format!("GET {} with Origin: {}", request.url, ctx.page.serialize()))
            .with_found("the browser sends the page's Origin and will not look for any Access-Control-* header")
            .with_why("CORS does not apply to WebSockets: a server that does not check Origin accepts every page on the web."),
    );
    match send(ctx, wire) {
        WireResponse::NetworkError { .. } => fetched(
            request,
            Outcome::NetworkError,
            Some(Failure::ConnectionFailed {
                phase: Phase::Actual,
            }),
            None,
        ),
        WireResponse::Http { status: 101, .. } => {
            ctx.steps.push(
                step(
                    "concept-websocket-establish",
                    "Handshake answered",
                    StepStatus::Pass,
                )
                .with_found(
                    "status 101: the connection is open, and the script can send and read messages",
                ),
            );
            fetched(request, Outcome::Allowed, None, Some(101))
        }
        WireResponse::Http { status, .. } => {
            ctx.steps.push(
                step("concept-websocket-establish", "Handshake answered", StepStatus::Fail)
                    .with_found(format!("status {status}, not 101: the connection fails"))
                    .with_why("Only the server's own decision (here: a refusal) stops a WebSocket; the browser never does."),
            );
            fetched(
                request,
                Outcome::NetworkError,
                Some(Failure::WebSocketHandshake { status }),
                Some(status),
            )
        }
    }
}

/// EventSource's [response check](https://html.spec.whatwg.org/multipage/server-sent-events.html#dom-eventsource):
/// "if res's status is not 200, or if res's `Content-Type` is not
/// `text/event-stream`, then fail the connection". Runs after main fetch
/// handed the response over (so after the CORS check).
pub fn check_event_stream(exchanges: &[Exchange]) -> Option<Failure> {
    let (status, headers) = exchanges.iter().rev().find_map(|e| match &e.response {
        WireResponse::Http {
            status, headers, ..
        } if e.kind == ExchangeKind::Actual => Some((*status, headers)),
        _ => None,
    })?;
    let mime = headers.get("Content-Type").unwrap_or_default();
    let essence = mime
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if status != 200 {
        return Some(Failure::EventStreamStatus { status });
    }
    (essence != "text/event-stream").then_some(Failure::EventStreamMimeType { mime })
}

impl Step {
    fn with_found(mut self, text: impl Into<String>) -> Step {
        self.found = text.into();
        self
    }
    fn with_why(mut self, text: impl Into<String>) -> Step {
        self.why = text.into();
        self
    }
    fn with_compared(mut self, text: impl Into<String>) -> Step {
        self.compared = text.into();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::evaluate;
    use crate::scenario::parse_scenario;

    fn built(json: &str) -> Built {
        let spec: RequestSpec = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
        let url = Url::parse(&spec.url).unwrap_or_else(|e| panic!("{e}"));
        build_initiator_request(&spec, url)
    }

    #[test]
    fn crossorigin_attribute_decides_mode_and_credentials() {
        let plain = built(r#"{"api":"img","url":"https://b.example/x.svg"}"#).request;
        assert_eq!(
            (plain.mode, plain.credentials),
            (Mode::NoCors, Credentials::Include)
        );
        let anonymous =
            built(r#"{"api":"script","url":"https://b.example/x.js","crossorigin":"anonymous"}"#)
                .request;
        assert_eq!(
            (anonymous.mode, anonymous.credentials),
            (Mode::Cors, Credentials::SameOrigin)
        );
        let with = built(
            r#"{"api":"img","url":"https://b.example/x.svg","crossorigin":"use-credentials"}"#,
        )
        .request;
        assert_eq!(
            (with.mode, with.credentials),
            (Mode::Cors, Credentials::Include)
        );
    }

    #[test]
    fn a_stylesheet_asks_for_css_and_follows_its_crossorigin_attribute() {
        let plain = built(r#"{"api":"stylesheet","url":"https://b.example/t.css"}"#).request;
        assert_eq!(
            (plain.mode, plain.credentials, plain.method.as_str()),
            (Mode::NoCors, Credentials::Include, "GET")
        );
        assert_eq!(
            plain.headers.get("accept").as_deref(),
            Some("text/css,*/*;q=0.1")
        );
        let with = built(
            r#"{"api":"stylesheet","url":"https://b.example/t.css","crossorigin":"use-credentials"}"#,
        )
        .request;
        assert_eq!(
            (with.mode, with.credentials),
            (Mode::Cors, Credentials::Include)
        );
    }

    #[test]
    fn a_stylesheet_without_crossorigin_loads_and_with_it_needs_cors() {
        let rules = r#"[{"match":{"url":"https://cdn.example/t.css"},"respond":{"status":200,"headers":[["Content-Type","text/css"]]}}]"#;
        let plain = run(
            "https://app.example",
            rules,
            r#"{"api":"stylesheet","url":"https://cdn.example/t.css"}"#,
        );
        assert_eq!(plain.result.outcome, Outcome::Opaque);
        assert!(plain.result.console.is_empty());
        assert_eq!(
            plain.exchanges[0].request.headers.get("accept").as_deref(),
            Some("text/css,*/*;q=0.1")
        );
        let anonymous = run(
            "https://app.example",
            rules,
            r#"{"api":"stylesheet","url":"https://cdn.example/t.css","crossorigin":"anonymous"}"#,
        );
        assert_eq!(anonymous.result.outcome, Outcome::Blocked);
        assert_eq!(anonymous.result.preflight, PreflightUse::None);
        assert_eq!(
            anonymous.result.console.first().map(String::as_str),
            Some("Access to CSS stylesheet at 'https://cdn.example/t.css' from origin 'https://app.example' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.")
        );
        assert_eq!(anonymous.result.js_error, None);
    }

    #[test]
    fn event_source_asks_for_an_event_stream_and_ignores_script_headers() {
        let b = built(
            r#"{"api":"eventsource","url":"https://b.example/e","headers":[["X-A","1"]],"credentials":"include"}"#,
        );
        assert_eq!(
            b.request.headers.get("accept").as_deref(),
            Some("text/event-stream")
        );
        assert!(!b.request.headers.contains("X-A"));
        assert_eq!(b.request.credentials, Credentials::Include);
        assert!(b.notes.iter().any(
            |n| matches!(n, BuildNote::ApiIgnoresSetting { setting } if setting == "headers")
        ));
    }

    #[test]
    fn form_post_keeps_only_a_form_enctype() {
        let b = built(
            r#"{"api":"form","url":"https://b.example/f","method":"post","headers":[["Content-Type","application/json"]],"body":"a=1"}"#,
        );
        assert_eq!(b.request.method, "POST");
        assert_eq!(
            b.request.headers.get("content-type").as_deref(),
            Some("application/x-www-form-urlencoded")
        );
    }

    fn run(page: &str, rules: &str, request: &str) -> crate::engine::RequestTrace {
        let text = format!(
            r#"{{"format":"cors-scenario/1","id":"t","page":"{page}","server":{rules},"requests":[{request}]}}"#
        );
        let scenario = parse_scenario(&text).unwrap_or_else(|e| panic!("{e:?}"));
        let mut trace = evaluate(&scenario, None);
        trace.requests.pop().unwrap_or_else(|| panic!("no request"))
    }

    #[test]
    fn a_form_post_with_any_body_is_sent_without_preflight() {
        let t = run(
            "https://evil.example",
            r#"[{"match":{"url":"https://bank.example/t"},"respond":{"status":200}}]"#,
            r#"{"api":"form","url":"https://bank.example/t","method":"POST","headers":[["Content-Type","text/plain"]],"body":"{}"}"#,
        );
        assert_eq!(t.result.outcome, Outcome::Opaque);
        assert_eq!(t.result.preflight, PreflightUse::None);
        assert_eq!(t.exchanges.len(), 1);
        assert_eq!(
            t.exchanges[0].request.headers.get("origin").as_deref(),
            Some("https://evil.example")
        );
    }

    #[test]
    fn a_websocket_opens_whatever_its_origin_unless_the_server_refuses() {
        let open = run(
            "https://evil.example",
            r#"[{"match":{"url":"wss://chat.example/s"},"respond":{"status":101}}]"#,
            r#"{"api":"websocket","url":"wss://chat.example/s"}"#,
        );
        assert_eq!(open.result.outcome, Outcome::Allowed);
        assert!(open.result.console.is_empty());
        let refused = run(
            "https://evil.example",
            r#"[{"match":{"url":"wss://chat.example/s"},"respond":{"status":403}}]"#,
            r#"{"api":"websocket","url":"wss://chat.example/s"}"#,
        );
        assert_eq!(refused.result.outcome, Outcome::NetworkError);
        assert_eq!(
            refused.failure,
            Some(Failure::WebSocketHandshake { status: 403 })
        );
    }

    #[test]
    fn a_refusal_of_an_attacker_page_gets_no_fix_that_lets_it_in() {
        let rules = r#"[{"match":{"url":"https://api.example/a"},"respond":{"status":200}}]"#;
        let request = r#"{"url":"https://api.example/a","credentials":"include"}"#;
        let text = |attacker: bool| {
            format!(
                r#"{{"format":"cors-scenario/1","id":"t","page":"https://evil.example","attacker_page":{attacker},"server":{rules},"requests":[{request}]}}"#
            )
        };
        let fixes = |attacker| {
            let scenario = parse_scenario(&text(attacker)).unwrap_or_else(|e| panic!("{e:?}"));
            evaluate(&scenario, None)
                .requests
                .pop()
                .map(|r| r.fixes)
                .unwrap_or_default()
        };
        let ordinary = fixes(false);
        assert!(ordinary.iter().any(|f| f
            .action
            .header()
            .is_some_and(|(_, value)| value == "https://evil.example")));
        let attacker = fixes(true);
        assert_eq!(attacker.len(), 1);
        assert!(matches!(
            attacker.first().map(|f| &f.action),
            Some(crate::engine::fixes::FixAction::Advise(
                crate::engine::fixes::Advice::AttackerPage
            ))
        ));
    }

    #[test]
    fn an_event_stream_of_the_wrong_type_fails_after_the_cors_check() {
        let t = run(
            "https://app.example",
            r#"[{"match":{"url":"https://api.example/e"},"respond":{"status":200,"headers":[["Access-Control-Allow-Origin","*"],["Content-Type","application/json"]]}}]"#,
            r#"{"api":"eventsource","url":"https://api.example/e"}"#,
        );
        assert_eq!(
            t.failure,
            Some(Failure::EventStreamMimeType {
                mime: "application/json".into()
            })
        );
        assert!(t.fixes.iter().any(|f| f.action
            == crate::engine::fixes::FixAction::SetContentType(
                crate::engine::fixes::MediaType::EventStream
            )));
    }
}
