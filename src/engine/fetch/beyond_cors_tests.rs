//! Issue 13 families 4 and 5 end to end: Local Network Access, CORP with
//! COEP, and ORB, in each browser's words.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use crate::engine::evaluate;
use crate::engine::failure::Failure;
use crate::engine::step::{Stage, StepStatus};
use crate::scenario::{parse_scenario, Browser, Outcome};

fn run(extra: &str, rules: &str, request: &str, browser: Browser) -> crate::engine::RequestTrace {
    let text = format!(
        r#"{{"format":"cors-scenario/1","id":"t","page":"https://app.example.com"{extra},"server":{rules},"requests":[{request}]}}"#
    );
    let scenario = parse_scenario(&text).unwrap_or_else(|e| panic!("{e:?}"));
    let mut trace = evaluate(&scenario, Some(browser));
    trace.requests.pop().unwrap_or_else(|| panic!("no request"))
}

const LOCAL_API: &str = r#"[{"match":{"url":"http://localhost:8001/x"},"respond":{"status":200,"headers":[["Access-Control-Allow-Origin","*"],["Access-Control-Allow-Private-Network","true"]]}}]"#;

#[test]
fn a_public_page_calling_localhost_is_refused_before_anything_is_sent() {
    let chrome = run(
        "",
        LOCAL_API,
        r#"{"url":"http://localhost:8001/x"}"#,
        Browser::Chrome,
    );
    assert_eq!(chrome.result.outcome, Outcome::Blocked);
    assert!(chrome.exchanges.is_empty(), "nothing reaches the server");
    assert_eq!(
        chrome.result.console,
        [
            "Access to fetch at 'http://localhost:8001/x' from origin 'https://app.example.com' has been blocked by CORS policy: Permission was denied for this request to access the `loopback` address space.",
            "Failed to load resource: net::ERR_FAILED"
        ]
    );
    assert_eq!(
        chrome.result.js_error.as_deref(),
        Some("TypeError: Failed to fetch")
    );
    let step = chrome
        .steps
        .iter()
        .find(|s| s.stage == Stage::LocalNetwork)
        .unwrap_or_else(|| panic!("no LNA step"));
    assert_eq!(step.status, StepStatus::Fail);
    assert!(step
        .spec_url()
        .starts_with("https://wicg.github.io/local-network-access/#"));

    let firefox = run(
        "",
        LOCAL_API,
        r#"{"url":"http://localhost:8001/x"}"#,
        Browser::Firefox,
    );
    assert_eq!(firefox.result.outcome, Outcome::NetworkError);
    assert_eq!(
        firefox.result.console,
        ["Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://localhost:8001/x. (Reason: CORS request did not succeed). Status code: (null)."]
    );
    // WebKit has no Local Network Access; from an https page it blocks
    // http://localhost as mixed content instead (finding-o-mixed-content.json 6).
    let safari = run(
        "",
        LOCAL_API,
        r#"{"url":"http://localhost:8001/x"}"#,
        Browser::Safari,
    );
    assert_eq!(safari.result.outcome, Outcome::NetworkError);
    assert!(safari.steps.iter().all(|s| s.stage != Stage::LocalNetwork));
    assert!(safari
        .steps
        .iter()
        .any(|s| s.stage == Stage::MixedContent && s.status == StepStatus::Fail));
}

#[test]
fn the_permission_and_target_address_space_decide() {
    let granted = r#","lna_permissions":{"loopback-network":"granted"}"#;
    let ok = run(
        granted,
        LOCAL_API,
        r#"{"url":"http://localhost:8001/x"}"#,
        Browser::Chrome,
    );
    assert_eq!(ok.result.outcome, Outcome::Allowed);
    let wrong_grant = r#","lna_permissions":{"local-network":"granted"}"#;
    let refused = run(
        wrong_grant,
        LOCAL_API,
        r#"{"url":"http://localhost:8001/x"}"#,
        Browser::Chrome,
    );
    assert_eq!(refused.result.outcome, Outcome::Blocked);
    let mismatch = run(
        granted,
        LOCAL_API,
        r#"{"url":"http://localhost:8001/x","target_address_space":"local"}"#,
        Browser::Chrome,
    );
    assert!(mismatch.result.console[0].ends_with(
        "Request had a target IP address space of `local` yet the resource is in address space `loopback`."
    ));
    // Firefox ignores targetAddressSpace.
    let firefox = run(
        granted,
        LOCAL_API,
        r#"{"url":"http://localhost:8001/x","target_address_space":"local"}"#,
        Browser::Firefox,
    );
    assert_eq!(firefox.result.outcome, Outcome::Allowed);
    // No fix asks the server for a header.
    assert!(refused.fixes.iter().all(|f| matches!(
        f.action,
        crate::engine::FixAction::Advise(crate::engine::Advice::LocalNetworkAccess { .. })
    )));
}

