//! Component tests of the "Why is my request blocked?" panel, run in
//! headless Chromium (see scripts/test): the whole App is mounted, real
//! fixtures from tests/diagnose-fixtures/ are pasted into the panel, and the
//! rendered DOM is compared with what `diagnose` itself says.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::expect_used, clippy::indexing_slicing, clippy::panic)] // a test that cannot set up should fail loudly

use std::time::Duration;

use cors_lab::diagnose::diagnose;
use cors_lab::ui::share::decode_scenario;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

#[path = "wasm/support.rs"]
mod support;
use support::{find, flush, mount, texts};

const CONSOLE: &str = include_str!("diagnose-fixtures/chrome-console-missing-acao.txt");
const CURL_CONSOLE: &str = include_str!("diagnose-fixtures/chrome-curl-bash-console.txt");
const HAR: &str = include_str!("diagnose-fixtures/chromium-session.har");
const HTTP_RAW: &str = include_str!("diagnose-fixtures/http-raw.txt");
const MIXED: &str = include_str!("diagnose-fixtures/cause-mixed-content--chrome-fetch.txt");
const LNA: &str =
    include_str!("diagnose-fixtures/cause-local-network-access--chrome-permission.txt");
const SERVER_ERROR: &str =
    include_str!("diagnose-fixtures/cause-server-error--chrome-with-network-line.txt");

/// Mounts the App on a cleared page and opens the panel.
async fn mount_with_panel() -> Element {
    let root = mount().await;
    find(&root, "[data-testid=paste-toggle]").click();
    flush().await;
    root
}

fn textarea(root: &Element) -> HtmlTextAreaElement {
    find(root, "[data-testid=paste-text]")
        .dyn_into::<HtmlTextAreaElement>()
        .expect("a textarea")
}

