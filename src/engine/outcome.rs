//! The one place a request's outcome is decided: from its failure and the
//! browser's profile.

use serde::Serialize;

use super::browser::Profile;
use super::failure::Failure;
use crate::scenario::Outcome;

/// What the script was handed when nothing failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum Delivered {
    /// A basic or CORS response (or an open connection).
    Readable,
    /// An opaque or opaque-redirect response, or a navigation's document.
    Opaque,
}

/// The outcome of a request: no failure means the response was handed over
/// (readable or opaque); a CORS failure blocks; anything else is a network
/// error ([main fetch](https://fetch.spec.whatwg.org/#main-fetch): "If
/// response is a network error, …").
pub(super) fn decide_outcome(
    failure: Option<&Failure>,
    delivered: Delivered,
    profile: &Profile,
) -> Outcome {
    match failure {
        None => match delivered {
            Delivered::Readable => Outcome::Allowed,
            Delivered::Opaque => Outcome::Opaque,
        },
        // Browser: Firefox reports a redirect to a URL with credentials as a
        // plain network failure, not a CORS error (profile).
        Some(Failure::RedirectContainsCredentials { .. })
            if !profile.reports_redirect_credentials_as_cors =>
        {
            Outcome::NetworkError
        }
        // Browser: Chromium prints a Local Network Access refusal as a CORS
        // error ("blocked by CORS policy: Permission was denied …"); Firefox
        // as a failed request (profile).
        Some(Failure::LocalNetworkAccess { .. })
            if profile
                .local_network_access
                .is_some_and(|lna| lna.reported_as_cors) =>
        {
            Outcome::Blocked
        }
        Some(failure) if failure.is_cors_failure() => Outcome::Blocked,
        Some(_) => Outcome::NetworkError,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::browser::profile;
    use crate::engine::failure::{CorsError, Phase};
    use crate::scenario::Browser;

    #[test]
    fn no_failure_is_allowed_or_opaque_by_what_was_delivered() {
        let chrome = profile(Browser::Chrome);
        assert_eq!(
            decide_outcome(None, Delivered::Readable, &chrome),
            Outcome::Allowed
        );
        assert_eq!(
            decide_outcome(None, Delivered::Opaque, &chrome),
            Outcome::Opaque
        );
    }

    #[test]
    fn cors_failures_block_and_other_failures_are_network_errors() {
        let chrome = profile(Browser::Chrome);
        let cors = Failure::Cors {
            phase: Phase::Actual,
            error: CorsError::MissingAllowOrigin,
        };
        let preflight = Failure::MethodNotAllowed {
            method: "PUT".into(),
        };
        let unanswered = Failure::ConnectionFailed {
            phase: Phase::Preflight,
            kind: crate::scenario::NetworkErrorKind::Refused,
        };
        let thrown = Failure::BodyWithGetOrHead;
        let socket = Failure::WebSocketHandshake { status: 403 };
        for (failure, outcome) in [
            (&cors, Outcome::Blocked),
            (&preflight, Outcome::Blocked),
            (&unanswered, Outcome::NetworkError),
            (&thrown, Outcome::NetworkError),
            (&socket, Outcome::NetworkError),
        ] {
            // A failure decides, whatever was delivered before it.
            assert_eq!(
                decide_outcome(Some(failure), Delivered::Readable, &chrome),
                outcome,
                "{failure:?}"
            );
            assert_eq!(
                decide_outcome(Some(failure), Delivered::Opaque, &chrome),
                outcome,
                "{failure:?}"
            );
        }
    }

    #[test]
    fn a_redirect_to_credentials_is_cors_in_chrome_and_safari_only() {
        let failure = Failure::RedirectContainsCredentials {
            location: "https://u:p@b.example/".into(),
        };
        let outcome =
            |browser| decide_outcome(Some(&failure), Delivered::Readable, &profile(browser));
        assert_eq!(outcome(Browser::Chrome), Outcome::Blocked);
        assert_eq!(outcome(Browser::Safari), Outcome::Blocked);
        assert_eq!(outcome(Browser::Firefox), Outcome::NetworkError);
    }
}
