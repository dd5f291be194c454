//! The framework models as the app runs them, in headless Chromium.
//!
//! - The models built for wasm32 (patterns on the browser's `RegExp`, not
//!   the `regex` crate) answer every exchange of the real-framework
//!   harness as the native models do, which `tests/frameworks.rs` proves
//!   are the real frameworks' answers (`tests/frameworks/recorded.rs`).
//! - The server editor's framework mode: the whole App is mounted on the
//!   default lesson (a JSON POST from https://app.example.com, blocked by
//!   its mock server), the server becomes Express + `cors` (then
//!   tower-http) as configured, and the verdict and the headers shown for
//!   each exchange follow the configuration.
//!
//! `cargo test --target wasm32-unknown-unknown --features app-frameworks
//! --test wasm_frameworks` (scripts/test runs it): the framework mode is a
//! feature of the app, off by default (README, Budgets).
#![cfg(all(target_arch = "wasm32", feature = "app-frameworks"))]
#![allow(clippy::expect_used, clippy::indexing_slicing, clippy::panic)] // a test that cannot set up should fail loudly

use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlSelectElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

#[path = "wasm/support.rs"]
mod support;
use support::{find, flush, mount, texts};

#[path = "frameworks/recorded.rs"]
#[allow(dead_code)] // the harness's other helpers
mod recorded;

/// Every exchange of every harness configuration, answered by the models
/// in the browser, equals the recorded native answer.
#[wasm_bindgen_test]
fn the_models_in_the_browser_answer_every_harness_exchange_as_the_real_frameworks() {
    let recorded: Vec<&str> = include_str!("frameworks/model-answers.txt")
        .lines()
        .collect();
    let answers = recorded::model_answers();
    assert_eq!(
        answers.len(),
        recorded.len(),
        "one answer per recorded exchange"
    );
    let differing: Vec<String> = answers
        .iter()
        .zip(&recorded)
        .filter(|(got, want)| got != *want)
        .map(|(got, want)| format!("recorded: {want}\n browser: {got}"))
        .collect();
    assert!(
        differing.is_empty(),
        "{} of {} exchanges differ:\n{}",
        differing.len(),
        answers.len(),
        differing.join("\n")
    );
}

/// Patterns the frameworks' dialects write and the browser's `RegExp`
/// reads differently or not at all: Python's `(?P<name>…)` and a leading
/// `(?i)` are translated; a pattern the browser refuses is a configuration
/// error with its line and column, not a thrown exception.
#[wasm_bindgen_test]
fn python_spellings_are_translated_and_a_bad_pattern_is_an_error() {
    use cors_lab::frameworks::{parse, Backend, Framework, Request};
    let get = |origin: &str| Request {
        method: "GET".into(),
        path: "/ok".into(),
        headers: vec![("Origin".into(), origin.into())],
    };
    let config = parse(
        Framework::Fastapi,
        "app.add_middleware(CORSMiddleware, allow_origin_regex=r\"(?i)https://(?P<sub>\\w+)\\.APP\\.example\")",
    )
    .expect("Python's spellings are read");
    let allowed = config.respond(&get("https://a.app.example"), &Backend::default());
    assert_eq!(
        allowed.get("Access-Control-Allow-Origin"),
        Some("https://a.app.example")
    );
    // fullmatch: a longer origin is not allowed.
    let longer = config.respond(&get("https://a.app.example.evil"), &Backend::default());
    assert_eq!(longer.get("Access-Control-Allow-Origin"), None);
    let error = parse(
        Framework::Nginx,
        "server {\n    if ($http_origin ~ \"(\") { add_header A b; }\n}\n",
    )
    .expect_err("an unclosed group is refused");
    assert_eq!(error.line, 2, "{error}");
    assert!(error.message.contains("cannot be read"), "{error}");
}

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

#[wasm_bindgen_test]
async fn tower_http_as_configured_answers_and_names_the_line_of_an_error() {
    let root = mount().await;
    pick(&root, "tower-http").await;
    // The starter: one exact origin, no methods or headers allowed, so the
    // JSON POST's preflight gets no Access-Control-Allow-Headers.
    let answers = texts(&root, "[data-testid=framework-answer]");
    assert!(
        answers[0].starts_with("OPTIONS /users → 200"),
        "{answers:?}"
    );
    assert!(
        answers[0].contains("access-control-allow-origin: https://app.example.com"),
        "{answers:?}"
    );
    assert_eq!(outcome(&root), "blocked");
    type_config(
        &root,
        "let cors = CorsLayer::new()\n    .allow_origin([\"https://app.example.com\".parse::<HeaderValue>().unwrap()])\n    .allow_methods([Method::POST])\n    .allow_headers([header::CONTENT_TYPE]);\n",
    )
    .await;
    let answers = texts(&root, "[data-testid=framework-answer]");
    assert!(
        answers[0].contains("access-control-allow-headers: content-type"),
        "{answers:?}"
    );
    assert_eq!(outcome(&root), "allowed");
    type_config(&root, "CorsLayer::new()\n    .allow_origin(Any,,)").await;
    let error = texts(&root, "[data-testid=framework-error]");
    assert!(error[0].contains("line 2, column 23"), "{error:?}");
}
