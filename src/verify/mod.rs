//! `cors-lab verify`: replays scenarios in the installed headless Chromium
//! against a real mock server, and compares what the browser did with the engine.
//!
//! One browser process per run; per scenario a fresh browser context (so a
//! fresh preflight cache), a mock server on 127.0.0.1 listening on every port
//! the scenario uses (Chromium maps every hostname to 127.0.0.1), and the
//! harness page at the scenario's page origin. Requests run strictly one after
//! another, so every console line and server hit belongs to the request in flight.
//! `CORS_LAB_VERIFY_DEBUG=1` prints every raw CDP event and server hit to stderr.

mod browser;
mod certificate;
mod harness_page;
mod observe;
pub mod report;
mod server;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{json, Value};

use crate::scenario::{
    disagreements, load_scenario, Browser, PreflightUse, RequestResult, RequestSpec, Scenario,
};

pub use browser::{chromium_path, DEFAULT_CHROMIUM};
pub use observe::CorsErrorStatus;

use browser::{evaluate_string, Chromium, ScenarioPage};
use observe::{observe, Observation, ScriptReport};
use server::{MockServer, ServerSetup};

/// A scenario needing more real waiting than this (its last `at_ms`) is skipped.
pub const MAX_REAL_WAIT: Duration = Duration::from_secs(15);

/// After a request settles, the console must be quiet this long before the next one.
const QUIET: Duration = Duration::from_millis(150);
/// ... but never wait longer than this for quiet.
const QUIET_LIMIT: Duration = Duration::from_secs(2);
/// One request may take at most this long in the page.
const REQUEST_LIMIT: Duration = Duration::from_secs(20);

/// Settings of one verify run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The Chromium executable.
    pub chromium: PathBuf,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            chromium: chromium_path(),
        }
    }
}

/// The result of a run over some files.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    /// e.g. `chromium 156.0.8078.79`.
    pub browser: String,
    /// One report per file, in the order given.
    pub files: Vec<FileReport>,
    /// Wall-clock time of the whole run.
    #[serde(skip)]
    pub elapsed: Duration,
}

impl Run {
    /// Whether some file could not be verified (a harness failure, exit status 2).
    pub fn has_failures(&self) -> bool {
        self.files
            .iter()
            .any(|f| matches!(f.status, FileStatus::Failed(_)))
    }

    /// Whether some verified file has a disagreement (exit status 1).
    pub fn has_disagreements(&self) -> bool {
        self.files.iter().any(|f| match &f.status {
            FileStatus::Verified(v) => !v.disagreements.is_empty(),
            _ => false,
        })
    }
}

/// What became of one scenario file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The file as given (or as found in a folder).
    pub file: PathBuf,
    /// The scenario's `id`, when the file loaded.
    pub id: Option<String>,
    /// Verified, skipped or failed.
    pub status: FileStatus,
}

/// Verified, skipped (with the reason) or failed (with the error).
#[derive(Debug, Clone, Serialize)]
pub enum FileStatus {
    /// It ran in the browser.
    Verified(Verified),
    /// It was not run, e.g. `firefox-only scenario`.
    Skipped(String),
    /// The harness could not run it.
    Failed(String),
}

/// A scenario that ran in the browser.
#[derive(Debug, Clone, Serialize)]
pub struct Verified {
    /// What the browser did, per request.
    pub observed: Vec<RequestResult>,
    /// What the engine says, per request.
    pub engine: Vec<RequestResult>,
    /// Every field where the two differ.
    pub disagreements: Vec<FieldDisagreement>,
    /// Chromium's own CORS classification per request (`Network.loadingFailed`).
    pub chromium_cors_errors: Vec<Option<CorsErrorStatus>>,
}

/// One field on which the browser and the engine differ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldDisagreement {
    /// Index of the request in the scenario.
    pub request: usize,
    /// The `expect` field name (`result` when the engine has no result at all).
    pub field: String,
    /// What the browser did.
    pub observed: Value,
    /// What the engine says.
    pub engine: Value,
}

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

/// Runs every file in Chromium. `Err` only when the browser cannot be started.
pub fn verify_files(files: &[PathBuf], options: &Options) -> Result<Run, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(verify_files_async(files, options))
}

