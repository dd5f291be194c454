//! `cors-lab verify`: replays scenarios in a real headless browser (the
//! installed Chromium over CDP, or Firefox ESR over WebDriver BiDi) against a
//! real mock server, and compares what the browser did with the engine.
//!
//! A run starts a few workers (`Options::jobs`), each with its own loopback
//! address (`slot`), its own browser process (every hostname resolves to
//! that address) and, per scenario, its own mock server on that address
//! listening on every port the scenario uses. Each scenario gets a fresh
//! browser context (so a fresh preflight cache) and the harness page at the
//! scenario's page origin. Within a scenario, requests run strictly one after
//! another, so every console line and server hit belongs to the request in flight.
//! `CORS_LAB_VERIFY_DEBUG=1` prints every raw event and server hit to stderr.

mod browser;
mod certificate;
mod doh;
mod driver;
mod events;
mod firefox;
mod harness_page;
mod http1;
mod observe;
pub mod report;
mod server;
mod slot;

use std::cmp::Reverse;
use std::collections::{BTreeSet, VecDeque};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{json, Value};

use crate::engine::csp;
use crate::scenario::{
    disagreements, load_scenario, Api, Browser, PreflightUse, RequestResult, RequestSpec, Scenario,
};

pub use browser::{chromium_path, headless_chromium, DEFAULT_CHROMIUM};
pub use firefox::{firefox_path, DEFAULT_FIREFOX};
pub use observe::CorsErrorStatus;

use browser::Chromium;
use driver::{Driver, Tab};
use firefox::Firefox;
use observe::{observe, Observation, ScriptReport};
use server::{MockServer, ServerSetup};
use slot::Slot;

/// A scenario needing more real waiting than this (its last `at_ms`) is skipped.
pub const MAX_REAL_WAIT: Duration = Duration::from_secs(15);

/// After a request settles, the console must be quiet this long before the next one.
const QUIET: Duration = Duration::from_millis(150);
/// ... but never wait longer than this for quiet.
const QUIET_LIMIT: Duration = Duration::from_secs(2);
/// One request may take at most this long in the page.
const REQUEST_LIMIT: Duration = Duration::from_secs(20);
/// The harness page must load within this.
const PAGE_LIMIT: Duration = Duration::from_secs(20);
/// How often a scenario is tried when its real timing does not match its
/// `at_ms` closely enough to decide the preflight cache (see [`timing_slipped`]).
const TIMING_ATTEMPTS: usize = 3;
/// Workers when `Options::jobs` is not set. A scenario mostly waits (a
/// renderer start, the console's quiet time, its `at_ms`), so 4 workers
/// keep 2 cores busy: the full run took 139 s with 3, 114 s with 4 and 5.
pub const DEFAULT_JOBS: usize = 4;

/// Which real browser verify drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum RealBrowser {
    /// The installed headless Chromium (CDP).
    Chromium,
    /// The installed Firefox ESR, headless (WebDriver BiDi).
    Firefox,
}

impl RealBrowser {
    /// Whose rules the engine is evaluated with, to compare with this browser.
    pub fn engine_browser(self) -> Browser {
        match self {
            RealBrowser::Chromium => Browser::Chrome,
            RealBrowser::Firefox => Browser::Firefox,
        }
    }
}

/// Settings of one verify run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The browser to drive.
    pub browser: RealBrowser,
    /// The Chromium executable.
    pub chromium: PathBuf,
    /// The Firefox executable.
    pub firefox: PathBuf,
    /// How many scenarios run at once (each worker has its own browser process).
    pub jobs: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            browser: RealBrowser::Chromium,
            chromium: chromium_path(),
            firefox: firefox_path(),
            jobs: DEFAULT_JOBS,
        }
    }
}

/// The result of a run over some files.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    /// e.g. `chromium 156.0.8078.79`.
    pub browser: String,
    /// Which browser ran.
    pub real_browser: RealBrowser,
    /// How many workers (browser processes) ran scenarios at once.
    pub workers: usize,
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
    /// It was not run, e.g. `safari-only scenario`.
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
    /// Chromium's own CORS classification per request (`Network.loadingFailed`;
    /// always `None` in Firefox).
    pub chromium_cors_errors: Vec<Option<CorsErrorStatus>>,
    /// How many times it ran before its real timing fitted its `at_ms` (1 mostly).
    pub attempts: usize,
    /// Set when no attempt's timing fitted its `at_ms`, so the engine was
    /// evaluated at the real times instead (see [`engine_at_real_times`]):
    /// how the last attempt slipped.
    pub real_times: Option<String>,
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

