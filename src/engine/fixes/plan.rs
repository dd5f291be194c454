//! The fix planner: repair the first failing check, re-run, repeat.

use crate::engine::failure::{CorsError, Failure, Phase};
use crate::engine::fix::{
    Advice, AllowOrigin, CorsHeader, Fix, FixAction, FixStage, MediaType, Problem,
};
use crate::engine::headers::{is_token, HeaderList};
use crate::engine::server::WireResponse;
use crate::engine::step::{StepKind, StepStatus};
use crate::engine::trace::{Exchange, ExchangeKind, RequestTrace};
use crate::scenario::edit::{add_rule, split_shared_rule, truncate, Place};
use crate::scenario::{Respond, RuleMatch, Scenario, ServerRule};

/// How many repairs are tried at most; each one fixes one check.
const MAX_REPAIRS: usize = 12;

/// Plans every fix for request `index`, given its trace, by repairing and
/// re-running with `rerun` (which evaluates a scenario and returns that
/// request's trace).
pub(crate) fn plan_fixes(
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
            problem: Problem::Advice,
            action: FixAction::Advise(Advice::AttackerPage),
        });
        return fixes;
    }
    if let Some(fix) = error_status_advice(first) {
        fixes.push(fix);
    }
    // Requests after `index` cannot change it, so the copy stops there.
    let mut working = truncate(scenario, index);
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
        apply(&mut working, &fix, rule, trace);
        fixes.push(fix);
        match rerun(&working) {
            Some(next) => rerun_trace = Some(next),
            None => break,
        }
    }
    if let Some(fix) = redirected_elsewhere_advice(first) {
        fixes.push(fix);
    }
    fixes
}

/// An error status the server sent before CORS refused the response (the
/// trace's `ErrorStatus` step): the server's own failure comes first, so
/// its advice leads the fixes, before the CORS headers every response needs.
fn error_status_advice(trace: &RequestTrace) -> Option<Fix> {
    let step = trace
        .steps
        .iter()
        .find(|step| matches!(step.kind, StepKind::ErrorStatus { .. }))?;
    let StepKind::ErrorStatus { phase, status, .. } = step.kind else {
        return None;
    };
    let (stage, advice) = match phase {
        Phase::Preflight => (FixStage::Preflight, Advice::PreflightNotHandled { status }),
        Phase::Actual => (FixStage::Actual, Advice::ServerError { status }),
    };
    Some(Fix {
        stage,
        problem: Problem::FailingStep(Box::new(step.clone())),
        action: FixAction::Advise(advice),
    })
}

/// A redirect that took the request to another origin, which refused it
/// (the trace's `RedirectedElsewhere` step): perhaps a redirect nobody
/// meant, so its advice follows the header fixes a meant one needs.
fn redirected_elsewhere_advice(trace: &RequestTrace) -> Option<Fix> {
    let step = trace
        .steps
        .iter()
        .find(|step| matches!(step.kind, StepKind::RedirectedElsewhere { .. }))?;
    let StepKind::RedirectedElsewhere { to, .. } = &step.kind else {
        return None;
    };
    Some(Fix {
        stage: FixStage::Actual,
        problem: Problem::FailingStep(Box::new(step.clone())),
        action: FixAction::Advise(Advice::RedirectedElsewhere { to: to.clone() }),
    })
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
        WireResponse::NetworkError { rule, .. } => {
            Some((HeaderList::default(), origin, Some(*rule)))
        }
    }
}

