//! The teaching app (wasm only).
//!
//! [`App`] owns the state: the [`Scenario`] being edited (re-evaluated with
//! [`crate::engine::evaluate`] on every edit), the selected request and
//! stage. It renders what the engine found and never decides a CORS outcome
//! itself. It must never panic (a panic kills the whole page), so anything
//! that does not load becomes a notice, and all text is rendered as text (no
//! `inner_html`; the page's CSP forbids HTML sinks too).
//!
//! - [`state`]: the edits and the engine's traces.
//! - [`client_editor`], [`server_editor`], [`header_rows`]: the editors.
//! - [`code`]: the request printed as a `fetch()` or XHR call.
//! - [`paste`]: "Why is my request blocked?" (a paste → `diagnose` → findings).
//! - [`share`], [`bundled`]: local storage, share links, bundled scenarios.
//! - [`trace`]: the trace views (stage cards, diagram, console, fixes, cache).
//! - [`library`], [`predict`], [`course`]: classroom mode (the lesson library;
//!   predict, then reveal; the course path and its progress).
//! - [`presenter`]: one stage per screen in large type, for a projector.
//! - [`authoring`]: save as a scenario file, open one (picker or drop).

pub mod authoring;
pub mod bundled;
pub mod client_editor;
pub mod code;
pub mod course;
pub mod header_rows;
pub mod library;
pub mod paste;
pub mod predict;
pub mod presenter;
pub mod server_editor;
pub mod share;
pub mod state;
pub mod trace;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_events::EventListener;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement, KeyboardEvent};
use yew::prelude::*;

use self::client_editor::ClientEditor;
use self::course::{Course, CourseNav};
use self::library::Library;
use self::paste::{OpenPasted, PastePanel};
use self::predict::Predict;
use self::presenter::Presenter;
use self::server_editor::ServerEditor;
use self::share::HashRequest;
use self::state::{apply, default_stage, hops, stages_of, step_stage, Edit, Evaluated, Side};
use self::trace::TraceView;
use crate::engine::Stage;
use crate::scenario::{parse_scenario, Scenario};

/// The scenario the app opens with when nothing is stored (a version-1 scenario file).
pub const DEFAULT_SCENARIO: &str =
    include_str!("../../scenarios/json-post-without-allow-headers.json");

/// Mounts [`App`] on the page's `<body>`.
pub fn start() {
    performance_mark("wasm instantiated");
    yew::Renderer::<App>::new().render();
    // Yew renders in a task it queues: the DOM is written later (see `App::rendered`).
    performance_mark("render scheduled");
}

/// Runs `then` once the browser has painted the next frame: an animation
/// frame callback runs just before the paint, and a task it queues runs
/// after it. A hidden tab runs no animation frames, so a timer also fires
/// after [`SETTLE_FALLBACK_MS`]; `then` must tolerate being called twice.
fn after_next_paint(then: impl Fn() + 'static) {
    let then = Rc::new(then);
    let Some(window) = web_sys::window() else {
        then();
        return;
    };
    let fallback = then.clone();
    let after_paint = Closure::once_into_js(move || {
        yew::platform::spawn_local(async move {
            yew::platform::time::sleep(std::time::Duration::ZERO).await;
            then();
        });
    });
    let scheduled = window
        .request_animation_frame(after_paint.unchecked_ref())
        .is_ok();
    let on_timer = Closure::once_into_js(move || fallback());
    let delay = if scheduled { SETTLE_FALLBACK_MS } else { 0 };
    let _ = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(on_timer.unchecked_ref(), delay);
}

/// How long the first render waits for a painted frame before rendering the rest anyway.
const SETTLE_FALLBACK_MS: i32 = 250;

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

/// What the app starts with: the URL fragment first, then local storage, then
/// the default; each problem on the way becomes a notice.
fn initial_scenario() -> (Scenario, Option<String>) {
    let hash = location_hash();
    let mut notice = None;
    match share::read_hash(&hash) {
        HashRequest::Shared(scenario) | HashRequest::Bundled(scenario) => return (*scenario, None),
        HashRequest::Broken(why) => notice = Some(why),
        HashRequest::None => {}
    }
    match share::load_stored() {
        Ok(Some(scenario)) => (scenario, notice),
        Ok(None) => (default_scenario(), notice),
        Err(why) => (default_scenario(), Some(why)),
    }
}

fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Replaces the address bar's fragment without a `hashchange` (empty = none).
fn replace_hash(fragment: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    // `replaceState` is slow (several ms: it goes through the browser
    // process), and every edit asks for an empty fragment: skip a no-op.
    let current = location.hash().unwrap_or_default();
    if current.strip_prefix('#').unwrap_or(&current) == fragment {
        return;
    }
    let base = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    let url = if fragment.is_empty() {
        base
    } else {
        format!("{base}#{fragment}")
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// Sets `data-theme` on `<html>` (`None`: follow the system).
fn apply_theme(theme: Option<&str>) {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element());
    if let Some(root) = root {
        let _ = match theme {
            Some(theme) => root.set_attribute("data-theme", theme),
            None => root.remove_attribute("data-theme"),
        };
    }
}

/// Whether a key press belongs to an editor (arrows move the caret there).
fn in_editor(event: &KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|element| {
            matches!(
                element.tag_name().to_ascii_lowercase().as_str(),
                "input" | "textarea" | "select"
            ) || element
                .closest("[contenteditable]")
                .ok()
                .flatten()
                .is_some()
        })
}

/// A message to [`App`].
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// An edit of the scenario.
    Edit(Edit),
    /// Select request `index`.
    SelectRequest(usize),
    /// Show this stage.
    Stage(Stage),
    /// Move `delta` stages.
    Step(isize),
    /// The URL fragment changed.
    HashChanged,
    /// Open a bundled scenario by id.
    Open(String),
    /// Put the share link in the address bar and show it.
    Share,
    /// Whether share links keep Authorization/Cookie values.
    IncludeSecrets(bool),
    /// The theme: `None` follows the system.
    Theme(Option<String>),
    /// The "send again after" delay, in seconds.
    Delay(u32),
    /// Back to the default scenario.
    Reset,
    /// Hide the notice.
    DismissNotice,
    /// Back to the scenario the last load replaced.
    Restore,
    /// Show the lesson library (`true`) or the lab (`false`).
    ShowLibrary(bool),
    /// Open a lesson from the library (predict first).
    OpenFromLibrary(String),
    /// Whether the learner predicts before the steps are shown.
    PredictFirst(bool),
    /// Show the steps (after predicting).
    Reveal,
    /// Show the course (`true`) or the lab (`false`).
    ShowCourse(bool),
    /// Forget the course progress.
    ResetCourse,
    /// Enter (`true`) or leave the presenter view.
    Present(bool),
    /// Download the scenario as a scenario file.
    Export,
    /// Open this scenario file text.
    Import(String),
    /// Show or hide the paste panel.
    TogglePaste,
    /// Open a diagnosed paste in the stepper, at its failing step.
    OpenPasted(Box<OpenPasted>),
    /// The first frame, with the verdict, has been painted: render the rest.
    Settled,
}

/// A scenario and where it holds secrets (see [`share::secret_locations`]).
type SecretsOf = (Rc<Scenario>, Rc<Vec<String>>);

/// The whole page.
pub struct App {
    eval: Evaluated,
    request: usize,
    stage: Option<Stage>,
    notice: Option<String>,
    share_link: Option<(String, Vec<String>)>,
    include_secrets: bool,
    theme: Option<String>,
    delay_s: u32,
    previous: Option<Rc<Scenario>>,
    bundled: Rc<Vec<(String, String)>>,
    library: Option<Rc<Vec<library::Entry>>>,
    predict_first: bool,
    revealed: bool,
    course_open: bool,
    progress: Vec<String>,
    // Shared with the key listener, which must decide at once whether a key is the presenter's.
    presenting: Rc<Cell<bool>>,
    paste_open: bool,
    // False until the first frame is painted: the first render draws only
    // the lesson, the verdict and the stages (see `after_next_paint`).
    settled: bool,
    // The toolbar's list of secrets, for the scenario it was made from
    // (listing them redacts the whole scenario: once per scenario, not per render).
    secrets: RefCell<Option<SecretsOf>>,
    // Made once, so that the trace view's props compare equal between renders.
    on_stage: Callback<Stage>,
    on_request: Callback<usize>,
    _listeners: Vec<EventListener>,
}

