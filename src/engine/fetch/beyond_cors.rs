//! The checks of issue 13's families 4 and 5 at their places in fetching:
//! the [Local Network Access check](https://wicg.github.io/local-network-access/#local-network-access-check)
//! before a URL is fetched, and, for a no-cors response, the
//! [cross-origin resource policy check](https://fetch.spec.whatwg.org/#cross-origin-resource-policy-check)
//! and [opaque-response blocking](https://github.com/annevk/orb#orbs-algorithm).
//! None of them is CORS: no `Access-Control-*` header changes their answer.

use std::ops::ControlFlow;

use url::Url;

use super::main_fetch::{Chain, Ending};
use super::tainting::Tainting;
use super::FetchContext;
use crate::engine::failure::Failure;
use crate::engine::headers::HeaderList;
use crate::engine::local_network::{address_space_of, local_network_access_check};
use crate::engine::method::is_cors_safelisted_method;
use crate::engine::origin::Origin;
use crate::engine::request::Request;
use crate::engine::resource_policy::{
    cross_origin_resource_policy_check, opaque_response_blocking,
};
use crate::engine::safelist::cors_unsafe_request_header_names;
use crate::engine::server::WireResponse;
use crate::engine::step::StepKind;
use crate::scenario::Api;

/// HTTP-network fetch's added steps: "Let localNetworkAccessCheckResult be
/// the result of running Local Network Access check for fetchParams'
/// request and connection's IP address. If localNetworkAccessCheckResult is
/// a network error, then return localNetworkAccessCheckResult." Browsers
/// decide before sending anything (no preflight reaches the target, observed
/// in Chromium 156 and Firefox 153), so it runs before HTTP fetch, for every
/// URL of the redirect chain. Records a step only when it applied.
/// Not modelled: WebSocket handshakes and form navigations.
pub(super) fn check_local_network_access(
    ctx: &mut FetchContext<'_>,
    request: &Request,
    chain: &Chain,
    current: &Url,
) -> ControlFlow<Ending> {
    let Some(lna) = ctx.profile.local_network_access else {
        return ControlFlow::Continue(());
    };
    let target_space = address_space_of(current, &ctx.network.declared);
    let same_origin = ctx.page.is_same_origin(&Origin::of_url(current));
    // The `targetAddressSpace` option exists on `fetch()` only.
    let declared = (request.api == Api::Fetch)
        .then_some(request.target_address_space)
        .flatten();
    let Some(decision) =
        local_network_access_check(ctx.network, target_space, same_origin, declared, &lna)
    else {
        return ControlFlow::Continue(());
    };
    let refusal = decision.result.clone().err();
    ctx.record(StepKind::LocalNetworkAccess {
        url: current.as_str().to_owned(),
        decision,
    });
    match refusal {
        None => ControlFlow::Continue(()),
        Some(denial) => ControlFlow::Break(Ending::failed(
            Failure::LocalNetworkAccess {
                target: target_space,
                denial,
                needs_preflight: needs_cors_preflight(ctx, request, chain),
            },
            None,
        )),
    }
}

/// Whether HTTP fetch would make a CORS preflight for the chain's request
/// (its step 4.3: "makeCORSPreflight is true and … there is no method cache
/// entry match … or at least one item in the CORS-unsafe request-header
/// names … for which there is no header-name cache entry match"), the cache
/// left aside: a refused target never answered a preflight to fill it.
fn needs_cors_preflight(ctx: &FetchContext<'_>, request: &Request, chain: &Chain) -> bool {
    chain.tainting == Tainting::Cors
        && (request.use_cors_preflight
            || !is_cors_safelisted_method(&chain.method)
            || !cors_unsafe_request_header_names(&chain.headers, ctx.profile).is_empty())
}

/// HTTP fetch: "If either request's response tainting or response's type is
/// "opaque", and the cross-origin resource policy check with request's
/// origin, request's client, request's destination, and internalResponse
/// returns blocked, then return a network error." Runs for opaque tainting
/// only; records a step when a policy applied (a header, or COEP's default).
pub(super) fn check_cross_origin_resource_policy(
    ctx: &mut FetchContext<'_>,
    current: &Url,
    headers: &HeaderList,
    status: u16,
) -> ControlFlow<Ending> {
    let check = cross_origin_resource_policy_check(ctx.page_url, ctx.coep, current, headers);
    if check.header.is_none() && !check.defaulted_by_coep {
        return ControlFlow::Continue(());
    }
    let blocked = check.policy.filter(|_| check.blocked);
    let defaulted_by_coep = check.defaulted_by_coep;
    ctx.record(StepKind::ResourcePolicy {
        url: current.as_str().to_owned(),
        check,
    });
    match blocked {
        None => ControlFlow::Continue(()),
        Some(policy) => ControlFlow::Break(Ending::failed(
            Failure::CorpBlocked {
                policy,
                defaulted_by_coep,
            },
            Some(status),
        )),
    }
}

/// [ORB](https://github.com/annevk/orb#orbs-algorithm) for the final
/// no-cors response of an `<img>` or `<script>`. A no-cors `fetch()` is not
/// refused: both browsers hand it an opaque response with an empty body
/// (observed in Chromium 156 and Firefox 153).
/// Not modelled: stylesheets (HTML's own MIME type check comes first).
pub(super) fn check_opaque_response_blocking(
    ctx: &mut FetchContext<'_>,
    request: &Request,
    current: &Url,
    status: u16,
    headers: &HeaderList,
) -> ControlFlow<Ending> {
    if !ctx.profile.opaque_response_blocking || !matches!(request.api, Api::Img | Api::Script) {
        return ControlFlow::Continue(());
    }
    // The response is the last exchange HTTP fetch recorded.
    let body = match ctx.exchanges.last().map(|e| &e.response) {
        Some(WireResponse::Http { body, .. }) => body.as_str(),
        _ => "",
    };
    let Err(reason) = opaque_response_blocking(status, headers, body) else {
        return ControlFlow::Continue(());
    };
    ctx.record(StepKind::OrbBlocked {
        url: current.as_str().to_owned(),
        content_type: headers.get("Content-Type").unwrap_or_default(),
        reason: reason.clone(),
    });
    ControlFlow::Break(Ending::failed(Failure::OrbBlocked { reason }, Some(status)))
}
