//! Component tests of the trace views (src/ui/trace), run in headless
//! Chromium: each mounts `TraceView` with the traces of a bundled scenario
//! and checks the DOM against the engine's own trace.
#![cfg(target_arch = "wasm32")]
// A test that cannot set up should fail loudly, and indexes what it just checked.
#![allow(clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::rc::Rc;
use std::time::Duration;

use cors_lab::engine::{evaluate, Stage};
use cors_lab::scenario::{parse_scenario, Browser, Scenario};
use cors_lab::ui::trace::{stage_id, stages_of, traces_per_browser, TraceView, TraceViewProps};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement, KeyboardEvent, KeyboardEventInit};

wasm_bindgen_test_configure!(run_in_browser);

#[path = "wasm/support.rs"]
mod support;
use support::{attrs, flush, fresh_root, texts};

fn element(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .expect("valid selector")
        .unwrap_or_else(|| panic!("{selector} is on the page"))
}

fn click(root: &Element, selector: &str) {
    element(root, selector)
        .dyn_into::<HtmlElement>()
        .expect("an HTML element")
        .click();
}

fn key(target: &Element, key: &str) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init)
        .expect("can make a keydown");
    target.dispatch_event(&event).expect("can dispatch");
}

fn load(text: &str) -> Scenario {
    parse_scenario(text).expect("a bundled scenario loads")
}

/// Mounts the view of `scenario` (Chrome's rules) on a fresh root.
async fn mount(scenario: &Scenario) -> Element {
    mount_as(scenario, Browser::Chrome).await
}

/// Mounts the view of `scenario` with `browser`'s trace shown.
async fn mount_as(scenario: &Scenario, browser: Browser) -> Element {
    mount_with(scenario, browser, true).await
}

/// Mounts the view of `scenario`, with or without the panels under the stepper.
async fn mount_with(scenario: &Scenario, browser: Browser, panels: bool) -> Element {
    let root = fresh_root();
    let props = TraceViewProps {
        traces: traces_per_browser(scenario),
        browser,
        scenario: Rc::new(scenario.clone()),
        request: 0,
        stage: None,
        on_stage: Default::default(),
        on_request: Default::default(),
        request_picker: true,
        panels,
    };
    yew::Renderer::<TraceView>::with_root_and_props(root.clone(), props).render();
    flush().await;
    root
}

const JSON_POST: &str = include_str!("../scenarios/json-post-without-allow-headers.json");

#[wasm_bindgen_test]
async fn without_panels_only_the_verdict_and_the_stages_are_drawn() {
    let scenario = parse_scenario(JSON_POST).expect("parses");
    let root = mount_with(&scenario, Browser::Chrome, false).await;
    assert_eq!(
        attrs(&root, "[data-testid=verdict]", "data-outcome"),
        ["blocked"]
    );
    assert!(!texts(&root, "[data-testid=stage-card]").is_empty());
    for panel in [".trace-panels", "[data-testid=console-line]"] {
        assert!(texts(&root, panel).is_empty(), "{panel} waits");
    }
    let root = mount_with(&scenario, Browser::Chrome, true).await;
    assert!(!texts(&root, "[data-testid=console-line]").is_empty());
}

