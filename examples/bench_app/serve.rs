//! The bench's file server: a folder on a free loopback port, every file
//! compressed with `gzip -9` (`Content-Encoding: gzip`) as a static host
//! serves it, `Cache-Control: no-store`, each requested path recorded.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::Failure;

/// The path of the empty page served next to the app: one
/// `<p data-testid="verdict">` and no script, the browser's own floor.
pub(crate) const FLOOR_PATH: &str = "/__bench_floor/";
/// (Its empty icon keeps Chromium from asking for `/favicon.ico`.)
const FLOOR_PAGE: &str = "<!doctype html><html lang=\"en\"><title>floor</title>\
                          <link rel=\"icon\" href=\"data:,\"><p data-testid=\"verdict\">verdict</p>";

/// A served folder: its base URL, the paths requested so far, and every
/// path it answered 404 (a page missing files would be measured wrong).
pub(crate) struct Site {
    pub(crate) base: String,
    pub(crate) requested: Arc<Mutex<Vec<String>>>,
    pub(crate) missing: Arc<Mutex<Vec<String>>>,
}

impl Site {
    /// Forgets the paths requested so far.
    pub(crate) fn clear(&self) {
        if let Ok(mut list) = self.requested.lock() {
            list.clear();
        }
    }

    pub(crate) fn requested(&self) -> Vec<String> {
        self.requested.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// The distinct paths answered 404 so far.
    pub(crate) fn missing(&self) -> Vec<String> {
        let mut list = self.missing.lock().map(|l| l.clone()).unwrap_or_default();
        list.sort();
        list.dedup();
        list
    }
}

/// Serves `root` on a free loopback port from background threads; with
/// `floor`, also the empty page at [`FLOOR_PATH`].
pub(crate) fn serve(root: PathBuf, floor: bool) -> Result<Site, Failure> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let address = listener.local_addr()?;
    let requested = Arc::new(Mutex::new(Vec::new()));
    let recorded = Arc::clone(&requested);
    let missing = Arc::new(Mutex::new(Vec::new()));
    let not_found = Arc::clone(&missing);
    // Each file's gzip -9 body, compressed once.
    let compressed: Arc<Mutex<HashMap<PathBuf, Arc<Vec<u8>>>>> = Arc::default();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            let recorded = Arc::clone(&recorded);
            let not_found = Arc::clone(&not_found);
            let compressed = Arc::clone(&compressed);
            std::thread::spawn(move || {
                let found = answer(stream, &root, floor, &recorded, &compressed);
                if let (Some(path), Ok(mut list)) = (found, not_found.lock()) {
                    list.push(path);
                }
            });
        }
    });
    Ok(Site {
        base: format!("http://{address}"),
        requested,
        missing,
    })
}

/// The file a static host answers `path` with: the file itself, else
/// `PATH.html`, else `PATH/index.html` (Next.js's export with
/// `trailingSlash`, Trunk's `index.html`).
/// The path is percent-decoded first (Next.js names folders `[step]`).
fn resolve(root: &Path, path: &str) -> Option<PathBuf> {
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    let relative = decoded.trim_start_matches('/');
    if relative.split('/').any(|part| part == "..") {
        return None;
    }
    let plain = root.join(relative);
    let candidates = [
        plain.clone(),
        root.join(format!("{}.html", relative.trim_end_matches('/'))),
        plain.join("index.html"),
    ];
    candidates.into_iter().find(|file| file.is_file())
}

/// Reads one request's line and headers; `(path, accepts gzip)`.
fn read_request(stream: &TcpStream) -> Option<(String, bool)> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut gzip = false;
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header.trim().is_empty() => break,
            Ok(_) => {
                let lower = header.to_ascii_lowercase();
                if lower.starts_with("accept-encoding:") && lower.contains("gzip") {
                    gzip = true;
                }
            }
        }
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/").to_owned();
    Some((path, gzip))
}

/// Answers one HTTP/1.1 GET with a file of `root` (or 404), then closes;
/// returns the path when it was not found.
fn answer(
    mut stream: TcpStream,
    root: &Path,
    floor: bool,
    requested: &Mutex<Vec<String>>,
    compressed: &Mutex<HashMap<PathBuf, Arc<Vec<u8>>>>,
) -> Option<String> {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let (path, accepts_gzip) = read_request(&stream)?;
    if let Ok(mut list) = requested.lock() {
        list.push(path.clone());
    }
    let (status, kind, body) = if floor && path == FLOOR_PATH {
        (
            "200 OK",
            content_type("html"),
            Some(Arc::new(FLOOR_PAGE.as_bytes().to_vec())),
        )
    } else {
        match resolve(root, &path) {
            Some(file) => {
                let extension = file.extension().and_then(|e| e.to_str()).unwrap_or("");
                ("200 OK", content_type(extension), read(&file))
            }
            None => ("404 Not Found", content_type("txt"), None),
        }
    };
    let missing = body.is_none().then(|| path.clone());
    let body = body.unwrap_or_else(|| Arc::new(b"not found".to_vec()));
    // Like a host's compression settings (Caddy's `encode`, nginx's
    // `gzip_types`): text and WebAssembly (the app fetches its `.wasm`; a
    // host serving the app must compress it too), not the formats that are
    // compressed already (woff2, png, webp).
    let compressible = kind.starts_with("text/")
        || kind.contains("json")
        || kind.contains("svg")
        || kind == "application/wasm";
    let (encoding, body) = if accepts_gzip && compressible {
        match gzip_cached(&path, &body, compressed) {
            Some(gzipped) => (
                "content-encoding: gzip\r\nvary: accept-encoding\r\n",
                gzipped,
            ),
            None => ("", body),
        }
    } else {
        ("", body)
    };
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {kind}\r\ncontent-length: {}\r\n{encoding}\
         cache-control: no-store\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
    missing
}

fn read(file: &Path) -> Option<Arc<Vec<u8>>> {
    std::fs::read(file).ok().map(Arc::new)
}

/// `body` compressed by `gzip -9`, compressed once per path.
fn gzip_cached(
    path: &str,
    body: &[u8],
    compressed: &Mutex<HashMap<PathBuf, Arc<Vec<u8>>>>,
) -> Option<Arc<Vec<u8>>> {
    let key = PathBuf::from(path);
    if let Some(known) = compressed.lock().ok()?.get(&key) {
        return Some(Arc::clone(known));
    }
    let gzipped = Arc::new(gzip(body).ok()?);
    compressed.lock().ok()?.insert(key, Arc::clone(&gzipped));
    Some(gzipped)
}

/// `body` through `gzip -9c` (the `gzip` program, as the shipped-bytes table).
pub(crate) fn gzip(body: &[u8]) -> Result<Vec<u8>, Failure> {
    let mut child = Command::new("gzip")
        .arg("-9c")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let mut stdin = child.stdin.take().ok_or("gzip: no stdin")?;
    let input = body.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output()?;
    let _ = writer.join();
    if !output.status.success() {
        return Err("gzip -9c failed".into());
    }
    Ok(output.stdout)
}

fn content_type(extension: &str) -> &'static str {
    match extension {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "webmanifest" => "application/json",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "webp" => "image/webp",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
