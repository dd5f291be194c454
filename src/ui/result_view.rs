//! A compact view of the engine's trace for the selected request: the
//! verdict, the stages (with previous/next), and the console per browser.
//!
//! It stands in until the full trace views of `src/ui/trace/` are wired in,
//! and provides the same test hooks (see the UI contract).

use std::rc::Rc;

use yew::prelude::*;

use super::state::{default_stage, stage_id, stages_of, step_stage};
use crate::engine::{Stage, StepStatus, Trace};
use crate::scenario::{Browser, Outcome};

/// Properties of [`ResultView`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ResultViewProps {
    /// One trace per browser, in [`Browser::ALL`] order.
    pub traces: Rc<[Trace; 3]>,
    /// The scenario's own browser (the console tab shown first).
    pub browser: Browser,
    /// The selected request.
    pub request: usize,
    /// The selected stage (`None`: the failing or first one).
    pub stage: Option<Stage>,
    /// Called when a stage is chosen.
    pub on_stage: Callback<Stage>,
}

/// The engine's verdict in words (the colour only repeats it).
pub fn outcome_label(outcome: Outcome) -> (&'static str, &'static str) {
    match outcome {
        Outcome::Allowed => ("Allowed", "outcome-allowed"),
        Outcome::Blocked => ("Blocked by CORS", "outcome-blocked"),
        Outcome::Opaque => ("Opaque (no-cors)", "outcome-opaque"),
        Outcome::NetworkError => ("Network error", "outcome-network-error"),
    }
}

fn outcome_id(outcome: Outcome) -> String {
    serde_json::to_value(outcome)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn browser_label(browser: Browser) -> &'static str {
    match browser {
        Browser::Chrome => "Chrome",
        Browser::Firefox => "Firefox",
        Browser::Safari => "Safari",
    }
}

fn status_label(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Pass => "passed",
        StepStatus::Fail => "failed",
        StepStatus::Info => "info",
        StepStatus::Warn => "note",
    }
}

/// The verdict, stages and console of one request.
#[function_component(ResultView)]
pub fn result_view(props: &ResultViewProps) -> Html {
    let tab = use_state(|| props.browser);
    let [chrome, firefox, safari] = &*props.traces;
    let main = match props.browser {
        Browser::Chrome => chrome,
        Browser::Firefox => firefox,
        Browser::Safari => safari,
    };
    let shown = match *tab {
        Browser::Chrome => chrome,
        Browser::Firefox => firefox,
        Browser::Safari => safari,
    };
    if let Some(error) = &main.scenario_error {
        return html! {
            <div class="notice notice-error" role="alert" data-testid="scenario-error">
                <p>{ "The engine could not run this scenario:" }</p>
                <p class="notice-detail">{ error.clone() }</p>
            </div>
        };
    }
    let Some(request) = main.requests.get(props.request) else {
        return html! { <p class="notice" role="status">{ "This scenario makes no request." }</p> };
    };
    let (label, class) = outcome_label(request.result.outcome);
    let stages = stages_of(request);
    let current = props
        .stage
        .filter(|s| stages.contains(s))
        .or_else(|| default_stage(request));
    let go = |delta: isize| {
        let on_stage = props.on_stage.clone();
        let next = step_stage(request, current, delta);
        Callback::from(move |_: MouseEvent| {
            if let Some(stage) = next {
                on_stage.emit(stage);
            }
        })
    };
    let at = current
        .and_then(|c| stages.iter().position(|s| *s == c))
        .unwrap_or(0);
    let console = shown
        .requests
        .get(props.request)
        .map(|r| r.result.console.clone())
        .unwrap_or_default();
    html! {
        <section class="panel result" aria-labelledby="result-heading">
            <h2 id="result-heading">{ "What the browser does" }</h2>
            <p class="verdict-line">
                { format!("{}: ", browser_label(props.browser)) }
                <span class={classes!("badge", class)} data-testid="verdict"
                      data-outcome={outcome_id(request.result.outcome)}>{ label }</span>
            </p>
            if let Some(error) = &request.result.js_error {
                <p>{ "The script sees " }<code class="js-error" data-testid="js-error">{ error.clone() }</code></p>
            }
            <nav class="stage-nav" aria-label="Stages">
                <button type="button" data-testid="stage-prev" disabled={at == 0}
                        onclick={go(-1)}>{ "← Previous" }</button>
                <span class="muted" aria-live="polite">
                    { format!("Stage {} of {}", at + 1, stages.len()) }
                </span>
                <button type="button" data-testid="stage-next"
                        disabled={at + 1 >= stages.len()} onclick={go(1)}>{ "Next →" }</button>
            </nav>
            <ol class="stages">
                { for stages.iter().map(|&stage| {
                    let selected = Some(stage) == current;
                    let steps: Vec<_> = request.steps.iter().filter(|s| s.stage == stage).collect();
                    let failed = steps.iter().any(|s| s.status == StepStatus::Fail);
                    let on_stage = props.on_stage.clone();
                    html! {
                        <li class={classes!("stage-card", selected.then_some("selected"), failed.then_some("failed"))}
                            data-testid="stage-card" data-stage={stage_id(stage)}
                            aria-current={selected.then_some("step")}>
                            <button type="button" class="stage-title"
                                    aria-expanded={selected.to_string()}
                                    onclick={Callback::from(move |_: MouseEvent| on_stage.emit(stage))}>
                                { stage_id(stage) }
                                if failed { <span class="visually-hidden">{ " (failed)" }</span> }
                            </button>
                            if selected {
                                <ul class="steps">
                                    { for steps.iter().map(|step| html! {
                                        <li class={classes!("step", format!("step-{}", status_label(step.status)))}>
                                            <strong>{ step.title.clone() }</strong>
                                            { format!(" ({})", status_label(step.status)) }
                                            if !step.found.is_empty() { <p>{ step.found.clone() }</p> }
                                            if !step.why.is_empty() { <p class="muted">{ step.why.clone() }</p> }
                                        </li>
                                    }) }
                                </ul>
                            }
                        </li>
                    }
                }) }
            </ol>
            <section class="console" aria-label="Console">
                <div class="console-tabs" role="tablist" aria-label="Browser">
                    { for Browser::ALL.into_iter().map(|browser| {
                        let tab = tab.clone();
                        let selected = *tab == browser;
                        html! {
                            <button type="button" role="tab" aria-selected={selected.to_string()}
                                    data-testid={format!("console-tab-{}", browser.as_str())}
                                    onclick={Callback::from(move |_: MouseEvent| tab.set(browser))}>
                                { browser_label(browser) }
                            </button>
                        }
                    }) }
                </div>
                if console.is_empty() {
                    <p class="console-empty">{ "(nothing printed)" }</p>
                } else {
                    <ol class="console-lines" role="tabpanel">
                        { for console.iter().map(|line| html! {
                            <li class="console-line" data-testid="console-line">{ line.clone() }</li>
                        }) }
                    </ol>
                }
            </section>
        </section>
    }
}
