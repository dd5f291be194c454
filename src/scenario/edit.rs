//! Editing a scenario's server: find the rule that answered each URL a
//! request reached, split a rule shared by a preflight and its request, add
//! a rule, and cut a scenario down to the requests that matter. The fix
//! planner (`engine::fixes`) and the app's editors both edit through here.
//!
//! Which rule answers is the engine's decision: the rule the trace records,
//! or else the one [`crate::engine::answering_rule`] (the mock
//! server's own matching) picks.

use super::{Respond, RuleMatch, Scenario, ServerRule};
use crate::engine::normalize_method;
use crate::engine::{answering_rule, WireResponse};
use crate::engine::{Exchange, ExchangeKind, RequestTrace};

/// Which of a request's two server answers.
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

impl Hop {
    /// The rule that answers `side` of this hop: the one the engine used,
    /// otherwise the one the mock server would pick.
    pub fn rule(&self, scenario: &Scenario, side: Side) -> Option<usize> {
        let used = match side {
            Side::Preflight => self.preflight_rule,
            Side::Actual => self.actual_rule,
        };
        used.or_else(|| {
            let method = match side {
                Side::Preflight => "OPTIONS".to_owned(),
                Side::Actual => normalize_method(&self.method),
            };
            answering_rule(&scenario.server, &method, &self.url)
        })
    }
}

