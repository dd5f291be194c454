//! What really stopped a request, one family per value: the CORS protocol,
//! or one of the failures that look like CORS in the console but are not
//! (a crashed server, a refused connection, mixed content, Local Network
//! Access, CORP…). `diagnose` and the app show it next to the fix; it is
//! decided here, from the typed [`Failure`] and the status of the response
//! that failed, never by the code that shows it.

use serde::Serialize;

use super::failure::{CorsError, Failure, Phase};
use crate::scenario::NetworkErrorKind;

/// The family a failure belongs to (`diagnose --json`'s `cause`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Cause {
    /// The CORS protocol itself (a header, the preflight's answers, the
    /// request's mode or scheme): the fix is on the CORS side.
    #[serde(rename = "cors")]
    Cors,
    /// The preflight was answered with a 4xx/5xx: the server does not
    /// handle OPTIONS, or authentication runs before CORS.
    #[serde(rename = "preflight-status")]
    PreflightStatus,
    /// The server answered with an error (4xx/5xx) without CORS headers,
    /// or refused what the API needs (EventSource, WebSocket).
    #[serde(rename = "server-error")]
    ServerError,
    /// A redirect nobody meant: a login page, a trailing slash on a
    /// preflight, a redirect the request may not follow.
    #[serde(rename = "redirect")]
    Redirect,
    /// Nothing listens on the port.
    #[serde(rename = "network/refused")]
    NetworkRefused,
    /// The host name does not resolve.
    #[serde(rename = "network/dns")]
    NetworkDns,
    /// The certificate is not trusted (or TLS failed).
    #[serde(rename = "network/tls")]
    NetworkTls,
    /// The connection closed before any response.
    #[serde(rename = "network/closed")]
    NetworkClosed,
    /// The connection was reset.
    #[serde(rename = "network/reset")]
    NetworkReset,
    /// No answer in time (or the page gave up).
    #[serde(rename = "network/timeout")]
    NetworkTimeout,
    /// The connection failed, and the evidence does not say how.
    #[serde(rename = "network/unknown")]
    NetworkUnknown,
    /// A browser extension (an ad or privacy blocker) cancelled the request.
    #[serde(rename = "blocked-by-client")]
    BlockedByClient,
    /// An https page asked for an http URL.
    #[serde(rename = "mixed-content")]
    MixedContent,
    /// Local Network Access: a more public page asked for a loopback or local address.
    #[serde(rename = "local-network-access")]
    LocalNetworkAccess,
    /// The response's `Cross-Origin-Resource-Policy` refused this page.
    #[serde(rename = "corp")]
    Corp,
    /// The page's `Cross-Origin-Embedder-Policy` requires CORP or CORS the response lacks.
    #[serde(rename = "coep")]
    Coep,
    /// Opaque Response Blocking: a no-cors load of a response whose type does not fit.
    #[serde(rename = "orb")]
    Orb,
    /// The page's own Content-Security-Policy.
    #[serde(rename = "page-csp")]
    PageCsp,
    /// The evidence does not say.
    #[serde(rename = "unknown")]
    Unknown,
}

/// What is known of the response a failure happened on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FailedResponse {
    /// Its status, when known (from the trace, or a console line that names it).
    pub status: Option<u16>,
    /// Whether the request had followed a redirect to get there.
    pub redirected: bool,
}

impl Cause {
    /// Every value, in the order the README lists them.
    pub const ALL: [Cause; 19] = [
        Cause::Cors,
        Cause::PreflightStatus,
        Cause::ServerError,
        Cause::Redirect,
        Cause::NetworkRefused,
        Cause::NetworkDns,
        Cause::NetworkTls,
        Cause::NetworkClosed,
        Cause::NetworkReset,
        Cause::NetworkTimeout,
        Cause::NetworkUnknown,
        Cause::BlockedByClient,
        Cause::MixedContent,
        Cause::LocalNetworkAccess,
        Cause::Corp,
        Cause::Coep,
        Cause::Orb,
        Cause::PageCsp,
        Cause::Unknown,
    ];

    /// Whether the connection itself failed (`network/…`).
    pub fn is_network(self) -> bool {
        matches!(
            self,
            Cause::NetworkRefused
                | Cause::NetworkDns
                | Cause::NetworkTls
                | Cause::NetworkClosed
                | Cause::NetworkReset
                | Cause::NetworkTimeout
                | Cause::NetworkUnknown
        )
    }

