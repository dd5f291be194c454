//! [Establish a WebSocket connection](https://websockets.spec.whatwg.org/#concept-websocket-establish):
//! no CORS check.

use super::main_fetch::check_page_csp;
use super::mixed_content::check_mixed_content;
use super::{FetchContext, Fetched};
use crate::engine::failure::{Failure, Phase};
use crate::engine::headers::HeaderList;
use crate::engine::outcome::Delivered;
use crate::engine::request::Request;
use crate::engine::server::{WireRequest, WireResponse};
use crate::engine::step::StepKind;
use crate::engine::trace::ExchangeKind;

/// The WebSocket handshake: a GET with `Origin` and `Upgrade: websocket`;
/// the connection opens on status 101. "The request's mode is "websocket"",
/// so no CORS check runs: the server alone decides, from `Origin`, whom to
/// accept.
pub(super) fn establish_a_websocket_connection(
    ctx: &mut FetchContext<'_>,
    request: &Request,
) -> Fetched {
    // Mixed Content: a `ws:` URL from an https page is blockable content.
    // Browser: Chromium and Firefox refuse it in the constructor, which
    // throws a SecurityError before any handshake (observed).
    if let Err(blocked) = check_mixed_content(ctx, request) {
        return Fetched::single(request, Some(blocked), Delivered::Opaque, None);
    }
    // The handshake is fetched, so main fetch's CSP step (connect-src) runs first.
    if let Err(blocked) = check_page_csp(ctx, request) {
        return Fetched::single(request, Some(blocked), Delivered::Opaque, None);
    }
    let origin = ctx.page.serialize();
    // 2.–6. "Append (`Upgrade`, `websocket`) … (`Sec-WebSocket-Key`, keyValue) … (`Sec-WebSocket-Version`, `13`)"; main fetch appends `Origin`.
    let mut headers = HeaderList::default();
    headers.append("Upgrade", "websocket");
    headers.append("Origin", &origin);
    // Not modelled: Sec-WebSocket-Key, -Version and -Extensions (random or fixed, never CORS).
    let wire = WireRequest {
        method: "GET".to_owned(),
        url: request.url.as_str().to_owned(),
        headers,
        body: None,
    };
    ctx.record(StepKind::Handshake {
        url: request.url.as_str().to_owned(),
        origin,
    });
    let response = ctx.transmit(ExchangeKind::Actual, wire);
    match response {
        WireResponse::NetworkError { error: kind, .. } => {
            let failure = Failure::ConnectionFailed {
                phase: Phase::Actual,
                kind,
            };
            Fetched::single(request, Some(failure), Delivered::Opaque, None)
        }
        // "If response is a network error or its status is not 101, fail the WebSocket connection."
        WireResponse::Http { status, .. } => {
            ctx.record(StepKind::HandshakeAnswered { status });
            if status == 101 {
                Fetched::single(request, None, Delivered::Readable, Some(101))
            } else {
                let failure = Failure::WebSocketHandshake { status };
                Fetched::single(request, Some(failure), Delivered::Opaque, Some(status))
            }
        }
    }
}
