//! Stage navigation and stage cards: what the browser compared at each
//! stage, what it found, why it matters, and the deciding detail.

use std::rc::Rc;

use web_sys::KeyboardEvent;
use yew::prelude::*;

use super::highlight::marked;
use crate::engine::{narrate, Stage, Step, StepStatus};

/// The stages that occur in `steps`, in the order they first occur.
pub fn stages_of(steps: &[Step]) -> Vec<Stage> {
    let mut stages: Vec<Stage> = Vec::new();
    for step in steps {
        if !stages.contains(&step.stage) {
            stages.push(step.stage);
        }
    }
    stages
}

/// The stage shown when none is chosen: the first with a failing step,
/// else the first.
fn default_stage(steps: &[Step]) -> Option<Stage> {
    steps
        .iter()
        .find(|s| s.status == StepStatus::Fail)
        .or_else(|| steps.first())
        .map(|s| s.stage)
}

/// The stage shown: the chosen one when the request has it, else the default.
pub fn current_stage(steps: &[Step], chosen: Option<Stage>) -> Option<Stage> {
    chosen
        .filter(|c| steps.iter().any(|s| s.stage == *c))
        .or_else(|| default_stage(steps))
}

/// A stage as `data-stage` writes it (kebab-case, as the engine serialises it).
pub fn stage_id(stage: Stage) -> &'static str {
    match stage {
        Stage::Build => "build",
        Stage::Origin => "origin",
        Stage::Csp => "csp",
        Stage::LocalNetwork => "local-network",
        Stage::Classification => "classification",
        Stage::Cache => "cache",
        Stage::Preflight => "preflight",
        Stage::Request => "request",
        Stage::CorsCheck => "cors-check",
        Stage::ResourcePolicy => "resource-policy",
        Stage::Redirect => "redirect",
        Stage::Response => "response",
        Stage::Verdict => "verdict",
        Stage::MixedContent => "mixed-content",
        Stage::Connection => "connection",
        Stage::ServerError => "server-error",
    }
}

/// A stage's name for learners.
pub fn stage_label(stage: Stage) -> &'static str {
    match stage {
        Stage::Build => "Build",
        Stage::Origin => "Origin",
        Stage::Csp => "Page CSP",
        Stage::LocalNetwork => "Local network",
        Stage::Classification => "Classification",
        Stage::Cache => "Cache",
        Stage::Preflight => "Preflight",
        Stage::Request => "Request",
        Stage::CorsCheck => "CORS check",
        Stage::ResourcePolicy => "CORP / ORB",
        Stage::Redirect => "Redirect",
        Stage::Response => "Response",
        Stage::Verdict => "Verdict",
        Stage::MixedContent => "Mixed content",
        Stage::Connection => "Connection",
        Stage::ServerError => "Server error",
    }
}

/// The worst status among a stage's steps (fail, then warn, then pass, then info).
fn stage_status<'a>(steps: impl Iterator<Item = &'a Step>) -> StepStatus {
    let rank = |s: StepStatus| match s {
        StepStatus::Fail => 3,
        StepStatus::Warn => 2,
        StepStatus::Pass => 1,
        StepStatus::Info => 0,
    };
    steps
        .map(|s| s.status)
        .max_by_key(|s| rank(*s))
        .unwrap_or(StepStatus::Info)
}

fn status_word(status: StepStatus) -> (&'static str, &'static str, &'static str) {
    // (class, icon, words for screen readers)
    match status {
        StepStatus::Pass => ("status-pass", "✓", "passed"),
        StepStatus::Fail => ("status-fail", "✗", "failed"),
        StepStatus::Warn => ("status-warn", "⚠", "warning"),
        StepStatus::Info => ("status-info", "•", "information"),
    }
}

/// Properties of [`stepper`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub(super) struct StepperProps {
    /// The request's steps, in order.
    pub steps: Rc<Vec<Step>>,
    /// The chosen stage (`None` = the default one).
    pub stage: Option<Stage>,
    /// Called with the stage to show.
    pub on_stage: Callback<Stage>,
    /// The picture beside the stage cards (the diagram).
    pub figure: Html,
}

