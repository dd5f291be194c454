//! The narration of typed steps: each sentence carries the step's data and
//! its deciding detail.

use super::exchange::{deciding_detail, describe_preflight_failure, preflight_failure_detail};
use super::*;
use crate::engine::browser::MaxAgeReason;
use crate::engine::evaluate;
use crate::engine::failure::{CorsError, Failure, Phase};
use crate::engine::request::BuildNote;
use crate::engine::safelist::{UnsafeHeader, UnsafeReason};
use crate::engine::step::{PathTaken, RedirectStep, SpecRef, Stage, StepStatus};
use crate::scenario::{parse_scenario, Api, Outcome};

fn text(kind: StepKind) -> StepText {
    narrate(&Step::new(kind))
}

#[test]
fn a_failed_preflight_names_its_deciding_detail() {
    let header = Failure::HeaderNotAllowed {
        header: "content-type".into(),
    };
    assert_eq!(
        preflight_failure_detail(&header).as_deref(),
        Some("content-type")
    );
    let status = Failure::PreflightInvalidStatus { status: 404 };
    assert_eq!(preflight_failure_detail(&status).as_deref(), Some("404"));
    assert_eq!(
        describe_preflight_failure(&status),
        "status 404 is not an ok status (200–299)"
    );
    let rejected = text(StepKind::PreflightRejected {
        status: 200,
        failure: Failure::MethodNotAllowed {
            method: "PUT".into(),
        },
    });
    assert_eq!(
        rejected.found,
        "method PUT is not in Access-Control-Allow-Methods"
    );
    assert_eq!(rejected.highlight.as_deref(), Some("PUT"));
    assert_eq!(rejected.compared, "status 200");
}

#[test]
fn an_unsafe_headers_deciding_detail_is_in_its_sentence() {
    let reasons = [
        (UnsafeReason::ValueTooLong { length: 129 }, "byte 129"),
        (
            UnsafeReason::UnsafeByte {
                byte: '"',
                position: 3,
            },
            "0x22",
        ),
        (
            UnsafeReason::MimeEssence {
                essence: "application/json".into(),
            },
            "application/json",
        ),
        (UnsafeReason::TotalTooLong { total: 1030 }, "1024"),
        (UnsafeReason::NameNotSafelisted, "x-token"),
    ];
    for (reason, detail) in reasons {
        let header = UnsafeHeader {
            name: "x-token".into(),
            value: "v".into(),
            reason,
        };
        assert_eq!(deciding_detail(&header), detail);
        let step = text(StepKind::Classification {
            method: "GET".into(),
            header_names: vec!["X-Token".into()],
            method_safelisted: true,
            use_cors_preflight: false,
            unsafe_headers: vec![header],
            needs_preflight: true,
        });
        assert!(
            step.found.starts_with("needs a preflight: "),
            "{}",
            step.found
        );
        assert!(step.found.contains(detail), "{detail} in {}", step.found);
        assert_eq!(step.highlight.as_deref(), Some(detail));
        assert_eq!(step.compared, "method GET and headers X-Token");
    }
}

#[test]
fn a_method_alone_needs_a_preflight_and_is_the_deciding_detail() {
    let step = text(StepKind::Classification {
        method: "PUT".into(),
        header_names: Vec::new(),
        method_safelisted: false,
        use_cors_preflight: false,
        unsafe_headers: Vec::new(),
        needs_preflight: true,
    });
    assert_eq!(
        step.found,
        "needs a preflight: method PUT is not GET, HEAD or POST"
    );
    assert_eq!(step.highlight.as_deref(), Some("PUT"));
    let simple = text(StepKind::Classification {
        method: "GET".into(),
        header_names: Vec::new(),
        method_safelisted: true,
        use_cors_preflight: false,
        unsafe_headers: Vec::new(),
        needs_preflight: false,
    });
    assert_eq!(simple.found, "a simple request: no preflight needed");
    assert_eq!(simple.highlight, None);
}

