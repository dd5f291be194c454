//! `cors-lab verify`: replays scenarios in a real headless browser (the
//! installed Chromium over CDP, Firefox ESR over WebDriver BiDi, or
//! WebKitGTK's MiniBrowser under Xvfb) against a real mock server, and
//! compares what the browser did with the engine.
//!
//! A run starts a few workers (`Options::jobs`), each with its own loopback
//! address (`slot`), its own browser process (every hostname resolves to
//! that address) and, per scenario, its own mock server on that address
//! listening on every port the scenario uses. Each scenario gets a fresh
//! browser context (so a fresh preflight cache) and the harness page at the
//! scenario's page origin. Within a scenario, requests run strictly one after
//! another, so every console line and server hit belongs to the request in flight.
//! `CORS_LAB_VERIFY_DEBUG=1` prints every raw event and server hit to stderr.

mod address_spaces;
mod browser;
mod certificate;
mod commands;
mod doh;
mod driver;
mod events;
mod failure_kinds;
mod files;
mod firefox;
mod harness_page;
mod http1;
mod observe;
mod own_replies;
mod page_run;
mod raw_cors_errors;
pub mod report;
mod server;
mod slot;
mod timing;
mod webkit;
mod wire_sent;

use std::cmp::Reverse;
use std::collections::VecDeque;
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{json, Value};

use crate::scenario::{disagreements, Browser, RequestResult, Scenario};

pub use browser::{chromium_path, headless_chromium, DEFAULT_CHROMIUM};
pub use files::{collect_files, skip_reason, skip_reason_for};
pub use firefox::{firefox_path, DEFAULT_FIREFOX};
pub use observe::CorsErrorStatus;
pub use webkit::{minibrowser_path, DEFAULT_MINIBROWSER};

use browser::Chromium;
use driver::Driver;
use files::{prepare, request_times, Prepared};
use firefox::Firefox;
use page_run::{debug_line, run_scenario};
use slot::Slot;
use timing::{engine_at_real_times, timing_slipped};
use webkit::WebKit;

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
    /// WebKitGTK's MiniBrowser under Xvfb (WebCore's console on stderr);
    /// compared with the engine's Safari profile.
    Webkit,
}

