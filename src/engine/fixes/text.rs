//! The words of a fix: the one place that turns a typed [`Fix`] into
//! English, shared by the CLI (`check`, `diagnose`), `diagnose`'s findings,
//! the trace view and the paste panel. Nothing is worded while planning;
//! text is rendered only when something shows it.

use crate::engine::local_network::LnaDenial;
use crate::scenario::AddressSpace;
use serde::Serialize;

use crate::engine::failure::{CorsError, Failure};
use crate::engine::fix::{Advice, Fix, FixAction, FixStage, Problem};
use crate::engine::step::Step;
use crate::scenario::NetworkErrorKind;

pub use super::cause_text::cause_label;

/// `preflight`, `actual` or `request`: the stage's name in JSON and test ids.
pub fn stage_id(stage: FixStage) -> &'static str {
    match stage {
        FixStage::Preflight => "preflight",
        FixStage::Actual => "actual",
        FixStage::Request => "request",
    }
}

/// What the stage changes, as a noun phrase: "the preflight (OPTIONS) response".
pub fn stage_response(stage: FixStage) -> &'static str {
    match stage {
        FixStage::Preflight => "the preflight (OPTIONS) response",
        FixStage::Actual => "the actual response",
        FixStage::Request => "the request",
    }
}

/// The same as a heading: "Preflight (OPTIONS) response".
pub fn stage_heading(stage: FixStage) -> &'static str {
    match stage {
        FixStage::Preflight => "Preflight (OPTIONS) response",
        FixStage::Actual => "Actual response",
        FixStage::Request => "The script's request",
    }
}

/// The problem a fix solves, in one sentence (no capital, no full stop).
pub fn problem(fix: &Fix) -> String {
    match (&fix.problem, &fix.action) {
        (Problem::Failure(failure), _) => failure_problem(failure),
        (Problem::FailingStep(step), _) => failing_step_text(step),
        (Problem::Advice, action) => action_problem(action),
    }
}

/// The failing step's own sentence: what it found.
fn failing_step_text(step: &Step) -> String {
    crate::engine::narrate::found(step)
}

fn action_problem(action: &FixAction) -> String {
    match action {
        FixAction::Advise(advice) => advice_problem(advice).to_owned(),
        // A server change is always planned with its failure.
        _ => String::new(),
    }
}

/// The problem a server change repairs, worded from the typed failure.
fn failure_problem(failure: &Failure) -> String {
    let on = if failure.is_preflight_failure() {
        "the preflight response"
    } else {
        "the response"
    };
    match failure {
        Failure::Cors { error, .. } => match error {
            CorsError::MissingAllowOrigin => format!("{on} has no Access-Control-Allow-Origin"),
            CorsError::WildcardOriginNotAllowed => {
                format!("{on} allows `*`, which is refused with credentials")
            }
            // Firefox's line names no value: the header came more than once.
            CorsError::MultipleAllowOriginValues { value, .. } if value.trim().is_empty() => {
                format!("{on} sends Access-Control-Allow-Origin more than once; exactly one is allowed")
            }
            CorsError::MultipleAllowOriginValues { value, .. } => {
                format!("{on} sends several origins ({value}); exactly one is allowed")
            }
            CorsError::InvalidAllowOriginValue { value }
            | CorsError::AllowOriginMismatch { value } => {
                format!("{on} allows {value:?}, not the request's origin")
            }
            CorsError::InvalidAllowCredentials { value } => format!(
                "{on} has Access-Control-Allow-Credentials {value:?}; with credentials it must be exactly true"
            ),
        },
        // Status 0: a console line that does not name it (no response has status 0).
        Failure::PreflightInvalidStatus { status: 0 } => {
            "the preflight response's status is not 200–299 (the line does not say which)".to_owned()
        }
        Failure::PreflightInvalidStatus { status } => {
            format!("the preflight response has status {status}, not 200–299")
        }
        Failure::PreflightRedirect { status: 0 } => {
            "the preflight is answered with a redirect, which is never followed".to_owned()
        }
        Failure::PreflightRedirect { status } => format!(
            "the preflight is answered with a {status} redirect, which is never followed"
        ),
        Failure::InvalidAllowMethods { token, .. } => format!(
            "Access-Control-Allow-Methods has {token:?}, which is not a method token"
        ),
        Failure::InvalidAllowHeaders { token, .. } => format!(
            "Access-Control-Allow-Headers has {token:?}, which is not a header name"
        ),
        Failure::MethodNotAllowed { method } => {
            format!("the preflight does not allow method {method}")
        }
        Failure::HeaderNotAllowed { header } => {
            format!("the preflight does not allow request header {header}")
        }
        Failure::EventStreamStatus { status } => format!(
            "the event stream is answered with status {status}; EventSource needs 200"
        ),
        Failure::EventStreamMimeType { mime } => format!(
            "the response's Content-Type is {mime:?}; EventSource needs text/event-stream"
        ),
        _ => "the request failed".to_owned(),
    }
}

