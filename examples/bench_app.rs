//! Benchmark of the built app (`dist/`) against the budgets of the teaching app:
//! shipped bytes, load time to the first verdict, and edit to re-render.
//!
//! ```sh
//! cargo run --release --example bench_app -- DIST [--loads N] [--edits N]
//! ```
//!
//! `scripts/bench-app` builds `dist/` and runs this; `BENCHMARKS.md` explains
//! the method and records the figures. What it does:
//!
//! 1. **Bytes**: every file in DIST, raw and `gzip -9` (the `gzip` program).
//! 2. **Load**: serves DIST on 127.0.0.1 (a plain file server, `no-store`), and
//!    N times (default 21) opens a fresh page in a fresh browser context (empty
//!    cache) of the installed headless Chromium, with a script injected before
//!    any of the page's own (`Page.addScriptToEvaluateOnNewDocument`) that
//!    watches the DOM: the time is `performance.now()` (milliseconds since
//!    navigation start) when `[data-testid="verdict"]` is first in the DOM with
//!    a box, and again in the next animation frame. It also records which
//!    files the page fetched before the verdict: "bytes to the first verdict".
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

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
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
/// `[dom, frame, files, marks]`, all `performance.now()` (ms since navigation
/// start); `files` is when the last file fetched so far had arrived, `marks`
/// the page's own `performance.mark`s so far (the loader's and the app's
/// phases) as `[name, time]` pairs.
const WATCH_VERDICT: &str = r#"
window.__benchVerdict = new Promise((resolve) => {
  const visible = () => {
    const element = document.querySelector(SELECTOR);
    return element !== null && element.getClientRects().length > 0;
  };
  const observer = new MutationObserver(() => {
    if (!visible()) return;
    observer.disconnect();
    const dom = performance.now();
    // When the last file the page fetched had fully arrived.
    const files = Math.max(0, ...performance.getEntriesByType("resource").map((e) => e.responseEnd));
    const marks = performance.getEntriesByType("mark").map((m) => [m.name, m.startTime]);
    requestAnimationFrame(() => resolve([dom, performance.now(), files, marks]));
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true });
});
"#;

