//! End-to-end tests of the built app (`dist/`, made by `trunk build --release`)
//! in the installed headless Chromium, driven over the DevTools protocol.
//!
//! The test serves `dist/` on 127.0.0.1 itself, opens a bundled scenario by
//! `#scenario=<id>`, edits the mock server until the console changes from
//! blocked to allowed, steps through the stages with the keyboard, reloads and
//! finds the edit kept, and reopens a share link in a cleared profile. It also
//! saves screenshots of the main views to `tests/e2e/screenshots/`. A second
//! test pastes the HAR fixture into the Paste panel, checks the sentence and
//! the list of failures, and opens the last one in the stepper at its
//! failing stage.
//!
//! It needs `dist/`, so `cargo test` skips it; `scripts/test` runs it with
//! `--ignored` right after the Trunk build.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use chromiumoxide::cdp::browser_protocol::emulation::SetDeviceMetricsOverrideParams;
use chromiumoxide::Page;

#[path = "e2e/support.rs"]
mod support;
use support::{eval, launch, ready, root, screenshot, serve, set_theme, wait_until};

async fn outcome(page: &Page) -> String {
    let js = "document.querySelector('[data-testid=verdict]')?.dataset.outcome ?? ''";
    eval(page, js).await.as_str().unwrap_or_default().to_owned()
}

async fn console_text(page: &Page) -> String {
    let js = "[...document.querySelectorAll('[data-testid=console-line]')].map(e => e.textContent).join('\\n')";
    eval(page, js).await.as_str().unwrap_or_default().to_owned()
}

