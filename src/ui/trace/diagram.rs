//! The picture of one request, moving with the stages: the two origins part
//! by part, the classification against the safelist, and the messages
//! between the page, the browser's edge (where the preflight cache and the
//! CORS check live) and the server(s). Each arrow opens its exact HTTP text.
//!
//! Everything drawn is read from the engine's trace: the typed steps (which
//! origin part differs, which method or header is not safelisted, a cache
//! hit, the failing step), the wire exchanges and the console lines. The
//! diagram decides nothing; it reveals what the trace holds up to the
//! current stage. Rendering touches no browser API (SSR-safe).

use std::rc::Rc;

use web_sys::KeyboardEvent;
use yew::prelude::*;

use super::stages::{current_stage, stage_label, stages_of};
use crate::engine::{narrate, Exchange, ExchangeKind, RequestTrace, Stage, StepKind, StepStatus};
use crate::engine::{OriginComparison, OriginPart, WireResponse};
use crate::scenario::Outcome;

/// Properties of [`Diagram`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct DiagramProps {
    /// The request drawn.
    pub request: Rc<RequestTrace>,
    /// The chosen stage (`None` = the stepper's default).
    pub stage: Option<Stage>,
}

/// Which message is open: (exchange index, is the response).
type Opened = Option<(usize, bool)>;

/// The x of the page (script) lane, of the browser's edge, and the first server.
const PAGE_X: i32 = 30;
const EDGE_X: i32 = 112;
const SERVER_X: i32 = 330;
/// The extra width of each further server lane.
const LANE: i32 = 110;
const ROW: i32 = 34;
/// Width of one monospace character at the diagram's 11 px.
const CHAR: i32 = 7;

/// Where each part of the picture sits, and how far the stepper has got.
struct Layout<'a> {
    request: &'a RequestTrace,
    stages: Vec<Stage>,
    /// The position of the current stage in `stages`.
    at: usize,
    /// The servers' origins, one lane each (at most three).
    servers: Vec<String>,
    width: i32,
}

impl Layout<'_> {
    /// The position of `stage` (a stage the request never reached counts as
    /// reached once the stepper is past every earlier stage it did reach).
    fn position(&self, stage: Stage) -> usize {
        self.stages
            .iter()
            .position(|s| *s == stage)
            .unwrap_or_else(|| self.stages.iter().filter(|s| **s < stage).count())
    }

    fn reached(&self, stage: Stage) -> bool {
        self.position(stage) <= self.at
    }

    fn is_current(&self, stage: Stage) -> bool {
        self.stages.get(self.at) == Some(&stage)
    }

    /// The stage that shows exchange `index`: a preflight at the preflight,
    /// the first request at the request, a later one (after a redirect) at
    /// the redirect.
    fn stage_of(&self, index: usize) -> Stage {
        let exchanges = &self.request.exchanges;
        let first_actual = exchanges
            .iter()
            .position(|e| e.kind == ExchangeKind::Actual);
        match exchanges.get(index).map(|e| e.kind) {
            Some(ExchangeKind::Preflight) if first_actual.is_none_or(|f| index < f) => {
                Stage::Preflight
            }
            _ if first_actual.is_none_or(|f| index <= f) => Stage::Request,
            _ if self.stages.contains(&Stage::Redirect) => Stage::Redirect,
            _ => Stage::Request,
        }
    }

    fn server_x(&self, url: &str) -> i32 {
        let at = self
            .servers
            .iter()
            .position(|s| *s == origin_of(url))
            .unwrap_or(0);
        SERVER_X + LANE * i32::try_from(at).unwrap_or(0)
    }

    /// The first failing step's stage, where the picture shows the stop.
    fn failing_stage(&self) -> Option<Stage> {
        self.request
            .steps
            .iter()
            .find(|s| s.status == StepStatus::Fail)
            .map(|s| s.stage)
    }
}

/// The scheme, host and port of `url`, as the lane's label.
fn origin_of(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| url.to_owned())
}