/// The problem an advice answers.
pub fn advice_problem(advice: &Advice) -> &'static str {
    match advice {
        Advice::AttackerPage => "the page is the attacker's, and the server refused it",
        Advice::PageCsp { .. } => "the page's own Content-Security-Policy does not allow this URL",
        Advice::ConnectionFailed => "the server did not answer",
        Advice::SameOriginMode => "mode \"same-origin\" refuses a cross-origin URL",
        Advice::NoCorsRedirect => "a no-cors request may only follow redirects",
        Advice::RedirectCredentials => "the redirect's URL holds a username or password",
        Advice::RedirectMode => "the server redirected a request whose redirect mode is \"error\"",
        Advice::TooManyRedirects => "the request was redirected more than 20 times",
        Advice::RedirectLocation => "the redirect's Location is not an http or https URL",
        Advice::UnsupportedScheme => "the URL's scheme is not http or https",
        Advice::WebSocketHandshake => "the server refused the WebSocket handshake",
        Advice::ScriptCall => "the script's call is refused before anything is sent",
        Advice::LocalNetworkAccess { .. } => {
            "Local Network Access refused a request into a more private network"
        }
        Advice::CrossOriginResourcePolicy { .. } => {
            "the resource's Cross-Origin-Resource-Policy does not let this page embed it"
        }
        Advice::OpaqueResponseBlocking => {
            "ORB refused a data response (JSON, HTML) to an image or script element"
        }
        Advice::Connection { kind } => match kind {
            NetworkErrorKind::Closed => "the server closed the connection without answering",
            NetworkErrorKind::Refused => "the connection was refused: nothing listens there",
            NetworkErrorKind::Reset => "the connection was reset",
            NetworkErrorKind::Dns => "the server's host name does not resolve",
            NetworkErrorKind::Tls => "the browser does not trust the server's certificate",
            NetworkErrorKind::Timeout => "the server never answered",
        },
        Advice::PageTimeout => "the server never answered, and the page gave up waiting",
        Advice::MixedContent => "an https page asked for an http URL (mixed content)",
        Advice::ServerError { .. } => "the server answered with an error status",
        Advice::PreflightNotHandled { .. } => {
            "the preflight got an error status: the server does not handle OPTIONS there"
        }
        Advice::RedirectedElsewhere { .. } => {
            "the API call was redirected to another origin that does not allow it"
        }
        Advice::Cause { cause, .. } => super::cause_text::cause_problem(*cause),
        Advice::SafariCatchAll => super::cause_text::SAFARI_CATCH_ALL_PROBLEM,
    }
}