/// Runs every file in the browser of `options`. `Err` only when no browser
/// could be started.
pub fn verify_files(files: &[PathBuf], options: &Options) -> Result<Run, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(verify_files_async(files, options))
}

/// One scenario to run, with the engine's results for it.
struct Job {
    /// Its position in the files given.
    index: usize,
    scenario: Scenario,
    /// Whose rules the engine was evaluated with.
    browser: Browser,
    engine: Vec<RequestResult>,
}

/// Jobs not yet taken, and what became of each file.
struct Work {
    queue: Mutex<VecDeque<Job>>,
    done: Mutex<Vec<(usize, FileStatus)>>,
}

impl Work {
    fn next(&self) -> Option<Job> {
        self.queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop_front()
    }

    fn finish(&self, index: usize, status: FileStatus) {
        self.done
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((index, status));
    }
}

async fn verify_files_async(files: &[PathBuf], options: &Options) -> Result<Run, String> {
    let started = Instant::now();
    let mut reports: Vec<FileReport> = files
        .iter()
        .map(|file| FileReport {
            file: file.clone(),
            id: None,
            status: FileStatus::Failed("not run".to_owned()),
        })
        .collect();
    let mut jobs = Vec::new();
    for (index, (file, report)) in files.iter().zip(reports.iter_mut()).enumerate() {
        match prepare(file, options.browser) {
            Ok(Prepared::Run(scenario, engine)) => {
                report.id = Some(scenario.id.clone());
                jobs.push(Job {
                    index,
                    scenario: *scenario,
                    browser: options.browser.engine_browser(),
                    engine,
                });
            }
            Ok(Prepared::Skip(id, reason)) => {
                report.id = Some(id);
                report.status = FileStatus::Skipped(reason);
            }
            Err(e) => report.status = FileStatus::Failed(e),
        }
    }
    // Longest first, so that no worker is left with a long scenario at the end.
    jobs.sort_by_key(|job| Reverse(expected_ms(&job.scenario)));
    let workers = options.jobs.clamp(1, 8).min(jobs.len().max(1));
    let work = Work {
        queue: Mutex::new(jobs.into()),
        done: Mutex::new(Vec::new()),
    };
    let results = futures::future::join_all((0..workers).map(|_| worker(options, &work))).await;
    let mut version = None;
    let mut launch_error = None;
    for result in results {
        match result {
            Ok(v) => version = version.or(Some(v)),
            Err(e) => launch_error = launch_error.or(Some(e)),
        }
    }
    let (Some(browser), leftover) = (version, work.next()) else {
        return Err(launch_error.unwrap_or_else(|| "no browser was started".to_owned()));
    };
    if leftover.is_some() {
        return Err("some scenarios were left unrun".to_owned());
    }
    for (index, status) in work.done.into_inner().unwrap_or_else(|p| p.into_inner()) {
        if let Some(report) = reports.get_mut(index) {
            report.status = status;
        }
    }
    Ok(Run {
        browser,
        real_browser: options.browser,
        workers,
        files: reports,
        elapsed: started.elapsed(),
    })
}

/// Roughly how long a scenario takes: its real waiting plus ~0.3 s a request.
fn expected_ms(scenario: &Scenario) -> u64 {
    let waiting = request_times(&scenario.requests)
        .last()
        .copied()
        .unwrap_or(0);
    waiting + 300 * scenario.requests.len() as u64
}

/// One worker: takes a loopback address, starts a browser resolving every
/// name to it, and runs scenarios from the queue until it is empty. Returns
/// the browser's version, or why it could not start.
async fn worker(options: &Options, work: &Work) -> Result<String, String> {
    let slot = Slot::take().await?;
    match options.browser {
        RealBrowser::Chromium => {
            let driver = Chromium::launch(&options.chromium, slot.ip).await?;
            Ok(serve(driver, slot.ip, work).await)
        }
        RealBrowser::Firefox => {
            let driver = Firefox::launch(&options.firefox, slot.ip).await?;
            Ok(serve(driver, slot.ip, work).await)
        }
    }
}

