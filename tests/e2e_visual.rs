//! End-to-end tests of the visual stepper in the built app (`dist/`), in the
//! installed headless Chromium (issue 16, items 1–4):
//!
//! - the first screen at 1280×800: a first visit's welcome, the lesson's
//!   question, the diagram, the verdict in one sentence and the first
//!   console line, all inside the first viewport; the toolbar in three
//!   groups with no visible file input; the welcome's "learn" way in opens
//!   the course's first lesson;
//! - at 375 px: nothing wider than the phone, the diagram drawn at (nearly)
//!   its own scale, the welcome and the lesson's title in the first viewport;
//! - stepping through a lesson: at each stage, which arrows the diagram
//!   shows, which origin part or header it marks, where the response stops
//!   and when the console line appears; each stage's screenshot is saved to
//!   `docs/screenshots/` for review;
//! - motion: arrows animate only without `prefers-reduced-motion: reduce`,
//!   and stepping works the same with it;
//! - the presenter: the diagram large beside the stage's text, moving with
//!   the stage.
//!
//! It needs `dist/`, so `cargo test` skips it; `scripts/test` runs it with
//! `--ignored` right after the Trunk build.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use chromiumoxide::cdp::browser_protocol::emulation::{
    MediaFeature, SetDeviceMetricsOverrideParams, SetEmulatedMediaParams,
};
use chromiumoxide::page::ScreenshotParams;
use chromiumoxide::Page;

#[path = "e2e/support.rs"]
mod support;
use support::{eval, launch, ready, root, serve, set_theme, wait_until};

/// The lesson stepped through (the app's example lesson).
const LESSON: &str = "json-post-without-allow-headers";

async fn viewport(page: &Page, width: i64, height: i64, mobile: bool) {
    page.execute(SetDeviceMetricsOverrideParams::new(
        width, height, 1.0, mobile,
    ))
    .await
    .unwrap();
}

async fn reduced_motion(page: &Page, reduce: bool) {
    let feature = MediaFeature {
        name: "prefers-reduced-motion".to_owned(),
        value: if reduce { "reduce" } else { "no-preference" }.to_owned(),
    };
    page.execute(SetEmulatedMediaParams::builder().feature(feature).build())
        .await
        .unwrap();
}

/// Whether the element `selector` names lies wholly inside the viewport.
async fn in_view(page: &Page, selector: &str) -> bool {
    let js = format!(
        "(() => {{ const e = document.querySelector('{selector}'); if (!e) return false; \
         const r = e.getBoundingClientRect(); \
         return r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth; }})()"
    );
    eval(page, &js).await == serde_json::Value::Bool(true)
}

