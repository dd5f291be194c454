//! The sequence diagram: browser ↔ server messages as an SVG, each arrow a
//! keyboard-focusable button that opens the message's exact HTTP text.

use std::rc::Rc;

use web_sys::KeyboardEvent;
use yew::prelude::*;

use crate::engine::WireResponse;
use crate::engine::{Exchange, ExchangeKind};

/// Properties of [`SequenceDiagram`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub(super) struct SequenceDiagramProps {
    /// The request's exchanges, in order.
    pub exchanges: Rc<Vec<Exchange>>,
}

/// Which message is open: (exchange index, is the response).
type Opened = Option<(usize, bool)>;

const WIDTH: i32 = 340;
const BROWSER_X: i32 = 50;
const SERVER_X: i32 = 290;
const ROW: i32 = 44;
const TOP: i32 = 34;

/// Browser and server lifelines with two arrows per exchange.
#[function_component(SequenceDiagram)]
pub(super) fn sequence_diagram(props: &SequenceDiagramProps) -> Html {
    let opened = use_state_eq(|| None::<(usize, bool)>);
    {
        let opened = opened.clone();
        use_effect_with(props.exchanges.clone(), move |_| opened.set(None));
    }
    if props.exchanges.is_empty() {
        return html! {
            <section class="tv-panel sequence" aria-label="Over the wire">
                <h4 class="tv-panel-title">{ "Over the wire" }</h4>
                <p class="tv-panel-empty">{ "Nothing was sent: the browser stopped before any request." }</p>
            </section>
        };
    }
    let rows = i32::try_from(props.exchanges.len() * 2).unwrap_or(i32::MAX / ROW - 2);
    let height = TOP + rows * ROW + 12;
    let arrows = props
        .exchanges
        .iter()
        .enumerate()
        .flat_map(|(index, exchange)| {
            let row = i32::try_from(index * 2).unwrap_or(0);
            [
                arrow(index, false, exchange, TOP + row * ROW + 26, &opened),
                arrow(index, true, exchange, TOP + (row + 1) * ROW + 26, &opened),
            ]
        });
    let open_text = (*opened).and_then(|(index, response)| {
        let exchange = props.exchanges.get(index)?;
        Some(if response {
            (
                format!("Response {}", index + 1),
                exchange.response.http1_text(),
            )
        } else {
            (
                format!("Request {}", index + 1),
                exchange.request.http1_text(),
            )
        })
    });
    html! {
        <section class="tv-panel sequence" aria-label="Over the wire">
            <h4 class="tv-panel-title">{ "Over the wire" }</h4>
            <p class="tv-panel-hint">{ "Each arrow is a message; open one to read it exactly as sent." }</p>
            <svg class="sequence-svg" viewBox={format!("0 0 {WIDTH} {height}")}
                role="group" aria-label="Sequence diagram: browser and server messages">
                <text class="lifeline-label" x={BROWSER_X.to_string()} y="16" text-anchor="middle">{ "Browser" }</text>
                <text class="lifeline-label" x={SERVER_X.to_string()} y="16" text-anchor="middle">{ "Server" }</text>
                <line class="lifeline" x1={BROWSER_X.to_string()} y1="22" x2={BROWSER_X.to_string()} y2={height.to_string()} />
                <line class="lifeline" x1={SERVER_X.to_string()} y1="22" x2={SERVER_X.to_string()} y2={height.to_string()} />
                { for arrows }
            </svg>
            if let Some((title, text)) = open_text {
                <figure class="wire-message">
                    <figcaption>{ title }</figcaption>
                    <pre class="wire-text" data-testid="wire-text" tabindex="0">{ text }</pre>
                </figure>
            }
        </section>
    }
}

/// One arrow: the request (browser → server) or the response (server → browser).
fn arrow(
    index: usize,
    response: bool,
    exchange: &Exchange,
    y: i32,
    opened: &UseStateHandle<Opened>,
) -> Html {
    let kind = match exchange.kind {
        ExchangeKind::Preflight => "preflight",
        ExchangeKind::Actual => "request",
    };
    let label = if response {
        match &exchange.response {
            WireResponse::Http { .. } => exchange
                .response
                .http1_text()
                .lines()
                .next()
                .and_then(|line| line.strip_prefix("HTTP/1.1 "))
                .unwrap_or_default()
                .to_owned(),
            WireResponse::NetworkError { .. } => "connection failed".to_owned(),
        }
    } else {
        let text = exchange.request.http1_text();
        let line = text.lines().next().unwrap_or_default();
        line.strip_suffix(" HTTP/1.1").unwrap_or(line).to_owned()
    };
    let is_open = **opened == Some((index, response));
    let toggle = {
        let opened = opened.clone();
        move || {
            opened.set(if is_open {
                None
            } else {
                Some((index, response))
            })
        }
    };
    let onclick = {
        let toggle = toggle.clone();
        Callback::from(move |_: MouseEvent| toggle())
    };
    let onkeydown = Callback::from(move |event: KeyboardEvent| {
        if matches!(event.key().as_str(), "Enter" | " ") {
            event.prevent_default();
            toggle();
        }
    });
    let (from, to) = if response {
        (SERVER_X - 4, BROWSER_X + 4)
    } else {
        (BROWSER_X + 4, SERVER_X - 4)
    };
    let head = if response {
        format!("{to},{y} {},{} {},{}", to + 9, y - 5, to + 9, y + 5)
    } else {
        format!("{to},{y} {},{} {},{}", to - 9, y - 5, to - 9, y + 5)
    };
    let mid = (BROWSER_X + SERVER_X) / 2;
    let failed = matches!(exchange.response, WireResponse::NetworkError { .. }) && response;
    let what = if response { "response" } else { "request" };
    html! {
        <g
            class={classes!("seq-arrow", format!("seq-{kind}"), failed.then_some("seq-failed"), is_open.then_some("seq-open"))}
            data-testid="seq-arrow"
            data-kind={kind}
            role="button"
            tabindex="0"
            aria-expanded={is_open.to_string()}
            aria-label={format!("{kind} {what}: {label}. Show the exact message")}
            {onclick}
            {onkeydown}
        >
            <rect class="seq-hit" x={(BROWSER_X + 2).to_string()} y={(y - 22).to_string()}
                width={(SERVER_X - BROWSER_X - 4).to_string()} height="30" rx="4" />
            <line class="seq-line" x1={from.to_string()} y1={y.to_string()} x2={to.to_string()} y2={y.to_string()} />
            <polygon class="seq-head" points={head} />
            <text class="seq-label" x={mid.to_string()} y={(y - 7).to_string()} text-anchor="middle">
                { if kind == "preflight" && !response { format!("{label} (preflight)") } else { label } }
            </text>
        </g>
    }
}
