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

use wasm_bindgen::JsCast;
use web_sys::{Element, KeyboardEvent};
use yew::prelude::*;

use super::stages::{current_stage, stage_label, stages_of};
use super::svg::{group, line, rect, text, Group};
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

/// The arrow an event happened in: (exchange index, is the response).
fn arrow_at(event: &Event) -> Option<(usize, bool)> {
    let target = event.target()?.dyn_into::<Element>().ok()?;
    let arrow = target.closest("[data-index]").ok()??;
    let index = arrow.get_attribute("data-index")?.parse().ok()?;
    Some((index, arrow.get_attribute("data-direction")? == "response"))
}

/// The diagram, with the opened message's text under it. Its arrows are
/// opened through one click and one key listener on its box (one pair of
/// callbacks instead of one per arrow: less code in the wasm).
#[function_component(Diagram)]
pub fn diagram(props: &DiagramProps) -> Html {
    let opened = use_state_eq(|| None::<(usize, bool)>);
    {
        let opened = opened.clone();
        use_effect_with(props.request.clone(), move |_| opened.set(None));
    }
    let toggle = {
        let opened = opened.clone();
        move |hit: (usize, bool)| opened.set((*opened != Some(hit)).then_some(hit))
    };
    let onclick = {
        let toggle = toggle.clone();
        Callback::from(move |event: MouseEvent| {
            if let Some(hit) = arrow_at(&event) {
                toggle(hit);
            }
        })
    };
    let onkeydown = Callback::from(move |event: KeyboardEvent| {
        if matches!(event.key().as_str(), "Enter" | " ") {
            if let Some(hit) = arrow_at(&event) {
                event.prevent_default();
                toggle(hit);
            }
        }
    });
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
            <p class="visually-hidden" data-testid="diagram-words" aria-live="polite">
                { words(&layout) }
            </p>
            <div class="diagram-picture" {onclick} {onkeydown}>
                { picture(&layout) }
            </div>
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

/// The whole picture.
fn picture(layout: &Layout<'_>) -> Html {
    let mut body = Vec::new();
    let mut y = 0;
    if let Some(origin) = &layout.request.origin {
        origin_band(&mut body, layout, origin, &mut y);
    }
    classification_band(&mut body, layout, &mut y);
    lane_heads(&mut body, layout, y);
    y += 36;
    let top = y;
    let mut rows = Vec::new();
    messages(&mut rows, layout, &mut y);
    let height = y + 8;
    lifelines(&mut body, layout, top - 10, height);
    body.extend(rows);
    html! {
        <svg class="diagram-svg" viewBox={format!("0 0 {} {height}", layout.width)}
             role="group" aria-label="Sequence diagram: the page, the browser and the server">
            { for body }
        </svg>
    }
}

/// A boxed word (an origin part, a method, a header name); `marked` is the
/// engine's deciding part. Returns the x after it.
fn chip(
    out: &mut Vec<Html>,
    (x, y): (i32, i32),
    value: &str,
    marked: bool,
    (testid, part): (&'static str, &'static str),
) -> i32 {
    let width = i32::try_from(value.chars().count()).unwrap_or(40) * CHAR + 8;
    let mut inner = Vec::new();
    rect(&mut inner, (x, y - 12, width, 17), "");
    text(&mut inner, (x + 4, y), "", value.to_owned());
    out.push(group(
        Group {
            class: if marked {
                "dg-chip dg-marked"
            } else {
                "dg-chip"
            }
            .to_owned(),
            testid,
            data: [
                ("data-part", part.to_owned()),
                ("data-marked", marked.to_string()),
                ("", String::new()),
            ],
        },
        inner,
    ));
    x + width + 4
}

/// The page's origin over the request's, scheme, host and port aligned, the
/// differing parts marked.
fn origin_band(out: &mut Vec<Html>, layout: &Layout<'_>, origin: &OriginComparison, y: &mut i32) {
    let top = *y;
    *y += 52;
    let mut inner = Vec::new();
    text(&mut inner, (4, top + 18), "dg-label", "Page".to_owned());
    text(&mut inner, (4, top + 42), "dg-label", "Request".to_owned());
    match origin.page_parts.as_ref().zip(origin.target_parts.as_ref()) {
        None => {
            text(&mut inner, (64, top + 18), "dg-mono", origin.page.clone());
            text(&mut inner, (64, top + 42), "dg-mono", origin.target.clone());
        }
        Some((page, target)) => {
            let host_width =
                i32::try_from(page.host.chars().count().max(target.host.chars().count()))
                    .unwrap_or(20)
                    * CHAR
                    + 12;
            let differs = |part: OriginPart| origin.differs.contains(&part);
            for (at, parts) in [(18, page), (42, target)] {
                let y = top + at;
                chip(
                    &mut inner,
                    (64, y),
                    &parts.scheme,
                    differs(OriginPart::Scheme),
                    ("dg-origin-part", "scheme"),
                );
                chip(
                    &mut inner,
                    (116, y),
                    &parts.host,
                    differs(OriginPart::Host),
                    ("dg-origin-part", "host"),
                );
                chip(
                    &mut inner,
                    (116 + host_width, y),
                    &parts.port.to_string(),
                    differs(OriginPart::Port),
                    ("dg-origin-part", "port"),
                );
            }
        }
    }
    out.push(group(
        Group {
            class: if layout.is_current(Stage::Origin) {
                "dg-band dg-focus"
            } else {
                "dg-band"
            }
            .to_owned(),
            testid: "dg-origin",
            data: [
                ("data-same", origin.differs.is_empty().to_string()),
                ("", String::new()),
                ("", String::new()),
            ],
        },
        inner,
    ));
}

/// The method and header names against the safelist, from the engine's
/// classification step; shown once the stepper reaches it.
fn classification_band(out: &mut Vec<Html>, layout: &Layout<'_>, y: &mut i32) {
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
        return;
    };
    let top = *y + 16;
    *y += 30;
    if !layout.reached(Stage::Classification) {
        return;
    }
    let mut inner = Vec::new();
    let mut x = chip(
        &mut inner,
        (4, top),
        method,
        !method_ok,
        ("dg-chip", "method"),
    );
    for name in names {
        if x > layout.width - 90 {
            break;
        }
        let marked = unsafe_headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case(name));
        x = chip(&mut inner, (x, top), name, marked, ("dg-chip", "header"));
    }
    let verdict = match (preflight, flag) {
        (true, true) => "→ preflight (flag)",
        (true, false) => "→ preflight",
        (false, _) => "→ simple",
    };
    text(&mut inner, (x + 2, top), "dg-label", verdict.to_owned());
    out.push(group(
        Group {
            class: if layout.is_current(Stage::Classification) {
                "dg-band dg-focus"
            } else {
                "dg-band"
            }
            .to_owned(),
            testid: "dg-classification",
            data: [
                ("data-preflight", preflight.to_string()),
                ("", String::new()),
                ("", String::new()),
            ],
        },
        inner,
    ));
}

