//! One scenario in one page: its mock server, the harness page, and its
//! requests one after another, each turned into what the browser did.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use crate::engine::{csp_violations, parse_serialized_policy_list, should_request_be_blocked};
use crate::scenario::{Api, NetworkErrorKind, PreflightUse, RequestResult, RequestSpec, Scenario};

use super::driver::Tab;
use super::files::request_times;
use super::observe::{self, observe, CorsErrorStatus, Observation, ScriptReport};
use super::server::{MockServer, ReceivedRequest, ServerSetup};
use super::{
    certificate, failure_kinds, harness_page, PAGE_LIMIT, QUIET, QUIET_LIMIT, REQUEST_LIMIT,
};

/// Where the harness page is served, and whether it needs the CSP sandbox.
pub(super) fn page_origin(scenario: &Scenario) -> (String, bool) {
    if scenario.page.trim() == "null" {
        (harness_page::OPAQUE_PAGE_ORIGIN.to_owned(), true)
    } else {
        (scenario.page.trim_end_matches('/').to_owned(), false)
    }
}

/// Why the scenario's `page_csp` cannot be verified, if it cannot: the
/// harness runs as a script from the page's own origin
/// ([`harness_page::SCRIPT_PATH`]), so the policy must let the page load
/// it (`'self'` in `script-src`, or in `default-src` without `script-src`,
/// or neither set). Verify adds nothing to the scenario's policy.
pub(super) fn page_csp_problem(scenario: &Scenario, origin: &str) -> Option<String> {
    let policy = scenario.page_csp.as_deref()?;
    if scenario.page.trim() == "null" {
        return Some(
            "`page_csp` on a \"null\" page is not verified (the page is sandboxed, and 'self' is not modelled there)"
                .to_owned(),
        );
    }
    let script = url::Url::parse(&format!("{origin}{}", harness_page::SCRIPT_PATH)).ok()?;
    let page = crate::engine::Origin::of_url(&script);
    let policies = parse_serialized_policy_list(policy);
    let checks = should_request_be_blocked(&policies, Api::Script, &script, &page);
    csp_violations(&checks).first().map(|v| {
        format!(
            "`page_csp` blocks verify's own harness script ({script}) with `{} {}`: the harness is a script from the page's origin, so the policy must allow 'self' for scripts (script-src, or default-src without script-src); the engine still evaluates this file",
            v.directive, v.value
        )
    })
}

/// Every URL the server may be asked for: the page, requests, rules, redirect targets.
pub(super) fn scenario_urls(scenario: &Scenario, page_url: &str) -> Vec<url::Url> {
    let mut urls = Vec::new();
    let mut push = |text: &str, base: Option<&url::Url>| {
        let parsed = match base {
            Some(base) => base.join(text),
            None => url::Url::parse(text),
        };
        if let Ok(url) = parsed {
            if matches!(url.scheme(), "http" | "https" | "ws" | "wss") {
                urls.push(url);
            }
        }
    };
    push(page_url, None);
    for request in &scenario.requests {
        push(&request.url, None);
    }
    for rule in &scenario.server {
        push(&rule.matcher.url, None);
        let base = url::Url::parse(&rule.matcher.url).ok();
        for (name, value) in &rule.respond.headers {
            if name.eq_ignore_ascii_case("location") {
                push(value, base.as_ref());
            }
        }
    }
    urls
}

/// What one run of a scenario in the browser gave.
pub(super) struct ScenarioRun {
    /// What the browser did, per request.
    pub(super) observed: Vec<RequestResult>,
    /// Chromium's own CORS classification, per request.
    pub(super) cors_errors: Vec<Option<CorsErrorStatus>>,
    /// Per request, when (ms after the first started) its preflight reached
    /// the server, or else when it started: when its cache entry was made or used.
    pub(super) timeline: Vec<u64>,
    /// Console lines that arrived while no request was in flight (the page
    /// loading, a wait for `at_ms`, after the last request): reported, not dropped.
    pub(super) unattributed: Vec<String>,
    /// What the server received, per request (compared with the trace's wire view).
    pub(super) received: Vec<Vec<super::server::ReceivedRequest>>,
}

