//! The lesson library: every bundled scenario, grouped by level, with a
//! search over title, summary, tags and id and a tag filter. Choosing one
//! opens it in the stepper (the app puts `#scenario=<id>` in the address bar).

use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::bundled::LESSONS;
use crate::scenario::Level;

/// One lesson as the library lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The scenario id (`#scenario=<id>`).
    pub id: String,
    /// The title (the id when the file has none).
    pub title: String,
    /// The lesson's first sentence.
    pub summary: String,
    /// The level (`None`: not given).
    pub level: Option<Level>,
    /// The tags.
    pub tags: Vec<String>,
}

pub use super::summary::summary;

/// Every bundled lesson as a library entry, in file order (from the
/// lesson index: no lesson's text is read).
pub fn entries() -> Vec<Entry> {
    LESSONS
        .iter()
        .map(|lesson| Entry {
            id: lesson.id.to_owned(),
            title: lesson.title.to_owned(),
            summary: lesson.summary.to_owned(),
            level: lesson.level,
            tags: lesson.tags.iter().map(|t| (*t).to_owned()).collect(),
        })
        .collect()
}

/// Whether `entry` fits the search text (every word, case-insensitively, in
/// its title, summary, tags or id) and the tag filter (empty = any).
pub fn matches(entry: &Entry, query: &str, tag: &str) -> bool {
    if !tag.is_empty() && !entry.tags.iter().any(|t| t == tag) {
        return false;
    }
    let haystack = lowercase(&format!(
        "{} {} {} {}",
        entry.title,
        entry.summary,
        entry.tags.join(" "),
        entry.id
    ));
    lowercase(query)
        .split_whitespace()
        .all(|word| haystack.contains(word))
}

/// Unicode's default lowercase mapping. In the app it is the browser's own
/// (`String.prototype.toLowerCase`, the same mapping): Rust's
/// `str::to_lowercase` would ship a copy of Unicode's case table in the wasm
/// (about 5 KB gzip of the size budget; BENCHMARKS.md).
fn lowercase(text: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        String::from(js_sys::JsString::from(text).to_lower_case())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        text.to_lowercase()
    }
}

/// Every tag used, sorted, once each.
pub fn all_tags(entries: &[Entry]) -> Vec<String> {
    let mut tags: Vec<String> = entries.iter().flat_map(|e| e.tags.clone()).collect();
    tags.sort();
    tags.dedup();
    tags
}

/// The tag of the lessons about failures that are not CORS (a server that
/// is down, mixed content, an error status, a login redirect…): they form
/// the library's "Looks like CORS, but isn't" group, listed first.
pub const NOT_CORS_TAG: &str = "not-cors";

/// Whether `entry` belongs to the "Looks like CORS, but isn't" group.
pub fn is_not_cors(entry: &Entry) -> bool {
    entry.tags.iter().any(|t| t == NOT_CORS_TAG)
}

const LEVELS: [(Option<Level>, &str); 4] = [
    (Some(Level::Beginner), "Beginner"),
    (Some(Level::Intermediate), "Intermediate"),
    (Some(Level::Advanced), "Advanced"),
    (None, "Other"),
];

/// The library's properties.
#[derive(Properties, PartialEq)]
pub struct LibraryProps {
    /// The entries (made once by the app).
    pub entries: Rc<Vec<Entry>>,
    /// Opens the lesson with this id.
    pub on_open: Callback<String>,
}

/// The library view.
#[function_component(Library)]
pub fn library(props: &LibraryProps) -> Html {
    let query = use_state(String::new);
    let tag = use_state(String::new);
    let on_query = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| {
            query.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_tag = {
        let tag = tag.clone();
        Callback::from(move |e: Event| {
            tag.set(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    let shown: Vec<&Entry> = props
        .entries
        .iter()
        .filter(|e| matches(e, &query, &tag))
        .collect();
    let on_open = props.on_open.clone();
    let group = move |testid: String, name: &str, items: Vec<&&Entry>| {
        if items.is_empty() {
            return html! {};
        }
        let props_on_open = on_open.clone();
        html! {
            <section class="library-level" data-testid={testid}>
                <h3>{ format!("{name} ({})", items.len()) }</h3>
                <ul>{ for items.iter().map(|e| {
                    let id = e.id.clone();
                    let on_open = props_on_open.clone();
                    html! {
                        <li data-testid="library-entry" data-id={e.id.clone()}>
                            <button type="button" class="link-button" onclick={move |_| on_open.emit(id.clone())}>
                                { e.title.clone() }</button>
                            <span class="muted small">{ format!(" {}", e.tags.join(", ")) }</span>
                            <p class="small">{ e.summary.clone() }</p>
                        </li>
                    }
                }) }</ul>
            </section>
        }
    };
    let not_cors = group(
        "group-not-cors".to_owned(),
        "Looks like CORS, but isn't",
        shown.iter().filter(|e| is_not_cors(e)).collect(),
    );
    let groups = LEVELS.iter().map(|(level, name)| {
        let items: Vec<&&Entry> = shown
            .iter()
            .filter(|e| e.level == *level && !is_not_cors(e))
            .collect();
        group(format!("level-{}", name.to_ascii_lowercase()), name, items)
    });
    html! {
        <section class="panel library" aria-labelledby="library-heading" data-testid="library">
            <h2 id="library-heading">{ "Lesson library" }</h2>
            <div class="form-grid">
                <label for="library-search">{ "Search" }</label>
                <input id="library-search" data-testid="library-search" type="search"
                       value={(*query).clone()} oninput={on_query} />
                <label for="library-tag">{ "Tag" }</label>
                <select id="library-tag" data-testid="library-tag" onchange={on_tag}>
                    <option value="" selected={tag.is_empty()}>{ "All tags" }</option>
                    { for all_tags(&props.entries).into_iter().map(|t| html! {
                        <option value={t.clone()} selected={*tag == t}>{ t }</option>
                    }) }
                </select>
            </div>
            <p class="muted small" data-testid="library-count">
                { format!("{} of {} lessons", shown.len(), props.entries.len()) }</p>
            { not_cors }
            { for groups }
        </section>
    }
}