async fn text_of(page: &Page, selector: &str) -> String {
    let js = format!("document.querySelector('{selector}')?.textContent ?? ''");
    eval(page, &js)
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The attribute `attribute` of every element `selector` names.
async fn attrs(page: &Page, selector: &str, attribute: &str) -> Vec<String> {
    let js = format!(
        "[...document.querySelectorAll('{selector}')].map(e => e.getAttribute('{attribute}') ?? '')"
    );
    serde_json::from_value(eval(page, &js).await).unwrap_or_default()
}

async fn click(page: &Page, selector: &str) {
    let js = format!("document.querySelector('{selector}').click(); true");
    eval(page, &js).await;
}

/// Saves what the viewport shows to `docs/screenshots/NAME.png`.
async fn snapshot(page: &Page, name: &str) {
    let folder = root().join("docs/screenshots");
    std::fs::create_dir_all(&folder).unwrap();
    page.save_screenshot(
        ScreenshotParams::builder().build(),
        folder.join(format!("{name}.png")),
    )
    .await
    .unwrap();
}

fn dist_url() -> String {
    let dist = root().join("dist");
    assert!(
        dist.join("index.html").is_file(),
        "dist/ is missing: run `trunk build --release` first (scripts/test does)"
    );
    serve(dist)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs dist/ from `trunk build --release`; scripts/test runs it with --ignored after the build"]
async fn the_first_screen_explains_itself_at_1280_and_at_375() {
    let base = dist_url();
    let (mut browser, handler, _profile) = launch().await;
    let page = browser.new_page("about:blank").await.unwrap();
    viewport(&page, 1280, 800, false).await;
    // A first visit: no fragment, nothing stored.
    page.goto(&base).await.unwrap();
    ready(&page).await;
    set_theme(&page, "light").await;
    for (what, selector) in [
        ("the welcome", "[data-testid=welcome]"),
        ("the lesson's title", "#scenario-title"),
        ("the lesson's question", ".lesson p"),
        ("the verdict", "[data-testid=verdict]"),
        ("the diagram", ".diagram-svg"),
        ("the first console line", "[data-testid=dg-console]"),
    ] {
        assert!(
            in_view(&page, selector).await,
            "{what} ({selector}) is in the first 1280×800 viewport"
        );
    }
    let verdict = text_of(&page, "[data-testid=verdict]").await;
    assert_eq!(
        verdict.trim_start_matches(['✗', ' ']),
        "Blocked by CORS: the script gets a network error; the console shows 2 lines."
    );
    // The toolbar: three named groups, no file input anyone can see.
    assert_eq!(
        attrs(&page, ".toolbar [role=group]", "aria-label").await,
        ["Lessons", "Share and save", "View"]
    );
    let visible_file_inputs = eval(
        &page,
        "[...document.querySelectorAll('input[type=file]')].filter(e => e.getBoundingClientRect().width > 1).length",
    )
    .await;
    assert_eq!(visible_file_inputs, serde_json::json!(0));
    snapshot(&page, "first-screen-1280x800").await;

    // A phone: the same page at 375 px.
    viewport(&page, 375, 812, true).await;
    eval(&page, "window.scrollTo(0, 0); true").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let width = eval(&page, "document.documentElement.scrollWidth").await;
    let wide = eval(
        &page,
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 376 && e.parentElement.getBoundingClientRect().right <= 376)\
         .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) + ' ' + getComputedStyle(e.parentElement).overflowX)",
    )
    .await;
    assert!(
        width.as_u64().unwrap_or(u64::MAX) <= 375,
        "nothing is wider than a 375 px phone: {width} ({wide})"
    );
    // The toolbar wraps to three rows there, so the verdict follows a
    // short scroll below the lesson (not in the first viewport).
    for (what, selector) in [
        ("the welcome", "[data-testid=welcome]"),
        ("the lesson's title", "#scenario-title"),
    ] {
        assert!(
            in_view(&page, selector).await,
            "{what} is in the first 375 px viewport"
        );
    }
    // The diagram fits the phone and is drawn at no less than 85 % of its
    // own scale (its 11 px labels stay over 9 px).
    let scale = eval(
        &page,
        "(() => { const s = document.querySelector('.diagram-svg'); const r = s.getBoundingClientRect(); \
         return r.right <= innerWidth && r.left >= 0 ? r.width / s.viewBox.baseVal.width : 0; })()",
    )
    .await
    .as_f64()
    .unwrap_or(0.0);
    assert!(scale >= 0.85, "the diagram's scale at 375 px: {scale}");
    snapshot(&page, "first-screen-375").await;

    // The welcome's first way in: the course from its first lesson.
    viewport(&page, 1280, 800, false).await;
    click(&page, "[data-testid=welcome-learn]").await;
    wait_until(
        &page,
        "location.hash === '#scenario=same-origin-get-needs-no-cors' && !document.querySelector('[data-testid=welcome]')",
        "the course's first lesson opens and the welcome goes",
    )
    .await;
    browser.close().await.ok();
    handler.abort();
}

/// What the diagram shows: its stage, the kinds of the arrows shown, the
/// direction of a stopped one, the marked origin parts and chips, and the
/// console line.
async fn diagram_state(page: &Page) -> serde_json::Value {
    eval(
        page,
        r#"(() => {
            const all = (s, a) => [...document.querySelectorAll(s)].map(e => a ? e.getAttribute(a) : e.textContent);
            return {
                stage: document.querySelector('[data-testid=diagram]').dataset.stage,
                shown: all('[data-testid=seq-arrow][data-shown=true]', 'data-kind'),
                stopped: all('[data-testid=seq-arrow][data-stopped=true]', 'data-direction'),
                origin: all('[data-testid=dg-origin-part][data-marked=true]', 'data-part'),
                chips: all('[data-testid=dg-chip][data-marked=true]'),
                console: document.querySelectorAll('[data-testid=dg-console]').length,
                words: document.querySelector('[data-testid=diagram-words]').textContent,
            };
        })()"#,
    )
    .await
}

/// A stage's diagram: (stage, arrows shown, stopped, marked origin parts,
/// marked chips, console lines).
type Expected = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
    u64,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs dist/ from `trunk build --release`; scripts/test runs it with --ignored after the build"]
