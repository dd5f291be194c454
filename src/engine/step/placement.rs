//! Where each step belongs: its stage, whether it passed, and the spec
//! anchor that defines it (the data [`super::Step::new`] fills in).

use super::*;

/// Where a step belongs, whether it passed, and what defines it.
pub(super) fn placement(kind: &StepKind) -> (Stage, StepStatus, SpecRef) {
    use StepStatus::{Fail, Info, Pass, Warn};
    match kind {
        StepKind::Built { note } => {
            let (status, spec) = build_placement(note);
            (Stage::Build, status, spec)
        }
        StepKind::InitiatorMode { api, .. } => {
            let spec = match api {
                Api::Eventsource => SpecRef::Html("server-sent-events.html", "dom-eventsource"),
                Api::Form => SpecRef::Html(
                    "form-control-infrastructure.html",
                    "form-submission-algorithm",
                ),
                Api::Websocket | Api::Fetch | Api::Xhr => {
                    SpecRef::WebSockets("concept-websocket-establish")
                }
                Api::Img | Api::Script | Api::Stylesheet => {
                    SpecRef::Html(HTML_FETCHING, "create-a-potential-cors-request")
                }
            };
            (Stage::Build, Info, spec)
        }
        StepKind::Thrown { .. } => (Stage::Build, Fail, SpecRef::Fetch("dom-request")),
        StepKind::SameOrigin { .. } => (Stage::Origin, Info, SpecRef::Fetch("same-origin")),
        StepKind::PageCsp { check, .. } => (
            Stage::Csp,
            if check.blocks() { Fail } else { Pass },
            SpecRef::Csp("should-block-request"),
        ),
        StepKind::Path { path, .. } => {
            let status = match path {
                PathTaken::SameOrigin | PathTaken::NoCors | PathTaken::Cors => Info,
                _ => Fail,
            };
            (Stage::Origin, status, SpecRef::Fetch("main-fetch"))
        }
        StepKind::OriginTainted => (
            Stage::Redirect,
            Warn,
            SpecRef::Fetch("concept-request-tainted-origin"),
        ),
        StepKind::Classification { .. } => (
            Stage::Classification,
            Info,
            SpecRef::Fetch("cors-preflight-fetch"),
        ),
        StepKind::CacheHit { .. } => (Stage::Cache, Pass, SpecRef::Fetch("concept-cache-match")),
        StepKind::CacheMiss { .. } => (Stage::Cache, Info, SpecRef::Fetch("concept-cache-match")),
        StepKind::PreflightSent { .. } => (
            Stage::Preflight,
            Info,
            SpecRef::Fetch("cors-preflight-fetch-0"),
        ),
        StepKind::PreflightUnanswered { .. } => (
            Stage::Connection,
            Fail,
            SpecRef::Fetch("concept-network-error"),
        ),
        StepKind::PreflightAllowed { .. } => (
            Stage::Preflight,
            Pass,
            SpecRef::Fetch("cors-preflight-fetch-0"),
        ),
        StepKind::WildcardCoveredAuthorization => (
            Stage::Preflight,
            Warn,
            SpecRef::Fetch("cors-non-wildcard-request-header-name"),
        ),
        StepKind::PreflightRejected { .. } => (
            Stage::Preflight,
            Fail,
            SpecRef::Fetch("cors-preflight-fetch-0"),
        ),
        StepKind::CorsCheck { result, .. } => (
            Stage::CorsCheck,
            if result.is_ok() { Pass } else { Fail },
            SpecRef::Fetch("concept-cors-check"),
        ),
        StepKind::Unanswered { .. } => (
            Stage::Connection,
            Fail,
            SpecRef::Fetch("concept-network-error"),
        ),
        StepKind::MixedContent { resolution, .. } => match resolution {
            MixedContentResolution::Blocked | MixedContentResolution::LoopbackBlocked => (
                Stage::MixedContent,
                Fail,
                SpecRef::MixedContent("should-block-fetch"),
            ),
            MixedContentResolution::Upgraded { .. } => (
                Stage::MixedContent,
                Warn,
                SpecRef::MixedContent("upgrade-algorithm"),
            ),
            MixedContentResolution::Trustworthy => (
                Stage::MixedContent,
                Pass,
                SpecRef::MixedContent("should-block-fetch"),
            ),
        },
        StepKind::ErrorStatus { .. } => (Stage::ServerError, Fail, SpecRef::Fetch("ok-status")),
        StepKind::RedirectedElsewhere { .. } => {
            (Stage::Redirect, Warn, SpecRef::Fetch("http-redirect-fetch"))
        }
        StepKind::Answered { .. } => (Stage::Request, Info, SpecRef::Fetch("http-fetch")),
        StepKind::Redirect(redirect) => {
            let (status, anchor) = match redirect {
                RedirectStep::ModeError { .. } => (Fail, "concept-request-redirect-mode"),
                RedirectStep::Manual { .. } => (Info, "concept-filtered-response-opaque-redirect"),
                RedirectStep::Followed { .. } => (Info, "http-redirect-fetch"),
                _ => (Fail, "http-redirect-fetch"),
            };
            (Stage::Redirect, status, SpecRef::Fetch(anchor))
        }
        StepKind::Navigation | StepKind::NavigationAnswered { .. } => (
            Stage::Request,
            Info,
            SpecRef::Html("browsing-the-web.html", "navigate"),
        ),
        StepKind::NavigationUnanswered => (
            Stage::Request,
            Fail,
            SpecRef::Fetch("concept-network-error"),
        ),
        StepKind::Handshake { .. } => (
            Stage::Request,
            Info,
            SpecRef::WebSockets("concept-websocket-establish"),
        ),
        StepKind::HandshakeAnswered { status } => (
            Stage::Request,
            if *status == 101 { Pass } else { Fail },
            SpecRef::WebSockets("concept-websocket-establish"),
        ),
        StepKind::LocalNetworkAccess { .. }
        | StepKind::ResourcePolicy { .. }
        | StepKind::OrbBlocked { .. } => gate_placement(kind),
        StepKind::Verdict { outcome, .. } => {
            let status = match outcome {
                Outcome::Allowed => Pass,
                Outcome::Opaque => Info,
                Outcome::Blocked | Outcome::NetworkError => Fail,
            };
            (Stage::Verdict, status, SpecRef::Fetch("main-fetch"))
        }
    }
}