#[wasm_bindgen_test]
async fn one_tab_per_stage_and_the_failing_stage_open_with_its_highlight() {
    let scenario = load(JSON_POST);
    let trace = evaluate(&scenario, Some(Browser::Chrome));
    let request = &trace.requests[0];
    let root = mount(&scenario).await;

    let want: Vec<String> = stages_of(&request.steps)
        .into_iter()
        .map(|s| stage_id(s).to_owned())
        .collect();
    assert_eq!(attrs(&root, "[data-testid=stage-tab]", "data-stage"), want);
    // Only the current stage's card is drawn, beside the diagram.
    assert_eq!(texts(&root, "[data-testid=stage-card]").len(), 1);
    let failing = request
        .steps
        .iter()
        .find(|s| s.status == cors_lab::engine::StepStatus::Fail)
        .expect("this scenario fails a check");
    let current = element(&root, "[data-testid=stage-card][aria-current=step]");
    assert_eq!(
        current.get_attribute("data-stage").as_deref(),
        Some(stage_id(failing.stage))
    );
    let highlight =
        cors_lab::engine::narrate::highlight(failing).expect("the failing step has a highlight");
    assert!(
        texts(&current, "[data-testid=highlight]").contains(&highlight),
        "the deciding detail {highlight:?} is highlighted"
    );
    assert!(
        texts(&current, "mark.decisive").len() >= 2,
        "and marked in the sentence"
    );
    let verdict = element(&root, "[data-testid=verdict]");
    assert_eq!(
        verdict.get_attribute("data-outcome").as_deref(),
        Some("blocked")
    );
    let spec_links = attrs(&current, "a.spec-link", "href");
    assert!(spec_links.contains(&failing.spec_url()));
}

#[wasm_bindgen_test]
async fn next_previous_and_arrow_keys_move_between_stages() {
    let scenario = load(JSON_POST);
    let trace = evaluate(&scenario, Some(Browser::Chrome));
    let stages: Vec<Stage> = stages_of(&trace.requests[0].steps);
    let root = mount(&scenario).await;
    let current = |root: &Element| {
        element(root, "[data-testid=stage-card][aria-current=step]")
            .get_attribute("data-stage")
            .unwrap_or_default()
    };
    // Home via the keyboard, then Next, Next, Previous.
    key(&element(&root, ".stepper"), "Home");
    flush().await;
    assert_eq!(current(&root), stage_id(stages[0]));
    click(&root, "[data-testid=stage-next]");
    flush().await;
    assert_eq!(current(&root), stage_id(stages[1]));
    key(&element(&root, ".stepper"), "ArrowRight");
    flush().await;
    assert_eq!(current(&root), stage_id(stages[2]));
    click(&root, "[data-testid=stage-prev]");
    flush().await;
    assert_eq!(current(&root), stage_id(stages[1]));
    // A jump from the stage list, and the end disables Next.
    click(&root, "[data-testid=stage-tab][data-stage=verdict]");
    flush().await;
    assert_eq!(current(&root), "verdict");
    assert!(element(&root, "[data-testid=stage-next]").has_attribute("disabled"));
    assert_eq!(
        attrs(&root, ".stage-tab[aria-current=step]", "data-stage"),
        vec!["verdict".to_owned()]
    );
}

#[wasm_bindgen_test]
async fn console_tabs_show_each_browsers_exact_lines_and_error() {
    let scenario = load(JSON_POST);
    let root = mount(&scenario).await;
    for browser in Browser::ALL {
        let trace = evaluate(&scenario, Some(browser));
        let result = &trace.requests[0].result;
        click(
            &root,
            &format!("[data-testid=console-tab-{}]", browser.as_str()),
        );
        flush().await;
        assert_eq!(
            texts(&root, "[data-testid=console-line]"),
            result.console,
            "{browser:?}"
        );
        assert_eq!(
            texts(&root, "[data-testid=js-error]"),
            result.js_error.clone().into_iter().collect::<Vec<_>>(),
            "{browser:?}"
        );
        assert_eq!(
            attrs(
                &root,
                "[role=tab][aria-selected=true][data-testid^=console-tab]",
                "data-testid"
            ),
            vec![format!("console-tab-{}", browser.as_str())]
        );
    }
    // Arrow keys move along the tablist (Safari → wraps to Chrome).
    key(&element(&root, ".tv-console-tabs"), "ArrowRight");
    flush().await;
    let chrome = evaluate(&scenario, Some(Browser::Chrome));
    assert_eq!(
        texts(&root, "[data-testid=console-line]"),
        chrome.requests[0].result.console
    );
}