async fn verify_files_async(files: &[PathBuf], options: &Options) -> Result<Run, String> {
    let started = Instant::now();
    let chromium = Chromium::launch(&options.chromium).await?;
    let mut reports = Vec::new();
    // Opening a page in a new context costs a renderer start (~0.4 s): the next
    // scenario's page opens while the current scenario runs.
    let mut spare: Option<ScenarioPage> = None;
    let mut finished: Option<ScenarioPage> = None;
    for file in files {
        let report = |id: Option<String>, status| FileReport {
            file: file.to_path_buf(),
            id,
            status,
        };
        let (scenario, engine) = match prepare(file) {
            Ok(Prepared::Run(scenario, engine)) => (scenario, engine),
            Ok(Prepared::Skip(id, reason)) => {
                reports.push(report(Some(id), FileStatus::Skipped(reason)));
                continue;
            }
            Err(e) => {
                reports.push(report(None, FileStatus::Failed(e)));
                continue;
            }
        };
        let page = match spare.take() {
            Some(page) => Ok(page),
            None => chromium.open_page().await,
        };
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                reports.push(report(Some(scenario.id.clone()), FileStatus::Failed(e)));
                continue;
            }
        };
        // Meanwhile: close the previous scenario's page, open the next one's.
        let (result, next, ()) = tokio::join!(
            run_scenario(&page, &scenario, &engine),
            chromium.open_page(),
            close_if_any(&chromium, finished.take()),
        );
        finished = Some(page);
        spare = next.ok();
        let status = match result {
            Ok((observed, chromium_cors_errors)) => FileStatus::Verified(Verified {
                disagreements: compare(&observed, &engine)
                    .into_iter()
                    .filter(|d| scenario.not_modelled_reason(d.request, &d.field).is_none())
                    .collect(),
                observed,
                engine,
                chromium_cors_errors,
            }),
            Err(e) => FileStatus::Failed(e),
        };
        reports.push(report(Some(scenario.id.clone()), status));
    }
    close_if_any(&chromium, spare).await;
    close_if_any(&chromium, finished).await;
    let browser = chromium.version.clone();
    chromium.close().await;
    Ok(Run {
        browser,
        files: reports,
        elapsed: started.elapsed(),
    })
}

/// A loaded scenario with the engine's results, or why it is skipped.
enum Prepared {
    Run(Box<Scenario>, Vec<RequestResult>),
    Skip(String, String),
}

fn prepare(file: &Path) -> Result<Prepared, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read: {e}"))?;
    let scenario = load_scenario(&text)
        .map_err(|e| format!("cannot load: {e}"))?
        .scenario;
    if let Some(reason) = skip_reason(&scenario) {
        return Ok(Prepared::Skip(scenario.id, reason));
    }
    let engine = crate::engine::evaluate(&scenario, Some(Browser::Chrome))
        .requests
        .into_iter()
        .map(|r| r.result)
        .collect();
    Ok(Prepared::Run(Box::new(scenario), engine))
}

/// Why a scenario is not run in Chromium, if it is not.
pub fn skip_reason(scenario: &Scenario) -> Option<String> {
    match scenario.browser {
        Some(Browser::Firefox) => return Some("firefox-only scenario".to_owned()),
        Some(Browser::Safari) => return Some("safari-only scenario".to_owned()),
        _ => {}
    }
    let needed = request_times(&scenario.requests)
        .last()
        .copied()
        .unwrap_or(0);
    (Duration::from_millis(needed) > MAX_REAL_WAIT)
        .then(|| format!("needs {} s of real time", needed.div_ceil(1000)))
}

/// Each request's start time in ms (`at_ms`, or the previous request's).
fn request_times(requests: &[RequestSpec]) -> Vec<u64> {
    let mut previous = 0;
    requests
        .iter()
        .map(|r| {
            previous = r.at_ms.unwrap_or(previous);
            previous
        })
        .collect()
}

/// Compares the browser's results with the engine's, field by field.
pub fn compare(observed: &[RequestResult], engine: &[RequestResult]) -> Vec<FieldDisagreement> {
    let mut found = Vec::new();
    for index in 0..observed.len().max(engine.len()) {
        match (observed.get(index), engine.get(index)) {
            (Some(seen), Some(modelled)) => {
                found.extend(
                    disagreements(index, &seen.to_expectation(), modelled)
                        .into_iter()
                        .map(|d| FieldDisagreement {
                            request: index,
                            field: d.field,
                            observed: d.expected,
                            engine: d.actual,
                        }),
                );
            }
            (seen, modelled) => found.push(FieldDisagreement {
                request: index,
                field: "result".to_owned(),
                observed: json!(seen),
                engine: json!(modelled),
            }),
        }
    }
    found
}