/// The diagram, with the opened message's text under it.
#[function_component(Diagram)]
pub fn diagram(props: &DiagramProps) -> Html {
    let opened = use_state_eq(|| None::<(usize, bool)>);
    {
        let opened = opened.clone();
        use_effect_with(props.request.clone(), move |_| opened.set(None));
    }
    let request = &*props.request;
    let stages = stages_of(&request.steps);
    let current = current_stage(&request.steps, props.stage);
    let at = current
        .and_then(|c| stages.iter().position(|s| *s == c))
        .unwrap_or(0);
    let mut servers: Vec<String> = Vec::new();
    for exchange in &request.exchanges {
        let origin = origin_of(&exchange.request.url);
        if !servers.contains(&origin) && servers.len() < 3 {
            servers.push(origin);
        }
    }
    let lanes = i32::try_from(servers.len().max(1)).unwrap_or(1);
    let layout = Layout {
        request,
        stages,
        at,
        servers,
        width: SERVER_X + 30 + LANE * (lanes - 1),
    };
    let mut y = 0;
    let origin = request
        .origin
        .as_ref()
        .map(|o| origin_band(&layout, o, &mut y));
    let classes = classification_band(&layout, &mut y);
    let heads = lane_heads(&layout, y);
    y += 36;
    let top = y;
    let rows = messages(&layout, &opened, &mut y);
    let height = y + 8;
    let lines = lifelines(&layout, top - 10, height);
    let stopped = layout
        .failing_stage()
        .is_some_and(|stage| layout.reached(stage))
        || layout.is_current(Stage::Verdict);
    let console = request.result.console.first().filter(|_| stopped);
    let open_text = (*opened).and_then(|(index, response)| {
        let exchange = request.exchanges.get(index)?;
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
        <figure class="diagram" data-testid="diagram"
                data-stage={current.map_or("", super::stage_id)}>
            <p class="visually-hidden" id="diagram-words" data-testid="diagram-words" aria-live="polite">
                { words(&layout) }
            </p>
            <svg class="diagram-svg" viewBox={format!("0 0 {} {height}", layout.width)}
                role="group" aria-labelledby="diagram-words">
                { for origin }
                { classes }
                { lines }
                { heads }
                { rows }
            </svg>
            if let Some(line) = console {
                <p class="console-row console-error dg-console" data-testid="dg-console">
                    <span class="console-icon" aria-hidden="true">{ "✖" }</span>
                    <span class="visually-hidden">{ "Console error: " }</span>
                    <span class="console-text">{ line.clone() }</span>
                </p>
            }
            if let Some((title, text)) = open_text {
                <figure class="wire-message">
                    <figcaption>{ title }</figcaption>
                    <pre class="wire-text" data-testid="wire-text" tabindex="0">{ text }</pre>
                </figure>
            }
        </figure>
    }
}

/// What the picture shows at this stage, for screen readers: the stage
/// and the engine's own words for its last step.
fn words(layout: &Layout<'_>) -> String {
    let Some(stage) = layout.stages.get(layout.at).copied() else {
        return String::new();
    };
    let step = layout.request.steps.iter().rev().find(|s| s.stage == stage);
    let said = step.map(|s| {
        let text = narrate(s);
        format!("{}: {}.", text.title, text.found)
    });
    format!(
        "Diagram, stage {} of {}, {}. {}",
        layout.at + 1,
        layout.stages.len(),
        stage_label(stage),
        said.unwrap_or_default()
    )
}

/// A text element.
fn text(x: i32, y: i32, class: &'static str, value: String) -> Html {
    html! { <text class={class} x={x.to_string()} y={y.to_string()}>{ value }</text> }
}

/// A boxed word (an origin part, a method, a header name); `marked` is the
/// engine's deciding part.
fn chip(
    x: i32,
    y: i32,
    value: String,
    marked: bool,
    testid: &'static str,
    part: String,
) -> (Html, i32) {
    let width = i32::try_from(value.chars().count()).unwrap_or(40) * CHAR + 8;
    let html = html! {
        <g class={classes!("dg-chip", marked.then_some("dg-marked"))} data-testid={testid}
           data-part={part} data-marked={marked.to_string()}>
            <rect x={x.to_string()} y={(y - 12).to_string()} width={width.to_string()} height="17" rx="3" />
            <text x={(x + 4).to_string()} y={y.to_string()}>{ value }</text>
        </g>
    };
    (html, x + width + 4)
}

/// The page's origin over the request's, scheme, host and port aligned, the
/// differing parts marked.
fn origin_band(layout: &Layout<'_>, origin: &OriginComparison, y: &mut i32) -> Html {
    let focus = layout.is_current(Stage::Origin);
    let top = *y;
    *y += 52;
    let label =
        |x: i32, row: i32, value: &'static str| text(x, top + row, "dg-label", value.to_owned());
    let Some((page, target)) = origin.page_parts.as_ref().zip(origin.target_parts.as_ref()) else {
        return html! {
            <g class={classes!("dg-band", focus.then_some("dg-focus"))}>
                { label(4, 20, "Page") }
                { text(64, top + 20, "dg-mono", origin.page.clone()) }
                { label(4, 44, "Request") }
                { text(64, top + 44, "dg-mono", origin.target.clone()) }
            </g>
        };
    };
    let differs = |part: OriginPart| origin.differs.contains(&part);
    let host_width = i32::try_from(page.host.chars().count().max(target.host.chars().count()))
        .unwrap_or(20)
        * CHAR
        + 12;
    let row = |at: i32, label_text: &'static str, (scheme, host, port): (&String, &String, u16)| {
        let x = 64;
        let (scheme, _) = chip(
            x,
            top + at,
            scheme.clone(),
            differs(OriginPart::Scheme),
            "dg-origin-part",
            "scheme".into(),
        );
        let (host, _) = chip(
            x + 52,
            top + at,
            host.clone(),
            differs(OriginPart::Host),
            "dg-origin-part",
            "host".into(),
        );
        let (port, _) = chip(
            x + 52 + host_width,
            top + at,
            port.to_string(),
            differs(OriginPart::Port),
            "dg-origin-part",
            "port".into(),
        );
        html! { <>{ label(4, at, label_text) }{ scheme }{ host }{ port }</> }
    };
    let same = origin.differs.is_empty();
    html! {
        <g class={classes!("dg-band", focus.then_some("dg-focus"))} data-testid="dg-origin"
           data-same={same.to_string()}>
            { row(18, "Page", (&page.scheme, &page.host, page.port)) }
            { row(42, "Request", (&target.scheme, &target.host, target.port)) }
        </g>
    }
}

