//! The first view, pre-rendered: each lesson's page arrives as static HTML
//! with its question, verdict, first console line and stages already in it,
//! so a learner reads the verdict before the wasm has arrived.
//!
//! At build time `cors-lab-prerender` (native, the `ssr` feature) runs the
//! engine on each bundled lesson and renders [`FirstView`], the app's own
//! [`Page`] over the state [`AppState::start`] gives, with Yew's server
//! renderer; `scripts/prerender` puts each into a copy of `index.html`
//! inside a `<div class="app-root" data-prerendered>` (for a lesson's own
//! page, `lessons/<id>.html`, with `data-lesson="<id>"`).
//!
//! In the browser the app renders its own first view into a new, hidden
//! `.app-root` next to it ([`mount_point`]); once that render is in the DOM
//! it removes the pre-rendered one and shows its own in one task
//! ([`take_over`]): both are the same components over the same state, so
//! the page shows the same view throughout.

#[cfg(doc)]
use crate::ui::store::Action;
use crate::ui::store::AppState;

/// The attribute that marks the pre-rendered view's root.
pub const PRERENDERED: &str = "data-prerendered";
/// On a lesson's own page, the root's attribute naming the lesson.
pub const LESSON: &str = "data-lesson";
/// The class of the element the app renders into (and of the pre-rendered root).
pub const ROOT_CLASS: &str = "app-root";

fn prerendered() -> Option<web_sys::Element> {
    web_sys::window()?
        .document()?
        .query_selector(&format!("[{PRERENDERED}]"))
        .ok()
        .flatten()
}

/// A new, empty and hidden `.app-root` just before the pre-rendered view,
/// for the app to render into (`None`: the page has no pre-rendered view).
/// Yew may paint a frame between its first render and the root's
/// `rendered`, so the app's view stays hidden until [`take_over`].
pub fn mount_point() -> Option<web_sys::Element> {
    let prerendered = prerendered()?;
    let root = prerendered.owner_document()?.create_element("div").ok()?;
    root.set_class_name(ROOT_CLASS);
    root.set_attribute("hidden", "").ok()?;
    prerendered.before_with_node_1(&root).ok()?;
    Some(root)
}

/// Whether the page holds a pre-rendered view (until [`take_over`]).
pub fn present() -> bool {
    prerendered().is_some()
}

/// The lesson a lesson's own page was pre-rendered for.
pub fn lesson() -> Option<String> {
    prerendered()?.get_attribute(LESSON)
}

/// Removes the pre-rendered view and shows the app's, in one task: the
/// app's first render is in the DOM.
pub fn take_over() {
    if let Some(prerendered) = prerendered() {
        let app = prerendered.previous_element_sibling();
        prerendered.remove();
        if let Some(app) = app {
            let _ = app.remove_attribute("hidden");
        }
    }
}

/// The app's root path as seen from a lesson's own page
/// (`/base/lessons/<id>.html` → `/base/`); `None` on any other page.
pub fn root_of_lesson_page(pathname: &str) -> Option<&str> {
    let (root, page) = pathname.rsplit_once("/lessons/")?;
    (page.ends_with(".html") && !page.contains('/')).then(|| &pathname[..=root.len()])
}

/// The state the app starts in on a first visit showing `lesson` (nothing
/// stored, no fragment): what [`App`](crate::ui::App) renders first there.
/// The whole view: on a pre-rendered page the app does not defer the
/// editors and panels to after the first paint ([`settled`]), since the
/// pre-rendered view is what the first paint shows.
pub fn first_state(lesson: crate::scenario::Scenario) -> AppState {
    use crate::ui::share::{self, HashRequest};
    use crate::ui::store::Start;
    let start = Start {
        hash: HashRequest::None,
        stored: Ok(None),
        theme: None,
        progress: (Vec::new(), None),
        bundled: share::bundled_titles(),
    };
    settled(AppState::start(start, lesson).0)
}

/// `state` with the whole view shown at once (the reducer's [`Action::Settled`]).
pub fn settled(state: AppState) -> AppState {
    crate::ui::store::reduce(&state, crate::ui::store::Action::Settled).0
}

#[cfg(all(feature = "ssr", not(target_arch = "wasm32")))]
pub use self::server::{render, FirstView, FirstViewProps};

#[cfg(all(feature = "ssr", not(target_arch = "wasm32")))]
mod server {
    use std::rc::Rc;

    use yew::prelude::*;

    use crate::ui::app::Store;
    use crate::ui::store::AppState;
    use crate::ui::views::Page;

    /// The state to render.
    #[derive(Properties, PartialEq)]
    pub struct FirstViewProps {
        /// The app's state on its first render.
        pub state: Rc<AppState>,
    }

    /// The app's [`Page`] over a fixed state: what [`App`](crate::ui::App)
    /// renders first, with actions going nowhere (the static page has none).
    #[function_component(FirstView)]
    pub fn first_view(props: &FirstViewProps) -> Html {
        let store = Store {
            state: props.state.clone(),
            dispatch: Callback::noop(),
            on_stage: Callback::noop(),
            on_request: Callback::noop(),
        };
        html! {
            <ContextProvider<Store> context={store}>
                <Page />
            </ContextProvider<Store>>
        }
    }

    /// The first view of `state` as HTML (no hydration markers: the app
    /// takes over by rendering afresh).
    pub async fn render(state: AppState) -> String {
        yew::LocalServerRenderer::<FirstView>::with_props(FirstViewProps {
            state: Rc::new(state),
        })
        .hydratable(false)
        .render()
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::root_of_lesson_page;

    #[test]
    fn a_lesson_page_knows_the_apps_root() {
        assert_eq!(root_of_lesson_page("/lessons/a-b.html"), Some("/"));
        assert_eq!(root_of_lesson_page("/x/lessons/a.html"), Some("/x/"));
        assert_eq!(root_of_lesson_page("/"), None);
        assert_eq!(root_of_lesson_page("/index.html"), None);
        assert_eq!(root_of_lesson_page("/lessons/a/b.html"), None);
    }
}
