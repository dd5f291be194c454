use super::source_list::*;
use super::*;

fn url(text: &str) -> Url {
    Url::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn page(text: &str) -> Origin {
    if text == "null" {
        Origin::Opaque
    } else {
        Origin::of_url(&url(text))
    }
}

fn allows(policy: &str, api: Api, target: &str, page_origin: &str) -> bool {
    let policies = parse_serialized_policy_list(policy);
    let checks = should_request_be_blocked(&policies, api, &url(target), &page(page_origin));
    !checks.iter().any(PolicyCheck::blocks)
}

const APP: &str = "https://app.example.com";

#[test]
fn parsing_lower_cases_names_keeps_values_and_the_first_duplicate() {
    let policy = parse_serialized_policy(
        "  CONNECT-SRC   'SELF'   https://API.example.com ; connect-src *;;img-src",
    );
    assert_eq!(
        policy.directives,
        [
            Directive {
                name: "connect-src".into(),
                value: "'SELF'   https://API.example.com".into()
            },
            Directive {
                name: "img-src".into(),
                value: String::new()
            },
        ]
    );
    assert_eq!(
        parse_serialized_policy_list("connect-src 'self', img-src *, ").len(),
        2
    );
}

#[test]
fn self_is_the_page_origin_or_its_secure_upgrade() {
    assert!(allows(
        "connect-src 'self'",
        Api::Fetch,
        "https://app.example.com/x",
        APP
    ));
    assert!(allows(
        "connect-src 'self'",
        Api::Websocket,
        "wss://app.example.com/s",
        APP
    ));
    assert!(allows(
        "connect-src 'self'",
        Api::Fetch,
        "https://app.example.com/x",
        "http://app.example.com"
    ));
    // Another port, another host, or a downgrade is not 'self'.
    assert!(!allows(
        "connect-src 'self'",
        Api::Fetch,
        "https://app.example.com:444/x",
        APP
    ));
    assert!(!allows(
        "connect-src 'self'",
        Api::Fetch,
        "https://api.example.com/x",
        APP
    ));
    assert!(!allows(
        "connect-src 'self'",
        Api::Fetch,
        "http://app.example.com/x",
        APP
    ));
}

#[test]
fn none_alone_matches_nothing_and_is_ignored_beside_other_sources() {
    assert!(!allows(
        "connect-src 'none'",
        Api::Fetch,
        "https://app.example.com/x",
        APP
    ));
    assert!(allows(
        "connect-src 'none' https://api.example.com",
        Api::Fetch,
        "https://api.example.com/x",
        APP
    ));
    assert!(!allows(
        "connect-src",
        Api::Fetch,
        "https://app.example.com/x",
        APP
    ));
}

#[test]
fn scheme_sources_match_the_scheme_and_its_secure_upgrade_only() {
    assert!(allows(
        "connect-src https:",
        Api::Fetch,
        "https://any.test/x",
        APP
    ));
    assert!(!allows(
        "connect-src https:",
        Api::Fetch,
        "http://any.test/x",
        APP
    ));
    assert!(!allows(
        "connect-src https:",
        Api::Websocket,
        "wss://any.test/x",
        APP
    ));
    assert!(allows(
        "connect-src http:",
        Api::Fetch,
        "https://any.test/x",
        APP
    ));
    assert!(allows(
        "connect-src wss:",
        Api::Websocket,
        "wss://any.test/x",
        APP
    ));
}

#[test]
fn a_wildcard_host_needs_a_subdomain() {
    let policy = "connect-src https://*.example.com";
    assert!(allows(policy, Api::Fetch, "https://api.example.com/x", APP));
    assert!(allows(policy, Api::Fetch, "https://a.b.example.com/x", APP));
    assert!(!allows(policy, Api::Fetch, "https://example.com/x", APP));
    assert!(!allows(
        policy,
        Api::Fetch,
        "https://evil-example.com/x",
        APP
    ));
}

#[test]
fn ports_default_explicit_and_wildcard() {
    assert!(allows(
        "connect-src https://api.example.com",
        Api::Fetch,
        "https://api.example.com:443/x",
        APP
    ));
    assert!(!allows(
        "connect-src https://api.example.com",
        Api::Fetch,
        "https://api.example.com:8443/x",
        APP
    ));
    assert!(allows(
        "connect-src https://api.example.com:8443",
        Api::Fetch,
        "https://api.example.com:8443/x",
        APP
    ));
    assert!(allows(
        "connect-src https://api.example.com:*",
        Api::Fetch,
        "https://api.example.com:9/x",
        APP
    ));
    // An http source also matches https on the default port (observed in Chromium 156).
    assert!(allows(
        "connect-src http://api.example.com",
        Api::Fetch,
        "https://api.example.com/x",
        APP
    ));
    assert!(!allows(
        "connect-src http://api.example.com",
        Api::Fetch,
        "https://api.example.com:8443/x",
        APP
    ));
}

#[test]
fn a_scheme_less_host_takes_the_page_scheme() {
    assert!(allows(
        "connect-src api.example.com",
        Api::Fetch,
        "https://api.example.com/x",
        APP
    ));
    assert!(!allows(
        "connect-src api.example.com",
        Api::Fetch,
        "http://api.example.com/x",
        APP
    ));
    assert!(allows(
        "connect-src api.example.com",
        Api::Fetch,
        "https://api.example.com/x",
        "http://app.example.com"
    ));
}

#[test]
fn paths_are_exact_or_a_directory_prefix() {
    let policy = "connect-src https://api.example.com/v1/ https://api.example.com/x";
    assert!(allows(
        policy,
        Api::Fetch,
        "https://api.example.com/v1/users",
        APP
    ));
    assert!(allows(policy, Api::Fetch, "https://api.example.com/x", APP));
    assert!(!allows(
        policy,
        Api::Fetch,
        "https://api.example.com/v2/users",
        APP
    ));
    assert!(!allows(
        policy,
        Api::Fetch,
        "https://api.example.com/x/y",
        APP
    ));
    assert!(path_part_match("/a%20b", "/a b"));
    assert!(path_part_match("/", "/"));
}

#[test]
fn star_matches_network_schemes() {
    assert!(allows("connect-src *", Api::Fetch, "https://x.test/", APP));
    assert!(allows(
        "connect-src *",
        Api::Websocket,
        "wss://x.test/",
        APP
    ));
    assert!(!allows("img-src *", Api::Img, "data:image/png,x", APP));
}

#[test]
fn each_kind_reads_its_own_directive_then_falls_back() {
    let policy = "default-src 'self'; img-src https://cdn.test; script-src https://js.test";
    assert!(allows(policy, Api::Img, "https://cdn.test/a.png", APP));
    assert!(allows(policy, Api::Script, "https://js.test/a.js", APP));
    assert!(!allows(policy, Api::Fetch, "https://cdn.test/a.png", APP));
    let checks = should_request_be_blocked(
        &parse_serialized_policy_list(policy),
        Api::Fetch,
        &url("https://cdn.test/"),
        &page(APP),
    );
    assert!(checks.iter().all(PolicyCheck::is_fallback));
    // No directive for the kind and no default-src: not restricted.
    assert!(allows("img-src 'none'", Api::Fetch, "https://x.test/", APP));
    // Forms are navigations: no fetch directive applies.
    assert!(allows(
        "default-src 'none'",
        Api::Form,
        "https://x.test/",
        APP
    ));
}

#[test]
fn every_policy_must_allow() {
    let list = parse_serialized_policy_list("connect-src *, connect-src 'none'");
    let checks = should_request_be_blocked(&list, Api::Fetch, &url("https://x.test/"), &page(APP));
    assert_eq!(violations(&checks).len(), 1);
}

#[test]
fn invalid_sources_and_keywords_match_nothing() {
    assert!(!allows(
        "connect-src https://exa mple.com 'unsafe-inline' 'nonce-abc' 1http://x",
        Api::Fetch,
        "https://x.test/",
        APP
    ));
    assert!(!allows(
        "script-src 'self'",
        Api::Script,
        "https://x.test/a.js",
        "null"
    ));
}

#[test]
fn a_blocked_request_sends_nothing_not_even_its_preflight() {
    use crate::engine::{evaluate, Stage, StepStatus};
    use crate::scenario::{parse_scenario, Outcome, PreflightUse};
    let text = r#"{"format":"cors-scenario/1","id":"t","page":"https://app.example.com",
        "page_csp":"connect-src 'self'",
        "server":[{"match":{"url":"https://api.example.com/x"},"respond":{"status":204,
          "headers":[["Access-Control-Allow-Origin","*"],["Access-Control-Allow-Methods","PUT"]]}}],
        "requests":[{"url":"https://api.example.com/x","method":"PUT"}]}"#;
    let scenario = parse_scenario(text).unwrap_or_else(|e| panic!("{e}"));
    let trace = evaluate(&scenario, None);
    let request = &trace.requests[0];
    assert_eq!(request.result.outcome, Outcome::NetworkError);
    assert_eq!(request.result.preflight, PreflightUse::None);
    assert!(request.exchanges.is_empty());
    let csp = request
        .steps
        .iter()
        .find(|s| s.stage == Stage::Csp)
        .unwrap();
    assert_eq!(csp.status, StepStatus::Fail);
    let why = crate::engine::narrate::why(csp);
    assert!(why.contains("not CORS"), "{why}");
    assert_eq!(
        csp.spec_url(),
        "https://w3c.github.io/webappsec-csp/#should-block-request"
    );
    assert!(!request
        .steps
        .iter()
        .any(|s| s.stage == Stage::Classification));
    // The fix is the page's policy, never a server header.
    assert!(request.fixes.iter().all(|f| matches!(
        f.action,
        crate::engine::fixes::FixAction::Advise(crate::engine::fixes::Advice::PageCsp { .. })
    )));
    // Without the policy the same request is preflighted and allowed.
    let mut open = scenario.clone();
    open.page_csp = None;
    let trace = evaluate(&open, None);
    assert_eq!(trace.requests[0].result.preflight, PreflightUse::Sent);
    assert!(!trace.requests[0]
        .steps
        .iter()
        .any(|s| s.stage == Stage::Csp));
}

#[test]
fn gecko_lower_cases_sources_but_keeps_paths() {
    assert_eq!(
        gecko_directive_text("connect-src", "'SELF'   https://API.example.com:8443/V1/"),
        "connect-src 'self' https://api.example.com:8443/V1/"
    );
}
