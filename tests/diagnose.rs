//! `diagnose`: every fixture in tests/diagnose-fixtures/ gives the right
//! format, first finding and fix; plus redaction and the CLI.
#![allow(clippy::expect_used, clippy::panic)] // a fixture that cannot be read or diagnosed should fail loudly

use std::path::PathBuf;

use cors_lab::diagnose::redact::{redact, redact_text, REDACTED};
use cors_lab::diagnose::{diagnose, Diagnosis};
use cors_lab::engine::fixes::text;
use cors_lab::engine::Stage;
use cors_lab::engine::{Advice, CorsHeader, FixAction, FixStage};
use cors_lab::scenario::{Browser, Outcome};

const APP: &str = "http://app.example.test:47311";

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/diagnose-fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn run(name: &str) -> Diagnosis {
    diagnose(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The first finding's stage, header and value, and whether a replayed response confirms it.
fn first(d: &Diagnosis) -> (FixStage, String, String, bool) {
    let finding = d.findings().next().expect("a finding");
    match finding.fix.action.header() {
        Some((header, value)) => (
            finding.fix.stage,
            header.to_owned(),
            value,
            finding.confirmed,
        ),
        None => panic!("expected a header fix, got {:?}", finding.fix),
    }
}

#[test]
fn chrome_console_lines_recorded_from_chromium() {
    let d = run("chrome-console-missing-acao.txt");
    assert_eq!(d.format_name(), "console");
    assert_eq!(
        d.console.len(),
        2,
        "the CORS line and the generic net::ERR_FAILED line"
    );
    assert!(d.console.iter().all(|l| l.browser == Browser::Chrome));
    assert!(
        d.console[1].failure.is_none(),
        "net::ERR_FAILED names no reason"
    );
    assert_eq!(
        first(&d),
        (
            FixStage::Actual,
            "Access-Control-Allow-Origin".into(),
            APP.into(),
            false
        )
    );
    assert!(
        d.sentence().contains("paste the actual response headers"),
        "{}",
        d.sentence()
    );

    let d = run("chrome-console-preflight-no-acao.txt");
    assert_eq!(
        first(&d),
        (
            FixStage::Preflight,
            "Access-Control-Allow-Origin".into(),
            APP.into(),
            false
        )
    );
    assert!(d
        .sentence()
        .contains("paste the preflight (OPTIONS) response headers"));

    let d = run("chrome-console-header-not-allowed.txt");
    assert_eq!(
        first(&d),
        (
            FixStage::Preflight,
            "Access-Control-Allow-Headers".into(),
            "x-trace".into(),
            false
        )
    );

    let d = run("chrome-console-wildcard-credentials.txt");
    assert_eq!(
        first(&d),
        (
            FixStage::Actual,
            "Access-Control-Allow-Origin".into(),
            APP.into(),
            false
        )
    );
}

#[test]
fn har_recorded_from_chromium_lists_every_failure_preflights_included() {
    let d = run("chromium-session.har");
    assert_eq!(d.format_name(), "har");
    let blocked: Vec<&str> = d
        .reports
        .iter()
        .filter(|r| {
            r.trace
                .as_ref()
                .is_some_and(|t| t.result.outcome == Outcome::Blocked)
        })
        .map(|r| r.case.url.rsplit('/').next().unwrap_or(""))
        .collect();
    let mut sorted = blocked.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "header-not-allowed",
            "missing-acao",
            "preflight-no-acao",
            "wildcard-credentials"
        ]
    );
    let ok = d
        .reports
        .iter()
        .find(|r| r.case.url.ends_with("/ok"))
        .unwrap();
    assert_eq!(ok.trace.as_ref().unwrap().result.outcome, Outcome::Allowed);
    assert!(ok.findings.is_empty());
    // Same-origin entries (the page, its favicon) are not CORS requests.
    assert!(d
        .reports
        .iter()
        .all(|r| r.case.url.starts_with("http://api.")));
    let header = d
        .reports
        .iter()
        .find(|r| r.case.url.ends_with("/header-not-allowed"))
        .unwrap();
    assert_eq!(header.findings[0].fix.stage, FixStage::Preflight);
    assert_eq!(
        header.findings[0].fix.action,
        FixAction::Send(CorsHeader::AllowHeaders(vec![
            "content-type".into(),
            "x-trace".into()
        ]))
    );
    assert_eq!(
        header.failing_step.as_ref().unwrap().stage,
        Stage::Preflight
    );
    // `_corsError` says credentials were sent: the wildcard is refused.
    let wildcard = d
        .reports
        .iter()
        .find(|r| r.case.url.ends_with("/wildcard-credentials"))
        .unwrap();
    assert_eq!(wildcard.findings.len(), 2);
    assert_eq!(
        wildcard.findings[1].fix.action,
        FixAction::Send(CorsHeader::AllowCredentials)
    );
}