/// The rule index an exchange's answer came from.
fn answered_by(exchange: &Exchange) -> Option<usize> {
    match exchange.response {
        WireResponse::Http { rule, .. } => rule,
        WireResponse::NetworkError { rule, .. } => Some(rule),
    }
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
    let mut preflight: Option<&Exchange> = None;
    for exchange in trace.iter().flat_map(|t| t.exchanges.iter()) {
        match exchange.kind {
            ExchangeKind::Preflight => preflight = Some(exchange),
            ExchangeKind::Actual => hops.push(Hop {
                url: exchange.request.url.clone(),
                method: exchange.request.method.clone(),
                origin: exchange.request.headers.get("Origin"),
                preflighted: preflight.is_some(),
                preflight_rule: preflight.take().and_then(answered_by),
                actual_rule: answered_by(exchange),
            }),
        }
    }
    // A preflight that failed ends the chain with no request after it.
    if let Some(exchange) = preflight {
        let headers = &exchange.request.headers;
        hops.push(Hop {
            url: exchange.request.url.clone(),
            method: headers
                .get("Access-Control-Request-Method")
                .unwrap_or_else(|| spec.method.clone()),
            origin: headers.get("Origin"),
            preflighted: true,
            preflight_rule: answered_by(exchange),
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

/// The index of the server rule that answers `side` of request `request`
/// (its own URL; see [`rule_for_hop`] for a redirect's).
pub fn rule_for(
    scenario: &Scenario,
    trace: Option<&RequestTrace>,
    request: usize,
    side: Side,
) -> Option<usize> {
    rule_for_hop(scenario, trace, request, 0, side)
}

/// The rule that answers `side` of hop `hop` of the request's redirect chain (see [`hops`]).
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

/// Splits rule `index`, which answers every method, in two: an `OPTIONS`
/// copy at `index` for the preflight, then the original at `index + 1` for
/// the request, so that changing one answer leaves the other as it was.
/// Returns `(preflight, actual)`; `None` when there is no such rule.
pub fn split_shared_rule(scenario: &mut Scenario, index: usize) -> Option<(usize, usize)> {
    let mut copy = scenario.server.get(index)?.clone();
    copy.matcher.method = Some("OPTIONS".to_owned());
    scenario.server.insert(index, copy);
    Some((index, index + 1))
}

/// Where [`add_rule`] puts a rule: first, so it wins over every rule that
/// matches the same request, or last, so it answers only what none does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Before every other rule.
    First,
    /// After every other rule.
    Last,
}

/// Adds a rule answering `method` (any method when `None`) at `url` with
/// `status`, no headers and no body; returns its index.
pub fn add_rule(
    scenario: &mut Scenario,
    place: Place,
    method: Option<String>,
    url: String,
    status: u16,
) -> usize {
    let rule = ServerRule {
        matcher: RuleMatch { method, url },
        respond: Respond {
            status,
            headers: Vec::new(),
            body: String::new(),
            network_error: None,
        },
        framework: None,
    };
    match place {
        Place::First => {
            scenario.server.insert(0, rule);
            0
        }
        Place::Last => {
            scenario.server.push(rule);
            scenario.server.len() - 1
        }
    }
}

/// The rule an edit of `side` of hop `hop` changes, splitting a rule that
/// answers both the preflight and the request (so editing one leaves the
/// other as it was) and adding a rule when none answers: an `OPTIONS` 204
/// first for a preflight, a 200 for the hop's method last otherwise.
pub fn editable_rule(
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
    let rule = match side {
        Side::Preflight => preflight,
        Side::Actual => actual,
    };
    match (side, rule) {
        (_, Some(index)) if shared => {
            let (preflight, actual) = split_shared_rule(scenario, index)?;
            Some(if side == Side::Preflight {
                preflight
            } else {
                actual
            })
        }
        (_, Some(index)) => Some(index),
        (Side::Preflight, None) => Some(add_rule(
            scenario,
            Place::First,
            Some("OPTIONS".to_owned()),
            target.url,
            204,
        )),
        (Side::Actual, None) => Some(add_rule(
            scenario,
            Place::Last,
            Some(target.method),
            target.url,
            200,
        )),
    }
}

/// The scenario cut after request `last` (later requests cannot change an
/// earlier one), with nothing of the file around it: no `expect`, lesson,
/// title, tags, source or `not_modelled`. The page, its policy, the browser
/// and the server stay.
pub fn truncate(scenario: &Scenario, last: usize) -> Scenario {
    Scenario {
        requests: scenario.requests.iter().take(last + 1).cloned().collect(),
        expect: None,
        lesson: None,
        title: None,
        tags: Vec::new(),
        source: None,
        not_modelled: Vec::new(),
        attacker_page: scenario.attacker_page,
        page_csp: scenario.page_csp.clone(),
        address_spaces: scenario.address_spaces.clone(),
        lna_permissions: scenario.lna_permissions.clone(),
        page_coep: scenario.page_coep,
        format: String::new(),
        id: String::new(),
        level: None,
        browser: scenario.browser,
        page: scenario.page.clone(),
        server: scenario.server.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::evaluate;
    use crate::scenario::parse_scenario;

    /// A scenario from its server rules and requests (JSON arrays).
    fn scenario(server: &str, requests: &str) -> Scenario {
        let text = format!(
            r#"{{"format":"cors-scenario/1","id":"t","page":"https://app.example","server":{server},"requests":{requests}}}"#
        );
        parse_scenario(&text).unwrap_or_else(|e| panic!("{e:?}"))
    }

    /// The rule the engine used for each exchange of request 0, in order.
    fn rules_used(scenario: &Scenario) -> Vec<Option<usize>> {
        let trace = evaluate(scenario, None);
        trace.requests[0]
            .exchanges
            .iter()
            .map(answered_by)
            .collect()
    }

    const SHARED: &str = r#"[{"match":{"url":"https://api.example/x"},"respond":{"status":200,"headers":[["Access-Control-Allow-Origin","*"],["Access-Control-Allow-Methods","PUT"]]}}]"#;
    const PUT: &str = r#"[{"method":"PUT","url":"https://api.example/x"}]"#;

    #[test]
    fn splitting_a_shared_rule_puts_an_options_copy_first() {
        let mut s = scenario(SHARED, PUT);
        assert_eq!(rules_used(&s), vec![Some(0), Some(0)]);
        assert_eq!(split_shared_rule(&mut s, 0), Some((0, 1)));
        assert_eq!(s.server.len(), 2);
        assert_eq!(s.server[0].matcher.method.as_deref(), Some("OPTIONS"));
        assert_eq!(s.server[1].matcher.method, None);
        assert_eq!(s.server[0].respond, s.server[1].respond);
        // The engine now answers the preflight from the copy and the request from the original.
        assert_eq!(rules_used(&s), vec![Some(0), Some(1)]);
        assert_eq!(split_shared_rule(&mut s, 5), None);
        assert_eq!(s.server.len(), 2);
    }

    #[test]
    fn editing_one_side_of_a_shared_rule_leaves_the_other() {
        for (side, edited, other) in [(Side::Preflight, 0, 1), (Side::Actual, 1, 0)] {
            let mut s = scenario(SHARED, PUT);
            let trace = evaluate(&s, None);
            let index = editable_rule(&mut s, trace.requests.first(), 0, 0, side);
            assert_eq!(index, Some(edited), "{side:?}");
            s.server[edited]
                .respond
                .headers
                .push(("X-Edited".into(), "1".into()));
            assert_eq!(s.server[other].respond.headers.len(), 2, "{side:?}");
            assert_eq!(rules_used(&s), vec![Some(0), Some(1)], "{side:?}");
        }
    }

    #[test]
    fn a_missing_rule_is_added_where_it_answers() {
        let mut s = scenario("[]", PUT);
        let trace = evaluate(&s, None);
        // Nothing answered (the default 404): a preflight rule goes first…
        assert_eq!(
            editable_rule(&mut s, trace.requests.first(), 0, 0, Side::Preflight),
            Some(0)
        );
        assert_eq!(s.server[0].matcher.method.as_deref(), Some("OPTIONS"));
        assert_eq!(s.server[0].respond.status, 204);
        // …and a rule for the request itself last.
        assert_eq!(
            add_rule(
                &mut s,
                Place::Last,
                Some("PUT".into()),
                "https://api.example/x".into(),
                200
            ),
            1
        );
        assert_eq!(
            add_rule(
                &mut s,
                Place::First,
                None,
                "https://api.example/y".into(),
                404
            ),
            0
        );
        assert_eq!(s.server[0].matcher.url, "https://api.example/y");
        assert_eq!(s.server[2].matcher.method.as_deref(), Some("PUT"));
    }

    #[test]
    fn a_hop_without_an_exchange_gets_the_mock_servers_own_match() {
        // The script's URL has no path; the rule's has `/` and a fragment:
        // the mock server treats them as the same URL, and so does the editor.
        let s = scenario(
            r#"[{"match":{"method":"POST","url":"https://api.example/#a"},"respond":{}},{"match":{"method":"OPTIONS","url":"https://api.example"},"respond":{}},{"match":{"url":"https://api.example"},"respond":{}}]"#,
            r#"[{"method":"post","url":"https://api.example"}]"#,
        );
        let hop = hops(&s, None, 0).remove(0);
        assert_eq!(hop.url, "https://api.example");
        assert_eq!(hop.rule(&s, Side::Actual), Some(0));
        assert_eq!(hop.rule(&s, Side::Preflight), Some(1));
        assert_eq!(rule_for(&s, None, 0, Side::Actual), Some(0));
        assert_eq!(rule_for(&s, None, 1, Side::Actual), None);
    }

    #[test]
    fn each_redirect_target_is_a_hop_answered_by_its_own_rule() {
        let s = scenario(
            r#"[{"match":{"url":"https://api.example/old"},"respond":{"status":302,"headers":[["Location","https://api.example/new"],["Access-Control-Allow-Origin","*"]]}},{"match":{"url":"https://api.example/new"},"respond":{"headers":[["Access-Control-Allow-Origin","*"]]}}]"#,
            r#"[{"url":"https://api.example/old"}]"#,
        );
        let trace = evaluate(&s, None);
        let chain = hops(&s, trace.requests.first(), 0);
        let urls: Vec<&str> = chain.iter().map(|h| h.url.as_str()).collect();
        assert_eq!(urls, ["https://api.example/old", "https://api.example/new"]);
        assert_eq!(chain[0].actual_rule, Some(0));
        assert_eq!(chain[1].actual_rule, Some(1));
        assert!(!chain[1].preflighted);
        assert_eq!(
            rule_for_hop(&s, trace.requests.first(), 0, 1, Side::Actual),
            Some(1)
        );
        assert_eq!(
            rule_for_hop(&s, trace.requests.first(), 0, 2, Side::Actual),
            None
        );
    }

    #[test]
    fn truncating_keeps_the_requests_up_to_the_last_and_drops_the_file_around_them() {
        let mut s = scenario(
            SHARED,
            r#"[{"url":"https://api.example/x"},{"method":"PUT","url":"https://api.example/x"},{"url":"https://api.example/z"}]"#,
        );
        s.title = Some("A lesson".into());
        s.tags = vec!["redirects".into()];
        s.page_csp = Some("connect-src *".into());
        let cut = truncate(&s, 1);
        assert_eq!(cut.requests, s.requests[..2].to_vec());
        assert_eq!((cut.title, cut.tags.len()), (None, 0));
        assert_eq!(cut.page_csp, s.page_csp);
        assert_eq!((cut.page, cut.server), (s.page.clone(), s.server.clone()));
        assert_eq!(truncate(&s, 9).requests.len(), 3);
    }
}
