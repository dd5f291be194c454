//! The in-browser figure for BENCHMARKS.md: `diagnose` on the deterministic
//! 5,000-entry HAR, compiled to wasm and run in headless Chromium. Not a
//! timed test: it only prints the time, and only when built by
//! `scripts/bench-diagnose-wasm` (which sets `CORS_LAB_WASM_BENCH`);
//! otherwise it returns at once (skipped: a figure, not a check).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::expect_used)] // a benchmark that cannot run should fail loudly

use cors_lab::diagnose::{diagnose, synthetic::synthetic_har};
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn diagnose_5000_entry_har_in_the_browser() {
    if option_env!("CORS_LAB_WASM_BENCH").is_none() {
        return;
    }
    let har = synthetic_har(5_000);
    // The first run also builds the console templates, as the app's first paste does.
    let start = js_sys::Date::now();
    let first = diagnose(&har).expect("the synthetic HAR diagnoses");
    let first_ms = js_sys::Date::now() - start;
    assert_eq!(first.findings().count(), 1_250);
    let runs = 5;
    let start = js_sys::Date::now();
    for _ in 0..runs {
        diagnose(&har).expect("the synthetic HAR diagnoses");
    }
    let mean_ms = (js_sys::Date::now() - start) / f64::from(runs);
    console_log!(
        "diagnose, 5000-entry HAR ({} bytes) in wasm: first run {first_ms:.0} ms, mean of {runs} more {mean_ms:.0} ms",
        har.len()
    );
}
