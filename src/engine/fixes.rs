//! Beyond any browser: every server change a request needs, not just the first.
//!
//! Browsers stop at the first failing check. Here the engine repairs that
//! check on a copy of the scenario's server and runs again, until the request
//! succeeds or the remaining problem is not the server's to fix.

use serde::Serialize;

use super::failure::{CorsError, Failure, Phase};
use super::headers::HeaderList;
use super::server::WireResponse;
use super::step::StepStatus;
use super::trace::{ExchangeKind, RequestTrace};
use crate::scenario::{Respond, RuleMatch, Scenario, ServerRule};

/// One change and the problem it solves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// The response to change (`preflight` or `actual`), or `request` for the script's side.
    pub stage: FixStage,
    /// The problem, in one sentence.
    pub problem: String,
    /// What to change.
    pub action: FixAction,
}

/// Where a fix applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixStage {
    /// The OPTIONS response.
    Preflight,
    /// The actual response.
    Actual,
    /// The script's request.
    Request,
}

/// A concrete change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FixAction {
    /// Send exactly this header (replacing any of the same name).
    SetHeader {
        /// Header name.
        header: String,
        /// Exact value.
        value: String,
    },
    /// Answer with this status (and no redirect).
    SetStatus {
        /// The status.
        status: u16,
    },
    /// Something only the client (or the deployment) can change.
    Advice {
        /// What to do.
        text: String,
    },
}

/// How many repairs are tried at most; each one fixes one check.
const MAX_REPAIRS: usize = 12;

/// Plans every fix for request `index`, given its trace, by repairing and
/// re-running with `rerun` (which evaluates a scenario and returns that
/// request's trace).
pub fn plan_fixes(
    scenario: &Scenario,
    index: usize,
    first: &RequestTrace,
    rerun: &dyn Fn(&Scenario) -> Option<RequestTrace>,
) -> Vec<Fix> {
    let mut fixes = Vec::new();
    let Some(failure) = &first.failure else {
        return fixes;
    };
    if scenario.attacker_page && is_server_refusal(failure) {
        fixes.push(Fix {
            stage: FixStage::Request,
            problem: "the page is the attacker's, and the server refused it".to_owned(),
            action: FixAction::Advice {
                text: "Nothing to fix: this refusal is the protection working. Do not change the server to let this origin in.".to_owned(),
            },
        });
        return fixes;
    }
    // Requests after `index` cannot change it, so the copy stops there.
    let mut working = Scenario {
        requests: scenario.requests.iter().take(index + 1).cloned().collect(),
        expect: None,
        lesson: None,
        title: None,
        tags: Vec::new(),
        source: None,
        not_modelled: Vec::new(),
        attacker_page: scenario.attacker_page,
        page_csp: scenario.page_csp.clone(),
        format: String::new(),
        id: String::new(),
        level: None,
        browser: scenario.browser,
        page: scenario.page.clone(),
        server: scenario.server.clone(),
    };
    let mut rerun_trace: Option<RequestTrace> = None;
    for _ in 0..MAX_REPAIRS {
        let trace = rerun_trace.as_ref().unwrap_or(first);
        let Some(failure) = &trace.failure else {
            break;
        };
        let Some((fix, rule)) = fix_for(failure, trace) else {
            fixes.push(advice_for_trace(failure, trace));
            break;
        };
        if fixes.contains(&fix) {
            break;
        }
        apply(&mut working, &fix, rule, trace, index);
        fixes.push(fix);
        match rerun(&working) {
            Some(next) => rerun_trace = Some(next),
            None => break,
        }
    }
    fixes
}

/// The failing exchange's response headers, its origin header, and the rule that answered.
fn failing_exchange(
    trace: &RequestTrace,
    phase: Phase,
) -> Option<(HeaderList, String, Option<usize>)> {
    let kind = match phase {
        Phase::Preflight => ExchangeKind::Preflight,
        Phase::Actual => ExchangeKind::Actual,
    };
    let exchange = trace.exchanges.iter().rev().find(|e| e.kind == kind)?;
    let origin = exchange
        .request
        .headers
        .get("Origin")
        .unwrap_or_else(|| "null".to_owned());
    match &exchange.response {
        WireResponse::Http { headers, rule, .. } => Some((headers.clone(), origin, *rule)),
        WireResponse::NetworkError { rule } => Some((HeaderList::default(), origin, Some(*rule))),
    }
}

fn set(stage: FixStage, problem: String, header: &str, value: String) -> Fix {
    Fix {
        stage,
        problem,
        action: FixAction::SetHeader {
            header: header.to_owned(),
            value,
        },
    }
}

/// A list header's valid items plus `item`, as the fix value.
fn list_with(headers: &HeaderList, name: &str, item: &str) -> String {
    let mut items: Vec<String> = headers
        .get(name)
        .unwrap_or_default()
        .split(',')
        .map(|i| i.trim().to_owned())
        .filter(|i| super::headers::is_token(i))
        .collect();
    if !items.iter().any(|i| i == item) {
        items.push(item.to_owned());
    }
    items.join(", ")
}

