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

use cors_lab::scenario::{Outcome, PreflightUse};
use cors_lab::verify::{self, RealBrowser, Run};

mod verify_support;
use verify_support::{check_every_file, observed, run_folders, Fields};

fn run_in_webkit(folders: &[&str]) -> Run {
    let minibrowser = verify::minibrowser_path();
    assert!(
        minibrowser.exists(),
        "WebKitGTK's MiniBrowser is not installed at {} (run `scripts/setup --browser`, which installs \
         Debian's `libwebkit2gtk-4.1-0` and `xvfb`, or set CORS_LAB_MINIBROWSER): the WebKit verify \
         test needs the real engine",
        minibrowser.display()
    );
    let options = verify::Options {
        browser: RealBrowser::Webkit,
        minibrowser,
        ..verify::Options::default()
    };
    run_folders(folders, &options, "WebKit")
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
    let tally = check_every_file(&run, "webkit", Fields::All, |_, _, _| {});
    tally.assert_no_problems("problem(s) in WebKit");
    let verified = tally.verified;
    assert!(verified >= 150, "only {verified} files ran in WebKit");

    // A few observations spelled out, so a harness bug cannot hide behind the engine.
    let observed = |id: &str| observed(&run, id);
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
    // So does a name our resolver answers NXDOMAIN for, and a certificate
    // GnuTLS does not trust (the run's CA is its only anchor)...
    for id in ["finding-n-dns", "finding-n-tls"] {
        let failed = &observed(id)[0];
        assert_eq!(failed.outcome, Outcome::NetworkError, "{id}");
        assert!(failed.console.is_empty(), "{id}: {:?}", failed.console);
        assert_eq!(
            failed.js_error.as_deref(),
            Some("TypeError: Load failed"),
            "{id}"
        );
    }
    // ...while the certificates the run's CA issued are trusted (an https page and API).
    assert_eq!(
        observed("allow-origin-exact-match")[0].outcome,
        Outcome::Allowed
    );
}