/// Pages of one worker: the one being prepared and the one to close.
struct Pages<T> {
    /// Opened while the last scenario ran, for the next.
    spare: Option<T>,
    /// The last scenario's page, closed while the next one runs.
    finished: Option<T>,
}

async fn serve<D: Driver>(driver: D, ip: Ipv4Addr, work: &Work) -> String {
    // Opening a page in a new context costs a renderer start (~0.4 s): the next
    // scenario's page opens while the current scenario runs.
    let mut pages = Pages {
        spare: None,
        finished: None,
    };
    while let Some(job) = work.next() {
        let status = run_job(&driver, ip, &job, &mut pages).await;
        work.finish(job.index, status);
    }
    close_if_any(&driver, pages.spare).await;
    close_if_any(&driver, pages.finished).await;
    let version = driver.version();
    driver.close().await;
    version
}

/// Runs one scenario, again while its real timing could change the
/// preflight cache's answers (at most [`TIMING_ATTEMPTS`] times).
async fn run_job<D: Driver>(
    driver: &D,
    ip: Ipv4Addr,
    job: &Job,
    pages: &mut Pages<D::Tab>,
) -> FileStatus {
    let scenario = &job.scenario;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let page = match pages.spare.take() {
            Some(page) => page,
            None => match driver.open_tab().await {
                Ok(page) => page,
                Err(e) => return FileStatus::Failed(e),
            },
        };
        // Meanwhile: close the previous scenario's page, open the next one's.
        let (result, next, ()) = tokio::join!(
            run_scenario(&page, ip, scenario, &job.engine),
            driver.open_tab(),
            close_if_any(driver, pages.finished.take()),
        );
        pages.finished = Some(page);
        pages.spare = next.ok();
        let ran = match result {
            Ok(ran) => ran,
            Err(e) => return FileStatus::Failed(e),
        };
        let mut engine = job.engine.clone();
        let mut real_times = None;
        if let Some(slip) = timing_slipped(job, &ran.timeline) {
            debug_line(&format!(
                "{} attempt {attempt}: timing slipped: {slip}",
                scenario.id
            ));
            if attempt < TIMING_ATTEMPTS {
                continue;
            }
            match engine_at_real_times(job, &ran.timeline) {
                Some(at_real_times) => {
                    engine = at_real_times;
                    real_times = Some(slip);
                }
                None => {
                    return FileStatus::Failed(format!(
                        "its real timing changed the preflight cache's answers in all {TIMING_ATTEMPTS} \
                         attempts, the last too close to an expiry to judge (last: {slip}); the machine \
                         is too busy for its at_ms"
                    ))
                }
            }
        }
        return FileStatus::Verified(Verified {
            disagreements: compare(&ran.observed, &engine)
                .into_iter()
                .filter(|d| {
                    scenario
                        .not_modelled_reason_in(d.request, &d.field, job.browser)
                        .is_none()
                })
                .collect(),
            observed: ran.observed,
            engine,
            chromium_cors_errors: ran.cors_errors,
            attempts: attempt,
            real_times,
        });
    }
}

/// How far (ms) every request's real time must be from changing the engine's
/// answer before the engine is judged at the real times: more than the gap
/// between when the harness times a request (its preflight's arrival, or its
/// start) and when the browser stores or looks up its cache entry.
const REAL_TIME_MARGIN_MS: u64 = 500;