/// Where the steps of issue 13's families 4 and 5 belong (Local Network
/// Access; CORP and ORB), whether they passed, and what defines them.
fn gate_placement(kind: &StepKind) -> (Stage, StepStatus, SpecRef) {
    use StepStatus::{Fail, Info, Pass};
    match kind {
        StepKind::LocalNetworkAccess { decision, .. } => (
            Stage::LocalNetwork,
            if decision.result.is_ok() { Pass } else { Fail },
            SpecRef::LocalNetworkAccess("local-network-access-check"),
        ),
        StepKind::ResourcePolicy { check, .. } => (
            Stage::ResourcePolicy,
            if check.blocked { Fail } else { Pass },
            SpecRef::Fetch("cross-origin-resource-policy-check"),
        ),
        StepKind::OrbBlocked { .. } => {
            (Stage::ResourcePolicy, Fail, SpecRef::Orb("orbs-algorithm"))
        }
        // Never reached: only the three kinds above come here.
        _ => (Stage::Verdict, Info, SpecRef::Fetch("main-fetch")),
    }
}

/// Whether a build note passed, and what defines it.
fn build_placement(note: &BuildNote) -> (StepStatus, SpecRef) {
    use StepStatus::{Info, Warn};
    match note {
        BuildNote::MethodNormalized { .. } => (Info, SpecRef::Fetch("concept-method-normalize")),
        BuildNote::MethodNotNormalized { .. } => (Warn, SpecRef::Fetch("concept-method-normalize")),
        BuildNote::ForbiddenHeaderDropped { .. } => {
            (Warn, SpecRef::Fetch("forbidden-request-header"))
        }
        BuildNote::NoCorsHeaderDropped { .. } => {
            (Warn, SpecRef::Fetch("no-cors-safelisted-request-header"))
        }
        BuildNote::HeaderCombined { .. } => (Info, SpecRef::Fetch("concept-header-list-combine")),
        BuildNote::DefaultHeaderAdded { .. } => (Info, SpecRef::Fetch("fetching")),
        BuildNote::BodyIgnored => (Info, SpecRef::Xhr("dom-xmlhttprequest-send")),
        BuildNote::UploadListenerForcesPreflight => {
            (Info, SpecRef::Fetch("use-cors-preflight-flag"))
        }
        BuildNote::InitiatorMode { .. } | BuildNote::ApiIgnoresSetting { .. } => (
            Info,
            SpecRef::Html(HTML_FETCHING, "create-a-potential-cors-request"),
        ),
        BuildNote::XhrIgnoresSetting { .. } => (Info, SpecRef::Xhr("the-xmlhttprequest-interface")),
    }
}