#[test]
fn a_cors_check_names_the_value_and_the_origin_it_compared() {
    let step = Step::new(StepKind::CorsCheck {
        phase: Phase::Preflight,
        origin: "https://app.example".into(),
        credentials: true,
        allow_origin: Some("https://other.example".into()),
        result: Err(CorsError::AllowOriginMismatch {
            value: "https://other.example".into(),
        }),
    });
    assert_eq!(
        (step.stage, step.status),
        (Stage::CorsCheck, StepStatus::Fail)
    );
    let words = narrate(&step);
    assert_eq!(words.title, "CORS check on the preflight");
    assert_eq!(
        words.compared,
        "Access-Control-Allow-Origin \"https://other.example\" against the request's origin https://app.example, with credentials"
    );
    assert_eq!(
        words.found,
        "\"https://other.example\" is not byte-for-byte \"https://app.example\""
    );
    assert_eq!(words.highlight.as_deref(), Some("https://other.example"));
    let passed = text(StepKind::CorsCheck {
        phase: Phase::Actual,
        origin: "https://app.example".into(),
        credentials: false,
        allow_origin: Some("*".into()),
        result: Ok(()),
    });
    assert_eq!(passed.title, "CORS check");
    assert!(
        passed.compared.ends_with("https://app.example"),
        "{}",
        passed.compared
    );
    assert_eq!(
        passed.found,
        "`*` allows any origin for a request without credentials"
    );
    assert!(passed.why.is_empty());
}

#[test]
fn max_age_reasons_say_how_the_value_was_reached() {
    let reason = |reason| {
        text(StepKind::PreflightAllowed {
            status: 204,
            allow_methods: "PUT".into(),
            allow_headers: String::new(),
            method: "PUT".into(),
            unsafe_headers: Vec::new(),
            max_age: reason,
        })
        .why
    };
    assert_eq!(
        reason(MaxAgeReason::Absent),
        "no Access-Control-Max-Age: the default of 5 s applies"
    );
    assert_eq!(
        reason(MaxAgeReason::Capped {
            seconds: 86_400,
            cap: 7200
        }),
        "Access-Control-Max-Age: 86400 s, capped at this browser's limit of 7200 s"
    );
    assert_eq!(
        reason(MaxAgeReason::NotAllDigits {
            value: "1e3".into()
        }),
        "Access-Control-Max-Age \"1e3\" is not all digits: the result is not cached"
    );
}

#[test]
fn the_verdict_counts_console_lines_and_says_what_the_script_sees() {
    let step = Step::new(StepKind::Verdict {
        outcome: Outcome::Blocked,
        api: Api::Fetch,
        failed: true,
        csp_blocked: false,
        console_lines: 2,
    });
    assert_eq!(step.status, StepStatus::Fail);
    let words = narrate(&step);
    assert_eq!(
        words.found,
        "blocked by CORS: the script gets a network error; the console shows 2 lines"
    );
    assert!(
        words.why.starts_with("fetch() rejects with a TypeError"),
        "{}",
        words.why
    );
    let opaque = text(StepKind::Verdict {
        outcome: Outcome::Opaque,
        api: Api::Form,
        failed: false,
        csp_blocked: false,
        console_lines: 0,
    });
    assert!(
        opaque.found.starts_with("the form was submitted"),
        "{}",
        opaque.found
    );
    assert!(opaque.why.is_empty());
}

#[test]
fn a_path_refused_or_a_redirect_refused_fails_in_words() {
    let step = Step::new(StepKind::Path {
        after_redirect: true,
        path: PathTaken::UnsupportedScheme {
            scheme: "ftp".into(),
        },
    });
    assert_eq!(step.status, StepStatus::Fail);
    assert_eq!(title(&step), "Which path after the redirect?");
    assert_eq!(
        found(&step),
        "scheme ftp cannot be fetched cross-origin: network error"
    );
    let redirect = Step::new(StepKind::Redirect(RedirectStep::Credentials {
        next: "https://u:p@b.example/".into(),
    }));
    assert_eq!(redirect.status, StepStatus::Fail);
    assert_eq!(
        highlight(&redirect).as_deref(),
        Some("https://u:p@b.example/")
    );
}

