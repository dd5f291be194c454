//! The teaching app (wasm only).
//!
//! One store holds the page's state ([`store::AppState`]: the [`Scenario`]
//! being edited, re-evaluated with [`crate::engine::evaluate`] on every edit,
//! the mode and the selected request and stage). A pure reducer
//! ([`store::reduce`]) turns each action into the next state and the effects
//! to run; [`App`] runs them at the edge ([`store::effects`]) and hands the
//! state to the [`views`] through a context. The app renders what the engine
//! found and never decides a CORS outcome itself. It must never panic (a panic kills the whole page), so anything
//! that does not load becomes a notice, and all text is rendered as text (no
//! `inner_html`; the page's CSP forbids HTML sinks too).
//!
//! - [`app`]: the root component and the store's context.
//! - [`store`]: the state, the actions, the reducer and the effects.
//! - [`views`]: the page, the toolbar, the lab and the server panel.
//! - [`state`]: the edits and the engine's traces.
//! - [`client_editor`], [`server_editor`], [`header_rows`]: the editors.
//! - [`code`]: the request printed as a `fetch()` or XHR call.
//! - [`paste`]: "Why is my request blocked?" (a paste → `diagnose` → findings).
//! - [`share`], [`bundled`]: local storage, share links, the bundled lessons
//!   (an index in the wasm; each lesson's text read when it is opened).
//! - [`summary`]: a lesson's first sentence (shared with `build.rs`).
//! - [`trace`]: the trace views (stage cards, diagram, console, fixes, cache).
//! - [`library`], [`predict`], [`course`]: classroom mode (the lesson library;
//!   predict, then reveal; the course path and its progress).
//! - [`presenter`]: one stage per screen in large type, for a projector.
//! - [`authoring`]: save as a scenario file, open one (picker or drop).
//! - [`first_view`]: the pre-rendered first view (rendered at build time by
//!   these components, natively; taken over by the app when it starts).

pub mod app;
pub mod authoring;
pub mod bundled;
pub mod client_editor;
pub mod code;
pub mod course;
pub mod first_view;
pub mod framework_editor;
pub mod header_rows;
pub mod library;
pub mod paste;
pub mod predict;
pub mod presenter;
pub mod server_editor;
pub mod share;
pub mod state;
pub mod store;
pub mod summary;
pub mod trace;
pub mod views;

use self::state::{default_stage, stages_of, Evaluated};
use crate::engine::Stage;
use crate::scenario::{parse_scenario, Scenario};

pub use self::app::App;

/// The scenario the app opens with when nothing is stored (a version-1
/// scenario file): the bundled lesson's text as `build.rs` wrote it, the
/// only lesson text in the wasm (the others are read when opened:
/// [`bundled`]).
pub const DEFAULT_SCENARIO: &str = include_str!(concat!(
    env!("OUT_DIR"),
    "/scenarios/json-post-without-allow-headers.json"
));

/// Mounts [`App`]: next to the pre-rendered first view if the page has one
/// (see [`first_view`]; the app removes it once its own first render is in
/// the DOM), else on the page's `<body>`.
#[cfg(target_arch = "wasm32")]
pub fn start() {
    performance_mark("wasm instantiated");
    match first_view::mount_point() {
        Some(root) => yew::Renderer::<App>::with_root(root).render(),
        None => yew::Renderer::<App>::new().render(),
    };
    // Yew renders in a task it queues: the DOM is written later (see `App::rendered`).
    performance_mark("render scheduled");
}

/// A `performance.mark`: the load's phases, which `scripts/bench-app` reports.
fn performance_mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|window| window.performance()) {
        let _ = performance.mark(name);
    }
}

/// The default scenario (an empty one if it ever failed to parse).
pub fn default_scenario() -> Scenario {
    parse_scenario(DEFAULT_SCENARIO).unwrap_or_else(|_| state::empty_scenario())
}

/// The stages of request `index` in `eval`'s main trace (for tests).
pub fn stages(eval: &Evaluated, index: usize) -> Vec<Stage> {
    let browser = eval.scenario.browser.unwrap_or_default();
    eval.trace(browser)
        .requests
        .get(index)
        .map(stages_of)
        .unwrap_or_default()
}

/// The stage shown first for request `index` (for tests).
pub fn first_stage(eval: &Evaluated, index: usize) -> Option<Stage> {
    let browser = eval.scenario.browser.unwrap_or_default();
    eval.trace(browser)
        .requests
        .get(index)
        .and_then(default_stage)
}

/// Whether this build has the framework mode (the `app-frameworks`
/// feature): the server editor's framework mode and the Paste panel's
/// configuration. When it is `false`, no path of the app reaches
/// `crate::frameworks`, so the release build links none of its models.
pub const FRAMEWORK_MODE: bool = cfg!(feature = "app-frameworks");
