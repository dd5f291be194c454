//! What `response.headers` would contain for the script.

use yew::prelude::*;

use crate::engine::WireResponse;
use crate::engine::{ExchangeKind, RequestTrace};
use crate::scenario::Outcome;

/// The readable response headers (the engine's list) with the values the
/// final response carried.
pub(super) fn readable_headers(request: &RequestTrace) -> Html {
    let result = &request.result;
    let final_headers = request
        .exchanges
        .iter()
        .rev()
        .find(|e| e.kind == ExchangeKind::Actual)
        .and_then(|e| match &e.response {
            WireResponse::Http { headers, .. } => Some(headers),
            WireResponse::NetworkError { .. } => None,
        });
    let body = match result.outcome {
        Outcome::Blocked | Outcome::NetworkError => html! {
            <p class="tv-panel-empty">{ "No response object: the script got a network error, so there are no headers to read." }</p>
        },
        Outcome::Opaque if result.readable_headers.is_empty() => html! {
            <p class="tv-panel-empty">{ "An opaque response: response.headers is empty." }</p>
        },
        _ if result.readable_headers.is_empty() => html! {
            <p class="tv-panel-empty">{ "response.headers is empty." }</p>
        },
        _ => html! {
            <dl class="readable-headers">
                { for result.readable_headers.iter().map(|name| {
                    let value = final_headers.and_then(|h| h.get(name)).unwrap_or_default();
                    html! {
                        <div class="readable-header" data-testid="readable-header" data-name={name.clone()}>
                            <dt><code>{ name.clone() }</code></dt>
                            <dd><code>{ value }</code></dd>
                        </div>
                    }
                }) }
            </dl>
        },
    };
    html! {
        <section class="tv-panel headers-panel" aria-label="What the script can read">
            <h4 class="tv-panel-title">{ "What the script can read" }</h4>
            <p class="tv-panel-hint">{ "The headers response.headers would contain." }</p>
            { body }
        </section>
    }
}