async fn stepping_through_a_lesson_moves_the_diagram_with_or_without_motion() {
    let base = dist_url();
    let (mut browser, handler, _profile) = launch().await;
    let page = browser.new_page("about:blank").await.unwrap();
    viewport(&page, 1280, 800, false).await;
    page.goto(format!("{base}#scenario={LESSON}"))
        .await
        .unwrap();
    ready(&page).await;
    set_theme(&page, "light").await;
    eval(&page, "document.activeElement?.blur(); true").await;
    let body = page.find_element("body").await.unwrap();
    body.press_key("Home").await.unwrap();
    wait_until(
        &page,
        "document.querySelector('[data-testid=diagram]').dataset.stage === 'build'",
        "Home goes to the first stage",
    )
    .await;
    // (stage, arrows shown, stopped, marked origin parts, marked chips, console line)
    let expected: [Expected; 6] = [
        ("build", &[], &[], &["host", "host"], &[], 0),
        ("origin", &[], &[], &["host", "host"], &[], 0),
        (
            "classification",
            &[],
            &[],
            &["host", "host"],
            &["Content-Type"],
            0,
        ),
        ("cache", &[], &[], &["host", "host"], &["Content-Type"], 0),
        (
            "preflight",
            &["preflight", "preflight"],
            &["response"],
            &["host", "host"],
            &["Content-Type"],
            1,
        ),
        (
            "verdict",
            &["preflight", "preflight"],
            &["response"],
            &["host", "host"],
            &["Content-Type"],
            1,
        ),
    ];
    for (number, (stage, shown, stopped, origin, chips, console)) in expected.iter().enumerate() {
        if number > 0 {
            click(&page, "[data-testid=stage-next]").await;
        }
        wait_until(
            &page,
            &format!("document.querySelector('[data-testid=diagram]').dataset.stage === '{stage}'"),
            "the diagram follows the stepper",
        )
        .await;
        let state = diagram_state(&page).await;
        let want = serde_json::json!({
            "stage": stage, "shown": shown, "stopped": stopped, "origin": origin,
            "chips": chips, "console": console,
        });
        for key in ["stage", "shown", "stopped", "origin", "chips", "console"] {
            assert_eq!(state[key], want[key], "{key} at stage {stage}: {state}");
        }
        let words = state["words"].as_str().unwrap_or_default();
        assert!(
            words.contains(&format!("stage {} of 6", number + 1)),
            "the screen-reader words follow: {words}"
        );
        // The preflight travels: its line animates (motion is allowed here).
        if *stage == "preflight" {
            let animation = eval(
                &page,
                "getComputedStyle(document.querySelector('.dg-current .seq-line')).animationName",
            )
            .await;
            assert_eq!(animation, serde_json::json!("dg-travel"));
        }
        tokio::time::sleep(std::time::Duration::from_millis(800)).await;
        snapshot(&page, &format!("stage-{}-{stage}", number + 1)).await;
    }
    // Every arrow opens its exact HTTP text, from the keyboard too.
    eval(
        &page,
        "document.querySelector('[data-testid=seq-arrow][data-shown=true]').focus(); true",
    )
    .await;
    page.find_element("[data-testid=seq-arrow][data-shown=true]")
        .await
        .unwrap()
        .press_key("Enter")
        .await
        .unwrap();
    wait_until(
        &page,
        "(document.querySelector('[data-testid=wire-text]')?.textContent ?? '').startsWith('OPTIONS /users HTTP/1.1')",
        "Enter on the preflight arrow opens its text",
    )
    .await;

    // With reduced motion: nothing animates, and stepping works the same.
    reduced_motion(&page, true).await;
    click(&page, "[data-testid=stage-tab][data-stage=origin]").await;
    wait_until(
        &page,
        "document.querySelector('[data-testid=diagram]').dataset.stage === 'origin'",
        "a stage tab moves the diagram",
    )
    .await;
    click(&page, "[data-testid=stage-tab][data-stage=preflight]").await;
    wait_until(
        &page,
        "document.querySelector('[data-testid=diagram]').dataset.stage === 'preflight'",
        "and back to the preflight",
    )
    .await;
    let state = diagram_state(&page).await;
    assert_eq!(
        state["shown"],
        serde_json::json!(["preflight", "preflight"])
    );
    let animation = eval(
        &page,
        "getComputedStyle(document.querySelector('.dg-current .seq-line')).animationName",
    )
    .await;
    assert_eq!(animation, serde_json::json!("none"));
    browser.close().await.ok();
    handler.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs dist/ from `trunk build --release`; scripts/test runs it with --ignored after the build"]
async fn the_presenter_shows_the_diagram_large_with_the_stage_text() {
    let base = dist_url();
    let (mut browser, handler, _profile) = launch().await;
    let page = browser.new_page("about:blank").await.unwrap();
    viewport(&page, 1920, 1080, false).await;
    page.goto(format!("{base}#scenario={LESSON}"))
        .await
        .unwrap();
    ready(&page).await;
    set_theme(&page, "light").await;
    click(&page, "[data-testid=present]").await;
    wait_until(
        &page,
        "!!document.querySelector('[data-testid=presenter] [data-testid=diagram]')",
        "the presenter shows the diagram",
    )
    .await;
    let body = page.find_element("body").await.unwrap();
    body.press_key("Home").await.unwrap();
    for _ in 0..4 {
        body.press_key("ArrowRight").await.unwrap();
    }
    wait_until(
        &page,
        "document.querySelector('[data-testid=presenter]').dataset.stage === 'preflight'",
        "four steps on is the preflight",
    )
    .await;
    let state = diagram_state(&page).await;
    assert_eq!(state["stage"], serde_json::json!("preflight"));
    assert_eq!(
        state["shown"],
        serde_json::json!(["preflight", "preflight"])
    );
    // Large: the picture takes over half the width, its labels over 20 px.
    let scale = eval(
        &page,
        "(() => { const s = document.querySelector('[data-testid=presenter] .diagram-svg'); \
         return s.getBoundingClientRect().width / s.viewBox.baseVal.width; })()",
    )
    .await
    .as_f64()
    .unwrap_or(0.0);
    assert!(
        scale * 11.0 >= 20.0,
        "the diagram's labels are {} px",
        scale * 11.0
    );
    assert!(in_view(&page, "[data-testid=presenter] .presenter-text h2").await);
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    snapshot(&page, "presenter-1920x1080").await;
    browser.close().await.ok();
    handler.abort();
}