impl RealBrowser {
    /// Whose rules the engine is evaluated with, to compare with this browser.
    pub fn engine_browser(self) -> Browser {
        match self {
            RealBrowser::Chromium => Browser::Chrome,
            RealBrowser::Firefox => Browser::Firefox,
            RealBrowser::Webkit => Browser::Safari,
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
    /// WebKitGTK's MiniBrowser.
    pub minibrowser: PathBuf,
    /// How many scenarios run at once (each worker has its own browser process).
    pub jobs: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            browser: RealBrowser::Chromium,
            chromium: chromium_path(),
            firefox: firefox_path(),
            minibrowser: minibrowser_path(),
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
            FileStatus::Verified(v) => {
                !v.disagreements.is_empty() || !v.unattributed_console.is_empty()
            }
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
    /// Console lines the browser printed while no request was in flight
    /// (verify cannot tell which request they belong to): reported, never dropped.
    pub unattributed_console: Vec<String>,
    /// Where what the browser sent (method, headers) differs from the trace's
    /// wire view (see [`wire_sent`]); `field` is `wire[N] method`,
    /// `wire[N] <header>` or `wire exchanges`.
    pub wire_disagreements: Vec<FieldDisagreement>,
    /// How many exchanges (preflights, requests, redirects) were compared on the wire.
    pub wire_exchanges_compared: usize,
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
        RealBrowser::Webkit => {
            let driver = WebKit::launch(&options.minibrowser, slot.ip).await?;
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
    /// Whether a spare page is opened while a scenario runs: not in a
    /// browser launched for one scenario, where it would go unused and
    /// would take the foreground from the running page (Firefox shows a
    /// Local Network Access prompt, and starts its timeout, only in the
    /// selected tab).
    open_spares: bool,
}

async fn serve<D: Driver>(driver: D, ip: Ipv4Addr, work: &Work) -> String {
    // Opening a page in a new context costs a renderer start (~0.4 s): the next
    // scenario's page opens while the current scenario runs.
    let mut pages = Pages {
        spare: None,
        finished: None,
        open_spares: true,
    };
    while let Some(job) = work.next() {
        let status = match driver.own_browser(&job.scenario).await {
            None => run_job(&driver, ip, &job, &mut pages).await,
            Some(Err(e)) => FileStatus::Failed(e),
            // Names that must not resolve: a browser launched for this scenario.
            Some(Ok(own)) => {
                let mut own_pages = Pages {
                    spare: None,
                    finished: None,
                    open_spares: false,
                };
                let status = run_job(&own, ip, &job, &mut own_pages).await;
                close_if_any(&own, own_pages.spare).await;
                close_if_any(&own, own_pages.finished).await;
                own.close().await;
                status
            }
        };
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
        let page = match driver.open_tab_for(scenario).await {
            Some(Ok(page)) => page,
            Some(Err(e)) => return FileStatus::Failed(e),
            None => match pages.spare.take() {
                Some(page) => page,
                None => match driver.open_tab().await {
                    Ok(page) => page,
                    Err(e) => return FileStatus::Failed(e),
                },
            },
        };
        // Meanwhile: close the previous scenario's page, open the next one's
        // (unless a page made for this scenario left the spare one unused).
        let need_spare = pages.open_spares && pages.spare.is_none();
        let (result, next, ()) = tokio::join!(
            run_scenario(&page, ip, scenario, &job.engine),
            async {
                if need_spare {
                    Some(driver.open_tab().await)
                } else {
                    None
                }
            },
            close_if_any(driver, pages.finished.take()),
        );
        pages.finished = Some(page);
        if let Some(next) = next {
            pages.spare = next.ok();
        }
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
        // The page's own load lines the engine models (its policy's warnings)
        // are the scenario's, not unattributed; any other line stays reported.
        let mut unattributed = ran.unattributed.clone();
        for line in crate::engine::evaluate(scenario, Some(job.browser)).page_console {
            if let Some(at) = unattributed.iter().position(|seen| *seen == line) {
                unattributed.remove(at);
            }
        }
        let (wire_exchanges_compared, wire_disagreements) = compare_wire(
            job,
            &ran,
            real_times.is_some().then_some(ran.timeline.as_slice()),
        );
        return FileStatus::Verified(Verified {
            disagreements: compare(&ran.observed, &in_system_console(&engine, job.browser))
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
            unattributed_console: unattributed,
            wire_disagreements,
            wire_exchanges_compared,
        });
    }
}

/// The engine's results without the lines verify cannot see in `browser`:
/// Safari's `Failed to load resource: …` lines are Web Inspector's own
/// (`WebConsoleAgent`), never written to WebCore's system console, which is
/// what verify reads from WebKitGTK; they stay in the model, from WebKit's source.
fn in_system_console(engine: &[RequestResult], browser: Browser) -> Vec<RequestResult> {
    let mut results = engine.to_vec();
    if browser == Browser::Safari {
        for result in &mut results {
            result
                .console
                .retain(|line| !line.starts_with(WEB_INSPECTOR_ONLY));
        }
    }
    results
}

/// The start of Web Inspector's own line for a failed load (see [`in_system_console`]).
const WEB_INSPECTOR_ONLY: &str = "Failed to load resource: ";

/// Compares what the browser sent with the engine's exchanges, request by
/// request (evaluated at the real times when the run was judged at them).
fn compare_wire(
    job: &Job,
    ran: &page_run::ScenarioRun,
    real_ms: Option<&[u64]>,
) -> (usize, Vec<FieldDisagreement>) {
    let mut scenario = job.scenario.clone();
    if let Some(times) = real_ms {
        for (request, ms) in scenario.requests.iter_mut().zip(times) {
            request.at_ms = Some(*ms);
        }
    }
    let trace = crate::frameworks::evaluate(&scenario, Some(job.browser));
    let (origin, _) = page_run::page_origin(&scenario);
    let urls = page_run::scenario_urls(&scenario, &format!("{origin}{}", harness_page::PAGE_PATH));
    let hosts: Vec<String> = urls
        .iter()
        .filter_map(|u| u.host_str().map(str::to_owned))
        .collect();
    let favicon = format!("{origin}/favicon.ico");
    let requested: Vec<String> = urls.iter().map(url::Url::to_string).collect();
    let mut compared = 0;
    let mut found = Vec::new();
    for (index, (spec, (predicted, received))) in scenario
        .requests
        .iter()
        .zip(trace.requests.iter().zip(&ran.received))
        .enumerate()
    {
        let received = wire_sent::sent_by_page(received, &hosts, &favicon, &requested);
        // A connection refused, a name that does not resolve and a
        // certificate refused in the handshake send nothing to the server.
        let reaching: Vec<crate::engine::Exchange> = predicted
            .exchanges
            .iter()
            .filter(|exchange| match &exchange.response {
                crate::engine::WireResponse::NetworkError { error, .. } => {
                    error.request_reaches_server()
                }
                crate::engine::WireResponse::Http { .. } => true,
            })
            .cloned()
            .collect();
        let wire = wire_sent::compare_sent(index, spec, &reaching, &received);
        compared += wire.compared;
        found.extend(wire.disagreements.into_iter().filter(|d| {
            job.scenario
                .not_modelled_reason_in(d.request, &d.field, job.browser)
                .is_none()
        }));
    }
    (compared, found)
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

async fn close_if_any<D: Driver>(driver: &D, page: Option<D::Tab>) {
    if let Some(page) = page {
        driver.close_tab(page).await;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::scenario::PreflightUse;
    use files::engine_results;
    use page_run::page_csp_problem;

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
