//! The pure CORS engine: a scenario in, a trace out.
//!
//! No clock (time comes from each request's `at_ms`), no randomness, no I/O
//! and no web crates. The spec algorithms live in their own modules, named
//! after the Fetch Standard; browser deviations are data in [`browser`].

pub mod browser;
pub mod cache;
pub mod cors_check;
pub mod csp;
pub mod failure;
pub mod fetch;
pub mod fixes;
pub mod headers;
pub mod initiators;
pub mod messages;
pub mod method;
pub mod origin;
pub mod preflight;
pub mod request;
pub mod response;
pub mod safelist;
pub mod server;
mod trace;
pub mod xhr_document;

pub use fetch::describe_unsafe;
pub use trace::*;

use url::Url;

use self::browser::{profile, Profile};
use self::cache::PreflightCache;
use self::failure::Failure;
use self::fetch::{build_steps, main_fetch, origin_step, FetchContext};
use self::messages::{build_console, render, MessageContext};
use self::origin::{compare_origins, Origin};
use self::request::build_request;
use self::server::{reason_phrase, MockServer};
use crate::scenario::{Api, Browser, Outcome, PreflightUse, RequestResult, RequestSpec, Scenario};

/// Evaluates every request of `scenario` in order, as `browser` would (the
/// scenario's own `browser`, or Chrome, when `None`). The `expect` blocks
/// are never read.
pub fn evaluate(scenario: &Scenario, browser: Option<Browser>) -> Trace {
    let browser = browser.or(scenario.browser).unwrap_or_default();
    let profile = profile(browser);
    let requests = match run_requests(scenario, &profile) {
        Ok(requests) => requests,
        Err(error) => {
            return Trace {
                browser,
                profile,
                scenario_error: Some(error),
                requests: Vec::new(),
            }
        }
    };
    let requests = requests
        .into_iter()
        .enumerate()
        .map(|(index, mut trace)| {
            let rerun =
                |changed: &Scenario| run_requests(changed, &profile).ok()?.into_iter().nth(index);
            trace.fixes = fixes::plan_fixes(scenario, index, &trace, &rerun);
            trace
        })
        .collect();
    Trace {
        browser,
        profile,
        scenario_error: None,
        requests,
    }
}

/// Runs the requests in order with one preflight cache and the clock from `at_ms`.
fn run_requests(scenario: &Scenario, profile: &Profile) -> Result<Vec<RequestTrace>, String> {
    let page_url = match scenario.page.as_str() {
        "null" => None,
        text => {
            Some(Url::parse(text).map_err(|e| format!("`page` {text:?} is not an origin: {e}"))?)
        }
    };
    let page = page_url.as_ref().map_or(Origin::Opaque, Origin::of_url);
    let server = MockServer::new(&scenario.server);
    let csp = scenario
        .page_csp
        .as_deref()
        .map(csp::parse_serialized_policy_list)
        .unwrap_or_default();
    let world = World {
        server: &server,
        csp: &csp,
    };
    let mut cache = PreflightCache::default();
    let mut now_ms = 0;
    let mut traces = Vec::with_capacity(scenario.requests.len());
    for spec in &scenario.requests {
        now_ms = spec.at_ms.unwrap_or(now_ms);
        traces.push(run_request(
            &world,
            spec,
            &page,
            page_url.as_ref(),
            profile,
            &mut cache,
            now_ms,
        ));
    }
    Ok(traces)
}

/// What every request of a scenario meets: the mock server and the page's policy.
struct World<'a> {
    server: &'a MockServer<'a>,
    csp: &'a [csp::Policy],
}