impl App {
    /// Replaces the scenario; the one it replaces can be brought back
    /// ("Back to the previous scenario"), so opening a lesson loses nothing.
    fn load(&mut self, scenario: Scenario) {
        if scenario != *self.eval.scenario {
            self.previous = Some(self.eval.scenario.clone());
        }
        self.eval = Evaluated::new(scenario);
        self.request = 0;
        self.stage = None;
        self.share_link = None;
        self.revealed = false;
        share::store(&self.eval.scenario);
    }

    /// Where the scenario holds secrets a share link leaves out (cached per scenario).
    fn secret_locations(&self) -> Rc<Vec<String>> {
        let mut cache = self.secrets.borrow_mut();
        if let Some((scenario, list)) = &*cache {
            if Rc::ptr_eq(scenario, &self.eval.scenario) {
                return list.clone();
            }
        }
        let list = Rc::new(share::secret_locations(&self.eval.scenario));
        *cache = Some((self.eval.scenario.clone(), list.clone()));
        list
    }

    fn selected_trace(&self) -> Option<&crate::engine::RequestTrace> {
        self.eval
            .trace(self.eval.scenario.browser.unwrap_or_default())
            .requests
            .get(self.request)
    }
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let (scenario, notice) = initial_scenario();
        let theme = share::stored_theme().filter(|t| t == "light" || t == "dark");
        apply_theme(theme.as_deref());
        let mut listeners = Vec::new();
        let presenting = Rc::new(Cell::new(false));
        if let Some(window) = web_sys::window() {
            let link = ctx.link().clone();
            listeners.push(EventListener::new(&window, "hashchange", move |_| {
                link.send_message(Msg::HashChanged)
            }));
            if let Some(document) = window.document() {
                let link = ctx.link().clone();
                let presenting = presenting.clone();
                listeners.push(EventListener::new(&document, "keydown", move |event| {
                    let Some(event) = event.dyn_ref::<KeyboardEvent>() else {
                        return;
                    };
                    // The trace view handles (and prevents) the keys pressed inside it.
                    if event.default_prevented()
                        || event.alt_key()
                        || event.ctrl_key()
                        || event.meta_key()
                        || in_editor(event)
                    {
                        return;
                    }
                    let present = presenting.get();
                    let delta = match event.key().as_str() {
                        "ArrowRight" => 1,
                        "ArrowLeft" => -1,
                        "Home" => -1000,
                        "End" => 1000,
                        // A clicker sends PageDown/PageUp; arrows up and down too on a projector.
                        "PageDown" | "ArrowDown" | " " if present => 1,
                        "PageUp" | "ArrowUp" if present => -1,
                        "Escape" if present => {
                            event.prevent_default();
                            link.send_message(Msg::Present(false));
                            return;
                        }
                        _ => return,
                    };
                    event.prevent_default();
                    link.send_message(Msg::Step(delta));
                }));
            }
        }
        let bundled = share::bundled_titles();
        let (progress, course_notice) = course::load_progress();
        let notice = notice.or(course_notice);
        let eval = Evaluated::new(scenario);
        share::store(&eval.scenario);
        App {
            eval,
            request: 0,
            stage: None,
            notice,
            share_link: None,
            include_secrets: false,
            theme,
            delay_s: 10,
            previous: None,
            bundled: Rc::new(bundled),
            library: None,
            predict_first: false,
            revealed: false,
            course_open: false,
            progress,
            presenting,
            paste_open: false,
            settled: false,
            secrets: RefCell::new(None),
            on_stage: ctx.link().callback(Msg::Stage),
            on_request: ctx.link().callback(Msg::SelectRequest),
            _listeners: listeners,
        }
    }

    fn update(&mut self, _ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Edit(edit) => {
                let browser = self.eval.scenario.browser.unwrap_or_default();
                let adds = matches!(edit, Edit::SendAgain { .. });
                let next = apply(&self.eval.scenario, self.eval.trace(browser), edit);
                self.eval = Evaluated::new(next);
                let count = self.eval.scenario.requests.len();
                if adds {
                    self.request = count.saturating_sub(1);
                    self.stage = None;
                }
                self.request = self.request.min(count.saturating_sub(1));
                self.share_link = None;
                share::store(&self.eval.scenario);
                // A reload must show the edited scenario, not the link it came from.
                replace_hash("");
            }
            Msg::SelectRequest(index) => {
                self.request = index;
                self.stage = None;
            }
            Msg::Stage(stage) => self.stage = Some(stage),
            Msg::Step(delta) => {
                let next = self
                    .selected_trace()
                    .and_then(|trace| step_stage(trace, self.stage, delta));
                if next.is_none() || next == self.stage {
                    return false;
                }
                self.stage = next;
            }
            Msg::HashChanged => match share::read_hash(&location_hash()) {
                HashRequest::Shared(scenario) | HashRequest::Bundled(scenario) => {
                    self.notice = None;
                    self.load(*scenario);
                }
                HashRequest::Broken(why) => self.notice = Some(why),
                HashRequest::None => return false,
            },
            Msg::Open(id) => match share::bundled(&id) {
                Some(scenario) => {
                    self.load(scenario);
                    replace_hash(&format!("scenario={id}"));
                }
                None => return false,
            },
            Msg::Share => {
                let (scenario, redacted) = if self.include_secrets {
                    ((*self.eval.scenario).clone(), Vec::new())
                } else {
                    share::redact_secrets(&self.eval.scenario)
                };
                let redacted = redacted.into_iter().map(|r| r.location).collect();
                let fragment = share::share_fragment(&scenario);
                replace_hash(&fragment);
                let href = web_sys::window()
                    .and_then(|w| w.location().href().ok())
                    .unwrap_or_else(|| format!("#{fragment}"));
                self.share_link = Some((href, redacted));
            }
            Msg::IncludeSecrets(include) => {
                self.include_secrets = include;
                self.share_link = None;
            }
            Msg::Theme(theme) => {
                apply_theme(theme.as_deref());
                share::store_theme(theme.as_deref());
                self.theme = theme;
            }
            Msg::Delay(seconds) => self.delay_s = seconds,
            Msg::Reset => {
                self.notice = None;
                self.load(default_scenario());
                replace_hash("");
            }
            Msg::DismissNotice => self.notice = None,
            Msg::TogglePaste => self.paste_open = !self.paste_open,
            Msg::OpenPasted(pasted) => {
                self.notice = None;
                self.load(pasted.scenario);
                self.stage = pasted.stage;
                // A pasted Authorization or token stays out of links until the user opts in again.
                self.include_secrets = false;
                replace_hash("");
            }
            Msg::Restore => {
                if let Some(previous) = self.previous.take() {
                    self.load((*previous).clone());
                    replace_hash("");
                }
            }
            Msg::ShowLibrary(show) => {
                self.library = show.then(|| Rc::new(library::entries()));
                self.course_open = false;
            }
            Msg::ShowCourse(show) => {
                self.course_open = show;
                self.library = None;
            }
            Msg::Present(on) => {
                if self.presenting.get() == on {
                    return false;
                }
                self.presenting.set(on);
            }
            Msg::Export => {
                let browser = crate::scenario::Browser::Chrome;
                let text = authoring::export_scenario(
                    &self.eval.scenario,
                    self.eval.trace(browser),
                    self.include_secrets,
                );
                if !authoring::download(&authoring::file_name(&self.eval.scenario), &text) {
                    self.notice = Some("The browser did not offer the download.".to_owned());
                }
            }
            Msg::Import(text) => match authoring::import_scenario(&text) {
                Ok((scenario, warnings)) => {
                    self.load(scenario);
                    replace_hash("");
                    self.notice = (!warnings.is_empty()).then(|| {
                        format!(
                            "Opened, with warnings: unknown fields {}",
                            warnings.join(", ")
                        )
                    });
                }
                Err(why) => self.notice = Some(why),
            },
            Msg::ResetCourse => {
                self.progress.clear();
                course::store_progress(&self.progress);
            }
            Msg::OpenFromLibrary(id) => {
                self.library = None;
                self.course_open = false;
                self.predict_first = true;
                if let Some(scenario) = share::bundled(&id) {
                    self.load(scenario);
                    replace_hash(&format!("scenario={id}"));
                }
            }
            Msg::PredictFirst(on) => {
                self.predict_first = on;
                self.revealed = false;
            }
            Msg::Settled => {
                if self.settled {
                    return false;
                }
                self.settled = true;
            }
            Msg::Reveal => {
                self.revealed = true;
                if course::complete(&mut self.progress, &self.eval.scenario.id) {
                    course::store_progress(&self.progress);
                }
            }
        }
        true
    }

    fn rendered(&mut self, ctx: &Context<Self>, first_render: bool) {
        if first_render {
            performance_mark("first render in the DOM");
            let link = ctx.link().clone();
            after_next_paint(move || link.send_message(Msg::Settled));
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let scenario = &self.eval.scenario;
        if self.presenting.get() {
            if let Some(trace) = self.selected_trace() {
                return html! {
                    <Presenter title={scenario.title.clone().unwrap_or_else(|| scenario.id.clone())}
                               trace={Rc::new(trace.clone())} stage={self.stage}
                               on_step={link.callback(Msg::Step)}
                               on_leave={link.callback(|_| Msg::Present(false))} />
                };
            }
        }
        html! {
            <>
                <header class="site-header">
                    <div class="brand">
                        <h1>{ "CORS Lab" }</h1>
                        <p class="tagline">
                            { "What the browser does with a cross-origin request, step by step." }
                        </p>
                    </div>
                    { self.view_toolbar(ctx) }
                </header>
                if self.paste_open {
                    <PastePanel on_open={link.callback(|p| Msg::OpenPasted(Box::new(p)))} />
                }
                if let Some(notice) = &self.notice {
                    <div class="notice notice-error" role="alert" data-testid="notice">
                        <p>{ notice.clone() }</p>
                        <button type="button" class="small-button"
                                onclick={link.callback(|_| Msg::DismissNotice)}>{ "Dismiss" }</button>
                    </div>
                }
                if self.course_open {
                    <main class="workspace">
                        <Course done={self.progress.clone()} titles={self.bundled.clone()}
                                on_open={link.callback(Msg::OpenFromLibrary)}
                                on_reset={link.callback(|_| Msg::ResetCourse)} />
                    </main>
                } else if let Some(entries) = &self.library {
                    <main class="workspace">
                        <Library entries={entries.clone()} on_open={link.callback(Msg::OpenFromLibrary)} />
                    </main>
                } else {
                <main class="workspace" data-testid={self.settled.then_some("app-ready")} ondragover={|e: DragEvent| e.prevent_default()}
                      ondrop={let on_import = link.callback(Msg::Import); move |e: DragEvent| {
                          e.prevent_default();
                          authoring::read_first_file(e.data_transfer().and_then(|d| d.files()), on_import.clone());
                      }}>
                    { self.view_lesson(scenario) }
                    if self.settled {
                    <CourseNav current={scenario.id.clone()} titles={self.bundled.clone()}
                               on_open={link.callback(Msg::OpenFromLibrary)} />
                    }
                    <div class="columns">
                        <div class="editors" aria-busy={(!self.settled).then_some("true")}>
                            if self.settled {
                            { self.view_page_and_requests(ctx) }
                            { self.view_client(ctx) }
                            { self.view_server(ctx) }
                            }
                        </div>
                        <div class="results">
                            if self.predict_first {
                                { self.view_predict(ctx) }
                            }
                            if !self.predict_first || self.revealed {
                            <TraceView traces={self.eval.traces.clone()}
                                       browser={scenario.browser.unwrap_or_default()}
                                       scenario={self.eval.scenario.clone()}
                                       request={self.request} stage={self.stage}
                                       on_stage={self.on_stage.clone()}
                                       on_request={self.on_request.clone()}
                                       request_picker={false}
                                       panels={self.settled} />
                            }
                            <p class="muted small keyboard-hint">
                                { "Keyboard: ← and → step through the stages, Home and End jump to the first and last, when the focus is not in a field." }
                            </p>
                        </div>
                    </div>
                </main>
                }
                <footer class="site-footer">
                    <p>{ "A simulator: everything runs in this page, and no request leaves it. Your work is kept in this browser." }</p>
                </footer>
            </>
        }
    }
}