/// The stage list, Previous/Next, and one card per stage (the current one
/// open). Arrow keys move between stages while focus is inside.
/// A plain view function, not a component: each component type costs about
/// 1 KB gzip of Yew's generic lifecycle code in the wasm (issue 16's budget).
pub(super) fn stepper(props: &StepperProps) -> Html {
    let stages = stages_of(&props.steps);
    let current = current_stage(&props.steps, props.stage);
    let position = current.and_then(|c| stages.iter().position(|s| *s == c));
    let go = |offset: isize| -> Option<Stage> {
        let at = position? as isize + offset;
        usize::try_from(at)
            .ok()
            .and_then(|i| stages.get(i))
            .copied()
    };
    let (previous, next) = (go(-1), go(1));
    let move_to = |target: Option<Stage>| {
        let on_stage = props.on_stage.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(stage) = target {
                on_stage.emit(stage);
            }
        })
    };
    let onkeydown = {
        let on_stage = props.on_stage.clone();
        let (first, last) = (stages.first().copied(), stages.last().copied());
        Callback::from(move |event: KeyboardEvent| {
            let target = match event.key().as_str() {
                "ArrowRight" => next,
                "ArrowLeft" => previous,
                "Home" => first,
                "End" => last,
                _ => return,
            };
            event.prevent_default();
            event.stop_propagation();
            if let Some(stage) = target {
                on_stage.emit(stage);
            }
        })
    };
    html! {
        <div class="stepper" {onkeydown}>
            <nav class="tv-stage-nav" aria-label="Stages">
                <ol>
                    { for stages.iter().map(|&stage| {
                        let status = stage_status(props.steps.iter().filter(|s| s.stage == stage));
                        let (class, icon, words) = status_word(status);
                        let on_stage = props.on_stage.clone();
                        let is_current = Some(stage) == current;
                        html! {
                            <li>
                                <button
                                    type="button"
                                    class={classes!("stage-tab", class)}
                                    data-testid="stage-tab"
                                    data-stage={stage_id(stage)}
                                    aria-current={is_current.then_some("step")}
                                    onclick={Callback::from(move |_| on_stage.emit(stage))}
                                >
                                    <span class="stage-icon" aria-hidden="true">{ icon }</span>
                                    { stage_label(stage) }
                                    <span class="visually-hidden">{ format!(" ({words})") }</span>
                                </button>
                            </li>
                        }
                    }) }
                </ol>
            </nav>
            <div class="stage-buttons">
                <button type="button" data-testid="stage-prev" disabled={previous.is_none()}
                    onclick={move_to(previous)}>{ "← Previous" }</button>
                <span class="stage-position" aria-live="polite">
                    { match (position, current) {
                        (Some(at), Some(stage)) => format!("Stage {} of {}: {}", at + 1, stages.len(), stage_label(stage)),
                        _ => String::new(),
                    } }
                </span>
                <button type="button" data-testid="stage-next" disabled={next.is_none()}
                    onclick={move_to(next)}>{ "Next →" }</button>
            </div>
            <div class="stage-hero">
                { props.figure.clone() }
                <ol class="stage-cards">
                    if let Some(stage) = current {
                        { stage_card(stage, &props.steps.iter().filter(|s| s.stage == stage).collect::<Vec<_>>()) }
                    }
                </ol>
            </div>
        </div>
    }
}

/// The current stage's card: every step in full.
fn stage_card(stage: Stage, steps: &[&Step]) -> Html {
    let (class, icon, words) = status_word(stage_status(steps.iter().copied()));
    html! {
        <li
            class={classes!("tv-stage-card", class, "tv-stage-card-open")}
            data-testid="stage-card"
            data-stage={stage_id(stage)}
            aria-current="step"
        >
            <h4 class="tv-stage-card-title">
                <span class="stage-icon" aria-hidden="true">{ icon }</span>
                { stage_label(stage) }
                <span class="visually-hidden">{ format!(" ({words})") }</span>
            </h4>
            { for steps.iter().map(|step| step_view(step)) }
        </li>
    }
}

/// One step: title, compared, found, why, the deciding detail, the spec link.
fn step_view(step: &Step) -> Html {
    let (class, icon, words) = status_word(step.status);
    let text = narrate(step);
    let highlight = text.highlight.as_deref();
    html! {
        <section class={classes!("step", class)} data-testid="step" data-status={words}>
            <h5 class="step-title">
                <span class="stage-icon" aria-hidden="true">{ icon }</span>
                { text.title.clone() }
                <span class="visually-hidden">{ format!(" ({words})") }</span>
            </h5>
            <dl class="step-facts">
                if !text.compared.is_empty() {
                    <dt>{ "Compared" }</dt>
                    <dd>{ marked(&text.compared, highlight) }</dd>
                }
                if !text.found.is_empty() {
                    <dt>{ "Found" }</dt>
                    <dd>{ marked(&text.found, highlight) }</dd>
                }
                if !text.why.is_empty() {
                    <dt>{ "Why" }</dt>
                    <dd>{ text.why.clone() }</dd>
                }
                if let Some(detail) = highlight {
                    <dt>{ "Deciding detail" }</dt>
                    <dd><mark class="decisive" data-testid="highlight">{ detail.to_owned() }</mark></dd>
                }
            </dl>
            <a class="spec-link" href={step.spec_url()} target="_blank" rel="noopener noreferrer">
                { format!("{} § {}", step.spec.document(), step.spec.anchor()) }
            </a>
        </section>
    }
}
