//! The pure CORS engine: a scenario in, a trace out.
//!
//! No clock (time comes from the scenario's `at_ms`), no randomness, no I/O
//! and no web crates. Work in progress: the real model lands in the next commits.

use crate::scenario::{Browser, Scenario};

mod trace;
pub use trace::*;

/// Evaluates every request of `scenario` in order, as `browser` would (the
/// scenario's own `browser`, or Chrome, when `None`).
pub fn evaluate(scenario: &Scenario, browser: Option<Browser>) -> Trace {
    let browser = browser.or(scenario.browser).unwrap_or_default();
    Trace { browser, requests: Vec::new() }
}