/// Resolves once the app's second render (editors included) is in the DOM,
/// or after 5 s.
const WAIT_READY: &str = r#"
new Promise((resolve) => {
  const started = performance.now();
  const poll = () => {
    if (document.querySelector('[data-testid="app-ready"]') !== null || performance.now() - started > 5000) {
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

type Failure = Box<dyn std::error::Error>;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Failure> {
    let options = Options::from_args()?;
    let files = dist_files(&options.dist)?;
    print_bytes(&files)?;

    let requested = Arc::new(Mutex::new(Vec::new()));
    let base = serve(options.dist.clone(), Arc::clone(&requested))?;
    let profile = tempfile::Builder::new().prefix("bench-app-").tempdir()?;
    let (browser, handler) = launch(profile.path()).await?;
    let outcome = measure(&browser, &base, &options, &files, &requested).await;
    let _ = browser_close(browser).await;
    handler.abort();
    outcome
}

async fn measure(
    browser: &Browser,
    base: &str,
    options: &Options,
    files: &[DistFile],
    requested: &Mutex<Vec<String>>,
) -> Result<(), Failure> {
    let mut dom = Vec::new();
    let mut frame = Vec::new();
    let mut arrived = Vec::new();
    // Each phase mark's times, in the order the first load saw them.
    let mut phases: Vec<(String, Vec<f64>)> = Vec::new();
    for run in 0..options.loads {
        if let Ok(mut list) = requested.lock() {
            list.clear();
        }
        let (page, context) = fresh_page(browser).await?;
        let times = load(&page, base).await;
        let _ = page.close().await;
        let _ = browser.dispose_browser_context(context).await;
        let times = times?;
        if run == 0 {
            let list = requested.lock().map(|l| l.clone()).unwrap_or_default();
            print_first_verdict_bytes(files, &list);
        }
        dom.push(times.dom);
        frame.push(times.frame);
        arrived.push(times.files);
        for (name, at) in times.marks {
            match phases.iter_mut().find(|(known, _)| *known == name) {
                Some((_, values)) => values.push(at),
                None => phases.push((name, vec![at])),
            }
        }
    }
    println!();
    println!(
        "## Navigation start → first verdict ({} fresh loads)",
        options.loads
    );
    println!();
    println!("| | median | p90 | min | max |");
    println!("|---|---:|---:|---:|---:|");
    print_row("all files received (loopback)", &mut arrived);
    for (name, values) in &mut phases {
        print_row(&format!("mark `{name}`"), values);
    }
    print_row("verdict in the DOM", &mut dom);
    print_row("next animation frame", &mut frame);

    if options.profile {
        let (page, context) = fresh_page(browser).await?;
        let profiled = profile_load(&page, base).await;
        let _ = page.close().await;
        let _ = browser.dispose_browser_context(context).await;
        print_profile("one load", &profiled?);
    }

    let (page, context) = fresh_page(browser).await?;
    let edits = edit(&page, base, options.edits, options.profile).await;
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

/// One load's times, in ms after navigation start.
struct LoadTimes {
    dom: f64,
    frame: f64,
    files: f64,
    /// The page's `performance.mark`s: the loader's and the app's phases.
    marks: Vec<(String, f64)>,
}

/// Navigates `page` to the app and waits for its first verdict.
async fn load(page: &Page, base: &str) -> Result<LoadTimes, Failure> {
    page.evaluate_on_new_document(WATCH_VERDICT.replace("SELECTOR", &js_string(VERDICT)))
        .await?;
    page.goto(base).await?;
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
    match (time(0), time(1), time(2)) {
        (Some(dom), Some(frame), Some(files)) => Ok(LoadTimes {
            dom,
            frame,
            files,
            marks,
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
    load(page, base).await?;
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
    load(page, base).await?;
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

fn print_row(label: &str, values: &mut [f64]) {
    values.sort_by(f64::total_cmp);
    let at = |q: f64| -> f64 {
        let index = ((values.len() as f64 - 1.0) * q).round() as usize;
        values.get(index).copied().unwrap_or(f64::NAN)
    };
    println!(
        "| {label} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms |",
        at(0.5),
        at(0.9),
        at(0.0),
        at(1.0)
    );
}

struct Options {
    dist: PathBuf,
    loads: usize,
    edits: usize,
    /// `--profile`: one more load under the CPU profiler, its hot functions
    /// printed, and the edits profiled too.
    profile: bool,
}

impl Options {
    fn from_args() -> Result<Self, Failure> {
        let usage = "usage: bench_app DIST [--loads N] [--edits N] [--profile]";
        let mut args = std::env::args().skip(1);
        let mut options = Options {
            dist: PathBuf::new(),
            loads: 21,
            edits: 51,
            profile: false,
        };
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--profile" => options.profile = true,
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
    std::io::stdout().flush()?;
    Ok(())
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

/// Serves `dist` on a free loopback port from background threads, recording
/// each requested path; returns the base URL.
fn serve(dist: PathBuf, requested: Arc<Mutex<Vec<String>>>) -> Result<String, Failure> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let address = listener.local_addr()?;
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dist = dist.clone();
            let requested = Arc::clone(&requested);
            std::thread::spawn(move || answer(stream, &dist, &requested));
        }
    });
    Ok(format!("http://{address}/"))
}

/// Answers one HTTP/1.1 GET with a file of `dist` (or 404), then closes.
fn answer(mut stream: TcpStream, dist: &Path, requested: &Mutex<Vec<String>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Ok(reader) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(reader);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header.trim().is_empty() => break,
            Ok(_) => {}
        }
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/").to_owned();
    if let Ok(mut list) = requested.lock() {
        list.push(path.clone());
    }
    let relative = if path == "/" {
        "index.html"
    } else {
        path.trim_start_matches('/')
    };
    let file = dist.join(relative);
    let body = (!relative.contains("..") && file.is_file())
        .then(|| std::fs::read(&file).ok())
        .flatten();
    let kind = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    };
    let (status, body) = match body {
        Some(body) => ("200 OK", body),
        None => ("404 Not Found", b"not found".to_vec()),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {kind}\r\ncontent-length: {}\r\n\
         cache-control: no-store\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

/// Launches the installed headless Chromium with a fresh profile.
async fn launch(profile: &Path) -> Result<(Browser, tokio::task::JoinHandle<()>), Failure> {
    let executable = cors_lab::verify::chromium_path();
    let config = cors_lab::verify::headless_chromium(&executable, profile)
        .window_size(1200, 900)
        .arg("no-proxy-server")
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
