//! EventSource's check of the response main fetch hands it.

use crate::engine::failure::Failure;
use crate::engine::server::WireResponse;
use crate::engine::trace::{Exchange, ExchangeKind};

/// EventSource's [response check](https://html.spec.whatwg.org/multipage/server-sent-events.html#dom-eventsource):
/// "if res's status is not 200, or if res's `Content-Type` is not
/// `text/event-stream`, then fail the connection". Runs after main fetch
/// handed the response over (so after the CORS check).
pub(super) fn check_event_stream(exchanges: &[Exchange]) -> Option<Failure> {
    let (status, headers) = exchanges.iter().rev().find_map(|e| match &e.response {
        WireResponse::Http {
            status, headers, ..
        } if e.kind == ExchangeKind::Actual => Some((*status, headers)),
        _ => None,
    })?;
    let mime = headers.get("Content-Type").unwrap_or_default();
    let essence = mime
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if status != 200 {
        return Some(Failure::EventStreamStatus { status });
    }
    (essence != "text/event-stream").then_some(Failure::EventStreamMimeType { mime })
}
