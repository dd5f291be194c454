//! Every failure kind the engine renders, with the values that fill its
//! fields: the templates' source ([`super::templates`]).

use super::*;

/// The values that fill a failure's fields (placeholders, or values read back).
#[derive(Debug, Clone, Default)]
pub(super) struct Slots {
    pub(super) value: String,
    pub(super) token: String,
    pub(super) method: String,
    pub(super) header: String,
    pub(super) location: String,
    pub(super) scheme: String,
    pub(super) page_url: String,
    pub(super) status: u16,
}

/// Every failure kind the engine renders, filled from `s`. The same index
/// always gives the same kind, so a match can be rebuilt with read values.
pub(super) fn failure_kinds(s: &Slots) -> Vec<Failure> {
    let mut kinds = Vec::new();
    for phase in [Phase::Actual, Phase::Preflight] {
        for error in [
            CorsError::MissingAllowOrigin,
            CorsError::WildcardOriginNotAllowed,
            CorsError::MultipleAllowOriginValues {
                value: s.value.clone(),
                lines: 1,
            },
            CorsError::MultipleAllowOriginValues {
                value: s.value.clone(),
                lines: 2,
            },
            CorsError::MultipleAllowOriginValues {
                value: "a, b".to_owned(),
                lines: 1,
            },
            CorsError::InvalidAllowOriginValue {
                value: s.value.clone(),
            },
            CorsError::AllowOriginMismatch {
                value: s.value.clone(),
            },
            CorsError::InvalidAllowCredentials {
                value: s.value.clone(),
            },
        ] {
            kinds.push(Failure::Cors { phase, error });
        }
        for kind in crate::scenario::NetworkErrorKind::ALL {
            kinds.push(Failure::ConnectionFailed { phase, kind });
        }
    }
    kinds.extend([
        Failure::PreflightInvalidStatus { status: s.status },
        Failure::PreflightRedirect { status: s.status },
        Failure::InvalidAllowMethods {
            value: s.value.clone(),
            token: s.token.clone(),
        },
        Failure::InvalidAllowHeaders {
            value: s.value.clone(),
            token: s.token.clone(),
        },
        Failure::MethodNotAllowed {
            method: s.method.clone(),
        },
        Failure::HeaderNotAllowed {
            header: s.header.clone(),
        },
        Failure::RedirectContainsCredentials {
            location: s.location.clone(),
        },
        Failure::SameOriginModeCrossOrigin {
            after_redirect: false,
        },
        Failure::SameOriginModeCrossOrigin {
            after_redirect: true,
        },
        Failure::NoCorsRedirectNotFollow,
        Failure::UnsupportedScheme {
            scheme: s.scheme.clone(),
        },
        Failure::RedirectModeError,
        Failure::TooManyRedirects,
        Failure::InvalidRedirectLocation {
            location: s.location.clone(),
        },
    ]);
    // Issue 13: an https page's http request, and the page's own timeout.
    kinds.push(Failure::MixedContentBlocked {
        page_url: s.page_url.clone(),
    });
    for phase in [Phase::Actual, Phase::Preflight] {
        kinds.push(Failure::PageTimeout {
            phase,
            timeout_ms: 0,
        });
    }
    // Issue 13 family 4: Local Network Access, for every target space and
    // refusal (Chromium prints each as a CORS line naming the spaces).
    for target in [
        AddressSpace::Loopback,
        AddressSpace::Local,
        AddressSpace::Public,
    ] {
        let mut denials = vec![
            LnaDenial::PermissionDenied {
                permission: permission_for(target),
                state: PermissionState::Prompt,
            },
            LnaDenial::InsecureContext,
        ];
        for declared in [
            AddressSpace::Loopback,
            AddressSpace::Local,
            AddressSpace::Public,
        ] {
            denials.push(LnaDenial::TargetSpaceMismatch { declared });
        }
        for denial in denials {
            kinds.push(Failure::LocalNetworkAccess {
                target,
                denial,
                needs_preflight: false,
            });
        }
    }
    // Family 5: Cross-Origin-Resource-Policy, named or defaulted by COEP.
    for policy in [CorpPolicy::SameOrigin, CorpPolicy::SameSite] {
        for defaulted_by_coep in [false, true] {
            kinds.push(Failure::CorpBlocked {
                policy,
                defaulted_by_coep,
            });
        }
    }
    // The page's own policy refused a fetch or XHR: `connect-src`, or
    // `default-src` as its fallback; the value is the directive's sources.
    for directive in ["connect-src", "default-src"] {
        kinds.push(Failure::CspBlocked {
            violations: vec![CspViolation {
                effective_directive: "connect-src".to_owned(),
                directive: directive.to_owned(),
                value: s.value.clone(),
            }],
        });
    }
    kinds
}
