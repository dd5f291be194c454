//! The pure CORS engine: a scenario in, a trace out.
//!
//! # Contract
//!
//! **Input.** A [`Scenario`] (the page, its CSP, the mock server's rules,
//! the requests in order) and an optional [`Browser`]: [`evaluate`] models
//! that browser, else the scenario's own `browser`, else Chrome. The
//! scenario's `expect` blocks are never read.
//!
//! **Output.** A [`Trace`]: the browser and its [`Profile`], and either a
//! `scenario_error` (the page is not an origin; then no request ran) or one
//! [`RequestTrace`] per request, in the scenario's order. Each holds:
//! - `result`: the outcome, preflight use, readable headers, the console
//!   lines and the script's error, in the shape the real-browser check
//!   compares;
//! - `steps`: typed [`Step`]s in the order the algorithms ran them, with
//!   exactly one [`StepKind::Verdict`], last;
//! - `exchanges`: each request and response as on the wire, preflights
//!   included, in the order they were sent;
//! - `failure`: the typed [`Failure`] that decided a failed request;
//! - `fixes`: every [`Fix`] the request needs, in the order they apply;
//! - `cache_after`: the preflight cache once the request finished.
//!
//! **Determinism.** The same scenario and browser give the same trace, byte
//! for byte: no clock (time is each request's `at_ms`, carried forward when
//! absent), no randomness, no I/O, no web crate, no global state.
//! `tests/properties.rs` checks it on generated scenarios
//! (`the_engine_is_deterministic_and_total`).
//!
//! **Text.** The engine records data, never sentences: a step is worded
//! only by [`narrate`](mod@narrate), a failure's console lines only by [`messages`], a
//! fix only by [`fixes::text`], and each only when a caller asks.
//!
//! **Cost.** Evaluating runs each request once. Planning a failed request's
//! fixes re-runs the scenario up to that request once per repair tried, as a
//! lean run (no console line, no cache snapshot), and tries at most 12
//! repairs (`fixes::plan::MAX_REPAIRS`): a scenario of `n` requests costs at
//! most `n + 12 * n * (n + 1) / 2` request evaluations.
//!
//! The spec algorithms live in their own modules, named after the Fetch
//! Standard; browser deviations are data in `browser`. The module graph has
//! no cycle (`tests/layout.rs` checks it): `fix` (the fix types) is a leaf the trace
//! holds, and the fix planner sits above the trace it reads.

// The spec algorithms and the engine's working types: internal. What
// callers need of them is re-exported below.
mod browser;
mod cache;
mod cause;
mod cors_check;
mod csp;
mod failure;
mod fetch;
mod fix;
pub mod fixes;
mod headers;
pub mod local_network;
pub mod messages;
mod method;
pub mod narrate;
mod origin;
mod outcome;
mod preflight;
mod request;
pub mod resource_policy;
mod response;
mod safelist;
mod server;
mod step;
mod trace;
mod xhr_document;

pub use browser::{profile, MaxAgeReason, Profile};
pub use cache::{CacheEntry, CacheMiss, PreflightCache};
pub use cause::{Cause, FailedResponse};
pub use cors_check::cors_check;
pub use csp::{
    parse_serialized_policy_list, should_request_be_blocked, violations as csp_violations,
    CspViolation, Policy, PolicyCheck,
};
pub use failure::{CorsError, Failure, Phase};
pub use fix::{Advice, AllowOrigin, CorsHeader, Fix, FixAction, FixStage, MediaType, Problem};
pub use fixes::plan::{advice_for, server_fix};
pub use headers::HeaderList;
pub use method::normalize_method;
pub use narrate::{describe_unsafe, narrate, StepText};
pub use origin::{Origin, OriginComparison, OriginPart};
pub use preflight::{check_preflight_response, PreflightAsk};
pub use request::BuildNote;
pub use safelist::{check_cors_safelisted_request_header, UnsafeHeader, UnsafeReason};
pub use server::{answering_rule, FrameworkServers, NoFrameworks, WireRequest, WireResponse};
pub use step::*;
pub use trace::*;

use url::Url;

use self::fetch::{fetch, FetchContext, Fetched};
use self::local_network::{address_space_of, is_potentially_trustworthy, PageNetwork};
use self::messages::{build_console, render, success_console, MessageContext};
use self::origin::compare_origins;
use self::outcome::{decide_outcome, Delivered};
use self::request::build_request;
use self::request::Built;
use self::server::MockServer;
use crate::scenario::{
    Api, Browser, EmbedderPolicy, Outcome, PreflightUse, RequestResult, RequestSpec, Scenario,
};