/// The server change that repairs `failure`, and the rule to change.
fn fix_for(failure: &Failure, trace: &RequestTrace) -> Option<(Fix, Option<usize>)> {
    let phase = if failure.is_preflight_failure() {
        Phase::Preflight
    } else {
        Phase::Actual
    };
    let (headers, origin, rule) = failing_exchange(trace, phase)?;
    let fix = server_fix(failure, &headers, &origin, &trace_method(trace))?;
    Some((fix, rule))
}

/// The server change that repairs `failure`, given the failing response's
/// `headers`, the request's `origin` and its `method`; `None` when the
/// server cannot repair it (see [`advice_for`]). Also used on its own when
/// only a console line is known (`diagnose`).
pub fn server_fix(
    failure: &Failure,
    headers: &HeaderList,
    origin: &str,
    method: &str,
) -> Option<Fix> {
    let stage = if failure.is_preflight_failure() {
        FixStage::Preflight
    } else {
        FixStage::Actual
    };
    let origin = origin.to_owned();
    let on = match stage {
        FixStage::Preflight => "the preflight response",
        _ => "the response",
    };
    let fix = match failure {
        Failure::Cors { error, .. } => match error {
            CorsError::MissingAllowOrigin => set(stage, format!("{on} has no Access-Control-Allow-Origin"), "Access-Control-Allow-Origin", origin),
            CorsError::WildcardOriginNotAllowed => set(stage, format!("{on} allows `*`, which is refused with credentials"), "Access-Control-Allow-Origin", origin),
            CorsError::MultipleAllowOriginValues { value, .. } => set(stage, format!("{on} sends several origins ({value}); exactly one is allowed"), "Access-Control-Allow-Origin", origin),
            CorsError::InvalidAllowOriginValue { value } | CorsError::AllowOriginMismatch { value } => {
                set(stage, format!("{on} allows {value:?}, not the request's origin"), "Access-Control-Allow-Origin", origin)
            }
            CorsError::InvalidAllowCredentials { value } => set(
                stage,
                format!("{on} has Access-Control-Allow-Credentials {value:?}; with credentials it must be exactly true"),
                "Access-Control-Allow-Credentials",
                "true".to_owned(),
            ),
        },
        Failure::PreflightInvalidStatus { status } => Fix {
            stage,
            problem: format!("the preflight response has status {status}, not 200–299"),
            action: FixAction::SetStatus { status: 204 },
        },
        Failure::PreflightRedirect { status } => Fix {
            stage,
            problem: format!("the preflight is answered with a {status} redirect, which is never followed"),
            action: FixAction::SetStatus { status: 204 },
        },
        Failure::InvalidAllowMethods { token, .. } => set(
            stage,
            format!("Access-Control-Allow-Methods has {token:?}, which is not a method token"),
            "Access-Control-Allow-Methods",
            list_with(headers, "Access-Control-Allow-Methods", method),
        ),
        Failure::InvalidAllowHeaders { token, .. } => set(
            stage,
            format!("Access-Control-Allow-Headers has {token:?}, which is not a header name"),
            "Access-Control-Allow-Headers",
            list_with(headers, "Access-Control-Allow-Headers", ""),
        ),
        Failure::MethodNotAllowed { method } => set(
            stage,
            format!("the preflight does not allow method {method}"),
            "Access-Control-Allow-Methods",
            list_with(headers, "Access-Control-Allow-Methods", method),
        ),
        Failure::HeaderNotAllowed { header } => set(
            stage,
            format!("the preflight does not allow request header {header}"),
            "Access-Control-Allow-Headers",
            list_with(headers, "Access-Control-Allow-Headers", header),
        ),
        Failure::EventStreamStatus { status } => Fix {
            stage,
            problem: format!("the event stream is answered with status {status}; EventSource needs 200"),
            action: FixAction::SetStatus { status: 200 },
        },
        Failure::EventStreamMimeType { mime } => set(
            stage,
            format!("the response's Content-Type is {mime:?}; EventSource needs text/event-stream"),
            "Content-Type",
            "text/event-stream".to_owned(),
        ),
        _ => return None,
    };
    Some(fix)
}

fn trace_method(trace: &RequestTrace) -> String {
    trace
        .exchanges
        .iter()
        .rev()
        .find(|e| e.kind == ExchangeKind::Actual)
        .map(|e| e.request.method.clone())
        .or_else(|| {
            trace
                .exchanges
                .first()
                .and_then(|e| e.request.headers.get("Access-Control-Request-Method"))
        })
        .unwrap_or_default()
}

/// Whether the server's answer (a CORS failure or a refused WebSocket handshake) stopped the request.
fn is_server_refusal(failure: &Failure) -> bool {
    failure.is_cors_failure() || matches!(failure, Failure::WebSocketHandshake { .. })
}