/// Runs `scenario` in `page` against a fresh mock server on `ip`.
pub(super) async fn run_scenario<T: Tab>(
    page: &T,
    ip: Ipv4Addr,
    scenario: &Scenario,
    engine: &[RequestResult],
) -> Result<ScenarioRun, String> {
    let (origin, sandbox_page) = page_origin(scenario);
    let page_url = format!("{origin}{}", harness_page::PAGE_PATH);
    if let Some(problem) = page_csp_problem(scenario, &origin) {
        return Err(problem);
    }
    let urls = scenario_urls(scenario, &page_url);
    let hosts: BTreeSet<String> = urls
        .iter()
        .filter_map(|u| u.host_str().map(str::to_owned))
        .collect();
    // Nothing listens on a `refused` rule's port (`failure_kinds`).
    let refused = failure_kinds::refused_ports(scenario);
    let ports: BTreeSet<u16> = urls
        .iter()
        .filter_map(url::Url::port_or_known_default)
        .filter(|port| !refused.contains(port))
        .collect();
    let untrusted = failure_kinds::hosts_failing(scenario, NetworkErrorKind::Tls);
    let tls = certificate::tls_config(&hosts.into_iter().collect::<Vec<_>>(), &untrusted)?;
    let setup = ServerSetup {
        rules: scenario.server.clone(),
        page_url: page_url.clone(),
        page_html: harness_page::html(
            scenario.page_csp.is_some(),
            page.commands().map(|c| c.token()),
        ),
        sandbox_page,
        page_csp: scenario.page_csp.clone(),
        page_coep: scenario.page_coep.map(|policy| policy.as_str().to_owned()),
        ports: ports.into_iter().collect(),
        commands: page.commands(),
    };
    let server = MockServer::start(setup, tls, ip).await?;
    let result = run_requests(page, &server, scenario, engine, &page_url).await;
    server.stop().await;
    result
}

/// Logs a settle marker and waits for it: every console line the renderer
/// sent before it has then arrived.
pub(super) async fn sync_console<T: Tab>(page: &T, label: &str) {
    let marker = harness_page::marker_expression(label);
    if page.evaluate(marker, QUIET_LIMIT).await.is_ok() {
        let text = harness_page::marker_text(label);
        page.log().wait_for_console(&text, QUIET_LIMIT).await;
    }
}

pub(super) fn debug_line(what: &str) {
    if std::env::var_os("CORS_LAB_VERIFY_DEBUG").is_some() {
        eprintln!("[verify debug] {what}");
    }
}

pub(super) fn debug_time(what: &str, since: Instant) {
    debug_line(&format!("{what} at {} ms", since.elapsed().as_millis()));
}