#[wasm_bindgen_test]
async fn fixes_and_every_snippet_carry_the_exact_header_value() {
    let scenario = load(JSON_POST);
    let trace = evaluate(&scenario, Some(Browser::Chrome));
    let fixes = &trace.requests[0].fixes;
    let root = mount(&scenario).await;
    assert_eq!(texts(&root, "[data-testid=fix]").len(), fixes.len());
    let headers = texts(&root, "[data-testid=fix-header]");
    for fix in fixes {
        if let Some((header, value)) = fix.action.header() {
            assert!(
                headers.contains(&format!("{header}: {value}")),
                "{headers:?}"
            );
        }
    }
    let value = fixes
        .iter()
        .find_map(|fix| fix.action.header().map(|(_, value)| value))
        .expect("this scenario's fix sets a header");
    for framework in ["express", "fastapi", "spring", "go", "nginx", "axum"] {
        click(&root, &format!("[data-testid=snippet-tab-{framework}]"));
        flush().await;
        let code = texts(&root, "[data-testid=snippet]").join("");
        assert!(
            code.contains(&value),
            "{framework} snippet has {value:?}:\n{code}"
        );
    }
}

#[wasm_bindgen_test]
async fn the_diagram_has_two_arrows_per_exchange_and_opens_the_wire_text() {
    let scenario = load(JSON_POST);
    let trace = evaluate(&scenario, Some(Browser::Chrome));
    let exchanges = &trace.requests[0].exchanges;
    let root = mount(&scenario).await;
    assert_eq!(
        texts(&root, "[data-testid=seq-arrow]").len(),
        exchanges.len() * 2
    );
    assert!(texts(&root, "[data-testid=wire-text]").is_empty());
    // The first arrow (the preflight) opens from the keyboard.
    let first = element(&root, "[data-testid=seq-arrow]");
    assert_eq!(first.get_attribute("tabindex").as_deref(), Some("0"));
    key(&first, "Enter");
    flush().await;
    assert_eq!(
        texts(&root, "[data-testid=wire-text]"),
        vec![exchanges[0].request.http1_text()]
    );
    // The second arrow is its response, opened by a click.
    let nodes = root
        .query_selector_all("[data-testid=seq-arrow]")
        .expect("valid selector");
    let second = nodes
        .item(1)
        .and_then(|n| n.dyn_into::<Element>().ok())
        .expect("a second arrow");
    // A click bubbles to the diagram's one listener, as a user's does.
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    let event = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init)
        .expect("can make a click");
    second.dispatch_event(&event).expect("can dispatch");
    flush().await;
    assert_eq!(
        texts(&root, "[data-testid=wire-text]"),
        vec![exchanges[0].response.http1_text()]
    );
}

#[wasm_bindgen_test]
async fn the_diagram_marks_the_origin_part_that_differs() {
    let scenario = load(include_str!(
        "../scenarios/different-port-is-cross-origin.json"
    ));
    let root = mount(&scenario).await;
    click(&root, "[data-testid=stage-tab][data-stage=origin]");
    flush().await;
    let diagram = element(&root, "[data-testid=diagram]");
    assert_eq!(
        diagram.get_attribute("data-stage").as_deref(),
        Some("origin")
    );
    // Both rows (page, request) mark their port, and nothing else.
    assert_eq!(
        attrs(
            &diagram,
            "[data-testid=dg-origin-part][data-marked=true]",
            "data-part"
        ),
        vec!["port".to_owned(), "port".to_owned()]
    );
    assert_eq!(
        texts(&diagram, "[data-testid=dg-origin-part]").len(),
        6,
        "scheme, host and port of both origins"
    );
}

#[wasm_bindgen_test]
async fn the_missing_allow_credentials_is_the_highlighted_detail() {
    let scenario = load(include_str!(
        "../scenarios/credentials-missing-allow-credentials.json"
    ));
    let root = mount(&scenario).await;
    let card = element(&root, "[data-testid=stage-card][aria-current=step]");
    assert_eq!(
        card.get_attribute("data-stage").as_deref(),
        Some("cors-check")
    );
    assert_eq!(
        texts(&card, "[data-testid=highlight]"),
        vec!["Access-Control-Allow-Credentials".to_owned()]
    );
    let fixes = texts(&root, "[data-testid=fix-header]");
    assert!(
        fixes.contains(&"Access-Control-Allow-Credentials: true".to_owned()),
        "{fixes:?}"
    );
}