/// Pastes `text`, clicks Diagnose, and waits (bounded) for a result or an error.
async fn paste_and_diagnose(root: &Element, text: &str) {
    let area = textarea(root);
    area.set_value(text);
    area.dispatch_event(&web_sys::InputEvent::new("input").expect("an event"))
        .expect("can dispatch");
    find(root, "[data-testid=paste-diagnose]").click();
    flush().await;
    for _ in 0..200 {
        if !texts(
            root,
            "[data-testid=paste-result], [data-testid=paste-error]",
        )
        .is_empty()
        {
            return;
        }
        yew::platform::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no result after 5 s");
}

fn current_stage(root: &Element) -> String {
    find(root, "[data-testid=stage-card][aria-current=step]")
        .get_attribute("data-stage")
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn a_console_line_gives_its_meaning_and_asks_for_the_response() {
    let root = mount_with_panel().await;
    paste_and_diagnose(&root, CONSOLE).await;
    let expected = diagnose(CONSOLE).expect("the fixture is diagnosed");
    assert_eq!(
        texts(&root, "[data-testid=paste-format]"),
        vec!["Recognised: console".to_owned()]
    );
    assert_eq!(
        texts(&root, "[data-testid=paste-sentence]"),
        vec![expected.sentence()]
    );
    let evidence = texts(&root, "[data-testid=paste-evidence]");
    assert_eq!(evidence.len(), 1, "{evidence:?}");
    assert!(
        evidence[0].contains("paste the actual response headers"),
        "{evidence:?}"
    );
    let findings = texts(&root, "[data-testid=paste-finding]");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert!(findings[0].contains("not confirmed"), "{findings:?}");
}

#[wasm_bindgen_test]
async fn curl_with_its_console_line_names_the_exact_header_and_value() {
    let root = mount_with_panel().await;
    paste_and_diagnose(&root, CURL_CONSOLE).await;
    assert_eq!(
        texts(&root, "[data-testid=paste-format]"),
        vec!["Recognised: curl-bash+console".to_owned()]
    );
    let sentence = texts(&root, "[data-testid=paste-sentence]").join("");
    assert!(
        sentence.contains("`Access-Control-Allow-Origin: http://app.example.test:47311`"),
        "{sentence}"
    );
    assert_eq!(
        texts(&root, "[data-testid=paste-fix-header]"),
        vec!["Access-Control-Allow-Origin: http://app.example.test:47311".to_owned()]
    );
    let stage = find(&root, "[data-testid=paste-finding]")
        .get_attribute("data-stage")
        .unwrap_or_default();
    assert_eq!(stage, "preflight");
}

#[wasm_bindgen_test]
async fn a_har_lists_every_cors_failure_and_opens_one_at_its_failing_step() {
    let root = mount_with_panel().await;
    paste_and_diagnose(&root, HAR).await;
    let expected = diagnose(HAR).expect("the HAR is diagnosed");
    let failing: Vec<_> = expected
        .reports
        .iter()
        .filter(|r| !r.findings.is_empty())
        .collect();
    assert_eq!(failing.len(), 4);
    let reports = texts(&root, "[data-testid=paste-report]");
    assert_eq!(reports.len(), failing.len(), "{reports:?}");
    for (shown, report) in reports.iter().zip(&failing) {
        assert!(shown.contains(&report.case.url), "{shown}");
    }
    assert_eq!(
        texts(&root, "[data-testid=paste-finding]").len(),
        expected.findings().count()
    );
    // The last failure fails on the preflight: open it.
    let buttons = root
        .query_selector_all("[data-testid=paste-open]")
        .expect("valid selector");
    assert_eq!(buttons.length() as usize, failing.len());
    buttons
        .item(buttons.length() - 1)
        .and_then(|b| b.dyn_into::<HtmlElement>().ok())
        .expect("a button")
        .click();
    flush().await;
    let step = failing[failing.len() - 1]
        .failing_step
        .as_ref()
        .expect("a replayed failure has a failing step");
    let stage = serde_json::to_value(step.stage).expect("a stage serialises");
    assert_eq!(current_stage(&root), stage.as_str().unwrap_or_default());
    assert_eq!(
        find(&root, "[data-testid=verdict]")
            .get_attribute("data-outcome")
            .as_deref(),
        Some("blocked")
    );
}

#[wasm_bindgen_test]
async fn the_answer_shows_the_cause_and_asks_for_no_header_when_it_is_not_cors() {
    let root = mount_with_panel().await;
    paste_and_diagnose(&root, MIXED).await;
    let cause = find(&root, "[data-testid=paste-cause]");
    assert_eq!(
        cause.get_attribute("data-cause").as_deref(),
        Some("mixed-content")
    );
    assert!(
        cause
            .text_content()
            .unwrap_or_default()
            .contains("Mixed content"),
        "{:?}",
        cause.text_content()
    );
    assert!(texts(&root, "[data-testid=paste-fix-header]").is_empty());
    let sentence = texts(&root, "[data-testid=paste-sentence]").join("");
    assert!(!sentence.contains("`Access-Control-"), "{sentence}");

    // Replayed as CORS, the stepper would show the wrong failure.
    paste_and_diagnose(&root, LNA).await;
    let cause = find(&root, "[data-testid=paste-cause]");
    assert_eq!(
        cause.get_attribute("data-cause").as_deref(),
        Some("local-network-access")
    );
    assert!(texts(&root, "[data-testid=paste-open]").is_empty());
    assert_eq!(
        texts(&root, "[data-testid=paste-open-not-replayable]").len(),
        1
    );

    // A crashed server: the status first, then the CORS headers on error responses too.
    paste_and_diagnose(&root, SERVER_ERROR).await;
    let cause = find(&root, "[data-testid=paste-cause]");
    assert_eq!(
        cause.get_attribute("data-cause").as_deref(),
        Some("server-error")
    );
    let sentence = texts(&root, "[data-testid=paste-sentence]").join("");
    assert!(sentence.contains("500 Internal Server Error"), "{sentence}");
    let findings = root
        .query_selector_all("[data-testid=paste-finding]")
        .expect("valid selector");
    assert_eq!(findings.length(), 2);
}

#[wasm_bindgen_test]
async fn garbage_gets_a_clear_message_and_stays_in_the_textarea() {
    let root = mount_with_panel().await;
    let garbage = "hello, this is not a request \u{1F600} {{{";
    paste_and_diagnose(&root, garbage).await;
    let error = texts(&root, "[data-testid=paste-error]").join("");
    assert!(error.contains("not a recognised format"), "{error}");
    assert_eq!(textarea(&root).value(), garbage);
    // And the app still works: diagnose the empty paste.
    paste_and_diagnose(&root, "   ").await;
    let error = texts(&root, "[data-testid=paste-error]").join("");
    assert!(error.contains("nothing to diagnose"), "{error}");
}

#[wasm_bindgen_test]
async fn a_pasted_authorization_stays_out_of_share_links_unless_opted_in() {
    let root = mount_with_panel().await;
    let secret = "Bearer sekrit-token-123";
    let paste = HTTP_RAW.replacen(
        "\nOrigin:",
        &format!("\nAuthorization: {secret}\nOrigin:"),
        1,
    );
    assert_ne!(paste, HTTP_RAW, "the fixture has an Origin line");
    paste_and_diagnose(&root, &paste).await;
    find(&root, "[data-testid=paste-open]").click();
    flush().await;
    let label = find(&root, "[data-testid=include-secrets-label]")
        .text_content()
        .unwrap_or_default();
    assert!(label.contains("header Authorization"), "{label}");
    find(&root, "[data-testid=share]").click();
    flush().await;
    let link = find(&root, "[data-testid=share-link]")
        .dyn_into::<HtmlInputElement>()
        .expect("an input")
        .value();
    let fragment = link.split("#s=").nth(1).expect("a share fragment");
    let shared = decode_scenario(fragment).expect("the link decodes");
    let json = serde_json::to_string(&shared).expect("serialises");
    assert!(!json.contains("sekrit"), "{json}");
    assert!(json.contains("[redacted]"), "{json}");
    assert!(texts(&root, "[data-testid=share-redacted]")
        .join("")
        .contains("Authorization"));
    // Opting in puts it in.
    find(&root, "[data-testid=include-secrets]").click();
    flush().await;
    find(&root, "[data-testid=share]").click();
    flush().await;
    let link = find(&root, "[data-testid=share-link]")
        .dyn_into::<HtmlInputElement>()
        .expect("an input")
        .value();
    let fragment = link.split("#s=").nth(1).expect("a share fragment");
    let shared = decode_scenario(fragment).expect("the link decodes");
    let json = serde_json::to_string(&shared).expect("serialises");
    assert!(json.contains("sekrit-token-123"), "{json}");
}

#[wasm_bindgen_test]
async fn a_picked_file_is_read_in_the_page_and_diagnosed() {
    let root = mount_with_panel().await;
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(HAR));
    let file = web_sys::File::new_with_str_sequence(&parts, "session.har").expect("a file");
    let transfer = web_sys::DataTransfer::new().expect("a DataTransfer");
    transfer
        .items()
        .add_with_file(&file)
        .expect("can add the file");
    let input = find(&root, "[data-testid=paste-file]")
        .dyn_into::<HtmlInputElement>()
        .expect("an input");
    input.set_files(transfer.files().as_ref());
    input
        .dispatch_event(&web_sys::Event::new("change").expect("an event"))
        .expect("can dispatch");
    for _ in 0..200 {
        if !texts(&root, "[data-testid=paste-result]").is_empty() {
            break;
        }
        yew::platform::time::sleep(Duration::from_millis(25)).await;
    }
    let expected = diagnose(HAR).expect("the HAR is diagnosed");
    assert_eq!(
        texts(&root, "[data-testid=paste-sentence]"),
        vec![expected.sentence()]
    );
    assert_eq!(
        textarea(&root).value(),
        HAR,
        "the file's text is in the box"
    );
}

#[wasm_bindgen_test]
async fn analysing_is_shown_before_the_analysis_runs() {
    let root = mount_with_panel().await;
    let area = textarea(&root);
    area.set_value(HAR);
    area.dispatch_event(&web_sys::InputEvent::new("input").expect("an event"))
        .expect("can dispatch");
    find(&root, "[data-testid=paste-diagnose]").click();
    // One turn of the event loop: Yew renders, the analysis waits for its timer.
    yew::platform::time::sleep(Duration::ZERO).await;
    assert_eq!(
        texts(&root, "[data-testid=paste-analysing]"),
        vec!["Analysing…".to_owned()]
    );
    assert!(find(&root, "[data-testid=paste-diagnose]").has_attribute("disabled"));
    for _ in 0..200 {
        if !texts(&root, "[data-testid=paste-result]").is_empty() {
            break;
        }
        yew::platform::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(texts(&root, "[data-testid=paste-analysing]").is_empty());
    assert_eq!(texts(&root, "[data-testid=paste-report]").len(), 4);
}

#[wasm_bindgen_test]
async fn a_line_without_the_page_origin_offers_no_dead_end_stepper() {
    let root = mount_with_panel().await;
    // Firefox's lines never name the page's origin.
    let firefox = "Content-Security-Policy: The page\u{2019}s settings blocked the loading of a resource (connect-src) at https://api.example.com/x because it violates the following directive: \u{201C}connect-src 'self'\u{201D}";
    paste_and_diagnose(&root, firefox).await;
    let sentence = texts(&root, "[data-testid=paste-report]").join(" ");
    assert!(sentence.contains("Not a CORS problem"), "{sentence}");
    assert!(texts(&root, "[data-testid=paste-open]").is_empty());
    assert_eq!(
        texts(&root, "[data-testid=paste-open-needs-origin]").len(),
        1
    );
}

/// Without the `app-frameworks` feature (the default app, issue 16's size
/// budget) the panel offers no configuration: nothing it could not answer.
#[cfg(not(feature = "app-frameworks"))]
#[wasm_bindgen_test]
async fn the_default_app_asks_for_no_configuration() {
    let root = mount_with_panel().await;
    assert!(root
        .query_selector("[data-testid=paste-config]")
        .expect("a valid selector")
        .is_none());
}

/// The Paste panel with the server's configuration (the `app-frameworks`
/// feature: `cargo test --target wasm32-unknown-unknown --features
/// app-frameworks --test wasm_paste`).
#[cfg(feature = "app-frameworks")]
mod configuration {
    use super::*;

    /// FastAPI's `CORSMiddleware` as people write it: the origin is allowed,
    /// but `allow_methods` defaults to GET only.
    const FASTAPI: &str = "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n\napp = FastAPI()\napp.add_middleware(\n    CORSMiddleware,\n    allow_origins=[\"http://app.example.test:47311\"],\n)\n";

    /// Types the server's configuration (and picks its framework, `""` to
    /// read it from the text).
    fn set_config(root: &Element, config: &str, framework: &str) {
        let area = find(root, "[data-testid=paste-config]")
            .dyn_into::<HtmlTextAreaElement>()
            .expect("a textarea");
        area.set_value(config);
        area.dispatch_event(&web_sys::InputEvent::new("input").expect("an event"))
            .expect("can dispatch");
        let select = find(root, "[data-testid=paste-config-framework]")
            .dyn_into::<web_sys::HtmlSelectElement>()
            .expect("a select");
        select.set_value(framework);
        select
            .dispatch_event(&web_sys::Event::new("change").expect("an event"))
            .expect("can dispatch");
    }

    /// What `diagnose --config` gives for the same paste and configuration.
    fn diagnose_config(paste: &str, config: &str) -> cors_lab::diagnose::Diagnosis {
        let rule =
            cors_lab::frameworks::pasted_rule(config, None).expect("the configuration is read");
        let models = cors_lab::frameworks::Models::default();
        cors_lab::diagnose::diagnose_with_server(
            paste,
            &cors_lab::diagnose::ServerConfig {
                framework: rule.name.clone(),
                rule,
                models: &models,
            },
        )
        .expect("the paste is diagnosed")
    }

    #[wasm_bindgen_test]
    async fn a_pasted_configuration_answers_the_request_and_the_fix_is_in_its_terms() {
        let root = mount_with_panel().await;
        set_config(&root, FASTAPI, "");
        paste_and_diagnose(&root, CURL_CONSOLE).await;
        let expected = diagnose_config(CURL_CONSOLE, FASTAPI);
        assert_eq!(expected.framework.as_deref(), Some("fastapi"));
        let server = find(&root, "[data-testid=paste-framework]");
        assert_eq!(
            server.get_attribute("data-framework").as_deref(),
            Some("fastapi")
        );
        assert_eq!(
            texts(&root, "[data-testid=paste-sentence]"),
            vec![expected.sentence()]
        );
        // Starlette answers the PUT preflight 400: its methods default to GET.
        assert_eq!(
            find(&root, "[data-testid=paste-cause]")
                .get_attribute("data-cause")
                .as_deref(),
            Some("preflight-status")
        );
        // The fix is the configuration's: the option, as the model edits it.
        let fix = cors_lab::frameworks::config_fix(&expected.reports[0].case.scenario, 0)
            .expect("a change to the configuration lets the request through");
        let edits = texts(&root, "[data-testid=paste-config-edit]");
        assert_eq!(edits, fix.edits);
        assert!(
            edits
                .iter()
                .any(|e| e.contains("allow_methods") && e.contains("PUT")),
            "{edits:?}"
        );
        let diff = texts(&root, "[data-testid=paste-config-diff]").join("");
        assert_eq!(diff, fix.diff(FASTAPI).join("\n"));
        assert!(diff.contains("+ "), "{diff}");
        // The configuration as fixed: the same paste now passes, and no fix is offered.
        set_config(&root, &fix.config, "fastapi");
        paste_and_diagnose(&root, CURL_CONSOLE).await;
        assert!(
            texts(&root, "[data-testid=paste-finding]").is_empty(),
            "{:?}",
            texts(&root, "[data-testid=paste-finding]")
        );
        assert!(texts(&root, "[data-testid=paste-config-fix]").is_empty());
        assert_eq!(
            texts(&root, "[data-testid=paste-sentence]"),
            vec![diagnose_config(CURL_CONSOLE, &fix.config).sentence()]
        );
    }

    #[wasm_bindgen_test]
    async fn an_unreadable_or_unknown_configuration_is_named_not_guessed() {
        let root = mount_with_panel().await;
        // Read as nginx (picked), the FastAPI file is not nginx: its line and column.
        set_config(&root, FASTAPI, "nginx");
        paste_and_diagnose(&root, CURL_CONSOLE).await;
        let error = texts(&root, "[data-testid=paste-error]");
        assert_eq!(error.len(), 1, "{error:?}");
        assert!(
            error[0].starts_with("Could not read your server configuration: line "),
            "{error:?}"
        );
        assert!(texts(&root, "[data-testid=paste-result]").is_empty());
        // Text that shows no framework asks for one.
        set_config(&root, "allow everything please", "");
        paste_and_diagnose(&root, CURL_CONSOLE).await;
        let error = texts(&root, "[data-testid=paste-error]");
        assert!(error[0].contains("pick it in the list"), "{error:?}");
        // Without a configuration the pasted responses answer, as before.
        set_config(&root, "", "");
        paste_and_diagnose(&root, CURL_CONSOLE).await;
        assert!(texts(&root, "[data-testid=paste-framework]").is_empty());
        assert_eq!(
            texts(&root, "[data-testid=paste-sentence]"),
            vec![diagnose(CURL_CONSOLE).expect("diagnosed").sentence()]
        );
    }
}
