//! Why a request failed, as typed data. Console text is rendered from these
//! per browser (see `messages`), as Chromium renders its `CorsError`.

use serde::Serialize;

use super::csp::CspViolation;
use super::local_network::LnaDenial;
use super::resource_policy::{CorpPolicy, OrbReason};
use crate::scenario::AddressSpace;
pub(super) use crate::scenario::NetworkErrorKind;

/// Which exchange a failure belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// The OPTIONS preflight.
    Preflight,
    /// The request itself (or one of its redirect responses).
    Actual,
}

/// A failed [CORS check](https://fetch.spec.whatwg.org/#concept-cors-check),
/// classified the way the browser classifies it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "error", rename_all = "kebab-case")]
pub enum CorsError {
    /// No `Access-Control-Allow-Origin` header.
    MissingAllowOrigin,
    /// `Access-Control-Allow-Origin: *` on a credentialed request.
    WildcardOriginNotAllowed,
    /// Several origins in one value, or several header lines.
    MultipleAllowOriginValues {
        /// The value as read (lines joined by `, `).
        value: String,
        /// How many header lines carried it.
        lines: usize,
    },
    /// A value that is neither an origin nor `null` nor `*`.
    InvalidAllowOriginValue {
        /// The value as read.
        value: String,
    },
    /// A well-formed value that is not the request's origin.
    AllowOriginMismatch {
        /// The value as read.
        value: String,
    },
    /// Credentials included, but `Access-Control-Allow-Credentials` is not exactly `true`.
    InvalidAllowCredentials {
        /// The value as read (empty when absent).
        value: String,
    },
}

/// Everything that can stop a request, from the script's call to the verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "failure", rename_all = "kebab-case")]
pub enum Failure {
    // Thrown by the script API before anything is sent.
    /// The URL does not parse.
    InvalidUrl {
        /// The URL as written.
        url: String,
    },
    /// The method is not a token.
    InvalidMethod {
        /// The method as written.
        method: String,
    },
    /// `CONNECT`, `TRACE` or `TRACK`.
    ForbiddenMethod {
        /// The method as written.
        method: String,
    },
    /// A `no-cors` request with a method other than GET, HEAD or POST.
    NoCorsMethod {
        /// The normalised method.
        method: String,
    },
    /// A header name that is not a token.
    InvalidHeaderName {
        /// The name as written.
        name: String,
    },
    /// A header value with NUL, CR, LF or a character above U+00FF.
    InvalidHeaderValue {
        /// The header's name.
        name: String,
        /// The value as written.
        value: String,
    },
    /// `fetch()` with a body on GET or HEAD.
    BodyWithGetOrHead,

    // Network errors before any CORS check.
    /// Mode `same-origin` and a cross-origin URL.
    SameOriginModeCrossOrigin {
        /// Whether the URL became cross-origin through a redirect.
        after_redirect: bool,
    },
    /// Mode `no-cors` with a redirect mode other than `follow`.
    NoCorsRedirectNotFollow,
    /// A cross-origin request to a scheme other than http(s).
    UnsupportedScheme {
        /// The scheme, e.g. `file`.
        scheme: String,
    },
    /// The connection failed (server down, DNS failure, reset).
    ConnectionFailed {
        /// Which exchange failed.
        phase: Phase,
        /// How: refused, no address, untrusted certificate, closed, reset,
        /// or never answered.
        kind: NetworkErrorKind,
    },
    /// The server never answered and the page gave up: its
    /// `AbortSignal.timeout(N)` fired (fetch), or `xhr.timeout` elapsed.
    PageTimeout {
        /// Which exchange was waiting.
        phase: Phase,
        /// The page's limit.
        timeout_ms: u64,
    },
    /// Redirect mode `error` met a redirect.
    RedirectModeError,
    /// A 21st redirect.
    TooManyRedirects,
    /// A redirect to a scheme other than http(s), or a Location that does not parse.
    InvalidRedirectLocation {
        /// The Location value.
        location: String,
    },

    // The page's own policy, before any CORS step (see `csp`).
    /// The page's Content-Security-Policy blocked the request: nothing was sent.
    CspBlocked {
        /// Each enforced policy's directive that refused the URL, in policy order.
        violations: Vec<CspViolation>,
    },

    // Not modelled: an extension (an ad blocker) cancelling the request
    // (Chromium `net::ERR_BLOCKED_BY_CLIENT`; Firefox prints its
    // network-failure line). That is the extension's own choice, seen by
    // neither the page nor the server, so no scenario field can state it
    // and no browser here runs one in verify's contexts (Chromium applies
    // an extension only in its default context: FINDINGS-beyond-cors.md §7).
    // `diagnose` recognises the line and says what to check instead.