#[test]
fn chrome_curl_bash_alone_asks_for_the_preflight_response() {
    let d = run("chrome-curl-bash.txt");
    assert_eq!(d.format_name(), "curl-bash");
    assert!(d.findings().next().is_none());
    assert!(
        d.sentence().contains("needs a preflight"),
        "{}",
        d.sentence()
    );
    let request = &d.reports[0].case.scenario.requests[0];
    assert_eq!(request.method, "PUT");
    assert_eq!(request.body.as_deref(), Some("{}"));
    assert_eq!(
        request.headers,
        vec![
            ("Accept".into(), "*/*".into()),
            ("Content-Type".into(), "application/json".into())
        ]
    );
    assert_eq!(d.reports[0].case.scenario.page, APP);
}

#[test]
fn chrome_curl_bash_with_console_line() {
    let d = run("chrome-curl-bash-console.txt");
    assert_eq!(d.format_name(), "curl-bash+console");
    assert_eq!(
        first(&d),
        (
            FixStage::Preflight,
            "Access-Control-Allow-Origin".into(),
            APP.into(),
            false
        )
    );
}

#[test]
fn chrome_curl_cmd_with_preflight_response_headers() {
    let d = run("chrome-curl-cmd.txt");
    assert_eq!(d.format_name(), "curl-cmd");
    let request = &d.reports[0].case.scenario.requests[0];
    assert_eq!(
        request.body.as_deref(),
        Some("{\"probe\":true}"),
        "cmd's ^ and \\^\" escapes decoded"
    );
    assert_eq!(
        first(&d),
        (
            FixStage::Preflight,
            "Access-Control-Allow-Headers".into(),
            "content-type, x-trace".into(),
            true
        )
    );
    assert_eq!(
        d.findings().count(),
        1,
        "the actual response is not in the paste, so nothing is claimed about it"
    );
    assert!(d.reports[0].evidence_needed[0].contains("actual response"));
    assert!(
        d.sentence()
            .starts_with("Blocked on the preflight (OPTIONS) response"),
        "{}",
        d.sentence()
    );
}

#[test]
fn chrome_copy_as_fetch_with_response() {
    let d = run("chrome-fetch.txt");
    assert_eq!(d.format_name(), "fetch");
    assert_eq!(
        first(&d),
        (
            FixStage::Actual,
            "Access-Control-Allow-Origin".into(),
            APP.into(),
            true
        )
    );
    assert_eq!(d.findings().count(), 2);
    let step = d.reports[0].failing_step.as_ref().unwrap();
    assert_eq!(step.stage, Stage::CorsCheck);
}

#[test]
fn chrome_copy_as_fetch_node_with_console_line() {
    let d = run("chrome-fetch-node.txt");
    assert_eq!(d.format_name(), "fetch-node+console");
    assert_eq!(
        d.reports[0].case.scenario.page, APP,
        "page origin from the Referer header"
    );
    assert_eq!(
        first(&d),
        (
            FixStage::Actual,
            "Access-Control-Allow-Origin".into(),
            APP.into(),
            false
        )
    );
}

#[test]
fn firefox_copy_as_curl_with_firefox_console() {
    let d = run("firefox-curl.txt");
    assert_eq!(d.format_name(), "curl-bash+console");
    assert_eq!(d.reports[0].case.scenario.browser, Some(Browser::Firefox));
    assert_eq!(
        first(&d),
        (
            FixStage::Preflight,
            "Access-Control-Allow-Headers".into(),
            "x-trace".into(),
            false
        )
    );
}

