//! Runs scenarios in the installed headless Chromium (`cors-lab verify`).
//!
//! - The harness itself: the fixtures in `tests/verify-fixtures/` record what
//!   Chromium really does (`verify --write-expect`); the browser must still do
//!   exactly that, and a few observations are spelled out below.
//! - The engine: every scenario in `scenarios/` and `tests/wpt/` must agree
//!   with the browser.
//!
//! Chromium is needed (`/usr/bin/chromium`, or `$CORS_LAB_CHROMIUM`): without
//! it these tests fail with a clear message. Each run takes loopback
//! addresses of its own (`127.0.0.2`…), but the two tests still run one at a
//! time so that neither slows the other's timed (`at_ms`) scenarios.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)] // tests fail loudly

use std::sync::Mutex;

use cors_lab::scenario::{disagreements, load_scenario, Outcome, PreflightUse, RequestResult};
use cors_lab::verify::{self, FileReport, FileStatus, Run};

mod verify_support;
use verify_support::{check_every_file, run_folders, Fields};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn run_verify(folders: &[&str]) -> Run {
    let chromium = verify::chromium_path();
    assert!(
        chromium.exists(),
        "Chromium is not installed at {} (run `apt-get install chromium`, or set CORS_LAB_CHROMIUM): \
         the verify tests need a real browser",
        chromium.display()
    );
    let options = verify::Options {
        chromium,
        ..verify::Options::default()
    };
    run_folders(folders, &options, "Chromium")
}

fn verified<'a>(run: &'a Run, id: &str) -> &'a [RequestResult] {
    let file = run
        .files
        .iter()
        .find(|f| f.id.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("fixture {id} not found"));
    match &file.status {
        FileStatus::Verified(v) => &v.observed,
        other => panic!("fixture {id} was not verified: {other:?}"),
    }
}

fn failures(run: &Run) -> Vec<String> {
    run.files
        .iter()
        .filter_map(|f: &FileReport| match &f.status {
            FileStatus::Failed(e) => Some(format!("{}: harness failure: {e}", f.file.display())),
            _ => None,
        })
        .collect()
}

