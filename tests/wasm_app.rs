//! Component tests of the app, run in headless Chromium (see scripts/test):
//! each mounts a component into a fresh `<div>` and reads the rendered DOM.
//! Local storage and the URL fragment are cleared first, since every test
//! shares one page.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::expect_used, clippy::indexing_slicing, clippy::panic)] // a test that cannot set up should fail loudly

use cors_lab::engine::evaluate;
use cors_lab::scenario::{parse_scenario, Api, Browser, Outcome};
use cors_lab::ui::code::print_call;
use cors_lab::ui::share::{
    decode_scenario, read_hash, redact_secrets, share_fragment, HashRequest, STORAGE_KEY,
};
use cors_lab::ui::state::{apply, hops, rule_for, rule_for_hop, Edit, Evaluated, Side};
use cors_lab::ui::{default_scenario, DEFAULT_SCENARIO};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

#[path = "wasm/support.rs"]
mod support;
use support::{find, flush, fresh_root, mount, open_by_hash, render_app, texts, window};

fn outcome(root: &Element) -> String {
    find(root, "[data-testid=verdict]")
        .get_attribute("data-outcome")
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn app_opens_the_default_scenario_with_the_engines_verdict() {
    let root = mount().await;
    assert_eq!(texts(&root, "h1"), vec!["CORS Lab".to_owned()]);
    let scenario = parse_scenario(DEFAULT_SCENARIO).expect("the built-in scenario loads");
    assert_eq!(
        texts(&root, "#scenario-title"),
        vec![scenario.title.clone().expect("a title")]
    );
    assert!(root
        .query_selector("[data-testid=app-ready]")
        .expect("ok")
        .is_some());
    let trace = evaluate(&scenario, None);
    assert_eq!(outcome(&root), "blocked");
    assert_eq!(trace.requests[0].result.outcome, Outcome::Blocked);
    assert_eq!(
        texts(&root, "[data-testid=console-line]"),
        trace.requests[0].result.console
    );
    assert!(texts(&root, "[role=alert]").is_empty(), "no notice");
}

#[wasm_bindgen_test]
async fn toggling_allow_headers_on_the_preflight_unblocks_the_request() {
    let root = mount().await;
    let toggle = find(
        &root,
        "[data-testid='toggle-preflight-Access-Control-Allow-Headers']",
    );
    assert_eq!(
        toggle.get_attribute("aria-pressed").as_deref(),
        Some("false")
    );
    toggle.click();
    flush().await;
    assert_eq!(outcome(&root), "allowed");
    let toggle = find(
        &root,
        "[data-testid='toggle-preflight-Access-Control-Allow-Headers']",
    );
    assert_eq!(
        toggle.get_attribute("aria-pressed").as_deref(),
        Some("true")
    );
    // The edit was stored: a reload would find it.
    let stored = window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .expect("the edit is stored");
    let stored = parse_scenario(&stored).expect("the stored scenario loads");
    assert_eq!(
        evaluate(&stored, None).requests[0].result.outcome,
        Outcome::Allowed
    );
}

#[wasm_bindgen_test]
async fn a_header_the_browser_drops_is_flagged_next_to_its_row() {
    let root = mount().await;
    find(&root, "[data-testid=req-header-add]").click();
    flush().await;
    let name = find(&root, "[data-testid=req-header-name-1]")
        .dyn_into::<HtmlInputElement>()
        .expect("an input");
    name.set_value("Cookie");
    name.dispatch_event(&web_sys::InputEvent::new("input").expect("an event"))
        .expect("dispatch");
    flush().await;
    let notes = texts(&root, "[data-testid=field-note]").join(" | ");
    assert!(
        notes.contains("the browser drops this header"),
        "got {notes:?}"
    );

    let again = find(&root, "[data-testid=req-header-name-1]");
    assert!(
        again.is_same_node(Some(&name)),
        "the input survives an edit (focus stays)"
    );
    name.set_value("Bad Name");
    name.dispatch_event(&web_sys::InputEvent::new("input").expect("an event"))
        .expect("dispatch");
    flush().await;
    let notes = texts(&root, "[data-testid=field-note]").join(" | ");
    assert!(notes.contains("not a valid header name"), "got {notes:?}");
    assert_eq!(outcome(&root), "network-error", "the call throws");
}

#[wasm_bindgen_test]
async fn arrow_keys_step_through_the_stages() {
    let root = mount().await;
    let current = |root: &Element| {
        find(root, "[data-testid=stage-card][aria-current=step]")
            .get_attribute("data-stage")
            .unwrap_or_default()
    };
    let before = current(&root);
    let key = |key: &str| {
        let init = web_sys::KeyboardEventInit::new();
        init.set_key(key);
        init.set_bubbles(true);
        let event = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init)
            .expect("an event");
        window()
            .document()
            .expect("document")
            .body()
            .expect("body")
            .dispatch_event(&event)
            .expect("dispatch");
    };
    key("ArrowLeft");
    flush().await;
    let earlier = current(&root);
    assert_ne!(earlier, before, "ArrowLeft moved back from {before}");
    key("ArrowRight");
    flush().await;
    assert_eq!(current(&root), before);
}