pub(super) async fn run_requests<T: Tab>(
    page: &T,
    server: &MockServer,
    scenario: &Scenario,
    engine: &[RequestResult],
    page_url: &str,
) -> Result<ScenarioRun, String> {
    let loop_start = Instant::now();
    page.goto(page_url, PAGE_LIMIT)
        .await
        .map_err(|e| format!("the harness page: {e}"))?;
    debug_time("harness page loaded", loop_start);
    let ready = page
        .evaluate(
            "typeof window.__corsLab".to_owned(),
            Duration::from_secs(10),
        )
        .await?;
    if ready != "object" {
        return Err(format!(
            "the harness script did not start on {page_url} (got {ready})"
        ));
    }
    debug_time("harness script ready", loop_start);
    sync_console(page, "ready").await;
    debug_time("harness page ready", loop_start);

    let times = request_times(&scenario.requests);
    let start = Instant::now();
    let mut observed: Vec<RequestResult> = Vec::new();
    let mut cors_errors = Vec::new();
    let mut timeline = Vec::new();
    let mut unattributed = Vec::new();
    let mut all_received = Vec::new();
    // Every event before this position belongs to a request or is in `unattributed`.
    let mut accounted = 0;
    for (index, spec) in scenario.requests.iter().enumerate() {
        let at = Duration::from_millis(times.get(index).copied().unwrap_or(0));
        if let Some(wait) = at.checked_sub(start.elapsed()) {
            tokio::time::sleep(wait).await;
        }
        let spec_json = serde_json::to_string(spec)
            .map_err(|e| format!("cannot encode request {index}: {e}"))?;
        server.set_current(Some(index));
        let from = page.log().len();
        let between = page.log().since(accounted);
        unattributed.extend(observe::console_lines(
            between
                .get(..from.saturating_sub(accounted))
                .unwrap_or_default(),
        ));
        let started = Instant::now();
        let answer = page
            .evaluate(harness_page::run_expression(&spec_json), REQUEST_LIMIT)
            .await;
        if answer.is_ok() {
            sync_console(page, &index.to_string()).await;
        }
        page.log().wait_quiet(QUIET, QUIET_LIMIT).await;
        server.set_current(None);
        let answer = answer.map_err(|e| format!("request {index}: {e}"))?;
        let script: ScriptReport = serde_json::from_str(&answer)
            .map_err(|e| format!("request {index}: bad harness answer {answer:?}: {e}"))?;
        if let Some(error) = &script.harness_error {
            return Err(format!("request {index}: the harness failed: {error}"));
        }
        let events = page.log().since(from);
        accounted = from + events.len();
        let received = server.received_during(index);
        let moment = received
            .iter()
            .find(|r| r.is_preflight())
            .map_or(started, |r| r.at);
        timeline.push(
            u64::try_from(moment.saturating_duration_since(start).as_millis()).unwrap_or(u64::MAX),
        );
        if std::env::var_os("CORS_LAB_VERIFY_DEBUG").is_some() {
            eprintln!(
                "[verify debug] {} request {index}: script {answer}",
                scenario.id
            );
            for event in &events {
                eprintln!(
                    "[verify debug]   event {:?} {:?}",
                    event.timestamp, event.seen
                );
            }
            for request in &received {
                eprintln!(
                    "[verify debug]   server {} {} {:?}",
                    request.method, request.url, request.headers
                );
            }
        }
        let engine_says_preflight = engine
            .get(index)
            .is_some_and(|r| matches!(r.preflight, PreflightUse::Sent | PreflightUse::Cached));
        // No preflight reached the server: the cache answered if an identical
        // earlier request needed one, or if the engine says this request needs
        // one and an earlier preflight to its URL reached the server (so a
        // cache entry can exist), whichever request sent it, after a redirect
        // too (Firefox answered such a request from its cache, and verify
        // once recorded `none`: tests/wpt/wpt-preflight-cache-tainted-origin.json).
        let cache_answered = identical_earlier_was_preflighted(scenario, &observed, index)
            || (engine_says_preflight && earlier_preflight_to_url(&all_received, &spec.url));
        let observation = Observation {
            spec,
            page: &scenario.page,
            script,
            events,
            received: received.clone(),
            cache_answered,
        };
        all_received.push(received);
        cors_errors.push(observe::cors_error(&observation.events));
        observed.push(observe(&observation));
    }
    page.log().wait_quiet(QUIET, QUIET_LIMIT).await;
    unattributed.extend(observe::console_lines(&page.log().since(accounted)));
    Ok(ScenarioRun {
        observed,
        cors_errors,
        timeline,
        unattributed,
        received: all_received,
    })
}

/// Whether a preflight to `url` reached the server during an earlier request
/// (`received`: what the server received, per earlier request).
pub(super) fn earlier_preflight_to_url(received: &[Vec<ReceivedRequest>], url: &str) -> bool {
    let Ok(url) = url::Url::parse(url) else {
        return false;
    };
    received
        .iter()
        .flatten()
        .any(|r| r.is_preflight() && url::Url::parse(&r.url).is_ok_and(|sent| sent == url))
}

/// Whether an earlier request identical to request `index` needed a preflight:
/// if this one sends none, the preflight cache answered it.
pub(super) fn identical_earlier_was_preflighted(
    scenario: &Scenario,
    observed: &[RequestResult],
    index: usize,
) -> bool {
    let Some(this) = scenario.requests.get(index) else {
        return false;
    };
    let key = |r: &RequestSpec| {
        (
            r.url.clone(),
            r.method.clone(),
            r.headers.clone(),
            r.credentials,
            r.mode,
        )
    };
    scenario
        .requests
        .iter()
        .take(index)
        .zip(observed)
        .any(|(earlier, result)| {
            key(earlier) == key(this)
                && matches!(result.preflight, PreflightUse::Sent | PreflightUse::Cached)
        })
}
