//! Runs every scenario in the installed headless Firefox ESR (`cors-lab
//! verify --browser firefox`) and fails on any disagreement with the
//! engine's Firefox model.
//!
//! - The engine: every file in `scenarios/`, `tests/wpt/` and
//!   `tests/verify-fixtures/` is evaluated with Firefox's rules and must
//!   agree with what Firefox did on every field (outcome, preflight,
//!   preflight headers, readable headers, console text, the script's error).
//!   Their `expect` blocks are Chromium's and are not read here.
//! - The harness: Firefox-only fixtures (`"browser": "firefox"`) were written
//!   by `verify --browser firefox --write-expect`; Firefox must still do
//!   exactly that, and a few observations are spelled out below.
//!
//! Firefox is needed (`/usr/bin/firefox-esr`, or `$CORS_LAB_FIREFOX`; CI gets
//! it from `scripts/setup --browser`): without it this test fails with a
//! clear message. Files verify cannot run in real time (a Max-Age cap needs
//! hours) or that are Safari-only are skipped, and the reason is printed.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)] // tests fail loudly

use cors_lab::scenario::{disagreements, load_scenario, Browser, Outcome, PreflightUse};
use cors_lab::verify::{self, RealBrowser, Run};

mod verify_support;
use verify_support::{check_every_file, observed, relative, run_folders, Fields};

fn run_in_firefox(folders: &[&str]) -> Run {
    let firefox = verify::firefox_path();
    assert!(
        firefox.exists(),
        "Firefox ESR is not installed at {} (run `scripts/setup --browser`, which installs Debian's \
         `firefox-esr`, or set CORS_LAB_FIREFOX): the Firefox verify test needs the real browser",
        firefox.display()
    );
    let options = verify::Options {
        browser: RealBrowser::Firefox,
        firefox,
        ..verify::Options::default()
    };
    run_folders(folders, &options, "Firefox")
}

#[test]
fn the_engine_agrees_with_firefox_on_every_scenario() {
    let run = run_in_firefox(&["scenarios", "tests/wpt", "tests/verify-fixtures"]);
    println!(
        "{} · {} file(s) in {:.0} s",
        run.browser,
        run.files.len(),
        run.elapsed.as_secs_f64()
    );
    assert!(
        run.browser.starts_with("firefox"),
        "not Firefox: {}",
        run.browser
    );
    let tally = check_every_file(&run, "firefox", Fields::All, |file, v, problems| {
        // A Firefox-only fixture's `expect` is what Firefox did when it was written.
        let name = relative(&file.file);
        let scenario = load_scenario(&std::fs::read_to_string(&file.file).unwrap())
            .unwrap()
            .scenario;
        if scenario.browser == Some(Browser::Firefox) && v.real_times.is_none() {
            let expect = scenario.expect.unwrap_or_default();
            assert_eq!(
                expect.len(),
                v.observed.len(),
                "{name}: one expect entry per request"
            );
            for (index, (want, seen)) in expect.iter().zip(&v.observed).enumerate() {
                for d in disagreements(index, want, seen) {
                    problems.push(format!(
                        "{name} request {index} {}: recorded {}, Firefox now {}",
                        d.field, d.expected, d.actual
                    ));
                }
            }
        }
    });
    tally.assert_no_problems("problem(s) in Firefox");
    let verified = tally.verified;
    assert!(verified >= 150, "only {verified} files ran in Firefox");

    // A few observations spelled out, so a harness bug cannot hide behind the engine.
    let observed = |id: &str| observed(&run, id);
    let missing = observed("simple-get-missing-acao");
    assert_eq!(missing[0].outcome, Outcome::Blocked);
    assert_eq!(
        missing[0].console,
        ["Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at \
          http://api.example.com/data. (Reason: CORS header \u{2018}Access-Control-Allow-Origin\u{2019} \
          missing). Status code: 200."]
    );
    assert_eq!(
        missing[0].js_error.as_deref(),
        Some("TypeError: NetworkError when attempting to fetch resource.")
    );
    assert_eq!(missing[1].js_error, None, "async XHR fires its error event");

    let put = &observed("put-with-preflight")[0];
    assert_eq!(put.preflight, PreflightUse::Sent);
    assert_eq!(put.outcome, Outcome::Allowed);
    assert_eq!(
        put.preflight_request[1],
        ("Access-Control-Request-Method".to_owned(), "PUT".to_owned())
    );

    // Connected directly, with each line written as the file spells it:
    // two `Access-Control-Allow-Origin` lines are refused as such...
    assert_eq!(
        observed("allow-origin-sent-twice")[0].console,
        ["Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at \
          https://api.example.com/products. (Reason: Multiple CORS header \u{2018}Access-Control-Allow-Origin\u{2019} \
          not allowed)."]
    );
    // ...and the preflight cache answers (names resolve through a real resolver).
    assert_eq!(
        observed("preflight-cache-max-age")[1].preflight,
        PreflightUse::Cached
    );

    // Firefox's cache keeps `*` literally: the same request is preflighted again.
    let wildcard = observed("finding-firefox");
    assert_eq!(wildcard[0].preflight, PreflightUse::Sent);
    assert_eq!(wildcard[1].preflight, PreflightUse::Sent);

    // Local Network Access: granted lets the public page reach loopback;
    // denied, and a prompt nobody answers, end in Firefox's network-error
    // line (its "Local Network Access …" lines are parent-process lines,
    // which BiDi does not carry); targetAddressSpace changes nothing.
    let lna_failed = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote \
                      resource at https://api.example.com:9001/x. (Reason: CORS request did not succeed). \
                      Status code: (null).";
    let prompt = observed("finding-p-lna-prompt");
    for request in &prompt[..5] {
        assert_eq!(request.outcome, Outcome::NetworkError);
        assert_eq!(request.console, [lna_failed]);
    }
    assert_eq!(prompt[5].outcome, Outcome::Allowed);
    assert_eq!(observed("finding-p-lna-denied")[0].console, [lna_failed]);
    assert!(observed("finding-p-lna-granted")
        .iter()
        .all(|r| r.outcome == Outcome::Allowed));
    assert_eq!(
        observed("finding-p-lna-insecure-page")[0].outcome,
        Outcome::NetworkError
    );
}