#[wasm_bindgen_test]
async fn corrupt_stored_state_shows_a_notice_and_the_default_scenario() {
    let root = fresh_root();
    window()
        .local_storage()
        .ok()
        .flatten()
        .expect("storage")
        .set_item(STORAGE_KEY, "{\"format\": \"cors-scenario/1\",")
        .expect("can store");
    render_app(&root).await;
    let alert = texts(&root, "[data-testid=notice]").join(" ");
    assert!(alert.contains("could not be loaded"), "got {alert:?}");
    assert_eq!(outcome(&root), "blocked", "the default scenario is shown");
}

#[wasm_bindgen_test]
fn every_bundled_scenario_survives_a_share_link() {
    let all = support::lessons();
    assert_eq!(
        all.len(),
        cors_lab::ui::bundled::LESSONS.len(),
        "the index lists every lesson"
    );
    for scenario in all {
        let fragment = share_fragment(&scenario);
        match read_hash(&format!("#{fragment}")) {
            HashRequest::Shared(back) => assert_eq!(*back, scenario, "{}", scenario.id),
            other => panic!("{}: {other:?}", scenario.id),
        }
        match read_hash(&format!("#scenario={}", scenario.id)) {
            HashRequest::Bundled(back) => assert_eq!(back, scenario.id),
            other => panic!("{}: {other:?}", scenario.id),
        }
    }
    assert!(matches!(read_hash("#s=%%%"), HashRequest::Broken(_)));
    assert!(matches!(
        read_hash("#scenario=nope"),
        HashRequest::Broken(_)
    ));
    assert!(matches!(read_hash(""), HashRequest::None));
    assert!(decode_scenario("e30").is_err(), "`{{}}` is not a scenario");
}

#[wasm_bindgen_test]
fn share_links_leave_out_secret_header_values() {
    let mut scenario = default_scenario();
    scenario.requests[0]
        .headers
        .push(("authorization".to_owned(), "Bearer secret".to_owned()));
    let (redacted, report) = redact_secrets(&scenario);
    assert_eq!(report.len(), 1, "{report:?}");
    assert!(report[0].location.contains("authorization"), "{report:?}");
    assert!(!share_fragment(&redacted).contains(&share_fragment(&scenario)));
    let value = &redacted.requests[0].headers[1];
    assert_eq!(
        value,
        &(
            "authorization".to_owned(),
            cors_lab::diagnose::redact::REDACTED.to_owned()
        )
    );
}

#[wasm_bindgen_test]
fn editing_a_rule_shared_by_preflight_and_request_splits_it() {
    let mut scenario = default_scenario();
    scenario.server.remove(0); // the remaining rule answers every method
    let eval = Evaluated::new(scenario.clone());
    let trace = eval.trace(Browser::Chrome);
    let shared = rule_for(&scenario, trace.requests.first(), 0, Side::Preflight);
    assert_eq!(
        shared,
        rule_for(&scenario, trace.requests.first(), 0, Side::Actual)
    );
    let mut respond = scenario.server[0].respond.clone();
    respond.status = 500;
    let edited = apply(
        &scenario,
        trace,
        Edit::Respond {
            request: 0,
            hop: 0,
            side: Side::Actual,
            respond,
        },
    );
    assert_eq!(edited.server.len(), 2);
    assert_eq!(edited.server[0].matcher.method.as_deref(), Some("OPTIONS"));
    assert_eq!(
        edited.server[0].respond.status, 201,
        "the preflight keeps its answer"
    );
    assert_eq!(edited.server[1].respond.status, 500);
}