#[test]
fn firefox_copy_as_fetch_drops_browser_headers() {
    let d = run("firefox-fetch.txt");
    assert_eq!(d.format_name(), "firefox-fetch");
    let request = &d.reports[0].case.scenario.requests[0];
    let names: Vec<&str> = request.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["Accept", "Content-Type"],
        "User-Agent, Accept-Language and Priority are the browser's"
    );
    assert_eq!(
        d.reports[0].case.scenario.page, APP,
        "page origin from `referrer`"
    );
    assert!(d.sentence().contains("needs a preflight"));
}

#[test]
fn firefox_console_lines_alone() {
    let d = run("firefox-console.txt");
    assert_eq!(d.format_name(), "console");
    assert_eq!(d.console[0].browser, Browser::Firefox);
    // Firefox prints the same reason for both responses; the "did not succeed" line after it means the preflight.
    assert_eq!(first(&d).0, FixStage::Preflight);
    assert!(
        d.reports[0]
            .evidence_needed
            .iter()
            .any(|e| e.contains("origin")),
        "Firefox lines never name the page origin"
    );
}

#[test]
fn safari_console_lines_alone() {
    let d = run("safari-console.txt");
    assert_eq!(d.console.len(), 3);
    assert!(d.console.iter().all(|l| l.browser == Browser::Safari));
    assert_eq!(
        first(&d),
        (
            FixStage::Actual,
            "Access-Control-Allow-Origin".into(),
            APP.into(),
            false
        )
    );
}

#[test]
fn devtools_headers_panel() {
    let d = run("devtools-headers.txt");
    assert_eq!(d.format_name(), "devtools-headers");
    let case = &d.reports[0].case;
    assert_eq!(
        case.scenario.requests[0].method, "PUT",
        "the preflight announces PUT"
    );
    assert_eq!(
        first(&d),
        (
            FixStage::Preflight,
            "Access-Control-Allow-Headers".into(),
            "content-type, x-trace".into(),
            true
        )
    );
}

#[test]
fn raw_http_with_cookie_means_credentials() {
    let d = run("http-raw.txt");
    assert_eq!(d.format_name(), "http");
    assert_eq!(
        d.reports[0].case.url, "http://api.example.test:47311/wildcard-credentials",
        "http on an explicit port"
    );
    assert_eq!(
        first(&d),
        (
            FixStage::Actual,
            "Access-Control-Allow-Origin".into(),
            APP.into(),
            true
        )
    );
}

#[test]
fn real_curl_verbose_and_include_output() {
    let d = run("curl-verbose.txt");
    assert_eq!(d.format_name(), "curl-verbose");
    assert_eq!(
        first(&d),
        (
            FixStage::Preflight,
            "Access-Control-Allow-Origin".into(),
            APP.into(),
            true
        )
    );
    assert_eq!(d.findings().count(), 3);
    let d = run("curl-include.txt");
    assert_eq!(d.format_name(), "curl-include");
    assert_eq!(
        first(&d),
        (
            FixStage::Actual,
            "Access-Control-Allow-Origin".into(),
            APP.into(),
            true
        )
    );
}

#[test]
fn hand_written_xhr_with_console_line() {
    let d = run("xhr-code.txt");
    assert_eq!(d.format_name(), "xhr-code+console");
    let request = &d.reports[0].case.scenario.requests[0];
    assert_eq!(request.api, cors_lab::scenario::Api::Xhr);
    assert_eq!(
        first(&d),
        (
            FixStage::Actual,
            "Access-Control-Allow-Origin".into(),
            APP.into(),
            false
        )
    );
}

#[test]
fn contradiction_between_console_and_headers_is_reported() {
    let d = run("contradiction.txt");
    let report = &d.reports[0];
    assert_eq!(
        report.trace.as_ref().unwrap().result.outcome,
        Outcome::Allowed
    );
    assert_eq!(
        report.contradictions.len(),
        1,
        "{:?}",
        report.contradictions
    );
    assert!(report.contradictions[0].contains("let the request through"));
}