/// The engine's results at the real times of a run whose timing slipped,
/// if they are clear-cut: each request's result stays the same with its time
/// moved [`REAL_TIME_MARGIN_MS`] earlier or later. The browser was then asked
/// a different question than the file's (a cache entry had expired, say),
/// but one the engine answers just as exactly; a run near an expiry is not judged.
fn engine_at_real_times(job: &Job, real_ms: &[u64]) -> Option<Vec<RequestResult>> {
    let at = |times: &[u64]| {
        let mut moved = job.scenario.clone();
        for (request, ms) in moved.requests.iter_mut().zip(times) {
            request.at_ms = Some(*ms);
        }
        engine_results(&moved, job.browser)
    };
    let real = at(real_ms);
    for index in 0..real_ms.len() {
        let previous = index
            .checked_sub(1)
            .and_then(|i| real_ms.get(i))
            .copied()
            .unwrap_or(0);
        let next = real_ms.get(index + 1).copied().unwrap_or(u64::MAX);
        for moved_ms in [
            real_ms
                .get(index)?
                .saturating_sub(REAL_TIME_MARGIN_MS)
                .max(previous),
            real_ms
                .get(index)?
                .saturating_add(REAL_TIME_MARGIN_MS)
                .min(next),
        ] {
            let mut times = real_ms.to_vec();
            *times.get_mut(index)? = moved_ms;
            if at(&times).get(index) != real.get(index) {
                return None;
            }
        }
    }
    Some(real)
}

/// Whether the scenario's real timeline (each request's preflight arrival,
/// or its start) would make the engine answer differently from its planned
/// `at_ms`: then the browser was not asked what the file asks (a request ran
/// too late for a cache entry's Max-Age, say) and the run is repeated. This is
/// the harness's timing tolerance; the comparison itself is never widened.
fn timing_slipped(job: &Job, real_ms: &[u64]) -> Option<String> {
    let mut real = job.scenario.clone();
    for (request, ms) in real.requests.iter_mut().zip(real_ms) {
        request.at_ms = Some(*ms);
    }
    let with_real_times = engine_results(&real, job.browser);
    job.engine
        .iter()
        .zip(&with_real_times)
        .zip(real_ms)
        .enumerate()
        .find(|(_, ((planned, real), _))| planned != real)
        .map(|(index, ((planned, real), ms))| {
            format!(
                "request {index} ran at {ms} ms: the engine says preflight {:?} / {:?} for its \
                 at_ms but {:?} / {:?} for the real times",
                planned.preflight, planned.outcome, real.preflight, real.outcome
            )
        })
}

/// A loaded scenario with the engine's results, or why it is skipped.
enum Prepared {
    Run(Box<Scenario>, Vec<RequestResult>),
    Skip(String, String),
}

fn prepare(file: &Path, browser: RealBrowser) -> Result<Prepared, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read: {e}"))?;
    let scenario = load_scenario(&text)
        .map_err(|e| format!("cannot load: {e}"))?
        .scenario;
    if let Some(reason) = skip_reason_for(&scenario, browser) {
        return Ok(Prepared::Skip(scenario.id, reason));
    }
    let engine = engine_results(&scenario, browser.engine_browser());
    Ok(Prepared::Run(Box::new(scenario), engine))
}

/// The engine's result for each request, evaluated as `browser`.
fn engine_results(scenario: &Scenario, browser: Browser) -> Vec<RequestResult> {
    crate::engine::evaluate(scenario, Some(browser))
        .requests
        .into_iter()
        .map(|r| r.result)
        .collect()
}

/// Why a scenario is not run in Chromium, if it is not.
pub fn skip_reason(scenario: &Scenario) -> Option<String> {
    skip_reason_for(scenario, RealBrowser::Chromium)
}

