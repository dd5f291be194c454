//! A form submission: a navigation, not a CORS request.

use super::{FetchContext, Fetched};
use crate::engine::failure::{Failure, Phase};
use crate::engine::outcome::Delivered;
use crate::engine::request::Request;
use crate::engine::server::{WireRequest, WireResponse};
use crate::engine::step::StepKind;
use crate::engine::trace::ExchangeKind;

/// A form submitted cross-origin into an iframe: the [navigate](https://html.spec.whatwg.org/multipage/browsing-the-web.html#navigate)
/// algorithm fetches with mode "navigate", which never runs the CORS check
/// and never preflights, whatever the method, enctype or body. The response
/// becomes a document the page's script cannot read (it is cross-origin).
pub(super) fn navigate(ctx: &mut FetchContext<'_>, request: &Request) -> Fetched {
    let mut headers = request.headers.clone();
    // Fetch: "append a request `Origin` header" — for navigations only when the method is neither GET nor HEAD.
    if request.method == "POST" {
        headers.append("Origin", &ctx.page.serialize());
    }
    let wire = WireRequest {
        method: request.method.clone(),
        url: request.url.as_str().to_owned(),
        headers,
        body: request.body.clone(),
    };
    ctx.record(StepKind::Navigation);
    let response = ctx.transmit(ExchangeKind::Actual, wire);
    match response {
        WireResponse::NetworkError { error: kind, .. } => {
            // Not modelled: Chromium shows its error page in the iframe; the harness sees a load.
            ctx.record(StepKind::NavigationUnanswered);
            let failure = Failure::ConnectionFailed {
                phase: Phase::Actual,
                kind,
            };
            Fetched::single(request, Some(failure), Delivered::Opaque, None)
        }
        WireResponse::Http { status, .. } => {
            ctx.record(StepKind::NavigationAnswered { status });
            Fetched::single(request, None, Delivered::Opaque, Some(status))
        }
    }
}