#[test]
fn build_notes_keep_their_words_and_thrown_calls_name_the_argument() {
    let kept = Step::new(StepKind::Built {
        note: BuildNote::MethodNotNormalized {
            method: "patch".into(),
        },
    });
    assert_eq!(kept.status, StepStatus::Warn);
    assert_eq!(found(&kept), "sent as patch, not upper-cased");
    assert!(why(&kept).contains("The server must allow exactly `patch`"));
    let thrown = text(StepKind::Thrown {
        failure: Failure::ForbiddenMethod {
            method: "TRACE".into(),
        },
    });
    assert_eq!(thrown.title, "The call throws");
    assert_eq!(thrown.highlight.as_deref(), Some("TRACE"));
    // A failure the call never throws still gets words, never a debug dump.
    let other = text(StepKind::Thrown {
        failure: Failure::TooManyRedirects,
    });
    assert!(!other.found.contains("TooManyRedirects"), "{}", other.found);
}

#[test]
fn every_link_names_its_own_document() {
    let html = Step::new(StepKind::InitiatorMode {
        api: Api::Eventsource,
        crossorigin: None,
        credentials: crate::scenario::Credentials::SameOrigin,
        method: "GET".into(),
    });
    assert_eq!(
        html.spec_url(),
        "https://html.spec.whatwg.org/multipage/server-sent-events.html#dom-eventsource"
    );
    assert_eq!(html.spec.document(), "HTML Standard");
    let socket = Step::new(StepKind::Handshake {
        url: "wss://a.example/".into(),
        origin: "https://b.example".into(),
    });
    assert_eq!(
        socket.spec,
        SpecRef::WebSockets("concept-websocket-establish")
    );
    assert_eq!(socket.spec.document(), "WebSockets Standard");
    let xhr = Step::new(StepKind::Built {
        note: BuildNote::BodyIgnored,
    });
    assert_eq!(
        xhr.spec_url(),
        "https://xhr.spec.whatwg.org/#dom-xmlhttprequest-send"
    );
}

#[test]
fn every_step_of_a_real_trace_has_a_title_and_a_failing_step_says_what_it_found() {
    let text = r#"{"format":"cors-scenario/1","id":"t","page":"https://app.example",
        "server":[{"match":{"url":"https://api.example/x","method":"OPTIONS"},"respond":{"status":204,
          "headers":[["Access-Control-Allow-Origin","https://app.example"]]}}],
        "requests":[{"url":"https://api.example/x","method":"PUT","headers":[["X-Token","1"]]}]}"#;
    let scenario = parse_scenario(text).unwrap_or_else(|e| panic!("{e}"));
    let trace = evaluate(&scenario, None);
    let steps = &trace.requests[0].steps;
    assert!(steps.len() >= 6, "{steps:?}");
    for step in steps {
        assert!(!title(step).is_empty(), "{step:?}");
    }
    let failing = steps
        .iter()
        .find(|s| s.status == StepStatus::Fail)
        .unwrap_or_else(|| panic!("no failing step"));
    assert_eq!(
        found(failing),
        "method PUT is not in Access-Control-Allow-Methods"
    );
}

#[test]
fn seconds_are_written_in_the_fewest_digits() {
    assert_eq!(super::seconds(0), "0 s");
    assert_eq!(super::seconds(5000), "5 s");
    assert_eq!(super::seconds(5500), "5.5 s");
    assert_eq!(super::seconds(1250), "1.25 s");
    assert_eq!(super::seconds(61_001), "61.001 s");
}
