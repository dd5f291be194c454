//! Fetching a built request, one module per algorithm of the
//! [Fetch Standard](https://fetch.spec.whatwg.org/) (and of the HTML and
//! WebSockets standards for the requests that bypass CORS):
//!
//! - [`main_fetch`]: *main fetch*, the page's CSP and the path each URL takes;
//! - [`mixed_content`]: an https page's http request, upgraded or blocked;
//! - [`http_fetch`]: *HTTP fetch*, the request on the wire and the CORS check;
//! - [`preflight_fetch`]: *CORS-preflight fetch* and the preflight cache;
//! - [`redirect`]: *HTTP-redirect fetch*;
//! - [`tainting`]: response tainting, the request's origin, and the filtered
//!   response the script gets;
//! - [`navigation`]: a form submission, which navigates;
//! - [`websocket`]: *establish a WebSocket connection*;
//! - [`event_source`]: EventSource's check of the response it is handed.
//!
//! Each algorithm records typed [`Step`]s and wire exchanges; none decides
//! the outcome (see [`super::outcome`]) or writes English (see
//! [`super::narrate`]).

mod beyond_cors;
mod event_source;
mod http_fetch;
mod main_fetch;
mod mixed_content;
mod navigation;
mod preflight_fetch;
mod redirect;
mod tainting;
mod websocket;

use super::browser::Profile;
use super::cache::PreflightCache;
use super::csp::Policy;
use super::failure::{Failure, NetworkErrorKind, Phase};
use super::local_network::PageNetwork;
use super::origin::Origin;
use super::outcome::Delivered;
use super::request::Request;
use super::server::{MockServer, WireRequest, WireResponse};
use super::step::{Step, StepKind};
use super::trace::{Exchange, ExchangeKind};
use url::Url;

use crate::scenario::{Api, EmbedderPolicy, PreflightUse};

/// How fetching a request ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Fetched {
    /// The first failure, if any.
    pub failure: Option<Failure>,
    /// Without a failure: what the script was handed.
    pub delivered: Delivered,
    /// Readable response header names (sorted, lower-cased).
    pub readable_headers: Vec<String>,
    /// Whether a preflight was needed, sent or cached (the strongest over the chain).
    pub preflight: PreflightUse,
    /// The CORS headers of the first preflight sent.
    pub preflight_request: Vec<(String, String)>,
    /// The URL that failed or answered (the last of the chain).
    pub final_url: String,
    /// The status of the last response, if any.
    pub final_status: Option<u16>,
    /// The method as last sent.
    pub method: String,
    /// Whether the response that failed was a redirect being followed.
    pub failed_on_followed_redirect: bool,
}

impl Fetched {
    /// An ending of a request that made at most one exchange, at its own URL.
    fn single(
        request: &Request,
        failure: Option<Failure>,
        delivered: Delivered,
        status: Option<u16>,
    ) -> Fetched {
        Fetched {
            failure,
            delivered,
            readable_headers: Vec::new(),
            preflight: PreflightUse::None,
            preflight_request: Vec::new(),
            final_url: request.url.as_str().to_owned(),
            final_status: status,
            method: request.method.clone(),
            failed_on_followed_redirect: false,
        }
    }
}

/// Everything fetching needs from the scenario run.
pub(super) struct FetchContext<'a> {
    /// The page's origin.
    pub page: &'a Origin,
    /// The server rules.
    pub server: &'a MockServer<'a>,
    /// The browser's deviations.
    pub profile: &'a Profile,
    /// The preflight cache, shared by the scenario's requests.
    pub cache: &'a mut PreflightCache,
    /// Now, in milliseconds since the scenario started.
    pub now_ms: u64,
    /// The page's Content-Security-Policy (empty: none).
    pub csp: &'a [Policy],
    /// Steps, appended as the fetch goes.
    pub steps: &'a mut Vec<Step>,
    /// Wire exchanges, appended as the fetch goes.
    pub exchanges: &'a mut Vec<Exchange>,
    /// The page's address space, secure context and LNA permissions.
    pub network: &'a PageNetwork,
    /// The page's URL (`None` when its origin is opaque), for CORP.
    pub page_url: Option<&'a Url>,
    /// The page's embedder policy (COEP), for CORP.
    pub coep: EmbedderPolicy,
}

impl FetchContext<'_> {
    /// Records a step.
    fn record(&mut self, kind: StepKind) {
        self.steps.push(Step::new(kind));
    }

    /// Sends `wire` to the mock server and records the exchange as `kind`;
    /// returns the answer. (HTTP fetch records its own, to keep the answer
    /// without a copy.)
    fn transmit(&mut self, kind: ExchangeKind, wire: WireRequest) -> WireResponse {
        let response = self.server.respond(&wire);
        self.exchanges.push(Exchange {
            kind,
            request: wire,
            response: response.clone(),
        });
        response
    }
}

/// The failure of a connection that failed as `kind` on `phase`'s
/// exchange: a server that never answers a page with its own limit is the
/// page giving up (`AbortSignal.timeout`, `xhr.timeout`); every other
/// failure is the [network error](https://fetch.spec.whatwg.org/#concept-network-error) itself.
/// Not modelled: the browser's own limit when the page sets none.
fn connection_failure(kind: NetworkErrorKind, phase: Phase, timeout_ms: Option<u64>) -> Failure {
    match (kind, timeout_ms) {
        (NetworkErrorKind::Timeout, Some(timeout_ms)) => Failure::PageTimeout { phase, timeout_ms },
        _ => Failure::ConnectionFailed { phase, kind },
    }
}

/// The page's limit, when it is the one that ended a wait for `kind`.
fn page_timeout(kind: NetworkErrorKind, timeout_ms: Option<u64>) -> Option<u64> {
    timeout_ms.filter(|_| kind == NetworkErrorKind::Timeout)
}

/// Fetches `request` as its API does: a form navigates, a WebSocket
/// establishes a connection, everything else runs main fetch (and
/// EventSource then checks the response it is handed).
pub(super) fn fetch(ctx: &mut FetchContext<'_>, request: &Request) -> Fetched {
    let mut fetched = match request.api {
        Api::Form => navigation::navigate(ctx, request),
        Api::Websocket => websocket::establish_a_websocket_connection(ctx, request),
        _ => main_fetch::main_fetch(ctx, request),
    };
    if request.api.is_extension() {
        // Elements, EventSource, forms and sockets expose no response headers to the script.
        fetched.readable_headers.clear();
    }
    if request.api == Api::Eventsource
        && fetched.failure.is_none()
        && fetched.delivered == Delivered::Readable
    {
        fetched.failure = event_source::check_event_stream(ctx.exchanges);
    }
    fetched
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod beyond_cors_tests;