    /// The value as `diagnose --json` writes it: `cors`, `network/refused`…
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Cors => "cors",
            Cause::PreflightStatus => "preflight-status",
            Cause::ServerError => "server-error",
            Cause::Redirect => "redirect",
            Cause::NetworkRefused => "network/refused",
            Cause::NetworkDns => "network/dns",
            Cause::NetworkTls => "network/tls",
            Cause::NetworkClosed => "network/closed",
            Cause::NetworkReset => "network/reset",
            Cause::NetworkTimeout => "network/timeout",
            Cause::NetworkUnknown => "network/unknown",
            Cause::BlockedByClient => "blocked-by-client",
            Cause::MixedContent => "mixed-content",
            Cause::LocalNetworkAccess => "local-network-access",
            Cause::Corp => "corp",
            Cause::Coep => "coep",
            Cause::Orb => "orb",
            Cause::PageCsp => "page-csp",
            Cause::Unknown => "unknown",
        }
    }

    /// Whether sending a CORS response header is part of the repair: the
    /// CORS protocol itself, an error response (which needs them too, once
    /// the error is fixed) and a refused preflight (answered 2xx with them).
    /// No other answer may ask for one.
    pub fn cors_headers_help(self) -> bool {
        matches!(
            self,
            Cause::Cors | Cause::ServerError | Cause::PreflightStatus
        )
    }

    /// The family of `failure`, met on `response`.
    ///
    /// - A response without `Access-Control-Allow-Origin` whose status is
    ///   4xx/5xx is the server's error first (the CORS line is a symptom:
    ///   error pages rarely carry CORS headers).
    /// - A preflight refused with a 4xx/5xx is `preflight-status` whatever
    ///   the line names (Chromium checks the origin before the status, so a
    ///   401 without CORS headers prints the missing-origin line).
    /// - A CORS failure after a followed redirect, or on a 3xx, is `redirect`
    ///   (an expired session sent the call to a login page).
    pub fn of(failure: &Failure, response: FailedResponse) -> Cause {
        let error_status = response.status.is_some_and(|s| s >= 400);
        let redirect_status = response.status.is_some_and(|s| (300..400).contains(&s));
        match failure {
            Failure::Cors {
                phase: Phase::Preflight,
                error,
            } => match (error, redirect_status, error_status) {
                (_, true, _) => Cause::Redirect,
                (CorsError::MissingAllowOrigin, _, true) => Cause::PreflightStatus,
                _ => Cause::Cors,
            },
            Failure::Cors {
                phase: Phase::Actual,
                error,
            } => match error {
                _ if redirect_status || response.redirected => Cause::Redirect,
                CorsError::MissingAllowOrigin if error_status => Cause::ServerError,
                _ => Cause::Cors,
            },
            Failure::PreflightInvalidStatus { status } => {
                if (300..400).contains(status) {
                    Cause::Redirect
                } else {
                    Cause::PreflightStatus
                }
            }
            Failure::InvalidAllowMethods { .. }
            | Failure::InvalidAllowHeaders { .. }
            | Failure::MethodNotAllowed { .. }
            | Failure::HeaderNotAllowed { .. }
            // The request's own mode, scheme and call: the Fetch rules around CORS.
            | Failure::SameOriginModeCrossOrigin { .. }
            | Failure::UnsupportedScheme { .. }
            | Failure::InvalidUrl { .. }
            | Failure::InvalidMethod { .. }
            | Failure::ForbiddenMethod { .. }
            | Failure::NoCorsMethod { .. }
            | Failure::InvalidHeaderName { .. }
            | Failure::InvalidHeaderValue { .. }
            | Failure::BodyWithGetOrHead => Cause::Cors,
            Failure::PreflightRedirect { .. }
            | Failure::RedirectContainsCredentials { .. }
            | Failure::NoCorsRedirectNotFollow
            | Failure::RedirectModeError
            | Failure::TooManyRedirects
            | Failure::InvalidRedirectLocation { .. } => Cause::Redirect,
            Failure::ConnectionFailed { kind, .. } => Cause::of_connection(*kind),
            Failure::PageTimeout { .. } => Cause::NetworkTimeout,
            Failure::MixedContentBlocked { .. } => Cause::MixedContent,
            Failure::CspBlocked { .. } => Cause::PageCsp,
            Failure::EventStreamStatus { .. }
            | Failure::EventStreamMimeType { .. }
            | Failure::WebSocketHandshake { .. } => Cause::ServerError,
            Failure::LocalNetworkAccess { .. } => Cause::LocalNetworkAccess,
            // COEP when it supplied the policy (no header was sent), else the response's own CORP.
            Failure::CorpBlocked {
                defaulted_by_coep: true,
                ..
            } => Cause::Coep,
            Failure::CorpBlocked { .. } => Cause::Corp,
            Failure::OrbBlocked { .. } => Cause::Orb,
        }
    }
}

