//! The scenario being edited and the edits the editors make to it.
//!
//! Every edit produces a new [`Scenario`]; the app then runs
//! [`crate::engine::evaluate`] again. Which server rule answers a request is
//! read from the engine's trace (the rule index in each exchange), so the
//! editors show the rule the engine really used.

use std::rc::Rc;

use super::trace::Traces;
use crate::engine::{server::WireResponse, Exchange, ExchangeKind, RequestTrace, Stage, Trace};
use crate::scenario::{Browser, HeaderPair, Respond, RuleMatch, Scenario, ServerRule, FORMAT_V1};

/// The scenario and the engine's trace of it for each modelled browser.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluated {
    /// The scenario as edited.
    pub scenario: Rc<Scenario>,
    /// Its trace per browser, each evaluated on first use.
    pub traces: Rc<Traces>,
}

impl Evaluated {
    /// The scenario, ready to be evaluated for any browser.
    pub fn new(scenario: Scenario) -> Evaluated {
        let scenario = Rc::new(scenario);
        Evaluated {
            traces: Rc::new(Traces::new(Rc::clone(&scenario))),
            scenario,
        }
    }

    /// The trace for `browser` (the engine runs now if it has not yet).
    pub fn trace(&self, browser: Browser) -> &Trace {
        self.traces.get(browser)
    }
}

/// Which of a request's two server answers an editor shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The answer to the OPTIONS preflight.
    Preflight,
    /// The answer to the request itself.
    Actual,
}

impl Side {
    /// `preflight` or `actual`, as used in test ids.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Preflight => "preflight",
            Side::Actual => "actual",
        }
    }
}

/// One URL a request reached: its own first, then each redirect's target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    /// The URL asked.
    pub url: String,
    /// The method it was asked with (a 303 turns a POST into a GET).
    pub method: String,
    /// The `Origin` header it was sent with, if any: after a redirect to
    /// another origin, `null`.
    pub origin: Option<String>,
    /// Whether a preflight was sent to it.
    pub preflighted: bool,
    /// The server rule that answered its preflight, if one was sent and a rule answered.
    pub preflight_rule: Option<usize>,
    /// The server rule that answered the request itself, likewise.
    pub actual_rule: Option<usize>,
}

/// The URLs request `request` reached, in order: the request's own URL
/// (always, even when nothing was sent), then each redirect's target. Each
/// actual exchange of the trace ends a hop; a preflight belongs to the
/// exchange after it.
pub fn hops(scenario: &Scenario, trace: Option<&RequestTrace>, request: usize) -> Vec<Hop> {
    let Some(spec) = scenario.requests.get(request) else {
        return Vec::new();
    };
    let mut hops: Vec<Hop> = Vec::new();
    let mut preflight: Option<(&Exchange, Option<usize>)> = None;
    for exchange in trace.iter().flat_map(|t| t.exchanges.iter()) {
        let rule = match exchange.response {
            WireResponse::Http { rule, .. } => rule,
            WireResponse::NetworkError { rule } => Some(rule),
        };
        match exchange.kind {
            ExchangeKind::Preflight => preflight = Some((exchange, rule)),
            ExchangeKind::Actual => hops.push(Hop {
                url: exchange.request.url.clone(),
                method: exchange.request.method.clone(),
                origin: exchange.request.headers.get("Origin"),
                preflighted: preflight.is_some(),
                preflight_rule: preflight.take().and_then(|(_, rule)| rule),
                actual_rule: rule,
            }),
        }
    }
    // A preflight that failed ends the chain with no request after it.
    if let Some((exchange, rule)) = preflight {
        let headers = &exchange.request.headers;
        hops.push(Hop {
            url: exchange.request.url.clone(),
            method: headers
                .get("Access-Control-Request-Method")
                .unwrap_or_else(|| spec.method.clone()),
            origin: headers.get("Origin"),
            preflighted: true,
            preflight_rule: rule,
            actual_rule: None,
        });
    }
    if hops.is_empty() {
        hops.push(Hop {
            url: spec.url.clone(),
            method: spec.method.clone(),
            origin: None,
            preflighted: false,
            preflight_rule: None,
            actual_rule: None,
        });
    }
    // The first hop is the request as the script wrote it (the engine's
    // copy of the URL is normalised and without its fragment); rules are
    // matched and added with the script's URL, as the format states them.
    if let Some(first) = hops.first_mut() {
        first.url.clone_from(&spec.url);
        first.method.clone_from(&spec.method);
    }
    hops
}

