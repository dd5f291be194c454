//! End-to-end tests of classroom mode in the built app (`dist/`, made by
//! `trunk build --release`) in headless Chromium: the library, its search and
//! opening a lesson; predict-then-reveal with a wrong and a right answer; the
//! presenter driven by keys (with a 1920x1080 screenshot); export and
//! re-import by drag and drop giving the same state. The serving and
//! browser helpers are in tests/e2e/support.rs.
//!
//! It needs `dist/`, so `cargo test` skips it; `scripts/test` runs it with
//! `--ignored` right after the Trunk build.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use chromiumoxide::Page;

#[path = "e2e/support.rs"]
mod support;
use support::{eval, launch, root, screenshot, serve, wait_until};

async fn text(page: &Page, selector: &str) -> String {
    let js = format!("document.querySelector(\"{selector}\")?.textContent ?? ''");
    eval(page, &js)
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn choose(page: &Page, selector: &str, value: &str) {
    let js = format!(
        "(() => {{ const s = document.querySelector(\"{selector}\"); s.value = '{value}'; \
         s.dispatchEvent(new Event('change', {{ bubbles: true }})); return s.value; }})()"
    );
    assert_eq!(eval(page, &js).await, value, "{selector} offers {value}");
}

async fn click(page: &Page, selector: &str) {
    page.find_element(selector)
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn predict(page: &Page, base: &str, answers: [&str; 3]) -> String {
    page.goto("about:blank").await.unwrap();
    page.goto(format!("{base}#scenario=json-post-without-allow-headers"))
        .await
        .unwrap();
    // The pre-rendered first view (scripts/prerender) has the same controls,
    // static until the app has taken over and removed it.
    wait_until(
        page,
        "!!document.querySelector('[data-testid=predict-first]') && !document.querySelector('[data-prerendered]')",
        "the toolbar",
    )
    .await;
    if eval(
        page,
        "document.querySelector('[data-testid=predict-first]').checked",
    )
    .await
        != true
    {
        click(page, "[data-testid=predict-first]").await;
    }
    wait_until(
        page,
        "!!document.querySelector('[data-testid=predict]')",
        "the prediction form",
    )
    .await;
    assert_eq!(
        eval(page, "!!document.querySelector('[data-testid=verdict]')").await,
        false,
        "the steps are hidden before the reveal"
    );
    choose(page, "[data-testid=predict-preflight]", answers[0]).await;
    choose(page, "[data-testid=predict-readable]", answers[1]).await;
    choose(page, "[data-testid=predict-header]", answers[2]).await;
    click(page, "[data-testid=reveal]").await;
    wait_until(page, "!!document.querySelector('[data-testid=predict-score]') && !!document.querySelector('[data-testid=verdict]')", "the reveal").await;
    text(page, "[data-testid=predict-score]").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs dist/ from `trunk build --release`; scripts/test runs it with --ignored after the build"]
async fn the_built_app_teaches_a_class() {
    let dist = root().join("dist");
    assert!(
        dist.join("index.html").is_file(),
        "dist/ is missing: run `trunk build --release` first (scripts/test does)"
    );
    let base = serve(dist);
    let (mut browser, handler, _profile) = launch().await;
    let page = browser.new_page("about:blank").await.unwrap();

    // 1. The library lists every bundled lesson; a search narrows it; a click opens one.
    page.goto(base.as_str()).await.unwrap();
    wait_until(
        &page,
        "!!document.querySelector('[data-testid=library-toggle]') && !document.querySelector('[data-prerendered]')",
        "the app",
    )
    .await;
    click(&page, "[data-testid=library-toggle]").await;
    wait_until(
        &page,
        "!!document.querySelector('[data-testid=library-entry]')",
        "the library",
    )
    .await;
    // The lessons at the top of scenarios/ (scenarios/frameworks/ needs the
    // framework models, which the app does not embed).
    let files = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .count() as u64;
    let listed = eval(
        &page,
        "document.querySelectorAll('[data-testid=library-entry]').length",
    )
    .await;
    assert_eq!(listed.as_u64(), Some(files));
    page.find_element("[data-testid=library-search]")
        .await
        .unwrap()
        .click()
        .await
        .unwrap()
        .type_str("preflight cache")
        .await
        .unwrap();
    wait_until(
        &page,
        &format!("document.querySelectorAll('[data-testid=library-entry]').length < {files}"),
        "the search narrows the list",
    )
    .await;
    click(
        &page,
        "[data-testid=library-entry][data-id=preflight-cache-max-age] button",
    )
    .await;
    wait_until(
        &page,
        "location.hash === '#scenario=preflight-cache-max-age'",
        "the lesson opens",
    )
    .await;
    wait_until(
        &page,
        "!!document.querySelector('[data-testid=predict]')",
        "a prediction is asked first",
    )
    .await;

    // 2. Predict, then reveal: a wrong and a right answer.
    let wrong = predict(&page, &base, ["no", "yes", "none"]).await;
    assert_eq!(wrong, "0 of 3 right");
    let right = predict(&page, &base, ["yes", "no", "access-control-allow-headers"]).await;
    assert_eq!(right, "3 of 3 right");

    // 3. The presenter: one stage per screen, moved by a clicker's keys, left by Escape.
    click(&page, "[data-testid=present]").await;
    wait_until(
        &page,
        "!!document.querySelector('[data-testid=presenter]')",
        "the presenter",
    )
    .await;
    let stage = "document.querySelector('[data-testid=presenter]').dataset.stage";
    let body = page.find_element("body").await.unwrap();
    body.press_key("Home").await.unwrap();
    wait_until(
        &page,
        "document.querySelector('[data-testid=presenter-count]').textContent.startsWith('1 /')",
        "Home goes to the first stage",
    )
    .await;
    let first = eval(&page, stage).await;
    body.press_key("PageDown").await.unwrap();
    wait_until(
        &page,
        "document.querySelector('[data-testid=presenter-count]').textContent.startsWith('2 /')",
        "PageDown moves on",
    )
    .await;
    assert_ne!(eval(&page, stage).await, first);
    body.press_key("PageUp").await.unwrap();
    wait_until(
        &page,
        "document.querySelector('[data-testid=presenter-count]').textContent.startsWith('1 /')",
        "PageUp moves back",
    )
    .await;
    body.press_key("ArrowRight").await.unwrap();
    wait_until(
        &page,
        "document.querySelector('[data-testid=presenter-count]').textContent.startsWith('2 /')",
        "ArrowRight moves on",
    )
    .await;
    let width = screenshot(&page, "presenter-1920", 1920, 1080, false).await;
    assert!(
        width <= 1920,
        "the presenter fits a 1920 px projector: {width}"
    );
    body.press_key("Escape").await.unwrap();
    wait_until(&page, "!document.querySelector('[data-testid=presenter]') && !!document.querySelector('[data-testid=page-origin]')", "Escape leaves").await;

    // 4. Export, then re-import by drag and drop: the same state; a broken file keeps it.
    page.goto("about:blank").await.unwrap();
    page.goto(format!("{base}#scenario=json-post-without-allow-headers"))
        .await
        .unwrap();
    wait_until(
        &page,
        "!!document.querySelector('[data-testid=page-origin]') && !document.querySelector('[data-prerendered]')",
        "the lab",
    )
    .await;
    let edit = "(() => { const i = document.querySelector('[data-testid=page-origin]'); \
        i.value = 'https://other.example.com'; i.dispatchEvent(new InputEvent('input', { bubbles: true })); return true; })()";
    eval(&page, edit).await;
    wait_until(
        &page,
        "document.querySelector('[data-testid=page-origin]').value === 'https://other.example.com'",
        "the edit",
    )
    .await;
    let edited_outcome = eval(
        &page,
        "document.querySelector('[data-testid=verdict]')?.dataset.outcome",
    )
    .await;
    // Keep the blob the app downloads (a page script cannot read the saved file).
    eval(
        &page,
        "window.__saved = null; const c = URL.createObjectURL; \
        URL.createObjectURL = (b) => { window.__saved = b; return c(b); }; true",
    )
    .await;
    click(&page, "[data-testid=export]").await;
    wait_until(&page, "window.__saved !== null", "the download is offered").await;
    let saved = eval(&page, "window.__saved.text()").await;
    let saved = saved.as_str().unwrap_or_default().to_owned();
    assert!(saved.contains("\"format\": \"cors-scenario/1\""), "{saved}");
    assert!(saved.contains("\"expect\""), "{saved}");
    assert!(saved.contains("https://other.example.com"), "{saved}");
    click(&page, "[data-testid=reset]").await;
    wait_until(
        &page,
        "document.querySelector('[data-testid=page-origin]').value !== 'https://other.example.com'",
        "the reset",
    )
    .await;
    let drop = |text: &str| {
        format!(
            "(() => {{ const d = new DataTransfer(); d.items.add(new File([{}], 'lesson.json', {{ type: 'application/json' }})); \
             document.querySelector('[data-testid=app-ready]').dispatchEvent(new DragEvent('drop', {{ dataTransfer: d, bubbles: true, cancelable: true }})); return true; }})()",
            serde_json::Value::String(text.to_owned())
        )
    };
    eval(&page, &drop(&saved)).await;
    wait_until(
        &page,
        "document.querySelector('[data-testid=page-origin]').value === 'https://other.example.com'",
        "the dropped file opens",
    )
    .await;
    assert_eq!(
        eval(
            &page,
            "document.querySelector('[data-testid=verdict]')?.dataset.outcome"
        )
        .await,
        edited_outcome
    );
    eval(
        &page,
        &drop("{\n  \"format\": \"cors-scenario/1\",\n  \"id\": 7\n}"),
    )
    .await;
    wait_until(
        &page,
        "(document.querySelector('[data-testid=notice]')?.textContent ?? '').includes('line 3')",
        "a broken file is a notice",
    )
    .await;
    assert_eq!(
        eval(
            &page,
            "document.querySelector('[data-testid=page-origin]').value"
        )
        .await,
        "https://other.example.com",
        "the work is kept"
    );

    browser.close().await.unwrap();
    handler.abort();
}