impl Cause {
    /// The family of a failed connection of `kind`.
    pub fn of_connection(kind: NetworkErrorKind) -> Cause {
        match kind {
            NetworkErrorKind::Closed => Cause::NetworkClosed,
            NetworkErrorKind::Refused => Cause::NetworkRefused,
            NetworkErrorKind::Reset => Cause::NetworkReset,
            NetworkErrorKind::Dns => Cause::NetworkDns,
            NetworkErrorKind::Tls => Cause::NetworkTls,
            NetworkErrorKind::Timeout => Cause::NetworkTimeout,
        }
    }

    /// The kind of failed connection this family is, if it is one.
    pub fn connection_kind(self) -> Option<NetworkErrorKind> {
        Some(match self {
            Cause::NetworkClosed => NetworkErrorKind::Closed,
            Cause::NetworkRefused => NetworkErrorKind::Refused,
            Cause::NetworkReset => NetworkErrorKind::Reset,
            Cause::NetworkDns => NetworkErrorKind::Dns,
            Cause::NetworkTls => NetworkErrorKind::Tls,
            Cause::NetworkTimeout => NetworkErrorKind::Timeout,
            _ => return None,
        })
    }
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(status: u16) -> FailedResponse {
        FailedResponse {
            status: Some(status),
            redirected: false,
        }
    }

    fn missing(phase: Phase) -> Failure {
        Failure::Cors {
            phase,
            error: CorsError::MissingAllowOrigin,
        }
    }

    #[test]
    fn json_names_are_the_documented_values() {
        for cause in Cause::ALL {
            assert_eq!(
                serde_json::to_value(cause).ok(),
                Some(serde_json::Value::String(cause.as_str().to_owned()))
            );
        }
        assert_eq!(Cause::NetworkRefused.to_string(), "network/refused");
    }

    #[test]
    fn an_error_status_without_cors_headers_is_the_servers_error() {
        assert_eq!(
            Cause::of(&missing(Phase::Actual), at(500)),
            Cause::ServerError
        );
        assert_eq!(
            Cause::of(&missing(Phase::Actual), at(404)),
            Cause::ServerError
        );
        assert_eq!(Cause::of(&missing(Phase::Actual), at(200)), Cause::Cors);
        assert_eq!(
            Cause::of(&missing(Phase::Actual), FailedResponse::default()),
            Cause::Cors
        );
        // A wrong value on an error page is a CORS mistake the server makes there too.
        let mismatch = Failure::Cors {
            phase: Phase::Actual,
            error: CorsError::AllowOriginMismatch { value: "x".into() },
        };
        assert_eq!(Cause::of(&mismatch, at(500)), Cause::Cors);
    }

    #[test]
    fn a_refused_preflight_is_its_status_and_a_redirected_one_a_redirect() {
        assert_eq!(
            Cause::of(&missing(Phase::Preflight), at(401)),
            Cause::PreflightStatus
        );
        assert_eq!(
            Cause::of(&Failure::PreflightInvalidStatus { status: 405 }, at(405)),
            Cause::PreflightStatus
        );
        assert_eq!(
            Cause::of(&Failure::PreflightRedirect { status: 308 }, at(308)),
            Cause::Redirect
        );
        assert_eq!(
            Cause::of(&missing(Phase::Preflight), at(301)),
            Cause::Redirect
        );
        assert_eq!(Cause::of(&missing(Phase::Preflight), at(204)), Cause::Cors);
    }

    #[test]
    fn a_cors_failure_after_a_redirect_is_the_redirect() {
        let redirected = FailedResponse {
            status: Some(200),
            redirected: true,
        };
        assert_eq!(
            Cause::of(&missing(Phase::Actual), redirected),
            Cause::Redirect
        );
        assert_eq!(Cause::of(&missing(Phase::Actual), at(302)), Cause::Redirect);
    }

    #[test]
    fn cors_headers_help_only_the_cors_side() {
        let helped: Vec<Cause> = Cause::ALL
            .into_iter()
            .filter(|c| c.cors_headers_help())
            .collect();
        assert_eq!(
            helped,
            [Cause::Cors, Cause::PreflightStatus, Cause::ServerError]
        );
    }
}
