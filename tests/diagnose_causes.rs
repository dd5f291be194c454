//! `diagnose` names the real cause: every `cause-<cause>--<browser>-<what>.txt`
//! fixture (lines observed in Chromium 156 and Firefox ESR 153, or quoted
//! from WebKit; see tests/diagnose-fixtures/README.md) gives that cause,
//! and no fixture at all gets a broken answer.
#![allow(clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // a fixture that cannot be read should fail loudly

use std::path::PathBuf;

use cors_lab::diagnose::{diagnose, Diagnosis};
use cors_lab::engine::fixes::text;
use cors_lab::engine::{Cause, FixAction};

fn fixtures() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/diagnose-fixtures");
    let mut found: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("the fixture directory")
        .filter_map(|e| {
            let path = e.ok()?.path();
            let name = path.file_name()?.to_str()?.to_owned();
            (name != "README.md")
                .then(|| (name, std::fs::read_to_string(&path).expect("a fixture")))
        })
        .collect();
    found.sort();
    found
}

/// `cause-network_refused--chrome-….txt` → `network/refused`.
fn expected_cause(name: &str) -> Option<String> {
    let rest = name.strip_prefix("cause-")?;
    let cause = rest.split("--").next()?;
    Some(cause.replacen('_', "/", 1))
}

/// Every text the answer shows: the sentence, each finding's problem and
/// fix, the evidence asked for.
fn answer_texts(d: &Diagnosis) -> Vec<String> {
    let mut texts = vec![d.sentence()];
    for report in &d.reports {
        texts.push(report.sentence.clone());
        texts.extend(report.evidence_needed.iter().cloned());
        for finding in &report.findings {
            texts.push(finding.problem.clone());
            texts.push(text::action(&finding.fix.action));
        }
    }
    texts
}

