//! [Main fetch](https://fetch.spec.whatwg.org/#main-fetch): the page's
//! Content Security Policy, then, for each URL of the redirect chain, the
//! path the request takes (basic, opaque, CORS) and HTTP fetch.

use std::ops::ControlFlow;

use url::Url;

use super::mixed_content::check_mixed_content;
use super::tainting::{filtered_response, serialize_request_origin, Tainting};
use super::{beyond_cors, http_fetch, redirect, FetchContext, Fetched};
use crate::engine::csp::{should_request_be_blocked, violations};
use crate::engine::failure::Failure;
use crate::engine::headers::HeaderList;
use crate::engine::origin::Origin;
use crate::engine::outcome::Delivered;
use crate::engine::request::Request;
use crate::engine::step::{PathTaken, StepKind};
use crate::scenario::{Credentials, Mode, PreflightUse, Redirect};

/// The request as it goes along its redirect chain: what each hop may change.
pub(super) struct Chain {
    /// The URL list; the last is the current URL.
    pub url_list: Vec<Url>,
    /// The method as last sent (a 303 may change it).
    pub method: String,
    /// The header list (a redirect may delete some).
    pub headers: HeaderList,
    /// The body (a redirect may drop it).
    pub body: Option<String>,
    /// Response tainting; never goes back to basic.
    pub tainting: Tainting,
    /// Redirects followed.
    pub redirect_count: u8,
    /// Whether credentials mode is include.
    pub credentials: bool,
    /// The strongest preflight use over the chain.
    pub preflight: PreflightUse,
    /// The CORS headers of the first preflight sent.
    pub preflight_request: Vec<(String, String)>,
}

/// How main fetch ended: a failure (a network error), or a response handed
/// to the script.
pub(super) struct Ending {
    pub failure: Option<Failure>,
    pub delivered: Delivered,
    pub readable_headers: Vec<String>,
    pub status: Option<u16>,
    pub failed_on_followed_redirect: bool,
}

impl Ending {
    /// A network error, with the status of the response that caused it.
    pub(super) fn failed(failure: Failure, status: Option<u16>) -> Ending {
        Ending {
            failure: Some(failure),
            delivered: Delivered::Opaque,
            readable_headers: Vec::new(),
            status,
            failed_on_followed_redirect: false,
        }
    }

    /// A response handed to the script.
    pub(super) fn delivered(
        delivered: Delivered,
        readable_headers: Vec<String>,
        status: u16,
    ) -> Ending {
        Ending {
            failure: None,
            delivered,
            readable_headers,
            status: Some(status),
            failed_on_followed_redirect: false,
        }
    }
}

/// The most redirects followed: "If request's redirect count is 20, then
/// return a network error."
const MAX_REDIRECTS: u8 = 20;

/// Main fetch's Content Security Policy step: "If … should request be
/// blocked by Content Security Policy returns blocked, then set response to
/// a network error" (the check is CSP's
/// [should-block-request](https://w3c.github.io/webappsec-csp/#should-block-request)).
/// It comes before every CORS step, so a blocked request sends nothing.
/// Records one step when the page has a policy.
/// Not modelled: the check again on each redirect hop.
pub(super) fn check_page_csp(ctx: &mut FetchContext<'_>, request: &Request) -> Result<(), Failure> {
    if ctx.csp.is_empty() {
        return Ok(());
    }
    let checks = should_request_be_blocked(ctx.csp, request.api, &request.url, ctx.page);
    let Some(first) = checks
        .iter()
        .find(|c| c.blocks())
        .or_else(|| checks.iter().find(|c| c.directive.is_some()))
        .or_else(|| checks.first())
    else {
        return Ok(());
    };
    ctx.record(StepKind::PageCsp {
        check: first.clone(),
        url: request.url.as_str().to_owned(),
    });
    let found = violations(&checks);
    if found.is_empty() {
        Ok(())
    } else {
        Err(Failure::CspBlocked { violations: found })
    }
}

/// Runs main fetch for a built request, following its redirects, and
/// records its steps and exchanges.
pub(super) fn main_fetch(ctx: &mut FetchContext<'_>, request: &Request) -> Fetched {
    // "Upgrade a mixed content request to a potentially trustworthy URL, if
    // appropriate"; then "should fetching request be blocked as mixed
    // content" comes before the CSP check in the same step.
    let upgraded;
    let request = match check_mixed_content(ctx, request) {
        Err(blocked) => return Fetched::single(request, Some(blocked), Delivered::Opaque, None),
        Ok(None) => request,
        Ok(Some(url)) => {
            upgraded = Request {
                url,
                ..request.clone()
            };
            &upgraded
        }
    };
    if let Err(blocked) = check_page_csp(ctx, request) {
        return Fetched::single(request, Some(blocked), Delivered::Opaque, None);
    }
    let mut chain = Chain {
        url_list: vec![request.url.clone()],
        method: request.method.clone(),
        headers: request.headers.clone(),
        body: request.body.clone(),
        tainting: Tainting::Basic,
        redirect_count: 0,
        credentials: request.credentials == Credentials::Include,
        preflight: PreflightUse::None,
        preflight_request: Vec::new(),
    };
    // Bounded: at most 20 redirects are followed, so at most 21 rounds.
    for _round in 0..=MAX_REDIRECTS + 1 {
        match main_fetch_for_current_url(ctx, request, &mut chain) {
            ControlFlow::Continue(next) => chain.url_list.push(next),
            ControlFlow::Break(ending) => return chain.finish(ending, request),
        }
    }
    chain.finish(Ending::failed(Failure::TooManyRedirects, None), request)
}