#[test]
fn an_insecure_public_page_is_refused_without_asking_in_chrome_only() {
    let text = r#"{"format":"cors-scenario/1","id":"t","page":"http://app.example.com","server":[],"requests":[{"url":"http://127.0.0.1:8001/x"}]}"#;
    let scenario = parse_scenario(text).unwrap_or_else(|e| panic!("{e:?}"));
    let chrome = evaluate(&scenario, Some(Browser::Chrome));
    assert!(chrome.requests[0].result.console[0].ends_with(
        "The request client is not a secure context and the resource is in more-private address space `loopback`."
    ));
    let firefox = evaluate(&scenario, Some(Browser::Firefox));
    assert!(matches!(
        firefox.requests[0].failure,
        Some(Failure::LocalNetworkAccess { .. })
    ));
}

const CDN: &str = r#"[{"match":{"url":"https://cdn.example.net/a.png"},"respond":{"status":200,"headers":[["Content-Type","image/png"]]}},
 {"match":{"url":"https://cdn.example.net/corp.png"},"respond":{"status":200,"headers":[["Content-Type","image/png"],["Cross-Origin-Resource-Policy","same-origin"]]}},
 {"match":{"url":"https://cdn.example.net/data.json"},"respond":{"status":200,"headers":[["Content-Type","application/json"]],"body":"{\"a\":1}"}}]"#;

#[test]
fn corp_blocks_no_cors_loads_and_coep_defaults_it() {
    let corp = run(
        "",
        CDN,
        r#"{"api":"img","url":"https://cdn.example.net/corp.png"}"#,
        Browser::Chrome,
    );
    assert_eq!(corp.result.outcome, Outcome::NetworkError);
    assert_eq!(
        corp.result.console,
        ["Failed to load resource: net::ERR_BLOCKED_BY_RESPONSE.NotSameOrigin"]
    );
    let plain = run(
        "",
        CDN,
        r#"{"api":"img","url":"https://cdn.example.net/a.png"}"#,
        Browser::Chrome,
    );
    assert_eq!(plain.result.outcome, Outcome::Opaque);
    let coep = r#","page_coep":"require-corp""#;
    let defaulted = run(
        coep,
        CDN,
        r#"{"api":"img","url":"https://cdn.example.net/a.png"}"#,
        Browser::Chrome,
    );
    assert_eq!(
        defaulted.result.console,
        ["Failed to load resource: net::ERR_BLOCKED_BY_RESPONSE.NotSameOriginAfterDefaultedToSameOriginByCoep"]
    );
    let firefox = run(
        coep,
        CDN,
        r#"{"url":"https://cdn.example.net/a.png","mode":"no-cors"}"#,
        Browser::Firefox,
    );
    assert_eq!(
        firefox.result.js_error.as_deref(),
        Some("TypeError: NetworkError when attempting to fetch resource.")
    );
    assert!(
        firefox.result.console[0].contains("Cross-Origin-Resource-Policy header (or lack thereof)")
    );
    // A CORS request never meets CORP.
    let cors = run(
        coep,
        CDN,
        r#"{"url":"https://cdn.example.net/corp.png"}"#,
        Browser::Chrome,
    );
    assert!(!cors.steps.iter().any(|s| s.stage == Stage::ResourcePolicy));
}

#[test]
fn orb_refuses_json_to_an_element_but_not_to_a_no_cors_fetch() {
    let img = run(
        "",
        CDN,
        r#"{"api":"img","url":"https://cdn.example.net/data.json"}"#,
        Browser::Chrome,
    );
    assert_eq!(img.result.outcome, Outcome::NetworkError);
    assert!(img.result.console.is_empty());
    assert!(matches!(img.failure, Some(Failure::OrbBlocked { .. })));
    let fetch = run(
        "",
        CDN,
        r#"{"url":"https://cdn.example.net/data.json","mode":"no-cors"}"#,
        Browser::Chrome,
    );
    assert_eq!(fetch.result.outcome, Outcome::Opaque);
}
