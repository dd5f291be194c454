//! The keyboard side of the WAI-ARIA tabs pattern: arrow keys, Home and End
//! move between tabs (focus follows the selection).

use web_sys::{Element, KeyboardEvent};
use yew::prelude::*;

/// The tab index that `key` moves to from `current` among `count` tabs.
pub(super) fn next_tab(key: &str, current: usize, count: usize) -> Option<usize> {
    if count == 0 {
        return None;
    }
    match key {
        "ArrowRight" | "ArrowDown" => Some((current + 1) % count),
        "ArrowLeft" | "ArrowUp" => Some((current + count - 1) % count),
        "Home" => Some(0),
        "End" => Some(count - 1),
        _ => None,
    }
}

/// A keydown handler for a tablist: picks the next tab and focuses it (the
/// tab buttons carry `id`s `"{prefix}-{index}"`).
pub(super) fn tablist_keydown(
    prefix: String,
    current: usize,
    count: usize,
    select: Callback<usize>,
) -> Callback<KeyboardEvent> {
    Callback::from(move |event: KeyboardEvent| {
        let Some(next) = next_tab(&event.key(), current, count) else {
            return;
        };
        event.prevent_default();
        event.stop_propagation();
        select.emit(next);
        focus_by_id(&format!("{prefix}-{next}"));
    })
}

/// Focuses the element with that id, if there is one.
pub(super) fn focus_by_id(id: &str) {
    let element: Option<Element> = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id));
    if let Some(element) =
        element.and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
    {
        let _ = element.focus();
    }
}

/// A page-unique id prefix for one component instance (ids link tabs to panels).
pub(super) fn unique_prefix(kind: &str) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("{kind}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}