/// A list header's valid items plus `item`, as the fix's list.
fn list_with(headers: &HeaderList, name: &str, item: &str) -> Vec<String> {
    let mut items: Vec<String> = headers
        .get(name)
        .unwrap_or_default()
        .split(',')
        .map(|i| i.trim().to_owned())
        .filter(|i| is_token(i))
        .collect();
    if !items.iter().any(|i| i == item) {
        items.push(item.to_owned());
    }
    items
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
    let allow_origin = || CorsHeader::AllowOrigin(AllowOrigin::Exact(origin.to_owned()));
    let methods =
        || CorsHeader::AllowMethods(list_with(headers, "Access-Control-Allow-Methods", method));
    let action = match failure {
        Failure::Cors { error, .. } => match error {
            CorsError::MissingAllowOrigin
            | CorsError::WildcardOriginNotAllowed
            | CorsError::MultipleAllowOriginValues { .. }
            | CorsError::InvalidAllowOriginValue { .. }
            | CorsError::AllowOriginMismatch { .. } => FixAction::Send(allow_origin()),
            CorsError::InvalidAllowCredentials { .. } => {
                FixAction::Send(CorsHeader::AllowCredentials)
            }
        },
        Failure::PreflightInvalidStatus { .. } | Failure::PreflightRedirect { .. } => {
            FixAction::SetStatus(204)
        }
        Failure::InvalidAllowMethods { .. } => FixAction::Send(methods()),
        Failure::MethodNotAllowed { method } => FixAction::Send(CorsHeader::AllowMethods(
            list_with(headers, "Access-Control-Allow-Methods", method),
        )),
        // The invalid items go; the valid ones stay.
        Failure::InvalidAllowHeaders { .. } => FixAction::Send(CorsHeader::AllowHeaders(
            list_with(headers, "Access-Control-Allow-Headers", ""),
        )),
        Failure::HeaderNotAllowed { header } => FixAction::Send(CorsHeader::AllowHeaders(
            list_with(headers, "Access-Control-Allow-Headers", header),
        )),
        Failure::EventStreamStatus { .. } => FixAction::SetStatus(200),
        Failure::EventStreamMimeType { .. } => FixAction::SetContentType(MediaType::EventStream),
        _ => return None,
    };
    Some(Fix {
        stage,
        problem: Problem::Failure(failure.clone()),
        action,
    })
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
/// was evaluated: the problem is the failing step's own.
fn advice_for_trace(failure: &Failure, trace: &RequestTrace) -> Fix {
    let mut fix = advice_for(failure);
    // Every failing step says what it found (see `narrate`), so the first
    // one is the problem; its words are rendered only when the fix is shown.
    if let Some(step) = trace
        .steps
        .iter()
        .find(|step| step.status == StepStatus::Fail)
    {
        fix.problem = Problem::FailingStep(Box::new(step.clone()));
    }
    fix
}

/// What to do about a failure the server cannot repair (the advice names
/// the problem; see [`advice_for_trace`] when a trace exists).
pub fn advice_for(failure: &Failure) -> Fix {
    let advice = match failure {
        Failure::CspBlocked { violations } => Advice::PageCsp {
            violations: violations.clone(),
        },
        Failure::ConnectionFailed { kind, .. } => Advice::Connection { kind: *kind },
        Failure::PageTimeout { .. } => Advice::PageTimeout,
        Failure::MixedContentBlocked { .. } => Advice::MixedContent,
        Failure::SameOriginModeCrossOrigin { .. } => Advice::SameOriginMode,
        Failure::NoCorsRedirectNotFollow => Advice::NoCorsRedirect,
        Failure::RedirectContainsCredentials { .. } => Advice::RedirectCredentials,
        Failure::RedirectModeError => Advice::RedirectMode,
        Failure::TooManyRedirects => Advice::TooManyRedirects,
        Failure::InvalidRedirectLocation { .. } => Advice::RedirectLocation,
        Failure::UnsupportedScheme { .. } => Advice::UnsupportedScheme,
        Failure::WebSocketHandshake { .. } => Advice::WebSocketHandshake,
        Failure::LocalNetworkAccess { target, denial, .. } => Advice::LocalNetworkAccess {
            target: *target,
            denial: denial.clone(),
        },
        Failure::CorpBlocked {
            defaulted_by_coep, ..
        } => Advice::CrossOriginResourcePolicy {
            defaulted_by_coep: *defaulted_by_coep,
        },
        Failure::OrbBlocked { .. } => Advice::OpaqueResponseBlocking,
        _ => Advice::ScriptCall,
    };
    Fix {
        stage: FixStage::Request,
        problem: Problem::Advice,
        action: FixAction::Advise(advice),
    }
}

/// A framework rule's answer to `exchange`, as it was sent, becomes a rule
/// of its own for that method and URL, inserted before the framework rule
/// (which still answers every other request): a fix edits what the server
/// sent, and the framework's configuration is the caller's to change.
fn answer_as_sent(scenario: &mut Scenario, index: usize, exchange: &Exchange) -> usize {
    let (status, headers) = match &exchange.response {
        WireResponse::Http {
            status, headers, ..
        } => (*status, headers.0.clone()),
        WireResponse::NetworkError { .. } => (200, Vec::new()),
    };
    let body = scenario
        .server
        .get(index)
        .map(|rule| rule.respond.body.clone())
        .unwrap_or_default();
    let rule = ServerRule {
        matcher: RuleMatch {
            method: Some(exchange.request.method.clone()),
            url: exchange.request.url.clone(),
        },
        respond: Respond {
            status,
            headers: headers
                .into_iter()
                .filter(|(name, _)| !name.eq_ignore_ascii_case("Content-Length"))
                .collect(),
            body,
            network_error: None,
        },
        framework: None,
    };
    scenario.server.insert(index, rule);
    index
}

/// Applies `fix` to the rule that answered (or to a new first rule for the
/// failing URL, answering as the default did).
fn apply(scenario: &mut Scenario, fix: &Fix, rule: Option<usize>, trace: &RequestTrace) {
    let kind = match fix.stage {
        FixStage::Preflight => ExchangeKind::Preflight,
        _ => ExchangeKind::Actual,
    };
    let Some(exchange) = trace.exchanges.iter().rev().find(|e| e.kind == kind) else {
        return;
    };
    // A rule shared by OPTIONS and the actual request is split, so a preflight fix touches only the preflight.
    let target = match rule {
        Some(index)
            if scenario
                .server
                .get(index)
                .is_some_and(|r| r.framework.is_some()) =>
        {
            answer_as_sent(scenario, index, exchange)
        }
        Some(index)
            if fix.stage == FixStage::Preflight
                && scenario
                    .server
                    .get(index)
                    .is_some_and(|r| r.matcher.method.is_none()) =>
        {
            split_shared_rule(scenario, index).map_or(index, |(preflight, _)| preflight)
        }
        Some(index) => index,
        None => {
            let status = match &exchange.response {
                WireResponse::Http { status, .. } => *status,
                WireResponse::NetworkError { .. } => 200,
            };
            add_rule(
                scenario,
                Place::First,
                Some(exchange.request.method.clone()),
                exchange.request.url.clone(),
                status,
            )
        }
    };
    let Some(rule) = scenario.server.get_mut(target) else {
        return;
    };
    let headers = &mut rule.respond.headers;
    match &fix.action {
        FixAction::Send(_) | FixAction::SetContentType(_) => {
            if let Some((name, value)) = fix.action.header() {
                headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
                headers.push((name.to_owned(), value));
            }
        }
        FixAction::SetStatus(status) => {
            rule.respond.status = *status;
            headers.retain(|(n, _)| !n.eq_ignore_ascii_case("Location"));
        }
        FixAction::Advise(_) => {}
    }
}
