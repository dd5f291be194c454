//! Benchmark of the built app (`dist/`) against the budgets of the teaching app:
//! shipped bytes, load time to the first verdict, and edit to re-render.
//!
//! ```sh
//! cargo run --release --example bench_app -- DIST [--loads N] [--edits N]
//!     [--peer-dir DIR --peer-path PATH --peer-ready SELECTOR] [--other-dist DIR]
//! cargo run --example bench_app -- DIST --size-only
//! ```
//!
//! `--size-only` does step 1 only and exits with status 1 when the app's code
//! is over issue 16's budget (`scripts/test` runs it after the release build).
//!
//! `scripts/bench-app` builds `dist/` and runs this; `BENCHMARKS.md` explains
//! the method and records the figures. What it does:
//!
//! 1. **Bytes**: every file in DIST, raw and `gzip -9` (the `gzip` program);
//!    the app's code (JS, wasm, CSS, and the CSS inlined into index.html)
//!    against issue 16's budget; the pre-rendered lesson pages' sizes.
//! 2. **Load**: serves DIST on 127.0.0.1, every text file `gzip -9`-compressed
//!    (`Content-Encoding: gzip`, `no-store`), and, on each network (no
//!    throttling, then DevTools' "Slow 4G" through
//!    `Network.emulateNetworkConditions`), N times (default 21) opens a fresh
//!    page in a fresh browser context (empty cache) of the installed headless
//!    Chromium (1280×800), with a script injected before any of the page's own
//!    (`Page.addScriptToEvaluateOnNewDocument`) that watches the DOM: the times
//!    are `performance.now()` (milliseconds since navigation start) when
//!    `[data-testid="verdict"]` is first in the DOM with a box, and when an
//!    `IntersectionObserver` first sees it in the viewport ("in view": that
//!    runs in a rendering update, so after render-blocking styles). The bytes
//!    received by then are summed from the protocol's `Network.dataReceived` /
//!    `Network.loadingFinished` (`encodedDataLength`). Each round also loads an
//!    empty page (the browser's floor) and, with `--peer-dir`, a peer's static
//!    build served the same way from its own origin, to `--peer-ready` in view:
//!    the pages alternate so that all see the same machine; `--other-dist`
//!    adds another build of the app (e.g. main's, before a change) to the
//!    rotation, served like DIST from its own origin. It also prints which
//!    files the app fetched before the verdict: "bytes to the first verdict".
//! 3. **Edit**: in one more loaded page, N times (default 51) clicks
//!    `[data-testid="toggle-actual-Access-Control-Allow-Origin"]` (the server
//!    editor's one-click header toggle) and measures from just before the click
//!    to the first DOM change (a `MutationObserver`, which runs once the app's
//!    render has written the DOM) and to the next animation frame. A build
//!    without that toggle gets a clear notice and no edit figures.
//!
//! Medians and 90th percentiles are printed as Markdown tables. Chromium is
//! `$CORS_LAB_CHROMIUM`, else `/usr/bin/chromium`.
#![allow(missing_docs)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use chromiumoxide::browser::Browser;
use chromiumoxide::cdp::browser_protocol::target::{
    CreateBrowserContextParams, CreateTargetParams,
};
use chromiumoxide::cdp::js_protocol::profiler::{self, Profile};
use chromiumoxide::Page;
use futures::StreamExt;

/// The contract's hook for the selected request's verdict.
const VERDICT: &str = r#"[data-testid="verdict"]"#;
/// The contract's toggle for `Access-Control-Allow-Origin` on the actual response.
const TOGGLE: &str = r#"[data-testid="toggle-actual-Access-Control-Allow-Origin"]"#;