/// What to do about a failure no server change repairs, for a request that
/// was evaluated: the problem is the failing step's own sentence.
fn advice_for_trace(failure: &Failure, trace: &RequestTrace) -> Fix {
    let mut fix = advice_for(failure);
    if let Some(found) = trace
        .steps
        .iter()
        .filter(|step| step.status == StepStatus::Fail)
        .map(super::narrate::found)
        .find(|found| !found.is_empty())
    {
        fix.problem = found;
    }
    fix
}

/// What to do about a failure the server cannot repair (the typed failure
/// is the problem; see [`advice_for_trace`] when a trace exists).
pub fn advice_for(failure: &Failure) -> Fix {
    if let Failure::CspBlocked { violations } = failure {
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
        return Fix {
            stage: FixStage::Request,
            problem: "the page's own Content-Security-Policy does not allow this URL".to_owned(),
            action: FixAction::Advice {
                text: format!(
                    "Not a CORS problem: the page's own Content-Security-Policy ({}) forbids this URL, and no header on that server changes it. If the page should use it, add its origin to {effective} in the header that serves the page.",
                    directives.join(", ")
                ),
            },
        };
    }
    let (problem, text) = match failure {
        Failure::ConnectionFailed { .. } => ("the server did not answer", "The server did not answer at all: check that it is running and reachable. This is not a CORS problem."),
        Failure::SameOriginModeCrossOrigin { .. } => ("mode \"same-origin\" refuses a cross-origin URL", "Use mode \"cors\" (the default) for a cross-origin URL."),
        Failure::NoCorsRedirectNotFollow => ("a no-cors request may only follow redirects", "Use redirect \"follow\" with mode \"no-cors\", or use mode \"cors\"."),
        Failure::RedirectContainsCredentials { .. } => ("the redirect's URL holds a username or password", "Redirect to a URL without a username or password."),
        Failure::RedirectModeError => ("the server redirected a request whose redirect mode is \"error\"", "The server redirects: request the final URL directly, or use redirect \"follow\"."),
        Failure::TooManyRedirects => ("the request was redirected more than 20 times", "The server redirects in a loop: fix the redirect chain."),
        Failure::InvalidRedirectLocation { .. } => ("the redirect's Location is not an http or https URL", "Redirect only to http or https URLs."),
        Failure::UnsupportedScheme { .. } => ("the URL's scheme is not http or https", "Serve the resource over http or https."),
        Failure::WebSocketHandshake { .. } => ("the server refused the WebSocket handshake", "The server refused the WebSocket handshake: that is its own decision (an Origin check, say), not CORS, and no Access-Control-* header changes it. Accept this origin on the server only if it is trusted."),
        _ => ("the script's call is refused before anything is sent", "Fix the script's call: the browser throws before sending anything."),
    };
    Fix {
        stage: FixStage::Request,
        problem: problem.to_owned(),
        action: FixAction::Advice {
            text: text.to_owned(),
        },
    }
}

/// Applies `fix` to the rule that answered (or to a new rule for the failing URL).
fn apply(
    scenario: &mut Scenario,
    fix: &Fix,
    rule: Option<usize>,
    trace: &RequestTrace,
    _index: usize,
) {
    let kind = match fix.stage {
        FixStage::Preflight => ExchangeKind::Preflight,
        _ => ExchangeKind::Actual,
    };
    let Some(exchange) = trace.exchanges.iter().rev().find(|e| e.kind == kind) else {
        return;
    };
    let (method, url) = (
        exchange.request.method.clone(),
        exchange.request.url.clone(),
    );
    let status = match &exchange.response {
        WireResponse::Http { status, .. } => *status,
        WireResponse::NetworkError { .. } => 200,
    };
    // A rule shared by OPTIONS and the actual request is split, so a preflight fix touches only the preflight.
    let target = match rule {
        Some(index)
            if fix.stage == FixStage::Preflight
                && scenario
                    .server
                    .get(index)
                    .is_some_and(|r| r.matcher.method.is_none()) =>
        {
            let mut copy = scenario.server.get(index).cloned();
            if let Some(copy) = copy.as_mut() {
                copy.matcher.method = Some("OPTIONS".to_owned());
                scenario.server.insert(index, copy.clone());
            }
            index
        }
        Some(index) => index,
        None => {
            scenario.server.insert(
                0,
                ServerRule {
                    matcher: RuleMatch {
                        method: Some(method),
                        url,
                    },
                    respond: Respond {
                        status,
                        headers: Vec::new(),
                        body: String::new(),
                        network_error: false,
                    },
                },
            );
            0
        }
    };
    let Some(rule) = scenario.server.get_mut(target) else {
        return;
    };
    match &fix.action {
        FixAction::SetHeader { header, value } => {
            rule.respond
                .headers
                .retain(|(n, _)| !n.eq_ignore_ascii_case(header));
            rule.respond.headers.push((header.clone(), value.clone()));
        }
        FixAction::SetStatus { status } => {
            rule.respond.status = *status;
            rule.respond
                .headers
                .retain(|(n, _)| !n.eq_ignore_ascii_case("Location"));
        }
        FixAction::Advice { .. } => {}
    }
}