/// The lanes' names: the page (its script), the browser's edge, each server
/// (its name ends at its lifeline).
fn lane_heads(out: &mut Vec<Html>, layout: &Layout<'_>, y: i32) {
    text(out, (PAGE_X - 26, y + 14), "dg-lane", "Page".to_owned());
    let browser = if layout.is_current(Stage::Cache) {
        "dg-lane dg-focus-text"
    } else {
        "dg-lane"
    };
    text(out, (EDGE_X - 30, y + 14), browser, "Browser".to_owned());
    text(
        out,
        (EDGE_X - 30, y + 27),
        "dg-host",
        "CORS check".to_owned(),
    );
    for (i, origin) in layout.servers.iter().enumerate() {
        let x = SERVER_X + LANE * i32::try_from(i).unwrap_or(0);
        let host = origin.split("://").nth(1).unwrap_or(origin).to_owned();
        text(out, (x, y + 14), "dg-lane dg-end", "Server".to_owned());
        text(out, (x, y + 27), "dg-host dg-end", host);
    }
}

/// The page's, the edge's and each server's lifelines.
fn lifelines(out: &mut Vec<Html>, layout: &Layout<'_>, top: i32, bottom: i32) {
    rect(out, (EDGE_X - 6, top, 12, bottom - top), "dg-edge");
    let count = i32::try_from(layout.servers.len().max(1)).unwrap_or(1);
    for x in std::iter::once(PAGE_X).chain((0..count).map(|i| SERVER_X + LANE * i)) {
        line(out, (x, top, x, bottom), "lifeline");
    }
}

/// A line with a head at `to`, and a label over its middle.
fn message(out: &mut Vec<Html>, (from, to, y): (i32, i32, i32), label: String, mid: i32) {
    let back = if to < from { 8 } else { -8 };
    line(out, (from, y, to, y), "seq-line");
    out.push(html! {
        <polygon class="seq-head" points={format!("{to},{y} {},{} {},{}", to + back, y - 4, to + back, y + 4)} />
    });
    text(out, (mid, y - 6), "seq-label dg-middle", label);
}

/// A stop mark at the browser's edge.
fn stop(out: &mut Vec<Html>, y: i32) {
    out.push(group(
        Group {
            class: "dg-mark dg-fail".to_owned(),
            testid: "dg-stop",
            ..Group::default()
        },
        vec![html! { <text x={(EDGE_X - 5).to_string()} y={(y + 5).to_string()}>{ "✗" }</text> }],
    ));
}