impl App {
    fn view_toolbar(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let current = self.eval.scenario.id.clone();
        let on_open = link
            .callback(|e: Event| Msg::Open(e.target_unchecked_into::<HtmlSelectElement>().value()));
        let on_theme = link.callback(|e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            Msg::Theme((value == "light" || value == "dark").then_some(value))
        });
        let theme = self.theme.clone().unwrap_or_default();
        let on_secrets = link.callback(|e: Event| {
            Msg::IncludeSecrets(e.target_unchecked_into::<HtmlInputElement>().checked())
        });
        let library_open = self.library.is_some();
        let course_open = self.course_open;
        let on_import = link.callback(Msg::Import);
        let on_file = Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<HtmlInputElement>();
            authoring::read_first_file(input.files(), on_import.clone());
            input.set_value("");
        });
        // Listing the secrets redacts the scenario: not before the first paint.
        let secrets = if self.settled {
            self.secret_locations()
        } else {
            Rc::default()
        };
        let on_predict = link.callback(|e: Event| {
            Msg::PredictFirst(e.target_unchecked_into::<HtmlInputElement>().checked())
        });
        html! {
            <div class="toolbar">
                <button type="button" class="small-button" data-testid="library-toggle"
                        onclick={link.callback(move |_| Msg::ShowLibrary(!library_open))}>
                    { if library_open { "Back to the lab" } else { "Lesson library" } }</button>
                <button type="button" class="small-button" data-testid="export"
                        onclick={link.callback(|_| Msg::Export)}>{ "Save as scenario" }</button>
                <label for="import-file">{ "Open file" }</label>
                <input id="import-file" type="file" accept=".json,application/json" data-testid="import-file"
                       onchange={on_file} />
                <button type="button" class="small-button" data-testid="present"
                        onclick={link.callback(|_| Msg::Present(true))}>{ "Present" }</button>
                <button type="button" class="small-button" data-testid="course-toggle"
                        onclick={link.callback(move |_| Msg::ShowCourse(!course_open))}>
                    { if course_open { "Back to the lab" } else { "Course" } }</button>
                <label class="inline-check">
                    <input type="checkbox" data-testid="predict-first" checked={self.predict_first} onchange={on_predict} />
                    { " Predict first" }
                </label>
                <label for="open-scenario">{ "Lesson" }</label>
                <select id="open-scenario" data-testid="open-scenario" onchange={on_open}>
                    if !self.bundled.iter().any(|(id, _)| *id == current) {
                        <option value="" selected=true>{ "(your scenario)" }</option>
                    }
                    // Before the first paint, only the open lesson's option (the menu shows it).
                    { for self.bundled.iter().filter(|(id, _)| self.settled || *id == current).map(|(id, title)| html! {
                        <option value={id.clone()} selected={*id == current}>{ title.clone() }</option>
                    }) }
                </select>
                <button type="button" class="small-button" data-testid="reset" onclick={link.callback(|_| Msg::Reset)}>
                    { "Reset" }
                </button>
                if self.previous.is_some() {
                    <button type="button" class="small-button" data-testid="restore"
                            onclick={link.callback(|_| Msg::Restore)}>
                        { "Back to the previous scenario" }
                    </button>
                }
                <label for="theme">{ "Theme" }</label>
                <select id="theme" data-testid="theme" onchange={on_theme}>
                    <option value="" selected={theme.is_empty()}>{ "System" }</option>
                    <option value="light" selected={theme == "light"}>{ "Light" }</option>
                    <option value="dark" selected={theme == "dark"}>{ "Dark" }</option>
                </select>
                <button type="button" class="small-button" data-testid="paste-toggle"
                        aria-pressed={self.paste_open.to_string()}
                        onclick={link.callback(|_| Msg::TogglePaste)}>{ "Paste" }</button>
                <button type="button" class="small-button" data-testid="share"
                        onclick={link.callback(|_| Msg::Share)}>{ "Share link" }</button>
                <label class="inline-check" data-testid="include-secrets-label">
                    <input type="checkbox" data-testid="include-secrets"
                           checked={self.include_secrets} onchange={on_secrets} />
                    { secrets_label(&secrets) }
                </label>
                if let Some((href, redacted)) = &self.share_link {
                    <div class="share-result">
                        <label for="share-link">{ "Link to this exact scenario" }</label>
                        <input id="share-link" data-testid="share-link" readonly=true value={href.clone()} />
                        if !redacted.is_empty() {
                            <p class="muted small" data-testid="share-redacted">
                                { format!("Left out of the link: {}.", redacted.join(", ")) }
                            </p>
                        }
                    </div>
                }
            </div>
        }
    }

    fn view_predict(&self, ctx: &Context<Self>) -> Html {
        let Some(trace) = self.selected_trace() else {
            return html! {};
        };
        let names = self
            .eval
            .scenario
            .requests
            .get(self.request)
            .map(|r| r.headers.iter().map(|(n, _)| n.clone()).collect())
            .unwrap_or_default();
        // Keyed, so that another lesson or request starts a fresh prediction.
        let key = format!("{}/{}", self.eval.scenario.id, self.request);
        html! {
            <Predict {key} trace={Rc::new(trace.clone())} request_headers={Rc::new(names)}
                     on_reveal={ctx.link().callback(|_| Msg::Reveal)} />
        }
    }

    fn view_lesson(&self, scenario: &Scenario) -> Html {
        let title = scenario
            .title
            .clone()
            .unwrap_or_else(|| scenario.id.clone());
        let paragraphs = scenario
            .lesson
            .as_deref()
            .unwrap_or_default()
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| html! { <p>{ p.to_owned() }</p> });
        html! {
            <article class="lesson" aria-labelledby="scenario-title">
                <h2 id="scenario-title">{ title }</h2>
                { for paragraphs }
            </article>
        }
    }

    fn view_page_and_requests(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let scenario = &self.eval.scenario;
        let on_page = link.callback(|e: InputEvent| {
            Msg::Edit(Edit::Page(
                e.target_unchecked_into::<HtmlInputElement>().value(),
            ))
        });
        let on_csp = link.callback(|e: InputEvent| {
            Msg::Edit(Edit::PageCsp(
                e.target_unchecked_into::<HtmlInputElement>().value(),
            ))
        });
        let on_delay = link.batch_callback(|e: InputEvent| {
            let text = e.target_unchecked_into::<HtmlInputElement>().value();
            text.trim().parse::<u32>().ok().map(Msg::Delay)
        });
        let from = self.request;
        let delay_ms = u64::from(self.delay_s) * 1000;
        let traces = &self
            .eval
            .trace(scenario.browser.unwrap_or_default())
            .requests;
        html! {
            <section class="panel" aria-labelledby="page-heading">
                <h2 id="page-heading">{ "The page and its requests" }</h2>
                <div class="form-grid">
                    <label for="page-origin">{ "Page origin" }</label>
                    <input id="page-origin" data-testid="page-origin" spellcheck="false"
                           value={scenario.page.clone()} oninput={on_page} />
                    <label for="page-csp">{ "Page Content-Security-Policy (optional)" }</label>
                    <input id="page-csp" data-testid="page-csp" spellcheck="false"
                           placeholder="e.g. connect-src 'self' https://api.example.com"
                           value={scenario.page_csp.clone().unwrap_or_default()} oninput={on_csp} />
                </div>
                <div class="request-tabs" role="group" aria-label="Requests">
                    { for scenario.requests.iter().enumerate().map(|(index, spec)| {
                        let at = traces.get(index).map_or(0, |t| t.at_ms);
                        html! {
                            <button type="button" class="request-tab"
                                    aria-pressed={(index == self.request).to_string()}
                                    data-testid={format!("request-tab-{index}")}
                                    onclick={link.callback(move |_| Msg::SelectRequest(index))}>
                                { format!("{}. {} at {} s", index + 1, spec.method, at as f64 / 1000.0) }
                            </button>
                        }
                    }) }
                </div>
                if !scenario.requests.is_empty() {
                    <div class="send-again">
                        <label for="send-delay">{ "Send this request again after" }</label>
                        <input id="send-delay" type="number" min="0" max="86400" inputmode="numeric"
                               value={self.delay_s.to_string()} oninput={on_delay} />
                        <span>{ " s " }</span>
                        <button type="button" class="small-button" data-testid="send-again"
                                onclick={link.callback(move |_| Msg::Edit(Edit::SendAgain { from, delay_ms }))}>
                            { "Send again" }
                        </button>
                        if scenario.requests.len() > 1 {
                            <button type="button" class="small-button" data-testid="remove-request"
                                    onclick={link.callback(move |_| Msg::Edit(Edit::RemoveRequest(from)))}>
                                { "Remove this request" }
                            </button>
                        }
                    </div>
                }
            </section>
        }
    }

    fn view_client(&self, ctx: &Context<Self>) -> Html {
        let Some(spec) = self.eval.scenario.requests.get(self.request) else {
            return html! {};
        };
        let index = self.request;
        let on_change = ctx
            .link()
            .callback(move |spec| Msg::Edit(Edit::Request(index, spec)));
        html! {
            <ClientEditor spec={Rc::new(spec.clone())}
                          trace={self.selected_trace().cloned().map(Rc::new)}
                          {on_change} />
        }
    }

    fn view_server(&self, ctx: &Context<Self>) -> Html {
        let scenario = &self.eval.scenario;
        let Some(spec) = scenario.requests.get(self.request) else {
            return html! {};
        };
        let spec = Rc::new(spec.clone());
        let trace = self.selected_trace();
        let request = self.request;
        let hops = hops(scenario, trace, request);
        let side_view = |hop: usize, side: Side| {
            let respond = hops
                .get(hop)
                .and_then(|target| target.rule(scenario, side))
                .and_then(|i| scenario.server.get(i))
                .map(|rule| Rc::new(rule.respond.clone()));
            let on_change = ctx.link().callback(move |respond| {
                Msg::Edit(Edit::Respond {
                    request,
                    hop,
                    side,
                    respond,
                })
            });
            // The toggles' starting values follow what reached this URL.
            let spec = match hops.get(hop) {
                Some(target) if hop > 0 => {
                    let mut redirected = (*spec).clone();
                    redirected.url.clone_from(&target.url);
                    redirected.method.clone_from(&target.method);
                    Rc::new(redirected)
                }
                _ => spec.clone(),
            };
            // Allow-Origin starts as the Origin this URL was sent (`null` after
            // a redirect to another origin), else the page's.
            let origin = hops
                .get(hop)
                .and_then(|target| target.origin.clone())
                .filter(|_| hop > 0)
                .unwrap_or_else(|| scenario.page.clone());
            html! {
                <ServerEditor {side} {respond} {spec} {hop}
                              page={AttrValue::from(origin)} {on_change} />
            }
        };
        // Each redirect's target answers too: its own rule, edited here.
        let redirects = hops.iter().enumerate().skip(1).map(|(hop, target)| {
            html! {
                <section class="server-hop" data-testid="server-hop"
                         aria-labelledby={format!("hop{hop}-heading")}>
                    <h3 id={format!("hop{hop}-heading")}>
                        { format!("After redirect {hop}: ") }
                        <code>{ format!("{} {}", target.method, target.url) }</code>
                    </h3>
                    if target.preflighted {
                        { side_view(hop, Side::Preflight) }
                    }
                    { side_view(hop, Side::Actual) }
                </section>
            }
        });
        html! {
            <section class="panel server-editor" aria-labelledby="server-heading">
                <h2 id="server-heading">{ "The mock server" }</h2>
                { side_view(0, Side::Preflight) }
                { side_view(0, Side::Actual) }
                { for redirects }
            </section>
        }
    }
}

/// The opt-in's text: exactly which secret values a share link would include.
fn secrets_label(locations: &[String]) -> String {
    if locations.is_empty() {
        " include secret values (Authorization, cookies, API keys, tokens) in share links"
            .to_owned()
    } else {
        format!(
            " include these secret values in share links: {}",
            locations.join(", ")
        )
    }
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