/// Injected before the page's scripts: resolves `window.__benchVerdict` with
/// `[dom, frame, files, marks, view, requestStart]`, all `performance.now()`
/// (ms since navigation start). `dom` is when SELECTOR is first in the DOM
/// with a box, `frame` the next animation frame after that, `files` when the
/// last file fetched so far had arrived, `marks` the page's own
/// `performance.mark`s so far (the loader's and the app's phases) as
/// `[name, time]` pairs; `view` is when an `IntersectionObserver` first saw the
/// element in the viewport with an area (observers run in a rendering update,
/// so after render-blocking styles have arrived), and `requestStart` the
/// navigation's own, to line the page's clock up with the protocol's.
const WATCH_VERDICT: &str = r#"
window.__benchVerdict = new Promise((resolve) => {
  let dom = null, frame = null, files = null, marks = null, view = null;
  const observed = new Set();
  const finish = () => {
    if (frame === null || view === null) return;
    const navigation = performance.getEntriesByType("navigation")[0];
    resolve([dom, frame, files, marks, view, navigation ? navigation.requestStart : 0]);
  };
  const intersection = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const box = entry.intersectionRect;
      if (view === null && entry.isIntersecting && box.width > 0 && box.height > 0) {
        view = entry.time;
        intersection.disconnect();
        finish();
      }
    }
  });
  const check = () => {
    // Every match: a pre-rendered page holds two while the app takes over.
    const elements = [...document.querySelectorAll(SELECTOR)];
    for (const element of elements) {
      if (!observed.has(element)) {
        observed.add(element);
        intersection.observe(element);
      }
    }
    if (dom === null && elements.some((element) => element.getClientRects().length > 0)) {
      dom = performance.now();
      // When the last file the page fetched had fully arrived.
      files = Math.max(0, ...performance.getEntriesByType("resource").map((e) => e.responseEnd));
      marks = performance.getEntriesByType("mark").map((m) => [m.name, m.startTime]);
      requestAnimationFrame(() => { frame = performance.now(); finish(); });
    }
    if (dom !== null && view !== null) observer.disconnect();
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { childList: true, subtree: true, attributes: true });
});
"#;

/// Resolves once the app's second render (editors included) is in the DOM,
/// or after 5 s.
const WAIT_READY: &str = r#"
new Promise((resolve) => {
  const started = performance.now();
  const poll = () => {
    if ((document.querySelector('[data-testid="app-ready"]') !== null && document.querySelector('[data-prerendered]') === null) || performance.now() - started > 5000) {
      resolve(true);
    } else {
      setTimeout(poll, 5);
    }
  };
  poll();
})
"#;

/// One edit: click the toggle; `[dom, frame]` in ms after the click, or `[]`
/// when the page has no toggle.
const ONE_EDIT: &str = r#"
(async () => {
  const toggle = document.querySelector(SELECTOR);
  if (toggle === null) return [];
  const changed = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      observer.disconnect();
      const dom = performance.now();
      requestAnimationFrame(() => resolve([dom, performance.now()]));
    });
    observer.observe(document.body, {
      childList: true, subtree: true, attributes: true, characterData: true,
    });
  });
  // Let the previous edit's frame pass first.
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  const start = performance.now();
  toggle.click();
  const [dom, frame] = await changed;
  return [dom - start, frame - start];
})()
"#;

mod network;
mod serve;

use network::{Network, Recorder};
use serve::{Site, FLOOR_PATH};

