//! Authoring: save the scenario being edited as a version-1 scenario file
//! (pretty JSON, `expect` filled in from the engine's Chrome trace) and open
//! one from disk, by file picker or drag and drop. Saving is a download from
//! a `blob:` URL (no network); opening goes through
//! [`crate::scenario::load_scenario`], so a broken file is a clear message
//! (line, column, what was expected) and the current work is kept.

use wasm_bindgen::JsCast;

use super::share::redact_secrets;
use crate::engine::Trace;
use crate::scenario::{load_scenario, Scenario, FORMAT_V1};

/// The file text for `scenario`: version 1, pretty JSON, `expect` filled in
/// from `chrome` (the engine's Chrome trace of it); Authorization and Cookie
/// values are redacted (`diagnose::redact`) unless `include_secrets`.
pub fn export_scenario(scenario: &Scenario, chrome: &Trace, include_secrets: bool) -> String {
    let mut file = if include_secrets {
        scenario.clone()
    } else {
        redact_secrets(scenario).0
    };
    file.format = FORMAT_V1.to_owned();
    file.expect = Some(
        chrome
            .requests
            .iter()
            .map(|r| r.result.to_expectation())
            .collect(),
    );
    let mut text = pretty_json(&file).unwrap_or_default();
    text.push('\n');
    text
}

/// `serde_json::to_string_pretty`'s text, made from the compact JSON that
/// share links and storage also write: the scenario's serialiser is then
/// compiled into the app once, not once per formatter (issue 16's budget).
fn pretty_json(scenario: &Scenario) -> Option<String> {
    let compact = serde_json::to_string(scenario).ok()?;
    let mut deserializer = serde_json::Deserializer::from_str(&compact);
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::pretty(&mut out);
    serde_transcode::transcode(&mut deserializer, &mut serializer).ok()?;
    String::from_utf8(out).ok()
}

/// Reads a scenario file: the scenario and its warnings (unknown fields), or
/// a message naming the line, column and what was expected.
pub fn import_scenario(text: &str) -> Result<(Scenario, Vec<String>), String> {
    load_scenario(text)
        .map(|loaded| (loaded.scenario, loaded.warnings))
        .map_err(|e| format!("The file could not be opened ({e}); your current work is kept."))
}

/// A file name for the scenario: its id (or `scenario`) plus `.json`.
pub fn file_name(scenario: &Scenario) -> String {
    let id: String = scenario
        .id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    format!("{}.json", if id.is_empty() { "scenario" } else { &id })
}

/// Offers `text` as a download called `name`, through a `blob:` URL and an
/// `<a download>` (nothing is sent anywhere). Returns whether it was offered.
pub fn download(name: &str, text: &str) -> bool {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return false;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return false;
    };
    let anchor = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok());
    let offered = anchor.is_some();
    if let Some(anchor) = anchor {
        anchor.set_href(&url);
        anchor.set_download(name);
        anchor.click();
    }
    // Revoked a little later: the download reads the blob after the click returns.
    yew::platform::spawn_local(async move {
        yew::platform::time::sleep(std::time::Duration::from_secs(30)).await;
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    offered
}

/// Reads the first file of `files` as text and hands it to `done`.
pub fn read_first_file(files: Option<web_sys::FileList>, done: yew::Callback<String>) {
    let Some(file) = files.and_then(|f| f.get(0)) else {
        return;
    };
    yew::platform::spawn_local(async move {
        let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
        done.emit(text.ok().and_then(|t| t.as_string()).unwrap_or_default());
    });
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn pretty_json_is_serde_jsons_pretty_text_for_every_lesson() {
        let lessons = super::super::bundled::BUNDLED;
        assert!(lessons.len() > 90);
        for text in lessons {
            let mut scenario = crate::scenario::parse_scenario(text).expect("a lesson loads");
            scenario.title = Some("a \"quoted\" title, \u{e9}, \u{1F600}, \\".to_owned());
            assert_eq!(
                pretty_json(&scenario),
                serde_json::to_string_pretty(&scenario).ok(),
                "{}",
                scenario.id
            );
        }
    }
}
