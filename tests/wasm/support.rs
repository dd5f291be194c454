//! What the wasm component tests (`tests/wasm_*.rs`) share: a fresh `<div>`
//! on a page whose local storage and URL fragment are cleared (every test
//! shares one page), the app mounted into it, a flush of Yew's scheduler, and
//! small DOM readers. Each test file includes it with
//! `#[path = "wasm/support.rs"] mod support;`.
#![allow(dead_code)] // not every test file uses every helper

use std::time::Duration;

use cors_lab::ui::App;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

pub(crate) fn window() -> web_sys::Window {
    web_sys::window().expect("the test runs in a window")
}

/// Clears storage and the fragment, then returns a new `<div>` on the page.
pub(crate) fn fresh_root() -> Element {
    let storage = window()
        .local_storage()
        .ok()
        .flatten()
        .expect("local storage");
    storage.clear().expect("can clear storage");
    window()
        .history()
        .expect("history")
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("#"))
        .expect("can clear the fragment");
    let document = window().document().expect("a document");
    let root = document.create_element("div").expect("can create a div");
    document
        .body()
        .expect("the page has a body")
        .append_child(&root)
        .expect("can attach the div");
    root
}

/// Lets Yew's scheduler run the pending renders.
pub(crate) async fn flush() {
    yew::platform::time::sleep(Duration::ZERO).await;
    yew::platform::time::sleep(Duration::from_millis(10)).await;
}

/// The whole app, mounted into a [`fresh_root`] and rendered.
pub(crate) async fn mount() -> Element {
    let root = fresh_root();
    render_app(&root).await;
    root
}

/// Mounts the app into `root` and waits for its second render: the first
/// draws only the verdict and the stages, the rest follows the first painted
/// frame (`data-testid="app-ready"` then marks the lab).
pub(crate) async fn render_app(root: &Element) {
    yew::Renderer::<App>::with_root(root.clone()).render();
    for _ in 0..300 {
        flush().await;
        if root
            .query_selector("[data-testid=app-ready]")
            .ok()
            .flatten()
            .is_some()
        {
            return;
        }
    }
    panic!("the app did not finish its first render within 3 s");
}

/// Opens `#scenario=<id>` in the mounted app, as a lesson link does, and
/// waits for it (`hashchange` is dispatched asynchronously).
pub(crate) async fn open_by_hash(id: &str) {
    window()
        .location()
        .set_hash(&format!("scenario={id}"))
        .expect("can set the fragment");
    yew::platform::time::sleep(Duration::from_millis(100)).await;
    flush().await;
}

/// The element `selector` names (the test fails when there is none).
pub(crate) fn find(root: &Element, selector: &str) -> HtmlElement {
    root.query_selector(selector)
        .expect("valid selector")
        .unwrap_or_else(|| panic!("{selector} is on the page"))
        .dyn_into::<HtmlElement>()
        .expect("an HTML element")
}

/// The text of every element `selector` names, in document order.
pub(crate) fn texts(root: &Element, selector: &str) -> Vec<String> {
    let nodes = root.query_selector_all(selector).expect("valid selector");
    (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .map(|node| node.text_content().unwrap_or_default())
        .collect()
}

/// Attribute `attribute` of every element `selector` names ("" when absent).
pub(crate) fn attrs(root: &Element, selector: &str, attribute: &str) -> Vec<String> {
    let nodes = root.query_selector_all(selector).expect("valid selector");
    (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .filter_map(|node| node.dyn_into::<Element>().ok())
        .map(|element| element.get_attribute(attribute).unwrap_or_default())
        .collect()
}