#[test]
fn chromium_still_does_what_the_fixtures_recorded() {
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let run = run_verify(&["tests/verify-fixtures"]);
    let mut problems = failures(&run);
    let mut wire_compared = 0;

    // Each fixture's `expect` was written from Chromium's own behaviour.
    for file in &run.files {
        let FileStatus::Verified(v) = &file.status else {
            continue;
        };
        for d in &v.wire_disagreements {
            problems.push(format!(
                "{} request {} sent {}:\n    chromium: {}\n    engine:   {}",
                file.file.display(),
                d.request,
                d.field,
                d.observed,
                d.engine
            ));
        }
        wire_compared += v.wire_exchanges_compared;
        if let Some(slip) = &v.real_times {
            // The browser was asked at other times than the recorded ones
            // (the engine still had to agree with it, see the other test).
            println!(
                "{}: not compared with its recorded expect: {slip}",
                file.file.display()
            );
            continue;
        }
        let text = std::fs::read_to_string(&file.file).unwrap();
        let scenario = load_scenario(&text).unwrap().scenario;
        let expect = scenario.expect.unwrap_or_default();
        assert_eq!(
            expect.len(),
            v.observed.len(),
            "{}: one expect entry per request",
            file.file.display()
        );
        for (index, (want, seen)) in expect.iter().zip(&v.observed).enumerate() {
            for d in disagreements(index, want, seen) {
                problems.push(format!(
                    "{} request {index} {}: recorded {}, Chromium now {}",
                    file.file.display(),
                    d.field,
                    d.expected,
                    d.actual
                ));
            }
        }
    }
    println!("exchanges compared on the wire: {wire_compared}");
    assert!(wire_compared > 0, "no exchange was compared on the wire");
    assert!(
        problems.is_empty(),
        "Chromium no longer does what the fixtures recorded:\n{}",
        problems.join("\n")
    );

    // A few observations spelled out, so a harness bug cannot hide behind --write-expect.
    let missing = verified(&run, "simple-get-missing-acao");
    let fetch = &missing[0];
    assert_eq!(fetch.outcome, Outcome::Blocked);
    assert_eq!(fetch.preflight, PreflightUse::None);
    assert!(fetch.cross_origin);
    assert_eq!(
        fetch.console.first().map(String::as_str),
        Some(
            "Access to fetch at 'http://api.example.com/data' from origin 'http://app.example.com' has been \
             blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource."
        )
    );
    assert_eq!(
        fetch.js_error.as_deref(),
        Some("TypeError: Failed to fetch")
    );
    let xhr = &missing[1];
    assert_eq!(xhr.outcome, Outcome::Blocked);
    assert!(xhr.console[0]
        .starts_with("Access to XMLHttpRequest at 'http://api.example.com/data' from origin"));
    assert_eq!(
        xhr.js_error, None,
        "async XHR reports failure through its error event"
    );

    let allowed = &verified(&run, "simple-get-wildcard")[0];
    assert_eq!(allowed.outcome, Outcome::Allowed);
    assert!(allowed.console.is_empty());
    assert!(allowed
        .readable_headers
        .contains(&"content-type".to_owned()));
    assert!(
        !allowed.readable_headers.contains(&"x-secret".to_owned()),
        "not exposed, not safelisted"
    );

    let put = &verified(&run, "put-with-preflight")[0];
    assert_eq!(put.preflight, PreflightUse::Sent);
    assert_eq!(
        put.preflight_request,
        [
            ("Origin".to_owned(), "https://app.example.com".to_owned()),
            ("Access-Control-Request-Method".to_owned(), "PUT".to_owned()),
            (
                "Access-Control-Request-Headers".to_owned(),
                "content-type".to_owned()
            ),
        ]
    );
    assert_eq!(put.outcome, Outcome::Allowed);

    // Local Network Access (a public page, a loopback server): refused as a
    // CORS error with no preflight, unless the page holds the permission.
    let prompt = verified(&run, "finding-p-lna-prompt");
    assert_eq!(prompt[0].outcome, Outcome::Blocked);
    assert_eq!(prompt[0].preflight, PreflightUse::None);
    assert!(prompt[0].console[0].ends_with(
        "has been blocked by CORS policy: Permission was denied for this request to access the `loopback` address space."
    ));
    assert!(prompt[3].console[0].ends_with(
        "Request had a target IP address space of `local` yet the resource is in address space `loopback`."
    ));
    assert_eq!(
        prompt[5].outcome,
        Outcome::Allowed,
        "a public server needs no permission"
    );
    // Chromium's own CorsError for each (two of them read from the second
    // CDP session, chromiumoxide's types predating them).
    let cors_errors = |id: &str| -> Vec<Option<String>> {
        match &run
            .files
            .iter()
            .find(|f| f.id.as_deref() == Some(id))
            .unwrap()
            .status
        {
            FileStatus::Verified(v) => v
                .chromium_cors_errors
                .iter()
                .map(|c| c.as_ref().map(|c| c.cors_error.clone()))
                .collect(),
            other => panic!("{id} was not verified: {other:?}"),
        }
    };
    let prompt_errors = cors_errors("finding-p-lna-prompt");
    assert_eq!(
        prompt_errors[0].as_deref(),
        Some("LocalNetworkAccessPermissionDenied")
    );
    assert_eq!(
        prompt_errors[3].as_deref(),
        Some("InvalidLocalNetworkAccess")
    );
    assert_eq!(
        cors_errors("finding-p-lna-insecure-page")[0].as_deref(),
        Some("InsecureLocalNetwork")
    );
    // Granted: Chromium still raises a LocalNetworkAccessPermissionDenied
    // issue (Audits), but no failed load, so no CorsError here.
    assert!(cors_errors("finding-p-lna-granted")
        .iter()
        .all(Option::is_none));
    let granted = verified(&run, "finding-p-lna-granted");
    assert!(granted
        .iter()
        .all(|r| r.outcome == Outcome::Allowed && r.console.is_empty()));
    assert_eq!(
        verified(&run, "finding-p-lna-denied")[0].outcome,
        Outcome::Blocked
    );
    assert!(verified(&run, "finding-p-lna-insecure-page")[0].console[0].ends_with(
        "The request client is not a secure context and the resource is in more-private address space `loopback`."
    ));
    let coep = verified(&run, "finding-p-coep");
    assert_eq!(
        coep[0].console,
        ["Failed to load resource: net::ERR_BLOCKED_BY_RESPONSE.NotSameOriginAfterDefaultedToSameOriginByCoep"]
    );
    assert_eq!(coep[3].outcome, Outcome::Opaque);
    // The preflight's own origin and credentials checks, each its own
    // CorsError (Chromium's `cors.mojom`): reached by no other file.
    assert_eq!(
        cors_errors("finding-r-preflight-origin-and-credentials"),
        [
            "PreflightWildcardOriginNotAllowed",
            "PreflightMultipleAllowOriginValues",
            "PreflightInvalidAllowOriginValue",
            "PreflightInvalidAllowCredentials",
            "PreflightInvalidAllowCredentials",
        ]
        .map(|e| Some(e.to_owned()))
    );
}

#[test]
fn the_engine_agrees_with_chromium_on_every_scenario() {
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let run = run_verify(&["scenarios", "tests/wpt"]);
    const CHECKED: [&str; 7] = [
        "result",
        "outcome",
        "preflight",
        "preflight_request",
        "readable_headers",
        "console",
        "js_error",
    ];
    check_every_file(&run, "chromium", Fields::Only(&CHECKED), |_, _, _| {})
        .assert_no_problems("disagreement(s) with Chromium");
}