#[test]
fn json_shape() {
    let json = run("chromium-session.har").to_json();
    assert_eq!(json["format"], "har");
    let findings = json["findings"].as_array().unwrap();
    assert!(findings.len() >= 5);
    for finding in findings {
        assert!(finding["request"]
            .as_str()
            .unwrap()
            .starts_with("http://api."));
        assert!(["preflight", "actual", "request"].contains(&finding["stage"].as_str().unwrap()));
        assert!(finding["problem"].is_string());
        assert!(finding["fix"]["header"].is_string() && finding["fix"]["value"].is_string());
    }
    let results = json["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    for result in results {
        for field in [
            "outcome",
            "preflight",
            "console",
            "failure",
            "fixes",
            "cross_origin",
        ] {
            assert!(result.get(field).is_some(), "{field} missing in {result}");
        }
    }
}

#[test]
fn unrecognised_and_empty_input_are_clear_errors() {
    assert!(diagnose("")
        .unwrap_err()
        .message
        .contains("nothing to diagnose"));
    assert!(diagnose("hello world")
        .unwrap_err()
        .message
        .contains("not a recognised format"));
    let e = diagnose("{\"log\": {\"entries\": [").unwrap_err();
    assert!(
        e.message.contains("not a valid HAR file") && e.message.contains("line 1"),
        "{}",
        e.message
    );
    let e = diagnose("fetch(url)").unwrap_err();
    assert!(e.message.contains("at byte 6"), "{}", e.message);
}

#[test]
fn redact_scenario_and_text() {
    let d = run("http-raw.txt");
    let mut scenario = d.reports[0].case.scenario.clone();
    scenario.requests[0]
        .headers
        .push(("Authorization".into(), "Bearer abc.def".into()));
    scenario.requests[0]
        .headers
        .push(("X-Api-Key".into(), "k-123".into()));
    scenario.requests[0]
        .headers
        .push(("X-Plain".into(), "Bearer tok".into()));
    scenario.requests[0].url = "https://api.test/x?api_key=s3cret&page=2&access_token=t".into();
    scenario.server[0]
        .respond
        .headers
        .push(("Set-Cookie".into(), "sid=1".into()));
    let done = redact(&mut scenario);
    let places: Vec<&str> = done.iter().map(|r| r.location.as_str()).collect();
    assert_eq!(
        places,
        [
            "request 1 header Authorization",
            "request 1 header X-Api-Key",
            "request 1 header X-Plain",
            "request 1 URL query api_key",
            "request 1 URL query access_token",
            "server rule 1 header Set-Cookie"
        ]
    );
    assert!(scenario.requests[0].url.contains("page=2"));
    assert!(!scenario.requests[0].url.contains("s3cret"));
    let text = serde_json::to_string(&scenario).unwrap();
    for secret in ["abc.def", "k-123", "s3cret", "sid=1"] {
        assert!(!text.contains(secret), "{secret} left in {text}");
    }
    assert!(
        redact(&mut scenario).is_empty(),
        "redacting twice finds nothing new"
    );

    let paste = fixture("http-raw.txt")
        + "curl 'https://a.test/?token=abc' -H 'authorization: Bearer xyz' -b 'session=q1'\n";
    let (clean, done) = redact_text(&paste);
    for secret in [
        "8f14e45fceea167a5a36dedd4bea2543",
        "abc",
        "Bearer xyz",
        "q1",
    ] {
        assert!(!clean.contains(secret), "{secret} left in {clean}");
    }
    assert!(clean.contains(REDACTED));
    assert!(done.len() >= 4, "{done:?}");
    assert!(
        clean.contains("Origin: http://app.example.test:47311"),
        "other headers are kept"
    );
}