type Failure = Box<dyn std::error::Error>;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Failure> {
    let options = Options::from_args()?;
    let files = dist_files(&options.dist)?;
    print_bytes(&files)?;
    let code = print_code_budget(&options.dist, &files)?;
    if options.size_only {
        if code > CODE_BUDGET {
            eprintln!(
                "bench_app: ERROR: the app's code (JS, wasm and CSS, each gzip -9) is {code} B, \
                 {} B over issue 16's budget of {CODE_BUDGET} B (README, Budgets)",
                code - CODE_BUDGET
            );
            std::process::exit(1);
        }
        println!(
            "bench_app: within the budget ({} B to spare)",
            CODE_BUDGET - code
        );
        return Ok(());
    }

    let app = serve::serve(options.dist.clone(), true)?;
    let peer = match &options.peer {
        Some(peer) => Some((serve::serve(peer.dir.clone(), false)?, peer)),
        None => None,
    };
    let other = match &options.other_dist {
        Some(dir) => Some((serve::serve(dir.clone(), true)?, dir)),
        None => None,
    };
    let mut targets = vec![
        Target {
            name: "empty page (floor)".to_owned(),
            url: format!("{}{FLOOR_PATH}", app.base),
            selector: VERDICT.to_owned(),
        },
        Target {
            name: "CORS Lab: a lesson's verdict".to_owned(),
            url: format!("{}/", app.base),
            selector: VERDICT.to_owned(),
        },
    ];
    if let Some((site, peer)) = &peer {
        targets.push(Target {
            name: format!("peer ({}): `{}`", peer.path, peer.ready),
            url: format!("{}{}", site.base, peer.path),
            selector: peer.ready.clone(),
        });
    }
    if let Some((site, dir)) = &other {
        targets.push(Target {
            name: format!("CORS Lab, other build ({})", dir.display()),
            url: format!("{}/", site.base),
            selector: VERDICT.to_owned(),
        });
    }
    let profile = tempfile::Builder::new().prefix("bench-app-").tempdir()?;
    let (browser, handler) = launch(profile.path()).await?;
    let outcome = measure(&browser, &app, &targets, &options, &files).await;
    let _ = browser_close(browser).await;
    handler.abort();
    let sites = std::iter::once(("CORS Lab", &app))
        .chain(peer.iter().map(|(site, _)| ("peer", site)))
        .chain(other.iter().map(|(site, _)| ("other build", site)));
    for (name, site) in sites {
        let missing = site.missing();
        if !missing.is_empty() {
            println!();
            println!(
                "Not found on the {name}'s server (404) during the run: {}",
                missing.join(", ")
            );
        }
    }
    outcome
}

/// A page the bench loads: where, and the element whose arrival counts.
struct Target {
    name: String,
    url: String,
    selector: String,
}

/// Index of the app in the targets (after the floor).
const APP: usize = 1;

async fn measure(
    browser: &Browser,
    app: &Site,
    targets: &[Target],
    options: &Options,
    files: &[DistFile],
) -> Result<(), Failure> {
    // [network][target] → each load's times.
    let mut loads: Vec<Vec<Vec<LoadTimes>>> = Vec::new();
    for network in Network::ALL {
        let mut per_target: Vec<Vec<LoadTimes>> = targets.iter().map(|_| Vec::new()).collect();
        for run in 0..options.loads {
            for (index, target) in targets.iter().enumerate() {
                app.clear();
                let (page, context) = fresh_page(browser).await?;
                let times = load(&page, &target.url, &target.selector, network).await;
                let _ = page.close().await;
                let _ = browser.dispose_browser_context(context).await;
                let times =
                    times.map_err(|e| format!("{} ({}): {e}", target.name, network.label()))?;
                if run == 0 && index == APP && network == Network::Unthrottled {
                    print_first_verdict_bytes(files, &app.requested());
                }
                if let Some(list) = per_target.get_mut(index) {
                    list.push(times);
                }
            }
        }
        loads.push(per_target);
    }
    print_views(targets, &loads, options.loads);
    if let Some(app_loads) = loads.first().and_then(|n| n.get(APP)) {
        print_phases(app_loads, options.loads);
    }

    if options.profile {
        let (page, context) = fresh_page(browser).await?;
        let profiled = profile_load(&page, &format!("{}/", app.base)).await;
        let _ = page.close().await;
        let _ = browser.dispose_browser_context(context).await;
        print_profile("one load", &profiled?);
    }

    let (page, context) = fresh_page(browser).await?;
    let edits = edit(
        &page,
        &format!("{}/", app.base),
        options.edits,
        options.profile,
    )
    .await;
    let _ = page.close().await;
    let _ = browser.dispose_browser_context(context).await;
    println!();
    match edits? {
        None => println!(
            "## Edit → re-render: SKIPPED: this build has no {TOGGLE} \
             (the server editor's toggle, see /work/ui-contract.md)"
        ),
        Some((mut dom, mut frame)) => {
            println!(
                "## Edit → re-render ({} clicks on the Access-Control-Allow-Origin toggle)",
                options.edits
            );
            println!();
            println!("| | median | p90 | min | max |");
            println!("|---|---:|---:|---:|---:|");
            print_row("click → DOM updated", &mut dom);
            print_row("click → next animation frame", &mut frame);
        }
    }
    Ok(())
}