/// What to do, as one or more full sentences.
pub fn advice_text(advice: &Advice) -> String {
    let text = match advice {
        Advice::PageCsp { violations } => return csp_advice(violations),
        Advice::Cause { cause, status } => return super::cause_text::cause_advice(*cause, *status),
        Advice::SafariCatchAll => super::cause_text::SAFARI_CATCH_ALL,
        Advice::AttackerPage => "Nothing to fix: this refusal is the protection working. Do not change the server to let this origin in.",
        Advice::ConnectionFailed => "The server did not answer at all: check that it is running and reachable. This is not a CORS problem.",
        Advice::SameOriginMode => "Use mode \"cors\" (the default) for a cross-origin URL.",
        Advice::NoCorsRedirect => "Use redirect \"follow\" with mode \"no-cors\", or use mode \"cors\".",
        Advice::RedirectCredentials => "Redirect to a URL without a username or password.",
        Advice::RedirectMode => "The server redirects: request the final URL directly, or use redirect \"follow\".",
        Advice::TooManyRedirects => "The server redirects in a loop: fix the redirect chain.",
        Advice::RedirectLocation => "Redirect only to http or https URLs.",
        Advice::UnsupportedScheme => "Serve the resource over http or https.",
        Advice::WebSocketHandshake => "The server refused the WebSocket handshake: that is its own decision (an Origin check, say), not CORS, and no Access-Control-* header changes it. Accept this origin on the server only if it is trusted.",
        Advice::ScriptCall => "Fix the script's call: the browser throws before sending anything.",
        Advice::LocalNetworkAccess { target, denial } => return lna_advice(*target, denial),
        Advice::CrossOriginResourcePolicy { defaulted_by_coep: true } => "The page sends Cross-Origin-Embedder-Policy: require-corp, so every no-cors resource must opt in. Have the resource's server send Cross-Origin-Resource-Policy: cross-origin (or same-site), or load it in CORS mode (a crossorigin attribute, and Access-Control-Allow-Origin on the response). No CORS header helps the no-cors load itself.",
        Advice::CrossOriginResourcePolicy { defaulted_by_coep: false } => "The resource's own Cross-Origin-Resource-Policy refuses this page. If other sites may embed it, its server must send Cross-Origin-Resource-Policy: cross-origin (or same-site for the same site); otherwise serve it from the page's own origin. This is not CORS: Access-Control-Allow-Origin does not change it.",
        Advice::OpaqueResponseBlocking => "An <img> or <script> got a JSON or HTML response, which ORB never hands to an element. Point the element at a real image or script, or read the data with fetch() and CORS headers. Adding CORS headers to the response does not change an element's no-cors load.",
        Advice::Connection { kind } => return connection_advice(*kind),
        Advice::PageTimeout => "Not a CORS problem: the server accepted the request and never answered, so the page's own timeout ended it. Find out why the server hangs (its logs, a slow database, a stuck worker).",
        Advice::MixedContent => "Not a CORS problem: a page served over https may not call an http URL. Serve the API over https (https://, and wss:// for sockets); no Access-Control-* header changes this.",
        Advice::ServerError { status } => return server_error_advice(*status),
        Advice::PreflightNotHandled { status } => return preflight_not_handled_advice(*status),
        Advice::RedirectedElsewhere { to } => return format!("The request was redirected to {to}, another origin. If that is a page for people (a login form after an expired session, an error page), nobody meant it for a script: answer with a status (401, 404) and the CORS headers instead of redirecting, and let the page navigate there itself. If the redirect is meant, the fixes above make its target allow the request."),
    };
    text.to_owned()
}

/// What to do about a Local Network Access refusal.
fn lna_advice(target: AddressSpace, denial: &LnaDenial) -> String {
    let space = target.as_str();
    let first = match denial {
        LnaDenial::PermissionDenied { permission, .. } => format!(
            "The user has not allowed this page to reach the {space} network: the browser asks for the {} permission (Chrome 142+, Firefox 153), and the request fails until it is granted in the site settings.",
            permission.as_str()
        ),
        LnaDenial::InsecureContext => format!(
            "Chrome refuses a page that is not a secure context before asking: serve the page over https to reach the {space} network."
        ),
        LnaDenial::TargetSpaceMismatch { declared } => format!(
            "The script's targetAddressSpace \"{}\" is wrong: the server is in the {space} address space, so declare \"{space}\" (or drop the option).",
            declared.as_str()
        ),
    };
    format!(
        "{first} Or serve the page and the API from the same address space (both public, or both on this machine). Access-Control-Allow-Private-Network and every other CORS header no longer help: Local Network Access replaced Private Network Access, and it asks the user, not the server."
    )
}

