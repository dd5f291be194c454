//! Redirects: HTTP fetch's switch on the request's
//! [redirect mode](https://fetch.spec.whatwg.org/#concept-request-redirect-mode),
//! and [HTTP-redirect fetch](https://fetch.spec.whatwg.org/#http-redirect-fetch).

use std::ops::ControlFlow;

use url::Url;

use super::main_fetch::{Chain, Ending};
use super::tainting::Tainting;
use super::FetchContext;
use crate::engine::failure::Failure;
use crate::engine::origin::Origin;
use crate::engine::outcome::Delivered;
use crate::engine::request::Request;
use crate::engine::step::{RedirectStep, StepKind};
use crate::scenario::{Mode, Redirect};

/// [Redirect status](https://fetch.spec.whatwg.org/#redirect-status).
pub(super) fn is_redirect_status(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// HTTP fetch, step 8: "If internalResponse's status is a redirect status:
/// … Switch on request's redirect mode: "error" → Set response to a network
/// error. "manual" → … an opaque-redirect filtered response … "follow" →
/// Set response to the result of running HTTP-redirect fetch."
pub(super) fn redirect_by_mode(
    ctx: &mut FetchContext<'_>,
    request: &Request,
    chain: &mut Chain,
    current: &Url,
    status: u16,
    location: String,
) -> ControlFlow<Ending, Url> {
    match request.redirect {
        Redirect::Error => {
            ctx.record(StepKind::Redirect(RedirectStep::ModeError { status }));
            ControlFlow::Break(Ending::failed(Failure::RedirectModeError, Some(status)))
        }
        Redirect::Manual => {
            ctx.record(StepKind::Redirect(RedirectStep::Manual { status }));
            ControlFlow::Break(Ending::delivered(Delivered::Opaque, Vec::new(), status))
        }
        Redirect::Follow => http_redirect_fetch(ctx, request, chain, current, status, location),
    }
}

/// [HTTP-redirect fetch](https://fetch.spec.whatwg.org/#http-redirect-fetch):
/// continues with the URL main fetch runs again for.
fn http_redirect_fetch(
    ctx: &mut FetchContext<'_>,
    request: &Request,
    chain: &mut Chain,
    current: &Url,
    status: u16,
    location: String,
) -> ControlFlow<Ending, Url> {
    let fail = |failure| ControlFlow::Break(Ending::failed(failure, Some(status)));
    // 3. "Let locationURL be internalResponse's location URL given request's current URL's fragment."
    // 5. "If locationURL is failure, then return a network error."
    // 6. "If locationURL's scheme is not an HTTP(S) scheme, then return a network error."
    let next = match current.join(&location) {
        Ok(mut next) if matches!(next.scheme(), "http" | "https") => {
            if next.fragment().is_none() {
                next.set_fragment(current.fragment());
            }
            next
        }
        _ => {
            ctx.record(StepKind::Redirect(RedirectStep::InvalidLocation {
                location: location.clone(),
            }));
            return fail(Failure::InvalidRedirectLocation { location });
        }
    };
    // 7. "If request's redirect count is 20, then return a network error."
    // 8. "Increase request's redirect count by 1."
    if chain.redirect_count == 20 {
        ctx.record(StepKind::Redirect(RedirectStep::TooMany));
        return fail(Failure::TooManyRedirects);
    }
    chain.redirect_count += 1;
    let has_credentials =
        !next.username().is_empty() || next.password().is_some_and(|p| !p.is_empty());
    // 9. "If request's mode is "cors", locationURL includes credentials, and request's origin is not same origin with locationURL's origin, then return a network error."
    // 10. "If request's response tainting is "cors" and locationURL includes credentials, then return a network error."
    let cors_mode_credentials = request.mode == Mode::Cors
        && has_credentials
        && !ctx.page.is_same_origin(&Origin::of_url(&next));
    if cors_mode_credentials || (chain.tainting == Tainting::Cors && has_credentials) {
        ctx.record(StepKind::Redirect(RedirectStep::Credentials {
            next: next.as_str().to_owned(),
        }));
        return fail(Failure::RedirectContainsCredentials {
            location: next.as_str().to_owned(),
        });
    }
    // 12. "If one of the following is true: internalResponse's status is 301 or 302 and request's method is `POST`; internalResponse's status is 303 and request's method is not `GET` or `HEAD`, then: set request's method to `GET` and request's body to null; for each headerName of request-body-header name, delete headerName from request's header list."
    if ((status == 301 || status == 302) && chain.method == "POST")
        || (status == 303 && !matches!(chain.method.as_str(), "GET" | "HEAD"))
    {
        chain.method = "GET".to_owned();
        chain.body = None;
        for name in [
            "Content-Encoding",
            "Content-Language",
            "Content-Location",
            "Content-Type",
        ] {
            chain.headers.delete(name);
        }
    }
    // 13. "If request's current URL's origin is not same origin with locationURL's origin, then for each headerName of CORS non-wildcard request-header name, delete headerName from request's header list."
    if !Origin::of_url(current).is_same_origin(&Origin::of_url(&next)) {
        chain.headers.delete("Authorization");
    }
    ctx.record(StepKind::Redirect(RedirectStep::Followed {
        status,
        location,
        method: chain.method.clone(),
        next: next.as_str().to_owned(),
    }));
    // 17. "Append locationURL to request's URL list." … "Return the result of running main fetch given fetchParams and recursive."
    ControlFlow::Continue(next)
}