#[wasm_bindgen_test]
fn send_again_appends_a_request_later_in_time() {
    let scenario = default_scenario();
    let eval = Evaluated::new(scenario.clone());
    let edited = apply(
        &scenario,
        eval.trace(Browser::Chrome),
        Edit::SendAgain {
            from: 0,
            delay_ms: 7000,
        },
    );
    assert_eq!(edited.requests.len(), 2);
    assert_eq!(edited.requests[1].at_ms, Some(7000));
    assert_eq!(evaluate(&edited, None).requests[1].at_ms, 7000);
}

#[wasm_bindgen_test]
fn every_bundled_request_prints_as_code_that_parses_back_to_it() {
    for scenario in support::lessons() {
        // Only script calls are read back; element, EventSource, form and
        // socket requests are edited in the form (their code view is read-only).
        for spec in scenario
            .requests
            .iter()
            .filter(|s| matches!(s.api, Api::Fetch | Api::Xhr))
        {
            let code = print_call(spec);
            let parsed = cors_lab::jscall::parse_call(&code)
                .unwrap_or_else(|e| panic!("{}: {e}\n{code}", scenario.id));
            let mut want = spec.clone();
            want.at_ms = None;
            if want.api == Api::Xhr {
                // XHR has no mode, redirect or omit: the printer leaves them out.
                want.mode = parsed.request.mode;
                want.redirect = parsed.request.redirect;
                if want.credentials == cors_lab::scenario::Credentials::Omit {
                    want.credentials = parsed.request.credentials;
                }
            }
            assert_eq!(parsed.request, want, "{}\n{code}", scenario.id);
        }
    }
}

async fn type_code(root: &Element, code: &str) {
    let area = find(root, "[data-testid=client-code]")
        .dyn_into::<web_sys::HtmlTextAreaElement>()
        .expect("a textarea");
    area.set_value(code);
    area.dispatch_event(&web_sys::InputEvent::new("input").expect("an event"))
        .expect("dispatch");
    flush().await;
}

#[wasm_bindgen_test]
async fn code_edits_drive_the_form_and_bad_code_is_a_message() {
    let root = mount().await;
    type_code(
        &root,
        "fetch('https://api.example.com/users', { method: 'patch', headers: { 'Content-Type': 'text/plain' } })",
    )
    .await;
    let method = find(&root, "[data-testid=req-method]")
        .dyn_into::<HtmlInputElement>()
        .expect("an input");
    assert_eq!(method.value(), "patch");
    let notes = texts(&root, "[data-testid=field-note]").join(" | ");
    assert!(
        notes.contains("`patch` is not upper-cased by the browser"),
        "got {notes:?}"
    );
    // The typed text stays as typed (not reprinted).
    let area = find(&root, "[data-testid=client-code]")
        .dyn_into::<web_sys::HtmlTextAreaElement>()
        .expect("a textarea");
    assert!(area.value().starts_with("fetch('https://"));

    type_code(&root, "fetch('https://api.example.com/users', { method: ").await;
    let error = texts(&root, "[data-testid=code-error]").join(" ");
    assert!(error.contains("Line 1"), "got {error:?}");
    assert_eq!(method.value(), "patch", "the form keeps the last good call");

    // A form edit rewrites the code.
    method.set_value("PUT");
    method
        .dispatch_event(&web_sys::InputEvent::new("input").expect("an event"))
        .expect("dispatch");
    flush().await;
    assert!(
        area.value().contains("method: \"PUT\""),
        "got {}",
        area.value()
    );
}