/// Where the harness page is served, and whether it needs the CSP sandbox.
fn page_origin(scenario: &Scenario) -> (String, bool) {
    if scenario.page.trim() == "null" {
        (harness_page::OPAQUE_PAGE_ORIGIN.to_owned(), true)
    } else {
        (scenario.page.trim_end_matches('/').to_owned(), false)
    }
}

/// Every URL the server may be asked for: the page, requests, rules, redirect targets.
fn scenario_urls(scenario: &Scenario, page_url: &str) -> Vec<url::Url> {
    let mut urls = Vec::new();
    let mut push = |text: &str, base: Option<&url::Url>| {
        let parsed = match base {
            Some(base) => base.join(text),
            None => url::Url::parse(text),
        };
        if let Ok(url) = parsed {
            if matches!(url.scheme(), "http" | "https") {
                urls.push(url);
            }
        }
    };
    push(page_url, None);
    for request in &scenario.requests {
        push(&request.url, None);
    }
    for rule in &scenario.server {
        push(&rule.matcher.url, None);
        let base = url::Url::parse(&rule.matcher.url).ok();
        for (name, value) in &rule.respond.headers {
            if name.eq_ignore_ascii_case("location") {
                push(value, base.as_ref());
            }
        }
    }
    urls
}

async fn close_if_any(chromium: &Chromium, page: Option<ScenarioPage>) {
    if let Some(page) = page {
        chromium.close_page(page).await;
    }
}

/// Runs `scenario` in `page` against a fresh mock server.
async fn run_scenario(
    page: &ScenarioPage,
    scenario: &Scenario,
    engine: &[RequestResult],
) -> Result<(Vec<RequestResult>, Vec<Option<CorsErrorStatus>>), String> {
    let (origin, sandbox_page) = page_origin(scenario);
    let page_url = format!("{origin}{}", harness_page::PAGE_PATH);
    let urls = scenario_urls(scenario, &page_url);
    let hosts: BTreeSet<String> = urls
        .iter()
        .filter_map(|u| u.host_str().map(str::to_owned))
        .collect();
    let ports: BTreeSet<u16> = urls
        .iter()
        .filter_map(url::Url::port_or_known_default)
        .collect();
    let tls = certificate::tls_config(&hosts.into_iter().collect::<Vec<_>>())?;
    let setup = ServerSetup {
        rules: scenario.server.clone(),
        page_url: page_url.clone(),
        page_html: harness_page::html(),
        sandbox_page,
        ports: ports.into_iter().collect(),
    };
    let server = MockServer::start(setup, tls).await?;
    let result = run_requests(page, &server, scenario, engine, &page_url).await;
    server.stop().await;
    result
}

/// Logs a settle marker and waits for it: every console line the renderer
/// sent before it has then arrived.
async fn sync_console(page: &ScenarioPage, label: &str) {
    let marker = harness_page::marker_expression(label);
    if evaluate_string(&page.page, marker, QUIET_LIMIT)
        .await
        .is_ok()
    {
        let text = harness_page::marker_text(label);
        page.log.wait_for_console(&text, QUIET_LIMIT).await;
    }
}

fn debug_time(what: &str, since: Instant) {
    if std::env::var_os("CORS_LAB_VERIFY_DEBUG").is_some() {
        eprintln!(
            "[verify debug] {what} at {} ms",
            since.elapsed().as_millis()
        );
    }
}