/// Per network and page: navigation start → in view, and the bytes received
/// by then.
fn print_views(targets: &[Target], loads: &[Vec<Vec<LoadTimes>>], count: usize) {
    println!();
    println!(
        "## Navigation start → first view, every file gzip -9 ({count} fresh loads each, pages alternating)"
    );
    println!();
    println!("| network | page | in view: median | p90 | min | max | bytes received before it: median (min–max) |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    for (network, per_target) in Network::ALL.iter().zip(loads) {
        for (target, times) in targets.iter().zip(per_target) {
            let mut view: Vec<f64> = times.iter().map(|t| t.view).collect();
            let mut bytes: Vec<f64> = times.iter().filter_map(|t| t.bytes).collect();
            let stats = quantiles(&mut view);
            let byte_stats = quantiles(&mut bytes);
            println!(
                "| {} | {} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms | {:.0} B ({:.0}–{:.0}) |",
                network.label(),
                target.name,
                stats[1],
                stats[2],
                stats[0],
                stats[3],
                byte_stats[1],
                byte_stats[0],
                byte_stats[3],
            );
        }
    }
}

/// The app's load phases on the unthrottled network.
fn print_phases(app_loads: &[LoadTimes], count: usize) {
    let mut dom: Vec<f64> = app_loads.iter().map(|t| t.dom).collect();
    let mut frame: Vec<f64> = app_loads.iter().map(|t| t.frame).collect();
    let mut view: Vec<f64> = app_loads.iter().map(|t| t.view).collect();
    let mut arrived: Vec<f64> = app_loads.iter().map(|t| t.files).collect();
    // Each phase mark's times, in the order the first load saw them.
    let mut phases: Vec<(String, Vec<f64>)> = Vec::new();
    for times in app_loads {
        for (name, at) in &times.marks {
            match phases.iter_mut().find(|(known, _)| known == name) {
                Some((_, values)) => values.push(*at),
                None => phases.push((name.clone(), vec![*at])),
            }
        }
    }
    println!();
    println!("## Navigation start → first verdict, no throttling ({count} fresh loads)");
    println!();
    println!("| | median | p90 | min | max |");
    println!("|---|---:|---:|---:|---:|");
    print_row("all files received (loopback, gzip)", &mut arrived);
    for (name, values) in &mut phases {
        print_row(&format!("mark `{name}`"), values);
    }
    print_row("verdict in the DOM", &mut dom);
    print_row("next animation frame", &mut frame);
    print_row("verdict in view", &mut view);
}

/// One load's times, in ms after navigation start.
struct LoadTimes {
    dom: f64,
    frame: f64,
    files: f64,
    /// The page's `performance.mark`s: the loader's and the app's phases.
    marks: Vec<(String, f64)>,
    /// The element first in the viewport.
    view: f64,
    /// Encoded bytes received by `view` (`None`: the protocol gave no times).
    bytes: Option<f64>,
}

/// Navigates `page` to `url` on `network` and waits for `selector` to be in
/// the DOM and in view.
async fn load(
    page: &Page,
    url: &str,
    selector: &str,
    network: Network,
) -> Result<LoadTimes, Failure> {
    network.emulate(page).await?;
    let recorder = Recorder::start(page).await?;
    page.evaluate_on_new_document(WATCH_VERDICT.replace("SELECTOR", &js_string(selector)))
        .await?;
    page.goto(url).await?;
    let value: serde_json::Value = within(page.evaluate("window.__benchVerdict"))
        .await?
        .into_value()?;
    let time = |index: usize| value.get(index).and_then(serde_json::Value::as_f64);
    let marks = value
        .get(3)
        .and_then(serde_json::Value::as_array)
        .map(|marks| {
            marks
                .iter()
                .filter_map(|mark| {
                    Some((mark.get(0)?.as_str()?.to_owned(), mark.get(1)?.as_f64()?))
                })
                .collect()
        })
        .unwrap_or_default();
    // Let the protocol's last events before the verdict arrive.
    tokio::time::sleep(Duration::from_millis(200)).await;
    match (time(0), time(1), time(2), time(4), time(5)) {
        (Some(dom), Some(frame), Some(files), Some(view), Some(request_start)) => Ok(LoadTimes {
            dom,
            frame,
            files,
            marks,
            view,
            bytes: recorder.bytes_before(view, request_start),
        }),
        _ => Err(format!("unexpected verdict times {value}").into()),
    }
}