async fn current_stage(page: &Page) -> String {
    let js = "document.querySelector('[data-testid=stage-card][aria-current=step]')?.dataset.stage ?? ''";
    eval(page, js).await.as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs dist/ from `trunk build --release`; scripts/test runs it with --ignored after the build"]
async fn the_built_app_edits_steps_keeps_and_shares_a_scenario() {
    let dist = root().join("dist");
    assert!(
        dist.join("index.html").is_file(),
        "dist/ is missing: run `trunk build --release` first (scripts/test does)"
    );
    let base = serve(dist);
    let (mut browser, handler, _profile) = launch().await;
    let page = browser.new_page("about:blank").await.unwrap();

    // 1. A bundled scenario by its id: blocked, with Chromium's console line.
    page.goto(format!("{base}#scenario=json-post-without-allow-headers"))
        .await
        .unwrap();
    ready(&page).await;
    assert_eq!(outcome(&page).await, "blocked");
    let blocked_console = console_text(&page).await;
    assert!(
        blocked_console.contains("is not allowed by Access-Control-Allow-Headers"),
        "{blocked_console}"
    );
    set_theme(&page, "light").await;
    screenshot(&page, "desktop-light", 1280, 800, false).await;

    // 2. The keyboard steps through the stages (focus outside the editors).
    eval(&page, "document.activeElement?.blur(); true").await;
    let first = current_stage(&page).await;
    let body = page.find_element("body").await.unwrap();
    body.press_key("ArrowLeft").await.unwrap();
    wait_until(
        &page,
        &format!("document.querySelector('[data-testid=stage-card][aria-current=step]')?.dataset.stage !== '{first}'"),
        "ArrowLeft moves to the previous stage",
    )
    .await;
    body.press_key("ArrowRight").await.unwrap();
    wait_until(
        &page,
        &format!("document.querySelector('[data-testid=stage-card][aria-current=step]')?.dataset.stage === '{first}'"),
        "ArrowRight moves back",
    )
    .await;

    // 3. One click on the preflight's Allow-Headers toggle: allowed.
    page.find_element("[data-testid='toggle-preflight-Access-Control-Allow-Headers']")
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_until(
        &page,
        "document.querySelector('[data-testid=verdict]')?.dataset.outcome === 'allowed'",
        "the toggle allows the request",
    )
    .await;
    assert_ne!(console_text(&page).await, blocked_console);

    // 4. Typing in a header value (the input keeps the focus while typing):
    //    the value the preflight allows becomes `content-type, x-trace`.
    let js = "[...document.querySelectorAll('.server-side')][0].querySelectorAll('.header-value')";
    let count = eval(&page, &format!("{js}.length"))
        .await
        .as_u64()
        .unwrap_or(0);
    assert!(count >= 3, "the preflight has its header rows");
    let field = format!("[data-testid='preflight-header-value-{}']", count - 1);
    page.find_element(field.as_str())
        .await
        .unwrap()
        .click()
        .await
        .unwrap()
        .type_str(", x-trace")
        .await
        .unwrap();
    wait_until(
        &page,
        &format!("document.querySelector(\"{field}\").value === 'content-type, x-trace'"),
        "the typed value is kept",
    )
    .await;
    assert_eq!(outcome(&page).await, "allowed");

    // 5. A reload keeps the edited scenario.
    page.reload().await.unwrap();
    ready(&page).await;
    assert_eq!(outcome(&page).await, "allowed");
    let kept = eval(
        &page,
        &format!("document.querySelector(\"{field}\")?.value"),
    )
    .await;
    assert_eq!(kept, "content-type, x-trace");

    set_theme(&page, "dark").await;
    screenshot(&page, "desktop-dark", 1280, 800, false).await;
    set_theme(&page, "light").await;
    let width = screenshot(&page, "phone-375", 375, 812, true).await;
    assert!(
        width <= 375,
        "nothing is wider than a 375 px phone: {width}"
    );
    page.execute(SetDeviceMetricsOverrideParams::new(1280, 800, 1.0, false))
        .await
        .unwrap();

    // 6. A share link reopens the scenario exactly, with nothing stored.
    page.find_element("[data-testid=share]")
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_until(
        &page,
        "!!document.querySelector('[data-testid=share-link]')",
        "the share link is shown",
    )
    .await;
    let link = eval(
        &page,
        "document.querySelector('[data-testid=share-link]').value",
    )
    .await;
    let link = link.as_str().unwrap_or_default().to_owned();
    assert!(link.contains("#s="), "{link}");
    eval(&page, "localStorage.clear(); true").await;
    page.goto("about:blank").await.unwrap();
    page.goto(link.as_str()).await.unwrap();
    ready(&page).await;
    assert_eq!(outcome(&page).await, "allowed");
    let shared = eval(
        &page,
        &format!("document.querySelector(\"{field}\")?.value"),
    )
    .await;
    assert_eq!(shared, "content-type, x-trace");

    // 7. A damaged link is a notice over the default scenario, not a blank page.
    page.goto("about:blank").await.unwrap();
    page.goto(format!("{base}#s=not-a-scenario")).await.unwrap();
    ready(&page).await;
    let notice = eval(
        &page,
        "document.querySelector('[data-testid=notice]')?.textContent ?? ''",
    )
    .await;
    assert!(
        notice.as_str().unwrap_or_default().contains("damaged"),
        "{notice}"
    );

    browser.close().await.unwrap();
    handler.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs dist/ from `trunk build --release`; scripts/test runs it with --ignored after the build"]
async fn the_built_app_diagnoses_a_pasted_har_and_opens_a_failure_at_its_step() {
    const HAR: &str = include_str!("diagnose-fixtures/chromium-session.har");
    let dist = root().join("dist");
    assert!(
        dist.join("index.html").is_file(),
        "dist/ is missing: run `trunk build --release` first (scripts/test does)"
    );
    let expected = cors_lab::diagnose::diagnose(HAR).unwrap();
    let last = expected
        .reports
        .iter()
        .rev()
        .find(|r| !r.findings.is_empty())
        .unwrap();
    let stage = serde_json::to_value(last.failing_step.as_ref().unwrap().stage).unwrap();
    let stage = stage.as_str().unwrap();

    let base = serve(dist);
    let (mut browser, handler, _profile) = launch().await;
    let page = browser.new_page("about:blank").await.unwrap();
    page.goto(format!("{base}#scenario=json-post-without-allow-headers"))
        .await
        .unwrap();
    ready(&page).await;

    // 1. Open the panel, paste the HAR, diagnose.
    eval(
        &page,
        "document.querySelector('[data-testid=paste-toggle]').click(); true",
    )
    .await;
    wait_until(
        &page,
        "!!document.querySelector('[data-testid=paste-text]')",
        "the paste panel opens",
    )
    .await;
    let js = format!(
        "(() => {{ const t = document.querySelector('[data-testid=paste-text]'); t.value = {}; \
         t.dispatchEvent(new InputEvent('input', {{bubbles: true}})); \
         document.querySelector('[data-testid=paste-diagnose]').click(); return true; }})()",
        serde_json::to_string(HAR).unwrap()
    );
    eval(&page, &js).await;
    wait_until(
        &page,
        "!!document.querySelector('[data-testid=paste-sentence]')",
        "the diagnosis is shown",
    )
    .await;
    let sentence = eval(
        &page,
        "document.querySelector('[data-testid=paste-sentence]').textContent",
    )
    .await;
    assert_eq!(sentence.as_str().unwrap_or_default(), expected.sentence());
    let reports = eval(
        &page,
        "document.querySelectorAll('[data-testid=paste-report]').length",
    )
    .await;
    assert_eq!(
        reports.as_u64(),
        Some(
            expected
                .reports
                .iter()
                .filter(|r| !r.findings.is_empty())
                .count() as u64
        )
    );

    // 2. Open the last failure: the stepper shows its failing stage.
    eval(
        &page,
        "[...document.querySelectorAll('[data-testid=paste-open]')].pop().click(); true",
    )
    .await;
    wait_until(
        &page,
        &format!("document.querySelector('[data-testid=stage-card][aria-current=step]')?.dataset.stage === '{stage}'"),
        "the stepper opens at the failing stage",
    )
    .await;
    assert_eq!(outcome(&page).await, "blocked");
    // The paste is still there.
    let kept = eval(
        &page,
        "document.querySelector('[data-testid=paste-text]').value.length",
    )
    .await;
    assert_eq!(kept.as_u64(), Some(HAR.len() as u64));

    browser.close().await.unwrap();
    handler.abort();
}