async fn run_requests(
    page: &ScenarioPage,
    server: &MockServer,
    scenario: &Scenario,
    engine: &[RequestResult],
    page_url: &str,
) -> Result<(Vec<RequestResult>, Vec<Option<CorsErrorStatus>>), String> {
    let loop_start = Instant::now();
    tokio::time::timeout(Duration::from_secs(20), page.page.goto(page_url))
        .await
        .map_err(|_| format!("the harness page {page_url} did not load within 20 s"))?
        .map_err(|e| format!("cannot load the harness page {page_url}: {e}"))?;
    let ready = evaluate_string(
        &page.page,
        "typeof window.__corsLab".to_owned(),
        Duration::from_secs(10),
    )
    .await?;
    if ready != "object" {
        return Err(format!(
            "the harness script did not start on {page_url} (got {ready})"
        ));
    }
    sync_console(page, "ready").await;
    debug_time("harness page ready", loop_start);

    let times = request_times(&scenario.requests);
    let start = Instant::now();
    let mut observed: Vec<RequestResult> = Vec::new();
    let mut cors_errors = Vec::new();
    for (index, spec) in scenario.requests.iter().enumerate() {
        let at = Duration::from_millis(times.get(index).copied().unwrap_or(0));
        if let Some(wait) = at.checked_sub(start.elapsed()) {
            tokio::time::sleep(wait).await;
        }
        let spec_json = serde_json::to_string(spec)
            .map_err(|e| format!("cannot encode request {index}: {e}"))?;
        server.set_current(Some(index));
        let from = page.log.len();
        let answer = evaluate_string(
            &page.page,
            harness_page::run_expression(&spec_json),
            REQUEST_LIMIT,
        )
        .await;
        if answer.is_ok() {
            sync_console(page, &index.to_string()).await;
        }
        page.log.wait_quiet(QUIET, QUIET_LIMIT).await;
        server.set_current(None);
        let answer = answer.map_err(|e| format!("request {index}: {e}"))?;
        let script: ScriptReport = serde_json::from_str(&answer)
            .map_err(|e| format!("request {index}: bad harness answer {answer:?}: {e}"))?;
        if let Some(error) = &script.harness_error {
            return Err(format!("request {index}: the harness failed: {error}"));
        }
        let events = page.log.since(from);
        let received = server.received_during(index);
        if std::env::var_os("CORS_LAB_VERIFY_DEBUG").is_some() {
            eprintln!(
                "[verify debug] {} request {index}: script {answer}",
                scenario.id
            );
            for event in &events {
                eprintln!(
                    "[verify debug]   cdp {:?} {:?}",
                    event.timestamp, event.seen
                );
            }
            for request in &received {
                eprintln!(
                    "[verify debug]   server {} {} {:?}",
                    request.method, request.url, request.headers
                );
            }
        }
        let engine_says_cached = engine
            .get(index)
            .is_some_and(|r| r.preflight == PreflightUse::Cached);
        // No preflight reached the server: the cache answered if an identical
        // earlier request needed one, or if the engine says so and some earlier
        // request to this URL did send one (so a cache entry can exist).
        let cache_answered = identical_earlier_was_preflighted(scenario, &observed, index)
            || (engine_says_cached && earlier_preflight_to_same_url(scenario, &observed, index));
        let observation = Observation {
            spec,
            page: &scenario.page,
            script,
            events,
            received,
            cache_answered,
        };
        cors_errors.push(observe::cors_error(&observation.events));
        observed.push(observe(&observation));
    }
    Ok((observed, cors_errors))
}

/// Whether an earlier request to the same URL as request `index` sent a preflight.
fn earlier_preflight_to_same_url(
    scenario: &Scenario,
    observed: &[RequestResult],
    index: usize,
) -> bool {
    let Some(this) = scenario.requests.get(index) else {
        return false;
    };
    scenario
        .requests
        .iter()
        .take(index)
        .zip(observed)
        .any(|(earlier, result)| earlier.url == this.url && result.preflight == PreflightUse::Sent)
}

/// Whether an earlier request identical to request `index` needed a preflight:
/// if this one sends none, the preflight cache answered it.
fn identical_earlier_was_preflighted(
    scenario: &Scenario,
    observed: &[RequestResult],
    index: usize,
) -> bool {
    let Some(this) = scenario.requests.get(index) else {
        return false;
    };
    let key = |r: &RequestSpec| {
        (
            r.url.clone(),
            r.method.clone(),
            r.headers.clone(),
            r.credentials,
            r.mode,
        )
    };
    scenario
        .requests
        .iter()
        .take(index)
        .zip(observed)
        .any(|(earlier, result)| {
            key(earlier) == key(this)
                && matches!(result.preflight, PreflightUse::Sent | PreflightUse::Cached)
        })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn scenario(text: &str) -> Scenario {
        crate::scenario::parse_scenario(text).unwrap()
    }

    #[test]
    fn long_scenarios_are_skipped_with_the_time_they_need() {
        let s = scenario(
            r#"{"format":"cors-scenario/1","id":"x","page":"http://a.example","server":[],
                "requests":[{"url":"http://b.example/"},{"url":"http://b.example/","at_ms":20500}]}"#,
        );
        assert_eq!(skip_reason(&s).as_deref(), Some("needs 21 s of real time"));
    }

    #[test]
    fn other_browsers_are_skipped() {
        let s = scenario(
            r#"{"format":"cors-scenario/1","id":"x","browser":"firefox","page":"http://a.example",
                "server":[],"requests":[]}"#,
        );
        assert_eq!(skip_reason(&s).as_deref(), Some("firefox-only scenario"));
    }
}
