//! What the wasm component tests (`tests/wasm_*.rs`) share: a fresh `<div>`
//! on a page whose local storage and URL fragment are cleared (every test
//! shares one page), the app mounted into it, a flush of Yew's scheduler, and
//! small DOM readers. Each test file includes it with
//! `#[path = "wasm/support.rs"] mod support;`.
//!
//! The test page carries every lesson's text as a lesson's own pre-rendered
//! page carries its one ([`carry_lessons`]): the app reads a lesson it opens
//! from there, by its shipped code path (`cors_lab::ui::bundled::on_page`).
//! The other path, `lessons/<id>.json`, is not served here (the runner
//! answers 404): `tests/e2e_*.rs` open lessons from the built `dist/`.
#![allow(dead_code)] // not every test file uses every helper

use std::time::Duration;

use cors_lab::scenario::{parse_scenario, Scenario};
use cors_lab::ui::bundled::LESSON_JSON;
use cors_lab::ui::App;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

pub(crate) fn window() -> web_sys::Window {
    web_sys::window().expect("the test runs in a window")
}

/// Every lesson's text as `build.rs` wrote it, in file-name order: what
/// `scripts/prerender` ships as `lessons/<id>.json` and in each lesson's page.
pub(crate) const LESSON_TEXTS: &[&str] = include!(concat!(env!("OUT_DIR"), "/lesson_texts.rs"));

/// Every lesson, parsed.
pub(crate) fn lessons() -> Vec<Scenario> {
    LESSON_TEXTS
        .iter()
        .map(|text| parse_scenario(text).expect("every lesson loads"))
        .collect()
}

/// The lesson with this id.
pub(crate) fn lesson(id: &str) -> Scenario {
    lessons()
        .into_iter()
        .find(|lesson| lesson.id == id)
        .unwrap_or_else(|| panic!("{id} is a lesson"))
}

/// Puts every lesson's text in the page (once) as a lesson's page carries
/// its own: `<script type="application/json" data-lesson-json="<id>">`.
pub(crate) fn carry_lessons() {
    let document = window().document().expect("a document");
    for text in LESSON_TEXTS {
        let id = parse_scenario(text).expect("every lesson loads").id;
        let selector = format!("script[{LESSON_JSON}=\"{id}\"]");
        if document.query_selector(&selector).ok().flatten().is_some() {
            continue;
        }
        let block = document
            .create_element("script")
            .expect("can create a script");
        block.set_attribute("type", "application/json").expect("ok");
        block.set_attribute(LESSON_JSON, &id).expect("ok");
        block.set_text_content(Some(text));
        document
            .head()
            .expect("the page has a head")
            .append_child(&block)
            .expect("can attach the block");
    }
}

/// Removes lesson `id`'s text from the page ([`carry_lessons`] puts it back).
pub(crate) fn drop_lesson(id: &str) {
    let document = window().document().expect("a document");
    if let Some(block) = document
        .query_selector(&format!("script[{LESSON_JSON}=\"{id}\"]"))
        .ok()
        .flatten()
    {
        block.remove();
    }
}

/// Clears storage and the fragment, then returns a new `<div>` on the page
/// (which carries every lesson: [`carry_lessons`]).
pub(crate) fn fresh_root() -> Element {
    carry_lessons();
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