/// Evaluates every request of `scenario` in order, as `browser` would (the
/// scenario's own `browser`, or Chrome, when `None`). The `expect` blocks
/// are never read. A rule written as a framework's configuration answers
/// with its `respond` here; [`evaluate_with`] takes what models it.
pub fn evaluate(scenario: &Scenario, browser: Option<Browser>) -> Trace {
    evaluate_with(scenario, browser, &NoFrameworks)
}

/// [`evaluate`], with `frameworks` answering every server rule written as
/// a framework's configuration (`crate::frameworks::Models` does).
pub fn evaluate_with(
    scenario: &Scenario,
    browser: Option<Browser>,
    frameworks: &dyn FrameworkServers,
) -> Trace {
    let browser = browser.or(scenario.browser).unwrap_or_default();
    let profile = profile(browser);
    let page = match Page::parse(scenario) {
        Ok(page) => page,
        Err(error) => {
            return Trace {
                browser,
                profile,
                scenario_error: Some(error),
                requests: Vec::new(),
                page_console: Vec::new(),
            }
        }
    };
    let server = MockServer::new(&scenario.server, frameworks);
    let prepared: Vec<Prepared> = scenario
        .requests
        .iter()
        .map(|spec| prepare(spec, &page, &profile))
        .collect();
    let requests = run_requests(&page, &server, &prepared, scenario, &profile, false);
    let known_urls = server.normalised_urls();
    let requests = requests
        .into_iter()
        .enumerate()
        .map(|(index, mut trace)| {
            let rerun = |changed: &Scenario| {
                let server = MockServer::reusing(&changed.server, &known_urls, frameworks);
                run_requests(&page, &server, &prepared, changed, &profile, true)
                    .into_iter()
                    .nth(index)
            };
            trace.fixes = fixes::plan_fixes(scenario, index, &trace, &rerun);
            trace
        })
        .collect();
    Trace {
        browser,
        profile,
        scenario_error: None,
        requests,
        page_console: messages::page_csp_warnings(&page.csp, browser),
    }
}

/// The page every request of a scenario starts from, parsed once per
/// evaluation (the fix planner's re-runs share it).
struct Page {
    url: Option<Url>,
    origin: Origin,
    /// The origin's serialization, as the `Origin` header and console lines carry it.
    serialized: String,
    csp: Vec<csp::Policy>,
    /// Its address space, secure context and LNA permissions (issue 13 family 4).
    network: PageNetwork,
    /// Its embedder policy (issue 13 family 5).
    coep: EmbedderPolicy,
}

impl Page {
    fn parse(scenario: &Scenario) -> Result<Page, String> {
        let url = match scenario.page.as_str() {
            "null" => None,
            text => Some(
                Url::parse(text).map_err(|e| format!("`page` {text:?} is not an origin: {e}"))?,
            ),
        };
        let origin = url.as_ref().map_or(Origin::Opaque, Origin::of_url);
        let csp = scenario
            .page_csp
            .as_deref()
            .map(csp::parse_serialized_policy_list)
            .unwrap_or_default();
        let secure_context = url.as_ref().is_some_and(is_potentially_trustworthy);
        let network = PageNetwork {
            space: url
                .as_ref()
                .map(|url| address_space_of(url, &scenario.address_spaces)),
            secure_context,
            declared: scenario.address_spaces.clone(),
            permissions: scenario.lna_permissions.clone(),
        };
        // HTML: "If environment is a non-secure context, then return" the
        // default (unsafe-none) embedder policy: COEP needs a secure context.
        let coep = scenario
            .page_coep
            .filter(|_| secure_context)
            .unwrap_or_default();
        Ok(Page {
            serialized: origin.serialize(),
            url,
            origin,
            csp,
            network,
            coep,
        })
    }
}

/// Runs the requests in order with one preflight cache and the clock from `at_ms`.
///
/// A `lean` run is one of the fix planner's: it renders no console line
/// and keeps no cache snapshot, which the planner never reads.
fn run_requests(
    page: &Page,
    server: &MockServer<'_>,
    prepared: &[Prepared],
    scenario: &Scenario,
    profile: &Profile,
    lean: bool,
) -> Vec<RequestTrace> {
    let world = World { server, page, lean };
    let mut cache = PreflightCache::default();
    let mut now_ms = 0;
    let mut traces = Vec::with_capacity(scenario.requests.len());
    for (spec, prepared) in scenario.requests.iter().zip(prepared) {
        now_ms = spec.at_ms.unwrap_or(now_ms);
        traces.push(run_request(
            &world, spec, prepared, profile, &mut cache, now_ms,
        ));
    }
    traces
}