#[test]
fn cli_diagnose_json_and_stdin() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let binary = env!("CARGO_BIN_EXE_cors-lab");
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/diagnose-fixtures/chrome-curl-cmd.txt");
    let output = Command::new(binary)
        .args(["diagnose", "--json"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["format"], "curl-cmd");
    assert_eq!(json["findings"][0]["fix"]["value"], "content-type, x-trace");

    let mut child = Command::new(binary)
        .args(["diagnose", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(fixture("chrome-console-missing-acao.txt").as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("Format: console\nThis Chrome line means the response has no Access-Control-Allow-Origin"), "{text}");

    let output = Command::new(binary)
        .args(["diagnose", "--json", "-"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(json["error"]
        .as_str()
        .unwrap()
        .contains("nothing to diagnose"));
}

#[test]
fn har_sentence_counts_the_failures() {
    let d = run("chromium-session.har");
    assert!(
        d.sentence()
            .starts_with("4 of 5 cross-origin requests fail; the first: Blocked on"),
        "{}",
        d.sentence()
    );
}

#[test]
fn curl_quoting_details() {
    let paste = "$ curl $'https://b.test/x' -XPATCH -H $'X-Note: it\\'s\\tok' --data-raw $'line1\\nline2' -b 'sid=1' -e 'https://a.test/page'";
    let d = diagnose(paste).unwrap();
    let request = &d.reports[0].case.scenario.requests[0];
    assert_eq!(request.url, "https://b.test/x");
    assert_eq!(request.method, "PATCH");
    assert_eq!(request.headers, vec![("X-Note".into(), "it's\tok".into())]);
    assert_eq!(request.body.as_deref(), Some("line1\nline2"));
    assert_eq!(
        request.credentials,
        cors_lab::scenario::Credentials::Include,
        "-b sends cookies"
    );
    assert_eq!(d.reports[0].case.scenario.page, "https://a.test");

    let d =
        diagnose("curl -G 'https://b.test/q' -d a=1 -d b=2 -H 'Origin: https://a.test'").unwrap();
    let request = &d.reports[0].case.scenario.requests[0];
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        ("GET", "https://b.test/q?a=1&b=2")
    );

    // cmd: `^` continues lines, `^^` is a caret, `%^` keeps a percent sign.
    let d =
        diagnose("curl ^\"https://b.test/p?x=50%^25^&y=^^^\" ^\n  -H ^\"Origin: https://a.test^\"")
            .unwrap();
    assert_eq!(d.format_name(), "curl-cmd");
    assert_eq!(
        d.reports[0].case.scenario.requests[0].url,
        "https://b.test/p?x=50%25&y=^"
    );
}

/// `cors-lab diagnose big.har | head -1`: the reader closes the pipe early,
/// and the tool must end quietly instead of panicking on the failed write.
#[test]
fn cli_output_into_a_closed_pipe_does_not_panic() {
    use std::process::{Command, Stdio};
    let binary = env!("CARGO_BIN_EXE_cors-lab");
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/diagnose-fixtures/chromium-session.har");
    let mut child = Command::new(binary)
        .arg("diagnose")
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the read end before the tool writes anything.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(output.status.code(), Some(101), "{stderr}");
}

#[test]
fn a_page_csp_line_is_recognised_as_not_cors() {
    use cors_lab::engine::Failure;
    let d = run("chrome-console-csp.txt");
    assert_eq!(d.format_name(), "console");
    assert_eq!(d.console.len(), 2);
    let Some(Failure::CspBlocked { violations }) = &d.console[0].failure else {
        panic!("got {:?}", d.console[0].failure);
    };
    assert_eq!(violations[0].directive, "connect-src");
    assert!(violations[0].value.starts_with("'SELF'"));
    let report = &d.reports[0];
    assert!(
        report
            .sentence
            .starts_with("Not a CORS problem: the page's own Content-Security-Policy"),
        "{}",
        report.sentence
    );
    assert!(report.evidence_needed.is_empty(), "the line says it all");
    // "Open in stepper" replays the page's policy, so the stepper shows the CSP stage.
    assert_eq!(
        report.case.scenario.page_csp.as_deref(),
        Some(
            "connect-src 'SELF'   https://API.example.com:8443 https://*.example.net http://plain.example.org https://paths.example.com/v1/ https://paths.example.com/exact"
        )
    );
    let finding = d.findings().next().expect("a finding");
    assert_eq!(finding.fix.stage, FixStage::Request);
    assert!(
        !finding.problem.contains('{'),
        "readable: {}",
        finding.problem
    );
    match &finding.fix.action {
        FixAction::Advise(advice @ Advice::PageCsp { .. }) => {
            let text = text::advice_text(advice);
            assert!(text.contains("connect-src"), "{text}");
        }
        other => panic!("expected the page's CSP advice, got {other:?}"),
    }
}

#[test]
fn a_csp_line_with_the_request_replays_the_policy_in_the_engine() {
    let text = format!(
        "{}\n{}",
        fixture("chrome-console-csp.txt"),
        "curl 'https://api.example.com/x' -H 'Origin: https://app.example.com'"
    );
    let d = diagnose(&text).expect("diagnoses");
    let report = &d.reports[0];
    let trace = report.trace.as_ref().expect("the engine ran the case");
    assert_eq!(trace.result.outcome, Outcome::NetworkError);
    assert_eq!(
        report.failing_step.as_ref().map(|s| s.stage),
        Some(Stage::Csp)
    );
}

#[test]
fn firefox_and_safari_csp_lines_are_recognised() {
    use cors_lab::engine::Failure;
    // Firefox's line as `verify` records it (tests/verify-fixtures, FINDINGS.md k); Safari's from WebKit.
    let firefox = "Content-Security-Policy: The page\u{2019}s settings blocked the loading of a resource (connect-src) at https://api.example.com/x because it violates the following directive: \u{201C}default-src 'self'\u{201D}";
    let safari = "Refused to connect to https://api.example.com/x because it does not appear in the connect-src directive of the Content Security Policy.";
    for (line, browser, policy) in [
        (firefox, Browser::Firefox, "default-src 'self'"),
        (safari, Browser::Safari, "connect-src"),
    ] {
        let d = diagnose(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert_eq!(d.console[0].browser, browser);
        assert!(
            matches!(d.console[0].failure, Some(Failure::CspBlocked { .. })),
            "{:?}",
            d.console[0].failure
        );
        assert_eq!(d.reports[0].case.scenario.page_csp.as_deref(), Some(policy));
        assert!(d.reports[0].sentence.starts_with("Not a CORS problem"));
    }
}

/// A pasted request and console line, diagnosed against a pasted Express
/// configuration: the model answers, the verdict and fix are that
/// configuration's, `--json` names the framework, and the configuration fix
/// is an edit of the pasted text.
#[test]
fn a_pasted_configuration_answers_the_pasted_request() {
    use cors_lab::diagnose::{diagnose_with_server, ServerConfig};
    use cors_lab::frameworks::{config_fix, Models};
    use cors_lab::scenario::FrameworkRule;
    let paste = "fetch(\"https://api.example.com/items/7\", { method: \"PUT\", headers: { \"Content-Type\": \"application/json\" }, body: \"{}\" });\n\
        Access to fetch at 'https://api.example.com/items/7' from origin 'https://partner.example.com' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.\n";
    let config = "const cors = require(\"cors\");\napp.use(cors({ origin: [\"https://app.example.com\"] }));\n";
    let models = Models::default();
    let server = |config: &str| ServerConfig {
        rule: FrameworkRule {
            name: "express".into(),
            config: config.into(),
            handler: None,
            upstream_headers: Vec::new(),
        },
        framework: "express".into(),
        models: &models,
    };
    let d = diagnose_with_server(paste, &server(config)).expect("diagnosed");
    let json = d.to_json();
    assert_eq!(json["framework"]["name"], "express");
    assert_eq!(
        diagnose(paste).expect("diagnosed").to_json()["framework"],
        serde_json::Value::Null
    );
    let report = &d.reports[0];
    let trace = report.trace.as_ref().expect("replayed");
    assert_eq!(trace.result.outcome, Outcome::Blocked);
    // Express's refusal: a 204 preflight without Access-Control-Allow-Origin.
    let first = d.findings().next().expect("a finding");
    assert_eq!(first.fix.stage, FixStage::Preflight);
    assert!(first.confirmed, "the model's answer is known");
    let fix = config_fix(&report.case.scenario, 0).expect("a configuration fix");
    assert_eq!(
        fix.edits,
        ["add \"https://partner.example.com\" to `origin`"]
    );
    // With the fixed configuration the same paste is allowed.
    let fixed = diagnose_with_server(paste, &server(&fix.config)).expect("diagnosed");
    let after = fixed.reports[0].trace.as_ref().expect("replayed");
    assert_eq!(after.result.outcome, Outcome::Allowed);
}