/// The method and header names against the safelist, from the engine's
/// classification step; shown once the stepper reaches it.
fn classification_band(layout: &Layout<'_>, y: &mut i32) -> Html {
    let found = layout.request.steps.iter().find_map(|s| match &s.kind {
        StepKind::Classification {
            method,
            header_names,
            method_safelisted,
            use_cors_preflight,
            unsafe_headers,
            needs_preflight,
        } => Some((
            method,
            header_names,
            *method_safelisted,
            *use_cors_preflight,
            unsafe_headers,
            *needs_preflight,
        )),
        _ => None,
    });
    let Some((method, names, method_ok, flag, unsafe_headers, preflight)) = found else {
        return html! {};
    };
    let top = *y + 16;
    *y += 30;
    if !layout.reached(Stage::Classification) {
        return html! {};
    }
    let (method_chip, mut x) = chip(
        4,
        top,
        method.clone(),
        !method_ok,
        "dg-chip",
        "method".into(),
    );
    let mut chips = vec![method_chip];
    for name in names {
        let marked = unsafe_headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case(name));
        if x > layout.width - 90 {
            break;
        }
        let (html, next) = chip(x, top, name.clone(), marked, "dg-chip", "header".into());
        chips.push(html);
        x = next;
    }
    let verdict = match (preflight, flag) {
        (true, true) => "→ preflight (flag)",
        (true, false) => "→ preflight",
        (false, _) => "→ simple",
    };
    html! {
        <g class={classes!("dg-band", layout.is_current(Stage::Classification).then_some("dg-focus"))}
           data-testid="dg-classification" data-preflight={preflight.to_string()}>
            { for chips }
            { text(x + 2, top, "dg-label", verdict.to_owned()) }
        </g>
    }
}

/// The lanes' names: the page (its script), the browser's edge, each server.
fn lane_heads(layout: &Layout<'_>, y: i32) -> Html {
    let servers = layout.servers.iter().enumerate().map(|(i, origin)| {
        let x = SERVER_X + LANE * i32::try_from(i).unwrap_or(0);
        let host = origin.split("://").nth(1).unwrap_or(origin).to_owned();
        html! {
            <>
                <text class="dg-lane" x={x.to_string()} y={(y + 14).to_string()} text-anchor="end">{ "Server" }</text>
                <text class="dg-host" x={x.to_string()} y={(y + 27).to_string()} text-anchor="end">{ host }</text>
            </>
        }
    });
    let cache = layout.is_current(Stage::Cache);
    html! {
        <g class="dg-heads">
            <text class="dg-lane" x={(PAGE_X - 26).to_string()} y={(y + 14).to_string()}>{ "Page" }</text>
            <text class={classes!("dg-lane", cache.then_some("dg-focus-text"))} x={(EDGE_X - 30).to_string()}
                  y={(y + 14).to_string()}>{ "Browser" }</text>
            <text class="dg-host" x={(EDGE_X - 30).to_string()} y={(y + 27).to_string()}>
                { "CORS check" }</text>
            { for servers }
        </g>
    }
}

