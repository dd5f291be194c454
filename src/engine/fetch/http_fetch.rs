//! [HTTP fetch](https://fetch.spec.whatwg.org/#http-fetch): the preflight
//! when one is needed, the request on the wire
//! ([HTTP-network-or-cache fetch](https://fetch.spec.whatwg.org/#http-network-or-cache-fetch)),
//! and the CORS check of its response.

use std::ops::ControlFlow;

use url::Url;

use super::main_fetch::{Chain, Ending};
use super::redirect::is_redirect_status;
use super::tainting::Tainting;
use super::{beyond_cors, connection_failure, page_timeout, preflight_fetch, FetchContext};
use crate::engine::cors_check::cors_check;
use crate::engine::failure::{Failure, Phase};
use crate::engine::headers::HeaderList;
use crate::engine::request::Request;
use crate::engine::server::{WireRequest, WireResponse};
use crate::engine::step::StepKind;
use crate::engine::trace::{Exchange, ExchangeKind};
use crate::scenario::{PreflightUse, Redirect};

/// HTTP fetch for the chain's current URL; continues with the response's
/// status and headers when the script may go on to see it.
pub(super) fn http_fetch(
    ctx: &mut FetchContext<'_>,
    request: &Request,
    chain: &mut Chain,
    current: &Url,
    origin: &str,
) -> ControlFlow<Ending, (u16, HeaderList)> {
    // 4.3. "If makeCORSPreflight is true and one of these conditions is true: … Let preflightResponse be the result of running CORS-preflight fetch given request. If preflightResponse is a network error, then return preflightResponse."
    if chain.tainting == Tainting::Cors {
        preflight_fetch::preflight_if_needed(ctx, request, chain, current, origin)?;
    }
    // HTTP-network-or-cache fetch: "Append a request `Origin` header for httpRequest": for CORS requests, and for any method other than GET and HEAD.
    let mut sent_headers = chain.headers.clone();
    if chain.tainting == Tainting::Cors || !matches!(chain.method.as_str(), "GET" | "HEAD") {
        sent_headers.append("Origin", origin);
    }
    let wire = WireRequest {
        method: chain.method.clone(),
        url: current.as_str().to_owned(),
        headers: sent_headers,
        body: chain.body.clone(),
    };
    let response = ctx.server.respond(&wire);
    let answer = match &response {
        WireResponse::Http {
            status, headers, ..
        } => Ok((*status, headers.clone())),
        WireResponse::NetworkError { error: kind, .. } => Err(*kind),
    };
    ctx.exchanges.push(Exchange {
        kind: ExchangeKind::Actual,
        request: wire,
        response,
    });
    let (status, response_headers) = match answer {
        Err(kind) => {
            ctx.record(StepKind::Unanswered {
                method: chain.method.clone(),
                url: current.as_str().to_owned(),
                kind,
                page_timeout_ms: page_timeout(kind, request.timeout_ms),
            });
            if chain.tainting == Tainting::Cors {
                // Main fetch: "If request's response tainting is "cors" and response is a network error, clear cache entries using request."
                ctx.cache.clear(origin, current.as_str());
            }
            let failure = connection_failure(kind, Phase::Actual, request.timeout_ms);
            return ControlFlow::Break(Ending::failed(failure, None));
        }
        Ok(answer) => answer,
    };
    ctx.record(StepKind::Answered {
        method: chain.method.clone(),
        url: current.as_str().to_owned(),
        status,
    });
    // 4.5. "If request's response tainting is "cors" and a CORS check for request and response returns failure, then return a network error."
    if chain.tainting == Tainting::Cors {
        let check = cors_check(
            origin,
            chain.credentials,
            &response_headers,
            ctx.profile.browser,
        );
        let allow_origin = response_headers.get("Access-Control-Allow-Origin");
        if let (Err(_), Some(first)) = (&check, chain.url_list.first()) {
            if first.origin() != current.origin() {
                ctx.record(StepKind::RedirectedElsewhere {
                    from: first.as_str().to_owned(),
                    to: current.as_str().to_owned(),
                });
            }
        }
        if check.is_err() && status >= 400 {
            ctx.record(StepKind::ErrorStatus {
                phase: Phase::Actual,
                status,
                has_allow_origin: allow_origin.is_some(),
            });
        }
        ctx.record(StepKind::CorsCheck {
            phase: Phase::Actual,
            origin: origin.to_owned(),
            credentials: chain.credentials,
            allow_origin,
            result: check.clone(),
        });
        if let Err(error) = check {
            if chain.preflight != PreflightUse::None {
                ctx.cache.clear(origin, current.as_str());
            }
            let mut ending = Ending::failed(
                Failure::Cors {
                    phase: Phase::Actual,
                    error,
                },
                Some(status),
            );
            ending.failed_on_followed_redirect = request.redirect == Redirect::Follow
                && is_redirect_status(status)
                && response_headers.get("Location").is_some();
            return ControlFlow::Break(ending);
        }
    }
    // Issue 13 family 5: "If either request's response tainting or response's type is "opaque", and the cross-origin resource policy check … returns blocked, then return a network error."
    if chain.tainting == Tainting::Opaque {
        beyond_cors::check_cross_origin_resource_policy(ctx, current, &response_headers, status)?;
    }
    ControlFlow::Continue((status, response_headers))
}