fn run_request(
    world: &World<'_>,
    spec: &RequestSpec,
    page: &Origin,
    page_url: Option<&Url>,
    profile: &Profile,
    cache: &mut PreflightCache,
    now_ms: u64,
) -> RequestTrace {
    let mut steps = Vec::new();
    let mut exchanges = Vec::new();
    let built = build_request(spec, page_url, profile);
    let target_url = match &built {
        Ok(built) => Some(built.request.url.clone()),
        Err(_) => match page_url {
            Some(base) => base.join(&spec.url).ok(),
            None => Url::parse(&spec.url).ok(),
        },
    };
    let mode = built.as_ref().map_or(spec.mode, |b| b.request.mode);
    let origin = target_url
        .as_ref()
        .map(|url| compare_origins(page, &Origin::of_url(url)));
    let cross_origin = target_url
        .as_ref()
        .is_none_or(|url| !page.is_same_origin(&Origin::of_url(url)));
    let page_origin = page.serialize();
    let mut console = Vec::new();
    let (
        failure,
        on_followed_redirect,
        outcome,
        readable_headers,
        preflight,
        preflight_request,
        final_url,
        status,
        method,
    ) = match built {
        Err(failure) => {
            steps.push(thrown_step(&failure));
            (
                Some(failure),
                false,
                Outcome::NetworkError,
                Vec::new(),
                PreflightUse::None,
                Vec::new(),
                spec.url.clone(),
                None,
                spec.method.clone(),
            )
        }
        Ok(built) => {
            steps.extend(build_steps(&built));
            console.extend(build_console(&built.notes, spec.api, profile.browser));
            steps.push(origin_step(page, &Origin::of_url(&built.request.url)));
            let mut ctx = FetchContext {
                page,
                server: world.server,
                profile,
                cache,
                now_ms,
                csp: world.csp,
                steps: &mut steps,
                exchanges: &mut exchanges,
            };
            let mut fetched = match built.request.api {
                Api::Form => initiators::submit_form(&mut ctx, &built.request),
                Api::Websocket => initiators::establish_websocket(&mut ctx, &built.request),
                _ => main_fetch(&mut ctx, &built.request),
            };
            if built.request.api.is_extension() {
                // Elements, EventSource, forms and sockets expose no response headers to the script.
                fetched.readable_headers.clear();
            }
            if built.request.api == Api::Eventsource && fetched.outcome == Outcome::Allowed {
                if let Some(failure) = initiators::check_event_stream(&exchanges) {
                    fetched.outcome = Outcome::NetworkError;
                    fetched.failure = Some(failure);
                }
            }
            (
                fetched.failure,
                fetched.failed_on_followed_redirect,
                fetched.outcome,
                fetched.readable_headers,
                fetched.preflight,
                fetched.preflight_request,
                fetched.final_url,
                fetched.final_status,
                fetched.method,
            )
        }
    };
    let initial_url = target_url
        .as_ref()
        .map_or_else(|| spec.url.clone(), Url::to_string);
    let (failure_console, js_error) = match &failure {
        Some(failure) => {
            let context = MessageContext {
                api: spec.api,
                url: &final_url,
                initial_url: &initial_url,
                origin: &page_origin,
                page_url: page_url.map_or(page_origin.as_str(), Url::as_str),
                on_followed_redirect,
                status,
                method: &method,
                mode,
            };
            let rendered = render(failure, &context, profile.browser);
            (rendered.console, rendered.js_error)
        }
        None => {
            let mut lines = success_console(profile.browser, outcome, status);
            if profile.browser == Browser::Firefox
                && spec.api == Api::Xhr
                && outcome == Outcome::Allowed
            {
                lines.extend(xhr_document::firefox_xml_parsing_error(&exchanges, &method));
            }
            (lines, None)
        }
    };
    console.extend(failure_console);
    steps.push(verdict_step(outcome, failure.as_ref(), &console, spec.api));
    RequestTrace {
        result: RequestResult {
            cross_origin,
            preflight,
            preflight_request,
            outcome,
            readable_headers,
            console,
            js_error,
        },
        at_ms: now_ms,
        origin,
        steps,
        exchanges,
        failure,
        fixes: Vec::new(),
        cache_after: cache.clone(),
    }
}

/// Console lines for a request the script receives: Chromium reports an
/// error status even when CORS allowed the response.
fn success_console(browser: Browser, outcome: Outcome, status: Option<u16>) -> Vec<String> {
    match (browser, outcome, status) {
        (Browser::Chrome, Outcome::Allowed, Some(status)) if status >= 400 => {
            vec![format!(
                "Failed to load resource: the server responded with a status of {status} ({})",
                reason_phrase(status)
            )]
        }
        _ => Vec::new(),
    }
}

fn thrown_step(failure: &Failure) -> Step {
    let (found, highlight) = describe_thrown(failure);
    Step {
        stage: Stage::Build,
        anchor: "dom-request",
        title: "The call throws".to_owned(),
        compared: "the script's arguments".to_owned(),
        found,
        why: "The browser rejects the call before any request is made.".to_owned(),
        status: StepStatus::Fail,
        highlight,
    }
}