/// One load under the CPU profiler (100 µs sampling), up to the first verdict.
async fn profile_load(page: &Page, base: &str) -> Result<Profile, Failure> {
    page.execute(profiler::EnableParams::default()).await?;
    page.execute(profiler::SetSamplingIntervalParams::new(100))
        .await?;
    page.execute(profiler::StartParams::default()).await?;
    load(page, base, VERDICT, Network::Unthrottled).await?;
    Ok(page
        .execute(profiler::StopParams::default())
        .await?
        .result
        .profile)
}

/// Prints the functions with the most time in `profile`: self time (on top of
/// the stack) and total time (anywhere on the stack), in ms.
fn print_profile(what: &str, profile: &Profile) {
    use std::collections::HashMap;
    let name = |node: &profiler::ProfileNode| {
        let frame = &node.call_frame;
        let function = if frame.function_name.is_empty() {
            "(anonymous)"
        } else {
            &frame.function_name
        };
        let file = frame.url.rsplit('/').next().unwrap_or_default();
        if file.is_empty() {
            function.to_owned()
        } else {
            format!("{function} ({file})")
        }
    };
    let by_id: HashMap<i64, &profiler::ProfileNode> =
        profile.nodes.iter().map(|n| (n.id, n)).collect();
    let mut parent = HashMap::new();
    for node in &profile.nodes {
        for child in node.children.iter().flatten() {
            parent.insert(*child, node.id);
        }
    }
    let mut self_ms: HashMap<String, f64> = HashMap::new();
    let mut total_ms: HashMap<String, f64> = HashMap::new();
    let samples = profile.samples.as_deref().unwrap_or_default();
    let deltas = profile.time_deltas.as_deref().unwrap_or_default();
    // A sample's time is the delta to the next one.
    for (index, id) in samples.iter().enumerate() {
        let ms = deltas.get(index + 1).copied().unwrap_or(0) as f64 / 1000.0;
        let Some(node) = by_id.get(id) else { continue };
        *self_ms.entry(name(node)).or_default() += ms;
        let mut seen = std::collections::HashSet::new();
        let mut at = Some(*id);
        while let Some(current) = at {
            if let Some(node) = by_id.get(&current) {
                if seen.insert(name(node)) {
                    *total_ms.entry(name(node)).or_default() += ms;
                }
            }
            at = parent.get(&current).copied();
        }
    }
    for (title, table) in [("self", self_ms), ("total", total_ms)] {
        let mut rows: Vec<_> = table.into_iter().collect();
        rows.sort_by(|a, b| b.1.total_cmp(&a.1));
        println!();
        println!("## CPU profile of {what}: {title} time");
        println!();
        println!("| ms | function |");
        println!("|---:|---|");
        for (function, ms) in rows.iter().take(40) {
            println!("| {ms:.1} | `{}` |", function.replace('|', "\\|"));
        }
    }
}

