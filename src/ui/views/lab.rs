//! The lab: the lesson, the page and its requests, the client editor, the
//! mock server, and the trace of the selected request (or a prediction first).

use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::server::server_panel;
use crate::scenario::Scenario;
use crate::ui::app::Store;
use crate::ui::authoring;
use crate::ui::client_editor::ClientEditor;
use crate::ui::course::{course_nav, CourseNavProps};
use crate::ui::predict::Predict;
use crate::ui::state::Edit;
use crate::ui::store::{Action, Mode};
use crate::ui::trace::TraceAt;

/// The lab's workspace (files dropped on it open).
pub(super) fn lab(store: &Store) -> Html {
    let (state, dispatch) = (&store.state, &store.dispatch);
    let scenario = &state.eval.scenario;
    let settled = state.settled;
    let on_drop = {
        let on_import = dispatch.reform(Action::Import);
        move |e: DragEvent| {
            e.prevent_default();
            authoring::read_first_file(
                e.data_transfer().and_then(|d| d.files()),
                on_import.clone(),
            );
        }
    };
    html! {
        <main class="workspace" data-testid={settled.then_some("app-ready")}
              ondragover={|e: DragEvent| e.prevent_default()} ondrop={on_drop}>
            if state.welcome {
                { welcome(store) }
            }
            <div class="lesson-row">
                { lesson(scenario) }
                if settled && !state.welcome {
                    { course_nav(&CourseNavProps {
                        current: scenario.id.clone(),
                        titles: state.bundled.clone(),
                        on_open: dispatch.reform(Action::OpenLesson),
                    }) }
                }
            </div>
            <div class="results">
                if state.predict_first {
                    { predict(store) }
                }
                if !state.predict_first || state.revealed {
                    <TraceAt traces={state.eval.traces.clone()}
                             browser={state.browser()}
                             scenario={scenario.clone()}
                             request={state.selection.request} stage={state.selection.stage}
                             on_stage={store.on_stage.clone()}
                             on_request={store.on_request.clone()}
                             request_picker={false}
                             panels={settled} />
                }
            </div>
            <div class="editors" aria-busy={(!settled).then_some("true")}>
                if settled {
                    { page_and_requests(store) }
                    { client_panel(store) }
                    { server_panel(store) }
                }
            </div>
            <p class="muted small keyboard-hint">
                { "Keyboard: ← and → step through the stages, Home and End jump to the first and last, when the focus is not in a field." }
            </p>
        </main>
    }
}

/// A first visit's three ways in: the course from its first lesson, the
/// paste panel, or this example.
fn welcome(store: &Store) -> Html {
    let dispatch = &store.dispatch;
    let first = crate::ui::course::COURSE
        .first()
        .copied()
        .unwrap_or_default();
    html! {
        <section class="welcome" data-testid="welcome" aria-labelledby="welcome-heading">
            <h2 id="welcome-heading">{ "Welcome: three ways in" }</h2>
            <button type="button" class="primary" data-testid="welcome-learn"
                    onclick={dispatch.reform(move |_| Action::OpenLesson(first.to_owned()))}>
                { "Learn CORS from lesson 1" }</button>
            <button type="button" data-testid="welcome-debug"
                    onclick={dispatch.reform(|_| Action::Show(Mode::Paste))}>
                { "Debug a failing request" }</button>
            <button type="button" data-testid="welcome-explore"
                    // Any action ends the welcome; this one changes nothing else.
                    onclick={dispatch.reform(|_| Action::DismissNotice)}>
                { "Explore this example" }</button>
        </section>
    }
}

/// The lesson's title and text.
fn lesson(scenario: &Scenario) -> Html {
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

/// Predict, then reveal, for the selected request.
fn predict(store: &Store) -> Html {
    let state = &store.state;
    let Some(trace) = state.selected_trace() else {
        return html! {};
    };
    let request = state.selection.request;
    let names = state
        .eval
        .scenario
        .requests
        .get(request)
        .map(|r| r.headers.iter().map(|(n, _)| n.clone()).collect())
        .unwrap_or_default();
    // Keyed, so that another lesson or request starts a fresh prediction.
    let key = format!("{}/{}", state.eval.scenario.id, request);
    html! {
        <Predict {key} trace={Rc::new(trace.clone())} request_headers={Rc::new(names)}
                 on_reveal={store.dispatch.reform(|_| Action::Reveal)} />
    }
}

/// The page's origin and CSP, the request list, and "send again".
fn page_and_requests(store: &Store) -> Html {
    let (state, dispatch) = (&store.state, &store.dispatch);
    let scenario = &state.eval.scenario;
    let on_page = dispatch.reform(|e: InputEvent| {
        Action::Edit(Edit::Page(
            e.target_unchecked_into::<HtmlInputElement>().value(),
        ))
    });
    let on_csp = dispatch.reform(|e: InputEvent| {
        Action::Edit(Edit::PageCsp(
            e.target_unchecked_into::<HtmlInputElement>().value(),
        ))
    });
    let on_delay = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: InputEvent| {
            let text = e.target_unchecked_into::<HtmlInputElement>().value();
            if let Ok(seconds) = text.trim().parse::<u32>() {
                dispatch.emit(Action::Delay(seconds));
            }
        })
    };
    let from = state.selection.request;
    let delay_ms = u64::from(state.delay_s) * 1000;
    let traces = &state.eval.trace(state.browser()).requests;
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
                                aria-pressed={(index == from).to_string()}
                                data-testid={format!("request-tab-{index}")}
                                onclick={dispatch.reform(move |_| Action::SelectRequest(index))}>
                            { format!("{}. {} at {}", index + 1, spec.method, crate::engine::narrate::seconds(at)) }
                        </button>
                    }
                }) }
            </div>
            if !scenario.requests.is_empty() {
                <div class="send-again">
                    <label for="send-delay">{ "Send this request again after" }</label>
                    <input id="send-delay" type="number" min="0" max="86400" inputmode="numeric"
                           value={state.delay_s.to_string()} oninput={on_delay} />
                    <span>{ " s " }</span>
                    <button type="button" class="small-button" data-testid="send-again"
                            onclick={dispatch.reform(move |_| Action::Edit(Edit::SendAgain { from, delay_ms }))}>
                        { "Send again" }
                    </button>
                    if scenario.requests.len() > 1 {
                        <button type="button" class="small-button" data-testid="remove-request"
                                onclick={dispatch.reform(move |_| Action::Edit(Edit::RemoveRequest(from)))}>
                            { "Remove this request" }
                        </button>
                    }
                </div>
            }
        </section>
    }
}

/// The client editor of the selected request.
fn client_panel(store: &Store) -> Html {
    let state = &store.state;
    let index = state.selection.request;
    let Some(spec) = state.eval.scenario.requests.get(index) else {
        return html! {};
    };
    let on_change = store
        .dispatch
        .reform(move |spec| Action::Edit(Edit::Request(index, spec)));
    html! {
        <ClientEditor spec={Rc::new(spec.clone())}
                      trace={state.selected_trace().cloned().map(Rc::new)}
                      {on_change} />
    }
}