/// Why the script's call was rejected, in plain words, and the argument at fault.
fn describe_thrown(failure: &Failure) -> (String, Option<String>) {
    match failure {
        Failure::InvalidUrl { url } => {
            (format!("the URL {url:?} does not parse"), Some(url.clone()))
        }
        Failure::InvalidMethod { method } => (
            format!("{method:?} is not a method: a method must be a token"),
            Some(method.clone()),
        ),
        Failure::ForbiddenMethod { method } => (
            format!(
                "{method} is a forbidden method: scripts may never send CONNECT, TRACE or TRACK"
            ),
            Some(method.clone()),
        ),
        Failure::NoCorsMethod { method } => (
            format!("mode no-cors allows only GET, HEAD and POST, not {method}"),
            Some(method.clone()),
        ),
        Failure::InvalidHeaderName { name } => (
            format!(
                "{name:?} is not a header name: a name must be a token (no spaces or separators)"
            ),
            Some(name.clone()),
        ),
        Failure::InvalidHeaderValue { name, .. } => (
            format!("the value of {name} holds NUL, CR, LF or a character above U+00FF"),
            Some(name.clone()),
        ),
        Failure::BodyWithGetOrHead => (
            "a GET or HEAD request cannot have a body".to_owned(),
            Some("body".to_owned()),
        ),
        other => (format!("{other:?}"), None),
    }
}

fn verdict_step(outcome: Outcome, failure: Option<&Failure>, console: &[String], api: Api) -> Step {
    let (found, status) = match (outcome, api) {
        (Outcome::Allowed, Api::Stylesheet) => (
            "the stylesheet loads and applies, and the page's script may read its rules".to_owned(),
            StepStatus::Pass,
        ),
        (Outcome::Allowed, Api::Img | Api::Script) => (
            "the element loads, and the page may read it (canvas pixels, script errors)".to_owned(),
            StepStatus::Pass,
        ),
        (Outcome::Allowed, Api::Eventsource | Api::Websocket) => (
            "the connection opens and the script receives its messages".to_owned(),
            StepStatus::Pass,
        ),
        (Outcome::Allowed, _) => ("the script gets the response".to_owned(), StepStatus::Pass),
        (Outcome::Opaque, Api::Stylesheet) => (
            "the stylesheet loads and styles the page, but the page's script cannot read its rules".to_owned(),
            StepStatus::Info,
        ),
        (Outcome::Opaque, Api::Img | Api::Script) => (
            "the element loads (the image is shown, the script runs), but the page cannot read the response".to_owned(),
            StepStatus::Info,
        ),
        (Outcome::Opaque, Api::Form) => (
            "the form was submitted; the iframe shows the answer, which the page's script cannot read".to_owned(),
            StepStatus::Info,
        ),
        (Outcome::Opaque, _) => (
            "the script gets an opaque response: status 0, no headers, no body".to_owned(),
            StepStatus::Info,
        ),
        (Outcome::Blocked, _) => (
            "blocked by CORS: the script gets a network error".to_owned(),
            StepStatus::Fail,
        ),
        (Outcome::NetworkError, _) if matches!(failure, Some(Failure::CspBlocked { .. })) => (
            "blocked by the page's own Content-Security-Policy: a network error, and nothing was sent".to_owned(),
            StepStatus::Fail,
        ),
        (Outcome::NetworkError, _) => (
            "a network error, before any CORS check".to_owned(),
            StepStatus::Fail,
        ),
    };
    let why = match (failure, api) {
        (Some(_), Api::Xhr) => "XMLHttpRequest fires its error event with status 0; the details are only in the console.".to_owned(),
        (Some(_), Api::Fetch) => "fetch() rejects with a TypeError that says nothing about why; the details are only in the console.".to_owned(),
        (Some(_), Api::Img | Api::Script | Api::Stylesheet) => "The element fires its error event; the details are only in the console.".to_owned(),
        (Some(_), Api::Eventsource) => "EventSource fires its error event and closes (readyState 2); the details are only in the console.".to_owned(),
        (Some(_), Api::Websocket) => "WebSocket fires error, then close with code 1006; the details are only in the console.".to_owned(),
        (Some(_), Api::Form) => "The iframe shows the browser's error page.".to_owned(),
        (None, _) => String::new(),
    };
    Step {
        stage: Stage::Verdict,
        anchor: "main-fetch",
        title: "Verdict".to_owned(),
        compared: String::new(),
        found: format!(
            "{found}{}",
            if console.is_empty() {
                String::new()
            } else {
                format!(" ({} console line(s))", console.len())
            }
        ),
        why,
        status,
        highlight: None,
    }
}
