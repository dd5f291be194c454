//! The server editor's framework mode (the `app-frameworks` feature), run
//! in headless Chromium: the whole App is mounted on the default lesson (a
//! JSON POST from https://app.example.com, blocked by its mock server), the
//! server becomes Express + `cors` as configured, and the verdict and the
//! headers shown for each exchange follow the configuration.
//!
//! `cargo test --target wasm32-unknown-unknown --features app-frameworks
//! --test wasm_frameworks` (scripts/test runs it).
#![cfg(all(target_arch = "wasm32", feature = "app-frameworks"))]
#![allow(clippy::expect_used, clippy::indexing_slicing, clippy::panic)] // a test that cannot set up should fail loudly

use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlSelectElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

#[path = "wasm/support.rs"]
mod support;
use support::{find, flush, mount, texts};

fn outcome(root: &Element) -> String {
    find(root, "[data-testid=verdict]")
        .get_attribute("data-outcome")
        .unwrap_or_default()
}

async fn pick(root: &Element, framework: &str) {
    let select = find(root, "[data-testid=framework-pick]")
        .dyn_into::<HtmlSelectElement>()
        .expect("a select");
    select.set_value(framework);
    let event = web_sys::Event::new("change").expect("an event");
    select.dispatch_event(&event).expect("dispatched");
    flush().await;
}

async fn type_config(root: &Element, text: &str) {
    let area = find(root, "[data-testid=framework-config]")
        .dyn_into::<HtmlTextAreaElement>()
        .expect("a textarea");
    area.set_value(text);
    let event = web_sys::InputEvent::new("input").expect("an event");
    area.dispatch_event(&event).expect("dispatched");
    flush().await;
}

#[wasm_bindgen_test]
async fn express_as_configured_answers_and_the_verdict_follows() {
    let root = mount().await;
    assert_eq!(outcome(&root), "blocked", "the lesson starts blocked");
    pick(&root, "express").await;
    // The starter allows https://app.example.com: the preflight and the
    // POST both get it, and the engine allows the request.
    let answers = texts(&root, "[data-testid=framework-answer]");
    assert_eq!(answers.len(), 2, "{answers:?}");
    assert!(
        answers[0].starts_with("OPTIONS /users → 204"),
        "{answers:?}"
    );
    assert!(
        answers[0].contains("Access-Control-Allow-Origin: https://app.example.com"),
        "{answers:?}"
    );
    assert_eq!(outcome(&root), "allowed");
    // Another origin in the list: Express still answers 204, without
    // Access-Control-Allow-Origin, and the browser blocks.
    type_config(
        &root,
        "const cors = require(\"cors\");\napp.use(cors({ origin: [\"https://other.example.com\"] }));\n",
    )
    .await;
    let answers = texts(&root, "[data-testid=framework-answer]");
    assert!(
        answers[0].starts_with("OPTIONS /users → 204"),
        "{answers:?}"
    );
    assert!(
        !answers[0].contains("Access-Control-Allow-Origin"),
        "{answers:?}"
    );
    assert_eq!(outcome(&root), "blocked");
    // A configuration the model cannot read names its line and column.
    type_config(&root, "app.use(cors({ origin: [ }));").await;
    let error = texts(&root, "[data-testid=framework-error]");
    assert!(error[0].contains("line 1, column"), "{error:?}");
    // Back to a list of headers: the lesson's own rules answer again.
    pick(&root, "").await;
    assert!(texts(&root, "[data-testid=framework-answer]").is_empty());
    assert_eq!(outcome(&root), "blocked");
}