/// Loads the app and clicks the toggle `count` times; `None` without a toggle.
async fn edit(
    page: &Page,
    base: &str,
    count: usize,
    profile: bool,
) -> Result<Option<(Vec<f64>, Vec<f64>)>, Failure> {
    load(page, base, VERDICT, Network::Unthrottled).await?;
    // The editors are drawn one frame after the verdict.
    within(page.evaluate(WAIT_READY)).await?;
    if profile {
        page.execute(profiler::EnableParams::default()).await?;
        page.execute(profiler::SetSamplingIntervalParams::new(100))
            .await?;
        page.execute(profiler::StartParams::default()).await?;
    }
    let script = ONE_EDIT.replace("SELECTOR", &js_string(TOGGLE));
    let mut dom = Vec::new();
    let mut frame = Vec::new();
    for _ in 0..count {
        let times: Vec<f64> = within(page.evaluate(script.as_str())).await?.into_value()?;
        match times.as_slice() {
            [] => return Ok(None),
            [at_dom, at_frame] => {
                dom.push(*at_dom);
                frame.push(*at_frame);
            }
            other => return Err(format!("unexpected edit times {other:?}").into()),
        }
    }
    if profile {
        let profiled = page.execute(profiler::StopParams::default()).await?;
        print_profile(&format!("{count} edits"), &profiled.result.profile);
    }
    Ok(Some((dom, frame)))
}

/// Waits at most 20 s for a CDP call.
async fn within<T>(
    call: impl std::future::Future<Output = chromiumoxide::error::Result<T>>,
) -> Result<T, Failure> {
    match tokio::time::timeout(Duration::from_secs(20), call).await {
        Ok(result) => Ok(result?),
        Err(_) => Err("no answer from the page within 20 s (did the app render a verdict?)".into()),
    }
}

/// A JavaScript string literal for `text` (JSON's syntax is JavaScript's).
fn js_string(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

/// `[min, median, p90, max]` of `values` (sorted in place; NaN when empty).
fn quantiles(values: &mut [f64]) -> [f64; 4] {
    values.sort_by(f64::total_cmp);
    let at = |q: f64| -> f64 {
        let index = ((values.len() as f64 - 1.0) * q).round() as usize;
        values.get(index).copied().unwrap_or(f64::NAN)
    };
    [at(0.0), at(0.5), at(0.9), at(1.0)]
}

fn print_row(label: &str, values: &mut [f64]) {
    let [min, median, p90, max] = quantiles(values);
    println!("| {label} | {median:.1} ms | {p90:.1} ms | {min:.1} ms | {max:.1} ms |");
}

struct Options {
    dist: PathBuf,
    loads: usize,
    edits: usize,
    /// `--profile`: one more load under the CPU profiler, its hot functions
    /// printed, and the edits profiled too.
    profile: bool,
    /// `--peer-dir`, `--peer-path`, `--peer-ready`: a peer's static build to
    /// measure in the same run (optional).
    peer: Option<Peer>,
    /// `--other-dist DIR`: another build of the app (e.g. main's, before a
    /// change), measured in the same run, alternating, from its own origin.
    other_dist: Option<PathBuf>,
    /// `--size-only`: the bytes and the budget only (no browser).
    size_only: bool,
}

/// A peer's static build: its folder, the page's path, and the CSS selector
/// of what counts as its first view.
struct Peer {
    dir: PathBuf,
    path: String,
    ready: String,
}

impl Options {
    fn from_args() -> Result<Self, Failure> {
        let usage = "usage: bench_app DIST [--loads N] [--edits N] [--profile] \
                     [--peer-dir DIR --peer-path PATH --peer-ready SELECTOR] [--other-dist DIR] \
                     | bench_app DIST --size-only";
        let mut args = std::env::args().skip(1);
        let mut options = Options {
            dist: PathBuf::new(),
            loads: 21,
            edits: 51,
            profile: false,
            peer: None,
            other_dist: None,
            size_only: false,
        };
        let mut peer_dir = None;
        let mut peer_path = None;
        let mut peer_ready = None;
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--profile" => options.profile = true,
                "--size-only" => options.size_only = true,
                "--peer-dir" => peer_dir = Some(PathBuf::from(args.next().ok_or(usage)?)),
                "--peer-path" => peer_path = Some(args.next().ok_or(usage)?),
                "--peer-ready" => peer_ready = Some(args.next().ok_or(usage)?),
                "--other-dist" => {
                    let dir = PathBuf::from(args.next().ok_or(usage)?);
                    if !dir.join("index.html").is_file() {
                        return Err(format!("{usage}\n(no index.html in {dir:?})").into());
                    }
                    options.other_dist = Some(dir);
                }
                "--loads" | "--edits" => {
                    let value: usize = args.next().ok_or(usage)?.parse()?;
                    if arg == "--loads" {
                        options.loads = value.max(1);
                    } else {
                        options.edits = value.max(1);
                    }
                }
                _ if options.dist.as_os_str().is_empty() => options.dist = PathBuf::from(arg),
                _ => return Err(usage.into()),
            }
        }
        if !options.dist.join("index.html").is_file() {
            return Err(format!("{usage}\n(no index.html in {:?})", options.dist).into());
        }
        options.peer = match (peer_dir, peer_path, peer_ready) {
            (None, None, None) => None,
            (Some(dir), Some(path), Some(ready)) if dir.is_dir() && path.starts_with('/') => {
                Some(Peer { dir, path, ready })
            }
            _ => {
                return Err(format!(
                    "{usage}\n(--peer-dir, --peer-path and --peer-ready go together: \
                     an existing folder, a path from /, and a CSS selector)"
                )
                .into())
            }
        };
        Ok(options)
    }
}