/// The messages: a cache hit's skipped preflight, each exchange's two
/// arrows (or a request stopped before it was sent), revealed up to the
/// current stage.
fn messages(out: &mut Vec<Html>, layout: &Layout<'_>, y: &mut i32) {
    let hit = layout
        .request
        .steps
        .iter()
        .any(|s| matches!(s.kind, StepKind::CacheHit { .. }));
    if hit {
        *y += ROW;
        if layout.reached(Stage::Cache) {
            let mut inner = Vec::new();
            message(
                &mut inner,
                (EDGE_X + 6, SERVER_X - 4, *y - 14),
                "OPTIONS skipped: cache hit".to_owned(),
                (EDGE_X + SERVER_X) / 2,
            );
            text(
                &mut inner,
                (EDGE_X - 4, *y - 10),
                "dg-mark dg-pass",
                "✓".to_owned(),
            );
            let current = if layout.is_current(Stage::Cache) {
                "dg-skipped dg-current"
            } else {
                "dg-skipped"
            };
            out.push(group(
                Group {
                    class: current.to_owned(),
                    testid: "dg-cache-hit",
                    ..Group::default()
                },
                inner,
            ));
        }
    }
    let count = layout.request.exchanges.len();
    for (index, exchange) in layout.request.exchanges.iter().enumerate() {
        let stage = layout.stage_of(index);
        let last = index + 1 == count;
        for response in [false, true] {
            *y += ROW;
            arrow(
                out,
                layout,
                &Arrow {
                    index,
                    response,
                    exchange,
                    stage,
                    last,
                    y: *y - 14,
                },
            );
        }
    }
    if count == 0 {
        *y += ROW;
        never_sent(out, layout, *y - 14);
    }
}

/// A request the browser stopped before sending (a thrown call, the page's
/// CSP, any failure before the wire): it ends at the edge.
fn never_sent(out: &mut Vec<Html>, layout: &Layout<'_>, y: i32) {
    let Some(stage) = layout.failing_stage().filter(|s| layout.reached(*s)) else {
        return;
    };
    let mut inner = Vec::new();
    line(&mut inner, (PAGE_X + 4, y, EDGE_X - 8, y), "seq-line");
    stop(&mut inner, y);
    text(
        &mut inner,
        (EDGE_X + 14, y + 4),
        "seq-label",
        format!("not sent: stopped at {}", stage_label(stage)),
    );
    out.push(group(
        Group {
            class: "seq-arrow dg-current dg-stopped".to_owned(),
            testid: "dg-never-sent",
            ..Group::default()
        },
        inner,
    ));
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
/// on to the page only when the script receives it). A keyboard-focusable
/// button (the diagram's listeners open its text).
fn arrow(out: &mut Vec<Html>, layout: &Layout<'_>, arrow: &Arrow<'_>) {
    let response = arrow.response;
    let shown = layout.reached(arrow.stage);
    let outcome = layout.request.result.outcome;
    let first_actual = arrow.exchange.kind == ExchangeKind::Actual && arrow.stage == Stage::Request;
    let unanswered = matches!(arrow.exchange.response, WireResponse::NetworkError { .. });
    // The failing response stops at the edge once the stepper reaches the
    // failing stage; a delivered one goes on to the page.
    let failed_here =
        arrow.last && response && matches!(outcome, Outcome::Blocked | Outcome::NetworkError);
    let stopped = failed_here && layout.failing_stage().is_some_and(|s| layout.reached(s));
    let delivered = arrow.last && response && matches!(outcome, Outcome::Allowed | Outcome::Opaque);
    let server = layout.server_x(&arrow.exchange.request.url);
    let (from, to) = match (response, unanswered) {
        (false, _) if first_actual => (PAGE_X + 4, server - 4),
        (false, _) => (EDGE_X + 6, server - 4),
        (true, true) => (server - 4, server - 40),
        (true, false) if delivered => (server - 4, PAGE_X + 4),
        (true, false) => (server - 4, EDGE_X + 8),
    };
    let kind = match arrow.exchange.kind {
        ExchangeKind::Preflight => "preflight",
        ExchangeKind::Actual => "request",
    };
    let what = if response { "response" } else { "request" };
    let current = layout.is_current(arrow.stage)
        || (stopped && layout.failing_stage().is_some_and(|s| layout.is_current(s)));
    let label = label(arrow);
    let mut class = format!("seq-arrow seq-{kind}");
    for (on, name) in [
        (unanswered, " seq-failed"),
        (current, " dg-current"),
        (!shown, " dg-later"),
        (stopped, " dg-stopped"),
    ] {
        if on {
            class.push_str(name);
        }
    }
    let y = arrow.y;
    let aria = format!("{kind} {what}: {label}. Show the exact message");
    let mut inner = Vec::new();
    rect(&mut inner, (PAGE_X, y - 20, server - PAGE_X, 28), "seq-hit");
    message(&mut inner, (from, to, y), label, (EDGE_X + server) / 2);
    if stopped {
        stop(&mut inner, y);
    }
    let mut tag = yew::virtual_dom::VTag::new("g");
    for (key, value) in [
        ("class", class),
        ("data-testid", "seq-arrow".to_owned()),
        ("data-index", arrow.index.to_string()),
        ("data-kind", kind.to_owned()),
        ("data-direction", what.to_owned()),
        ("data-shown", shown.to_string()),
        ("data-stopped", stopped.to_string()),
        ("role", "button".to_owned()),
        ("tabindex", if shown { "0" } else { "-1" }.to_owned()),
        ("aria-label", aria),
    ] {
        tag.add_attribute(key, value);
    }
    tag.add_children(inner);
    out.push(tag.into());
}
