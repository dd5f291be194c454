//! The course: an ordered path through the lessons, from same-origin basics
//! to simple requests and preflights, credentials, the preflight cache,
//! redirects, what looks like CORS but is not, and security. Completed
//! lessons are kept in local storage; a lesson counts as completed once its
//! steps are revealed after a prediction.

use gloo_storage::{LocalStorage, Storage};
use yew::prelude::*;

/// The local-storage key of the completed lesson ids (a JSON array of strings).
pub const PROGRESS_KEY: &str = "cors-lab/course/v1";

/// The course, in order: each entry is a bundled scenario id.
pub const COURSE: &[&str] = &[
    // Same-origin basics.
    "same-origin-get-needs-no-cors",
    "different-port-is-cross-origin",
    "subdomain-is-cross-origin",
    "http-and-https-are-different-origins",
    "same-origin-policy-img-loads-cross-origin",
    "cors-does-not-stop-the-request",
    // Simple requests and preflights.
    "get-without-allow-origin-is-blocked",
    "allow-origin-exact-match",
    "allow-origin-wildcard",
    "form-urlencoded-post-is-simple",
    "json-post-without-allow-headers",
    "json-post-preflight-succeeds",
    "custom-header-needs-preflight",
    "put-needs-preflight",
    "expose-headers-one-header",
    // Credentials.
    "credentials-with-wildcard-origin",
    "credentials-missing-allow-credentials",
    "credentials-exact-origin-allowed",
    // The preflight cache.
    "preflight-cache-max-age",
    "preflight-cache-default-five-seconds",
    "preflight-cache-new-header-misses",
    // Redirects.
    "redirect-to-other-origin-sends-null-origin",
    "preflight-redirect-is-refused",
    "failure-after-redirect",
    // CORS versus CSP: the page's policy, not the server's.
    "csp-connect-src-blocks-before-cors",
    "csp-allows-but-cors-blocks",
    // Looks like CORS, but isn't (issue 13): what fails before or beside CORS.
    "server-down-is-not-a-cors-error",
    "connection-refused-is-not-cors",
    "server-never-answers-timeout",
    "server-error-500-without-cors-headers",
    "preflight-401-auth-before-cors",
    "mixed-content-http-api-from-https-page",
    "login-redirect-looks-like-cors",
    "local-network-access-asks-the-user",
    "local-network-access-permission-granted",
    "local-network-access-target-address-space",
    // Security.
    "security-reflected-origin-with-credentials",
    "security-null-origin-refused",
    "security-prefix-check-admits-lookalike",
    "security-missing-vary-origin",
    "security-custom-header-csrf-defence-bypassed",
];

/// Reads stored progress text: the completed ids, or why it does not load.
pub fn parse_progress(text: &str) -> Result<Vec<String>, String> {
    serde_json::from_str::<Vec<String>>(text).map_err(|e| {
        format!("The saved course progress could not be read ({e}); it starts afresh.")
    })
}

/// The stored progress, and a notice when what is stored is corrupt (the
/// progress then starts empty).
pub fn load_progress() -> (Vec<String>, Option<String>) {
    match LocalStorage::raw().get_item(PROGRESS_KEY).ok().flatten() {
        None => (Vec::new(), None),
        Some(text) => match parse_progress(&text) {
            Ok(done) => (done, None),
            Err(why) => (Vec::new(), Some(why)),
        },
    }
}

/// Stores the progress (a full storage is ignored).
pub fn store_progress(done: &[String]) {
    if let Ok(json) = serde_json::to_string(done) {
        let _ = LocalStorage::raw().set_item(PROGRESS_KEY, &json);
    }
}

/// Marks `id` completed if it is a course lesson; whether anything changed.
pub fn complete(done: &mut Vec<String>, id: &str) -> bool {
    if !COURSE.contains(&id) || done.iter().any(|d| d == id) {
        return false;
    }
    done.push(id.to_owned());
    true
}