#[wasm_bindgen_test]
async fn a_hashchange_opens_the_bundled_scenario_it_names() {
    let root = mount().await;
    let other = support::lessons()
        .into_iter()
        .find(|s| s.id != default_scenario().id && s.title.is_some())
        .expect("another bundled scenario");
    open_by_hash(&other.id).await;
    assert_eq!(
        texts(&root, "#scenario-title"),
        vec![other.title.clone().expect("a title")]
    );
    let want = evaluate(&other, None).requests[0].result.outcome;
    let want = serde_json::to_value(want).expect("serialises");
    assert_eq!(Some(outcome(&root).as_str()), want.as_str());
}

#[wasm_bindgen_test]
async fn a_lesson_whose_file_does_not_arrive_is_a_notice_and_keeps_the_scenario() {
    let root = mount().await;
    let id = "put-needs-preflight";
    let before = texts(&root, "#scenario-title");
    // Not on the page: the app fetches lessons/<id>.json, which the test
    // runner does not serve (404).
    support::drop_lesson(id);
    open_by_hash(id).await;
    for _ in 0..100 {
        if !texts(&root, "[data-testid=notice]").is_empty() {
            break;
        }
        flush().await;
    }
    support::carry_lessons();
    let notice = texts(&root, "[data-testid=notice]").join(" ");
    assert!(notice.contains("could not be loaded"), "got {notice:?}");
    assert!(
        notice.contains(&format!("/lessons/{id}.json")),
        "got {notice:?}"
    );
    assert!(texts(&root, "[data-testid=lesson-loading]").is_empty());
    assert_eq!(
        texts(&root, "#scenario-title"),
        before,
        "the scenario stays"
    );
}

#[wasm_bindgen_test]
async fn send_again_adds_a_request_tab_and_remove_takes_it_away() {
    let root = mount().await;
    find(&root, "[data-testid=send-again]").click();
    flush().await;
    assert!(root
        .query_selector("[data-testid=request-tab-1]")
        .expect("ok")
        .is_some());
    assert_eq!(
        find(&root, "[data-testid=request-tab-1]")
            .get_attribute("aria-pressed")
            .as_deref(),
        Some("true"),
        "the new request is selected"
    );
    find(&root, "[data-testid=remove-request]").click();
    flush().await;
    assert!(root
        .query_selector("[data-testid=request-tab-1]")
        .expect("ok")
        .is_none());
}

#[wasm_bindgen_test]
async fn opening_a_lesson_can_be_undone() {
    let root = mount().await;
    find(
        &root,
        "[data-testid='toggle-preflight-Access-Control-Allow-Headers']",
    )
    .click();
    flush().await;
    assert_eq!(outcome(&root), "allowed");
    find(&root, "[data-testid=reset]").click();
    flush().await;
    assert_eq!(outcome(&root), "blocked");
    find(&root, "[data-testid=restore]").click();
    flush().await;
    assert_eq!(outcome(&root), "allowed", "the edited scenario is back");
}

async fn type_page_csp(root: &Element, policy: &str) {
    let input = find(root, "[data-testid=page-csp]")
        .dyn_into::<HtmlInputElement>()
        .expect("an input");
    input.set_value(policy);
    input
        .dispatch_event(&web_sys::InputEvent::new("input").expect("an event"))
        .expect("dispatch");
    flush().await;
}

#[wasm_bindgen_test]
async fn a_page_csp_blocks_before_cors_and_shows_its_own_stage() {
    let root = mount().await;
    let label = texts(&root, "label[for=page-csp]");
    assert_eq!(
        label,
        vec!["Page Content-Security-Policy (optional)".to_owned()]
    );
    assert_eq!(outcome(&root), "blocked", "the default lesson fails CORS");
    assert!(texts(&root, "[data-testid=stage-tab][data-stage=csp]").is_empty());

    type_page_csp(&root, "connect-src 'self'").await;
    assert_eq!(outcome(&root), "network-error");
    let mut scenario = default_scenario();
    scenario.page_csp = Some("connect-src 'self'".to_owned());
    let trace = evaluate(&scenario, None);
    assert_eq!(
        texts(&root, "[data-testid=console-line]"),
        trace.requests[0].result.console
    );
    let tab = find(&root, "[data-testid=stage-tab][data-stage=csp]");
    assert!(
        tab.class_name().contains("status-fail"),
        "{}",
        tab.class_name()
    );
    assert!(tab.text_content().unwrap_or_default().contains("Page CSP"));
    // The failing stage opens first, and says it is not CORS.
    let card = find(&root, "[data-testid=stage-card][data-stage=csp]");
    let text = card.text_content().unwrap_or_default();
    assert!(text.contains("not CORS"), "{text}");
    assert!(texts(&root, "[data-testid=stage-tab][data-stage=preflight]").is_empty());

    // A blank policy is no policy: the CORS verdict is back.
    type_page_csp(&root, "  ").await;
    assert_eq!(outcome(&root), "blocked");
    assert!(texts(&root, "[data-testid=stage-tab][data-stage=csp]").is_empty());
}

