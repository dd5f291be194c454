//! Whether a CORS request needs a preflight, the
//! [preflight cache](https://fetch.spec.whatwg.org/#concept-cache-match),
//! and [CORS-preflight fetch](https://fetch.spec.whatwg.org/#cors-preflight-fetch-0).
//! The checks of the preflight's response are `preflight::check_preflight_response`.

use std::ops::ControlFlow;

use url::Url;

use super::main_fetch::{Chain, Ending};
use super::redirect::is_redirect_status;
use super::{connection_failure, page_timeout, FetchContext};
use crate::engine::cache::{method_needs_entry, CacheEntry, CacheQuery};
use crate::engine::failure::{Failure, Phase};
use crate::engine::method::is_cors_safelisted_method;
use crate::engine::preflight::{check_preflight_response, preflight_request_headers, PreflightAsk};
use crate::engine::request::Request;
use crate::engine::safelist::cors_unsafe_request_header_names;
use crate::engine::server::{WireRequest, WireResponse};
use crate::engine::step::StepKind;
use crate::engine::trace::ExchangeKind;
use crate::scenario::PreflightUse;

/// Main fetch's CORS branch and HTTP fetch's step 4.3: "request's
/// use-CORS-preflight flag is set, or request's unsafe-request flag is set
/// and either request's method is not a CORS-safelisted method or
/// CORS-unsafe request-header names with request's header list is not
/// empty" → makeCORSPreflight; then "there is no method cache entry match
/// … or there is at least one item in the CORS-unsafe request-header names
/// … for which there is no header-name cache entry match" → run
/// CORS-preflight fetch. Breaks with the network error a failed preflight gives.
pub(super) fn preflight_if_needed(
    ctx: &mut FetchContext<'_>,
    request: &Request,
    chain: &mut Chain,
    current: &Url,
    origin: &str,
) -> ControlFlow<Ending> {
    let unsafe_headers = cors_unsafe_request_header_names(&chain.headers, ctx.profile);
    let method_safelisted = is_cors_safelisted_method(&chain.method);
    let needs = request.use_cors_preflight || !method_safelisted || !unsafe_headers.is_empty();
    let names: Vec<String> = unsafe_headers.iter().map(|h| h.name.clone()).collect();
    ctx.record(StepKind::Classification {
        method: chain.method.clone(),
        header_names: chain.headers.0.iter().map(|(n, _)| n.clone()).collect(),
        method_safelisted,
        use_cors_preflight: request.use_cors_preflight,
        unsafe_headers,
        needs_preflight: needs,
    });
    if !needs {
        return ControlFlow::Continue(());
    }
    // Browser: Firefox keys its preflight cache by the page's principal, the
    // origin its preflight sends, not the tainted `null` (observed: an entry
    // made after a cross-origin redirect served the page's own request to that
    // URL, tests/wpt/wpt-preflight-cache-tainted-origin.json).
    let page_origin = ctx.page.serialize();
    let origin = if ctx.profile.preflight_origin_ignores_tainting {
        page_origin.as_str()
    } else {
        origin
    };
    let query = CacheQuery {
        origin,
        url: current.as_str(),
        credentials: chain.credentials,
        method: &chain.method,
        method_needs_entry: method_needs_entry(&chain.method, request.use_cors_preflight),
        headers: &names,
    };
    let miss = match ctx.cache.lookup(&query, ctx.now_ms, ctx.profile) {
        Ok(()) => {
            ctx.record(StepKind::CacheHit {
                origin: origin.to_owned(),
                url: current.as_str().to_owned(),
            });
            if chain.preflight == PreflightUse::None {
                chain.preflight = PreflightUse::Cached;
            }
            return ControlFlow::Continue(());
        }
        Err(miss) => miss,
    };
    ctx.record(StepKind::CacheMiss {
        origin: origin.to_owned(),
        url: current.as_str().to_owned(),
        miss,
    });
    let ask = PreflightAsk {
        origin: origin.to_owned(),
        method: chain.method.clone(),
        unsafe_headers: names,
        credentials: chain.credentials,
        use_cors_preflight: request.use_cors_preflight,
    };
    let result = cors_preflight_fetch(
        ctx,
        &ask,
        current,
        &mut chain.preflight_request,
        request.timeout_ms,
    );
    chain.preflight = PreflightUse::Sent;
    if let Err((failure, status)) = result {
        // Main fetch: "If corsWithPreflightResponse is a network error, then clear cache entries using request."
        ctx.cache.clear(origin, current.as_str());
        return ControlFlow::Break(Ending::failed(failure, status));
    }
    ControlFlow::Continue(())
}

