//! Which files a run takes, which it skips and why, and the engine's
//! answer for each.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::scenario::{load_scenario, Browser, RequestResult, RequestSpec, Scenario};

use super::{RealBrowser, MAX_REAL_WAIT};

/// Every `*.json` file named, or found (recursively, sorted) in a folder named.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found = Vec::new();
            collect_json(path, &mut found, 0)?;
            found.sort();
            files.extend(found);
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            return Err(format!("{}: no such file or folder", path.display()));
        }
    }
    Ok(files)
}

fn collect_json(dir: &Path, found: &mut Vec<PathBuf>, depth: usize) -> Result<(), String> {
    if depth > 16 {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if path.is_dir() {
            collect_json(&path, found, depth + 1)?;
        } else if path.extension().is_some_and(|ext| ext == "json") {
            found.push(path);
        }
    }
    Ok(())
}

/// A loaded scenario with the engine's results, or why it is skipped.
pub(super) enum Prepared {
    Run(Box<Scenario>, Vec<RequestResult>),
    Skip(String, String),
}

pub(super) fn prepare(file: &Path, browser: RealBrowser) -> Result<Prepared, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read: {e}"))?;
    let scenario = load_scenario(&text)
        .map_err(|e| format!("cannot load: {e}"))?
        .scenario;
    if let Some(error) = crate::frameworks::rule_errors(&scenario).first() {
        return Err(format!("cannot load: {error}"));
    }
    if let Some(reason) = skip_reason_for(&scenario, browser) {
        return Ok(Prepared::Skip(scenario.id, reason));
    }
    if let Some(problem) = super::failure_kinds::kinds_problem(&scenario) {
        return Err(format!("cannot verify: {problem}"));
    }
    if let Err(problem) = super::address_spaces::port_spaces(&scenario) {
        return Err(format!("cannot verify: {problem}"));
    }
    if browser == RealBrowser::Webkit {
        if let Some(reason) = webkit_cannot_stand_for_safari(&scenario) {
            return Ok(Prepared::Skip(scenario.id, reason));
        }
    }
    let engine = engine_results(&scenario, browser.engine_browser());
    Ok(Prepared::Run(Box::new(scenario), engine))
}

/// Why WebKitGTK cannot stand for Safari on this scenario, if it cannot: a
/// WebSocket whose handshake fails is reported in the words of the network
/// stack that opened it (WebKitGTK: libsoup's `The server did not accept the
/// WebSocket handshake.`; Safari: NSURLSession's), unless the file lists
/// that console field as not modelled for Safari.
pub(super) fn webkit_cannot_stand_for_safari(scenario: &Scenario) -> Option<String> {
    let trace = crate::engine::evaluate(scenario, Some(Browser::Safari));
    let refused = scenario
        .requests
        .iter()
        .zip(&trace.requests)
        .enumerate()
        .any(|(index, (spec, request))| {
            spec.api == crate::scenario::Api::Websocket
                && matches!(
                    request.failure,
                    Some(
                        crate::engine::Failure::WebSocketHandshake { .. }
                            | crate::engine::Failure::ConnectionFailed { .. }
                    )
                )
                && scenario
                    .not_modelled_reason_in(index, "console", Browser::Safari)
                    .is_none()
        });
    refused.then(|| {
        "a failed WebSocket handshake: WebKitGTK opens sockets with libsoup, Safari with \
         NSURLSession, and the console line carries the network stack's words"
            .to_owned()
    })
}

/// The engine's result for each request, evaluated as `browser`.
pub(super) fn engine_results(scenario: &Scenario, browser: Browser) -> Vec<RequestResult> {
    crate::frameworks::evaluate(scenario, Some(browser))
        .requests
        .into_iter()
        .map(|r| r.result)
        .collect()
}

/// Why a scenario is not run in Chromium, if it is not.
pub fn skip_reason(scenario: &Scenario) -> Option<String> {
    skip_reason_for(scenario, RealBrowser::Chromium)
}

/// Why a scenario is not run in `browser`, if it is not. Firefox and WebKit
/// run every file but one only for the other (no `browser` means `chrome`,
/// which is what a file says when it was written from Chromium, not that
/// another browser cannot run it); Chromium skips Firefox- and Safari-only files.
pub fn skip_reason_for(scenario: &Scenario, browser: RealBrowser) -> Option<String> {
    match (scenario.browser, browser) {
        (Some(Browser::Firefox), RealBrowser::Chromium | RealBrowser::Webkit) => {
            return Some("firefox-only scenario".to_owned())
        }
        (Some(Browser::Safari), RealBrowser::Chromium | RealBrowser::Firefox) => {
            return Some("safari-only scenario".to_owned())
        }
        _ => {}
    }
    if let Some(limit) = super::failure_kinds::browser_limit(scenario, browser) {
        return Some(limit);
    }
    if let Some(limit) = super::address_spaces::browser_limit(scenario, browser) {
        return Some(limit);
    }
    let needed = request_times(&scenario.requests)
        .last()
        .copied()
        .unwrap_or(0);
    (Duration::from_millis(needed) > MAX_REAL_WAIT)
        .then(|| format!("needs {} s of real time", needed.div_ceil(1000)))
}

/// Each request's start time in ms (`at_ms`, or the previous request's).
pub(super) fn request_times(requests: &[RequestSpec]) -> Vec<u64> {
    let mut previous = 0;
    requests
        .iter()
        .map(|r| {
            previous = r.at_ms.unwrap_or(previous);
            previous
        })
        .collect()
}