/// The index of the server rule that answers `side` of request `request`:
/// the one the engine used when it has an exchange of that kind, otherwise
/// the first rule whose URL and method fit.
pub fn rule_for(
    scenario: &Scenario,
    trace: Option<&RequestTrace>,
    request: usize,
    side: Side,
) -> Option<usize> {
    rule_for_hop(scenario, trace, request, 0, side)
}

/// Like [`rule_for`], for hop `hop` of the request's redirect chain (see [`hops`]).
pub fn rule_for_hop(
    scenario: &Scenario,
    trace: Option<&RequestTrace>,
    request: usize,
    hop: usize,
    side: Side,
) -> Option<usize> {
    hops(scenario, trace, request)
        .get(hop)
        .and_then(|hop| hop.rule(scenario, side))
}

impl Hop {
    /// The rule that answers `side` of this hop: the one the engine used,
    /// otherwise the first rule whose URL and method fit.
    pub fn rule(&self, scenario: &Scenario, side: Side) -> Option<usize> {
        let used = match side {
            Side::Preflight => self.preflight_rule,
            Side::Actual => self.actual_rule,
        };
        used.or_else(|| matching_rule(scenario, &self.url, &self.method, side))
    }
}

/// The first rule whose URL is `url` and whose method fits `side` of a `method` request.
fn matching_rule(scenario: &Scenario, url: &str, method: &str, side: Side) -> Option<usize> {
    scenario.server.iter().position(|rule| {
        let method_fits = match (&rule.matcher.method, side) {
            (None, _) => true,
            (Some(rule_method), Side::Preflight) => rule_method == "OPTIONS",
            (Some(rule_method), Side::Actual) => rule_method.eq_ignore_ascii_case(method),
        };
        method_fits && rule.matcher.url == url
    })
}

/// One change to the scenario.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// The page's origin.
    Page(String),
    /// The page's Content-Security-Policy header value (blank: none).
    PageCsp(String),
    /// Replaces request `index`.
    Request(usize, crate::scenario::RequestSpec),
    /// Replaces the answer to `side` of request `request` at hop `hop` of
    /// its redirect chain (0: the request's own URL; see [`hops`]).
    Respond {
        /// The request whose answer it is.
        request: usize,
        /// Which URL of its redirect chain.
        hop: usize,
        /// Preflight or actual.
        side: Side,
        /// The new answer.
        respond: Respond,
    },
    /// Appends a copy of request `from`, made `delay_ms` after the last request.
    SendAgain {
        /// The request to copy.
        from: usize,
        /// How long after the last request.
        delay_ms: u64,
    },
    /// Removes request `index` (never the last one left).
    RemoveRequest(usize),
}

/// Applies `edit` to `scenario`; `trace` is the engine's current trace of it
/// (it says which server rule answers what).
pub fn apply(scenario: &Scenario, trace: &Trace, edit: Edit) -> Scenario {
    let mut next = scenario.clone();
    match edit {
        Edit::Page(page) => next.page = page,
        Edit::PageCsp(policy) => {
            next.page_csp = (!policy.trim().is_empty()).then_some(policy);
        }
        Edit::Request(index, spec) => {
            if let Some(slot) = next.requests.get_mut(index) {
                *slot = spec;
            }
        }
        Edit::Respond {
            request,
            hop,
            side,
            respond,
        } => {
            let index = editable_rule(&mut next, trace.requests.get(request), request, hop, side);
            if let Some(rule) = index.and_then(|i| next.server.get_mut(i)) {
                rule.respond = respond;
            }
        }
        Edit::SendAgain { from, delay_ms } => {
            if let Some(spec) = next.requests.get(from) {
                let mut copy = spec.clone();
                let last = trace.requests.last().map_or(0, |r| r.at_ms);
                copy.at_ms = Some(last.saturating_add(delay_ms));
                next.requests.push(copy);
            }
        }
        Edit::RemoveRequest(index) => {
            if next.requests.len() > 1 && index < next.requests.len() {
                next.requests.remove(index);
            }
        }
    }
    // The `expect` block described the scenario before the edit.
    if next != *scenario {
        next.expect = None;
        next.not_modelled.clear();
    }
    next
}

