//! The views. [`Page`] reads the [`Store`] through its context and hands it
//! to the view functions below; they send [`Action`]s, and none keeps state
//! of its own about the page.
//!
//! - [`Page`]: the header, the notice and the mode's view.
//! - [`toolbar`]: the header's buttons (lessons, files, share, theme).
//! - [`lab`]: the lesson, the editors and the trace.
//! - [`server`]: the mock server's editors, one per hop of a redirect chain.

mod lab;
mod server;
mod toolbar;

use std::rc::Rc;

use yew::prelude::*;

use super::app::{use_store, Store};
use super::course::{course, CourseProps};
use super::library::Library;
use super::paste::PastePanel;
use super::presenter::{self as presenter_view, PresenterProps};
use super::store::{Action, Mode};

/// The whole page, as the store's mode has it.
#[function_component(Page)]
pub fn page() -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let state = &store.state;
    if state.mode == Mode::Presenter {
        if let Some(presenter) = presenter(&store) {
            return presenter;
        }
    }
    let dispatch = &store.dispatch;
    let main = match state.mode {
        Mode::Course => html! {
            <main class="workspace">
                { course(&CourseProps {
                    done: state.progress.clone(),
                    titles: state.bundled.clone(),
                    on_open: dispatch.reform(Action::OpenLesson),
                    on_reset: dispatch.reform(|_| Action::ResetCourse),
                }) }
            </main>
        },
        Mode::Library => html! {
            <main class="workspace">
                <Library entries={state.library.clone().unwrap_or_default()}
                         on_open={dispatch.reform(Action::OpenLesson)} />
            </main>
        },
        // No verdict until the lesson the page opened with is read.
        _ if state.standing_in => html! {},
        Mode::Lab | Mode::Paste | Mode::Presenter => lab::lab(&store),
    };
    let loading = state.loading.as_deref().map(|id| {
        let title = crate::ui::bundled::lesson(id).map_or(id, |lesson| lesson.title);
        format!("Opening the lesson \u{201c}{title}\u{201d}\u{2026}")
    });
    html! {
        <>
            <header class="site-header">
                <div class="brand">
                    <h1>{ "CORS Lab" }</h1>
                    <p class="tagline">
                        { "What the browser does with a cross-origin request, step by step." }
                    </p>
                </div>
                { toolbar::toolbar(&store) }
            </header>
            if state.mode == Mode::Paste {
                <PastePanel on_open={dispatch.reform(|p| Action::OpenPasted(Box::new(p)))} />
            }
            if let Some(notice) = &state.notice {
                <div class="notice notice-error" role="alert" data-testid="notice">
                    <p>{ notice.clone() }</p>
                    <button type="button" class="small-button"
                            onclick={dispatch.reform(|_| Action::DismissNotice)}>{ "Dismiss" }</button>
                </div>
            }
            if let Some(loading) = loading {
                <p class="notice" role="status" data-testid="lesson-loading">{ loading }</p>
            }
            { main }
            <footer class="site-footer">
                <p>{ "A simulator: everything runs in this page, and no request leaves it. Your work is kept in this browser." }</p>
            </footer>
        </>
    }
}

/// The presenter on the selected request (`None` when there is none to show).
fn presenter(store: &Store) -> Option<Html> {
    let state = &store.state;
    let trace = state.selected_trace()?;
    let scenario = &state.eval.scenario;
    Some(html! {
        { presenter_view::presenter(&PresenterProps {
            title: scenario.title.clone().unwrap_or_else(|| scenario.id.clone()).into(),
            trace: Rc::new(trace.clone()),
            stage: state.selection.stage,
            on_step: store.dispatch.reform(Action::Step),
            on_leave: store.dispatch.reform(|_| Action::Show(Mode::Lab)),
        }) }
    })
}