/// [CORS-preflight fetch](https://fetch.spec.whatwg.org/#cors-preflight-fetch-0):
/// sends the OPTIONS request, checks its response, and on success stores
/// the grant in the cache. The first preflight's CORS headers are kept in
/// `preflight_request`.
fn cors_preflight_fetch(
    ctx: &mut FetchContext<'_>,
    ask: &PreflightAsk,
    url: &Url,
    preflight_request: &mut Vec<(String, String)>,
    ask_timeout: Option<u64>,
) -> Result<(), (Failure, Option<u16>)> {
    // 1.–2. "Let preflight be a new request whose method is `OPTIONS` … Append (`Accept`, `*/*`) … (`Access-Control-Request-Method`, request's method) … (`Access-Control-Request-Headers`, value)."
    let mut headers = preflight_request_headers(ask);
    // Browser: Firefox sends the page's own origin, not the tainted `null`,
    // on a preflight after a cross-origin redirect (`Profile`).
    if ctx.profile.preflight_origin_ignores_tainting {
        headers.set("Origin", &ctx.page.serialize());
    }
    let shown: Vec<(String, String)> = headers
        .0
        .iter()
        .filter(|(n, _)| n != "Accept")
        .cloned()
        .collect();
    if preflight_request.is_empty() {
        preflight_request.clone_from(&shown);
        preflight_request.sort_by_key(|(n, _)| match n.as_str() {
            "Origin" => 0,
            "Access-Control-Request-Method" => 1,
            _ => 2,
        });
    }
    let wire = WireRequest {
        method: "OPTIONS".to_owned(),
        url: url.as_str().to_owned(),
        headers,
        body: None,
    };
    // 3. "Let response be the result of running HTTP-network-or-cache fetch given preflight."
    let response = ctx.transmit(ExchangeKind::Preflight, wire);
    ctx.record(StepKind::PreflightSent {
        url: url.as_str().to_owned(),
        headers: shown,
    });
    let (status, response_headers) = match response {
        WireResponse::NetworkError { error: kind, .. } => {
            ctx.record(StepKind::PreflightUnanswered {
                url: url.as_str().to_owned(),
                kind,
                page_timeout_ms: page_timeout(kind, ask_timeout),
            });
            return Err((
                connection_failure(kind, Phase::Preflight, ask_timeout),
                None,
            ));
        }
        WireResponse::Http {
            status, headers, ..
        } => (status, headers),
    };
    // 4.–9. The checks of the response, in the order this browser runs them.
    let is_redirect = is_redirect_status(status) && response_headers.contains("Location");
    let grant =
        match check_preflight_response(ask, status, &response_headers, is_redirect, ctx.profile) {
            Ok(grant) => grant,
            Err(failure) => {
                // An error status first: the server does not handle OPTIONS
                // here (a route, or authentication before CORS).
                if status >= 400 {
                    ctx.record(StepKind::ErrorStatus {
                        phase: Phase::Preflight,
                        status,
                        has_allow_origin: response_headers.contains("Access-Control-Allow-Origin"),
                    });
                }
                ctx.record(match &failure {
                    Failure::Cors { error, .. } => StepKind::CorsCheck {
                        phase: Phase::Preflight,
                        origin: ask.origin.clone(),
                        credentials: ask.credentials,
                        allow_origin: response_headers.get("Access-Control-Allow-Origin"),
                        result: Err(error.clone()),
                    },
                    _ => StepKind::PreflightRejected {
                        status,
                        failure: failure.clone(),
                    },
                });
                return Err((failure, Some(status)));
            }
        };
    ctx.record(StepKind::PreflightAllowed {
        status,
        allow_methods: response_headers
            .get("Access-Control-Allow-Methods")
            .unwrap_or_default(),
        allow_headers: response_headers
            .get("Access-Control-Allow-Headers")
            .unwrap_or_default(),
        method: ask.method.clone(),
        unsafe_headers: ask.unsafe_headers.clone(),
        max_age: grant.max_age.reason.clone(),
    });
    if grant.wildcard_covered_authorization {
        ctx.record(StepKind::WildcardCoveredAuthorization);
    }
    // Browser: Chromium and WebKit give a request a redirect tainted a fresh
    // opaque origin, so what its preflight grants is never found again
    // (observed: tests/wpt/wpt-preflight-cache-tainted-origin.json); the spec
    // keys the entry by `null`, for the next tainted request (`Profile`).
    let tainted = ask.origin == "null" && ctx.page.serialize() != "null";
    let kept = !tainted || ctx.profile.reuses_null_origin_preflights;
    // 10.–11. "Let max-age be …"; "create a new cache entry" for each method and header name.
    if grant.max_age.seconds > 0 && kept {
        ctx.cache.store(
            CacheEntry {
                origin: ask.origin.clone(),
                url: url.as_str().to_owned(),
                credentials: ask.credentials,
                methods: grant.methods,
                headers: grant.headers,
                created_ms: ctx.now_ms,
                max_age_seconds: grant.max_age.seconds,
            },
            ctx.profile,
        );
    }
    Ok(())
}
