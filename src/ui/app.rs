//! [`App`], the component at the root: it holds the [`AppState`], runs the
//! reducer on each [`Action`], runs the effects it returns at the edge, and
//! hands the state to the views through a context ([`Store`]).

use std::cell::Cell;
use std::rc::Rc;

use gloo_events::EventListener;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;
use yew::prelude::*;

use super::store::{effects, key_action, reduce, Action, AppState, Mode};
use super::views::Page;
use crate::engine::Stage;

/// What the views read: the state, and where to send actions.
#[derive(Clone)]
pub struct Store {
    /// The state as of this render.
    pub state: Rc<AppState>,
    /// Sends an action to the reducer (the same callback for the app's life).
    pub dispatch: Callback<Action>,
    /// Selects a stage; made once, so that the trace's props compare equal.
    pub on_stage: Callback<Stage>,
    /// Selects a request; made once, like `on_stage`.
    pub on_request: Callback<usize>,
}

impl PartialEq for Store {
    /// A new state is a new `Rc`.
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.state, &other.state) && self.dispatch == other.dispatch
    }
}

/// The store, for a view under [`App`] (`None` elsewhere).
#[hook]
pub fn use_store() -> Option<Store> {
    use_context::<Store>()
}

/// The whole page.
pub struct App {
    state: Rc<AppState>,
    dispatch: Callback<Action>,
    on_stage: Callback<Stage>,
    on_request: Callback<usize>,
    // The mode, for the key listener, which must decide at once whether a key
    // is the app's (written only by `update`, from the state).
    mode: Rc<Cell<Mode>>,
    _listeners: Vec<EventListener>,
}

impl Component for App {
    type Message = Action;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let dispatch = ctx.link().callback(|action| action);
        let (mut state, start_effects) =
            AppState::start(effects::read_start(), super::default_scenario());
        if super::first_view::present() {
            // The pre-rendered view is the whole view: render it all at once.
            state = super::first_view::settled(state);
        }
        effects::run(start_effects, &dispatch);
        let mode = Rc::new(Cell::new(state.mode));
        App {
            _listeners: listeners(&dispatch, &mode),
            state: Rc::new(state),
            on_stage: ctx.link().callback(Action::Stage),
            on_request: ctx.link().callback(Action::SelectRequest),
            dispatch,
            mode,
        }
    }

    fn update(&mut self, _ctx: &Context<Self>, action: Action) -> bool {
        let (next, to_run) = reduce(&self.state, action);
        let changed = next != *self.state;
        if changed {
            self.mode.set(next.mode);
            self.state = Rc::new(next);
        }
        effects::run(to_run, &self.dispatch);
        changed
    }

    fn rendered(&mut self, _ctx: &Context<Self>, first_render: bool) {
        if first_render {
            // The app's first view is in the DOM (hidden): the pre-rendered
            // one goes and this one shows, in one task, so no frame shows
            // neither or both.
            super::first_view::take_over();
            super::performance_mark("first render in the DOM");
            let dispatch = self.dispatch.clone();
            after_next_paint(move || dispatch.emit(Action::Settled));
        }
    }

    fn view(&self, _ctx: &Context<Self>) -> Html {
        let store = Store {
            state: self.state.clone(),
            dispatch: self.dispatch.clone(),
            on_stage: self.on_stage.clone(),
            on_request: self.on_request.clone(),
        };
        html! {
            <ContextProvider<Store> context={store}>
                <Page />
            </ContextProvider<Store>>
        }
    }
}

/// The page's listeners: a changed fragment, and the stepping keys pressed
/// outside the editors.
fn listeners(dispatch: &Callback<Action>, mode: &Rc<Cell<Mode>>) -> Vec<EventListener> {
    let Some(window) = web_sys::window() else {
        return Vec::new();
    };
    let on_hash = dispatch.clone();
    let mut listeners = vec![EventListener::new(&window, "hashchange", move |_| {
        on_hash.emit(Action::HashChanged(effects::location_hash()))
    })];
    if let Some(document) = window.document() {
        let (dispatch, mode) = (dispatch.clone(), mode.clone());
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
            if let Some(action) = key_action(&event.key(), mode.get()) {
                event.prevent_default();
                dispatch.emit(action);
            }
        }));
    }
    listeners
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