/// The course view's properties.
#[derive(Properties, PartialEq)]
pub struct CourseProps {
    /// The completed lesson ids.
    pub done: Vec<String>,
    /// `(id, title)` of every bundled lesson.
    pub titles: std::rc::Rc<Vec<(String, String)>>,
    /// Opens a lesson.
    pub on_open: Callback<String>,
    /// Forgets the progress.
    pub on_reset: Callback<()>,
}

/// The course path with each lesson's state.
/// A plain view function, not a component: each component type costs about
/// 1 KB gzip of Yew's generic lifecycle code in the wasm (issue 16's budget).
pub fn course(props: &CourseProps) -> Html {
    let count = COURSE
        .iter()
        .filter(|id| props.done.iter().any(|d| d == *id))
        .count();
    let on_reset = props.on_reset.clone();
    html! {
        <section class="panel course" aria-labelledby="course-heading" data-testid="course">
            <h2 id="course-heading">{ "Course" }</h2>
            <p data-testid="course-progress">{ format!("{count} of {} lessons done", COURSE.len()) }</p>
            <ol>{ for COURSE.iter().map(|id| {
                let done = props.done.iter().any(|d| d == id);
                let title = props.titles.iter().find(|(i, _)| i == id).map_or(*id, |(_, t)| t.as_str());
                let (id, on_open) = (id.to_string(), props.on_open.clone());
                html! {
                    <li data-testid="course-lesson" data-id={id.clone()} data-done={done.to_string()}>
                        <button type="button" class="link-button" onclick={move |_| on_open.emit(id.clone())}>
                            { title.to_owned() }</button>
                        if done { <span aria-label="done">{ " ✓" }</span> }
                    </li>
                }
            }) }</ol>
            <button type="button" class="small-button" data-testid="course-reset"
                    onclick={move |_| on_reset.emit(())}>{ "Forget my progress" }</button>
        </section>
    }
}

/// The lessons before and after `id` on the course path, or `None` when
/// `id` is not on it.
pub fn neighbours(id: &str) -> Option<(Option<&'static str>, Option<&'static str>)> {
    let at = COURSE.iter().position(|c| *c == id)?;
    let previous = at.checked_sub(1).and_then(|i| COURSE.get(i)).copied();
    Some((previous, COURSE.get(at + 1).copied()))
}

/// The course navigation's properties.
#[derive(Properties, PartialEq)]
pub struct CourseNavProps {
    /// The id of the lesson on screen.
    pub current: String,
    /// `(id, title)` of every bundled lesson.
    pub titles: std::rc::Rc<Vec<(String, String)>>,
    /// Opens a lesson (as the course list does: predict first).
    pub on_open: Callback<String>,
}

/// "← Previous" and "Next lesson →" under a lesson that is on the course
/// path; nothing for any other scenario.
/// A plain view function, not a component: each component type costs about
/// 1 KB gzip of Yew's generic lifecycle code in the wasm (issue 16's budget).
pub fn course_nav(props: &CourseNavProps) -> Html {
    let Some((previous, next)) = neighbours(&props.current) else {
        return Html::default();
    };
    let position = COURSE.iter().position(|c| *c == props.current).unwrap_or(0) + 1;
    let title = |id: &str| {
        props
            .titles
            .iter()
            .find(|(i, _)| i == id)
            .map_or_else(|| id.to_owned(), |(_, t)| t.clone())
    };
    let button = |id: &'static str, text: &'static str, testid: &'static str, label: &str| {
        let on_open = props.on_open.clone();
        html! {
            <button type="button" class="small-button" data-testid={testid} data-id={id}
                    aria-label={format!("{label}: {}", title(id))}
                    onclick={move |_| on_open.emit(id.to_owned())}>{ text }</button>
        }
    };
    html! {
        <nav class="course-nav" aria-label="Course" data-testid="course-nav">
            if let Some(id) = previous {
                { button(id, "← Previous", "course-previous", "Previous lesson") }
            }
            <span class="muted small">{ format!("Course lesson {position} of {}", COURSE.len()) }</span>
            if let Some(id) = next {
                { button(id, "Next lesson →", "course-next", "Next lesson") }
            }
        </nav>
    }
}