fn connection_advice(kind: NetworkErrorKind) -> String {
    let what = match kind {
        NetworkErrorKind::Closed => "the server accepted the connection and closed it without a response: check its logs for a crash, or a proxy that drops the request",
        NetworkErrorKind::Refused => "nothing listens on that host and port: start the server, or fix the port or host in the URL",
        NetworkErrorKind::Reset => "the connection was reset: check the server's and any proxy's logs",
        NetworkErrorKind::Dns => "the host name does not resolve: check it for typos, and that its DNS record (or /etc/hosts, or the VPN it needs) exists",
        NetworkErrorKind::Tls => "the certificate is not trusted (self-signed, expired, or for another name): serve one the browser trusts, or trust your development CA",
        NetworkErrorKind::Timeout => "the server never answered: find out why it hangs",
    };
    format!("Not a CORS problem: {what}. No Access-Control-* header can help, since there is no response to carry one.")
}

fn server_error_advice(status: u16) -> String {
    format!(
        "The server failed first: it answered {status} {}. Fix that error itself (the server's logs say why), and make error responses carry the CORS headers too, so the page can read the error.",
        crate::engine::server::reason_phrase(status)
    )
}

fn preflight_not_handled_advice(status: u16) -> String {
    format!(
        "The preflight (OPTIONS) got {status} {}: the server does not handle OPTIONS for this URL, or authentication runs before CORS. Answer OPTIONS with 204 and the CORS headers before any login check (a preflight never carries credentials).",
        crate::engine::server::reason_phrase(status)
    )
}

fn csp_advice(violations: &[crate::engine::csp::CspViolation]) -> String {
    let directives: Vec<String> = violations
        .iter()
        .map(|v| format!("`{}`", v.directive_text().trim_end()))
        .collect();
    // The directive to widen: the one that blocked, or, for a
    // `default-src` fallback, the kind's own (`script-src`, not `-elem`).
    let effective = violations.first().map_or("connect-src", |v| {
        if v.directive == "default-src" {
            v.effective_directive.trim_end_matches("-elem")
        } else {
            v.directive.as_str()
        }
    });
    format!(
        "Not a CORS problem: the page's own Content-Security-Policy ({}) forbids this URL, and no header on that server changes it. If the page should use it, add its origin to {effective} in the header that serves the page.",
        directives.join(", ")
    )
}

/// The change as a header line, `Name: value`, if it sends a header.
pub fn header_line(action: &FixAction) -> Option<String> {
    action
        .header()
        .map(|(name, value)| format!("{name}: {value}"))
}

/// The change as an instruction: "send `Name: value`", "answer with status
/// 204", or the advice.
pub fn action(action: &FixAction) -> String {
    match action {
        FixAction::Send(_) | FixAction::SetContentType(_) => {
            format!("send `{}`", header_line(action).unwrap_or_default())
        }
        FixAction::SetStatus(status) => format!("answer with status {status}"),
        FixAction::Advise(advice) => advice_text(advice),
    }
}

/// A fix in the JSON of `check --json` and `diagnose --json` (`results[].fixes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FixJson {
    /// `preflight`, `actual` or `request`.
    pub stage: FixStage,
    /// The problem, in one sentence.
    pub problem: String,
    /// What to change.
    pub action: ActionJson,
}

/// A change in JSON: `{kind: set-header, header, value}`, `{kind: set-status,
/// status}` or `{kind: advice, text}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ActionJson {
    /// Send exactly this header.
    SetHeader {
        /// Header name.
        header: String,
        /// Exact value.
        value: String,
    },
    /// Answer with this status.
    SetStatus {
        /// The status.
        status: u16,
    },
    /// Advice.
    Advice {
        /// What to do.
        text: String,
    },
}