/// The page's, the edge's and each server's lifelines.
fn lifelines(layout: &Layout<'_>, top: i32, bottom: i32) -> Html {
    let line = |x: i32, class: &'static str| {
        html! { <line class={class} x1={x.to_string()} y1={top.to_string()} x2={x.to_string()} y2={bottom.to_string()} /> }
    };
    let count = i32::try_from(layout.servers.len().max(1)).unwrap_or(1);
    html! {
        <g class="dg-lifelines">
            <rect class="dg-edge" x={(EDGE_X - 6).to_string()} y={top.to_string()} width="12"
                  height={(bottom - top).to_string()} />
            { line(PAGE_X, "lifeline") }
            { for (0..count).map(|i| line(SERVER_X + LANE * i, "lifeline")) }
        </g>
    }
}

/// The messages: a cache hit's skipped preflight, each exchange's two
/// arrows (or a request stopped before it was sent), revealed up to the
/// current stage.
fn messages(layout: &Layout<'_>, opened: &UseStateHandle<Opened>, y: &mut i32) -> Html {
    let mut rows = Vec::new();
    let hit = layout
        .request
        .steps
        .iter()
        .any(|s| matches!(s.kind, StepKind::CacheHit { .. }));
    if hit {
        *y += ROW;
        if layout.reached(Stage::Cache) {
            rows.push(cache_hit(layout, *y - 14));
        }
    }
    let count = layout.request.exchanges.len();
    for (index, exchange) in layout.request.exchanges.iter().enumerate() {
        let stage = layout.stage_of(index);
        let last = index + 1 == count;
        for response in [false, true] {
            *y += ROW;
            rows.push(arrow(
                layout,
                &Arrow {
                    index,
                    response,
                    exchange,
                    stage,
                    last,
                    y: *y - 14,
                },
                opened,
            ));
        }
    }
    if count == 0 {
        *y += ROW;
        rows.push(never_sent(layout, *y - 14));
    }
    html! { <g class="dg-messages">{ for rows }</g> }
}

/// The preflight the cache answered: drawn faint, crossed at the edge.
fn cache_hit(layout: &Layout<'_>, y: i32) -> Html {
    let x2 = SERVER_X - 4;
    html! {
        <g class={classes!("dg-skipped", layout.is_current(Stage::Cache).then_some("dg-current"))}
           data-testid="dg-cache-hit">
            <line class="seq-line" x1={(EDGE_X + 6).to_string()} y1={y.to_string()} x2={x2.to_string()} y2={y.to_string()} />
            <text class="seq-label" x={((EDGE_X + SERVER_X) / 2).to_string()} y={(y - 6).to_string()} text-anchor="middle">
                { "OPTIONS skipped: cache hit" }</text>
            <text class="dg-mark dg-pass" x={(EDGE_X - 4).to_string()} y={(y + 4).to_string()}>{ "✓" }</text>
        </g>
    }
}

/// A request the browser stopped before sending (a thrown call, the page's
/// CSP, any failure before the wire): it ends at the edge.
fn never_sent(layout: &Layout<'_>, y: i32) -> Html {
    let Some(stage) = layout.failing_stage() else {
        return html! {};
    };
    if !layout.reached(stage) {
        return html! {};
    }
    html! {
        <g class="seq-arrow dg-current dg-stopped" data-testid="dg-never-sent" data-shown="true">
            <line class="seq-line" x1={(PAGE_X + 4).to_string()} y1={y.to_string()} x2={(EDGE_X - 8).to_string()} y2={y.to_string()} />
            <text class="dg-mark dg-fail" data-testid="dg-stop" x={(EDGE_X - 5).to_string()} y={(y + 5).to_string()}>{ "✗" }</text>
            <text class="seq-label" x={(EDGE_X + 14).to_string()} y={(y + 4).to_string()}>
                { format!("not sent: stopped at {}", stage_label(stage)) }</text>
        </g>
    }
}

/// One arrow's place in the picture.
struct Arrow<'a> {
    index: usize,
    response: bool,
    exchange: &'a Exchange,
    /// The stage that reveals it.
    stage: Stage,
    /// Whether it is the request's last exchange.
    last: bool,
    y: i32,
}