/// What every request of a scenario meets: the mock server and the page
/// (its origin and policy).
struct World<'a> {
    server: &'a MockServer<'a>,
    page: &'a Page,
    /// A fix-planning re-run: no console lines, no cache snapshot.
    lean: bool,
}

/// A request as built before it meets the server, with its origins
/// compared: the same in every run of an evaluation (the fix planner's
/// re-runs change only the server's rules), so it is done once.
struct Prepared {
    built: Result<Built, Failure>,
    /// The page's origin against the target's, when the URL parses.
    origin: Option<OriginComparison>,
    cross_origin: bool,
    /// The URL as the script asked for it, resolved when it parses.
    initial_url: String,
}

fn prepare(spec: &RequestSpec, page: &Page, profile: &Profile) -> Prepared {
    let built = build_request(spec, page.url.as_ref(), profile);
    let target_url = target_url(&built, spec, page.url.as_ref());
    let target_origin = target_url.as_ref().map(Origin::of_url);
    Prepared {
        origin: target_origin
            .as_ref()
            .map(|target| compare_origins(&page.origin, target)),
        cross_origin: target_origin
            .as_ref()
            .is_none_or(|target| !page.origin.is_same_origin(target)),
        initial_url: target_url
            .as_ref()
            .map_or_else(|| spec.url.clone(), |url| url.as_str().to_owned()),
        built,
    }
}

fn run_request(
    world: &World<'_>,
    spec: &RequestSpec,
    prepared: &Prepared,
    profile: &Profile,
    cache: &mut PreflightCache,
    now_ms: u64,
) -> RequestTrace {
    let mut steps = Vec::new();
    let mut exchanges = Vec::new();
    let mut console = Vec::new();
    let fetched = match &prepared.built {
        Err(failure) => {
            steps.push(Step::new(StepKind::Thrown {
                failure: failure.clone(),
            }));
            thrown(failure, spec)
        }
        Ok(built) => {
            steps.extend(build_steps(built));
            if !world.lean {
                console.extend(build_console(&built.notes, spec.api, profile.browser));
            }
            // `origin` compared this very URL (the request's, as built).
            if let Some(comparison) = &prepared.origin {
                steps.push(Step::new(StepKind::SameOrigin {
                    page: comparison.page.clone(),
                    target: comparison.target.clone(),
                    differs: comparison.differs.clone(),
                }));
            }
            let mut ctx = FetchContext {
                page: &world.page.origin,
                server: world.server,
                profile,
                cache,
                now_ms,
                csp: &world.page.csp,
                steps: &mut steps,
                exchanges: &mut exchanges,
                network: &world.page.network,
                page_url: world.page.url.as_ref(),
                coep: world.page.coep,
            };
            let fetched = fetch(&mut ctx, &built.request);
            if !world.lean {
                console.extend(steps.iter().filter_map(|step| match &step.kind {
                    StepKind::MixedContent {
                        page_url,
                        url,
                        resolution: MixedContentResolution::Upgraded { .. },
                    } => messages::mixed_content_upgraded(profile.browser, page_url, url),
                    _ => None,
                }));
            }
            fetched
        }
    };
    let outcome = decide_outcome(fetched.failure.as_ref(), fetched.delivered, profile);
    let js_error = if world.lean {
        None
    } else {
        let (lines, js_error) = script_report(
            world, spec, prepared, profile, &fetched, outcome, &exchanges,
        );
        console.extend(lines);
        js_error
    };
    let (console_from_source, js_error_from_source) = if profile.browser == Browser::Safari {
        (
            console
                .iter()
                .enumerate()
                .filter(|(_, line)| messages::safari_line_from_source(line))
                .map(|(at, _)| at)
                .collect(),
            js_error
                .as_deref()
                .is_some_and(messages::safari_line_from_source),
        )
    } else {
        (Vec::new(), false)
    };
    let failure = fetched.failure;
    steps.push(Step::new(StepKind::Verdict {
        outcome,
        api: spec.api,
        failed: failure.is_some(),
        csp_blocked: matches!(failure, Some(Failure::CspBlocked { .. })),
        console_lines: console.len(),
    }));
    RequestTrace {
        result: RequestResult {
            cross_origin: prepared.cross_origin,
            preflight: fetched.preflight,
            preflight_request: fetched.preflight_request,
            outcome,
            readable_headers: fetched.readable_headers,
            console,
            js_error,
        },
        at_ms: now_ms,
        origin: prepared.origin.clone(),
        steps,
        exchanges,
        failure,
        fixes: Vec::new(),
        cache_after: if world.lean {
            PreflightCache::default()
        } else {
            cache.clone()
        },
        console_from_source,
        js_error_from_source,
    }
}

