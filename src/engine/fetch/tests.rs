//! Fetching the extension APIs end to end: forms, WebSockets, EventSource and elements.

use crate::engine::evaluate;
use crate::engine::failure::Failure;
use crate::scenario::{parse_scenario, Outcome, PreflightUse};

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