#[test]
fn each_family_in_each_browsers_wording_names_its_cause() {
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (name, input) in fixtures() {
        let Some(expected) = expected_cause(&name) else {
            continue;
        };
        checked += 1;
        match diagnose(&input) {
            Ok(d) => {
                let got = d.cause().map(|c| c.as_str().to_owned());
                if got.as_deref() != Some(expected.as_str()) {
                    wrong.push(format!(
                        "{name}: expected {expected}, got {got:?}: {}",
                        d.sentence()
                    ));
                }
                let json = d.to_json();
                assert_eq!(json["cause"], expected.as_str(), "{name}");
                for finding in json["findings"].as_array().expect("findings") {
                    let cause = finding["cause"]
                        .as_str()
                        .expect("every finding has a cause");
                    assert!(
                        Cause::ALL.iter().any(|c| c.as_str() == cause),
                        "{name}: {cause} is not a documented cause"
                    );
                }
            }
            Err(e) => wrong.push(format!("{name}: refused: {e}")),
        }
    }
    assert!(checked >= 40, "only {checked} cause fixtures");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn no_fixture_gets_a_broken_answer() {
    for (name, input) in fixtures() {
        let d = diagnose(&input).unwrap_or_else(|e| panic!("{name}: {e}"));
        let sentence = d.sentence();
        assert!(
            sentence.trim().len() > 20 && sentence.ends_with('.'),
            "{name}: sentence {sentence:?}"
        );
        for text in answer_texts(&d) {
            assert!(!text.contains("status 0"), "{name}: {text}");
            assert!(!text.contains(" 0 redirect"), "{name}: {text}");
            assert!(!text.contains(" ()"), "{name}: empty parentheses in {text}");
            assert!(!text.contains("``"), "{name}: empty header in {text}");
            assert!(!text.trim().is_empty(), "{name}: an empty text");
        }
        // A recognised line with a status: the answer names that status.
        let cause = d.cause();
        if matches!(cause, Some(Cause::ServerError | Cause::PreflightStatus)) {
            let status = d
                .console
                .iter()
                .find_map(|l| l.status.filter(|s| *s >= 400))
                .or_else(|| {
                    d.reports
                        .iter()
                        .filter_map(|r| r.trace.as_ref())
                        .flat_map(|t| t.exchanges.iter())
                        .find_map(|e| match &e.response {
                            cors_lab::engine::WireResponse::Http { status, .. }
                                if *status >= 400 =>
                            {
                                Some(*status)
                            }
                            _ => None,
                        })
                });
            if let Some(status) = status {
                assert!(
                    sentence.contains(&status.to_string()),
                    "{name}: the answer does not name status {status}: {sentence}"
                );
            }
        }
        // Only where CORS headers help does an answer ask for one.
        for report in &d.reports {
            let Some(cause) = report.cause else { continue };
            if cause.cors_headers_help() {
                continue;
            }
            for finding in &report.findings {
                let asks = matches!(&finding.fix.action, FixAction::Send(_));
                assert!(
                    !asks,
                    "{name}: cause {cause} asks for {:?}",
                    finding.fix.action
                );
            }
        }
    }
}

#[test]
fn cors_findings_keep_their_header_fixes() {
    let d = diagnose(
        "Access to fetch at 'http://api.test/x' from origin 'http://app.test' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    )
    .expect("diagnosed");
    assert_eq!(d.cause(), Some(Cause::Cors));
    let finding = d.findings().next().expect("a finding");
    assert_eq!(finding.cause, Cause::Cors);
    assert_eq!(
        finding.fix.action.header(),
        Some(("Access-Control-Allow-Origin", "http://app.test".to_owned()))
    );
}

#[test]
fn a_server_error_asks_for_both_fixes() {
    let d =
        diagnose(&fixture("cause-server-error--chrome-with-network-line.txt")).expect("diagnosed");
    let findings: Vec<_> = d.findings().collect();
    assert_eq!(findings.len(), 2, "{findings:?}");
    assert!(matches!(findings[0].fix.action, FixAction::Advise(_)));
    assert_eq!(
        findings[1].fix.action.header(),
        Some((
            "Access-Control-Allow-Origin",
            "http://app.probe.test:8080".to_owned()
        ))
    );
    let sentence = d.sentence();
    assert!(sentence.contains("500 Internal Server Error"), "{sentence}");
    assert!(
        sentence.contains("error responses carry the CORS headers too"),
        "{sentence}"
    );
}

#[test]
fn the_preflight_status_comes_from_the_preflights_network_row() {
    for name in [
        "cause-preflight-status--chrome-ok-status.txt",
        "cause-preflight-status--chrome-no-acao.txt",
    ] {
        let d = diagnose(&fixture(name)).expect("diagnosed");
        assert!(
            d.sentence().contains("401 Unauthorized"),
            "{name}: {}",
            d.sentence()
        );
        assert!(d.console[0].status == Some(401), "{name}");
    }
}

#[test]
fn older_chrome_wording_is_read_with_its_status() {
    let d = diagnose(&fixture("cause-server-error--chrome-old-wording.txt")).expect("diagnosed");
    assert_eq!(d.console[0].status, Some(405));
    assert_eq!(
        d.reports[0].case.scenario.page,
        "http://app.probe.test:8080"
    );
    assert!(d.sentence().contains("405"), "{}", d.sentence());
    let d =
        diagnose(&fixture("cause-preflight-status--chrome-old-wording.txt")).expect("diagnosed");
    assert!(d.sentence().contains("405"), "{}", d.sentence());
}

#[test]
fn safaris_catch_all_alone_says_what_tells_its_cases_apart() {
    let d = diagnose(&fixture("cause-unknown--safari-catch-all.txt")).expect("diagnosed");
    let sentence = d.sentence();
    assert!(sentence.contains("Safari's general line"), "{sentence}");
    assert!(sentence.contains("mixed content"), "{sentence}");
    assert!(sentence.contains("cancelled"), "{sentence}");
    assert!(!d.reports[0].evidence_needed.is_empty());
}

#[test]
fn lines_the_engine_does_not_model_say_what_to_check() {
    let d = diagnose(&fixture("cause-blocked-by-client--chrome-console.txt")).expect("diagnosed");
    assert!(d.sentence().contains("extension"), "{}", d.sentence());
    let d = diagnose(&fixture(
        "cause-network_unknown--firefox-did-not-succeed.txt",
    ))
    .expect("diagnosed");
    let sentence = d.sentence();
    for check in ["running", "certificate", "blocker", "Local Network Access"] {
        assert!(sentence.contains(check), "{check}: {sentence}");
    }
}

#[test]
fn bad_input_near_the_new_formats_gets_a_clear_message() {
    for input in [
        "GET http://",
        "net::ERR_",
        "Failed to load resource: net::ERR_FAILED",
        "Mixed Content: The page at '",
        "Local Network Access permission required: ",
        "[blocked] The page at",
        "OPTIONS http://a.test/x net::ERR_FAILED 4",
    ] {
        match diagnose(input) {
            Ok(d) => assert!(!d.sentence().is_empty(), "{input}"),
            Err(e) => assert!(e.message.contains("paste"), "{input}: {}", e.message),
        }
    }
}

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/diagnose-fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn open_in_stepper_is_offered_only_where_the_replay_shows_the_cause() {
    use cors_lab::engine::{evaluate, Failure};
    let d = diagnose(&fixture("cause-mixed-content--chrome-fetch.txt")).expect("diagnosed");
    let report = &d.reports[0];
    assert!(report.replayable());
    let trace = evaluate(&report.case.scenario, None);
    assert!(
        matches!(
            trace.requests[0].failure,
            Some(Failure::MixedContentBlocked { .. })
        ),
        "{:?}",
        trace.requests[0].failure
    );
    for name in [
        "cause-local-network-access--chrome-permission.txt",
        "cause-blocked-by-client--chrome-devtools-line.txt",
    ] {
        let d = diagnose(&fixture(name)).expect("diagnosed");
        assert!(!d.reports[0].replayable(), "{name}");
    }
}
