//! Colour contrast of the built app (`dist/`), measured in the installed
//! headless Chromium: every piece of visible text, in the light and the dark
//! theme, must meet WCAG 2.2 AA (success criterion 1.4.3): a contrast ratio of
//! at least 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold).
//!
//! The page computes, for each element that has text of its own (or is a form
//! field showing a value), its computed text colour and the colour behind it:
//! the background colours of it and its ancestors composited over the page's
//! canvas. Disabled controls and visually hidden text are exempt, as WCAG says.
//! Text over a background image or a gradient would be measured wrongly, so
//! the test fails if it meets any (the app has none).
//!
//! It needs `dist/`, so `cargo test` skips it; `scripts/test` runs it with
//! `--ignored` right after the Trunk build.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use chromiumoxide::Page;

#[path = "e2e/support.rs"]
mod support;
use support::{eval, launch, ready, root, serve, set_theme};

/// Scenarios that together show every kind of text the stepper styles: a
/// CORS block (error console lines, highlighted deciding details, fixes), an
/// allowed request, and a cached preflight with several requests.
/// "" is a first visit (nothing stored, no fragment): the welcome.
const SCENARIOS: &[&str] = &[
    "",
    "json-post-without-allow-headers",
    "expose-headers-one-header",
    "preflight-cache-max-age",
];

/// Collects every text's contrast problems as strings; `[]` means all pass.
const MEASURE: &str = r#"
(() => {
  // Panels below the fold are not laid out (content-visibility: auto): lay
  // everything out so that every text has a box to measure.
  for (const el of document.querySelectorAll('*')) el.style.contentVisibility = 'visible';
  const parse = (css) => {
    const m = css.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (top, bottom) => {
    const a = top.a + bottom.a * (1 - top.a);
    if (a === 0) return { r: 0, g: 0, b: 0, a: 0 };
    const mix = (t, b) => (t * top.a + b * bottom.a * (1 - top.a)) / a;
    return { r: mix(top.r, bottom.r), g: mix(top.g, bottom.g), b: mix(top.b, bottom.b), a };
  };
  const luminance = (c) => {
    const lin = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  };
  const canvas = parse(getComputedStyle(document.documentElement).backgroundColor);
  const pageBase = canvas && canvas.a > 0 ? canvas : (matchMedia('(prefers-color-scheme: dark)').matches && document.documentElement.dataset.theme !== 'light'
      ? { r: 18, g: 18, b: 18, a: 1 } : { r: 255, g: 255, b: 255, a: 1 });
  const behind = (el) => {
    const layers = [];
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.backgroundImage !== 'none') return { image: style.backgroundImage, at: e };
      const c = parse(style.backgroundColor);
      if (c && c.a > 0) layers.push(c);
      if (c && c.a === 1) break;
    }
    let color = { r: 255, g: 255, b: 255, a: 1 };
    color = over(pageBase, color);
    for (let i = layers.length - 1; i >= 0; i--) color = over(layers[i], color);
    return { color };
  };
  const hidden = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) return true;
    const s = getComputedStyle(el);
    return s.visibility !== 'visible' || s.display === 'none' || Number(s.opacity) === 0;
  };
  const problems = [];
  let measured = 0;
  let lowest = { ratio: Infinity, label: '' };
  for (const el of document.body.querySelectorAll('*')) {
    const field = el.matches('input:not([type=checkbox]):not([type=radio]):not([type=file]), textarea, select');
    const ownText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== '');
    if (!field && !ownText) continue;
    if (el.closest('svg') && el.tagName.toLowerCase() !== 'text') continue;
    if (el.matches(':disabled') || hidden(el)) continue;
    const style = getComputedStyle(el);
    const fg = parse(el.tagName.toLowerCase() === 'text' ? style.fill : style.color);
    const bg = behind(el);
    const label = el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '')
      + ' "' + (field ? el.value : el.textContent).trim().slice(0, 40) + '"';
    if (bg.image) { problems.push(label + ': text over a background image, not measurable'); continue; }
    if (!fg) { problems.push(label + ': unreadable colour ' + style.color); continue; }
    const text = over(fg, bg.color);
    const [hi, lo] = [luminance(text), luminance(bg.color)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const needed = large ? 3 : 4.5;
    measured++;
    if (ratio / needed < lowest.ratio / (lowest.needed || 1)) lowest = { ratio, needed, label };
    if (ratio < needed) problems.push(label + ': ' + ratio.toFixed(2) + ':1, needs ' + needed + ':1');
  }
  return { measured, problems, lowest: lowest.label + ' ' + lowest.ratio.toFixed(2) + ':1 (needs ' + lowest.needed + ':1)' };
})()
"#;

async fn open(page: &Page, base: &str, scenario: &str, theme: &str) {
    // Through a blank page: a change of fragment alone fires no load event.
    page.goto("about:blank").await.unwrap();
    if scenario.is_empty() {
        // A first visit: the page's storage cleared, then the bare address.
        page.goto(base).await.unwrap();
        eval(page, "localStorage.clear(); true").await;
        page.goto("about:blank").await.unwrap();
        page.goto(base).await.unwrap();
    } else {
        page.goto(format!("{base}#scenario={scenario}"))
            .await
            .unwrap();
    }
    ready(page).await;
    set_theme(page, theme).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs dist/ from `trunk build --release`; scripts/test runs it with --ignored after the build"]
async fn every_text_meets_wcag_aa_contrast_in_both_themes() {
    let dist = root().join("dist");
    assert!(
        dist.join("index.html").is_file(),
        "no dist/: run `trunk build --release` first (scripts/test does)"
    );
    let base = serve(dist);
    let (mut browser, handler, _profile) = launch().await;
    let page = browser.new_page("about:blank").await.unwrap();
    let mut failures = Vec::new();
    let mut total = 0;
    for theme in ["light", "dark"] {
        for scenario in SCENARIOS {
            open(&page, &base, scenario, theme).await;
            let result = eval(&page, MEASURE).await;
            let measured = result["measured"].as_u64().unwrap_or(0);
            assert!(
                measured > 50,
                "only {measured} texts measured in {scenario} ({theme}): is the page rendered?"
            );
            total += measured;
            // The closest call, for the record (`--nocapture` shows it).
            println!(
                "{theme} / {scenario}: {measured} texts, lowest margin: {}",
                result["lowest"].as_str().unwrap_or_default()
            );
            for problem in result["problems"].as_array().into_iter().flatten() {
                failures.push(format!(
                    "{theme} / {scenario}: {}",
                    problem.as_str().unwrap_or_default()
                ));
            }
        }
    }
    browser.close().await.ok();
    handler.abort();
    assert!(
        failures.is_empty(),
        "{} of {total} texts fail WCAG AA contrast:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
