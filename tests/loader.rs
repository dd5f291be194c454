//! The scenario loader: clear errors with line and column, warnings for
//! unknown fields, and every version-1 default.

use cors_lab::scenario::{load_scenario, Api, Credentials, Mode, Redirect};

const MINIMAL: &str = r#"{
  "format": "cors-scenario/1",
  "id": "minimal",
  "page": "https://app.example.com",
  "server": [],
  "requests": [{ "url": "https://api.example.com/" }]
}"#;

#[test]
fn a_minimal_file_gets_every_default() {
    let loaded = load_scenario(MINIMAL).unwrap_or_else(|e| panic!("{e}"));
    assert!(loaded.warnings.is_empty());
    let request = loaded
        .scenario
        .requests
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("no request"));
    assert_eq!(request.api, Api::Fetch);
    assert_eq!(request.method, "GET");
    assert_eq!(request.mode, Mode::Cors);
    assert_eq!(request.credentials, Credentials::SameOrigin);
    assert_eq!(request.redirect, Redirect::Follow);
    assert!(!request.upload_listener);
    assert_eq!(request.at_ms, None);
}

#[test]
fn an_unknown_field_is_a_warning_that_names_its_place() {
    let text = MINIMAL.replace(
        r#""url": "https://api.example.com/""#,
        r#""url": "https://api.example.com/", "heders": []"#,
    );
    let loaded = load_scenario(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        loaded.warnings,
        vec!["unknown field `requests[0].heders` (ignored)".to_owned()]
    );
}

#[test]
fn invalid_json_reports_line_and_column() {
    let text = "{\n  \"format\": \"cors-scenario/1\",\n  \"id\": oops\n}";
    let error = load_scenario(text)
        .err()
        .unwrap_or_else(|| panic!("loaded"));
    assert_eq!((error.line, error.column), (3, 9));
    assert!(
        error
            .to_string()
            .starts_with("line 3, column 9: expected value"),
        "{error}"
    );
}

#[test]
fn a_missing_required_field_is_named() {
    let text = MINIMAL.replace(r#""page": "https://app.example.com","#, "");
    let error = load_scenario(&text)
        .err()
        .unwrap_or_else(|| panic!("loaded"));
    assert!(error.message.contains("missing field `page`"), "{error}");
    assert!(error.line > 0);
}

#[test]
fn a_value_of_the_wrong_kind_says_what_was_expected() {
    let text = MINIMAL.replace(
        r#""url": "https://api.example.com/""#,
        r#""url": "https://api.example.com/", "mode": "cross""#,
    );
    let error = load_scenario(&text)
        .err()
        .unwrap_or_else(|| panic!("loaded"));
    assert!(
        error
            .message
            .contains("unknown variant `cross`, expected one of `cors`, `no-cors`, `same-origin`"),
        "{error}"
    );
    let text = MINIMAL.replace(r#""server": []"#, r#""server": 5"#);
    let error = load_scenario(&text)
        .err()
        .unwrap_or_else(|| panic!("loaded"));
    assert!(error.message.contains("expected a sequence"), "{error}");
}

#[test]
fn another_format_version_is_refused() {
    let text = MINIMAL.replace("cors-scenario/1", "cors-scenario/2");
    let error = load_scenario(&text)
        .err()
        .unwrap_or_else(|| panic!("loaded"));
    assert!(
        error.message.contains("expected \"cors-scenario/1\""),
        "{error}"
    );
}

#[test]
fn js_error_null_is_told_apart_from_absent() {
    let text = MINIMAL.replace(
        r#""requests""#,
        r#""expect": [{"js_error": null}, {}], "requests""#,
    );
    let expect = load_scenario(&text)
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario
        .expect
        .unwrap_or_default();
    assert_eq!(expect.first().map(|e| e.js_error.clone()), Some(Some(None)));
    assert_eq!(expect.get(1).map(|e| e.js_error.clone()), Some(None));
}

#[test]
fn garbage_never_panics() {
    for text in [
        "",
        "null",
        "[]",
        "{",
        "\u{0}",
        "{\"format\":1}",
        "{\"requests\":[{\"url\":5}]}",
    ] {
        assert!(load_scenario(text).is_err(), "{text:?}");
    }
}

#[test]
fn page_csp_is_optional_and_kept_as_written() {
    let minimal = load_scenario(MINIMAL).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(minimal.scenario.page_csp, None);
    let text = MINIMAL.replace(
        r#""server": []"#,
        r#""page_csp": "connect-src 'self'  https://api.example.com", "server": []"#,
    );
    let loaded = load_scenario(&text).unwrap_or_else(|e| panic!("{e}"));
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(
        loaded.scenario.page_csp.as_deref(),
        Some("connect-src 'self'  https://api.example.com")
    );
    // It survives a save (the app's export) unchanged, and an absent one is not written.
    let saved = serde_json::to_string(&loaded.scenario).unwrap_or_else(|e| panic!("{e}"));
    assert!(saved.contains(r#""page_csp":"connect-src 'self'  https://api.example.com""#));
    let plain = serde_json::to_string(&minimal.scenario).unwrap_or_else(|e| panic!("{e}"));
    assert!(!plain.contains("page_csp"));
}

#[test]
fn a_misspelt_page_csp_is_a_warning_and_a_wrong_kind_an_error() {
    let text = MINIMAL.replace(
        r#""server": []"#,
        r#""page_cps": "connect-src 'none'", "server": []"#,
    );
    let loaded = load_scenario(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        loaded.warnings,
        vec!["unknown field `page_cps` (ignored)".to_owned()]
    );
    assert_eq!(loaded.scenario.page_csp, None);
    let wrong = MINIMAL.replace(
        r#""server": []"#,
        r#""page_csp": ["connect-src"], "server": []"#,
    );
    let error = load_scenario(&wrong)
        .err()
        .unwrap_or_else(|| panic!("loaded"));
    assert!(error.message.contains("expected a string"), "{error}");
}
