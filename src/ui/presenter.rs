//! The presenter view: one stage of the engine's trace per screen, the
//! diagram large beside the stage's text, in large type for a projector, with the editors hidden. The app moves through the
//! stages with the arrow keys and a clicker's PageUp/PageDown; Escape leaves.

use std::rc::Rc;

use yew::prelude::*;

use super::trace::{stage_id, stage_label, stages_of, Diagram};
use crate::engine::{narrate, RequestTrace, Stage, StepStatus};

/// The presenter's properties.
#[derive(Properties, PartialEq)]
pub struct PresenterProps {
    /// The lesson's title.
    pub title: AttrValue,
    /// The request shown.
    pub trace: Rc<RequestTrace>,
    /// The stage shown (`None`: the first).
    pub stage: Option<Stage>,
    /// Move by this many stages.
    pub on_step: Callback<isize>,
    /// Leave the presenter.
    pub on_leave: Callback<()>,
}

fn status_word(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Pass => "pass",
        StepStatus::Fail => "fail",
        StepStatus::Info => "info",
        StepStatus::Warn => "warn",
    }
}

/// The presenter view.
/// A plain view function, not a component: each component type costs about
/// 1 KB gzip of Yew's generic lifecycle code in the wasm (issue 16's budget).
pub fn presenter(props: &PresenterProps) -> Html {
    let stages = stages_of(&props.trace.steps);
    let stage = props.stage.or_else(|| stages.first().copied());
    let at = stage
        .and_then(|s| stages.iter().position(|x| *x == s))
        .unwrap_or(0);
    let steps = props.trace.steps.iter().filter(|s| Some(s.stage) == stage);
    let step = |delta: isize| {
        let on_step = props.on_step.clone();
        Callback::from(move |_| on_step.emit(delta))
    };
    let on_leave = props.on_leave.clone();
    html! {
        <main class="presenter" data-testid="presenter" data-stage={stage.map_or("", stage_id)}>
            <header>
                <p class="presenter-title">{ props.title.clone() }</p>
                <p class="presenter-count" data-testid="presenter-count">{ format!("{} / {}", at + 1, stages.len()) }</p>
            </header>
            <div class="presenter-body">
            <Diagram request={props.trace.clone()} stage={stage} />
            <div class="presenter-text">
            <h2>{ stage.map_or("", stage_label) }</h2>
            { for steps.map(|s| {
                let text = narrate(s);
                html! {
                    <section class={classes!("presenter-step", status_word(s.status))}>
                        <h3>{ format!("{} — {}", text.title, status_word(s.status)) }</h3>
                        <p>{ text.compared }</p>
                        <p><strong>{ text.found }</strong></p>
                        <p class="presenter-why">{ text.why }</p>
                    </section>
                }
            }) }
            </div>
            </div>
            <nav>
                <button type="button" onclick={step(-1)}>{ "← Previous" }</button>
                <button type="button" onclick={step(1)}>{ "Next →" }</button>
                <button type="button" data-testid="presenter-leave" onclick={move |_| on_leave.emit(())}>
                    { "Leave (Esc)" }</button>
            </nav>
        </main>
    }
}