    // Issue 13: the page's security, before any CORS step.
    /// An https page asked for blockable content over http: the browser
    /// refused it as [mixed content](https://w3c.github.io/webappsec-mixed-content/#should-block-fetch);
    /// nothing was sent.
    MixedContentBlocked {
        /// The page's URL.
        page_url: String,
    },

    // CORS failures.
    /// A CORS check on a preflight or actual response failed.
    Cors {
        /// Which response failed it.
        phase: Phase,
        /// How it failed.
        error: CorsError,
    },
    /// The preflight's status is not 200–299.
    PreflightInvalidStatus {
        /// The status.
        status: u16,
    },
    /// The preflight was answered with a redirect.
    PreflightRedirect {
        /// The status.
        status: u16,
    },
    /// `Access-Control-Allow-Methods` does not parse.
    InvalidAllowMethods {
        /// The whole value.
        value: String,
        /// The first element that is not a token.
        token: String,
    },
    /// `Access-Control-Allow-Headers` does not parse.
    InvalidAllowHeaders {
        /// The whole value.
        value: String,
        /// The first element that is not a token.
        token: String,
    },
    /// The method is not allowed by the preflight.
    MethodNotAllowed {
        /// The method as sent.
        method: String,
    },
    /// A request header is not allowed by the preflight.
    HeaderNotAllowed {
        /// The lower-cased header name.
        header: String,
    },
    /// A CORS request was redirected to a URL with a username or password.
    RedirectContainsCredentials {
        /// The Location URL.
        location: String,
    },

    // Extension APIs (see `initiators`).
    /// An `EventSource` response whose status is not 200.
    EventStreamStatus {
        /// The status.
        status: u16,
    },
    /// An `EventSource` response whose `Content-Type` is not `text/event-stream`.
    EventStreamMimeType {
        /// The `Content-Type` value (empty when absent).
        mime: String,
    },
    /// A WebSocket handshake answered with a status other than 101.
    WebSocketHandshake {
        /// The status.
        status: u16,
    },

    // Issue 13 family 4: Local Network Access (see `local_network`), the
    // browser's own gate before anything is sent; no server header changes it.
    /// A page reached into a less public address space and was refused.
    LocalNetworkAccess {
        /// The target's address space.
        target: AddressSpace,
        /// Why.
        denial: LnaDenial,
        /// Whether the request needed a CORS preflight, so that the refused
        /// connection is the preflight's in a browser that checks each
        /// connection (Firefox 153 then prints "CORS request did not
        /// succeed" twice, observed: local-network-access-asks-the-user.json
        /// request 1). Not modelled: a preflight the cache would answer.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        needs_preflight: bool,
    },

    // Issue 13 family 5: CORP, COEP and ORB (see `resource_policy`), checks
    // of a no-cors response that CORS headers do not answer.
    /// The cross-origin resource policy check blocked a no-cors response.
    CorpBlocked {
        /// The policy that blocked it.
        policy: CorpPolicy,
        /// Whether the page's COEP `require-corp` supplied it (no header was sent).
        defaulted_by_coep: bool,
    },
    /// Opaque-response blocking refused a no-cors response to an element.
    OrbBlocked {
        /// The step that refused it.
        reason: OrbReason,
    },
}

impl Failure {
    /// Whether the script's call throws before any request is made.
    pub fn is_thrown_by_script_api(&self) -> bool {
        matches!(
            self,
            Failure::InvalidUrl { .. }
                | Failure::InvalidMethod { .. }
                | Failure::ForbiddenMethod { .. }
                | Failure::NoCorsMethod { .. }
                | Failure::InvalidHeaderName { .. }
                | Failure::InvalidHeaderValue { .. }
                | Failure::BodyWithGetOrHead
        )
    }

    /// Whether this is a CORS failure (outcome `blocked`) rather than a plain network error.
    pub fn is_cors_failure(&self) -> bool {
        matches!(
            self,
            Failure::Cors { .. }
                | Failure::PreflightInvalidStatus { .. }
                | Failure::PreflightRedirect { .. }
                | Failure::InvalidAllowMethods { .. }
                | Failure::InvalidAllowHeaders { .. }
                | Failure::MethodNotAllowed { .. }
                | Failure::HeaderNotAllowed { .. }
                | Failure::RedirectContainsCredentials { .. }
        )
    }

    /// Whether the failure happened on the preflight.
    pub fn is_preflight_failure(&self) -> bool {
        matches!(
            self,
            Failure::Cors {
                phase: Phase::Preflight,
                ..
            } | Failure::ConnectionFailed {
                phase: Phase::Preflight,
                ..
            } | Failure::PageTimeout {
                phase: Phase::Preflight,
                ..
            } | Failure::PreflightInvalidStatus { .. }
                | Failure::PreflightRedirect { .. }
                | Failure::InvalidAllowMethods { .. }
                | Failure::InvalidAllowHeaders { .. }
                | Failure::MethodNotAllowed { .. }
                | Failure::HeaderNotAllowed { .. }
        )
    }
}
