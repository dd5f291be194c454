//! What the end-to-end tests (`tests/e2e_*.rs`) share: a static server for
//! the Trunk-built `dist/` on 127.0.0.1, the installed headless Chromium with a
//! fresh profile, and small helpers to evaluate, wait and take screenshots.
//! Each test file includes it with `#[path = "e2e/support.rs"] mod support;`.
#![allow(dead_code)] // not every test file uses every helper

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chromiumoxide::browser::Browser;
use chromiumoxide::cdp::browser_protocol::emulation::SetDeviceMetricsOverrideParams;
use chromiumoxide::page::ScreenshotParams;
use chromiumoxide::Page;
use futures::StreamExt;

pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Serves `dist` on a free loopback port from a background thread; returns the base URL.
pub(crate) fn serve(dist: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dist = dist.clone();
            std::thread::spawn(move || answer(stream, &dist));
        }
    });
    format!("http://{address}/")
}

/// Answers one HTTP/1.1 request with a file from `dist` (or 404), then closes.
pub(crate) fn answer(mut stream: TcpStream, dist: &Path) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
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
    let path = line.split_whitespace().nth(1).unwrap_or("/");
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let relative = if path == "/" {
        "index.html"
    } else {
        path.trim_start_matches('/')
    };
    let file = dist.join(relative);
    let allowed = !relative.contains("..") && file.is_file();
    let (status, body) = match allowed.then(|| std::fs::read(&file).ok()).flatten() {
        Some(body) => ("200 OK", body),
        None => ("404 Not Found", b"not found".to_vec()),
    };
    let kind = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    };
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {kind}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

pub(crate) async fn launch() -> (Browser, tokio::task::JoinHandle<()>, tempfile::TempDir) {
    let chromium = cors_lab::verify::chromium_path();
    assert!(
        chromium.exists(),
        "Chromium is not installed at {} (scripts/setup --browser installs it, or set CORS_LAB_CHROMIUM)",
        chromium.display()
    );
    let profile = tempfile::tempdir().unwrap();
    let config = cors_lab::verify::headless_chromium(&chromium, profile.path())
        .viewport(None)
        .window_size(1280, 800)
        .args(["headless", "hide-scrollbars"])
        .build()
        .unwrap();
    let (browser, mut handler) = Browser::launch(config).await.unwrap();
    let handler = tokio::spawn(async move { while handler.next().await.is_some() {} });
    (browser, handler, profile)
}

/// Evaluates `js` and returns its JSON value.
pub(crate) async fn eval(page: &Page, js: &str) -> serde_json::Value {
    page.evaluate(js)
        .await
        .unwrap_or_else(|e| panic!("cannot evaluate {js}: {e}"))
        .value()
        .cloned()
        .unwrap_or(serde_json::Value::Null)
}

/// Waits (at most 20 s) until `js` is `true`.
pub(crate) async fn wait_until(page: &Page, js: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if eval(page, js).await == serde_json::Value::Bool(true) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting until {what} ({js})"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the app has rendered a verdict.
pub(crate) async fn ready(page: &Page) {
    wait_until(
        page,
        // The pre-rendered first view (scripts/prerender) looks ready too, but
        // is static until the app has taken over and removed it.
        "!!document.querySelector('[data-testid=app-ready] [data-testid=verdict]') && !document.querySelector('[data-prerendered]')",
        "the app shows a verdict",
    )
    .await;
}

/// Picks `theme` (`light` or `dark`) in the toolbar and waits until the page
/// has applied it.
pub(crate) async fn set_theme(page: &Page, theme: &str) {
    let js = format!(
        "(() => {{ const s = document.querySelector('[data-testid=theme]'); s.value = '{theme}'; \
         s.dispatchEvent(new Event('change', {{ bubbles: true }})); return true; }})()"
    );
    eval(page, &js).await;
    wait_until(
        page,
        &format!("document.documentElement.dataset.theme === '{theme}'"),
        "the theme switch",
    )
    .await;
}

/// Saves a full-page screenshot at this viewport; returns the page's
/// scroll width there (measured before the capture resizes anything).
pub(crate) async fn screenshot(
    page: &Page,
    name: &str,
    width: i64,
    height: i64,
    mobile: bool,
) -> u64 {
    page.execute(SetDeviceMetricsOverrideParams::new(
        width, height, 1.0, mobile,
    ))
    .await
    .unwrap();
    // A full-page capture would show panels below the fold that
    // `content-visibility: auto` has not laid out yet at their placeholder
    // size (a blank band at the bottom), and the width check below would not
    // see them: lay everything out first.
    eval(
        page,
        "document.querySelectorAll('.panel, .tv-panel').forEach((el) => el.style.contentVisibility = 'visible'); true",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let scroll_width = eval(page, "document.documentElement.scrollWidth")
        .await
        .as_u64()
        .unwrap_or(u64::MAX);
    let folder = root().join("tests/e2e/screenshots");
    std::fs::create_dir_all(&folder).unwrap();
    page.save_screenshot(
        ScreenshotParams::builder().full_page(true).build(),
        folder.join(format!("{name}.png")),
    )
    .await
    .unwrap();
    scroll_width
}
