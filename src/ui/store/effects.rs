//! The edge: the only place the app writes to the page outside the DOM Yew
//! renders (local storage, the address bar, `<html data-theme>`, downloads),
//! and where it reads what the page held at start.

use yew::Callback;

use super::{Action, Effect, ShareLink, Start};
use crate::ui::share::HashRequest;
use crate::ui::{authoring, bundled, course, first_view, share};

/// What the page holds now: the fragment (on a lesson's own pre-rendered
/// page with none, that lesson), the stored scenario, theme and course
/// progress, and the bundled lessons' titles. A bundled lesson whose text
/// the page carries is read now; any other is read after the start
/// ([`Effect::LoadLesson`]).
pub fn read_start() -> Start {
    let hash = match share::read_hash(&location_hash()) {
        HashRequest::None => first_view::lesson()
            .filter(|id| bundled::lesson(id).is_some())
            .map_or(HashRequest::None, HashRequest::Bundled),
        other => other,
    };
    let hash = match hash {
        HashRequest::Bundled(id) => match bundled::on_page(&id) {
            Some(text) => match share::read_lesson(&id, Ok(text)) {
                Ok(lesson) => HashRequest::Lesson(Box::new(lesson)),
                Err(_) => HashRequest::Bundled(id),
            },
            None => HashRequest::Bundled(id),
        },
        other => other,
    };
    Start {
        hash,
        stored: share::load_stored(),
        theme: share::stored_theme(),
        progress: course::load_progress(),
        bundled: share::bundled_titles(),
    }
}

/// Runs `effects` in order; what one reports back is sent to `dispatch`.
pub fn run(effects: Vec<Effect>, dispatch: &Callback<Action>) {
    for effect in effects {
        match effect {
            Effect::StoreScenario(scenario) => share::store(&scenario),
            Effect::ReplaceHash(fragment) => replace_hash(&fragment),
            Effect::ShowShareLink { fragment, redacted } => {
                replace_hash(&fragment);
                let href = web_sys::window()
                    .and_then(|w| w.location().href().ok())
                    .unwrap_or_else(|| format!("#{fragment}"));
                dispatch.emit(Action::ShareShown(ShareLink { href, redacted }));
            }
            Effect::Theme { theme, store } => {
                apply_theme(theme.as_deref());
                if store {
                    share::store_theme(theme.as_deref());
                }
            }
            Effect::StoreProgress(done) => course::store_progress(&done),
            Effect::LoadLesson(id) => match bundled::on_page(&id) {
                Some(text) => dispatch.emit(Action::LessonLoaded { id, text: Ok(text) }),
                None => {
                    let dispatch = dispatch.clone();
                    yew::platform::spawn_local(async move {
                        let text = bundled::fetch(&id).await;
                        dispatch.emit(Action::LessonLoaded { id, text });
                    });
                }
            },
            Effect::Download { name, text } => {
                if !authoring::download(&name, &text) {
                    dispatch.emit(Action::Notice(
                        "The browser did not offer the download.".to_owned(),
                    ));
                }
            }
        }
    }
}

/// The address bar's fragment, with its `#`.
pub fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Replaces the address bar's fragment without a `hashchange` (empty = none).
/// On a lesson's own page (`lessons/<id>.html`) the address becomes the
/// app's root, so that a reload shows the edited scenario, not the lesson.
fn replace_hash(fragment: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    // `replaceState` is slow (several ms: it goes through the browser
    // process), and every edit asks for an empty fragment: skip a no-op.
    let current = location.hash().unwrap_or_default();
    let pathname = location.pathname().unwrap_or_default();
    let lesson_root = first_view::root_of_lesson_page(&pathname);
    if lesson_root.is_none() && current.strip_prefix('#').unwrap_or(&current) == fragment {
        return;
    }
    let base = format!(
        "{}{}",
        lesson_root.unwrap_or(&pathname),
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