/// Renders `fix` for JSON.
pub fn json(fix: &Fix) -> FixJson {
    FixJson {
        stage: fix.stage,
        problem: problem(fix),
        action: action_json(&fix.action),
    }
}

/// Renders a change for JSON.
pub fn action_json(action: &FixAction) -> ActionJson {
    match action {
        FixAction::SetStatus(status) => ActionJson::SetStatus { status: *status },
        FixAction::Advise(advice) => ActionJson::Advice {
            text: advice_text(advice),
        },
        FixAction::Send(_) | FixAction::SetContentType(_) => {
            let (header, value) = action.header().unwrap_or_default();
            ActionJson::SetHeader {
                header: header.to_owned(),
                value,
            }
        }
    }
}

/// A change in `diagnose --json`'s findings: `{header, value}`, `{status}` or `{advice}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum FindingJson {
    /// Send this header with exactly this value.
    Header {
        /// Header name.
        header: String,
        /// Exact value.
        value: String,
    },
    /// Answer with this status.
    Status {
        /// The status.
        status: u16,
    },
    /// Advice.
    Advice {
        /// What to do.
        advice: String,
    },
}

/// Renders a change for a finding's JSON.
pub fn finding_json(action: &FixAction) -> FindingJson {
    match action_json(action) {
        ActionJson::SetHeader { header, value } => FindingJson::Header { header, value },
        ActionJson::SetStatus { status } => FindingJson::Status { status },
        ActionJson::Advice { text } => FindingJson::Advice { advice: text },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::csp::CspViolation;
    use crate::engine::fix::{AllowOrigin, CorsHeader, MediaType};
    use crate::engine::{RedirectStep, StepKind};

    fn fix(stage: FixStage, problem: Problem, action: FixAction) -> Fix {
        Fix {
            stage,
            problem,
            action,
        }
    }

    #[test]
    fn every_cors_header_has_its_name_and_wire_value() {
        let cases = [
            (
                CorsHeader::AllowOrigin(AllowOrigin::Any),
                "Access-Control-Allow-Origin: *",
            ),
            (
                CorsHeader::AllowOrigin(AllowOrigin::Exact("null".into())),
                "Access-Control-Allow-Origin: null",
            ),
            (
                CorsHeader::AllowCredentials,
                "Access-Control-Allow-Credentials: true",
            ),
            (
                CorsHeader::AllowMethods(vec!["GET".into(), "PUT".into()]),
                "Access-Control-Allow-Methods: GET, PUT",
            ),
            (
                CorsHeader::AllowHeaders(vec!["x-a".into()]),
                "Access-Control-Allow-Headers: x-a",
            ),
            (
                CorsHeader::ExposeHeaders(vec!["etag".into(), "x-b".into()]),
                "Access-Control-Expose-Headers: etag, x-b",
            ),
            (CorsHeader::MaxAge(600), "Access-Control-Max-Age: 600"),
            (CorsHeader::Vary(vec!["Origin".into()]), "Vary: Origin"),
        ];
        for (header, line) in cases {
            assert_eq!(header_line(&FixAction::Send(header)).as_deref(), Some(line));
        }
        assert_eq!(
            header_line(&FixAction::SetContentType(MediaType::EventStream)).as_deref(),
            Some("Content-Type: text/event-stream")
        );
        assert_eq!(header_line(&FixAction::SetStatus(204)), None);
    }

    #[test]
    fn an_action_reads_as_one_instruction() {
        assert_eq!(
            action(&FixAction::Send(CorsHeader::AllowCredentials)),
            "send `Access-Control-Allow-Credentials: true`"
        );
        assert_eq!(action(&FixAction::SetStatus(204)), "answer with status 204");
        assert_eq!(
            action(&FixAction::Advise(Advice::TooManyRedirects)),
            "The server redirects in a loop: fix the redirect chain."
        );
    }

    #[test]
    fn a_server_fix_names_the_failure_on_its_response() {
        let missing = |phase| Failure::Cors {
            phase,
            error: CorsError::MissingAllowOrigin,
        };
        let preflight = fix(
            FixStage::Preflight,
            Problem::Failure(missing(crate::engine::failure::Phase::Preflight)),
            FixAction::Send(CorsHeader::AllowOrigin(AllowOrigin::Exact(
                "https://app.example".into(),
            ))),
        );
        assert_eq!(
            problem(&preflight),
            "the preflight response has no Access-Control-Allow-Origin"
        );
        let actual = Fix {
            problem: Problem::Failure(missing(crate::engine::failure::Phase::Actual)),
            ..preflight
        };
        assert_eq!(
            problem(&actual),
            "the response has no Access-Control-Allow-Origin"
        );
        let method = fix(
            FixStage::Preflight,
            Problem::Failure(Failure::MethodNotAllowed {
                method: "PUT".into(),
            }),
            FixAction::Send(CorsHeader::AllowMethods(vec!["PUT".into()])),
        );
        assert_eq!(problem(&method), "the preflight does not allow method PUT");
    }

    #[test]
    fn advice_names_its_problem_unless_a_failing_step_does() {
        let advice = fix(
            FixStage::Request,
            Problem::Advice,
            FixAction::Advise(Advice::ConnectionFailed),
        );
        assert_eq!(problem(&advice), "the server did not answer");
        let step = Step::new(StepKind::Redirect(RedirectStep::ModeError { status: 302 }));
        let from_step = Fix {
            problem: Problem::FailingStep(Box::new(step)),
            ..advice
        };
        assert_eq!(
            problem(&from_step),
            "status 302 with redirect mode error: network error"
        );
    }

    #[test]
    fn csp_advice_quotes_the_directive_and_says_what_to_widen() {
        let advice = Advice::PageCsp {
            violations: vec![CspViolation {
                effective_directive: "script-src-elem".into(),
                directive: "default-src".into(),
                value: "'self'".into(),
            }],
        };
        let text = advice_text(&advice);
        assert!(text.starts_with("Not a CORS problem"), "{text}");
        assert!(text.contains("(`default-src 'self'`)"), "{text}");
        assert!(
            text.ends_with("add its origin to script-src in the header that serves the page."),
            "{text}"
        );
        assert!(advice.says_not_cors());
        assert!(!Advice::ConnectionFailed.says_not_cors());
    }

    #[test]
    fn json_keeps_the_shapes_of_check_and_diagnose() {
        let send = fix(
            FixStage::Actual,
            Problem::Failure(Failure::EventStreamMimeType {
                mime: "application/json".into(),
            }),
            FixAction::SetContentType(MediaType::EventStream),
        );
        assert_eq!(
            serde_json::to_value(json(&send)).ok(),
            Some(serde_json::json!({
                "stage": "actual",
                "problem": "the response's Content-Type is \"application/json\"; EventSource needs text/event-stream",
                "action": {"kind": "set-header", "header": "Content-Type", "value": "text/event-stream"}
            }))
        );
        assert_eq!(
            serde_json::to_value(action_json(&FixAction::SetStatus(204))).ok(),
            Some(serde_json::json!({"kind": "set-status", "status": 204}))
        );
        assert_eq!(
            serde_json::to_value(finding_json(&FixAction::SetStatus(204))).ok(),
            Some(serde_json::json!({"status": 204}))
        );
        assert_eq!(
            serde_json::to_value(finding_json(&FixAction::Advise(Advice::UnsupportedScheme))).ok(),
            Some(serde_json::json!({"advice": "Serve the resource over http or https."}))
        );
        assert_eq!(
            serde_json::to_value(finding_json(&send.action)).ok(),
            Some(serde_json::json!({"header": "Content-Type", "value": "text/event-stream"}))
        );
    }
}