/// A call that threw before any request was made: the failure, and nothing
/// fetched (the script's own URL and method, for the console).
fn thrown(failure: &Failure, spec: &RequestSpec) -> Fetched {
    Fetched {
        failure: Some(failure.clone()),
        delivered: Delivered::Opaque,
        readable_headers: Vec::new(),
        preflight: PreflightUse::None,
        preflight_request: Vec::new(),
        final_url: spec.url.clone(),
        final_status: None,
        method: spec.method.clone(),
        failed_on_followed_redirect: false,
    }
}

/// What the script is told: the console lines after the request (rendered
/// from the typed failure, or a success's own lines) and the error it gets.
fn script_report(
    world: &World<'_>,
    spec: &RequestSpec,
    prepared: &Prepared,
    profile: &Profile,
    fetched: &Fetched,
    outcome: Outcome,
    exchanges: &[Exchange],
) -> (Vec<String>, Option<String>) {
    let page_origin = world.page.serialized.as_str();
    match &fetched.failure {
        Some(failure) => {
            let last = exchanges.last();
            let sent_origin = last
                .and_then(|e| e.request.headers.get("origin"))
                .filter(|origin| origin != page_origin);
            let redirect_to = last
                .filter(|_| fetched.failed_on_followed_redirect)
                .and_then(|e| match &e.response {
                    WireResponse::Http { headers, .. } => headers.get("location").and_then(|l| {
                        Url::parse(&e.request.url)
                            .ok()
                            .and_then(|base| base.join(&l).ok())
                            .map(String::from)
                    }),
                    WireResponse::NetworkError { .. } => None,
                });
            let context = MessageContext {
                api: spec.api,
                url: &fetched.final_url,
                initial_url: &prepared.initial_url,
                origin: page_origin,
                page_url: world.page.url.as_ref().map_or(page_origin, Url::as_str),
                on_followed_redirect: fetched.failed_on_followed_redirect,
                status: fetched.final_status,
                method: &fetched.method,
                mode: prepared
                    .built
                    .as_ref()
                    .map_or(spec.mode, |b| b.request.mode),
                sent_origin: sent_origin.as_deref(),
                redirect_to: redirect_to.as_deref(),
                script_headers: &spec.headers,
            };
            let rendered = render(failure, &context, profile.browser);
            (rendered.console, rendered.js_error)
        }
        None => (
            success_lines(
                profile,
                spec.api,
                outcome,
                fetched.final_status,
                exchanges,
                &fetched.method,
            ),
            None,
        ),
    }
}

/// The URL the request targets: the built request's, or, when building
/// threw, the script's URL parsed as well as it can be (for the trace's origin).
fn target_url(
    built: &Result<Built, Failure>,
    spec: &RequestSpec,
    page_url: Option<&Url>,
) -> Option<Url> {
    match built {
        Ok(built) => Some(built.request.url.clone()),
        Err(_) => match page_url {
            Some(base) => base.join(&spec.url).ok(),
            None => Url::parse(&spec.url).ok(),
        },
    }
}

/// The console lines of a request that did not fail.
fn success_lines(
    profile: &Profile,
    api: Api,
    outcome: Outcome,
    status: Option<u16>,
    exchanges: &[Exchange],
    method: &str,
) -> Vec<String> {
    let mut lines = success_console(profile.browser, outcome, status);
    if profile.browser == Browser::Firefox && api == Api::Xhr && outcome == Outcome::Allowed {
        lines.extend(xhr_document::firefox_xml_parsing_error(exchanges, method));
    }
    lines
}

/// The build steps: what building the request changed.
fn build_steps(built: &Built) -> impl Iterator<Item = Step> + '_ {
    built.notes.iter().map(|note| {
        Step::new(match note {
            BuildNote::InitiatorMode { crossorigin } => StepKind::InitiatorMode {
                api: built.request.api,
                crossorigin: *crossorigin,
                credentials: built.request.credentials,
                method: built.request.method.clone(),
            },
            note => StepKind::Built { note: note.clone() },
        })
    })
}
