//! The trace views: everything the engine found for one request, as a
//! learner steps through it.
//!
//! [`TraceView`] renders an engine [`Trace`] and decides nothing: verdicts,
//! steps, console text, fixes and cache entries all come from the trace.
//! Its props ([`TraceViewProps`]):
//!
//! - `traces`: the scenario evaluated per browser ([`Traces`], made by
//!   [`traces_per_browser`]), each browser on first use: the console tabs
//!   show all three, but a browser's trace is computed only when its tab is
//!   opened.
//! - `browser`: whose trace the stage cards, diagram, headers, fixes and
//!   cache timeline show, and the console tab open at first (the app passes
//!   the scenario's `browser`, Chrome by default).
//! - `scenario`: the scenario (request lines, snippet paths).
//! - `request`, `stage`: the selected request and stage (`None` = the first
//!   failing stage, else the first); `on_request`, `on_stage` report a choice.
//! - `request_picker` (default `true`): its own buttons to pick a request
//!   when there are several; turn off where the page lists requests itself.
//!
//! [`TraceAt`] shows exactly the selection its props give (the app passes
//! its store's); [`TraceView`] keeps a copy of its own, so that it also works
//! with no callbacks wired (its own buttons and arrow keys move it).

mod cache;
mod console;
mod diagram;
mod fixes;
mod headers;
mod highlight;
mod stages;
mod svg;
mod tabs;

use std::rc::Rc;

use yew::prelude::*;

use std::cell::OnceCell;

use crate::engine::{RequestTrace, Stage, Trace};
/// The scenario as `browser` would handle it; with the framework mode
/// ([`crate::ui::FRAMEWORK_MODE`]) a rule written as a framework's
/// configuration is answered by its model.
fn evaluate(scenario: &Scenario, browser: Option<Browser>) -> Trace {
    if crate::ui::FRAMEWORK_MODE {
        crate::frameworks::evaluate(scenario, browser)
    } else {
        crate::engine::evaluate(scenario, browser)
    }
}
use crate::scenario::{Browser, Outcome, Scenario};

pub use diagram::{Diagram, DiagramProps};
pub use stages::{current_stage, stage_id, stage_label, stages_of};

/// The scenario as each browser would handle it, each evaluated by the
/// engine the first time it is asked for (a page load runs the engine for
/// the shown browser only; the others wait for their console tab).
pub struct Traces {
    scenario: Rc<Scenario>,
    /// In [`Browser::ALL`] order.
    cells: [OnceCell<Trace>; 3],
}

impl Traces {
    /// Nothing is evaluated yet.
    pub fn new(scenario: Rc<Scenario>) -> Traces {
        Traces {
            scenario,
            cells: Default::default(),
        }
    }

    /// The trace for `browser`, evaluated now if it was not yet.
    pub fn get(&self, browser: Browser) -> &Trace {
        let [chrome, firefox, safari] = &self.cells;
        let cell = match browser {
            Browser::Chrome => chrome,
            Browser::Firefox => firefox,
            Browser::Safari => safari,
        };
        cell.get_or_init(|| evaluate(&self.scenario, Some(browser)))
    }
}

impl PartialEq for Traces {
    /// The engine is deterministic: the same scenario gives the same traces.
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.scenario, &other.scenario) || self.scenario == other.scenario
    }
}

impl std::fmt::Debug for Traces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Traces")
            .field("scenario", &self.scenario.id)
            .finish_non_exhaustive()
    }
}

/// The scenario per browser, evaluated lazily (see [`Traces`]).
pub fn traces_per_browser(scenario: &Scenario) -> Rc<Traces> {
    Rc::new(Traces::new(Rc::new(scenario.clone())))
}

/// Properties of [`TraceView`] (see the module documentation).
#[derive(Debug, Clone, Properties)]
pub struct TraceViewProps {
    /// The scenario per browser.
    pub traces: Rc<Traces>,
    /// Whose trace is shown (and the console tab open at first).
    #[prop_or_default]
    pub browser: Browser,
    /// The scenario the traces came from.
    pub scenario: Rc<Scenario>,
    /// The selected request (index into `trace.requests`).
    #[prop_or_default]
    pub request: usize,
    /// The selected stage; `None` = the failing stage, else the first.
    #[prop_or_default]
    pub stage: Option<Stage>,
    /// Called with the stage the learner moves to.
    #[prop_or_default]
    pub on_stage: Callback<Stage>,
    /// Called with the request the learner picks.
    #[prop_or_default]
    pub on_request: Callback<usize>,
    /// Whether to show its own request buttons when there are several
    /// requests (off when the page already has a request list).
    #[prop_or(true)]
    pub request_picker: bool,
    /// Whether to render the panels under the stepper (diagram, console,
    /// headers, fixes, cache). The app's first render leaves them out, so the
    /// verdict is painted sooner; they follow one frame later.
    #[prop_or(true)]
    pub panels: bool,
}

impl PartialEq for TraceViewProps {
    /// Cheap: the same `Rc`s mean the same content.
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.traces, &other.traces)
            && self.browser == other.browser
            && Rc::ptr_eq(&self.scenario, &other.scenario)
            && self.request == other.request
            && self.stage == other.stage
            && self.on_stage == other.on_stage
            && self.on_request == other.on_request
            && self.request_picker == other.request_picker
            && self.panels == other.panels
    }
}

fn browser_name(browser: Browser) -> &'static str {
    match browser {
        Browser::Chrome => "Chrome",
        Browser::Firefox => "Firefox",
        Browser::Safari => "Safari",
    }
}