/// The first line of a message, as the arrow's label.
fn label(arrow: &Arrow<'_>) -> String {
    if !arrow.response {
        let text = arrow.exchange.request.http1_text();
        let line = text.lines().next().unwrap_or_default();
        let line = line.strip_suffix(" HTTP/1.1").unwrap_or(line);
        return match arrow.exchange.kind {
            ExchangeKind::Preflight => format!("{line} (preflight)"),
            ExchangeKind::Actual => line.to_owned(),
        };
    }
    match &arrow.exchange.response {
        WireResponse::Http { .. } => arrow
            .exchange
            .response
            .http1_text()
            .lines()
            .next()
            .and_then(|line| line.strip_prefix("HTTP/1.1 "))
            .unwrap_or_default()
            .to_owned(),
        WireResponse::NetworkError { .. } => "connection failed".to_owned(),
    }
}

/// One message: the request (from the page, or from the edge for a
/// preflight or a redirect's next request) or the response (to the edge,
/// on to the page only when the script receives it).
fn arrow(layout: &Layout<'_>, arrow: &Arrow<'_>, opened: &UseStateHandle<Opened>) -> Html {
    let (index, response) = (arrow.index, arrow.response);
    let shown = layout.reached(arrow.stage);
    let outcome = layout.request.result.outcome;
    let first_actual = arrow.exchange.kind == ExchangeKind::Actual && arrow.stage == Stage::Request;
    let unanswered = matches!(arrow.exchange.response, WireResponse::NetworkError { .. });
    // The failing response stops at the edge once the stepper reaches the
    // failing stage; a delivered one goes on to the page.
    let failed_here =
        arrow.last && response && matches!(outcome, Outcome::Blocked | Outcome::NetworkError);
    let stop_shown = failed_here && layout.failing_stage().is_some_and(|s| layout.reached(s));
    let delivered = arrow.last && response && matches!(outcome, Outcome::Allowed | Outcome::Opaque);
    let server = layout.server_x(&arrow.exchange.request.url);
    let (from, to) = match (response, unanswered) {
        (false, _) if first_actual => (PAGE_X + 4, server - 4),
        (false, _) => (EDGE_X + 6, server - 4),
        (true, true) => (server - 4, server - 40),
        (true, false) if delivered => (server - 4, PAGE_X + 4),
        (true, false) => (server - 4, EDGE_X + 8),
    };
    let y = arrow.y;
    let head = if to < from {
        format!("{to},{y} {},{} {},{}", to + 8, y - 4, to + 8, y + 4)
    } else {
        format!("{to},{y} {},{} {},{}", to - 8, y - 4, to - 8, y + 4)
    };
    let label = label(arrow);
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
    let kind = match arrow.exchange.kind {
        ExchangeKind::Preflight => "preflight",
        ExchangeKind::Actual => "request",
    };
    let what = if response { "response" } else { "request" };
    let current = layout.is_current(arrow.stage)
        || (stop_shown && layout.failing_stage().is_some_and(|s| layout.is_current(s)));
    let mid = (EDGE_X + server) / 2;
    let mark = if stop_shown {
        html! { <text class="dg-mark dg-fail" data-testid="dg-stop" x={(EDGE_X - 5).to_string()} y={(y + 5).to_string()}>{ "✗" }</text> }
    } else {
        html! {}
    };
    html! {
        <g
            class={classes!("seq-arrow", format!("seq-{kind}"), unanswered.then_some("seq-failed"),
                is_open.then_some("seq-open"), current.then_some("dg-current"), (!shown).then_some("dg-later"),
                stop_shown.then_some("dg-stopped"))}
            data-testid="seq-arrow"
            data-kind={kind}
            data-direction={what}
            data-shown={shown.to_string()}
            data-stopped={stop_shown.to_string()}
            role="button"
            tabindex={if shown { "0" } else { "-1" }}
            aria-hidden={(!shown).then_some("true")}
            aria-expanded={is_open.to_string()}
            aria-label={format!("{kind} {what}: {label}. Show the exact message")}
            {onclick}
            {onkeydown}
        >
            <rect class="seq-hit" x={(PAGE_X).to_string()} y={(y - 20).to_string()}
                width={(server - PAGE_X).to_string()} height="28" rx="4" />
            <line class="seq-line" x1={from.to_string()} y1={y.to_string()} x2={to.to_string()} y2={y.to_string()} />
            <polygon class="seq-head" points={head} />
            <text class="seq-label" x={mid.to_string()} y={(y - 6).to_string()} text-anchor="middle">{ label }</text>
            { mark }
        </g>
    }
}