impl Chain {
    /// The current URL: the last of the URL list.
    pub(super) fn current(&self) -> Option<&Url> {
        self.url_list.last()
    }

    fn finish(self, ending: Ending, request: &Request) -> Fetched {
        let final_url =
            if ending.failure == Some(Failure::TooManyRedirects) && ending.status.is_none() {
                request.url.as_str().to_owned()
            } else {
                self.current().unwrap_or(&request.url).as_str().to_owned()
            };
        Fetched {
            failure: ending.failure,
            delivered: ending.delivered,
            readable_headers: ending.readable_headers,
            preflight: self.preflight,
            preflight_request: self.preflight_request,
            final_url,
            final_status: ending.status,
            method: self.method,
            failed_on_followed_redirect: ending.failed_on_followed_redirect,
        }
    }
}

/// One round of main fetch, for the chain's current URL: the path, HTTP
/// fetch, then either the response the script gets (`Break`) or the URL
/// HTTP-redirect fetch goes on with (`Continue`).
fn main_fetch_for_current_url(
    ctx: &mut FetchContext<'_>,
    request: &Request,
    chain: &mut Chain,
) -> ControlFlow<Ending, Url> {
    let current = chain
        .current()
        .cloned()
        .unwrap_or_else(|| request.url.clone());
    let after_redirect = chain.url_list.len() > 1;
    chain.tainting = choose_path(ctx, request, chain.tainting, &current, after_redirect)?;
    // Issue 13 family 4: Local Network Access, before anything is sent.
    beyond_cors::check_local_network_access(ctx, request, chain, &current)?;
    let origin = serialize_request_origin(ctx.page, &chain.url_list);
    if after_redirect && origin == "null" && chain.tainting == Tainting::Cors {
        ctx.record(StepKind::OriginTainted);
    }
    let (status, headers) = http_fetch::http_fetch(ctx, request, chain, &current, &origin)?;
    // HTTP fetch: "If internalResponse's status is a redirect status: … switch on request's redirect mode".
    if let (true, Some(location)) = (
        redirect::is_redirect_status(status),
        headers.get("Location"),
    ) {
        return redirect::redirect_by_mode(ctx, request, chain, &current, status, location);
    }
    // Issue 13 family 5: ORB on the final no-cors response to an element.
    if chain.tainting == Tainting::Opaque {
        beyond_cors::check_opaque_response_blocking(ctx, request, &current, status, &headers)?;
    }
    let (delivered, readable) = filtered_response(chain.tainting, &headers, chain.credentials);
    ControlFlow::Break(Ending::delivered(delivered, readable, status))
}

/// Main fetch's step "If response is null, then set response to the result
/// of running the steps corresponding to the first matching statement":
/// records the path taken and returns the request's response tainting.
fn choose_path(
    ctx: &mut FetchContext<'_>,
    request: &Request,
    tainting: Tainting,
    current: &Url,
    after_redirect: bool,
) -> ControlFlow<Ending, Tainting> {
    let same_origin = ctx.page.is_same_origin(&Origin::of_url(current));
    let mut record = |path: PathTaken| {
        ctx.record(StepKind::Path {
            after_redirect,
            path,
        })
    };
    // "request's current URL's origin is same origin with request's origin, and request's response tainting is "basic"": scheme fetch.
    if same_origin && tainting == Tainting::Basic {
        record(PathTaken::SameOrigin);
        return ControlFlow::Continue(Tainting::Basic);
    }
    let refuse = |failure| ControlFlow::Break(Ending::failed(failure, None));
    match request.mode {
        // "request's mode is "same-origin": Return a network error."
        Mode::SameOrigin => {
            record(PathTaken::SameOriginModeRefused);
            return refuse(Failure::SameOriginModeCrossOrigin { after_redirect });
        }
        // "request's mode is "no-cors": 1. If request's redirect mode is not "follow", then return a network error. 2. Set request's response tainting to "opaque"."
        Mode::NoCors if request.redirect != Redirect::Follow => {
            record(PathTaken::NoCorsRedirectNotFollow);
            return refuse(Failure::NoCorsRedirectNotFollow);
        }
        Mode::NoCors => {
            record(PathTaken::NoCors);
            return ControlFlow::Continue(Tainting::Opaque);
        }
        _ => {}
    }
    // "request's current URL's scheme is not an HTTP(S) scheme: Return a network error."
    if !matches!(current.scheme(), "http" | "https") {
        let scheme = current.scheme().to_owned();
        record(PathTaken::UnsupportedScheme {
            scheme: scheme.clone(),
        });
        return refuse(Failure::UnsupportedScheme { scheme });
    }
    // Otherwise: "Set request's response tainting to "cors"", with or without a preflight (see HTTP fetch).
    record(PathTaken::Cors);
    ControlFlow::Continue(Tainting::Cors)
}