/// [`TraceAt`] with a selection of its own, for a page with no store: its
/// buttons and arrow keys move it, and a change of the `request`/`stage`
/// props resets it. The app uses [`TraceAt`], with the store's selection.
#[function_component(TraceView)]
pub fn trace_view(props: &TraceViewProps) -> Html {
    // `_eq`: the effect below runs after every render with new props; setting
    // an unchanged value must not render the whole trace a second time.
    let request = use_state_eq(|| props.request);
    let stage = use_state_eq(|| props.stage);
    {
        let (request, stage) = (request.clone(), stage.clone());
        use_effect_with((props.request, props.stage), move |(chosen, at)| {
            request.set(*chosen);
            stage.set(*at);
        });
    }
    let on_request = {
        let (request, stage, report) = (request.clone(), stage.clone(), props.on_request.clone());
        Callback::from(move |chosen: usize| {
            request.set(chosen);
            stage.set(None);
            report.emit(chosen);
        })
    };
    let on_stage = {
        let (stage, report) = (stage.clone(), props.on_stage.clone());
        Callback::from(move |chosen: Stage| {
            stage.set(Some(chosen));
            report.emit(chosen);
        })
    };
    let props = TraceViewProps {
        request: *request,
        stage: *stage,
        on_request,
        on_stage,
        ..props.clone()
    };
    html! { <TraceAt ..props /> }
}

/// Stage navigation, stage cards, sequence diagram, console, readable
/// headers, fixes with server snippets and the preflight cache timeline, for
/// exactly the `request` and `stage` given: it keeps no selection itself and
/// reports a choice through `on_request` and `on_stage`.
#[function_component(TraceAt)]
pub fn trace_at(props: &TraceViewProps) -> Html {
    let trace = props.traces.get(props.browser);
    if let Some(error) = &trace.scenario_error {
        return html! {
            <section class="trace trace-error" role="alert">
                <p>{ "The engine could not run this scenario:" }</p>
                <p class="notice-detail">{ error.clone() }</p>
            </section>
        };
    }
    let index = props.request.min(trace.requests.len().saturating_sub(1));
    let Some(request) = trace.requests.get(index) else {
        return html! {
            <section class="trace" role="status">
                <p>{ "The engine reported no requests for this scenario." }</p>
            </section>
        };
    };
    html! {
        <section class="trace" aria-label="What the browser does">
            if props.request_picker && trace.requests.len() > 1 {
                { request_picker(trace, &props.scenario, index, &props.on_request) }
            }
            { verdict(request) }
            { stages::stepper(&stages::StepperProps {
                steps: Rc::new(request.steps.clone()),
                stage: props.stage,
                on_stage: props.on_stage.clone(),
                figure: html! { <Diagram request={Rc::new(request.clone())} stage={props.stage} /> },
            }) }
            if props.panels {
            <div class="trace-panels">
                <console::ConsolePanel
                    traces={props.traces.clone()}
                    request={index}
                    shown={trace.browser}
                />
                { headers::readable_headers(request) }
                { fixes::fixes_panel(&fixes::FixesPanelProps {
                    request: Rc::new(request.clone()),
                    spec: props.scenario.requests.get(index).cloned().map(Rc::new),
                }) }
                if trace.requests.len() > 1 {
                    { cache::cache_timeline(trace, index) }
                }
            </div>
            }
        </section>
    }
}

/// The final verdict of the request in one sentence: the engine's words
/// for its verdict step, with the outcome's icon.
fn verdict(request: &RequestTrace) -> Html {
    let outcome = request.result.outcome;
    let (icon, class) = match outcome {
        Outcome::Allowed => ("✓", "outcome-allowed"),
        Outcome::Blocked => ("✗", "outcome-blocked"),
        Outcome::Opaque => ("◐", "outcome-opaque"),
        Outcome::NetworkError => ("✗", "outcome-network-error"),
    };
    let found = request
        .steps
        .iter()
        .rev()
        .find(|step| step.stage == Stage::Verdict)
        .map(crate::engine::narrate::found)
        .unwrap_or_default();
    let mut chars = found.chars();
    let sentence = chars
        .next()
        .map(|first| format!("{}{}.", first.to_ascii_uppercase(), chars.as_str()))
        .unwrap_or_default();
    html! {
        <p class={classes!("trace-verdict", class)} data-testid="verdict" data-outcome={outcome_id(outcome)}>
            <span class="verdict-icon" aria-hidden="true">{ icon }</span>
            <span class="trace-verdict-text">{ sentence }</span>
        </p>
    }
}

/// The outcome as scenario files write it (`expect.outcome`).
fn outcome_id(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Allowed => "allowed",
        Outcome::Blocked => "blocked",
        Outcome::Opaque => "opaque",
        Outcome::NetworkError => "network-error",
    }
}

/// One button per request when the scenario makes several.
fn request_picker(
    trace: &Trace,
    scenario: &Scenario,
    selected: usize,
    pick: &Callback<usize>,
) -> Html {
    html! {
        <nav class="request-picker" aria-label="Requests">
            <ol>
                { for trace.requests.iter().enumerate().map(|(index, request)| {
                    let spec = scenario.requests.get(index);
                    let line = spec.map(|s| format!("{} {}", s.method, s.url)).unwrap_or_default();
                    let pick = pick.clone();
                    html! {
                        <li>
                            <button
                                type="button"
                                class="request-pick"
                                data-testid="request-pick"
                                aria-current={(index == selected).then_some("true")}
                                onclick={Callback::from(move |_| pick.emit(index))}
                            >
                                <span class="request-pick-number">{ format!("#{}", index + 1) }</span>
                                <span class="request-pick-time">{ format!("{} ms", request.at_ms) }</span>
                                <code class="request-pick-line">{ line }</code>
                                <span class="request-pick-outcome">{ outcome_id(request.result.outcome) }</span>
                            </button>
                        </li>
                    }
                }) }
            </ol>
        </nav>
    }
}