const AFTER_REDIRECT: &str = include_str!("../scenarios/failure-after-redirect.json");

#[wasm_bindgen_test]
fn a_redirects_target_is_a_hop_with_its_own_rule() {
    let scenario = parse_scenario(AFTER_REDIRECT).expect("parses");
    let eval = Evaluated::new(scenario.clone());
    let trace = eval.trace(Browser::Chrome);
    let chain = hops(&scenario, trace.requests.first(), 0);
    let urls: Vec<&str> = chain.iter().map(|hop| hop.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://api.example.com/v1/users/7/avatar",
            "https://cdn.example.net/avatars/7.png"
        ]
    );
    assert_eq!(
        chain.iter().map(|hop| hop.actual_rule).collect::<Vec<_>>(),
        [Some(0), Some(1)]
    );
    assert!(chain.iter().all(|hop| !hop.preflighted));
    assert_eq!(
        rule_for_hop(&scenario, trace.requests.first(), 0, 1, Side::Actual),
        Some(1)
    );

    let mut respond = scenario.server[1].respond.clone();
    respond
        .headers
        .push(("Access-Control-Allow-Origin".to_owned(), "*".to_owned()));
    let edit = Edit::Respond {
        request: 0,
        hop: 1,
        side: Side::Actual,
        respond: respond.clone(),
    };
    let next = apply(&scenario, trace, edit);
    assert_eq!(
        evaluate(&next, None).requests[0].result.outcome,
        Outcome::Allowed,
        "{:#?}",
        next.server
    );
    assert_eq!(
        next.server[0], scenario.server[0],
        "the redirect itself is unchanged"
    );
    // The target's rule answered every method: its OPTIONS answer is split off unchanged.
    assert_eq!(next.server[1].matcher.method.as_deref(), Some("OPTIONS"));
    assert_eq!(next.server[1].respond, scenario.server[1].respond);
    assert_eq!(next.server[2].respond, respond);
}

#[wasm_bindgen_test]
async fn the_server_editor_reaches_the_redirects_target() {
    let root = mount().await;
    open_by_hash("failure-after-redirect").await;
    assert_eq!(outcome(&root), "blocked");
    let hops = texts(&root, "[data-testid=server-hop] h3");
    assert_eq!(
        hops,
        ["After redirect 1: GET https://cdn.example.net/avatars/7.png"]
    );
    find(
        &root,
        "[data-testid=toggle-hop1-actual-Access-Control-Allow-Origin]",
    )
    .click();
    flush().await;
    assert_eq!(outcome(&root), "allowed");
    // The redirect's own answer keeps its headers; the body is editable too.
    let body = find(&root, "[data-testid=hop1-actual-body]")
        .dyn_into::<web_sys::HtmlTextAreaElement>()
        .expect("a textarea");
    assert_eq!(body.value(), "PNG");
}

#[wasm_bindgen_test]
async fn an_edit_clears_the_lesson_link_from_the_address_bar() {
    let root = mount().await;
    open_by_hash("failure-after-redirect").await;
    assert_eq!(outcome(&root), "blocked");
    find(
        &root,
        "[data-testid=toggle-hop1-actual-Access-Control-Allow-Origin]",
    )
    .click();
    flush().await;
    // A reload must show the edited scenario, not the lesson the link names.
    assert_eq!(window().location().hash().expect("a hash"), "");
    find(&root, "[data-testid=toggle-actual-Vary]").click();
    flush().await;
    assert_eq!(window().location().hash().expect("a hash"), "");
}
