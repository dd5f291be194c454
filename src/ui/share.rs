//! Keeping and sharing the state: local storage and the URL fragment.
//!
//! - `#s=<base64url of the scenario's compact JSON>` reopens a scenario exactly.
//! - `#scenario=<id>` opens a bundled lesson (see [`super::bundled`]).
//!
//! Whatever is read back goes through [`parse_scenario`], so a corrupt or
//! hand-edited value becomes a notice, never a panic.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use gloo_storage::{LocalStorage, Storage};

use super::bundled::{self, LESSONS};
use crate::diagnose::redact::{redact, Redaction};
use crate::scenario::{parse_scenario, Scenario};

/// The local-storage key of the scenario being edited.
pub const STORAGE_KEY: &str = "cors-lab/scenario/v1";
/// The local-storage key of the chosen theme (`light`, `dark`; absent = the system's).
pub const THEME_KEY: &str = "cors-lab/theme";

/// What the URL fragment asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum HashRequest {
    /// No known fragment.
    None,
    /// A shared scenario.
    Shared(Box<Scenario>),
    /// A bundled lesson, by id (one in [`LESSONS`]), still to be read.
    Bundled(String),
    /// A bundled lesson, read (its page carried its text).
    Lesson(Box<Scenario>),
    /// A fragment that could not be read: why.
    Broken(String),
}

/// Reads a fragment (with or without its leading `#`).
pub fn read_hash(hash: &str) -> HashRequest {
    let hash = hash.strip_prefix('#').unwrap_or(hash);
    if let Some(encoded) = hash.strip_prefix("s=") {
        return match decode_scenario(encoded) {
            Ok(scenario) => HashRequest::Shared(Box::new(scenario)),
            Err(error) => HashRequest::Broken(format!("The shared link is damaged: {error}")),
        };
    }
    if let Some(id) = hash.strip_prefix("scenario=") {
        return match bundled::lesson(id) {
            Some(lesson) => HashRequest::Bundled(lesson.id.to_owned()),
            None => HashRequest::Broken(format!("There is no bundled scenario called {id:?}.")),
        };
    }
    HashRequest::None
}

/// Every bundled lesson's `(id, title)`, in file order: what the lesson
/// menu and the course list.
pub fn bundled_titles() -> Vec<(String, String)> {
    LESSONS
        .iter()
        .map(|lesson| (lesson.id.to_owned(), lesson.title.to_owned()))
        .collect()
}

/// Reads lesson `id`'s text (as [`bundled::on_page`] or [`bundled::fetch`]
/// gave it): the scenario, or why it does not load.
pub fn read_lesson(id: &str, text: Result<String, String>) -> Result<Scenario, String> {
    let title = bundled::lesson(id).map_or(id, |lesson| lesson.title);
    let scenario = text
        .and_then(|text| parse_scenario(&text).map_err(|e| e.to_string()))
        .map_err(|why| format!("The lesson \u{201c}{title}\u{201d} could not be loaded: {why}."))?;
    if scenario.id != id {
        return Err(format!(
            "The lesson \u{201c}{title}\u{201d} could not be loaded: its file holds {:?}.",
            scenario.id
        ));
    }
    Ok(scenario)
}

/// The fragment (without `#`) that reopens `scenario` exactly.
pub fn share_fragment(scenario: &Scenario) -> String {
    let json = serde_json::to_string(scenario).unwrap_or_default();
    format!("s={}", URL_SAFE_NO_PAD.encode(json))
}

/// Reads a scenario back from [`share_fragment`]'s encoding.
pub fn decode_scenario(encoded: &str) -> Result<Scenario, String> {
    let bytes = URL_SAFE_NO_PAD
        .decode(encoded.trim())
        .map_err(|e| format!("not base64url ({e})"))?;
    let text = String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_owned())?;
    parse_scenario(&text).map_err(|e| e.to_string())
}

/// `scenario` with its secrets replaced, and where they were: one
/// redaction for share links and exports alike, [`crate::diagnose::redact`]
/// (Authorization, Cookie, Set-Cookie, API keys and tokens in headers and
/// URLs, credentials in bodies).
pub fn redact_secrets(scenario: &Scenario) -> (Scenario, Vec<Redaction>) {
    let mut redacted = scenario.clone();
    let report = redact(&mut redacted);
    (redacted, report)
}

/// Where `scenario` holds secrets that a share link leaves out unless the
/// user opts in: `request 1 header Authorization`, ...
pub fn secret_locations(scenario: &Scenario) -> Vec<String> {
    redact_secrets(scenario)
        .1
        .into_iter()
        .map(|r| r.location)
        .collect()
}

/// The stored scenario: `Ok(None)` when nothing is stored, `Err` when what is
/// stored does not load.
pub fn load_stored() -> Result<Option<Scenario>, String> {
    let Ok(text) = LocalStorage::raw().get_item(STORAGE_KEY) else {
        return Ok(None);
    };
    match text {
        None => Ok(None),
        Some(text) => parse_scenario(&text)
            .map(Some)
            .map_err(|e| format!("The saved scenario could not be loaded ({e}); the default scenario is shown instead.")),
    }
}

/// Stores `scenario` (a full storage is ignored: the page keeps working).
pub fn store(scenario: &Scenario) {
    if let Ok(json) = serde_json::to_string(scenario) {
        let _ = LocalStorage::raw().set_item(STORAGE_KEY, &json);
    }
}

/// The stored theme choice.
pub fn stored_theme() -> Option<String> {
    LocalStorage::raw().get_item(THEME_KEY).ok().flatten()
}

/// Stores the theme choice (`None` = follow the system).
pub fn store_theme(theme: Option<&str>) {
    let storage = LocalStorage::raw();
    let _ = match theme {
        Some(theme) => storage.set_item(THEME_KEY, theme),
        None => storage.remove_item(THEME_KEY),
    };
}
