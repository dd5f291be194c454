//! Runs every scenario in WebKitGTK's MiniBrowser under Xvfb (`cors-lab
//! verify --browser webkit`) and fails on any disagreement with the engine's
//! Safari model.
//!
//! - The engine: every file in `scenarios/`, `tests/wpt/` and
//!   `tests/verify-fixtures/` is evaluated with Safari's rules and must agree
//!   with what WebCore did on every field (outcome, preflight, preflight
//!   headers, readable headers, console text at its level, the script's
//!   error), and on what was sent. Safari's `Failed to load resource: …` lines
//!   (Web Inspector's own, never in WebCore's system console) are left out
//!   of the comparison; files where WebKitGTK's network stack cannot stand for
//!   Safari's are skipped with the reason (see FINDINGS-webkit.md).
//! - The harness: a few observations are spelled out below.
//!
//! MiniBrowser and Xvfb are needed (Debian's `libwebkit2gtk-4.1-0` and
//! `xvfb`, or `$CORS_LAB_MINIBROWSER`; CI gets them from `scripts/setup
//! --browser`): without them this test fails with a clear message. So is
//! root (or a user namespace), for MiniBrowser's own `/etc/resolv.conf`.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)] // tests fail loudly

use std::path::{Path, PathBuf};

use cors_lab::scenario::{Outcome, PreflightUse};
use cors_lab::verify::{self, FileStatus, RealBrowser, Run};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

fn run_in_webkit(folders: &[&str]) -> Run {
    let minibrowser = verify::minibrowser_path();
    assert!(
        minibrowser.exists(),
        "WebKitGTK's MiniBrowser is not installed at {} (run `scripts/setup --browser`, which installs \
         Debian's `libwebkit2gtk-4.1-0` and `xvfb`, or set CORS_LAB_MINIBROWSER): the WebKit verify \
         test needs the real engine",
        minibrowser.display()
    );
    let folders: Vec<PathBuf> = folders.iter().map(|f| root().join(f)).collect();
    let files = verify::collect_files(&folders).unwrap();
    let options = verify::Options {
        browser: RealBrowser::Webkit,
        minibrowser,
        ..verify::Options::default()
    };
    verify::verify_files(&files, &options).unwrap_or_else(|e| panic!("cannot run WebKit: {e}"))
}

#[test]
fn the_engine_agrees_with_webkit_on_every_scenario() {
    let run = run_in_webkit(&["scenarios", "tests/wpt", "tests/verify-fixtures"]);
    println!(
        "{} · {} file(s) in {:.0} s",
        run.browser,
        run.files.len(),
        run.elapsed.as_secs_f64()
    );
    assert!(
        run.browser.starts_with("WebKitGTK"),
        "not WebKitGTK: {}",
        run.browser
    );
    let mut problems = Vec::new();
    let mut verified = 0;
    let mut wire_compared = 0;
    for file in &run.files {
        let name = relative(&file.file);
        let v = match &file.status {
            FileStatus::Verified(v) => v,
            FileStatus::Skipped(reason) => {
                println!("skipped {name}: {reason}");
                continue;
            }
            FileStatus::Failed(error) => {
                problems.push(format!("{name}: harness failure: {error}"));
                continue;
            }
        };
        verified += 1;
        if let Some(slip) = &v.real_times {
            println!("{name}: judged at its real times: {slip}");
        }
        for d in &v.wire_disagreements {
            problems.push(format!(
                "{} request {} sent {}:\n    webkit: {}\n    engine: {}",
                name, d.request, d.field, d.observed, d.engine
            ));
        }
        wire_compared += v.wire_exchanges_compared;
        for line in &v.unattributed_console {
            problems.push(format!(
                "{name}: console line printed while no request was in flight: {line}"
            ));
        }
        for d in &v.disagreements {
            problems.push(format!(
                "{name} request {} {}:\n    webkit: {}\n    engine: {}",
                d.request, d.field, d.observed, d.engine
            ));
        }
    }
    println!("exchanges compared on the wire: {wire_compared}");
    assert!(wire_compared > 0, "no exchange was compared on the wire");
    assert!(
        problems.is_empty(),
        "{} problem(s) in WebKit:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(verified >= 150, "only {verified} files ran in WebKit");

    // A few observations spelled out, so a harness bug cannot hide behind the engine.
    let observed = |id: &str| match &run
        .files
        .iter()
        .find(|f| f.id.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("{id} not found"))
        .status
    {
        FileStatus::Verified(v) => v.observed.clone(),
        other => panic!("{id} was not verified: {other:?}"),
    };
    let missing = observed("simple-get-missing-acao");
    assert_eq!(missing[0].outcome, Outcome::Blocked);
    assert_eq!(
        missing[0].console,
        [
            "Origin http://app.example.com is not allowed by Access-Control-Allow-Origin. Status code: 200",
            "Fetch API cannot load http://api.example.com/data due to access control checks."
        ]
    );
    assert_eq!(
        missing[0].js_error.as_deref(),
        Some("TypeError: Load failed")
    );
    assert_eq!(missing[1].js_error, None, "async XHR fires its error event");

    let put = &observed("put-with-preflight")[0];
    assert_eq!(put.preflight, PreflightUse::Sent);
    assert_eq!(put.outcome, Outcome::Allowed);
    // The preflight cache answers: names resolve through a real resolver.
    assert_eq!(
        observed("preflight-cache-max-age")[1].preflight,
        PreflightUse::Cached
    );
    // A network error leaves no line of WebCore's own.
    let down = observed("server-down-is-not-a-cors-error");
    assert_eq!(down[0].outcome, Outcome::NetworkError);
    assert!(down[0].console.is_empty(), "{:?}", down[0].console);
}
