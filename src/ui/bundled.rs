//! The bundled lessons. They are content, not code: the wasm embeds only
//! their index ([`LESSONS`]: what the menus, the course and the library
//! list), and a lesson's text is read when it is opened, from the page
//! itself when the page is that lesson's pre-rendered page ([`on_page`]),
//! else from the app's own file `lessons/<id>.json` ([`fetch`]). Both are
//! written by the build (`build.rs`, `scripts/prerender`) from `scenarios/`,
//! every file of which is a lesson; only the default lesson's text is in the
//! wasm ([`super::DEFAULT_SCENARIO`]).

use crate::scenario::Level;

/// One lesson as the index lists it.
#[derive(Debug, PartialEq, Eq)]
pub struct LessonInfo {
    /// The scenario id (`#scenario=<id>`, `lessons/<id>.json`).
    pub id: &'static str,
    /// The title (the id when the file has none).
    pub title: &'static str,
    /// The lesson text's first sentence ([`super::summary::summary`]).
    pub summary: &'static str,
    /// The level (`None`: not given).
    pub level: Option<Level>,
    /// The tags.
    pub tags: &'static [&'static str],
}

/// Every lesson, in file-name order (`build.rs` writes the list).
pub const LESSONS: &[LessonInfo] = include!(concat!(env!("OUT_DIR"), "/lesson_index.rs"));

/// Every lesson's text (whitespace removed), in file-name order: for the
/// pre-render step only (the shipped wasm does not include it).
#[cfg(feature = "ssr")]
pub const BUNDLED: &[&str] = include!(concat!(env!("OUT_DIR"), "/lesson_texts.rs"));

/// The lesson with this id.
pub fn lesson(id: &str) -> Option<&'static LessonInfo> {
    LESSONS.iter().find(|lesson| lesson.id == id)
}

/// The attribute of the `<script type="application/json">` element in which
/// a lesson's pre-rendered page carries that lesson's text; its value is
/// the lesson's id.
pub const LESSON_JSON: &str = "data-lesson-json";

/// The text of lesson `id` if the page carries it (see [`LESSON_JSON`]).
pub fn on_page(id: &str) -> Option<String> {
    // An id from the index: letters, digits and hyphens, safe in a selector.
    let lesson = lesson(id)?;
    web_sys::window()?
        .document()?
        .query_selector(&format!("script[{LESSON_JSON}=\"{}\"]", lesson.id))
        .ok()??
        .text_content()
}

/// The address of lesson `id`'s file, seen from the page at `pathname`: in
/// `lessons/` at the app's root (`/base/` or `/base/index.html` →
/// `/base/lessons/<id>.json`, and so from `/base/lessons/<other>.html`).
pub fn lesson_url(pathname: &str, id: &str) -> String {
    let root = super::first_view::root_of_lesson_page(pathname).unwrap_or_else(|| {
        let end = pathname.rfind('/').map_or(0, |slash| slash + 1);
        pathname.get(..end).unwrap_or_default()
    });
    let root = if root.is_empty() { "/" } else { root };
    format!("{root}lessons/{id}.json")
}

/// Lesson `id`'s text from the app's own file ([`lesson_url`]), or why it
/// did not arrive (the page's CSP allows `connect-src 'self'` only).
pub async fn fetch(id: &str) -> Result<String, String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let window = web_sys::window().ok_or("there is no window")?;
    let pathname = window.location().pathname().unwrap_or_default();
    let url = lesson_url(&pathname, id);
    let response = JsFuture::from(window.fetch_with_str(&url))
        .await
        .map_err(|_| format!("{url} did not arrive (is the network down?)"))?
        .dyn_into::<web_sys::Response>()
        .map_err(|_| "the browser's fetch gave no response".to_owned())?;
    if !response.ok() {
        return Err(format!("{url} answered {}", response.status()));
    }
    let text = response
        .text()
        .map_err(|_| format!("{url} could not be read"))?;
    JsFuture::from(text)
        .await
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(|| format!("{url} could not be read"))
}

#[cfg(test)]
mod tests {
    use super::lesson_url;

    #[test]
    fn a_lesson_file_is_in_lessons_at_the_apps_root() {
        assert_eq!(lesson_url("/", "a"), "/lessons/a.json");
        assert_eq!(lesson_url("/index.html", "a"), "/lessons/a.json");
        assert_eq!(lesson_url("/base/", "a"), "/base/lessons/a.json");
        assert_eq!(lesson_url("/base/index.html", "a"), "/base/lessons/a.json");
        assert_eq!(
            lesson_url("/base/lessons/b.html", "a"),
            "/base/lessons/a.json"
        );
        assert_eq!(lesson_url("", "a"), "/lessons/a.json");
    }
}