#[wasm_bindgen_test]
async fn the_128_byte_limit_is_named_in_the_classification_card() {
    let scenario = load(include_str!(
        "../scenarios/accept-header-over-128-bytes.json"
    ));
    let root = mount(&scenario).await;
    click(&root, "[data-testid=stage-tab][data-stage=classification]");
    flush().await;
    let card = element(&root, "[data-testid=stage-card][aria-current=step]");
    assert_eq!(
        texts(&card, "[data-testid=highlight]"),
        vec!["byte 129".to_owned()]
    );
    let marks = texts(&card, "mark.decisive");
    assert!(
        marks.iter().filter(|m| *m == "byte 129").count() >= 2,
        "marked in the sentence too: {marks:?}"
    );
}

#[wasm_bindgen_test]
async fn the_cache_timeline_lists_each_request_and_entry() {
    let scenario = load(include_str!("../scenarios/preflight-cache-max-age.json"));
    let trace = evaluate(&scenario, Some(Browser::Chrome));
    let root = mount(&scenario).await;
    let want: Vec<String> = trace
        .requests
        .iter()
        .map(|r| {
            serde_json::to_value(r.result.preflight)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        attrs(&root, "[data-testid=cache-request]", "data-preflight"),
        want
    );
    assert_eq!(want, vec!["sent".to_owned(), "cached".to_owned()]);
    let entries = texts(&root, "[data-testid=cache-entry]");
    assert_eq!(entries.len(), 1, "{entries:?}");
    // Picking the second request shows its (cached) verdict.
    let picks = root
        .query_selector_all("[data-testid=request-pick]")
        .expect("valid selector");
    assert_eq!(picks.length() as usize, trace.requests.len());
    picks
        .item(1)
        .and_then(|n| n.dyn_into::<HtmlElement>().ok())
        .expect("a second request button")
        .click();
    flush().await;
    assert_eq!(
        texts(&root, "[data-testid=seq-arrow]").len(),
        trace.requests[1].exchanges.len() * 2
    );
}

#[wasm_bindgen_test]
async fn firefox_rules_open_its_console_tab_and_show_its_max_age_cap() {
    let scenario = load(include_str!("../scenarios/firefox-max-age-cap.json"));
    let firefox = evaluate(&scenario, Some(Browser::Firefox));
    let root = mount_as(&scenario, Browser::Firefox).await;
    assert_eq!(
        attrs(
            &root,
            "[role=tab][aria-selected=true][data-testid^=console-tab]",
            "data-testid"
        ),
        vec!["console-tab-firefox".to_owned()]
    );
    assert_eq!(
        element(&root, "[data-testid=verdict]").get_attribute("data-outcome"),
        serde_json::to_value(firefox.requests[0].result.outcome)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
    );
    let hint = texts(&root, ".cache-panel .tv-panel-hint").join(" ");
    assert!(
        hint.contains(&format!("at most {} s", firefox.profile.max_age_cap)),
        "{hint}"
    );
    let preflights: Vec<String> = firefox
        .requests
        .iter()
        .map(|r| {
            serde_json::to_value(r.result.preflight)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        attrs(&root, "[data-testid=cache-request]", "data-preflight"),
        preflights
    );
}

#[wasm_bindgen_test]
async fn copy_reports_success_or_how_to_copy_by_hand() {
    let scenario = load(JSON_POST);
    let root = mount(&scenario).await;
    assert_eq!(texts(&root, ".copy-status"), vec![String::new()]);
    click(&root, "[data-testid=snippet-copy]");
    // The Clipboard API answers asynchronously; give it a few turns.
    let mut status = String::new();
    for _ in 0..20 {
        yew::platform::time::sleep(Duration::from_millis(25)).await;
        status = texts(&root, ".copy-status").join("");
        if !status.is_empty() {
            break;
        }
    }
    assert!(
        status == "Copied." || status.starts_with("Copying is not available here"),
        "{status:?}"
    );
}

#[wasm_bindgen_test]
async fn the_diagram_reveals_the_preflight_at_its_stage_and_stops_it_at_the_edge() {
    let scenario = load(JSON_POST);
    let root = mount(&scenario).await;
    let shown = |root: &Element| {
        attrs(
            root,
            "[data-testid=seq-arrow][data-shown=true]",
            "data-kind",
        )
    };
    // Origin: both origins split, the host marked; no arrow yet.
    click(&root, "[data-testid=stage-tab][data-stage=origin]");
    flush().await;
    assert!(shown(&root).is_empty());
    assert_eq!(
        attrs(
            &root,
            "[data-testid=dg-origin-part][data-marked=true]",
            "data-part"
        ),
        vec!["host".to_owned(), "host".to_owned()]
    );
    // Classification: Content-Type is the one header marked, POST is safelisted.
    click(&root, "[data-testid=stage-tab][data-stage=classification]");
    flush().await;
    let marked: Vec<String> = texts(&root, "[data-testid=dg-chip][data-marked=true]");
    assert_eq!(marked, vec!["Content-Type".to_owned()]);
    assert_eq!(
        attrs(&root, "[data-testid=dg-classification]", "data-preflight"),
        vec!["true".to_owned()]
    );
    assert!(texts(&root, "[data-testid=dg-console]").is_empty());
    // Preflight: the OPTIONS and its answer, stopped at the edge, and the console line.
    click(&root, "[data-testid=stage-tab][data-stage=preflight]");
    flush().await;
    assert_eq!(
        shown(&root),
        vec!["preflight".to_owned(), "preflight".to_owned()]
    );
    assert_eq!(
        attrs(
            &root,
            "[data-testid=seq-arrow][data-stopped=true]",
            "data-direction"
        ),
        vec!["response".to_owned()]
    );
    let trace = evaluate(&scenario, Some(Browser::Chrome));
    let console = texts(&root, "[data-testid=dg-console]").join("");
    assert!(
        console.contains(&trace.requests[0].result.console[0]),
        "{console}"
    );
    // The screen-reader words follow the stage.
    let words = texts(&root, "[data-testid=diagram-words]").join("");
    assert!(words.contains("Preflight"), "{words}");
}

#[wasm_bindgen_test]
async fn a_cache_hit_skips_the_preflight_arrow() {
    let scenario = load(include_str!("../scenarios/preflight-cache-max-age.json"));
    let trace = evaluate(&scenario, Some(Browser::Chrome));
    let hit = trace
        .requests
        .iter()
        .position(|r| {
            r.steps
                .iter()
                .any(|s| matches!(s.kind, cors_lab::engine::StepKind::CacheHit { .. }))
        })
        .expect("a request the cache answers");
    let root = mount(&scenario).await;
    let picks = root
        .query_selector_all("[data-testid=request-pick]")
        .expect("valid selector");
    picks
        .item(hit as u32)
        .and_then(|n| n.dyn_into::<HtmlElement>().ok())
        .expect("the request's button")
        .click();
    flush().await;
    click(&root, "[data-testid=stage-tab][data-stage=cache]");
    flush().await;
    assert_eq!(texts(&root, "[data-testid=dg-cache-hit]").len(), 1);
    assert!(attrs(&root, "[data-testid=seq-arrow]", "data-kind")
        .iter()
        .all(|kind| kind == "request"));
}

#[wasm_bindgen_test]
async fn a_request_the_page_csp_blocks_never_leaves_the_browser() {
    let scenario = load(include_str!(
        "../scenarios/csp-connect-src-blocks-before-cors.json"
    ));
    let root = mount(&scenario).await;
    assert!(texts(&root, "[data-testid=seq-arrow]").is_empty());
    assert_eq!(texts(&root, "[data-testid=dg-never-sent]").len(), 1);
    assert_eq!(texts(&root, "[data-testid=dg-stop]").len(), 1);
}
