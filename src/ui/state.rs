//! The scenario being edited and the edits the editors make to it.
//!
//! Every edit produces a new [`Scenario`]; the app then runs
//! [`crate::engine::evaluate`] again. Which server rule answers a request,
//! and how a shared rule is split, is [`crate::scenario::edit`]'s: the rule
//! the engine's trace records, so the editors show the rule the engine
//! really used.

use std::rc::Rc;

use super::trace::Traces;
use crate::engine::{RequestTrace, Stage, Trace};
use crate::scenario::edit::editable_rule;
pub use crate::scenario::edit::{hops, rule_for, rule_for_hop, Hop, Side};
use crate::scenario::{Browser, Respond, Scenario, FORMAT_V1};

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
    /// The server at request `request`'s URL becomes a framework as
    /// configured (a first rule for that URL, every method), or, with
    /// `None`, stops being one (its framework rules go).
    Framework {
        /// The request whose URL it is.
        request: usize,
        /// The framework and its configuration.
        framework: Option<crate::scenario::FrameworkRule>,
    },
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
        Edit::Framework { request, framework } => {
            if let Some(url) = next.requests.get(request).map(|r| r.url.clone()) {
                let body = next
                    .server
                    .iter()
                    .find(|r| r.framework.is_some() && r.matcher.url == url)
                    .map(|r| r.respond.body.clone())
                    .unwrap_or_default();
                next.server
                    .retain(|r| !(r.framework.is_some() && r.matcher.url == url));
                if let Some(framework) = framework {
                    next.server.insert(
                        0,
                        crate::scenario::ServerRule {
                            matcher: crate::scenario::RuleMatch { method: None, url },
                            respond: Respond {
                                body,
                                ..Respond::default()
                            },
                            framework: Some(framework),
                        },
                    );
                }
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
        address_spaces: Default::default(),
        lna_permissions: Default::default(),
        page_coep: None,
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
