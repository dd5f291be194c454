//! The fixes an answer shows, given the failure's [`Cause`]: for the CORS
//! protocol, the planner's header fixes as they are; for anything else, the
//! cause's own repair first, and a CORS header only where it helps too (an
//! error response needs them once the error is fixed; a refused preflight
//! is answered 2xx with them).

use crate::engine::cause::{Cause, FailedResponse};
use crate::engine::failure::Failure;
use crate::engine::fix::{Advice, Fix, FixAction, FixStage, Problem};
use crate::engine::server::WireResponse;
use crate::engine::trace::{ExchangeKind, RequestTrace};

/// The response `failure` happened on, as the trace shows it: the last
/// exchange of the failing phase, and whether a redirect was followed.
pub fn failed_response(trace: &RequestTrace, failure: &Failure) -> FailedResponse {
    let kind = if failure.is_preflight_failure() {
        ExchangeKind::Preflight
    } else {
        ExchangeKind::Actual
    };
    let status = trace
        .exchanges
        .iter()
        .rev()
        .find(|e| e.kind == kind)
        .and_then(|e| match &e.response {
            WireResponse::Http { status, .. } => Some(*status),
            WireResponse::NetworkError { .. } => None,
        });
    let actual = trace
        .exchanges
        .iter()
        .filter(|e| e.kind == ExchangeKind::Actual)
        .count();
    FailedResponse {
        status,
        redirected: kind == ExchangeKind::Actual && actual > 1,
    }
}

/// The cause of a traced request's failure, and the failed response's status.
pub fn cause_of_trace(trace: &RequestTrace) -> Option<(Cause, Option<u16>)> {
    let failure = trace.failure.as_ref()?;
    let response = failed_response(trace, failure);
    Some((Cause::of(failure, response), response.status))
}

/// The fix that names `cause` and its repair (`None` for the CORS protocol
/// and the page's CSP, whose fixes say it themselves).
pub fn cause_fix(cause: Cause, status: Option<u16>) -> Option<Fix> {
    let stage = match cause {
        Cause::Cors | Cause::PageCsp => return None,
        Cause::ServerError => FixStage::Actual,
        Cause::PreflightStatus => FixStage::Preflight,
        _ => FixStage::Request,
    };
    // The engine's own advice where it has one for this family.
    let advice = match (cause, status, cause.connection_kind()) {
        (Cause::ServerError, Some(status), _) => Advice::ServerError { status },
        (Cause::PreflightStatus, Some(status), _) => Advice::PreflightNotHandled { status },
        (Cause::MixedContent, _, _) => Advice::MixedContent,
        (_, _, Some(kind)) => Advice::Connection { kind },
        _ => Advice::Cause { cause, status },
    };
    Some(Fix {
        stage,
        problem: Problem::Advice,
        action: FixAction::Advise(advice),
    })
}

/// The fixes to show for a failure of `cause`: its own repair first, then
/// the planner's `fixes` that still apply (server changes only where CORS
/// headers help; the planner's advice only when the cause has none).
pub fn fixes_for_cause(cause: Cause, status: Option<u16>, fixes: &[Fix]) -> Vec<Fix> {
    let Some(first) = cause_fix(cause, status) else {
        return fixes.to_vec();
    };
    // The planner already leads with this repair (an error status it met),
    // or with the engine's own words for a failure that is not CORS.
    let explained = |f: &Fix| match &f.action {
        FixAction::Advise(advice) => f.action == first.action || advice.says_not_cors(),
        _ => false,
    };
    if fixes.iter().any(explained) {
        return fixes
            .iter()
            .filter(|f| cause.cors_headers_help() || matches!(f.action, FixAction::Advise(_)))
            .cloned()
            .collect();
    }
    let mut shown = vec![first];
    if cause.cors_headers_help() {
        shown.extend(
            fixes
                .iter()
                .filter(|f| !matches!(f.action, FixAction::Advise(_)))
                .cloned(),
        );
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fix::{AllowOrigin, CorsHeader};

    fn header_fix() -> Fix {
        Fix {
            stage: FixStage::Actual,
            problem: Problem::Advice,
            action: FixAction::Send(CorsHeader::AllowOrigin(AllowOrigin::Any)),
        }
    }

    #[test]
    fn cors_keeps_the_planners_fixes_and_others_lead_with_their_cause() {
        let planned = [header_fix()];
        assert_eq!(fixes_for_cause(Cause::Cors, None, &planned), planned);
        let server = fixes_for_cause(Cause::ServerError, Some(500), &planned);
        assert_eq!(server.len(), 2, "the error and the CORS headers on it");
        assert_eq!(
            server[0].action,
            FixAction::Advise(Advice::ServerError { status: 500 })
        );
        // Met by the planner already: not twice.
        assert_eq!(
            fixes_for_cause(Cause::ServerError, Some(500), &server),
            server
        );
        for cause in Cause::ALL
            .into_iter()
            .filter(|c| !c.cors_headers_help() && *c != Cause::PageCsp)
        {
            let shown = fixes_for_cause(cause, None, &planned);
            assert!(
                shown.iter().all(|f| f.action.header().is_none()),
                "{cause} asks for a header"
            );
        }
    }
}