/// Why a scenario is not run in `browser`, if it is not. Firefox runs every
/// file but Safari-only ones (no `browser` means `chrome`, which is what a
/// file says when it was written from Chromium, not that Firefox cannot run
/// it); Chromium skips Firefox- and Safari-only files.
pub fn skip_reason_for(scenario: &Scenario, browser: RealBrowser) -> Option<String> {
    match (scenario.browser, browser) {
        (Some(Browser::Firefox), RealBrowser::Chromium) => {
            return Some("firefox-only scenario".to_owned())
        }
        (Some(Browser::Safari), _) => return Some("safari-only scenario".to_owned()),
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

/// Why the scenario's `page_csp` cannot be verified, if it cannot: the
/// harness runs as a script from the page's own origin
/// ([`harness_page::SCRIPT_PATH`]), so the policy must let the page load
/// it (`'self'` in `script-src`, or in `default-src` without `script-src`,
/// or neither set). Verify adds nothing to the scenario's policy.
fn page_csp_problem(scenario: &Scenario, origin: &str) -> Option<String> {
    let policy = scenario.page_csp.as_deref()?;
    if scenario.page.trim() == "null" {
        return Some(
            "`page_csp` on a \"null\" page is not verified (the page is sandboxed, and 'self' is not modelled there)"
                .to_owned(),
        );
    }
    let script = url::Url::parse(&format!("{origin}{}", harness_page::SCRIPT_PATH)).ok()?;
    let page = crate::engine::origin::Origin::of_url(&script);
    let policies = csp::parse_serialized_policy_list(policy);
    let checks = csp::should_request_be_blocked(&policies, Api::Script, &script, &page);
    csp::violations(&checks).first().map(|v| {
        format!(
            "`page_csp` blocks verify's own harness script ({script}) with `{} {}`: the harness is a script from the page's origin, so the policy must allow 'self' for scripts (script-src, or default-src without script-src); the engine still evaluates this file",
            v.directive, v.value
        )
    })
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
            if matches!(url.scheme(), "http" | "https" | "ws" | "wss") {
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

async fn close_if_any<D: Driver>(driver: &D, page: Option<D::Tab>) {
    if let Some(page) = page {
        driver.close_tab(page).await;
    }
}

/// What one run of a scenario in the browser gave.
struct ScenarioRun {
    /// What the browser did, per request.
    observed: Vec<RequestResult>,
    /// Chromium's own CORS classification, per request.
    cors_errors: Vec<Option<CorsErrorStatus>>,
    /// Per request, when (ms after the first started) its preflight reached
    /// the server, or else when it started: when its cache entry was made or used.
    timeline: Vec<u64>,
}

/// Runs `scenario` in `page` against a fresh mock server on `ip`.
async fn run_scenario<T: Tab>(
    page: &T,
    ip: Ipv4Addr,
    scenario: &Scenario,
    engine: &[RequestResult],
) -> Result<ScenarioRun, String> {
    let (origin, sandbox_page) = page_origin(scenario);
    let page_url = format!("{origin}{}", harness_page::PAGE_PATH);
    if let Some(problem) = page_csp_problem(scenario, &origin) {
        return Err(problem);
    }
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
        page_html: harness_page::html(scenario.page_csp.is_some()),
        sandbox_page,
        page_csp: scenario.page_csp.clone(),
        ports: ports.into_iter().collect(),
    };
    let server = MockServer::start(setup, tls, ip).await?;
    let result = run_requests(page, &server, scenario, engine, &page_url).await;
    server.stop().await;
    result
}

/// Logs a settle marker and waits for it: every console line the renderer
/// sent before it has then arrived.
async fn sync_console<T: Tab>(page: &T, label: &str) {
    let marker = harness_page::marker_expression(label);
    if page.evaluate(marker, QUIET_LIMIT).await.is_ok() {
        let text = harness_page::marker_text(label);
        page.log().wait_for_console(&text, QUIET_LIMIT).await;
    }
}

fn debug_line(what: &str) {
    if std::env::var_os("CORS_LAB_VERIFY_DEBUG").is_some() {
        eprintln!("[verify debug] {what}");
    }
}

fn debug_time(what: &str, since: Instant) {
    debug_line(&format!("{what} at {} ms", since.elapsed().as_millis()));
}

async fn run_requests<T: Tab>(
    page: &T,
    server: &MockServer,
    scenario: &Scenario,
    engine: &[RequestResult],
    page_url: &str,
) -> Result<ScenarioRun, String> {
    let loop_start = Instant::now();
    page.goto(page_url, PAGE_LIMIT)
        .await
        .map_err(|e| format!("the harness page: {e}"))?;
    debug_time("harness page loaded", loop_start);
    let ready = page
        .evaluate(
            "typeof window.__corsLab".to_owned(),
            Duration::from_secs(10),
        )
        .await?;
    if ready != "object" {
        return Err(format!(
            "the harness script did not start on {page_url} (got {ready})"
        ));
    }
    debug_time("harness script ready", loop_start);
    sync_console(page, "ready").await;
    debug_time("harness page ready", loop_start);

    let times = request_times(&scenario.requests);
    let start = Instant::now();
    let mut observed: Vec<RequestResult> = Vec::new();
    let mut cors_errors = Vec::new();
    let mut timeline = Vec::new();
    for (index, spec) in scenario.requests.iter().enumerate() {
        let at = Duration::from_millis(times.get(index).copied().unwrap_or(0));
        if let Some(wait) = at.checked_sub(start.elapsed()) {
            tokio::time::sleep(wait).await;
        }
        let spec_json = serde_json::to_string(spec)
            .map_err(|e| format!("cannot encode request {index}: {e}"))?;
        server.set_current(Some(index));
        let from = page.log().len();
        let started = Instant::now();
        let answer = page
            .evaluate(harness_page::run_expression(&spec_json), REQUEST_LIMIT)
            .await;
        if answer.is_ok() {
            sync_console(page, &index.to_string()).await;
        }
        page.log().wait_quiet(QUIET, QUIET_LIMIT).await;
        server.set_current(None);
        let answer = answer.map_err(|e| format!("request {index}: {e}"))?;
        let script: ScriptReport = serde_json::from_str(&answer)
            .map_err(|e| format!("request {index}: bad harness answer {answer:?}: {e}"))?;
        if let Some(error) = &script.harness_error {
            return Err(format!("request {index}: the harness failed: {error}"));
        }
        let events = page.log().since(from);
        let received = server.received_during(index);
        let moment = received
            .iter()
            .find(|r| r.is_preflight())
            .map_or(started, |r| r.at);
        timeline.push(
            u64::try_from(moment.saturating_duration_since(start).as_millis()).unwrap_or(u64::MAX),
        );
        if std::env::var_os("CORS_LAB_VERIFY_DEBUG").is_some() {
            eprintln!(
                "[verify debug] {} request {index}: script {answer}",
                scenario.id
            );
            for event in &events {
                eprintln!(
                    "[verify debug]   event {:?} {:?}",
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
    Ok(ScenarioRun {
        observed,
        cors_errors,
        timeline,
    })
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
    fn a_slipped_run_is_judged_at_its_real_times_only_when_clear_cut() {
        let scenario = scenario(
            r#"{"format":"cors-scenario/1","id":"x","page":"http://a.example",
                "server":[{"match":{"url":"http://b.example/","method":"OPTIONS"},
                  "respond":{"status":204,"headers":[["Access-Control-Allow-Origin","*"],
                  ["Access-Control-Allow-Methods","PUT"],["Access-Control-Max-Age","2"]]}},
                  {"match":{"url":"http://b.example/"},"respond":{"status":200,
                  "headers":[["Access-Control-Allow-Origin","*"]]}}],
                "requests":[{"url":"http://b.example/","method":"PUT"},
                  {"url":"http://b.example/","method":"PUT","at_ms":1000}]}"#,
        );
        let engine = engine_results(&scenario, Browser::Chrome);
        assert_eq!(engine[1].preflight, PreflightUse::Cached);
        let job = Job {
            index: 0,
            scenario,
            browser: Browser::Chrome,
            engine,
        };
        assert!(timing_slipped(&job, &[0, 1200]).is_none());
        assert!(timing_slipped(&job, &[0, 4000]).is_some());
        let late = engine_at_real_times(&job, &[0, 4000]).unwrap();
        assert_eq!(late[1].preflight, PreflightUse::Sent);
        // 2.1 s is within the margin of the 2 s expiry: not judged.
        assert!(engine_at_real_times(&job, &[0, 2100]).is_none());
    }

    #[test]
    fn a_page_csp_that_blocks_the_harness_script_is_refused_with_the_reason() {
        let with = |csp: &str| {
            scenario(&format!(
                r#"{{"format":"cors-scenario/1","id":"x","page":"https://a.example","page_csp":"{csp}","server":[],"requests":[]}}"#
            ))
        };
        for allowed in [
            "connect-src 'none'",
            "default-src 'self'",
            "script-src 'self'; default-src 'none'",
        ] {
            assert_eq!(
                page_csp_problem(&with(allowed), "https://a.example"),
                None,
                "{allowed}"
            );
        }
        let refused = page_csp_problem(&with("default-src 'none'"), "https://a.example").unwrap();
        assert!(refused.contains("`default-src 'none'`"), "{refused}");
        assert!(
            refused.contains("https://a.example/__cors-lab-harness.js"),
            "{refused}"
        );
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