/// A file of `dist/` and its sizes.
struct DistFile {
    name: String,
    raw: u64,
    gzip: u64,
}

fn dist_files(dist: &Path) -> Result<Vec<DistFile>, Failure> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dist)? {
        let path = entry?.path();
        if !path.is_file() {
            continue;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let raw = std::fs::metadata(&path)?.len();
        files.push(DistFile {
            name,
            raw,
            gzip: gzip_size(&path)?,
        });
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

/// The size of `gzip -9c FILE`.
fn gzip_size(path: &Path) -> Result<u64, Failure> {
    let output = Command::new("gzip")
        .arg("-9c")
        .arg(path)
        .stderr(Stdio::inherit())
        .output()?;
    if !output.status.success() {
        return Err(format!("gzip -9c {} failed", path.display()).into());
    }
    Ok(output.stdout.len() as u64)
}

fn print_bytes(files: &[DistFile]) -> Result<(), Failure> {
    println!("## Shipped bytes (dist/)");
    println!();
    println!("| file | raw | gzip -9 |");
    println!("|---|---:|---:|");
    for file in files {
        println!("| {} | {} | {} |", file.name, file.raw, file.gzip);
    }
    let raw: u64 = files.iter().map(|f| f.raw).sum();
    let gzip: u64 = files.iter().map(|f| f.gzip).sum();
    println!(
        "| **total** | **{raw}** | **{gzip}** ({:.1} KiB) |",
        kib(gzip)
    );
    Ok(())
}

/// Issue 16's budget: the app's code (JavaScript, wasm and CSS), each
/// `gzip -9`. Since the pages are pre-rendered, the CSS is inlined into each
/// page's `<style>`: it counts once, as index.html's; the pages' HTML does not,
/// nor the lessons' text (`lessons/<id>.json`: content the app reads when a
/// lesson is opened). Returns the app's code size.
fn print_code_budget(dist: &Path, files: &[DistFile]) -> Result<u64, Failure> {
    let code = files.iter().filter(|f| {
        [".js", ".wasm", ".css"]
            .iter()
            .any(|ext| f.name.ends_with(ext))
    });
    let files_gzip: u64 = code.map(|f| f.gzip).sum();
    let index = std::fs::read_to_string(dist.join("index.html")).unwrap_or_default();
    let inline_css: String = index
        .split("<style>")
        .skip(1)
        .filter_map(|rest| rest.split("</style>").next())
        .collect();
    let css_gzip = if inline_css.is_empty() {
        0
    } else {
        gzip_size_of(inline_css.as_bytes())?
    };
    println!();
    println!(
        "App code (JS, wasm, CSS files, and index.html's inline CSS {css_gzip} B), each gzip -9: \
         **{} B** (issue 16's budget: {CODE_BUDGET} B)",
        files_gzip + css_gzip
    );
    let pages = dist.join("lessons");
    for (extension, what) in [
        (
            "html",
            "Pre-rendered lesson pages (lessons/*.html, not in the budget)",
        ),
        (
            "json",
            "Lessons' text (lessons/*.json, read when one is opened; not in the budget)",
        ),
    ] {
        let mut sizes = Vec::new();
        if let Ok(entries) = std::fs::read_dir(&pages) {
            for entry in entries {
                let path = entry?.path();
                if path.extension().is_some_and(|e| e == extension) {
                    sizes.push(gzip_size(&path)? as f64);
                }
            }
        }
        if !sizes.is_empty() {
            let count = sizes.len();
            let [min, median, _, max] = quantiles(&mut sizes);
            println!("{what}: {count}, gzip -9 median {median:.0} B ({min:.0}–{max:.0})");
        }
    }
    std::io::stdout().flush()?;
    Ok(files_gzip + css_gzip)
}

/// Issue 16: the app's code stays within the 2026-12-07 total of `dist/`.
const CODE_BUDGET: u64 = 460_479;

/// The size of `bytes` after `gzip -9`.
fn gzip_size_of(bytes: &[u8]) -> Result<u64, Failure> {
    let mut child = Command::new("gzip")
        .arg("-9c")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(bytes)?;
    }
    let output = child.wait_with_output()?;
    if !output.status.success() {
        return Err("gzip -9c failed".into());
    }
    Ok(output.stdout.len() as u64)
}

/// The files fetched before the first verdict of the first load, and their sum.
fn print_first_verdict_bytes(files: &[DistFile], requested: &[String]) {
    let fetched: Vec<&DistFile> = files
        .iter()
        .filter(|f| {
            requested
                .iter()
                .any(|r| *r == format!("/{}", f.name) || (r == "/" && f.name == "index.html"))
        })
        .collect();
    let raw: u64 = fetched.iter().map(|f| f.raw).sum();
    let gzip: u64 = fetched.iter().map(|f| f.gzip).sum();
    let names: Vec<&str> = fetched.iter().map(|f| f.name.as_str()).collect();
    println!();
    println!(
        "Bytes fetched before the first verdict: {raw} raw, {gzip} gzip -9 ({:.1} KiB): {}",
        kib(gzip),
        names.join(", ")
    );
}

fn kib(bytes: u64) -> f64 {
    bytes as f64 / 1024.0
}

/// Launches the installed headless Chromium with a fresh profile.
async fn launch(profile: &Path) -> Result<(Browser, tokio::task::JoinHandle<()>), Failure> {
    let executable = cors_lab::verify::chromium_path();
    let config = cors_lab::verify::headless_chromium(&executable, profile)
        // The first viewport the issues name. `viewport(None)`: the window's
        // own, not chromiumoxide's default 800×600 emulation (until
        // 2026-12-07 the loads were measured at 800×600).
        .viewport(None)
        .window_size(1280, 800)
        .arg("no-proxy-server")
        // Nothing leaves the machine: any host but loopback fails to resolve.
        .arg("host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")
        .build()?;
    let (browser, mut handler) = Browser::launch(config).await?;
    let handler = tokio::spawn(async move { while handler.next().await.is_some() {} });
    Ok((browser, handler))
}

async fn browser_close(mut browser: Browser) -> Result<(), Failure> {
    let closed = tokio::time::timeout(Duration::from_secs(5), browser.close()).await;
    if !matches!(closed, Ok(Ok(_))) {
        let _ = browser.kill().await;
    }
    let _ = tokio::time::timeout(Duration::from_secs(5), browser.wait()).await;
    Ok(())
}

/// A blank page in a new browser context (its own empty HTTP cache).
async fn fresh_page(
    browser: &Browser,
) -> Result<
    (
        Page,
        chromiumoxide::cdp::browser_protocol::browser::BrowserContextId,
    ),
    Failure,
> {
    let context = browser
        .create_browser_context(CreateBrowserContextParams::default())
        .await?;
    let params = CreateTargetParams::builder()
        .url("about:blank")
        .browser_context_id(context.clone())
        .build()?;
    let page = browser.new_page(params).await?;
    Ok((page, context))
}
