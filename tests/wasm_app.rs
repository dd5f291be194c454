//! Component tests of the app, run in headless Chromium (see scripts/test):
//! each mounts a component into a fresh `<div>` and reads the rendered DOM.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::expect_used)] // a test that cannot set up should fail loudly

use std::time::Duration;

use cors_lab::engine::evaluate;
use cors_lab::scenario::parse_scenario;
use cors_lab::ui::{App, ScenarioPage, ScenarioPageProps, DEFAULT_SCENARIO};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::Element;
use yew::AttrValue;

wasm_bindgen_test_configure!(run_in_browser);

/// A new `<div>` attached to the test page's body.
fn fresh_root() -> Element {
    let document = web_sys::window()
        .and_then(|window| window.document())
        .expect("the test runs in a page with a document");
    let root = document.create_element("div").expect("can create a div");
    document
        .body()
        .expect("the page has a body")
        .append_child(&root)
        .expect("can attach the div");
    root
}

/// Lets Yew's scheduler run the pending renders.
async fn flush() {
    yew::platform::time::sleep(Duration::ZERO).await;
}

fn texts(root: &Element, selector: &str) -> Vec<String> {
    let nodes = root.query_selector_all(selector).expect("valid selector");
    (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .map(|node| node.text_content().unwrap_or_default())
        .collect()
}

#[wasm_bindgen_test]
async fn app_shows_heading_and_default_scenario() {
    let root = fresh_root();
    yew::Renderer::<App>::with_root(root.clone()).render();
    flush().await;

    assert_eq!(texts(&root, "h1"), vec!["CORS Lab".to_owned()]);
    let scenario = parse_scenario(DEFAULT_SCENARIO).expect("the built-in scenario loads");
    let title = scenario
        .title
        .clone()
        .expect("the built-in scenario has a title");
    assert_eq!(texts(&root, "#scenario-title"), vec![title]);
    assert!(
        texts(&root, "[role=alert]").is_empty(),
        "no load-error notice for the built-in scenario"
    );
}

#[wasm_bindgen_test]
async fn app_renders_one_entry_per_engine_request() {
    let root = fresh_root();
    yew::Renderer::<App>::with_root(root.clone()).render();
    flush().await;

    let scenario = parse_scenario(DEFAULT_SCENARIO).expect("the built-in scenario loads");
    let trace = evaluate(&scenario, None);
    let rendered = root
        .query_selector_all("li.request")
        .expect("valid selector")
        .length();
    assert_eq!(rendered as usize, trace.requests.len());
    if trace.requests.is_empty() {
        let notice = texts(&root, "[role=status]").join(" ");
        assert!(
            notice.contains("no requests"),
            "an empty trace is said so: {notice:?}"
        );
    }
    // Every console line the engine produced is on the page, in order.
    let want: Vec<String> = trace
        .requests
        .iter()
        .flat_map(|r| r.result.console.iter().cloned())
        .collect();
    assert_eq!(texts(&root, "li.console-line"), want);
}

#[wasm_bindgen_test]
async fn a_broken_scenario_is_a_notice_not_a_panic() {
    let root = fresh_root();
    let props = ScenarioPageProps {
        source: AttrValue::Static("{\"format\": \"cors-scenario/1\","),
    };
    yew::Renderer::<ScenarioPage>::with_root_and_props(root.clone(), props).render();
    flush().await;

    let alert = texts(&root, "[role=alert]").join(" ");
    assert!(alert.contains("could not be loaded"), "got {alert:?}");
    assert!(alert.contains("line 1"), "the notice says where: {alert:?}");
    assert!(root
        .query_selector("li.request")
        .expect("valid selector")
        .is_none());
}