/// The rule an edit of `side` of hop `hop` changes, splitting a rule that
/// answers both the preflight and the request (so editing one leaves the
/// other as it was) and adding a rule when none answers.
fn editable_rule(
    scenario: &mut Scenario,
    trace: Option<&RequestTrace>,
    request: usize,
    hop: usize,
    side: Side,
) -> Option<usize> {
    let target = hops(scenario, trace, request).into_iter().nth(hop)?;
    let preflight = target.rule(scenario, Side::Preflight);
    let actual = target.rule(scenario, Side::Actual);
    let shared = preflight.is_some() && preflight == actual;
    match (
        side,
        if side == Side::Preflight {
            preflight
        } else {
            actual
        },
    ) {
        (_, Some(index)) if shared => {
            let mut copy = scenario.server.get(index)?.clone();
            copy.matcher.method = Some("OPTIONS".to_owned());
            scenario.server.insert(index, copy);
            Some(if side == Side::Preflight {
                index
            } else {
                index + 1
            })
        }
        (_, Some(index)) => Some(index),
        (Side::Preflight, None) => {
            scenario.server.insert(
                0,
                new_rule(Some("OPTIONS".to_owned()), target.url, 204, Vec::new()),
            );
            Some(0)
        }
        (Side::Actual, None) => {
            scenario
                .server
                .push(new_rule(Some(target.method), target.url, 200, Vec::new()));
            Some(scenario.server.len() - 1)
        }
    }
}

fn new_rule(
    method: Option<String>,
    url: String,
    status: u16,
    headers: Vec<HeaderPair>,
) -> ServerRule {
    ServerRule {
        matcher: RuleMatch { method, url },
        respond: Respond {
            status,
            headers,
            body: String::new(),
            network_error: false,
        },
    }
}

/// A scenario to start from when nothing else loads.
pub fn empty_scenario() -> Scenario {
    Scenario {
        format: FORMAT_V1.to_owned(),
        id: "my-scenario".to_owned(),
        title: None,
        lesson: None,
        level: None,
        tags: Vec::new(),
        browser: None,
        page: "https://app.example.com".to_owned(),
        server: Vec::new(),
        requests: Vec::new(),
        expect: None,
        source: None,
        not_modelled: Vec::new(),
        attacker_page: false,
        page_csp: None,
    }
}

/// The stages request `trace` went through, in order, each once.
pub fn stages_of(trace: &RequestTrace) -> Vec<Stage> {
    super::trace::stages_of(&trace.steps)
}

/// The stage shown when none is chosen: the one that failed, else the first.
pub fn default_stage(trace: &RequestTrace) -> Option<Stage> {
    trace
        .steps
        .iter()
        .find(|s| s.status == crate::engine::StepStatus::Fail)
        .or(trace.steps.first())
        .map(|s| s.stage)
}

/// The stage `delta` places after (or before) `current`, kept in range.
pub fn step_stage(trace: &RequestTrace, current: Option<Stage>, delta: isize) -> Option<Stage> {
    let stages = stages_of(trace);
    let current = current.or_else(|| default_stage(trace))?;
    let at = stages.iter().position(|s| *s == current).unwrap_or(0);
    let last = stages.len().saturating_sub(1);
    let next = at.saturating_add_signed(delta).min(last);
    stages.get(next).copied()
}
