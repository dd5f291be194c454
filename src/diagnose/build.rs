//! A paste's evidence → scenarios the engine can replay: the page origin,
//! the script's request, and the server's responses as mock rules.

use std::collections::HashMap;

use url::Url;

use super::console::ConsoleLine;
use super::evidence::{header, Captured, CapturedRequest, CapturedResponse};
use crate::scenario::{
    Api, Browser, Credentials, HeaderPair, Mode, Redirect, RequestSpec, Respond, RuleMatch,
    Scenario, ServerRule, FORMAT_V1,
};

/// Everything a paste gave, by kind.
#[derive(Debug, Clone, Default)]
pub(crate) struct Evidence {
    /// Requests (preflights included) with their responses when known.
    pub(crate) exchanges: Vec<Captured>,
    /// Responses pasted without their request.
    pub(crate) orphan_responses: Vec<CapturedResponse>,
    /// Recognised console lines.
    pub(crate) console: Vec<ConsoleLine>,
    /// Only requests that carry `Origin` (or preflights) count: a HAR also
    /// holds documents, images and same-origin loads.
    pub(crate) only_cors_requests: bool,
}

/// One request rebuilt as a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The request's URL.
    pub url: String,
    /// The scenario to replay: one page, one request, the pasted responses.
    pub scenario: Scenario,
    /// Whether the paste had the preflight's response.
    pub preflight_known: bool,
    /// Whether the paste had the actual response.
    pub actual_known: bool,
    /// Indices of the console lines about this request.
    pub console: Vec<usize>,
}

/// Why a request could not be rebuilt.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    /// The request's URL.
    pub url: String,
    /// Why.
    pub reason: String,
}

/// Headers the browser adds itself: a capture shows them, the script did not set them.
pub(crate) fn added_by_browser(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    const NAMES: [&str; 22] = [
        "host",
        "connection",
        "content-length",
        "origin",
        "referer",
        "user-agent",
        "accept-encoding",
        "accept-language",
        "cookie",
        "cookie2",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "keep-alive",
        "via",
        "dnt",
        "priority",
        "pragma",
        "cache-control",
        "upgrade-insecure-requests",
        "expect",
    ];
    NAMES.contains(&lower.as_str()) || lower.starts_with("sec-") || lower.starts_with("proxy-")
}

/// The serialised origin of `url`, if it has one.
fn origin_of(url: &str) -> Option<String> {
    let parsed = Url::parse(url).ok()?;
    let origin = parsed.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

/// Whether two URLs name the same resource (after URL parsing).
pub(crate) fn same_url(a: &str, b: &str) -> bool {
    match (Url::parse(a), Url::parse(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Whose rules to apply: the console's browser, else the User-Agent's, else Chrome.
pub(crate) fn browser_of(evidence: &Evidence) -> Browser {
    if let Some(line) = evidence.console.first() {
        return line.browser;
    }
    let agent = evidence
        .exchanges
        .iter()
        .find_map(|e| e.request.header("User-Agent"))
        .unwrap_or("");
    if agent.contains("Firefox/") {
        Browser::Firefox
    } else if agent.contains("Safari/")
        && !agent.contains("Chrome/")
        && !agent.contains("Chromium/")
    {
        Browser::Safari
    } else {
        Browser::Chrome
    }
}

/// A URL in one spelling, for grouping (unparsable URLs stay as written).
fn normalised(url: &str) -> String {
    Url::parse(url).map_or_else(|_| url.to_owned(), String::from)
}

/// Rebuilds every request of the paste as a [`Case`].
pub(crate) fn build_cases(evidence: &Evidence) -> (Vec<Case>, Vec<Skipped>) {
    let browser = browser_of(evidence);
    let mut cases = Vec::new();
    let mut skipped = Vec::new();
    let mut used_preflights = vec![false; evidence.exchanges.len()];
    // Preflights by URL, in paste order: a HAR has thousands of entries.
    let mut preflights: HashMap<String, Vec<usize>> = HashMap::new();
    for (index, exchange) in evidence.exchanges.iter().enumerate() {
        if exchange.request.is_preflight() {
            preflights
                .entry(normalised(&exchange.request.url))
                .or_default()
                .push(index);
        }
    }
    // Actual requests first, each with the nearest unused preflight for its URL.
    for (index, exchange) in evidence.exchanges.iter().enumerate() {
        let request = &exchange.request;
        if request.is_preflight() {
            continue;
        }
        if evidence.only_cors_requests && request.header("Origin").is_none() {
            continue;
        }
        let candidates = preflights
            .get(&normalised(&request.url))
            .map_or(&[][..], Vec::as_slice);
        let preflight = nearest_preflight(candidates, index, &used_preflights);
        if let Some(p) = preflight {
            if let Some(slot) = used_preflights.get_mut(p) {
                *slot = true;
            }
        }
        let preflight = preflight.and_then(|p| evidence.exchanges.get(p));
        match build_case(evidence, browser, Some(exchange), preflight) {
            Ok(case) => cases.push(case),
            Err(reason) => skipped.push(Skipped {
                url: request.url.clone(),
                reason,
            }),
        }
    }
    // A preflight whose request the paste lacks (it was never sent, or not copied).
    for (index, exchange) in evidence.exchanges.iter().enumerate() {
        if !exchange.request.is_preflight() || used_preflights.get(index).copied().unwrap_or(true) {
            continue;
        }
        match build_case(evidence, browser, None, Some(exchange)) {
            Ok(case) => cases.push(case),
            Err(reason) => skipped.push(Skipped {
                url: exchange.request.url.clone(),
                reason,
            }),
        }
    }
    if cases.is_empty() && evidence.exchanges.is_empty() {
        if let Some(case) = case_from_console(evidence, browser) {
            cases.push(case);
        }
    }
    attach_orphans(evidence, &mut cases);
    (cases, skipped)
}

/// Of the preflights for the same URL (`candidates`, in order), the closest
/// unused one before `index`, else the closest after it.
fn nearest_preflight(candidates: &[usize], index: usize, used: &[bool]) -> Option<usize> {
    let unused = |i: &&usize| !used.get(**i).copied().unwrap_or(true);
    let before = candidates.iter().filter(|i| **i < index).rev().find(unused);
    let after = candidates.iter().filter(|i| **i > index).find(unused);
    before.or(after).copied()
}

fn build_case(
    evidence: &Evidence,
    browser: Browser,
    actual: Option<&Captured>,
    preflight: Option<&Captured>,
) -> Result<Case, String> {
    let any = actual.or(preflight).ok_or("nothing to rebuild")?;
    let url = any.request.url.clone();
    let console: Vec<usize> = evidence
        .console
        .iter()
        .enumerate()
        .filter(|(_, line)| line.url.as_deref().is_some_and(|u| same_url(u, &url)))
        .map(|(i, _)| i)
        .collect();
    let console_lines: Vec<&ConsoleLine> = console
        .iter()
        .filter_map(|i| evidence.console.get(*i))
        .collect();
    let page = page_origin(actual, preflight, &console_lines, evidence).ok_or(
        "no page origin: the paste has no Origin or Referer header and no console line naming it",
    )?;
    let request = match actual {
        Some(actual) => request_spec(&actual.request, preflight, &console_lines)?,
        None => request_from_preflight(preflight.map(|p| &p.request), &url, &console_lines),
    };
    let mut server = Vec::new();
    if let Some(response) = preflight.and_then(|p| p.response.as_ref()) {
        server.push(rule("OPTIONS", &url, response));
    }
    if let Some(response) = actual.and_then(|a| a.response.as_ref()) {
        server.push(rule(&request.method, &url, response));
    }
    let mut scenario = scenario(page, browser, server, request);
    scenario.page_csp = page_csp(&console_lines);
    Ok(Case {
        url: url.clone(),
        preflight_known: preflight.is_some_and(|p| p.response.is_some()),
        actual_known: actual.is_some_and(|a| a.response.is_some()),
        console,
        scenario,
    })
}

/// The page's Content-Security-Policy as far as a console line shows it:
/// the directive that refused the request, with its sources.
fn page_csp(lines: &[&ConsoleLine]) -> Option<String> {
    lines.iter().find_map(|line| match &line.failure {
        Some(crate::engine::Failure::CspBlocked { violations }) => {
            let directives: Vec<String> = violations
                .iter()
                .map(|v| v.directive_text().trim().to_owned())
                .collect();
            Some(directives.join("; "))
        }
        _ => None,
    })
}

fn scenario(
    page: String,
    browser: Browser,
    server: Vec<ServerRule>,
    request: RequestSpec,
) -> Scenario {
    Scenario {
        format: FORMAT_V1.to_owned(),
        id: "diagnosed".to_owned(),
        title: None,
        lesson: None,
        level: None,
        tags: Vec::new(),
        browser: Some(browser),
        page,
        server,
        requests: vec![request],
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

fn rule(method: &str, url: &str, response: &CapturedResponse) -> ServerRule {
    ServerRule {
        matcher: RuleMatch {
            method: Some(method.to_owned()),
            url: url.to_owned(),
        },
        respond: Respond {
            status: response.status,
            headers: response.headers.clone(),
            body: String::new(),
            network_error: None,
        },
        framework: None,
    }
}

/// The page's origin: `Origin`, else the referrer's origin, else the console's.
fn page_origin(
    actual: Option<&Captured>,
    preflight: Option<&Captured>,
    console: &[&ConsoleLine],
    evidence: &Evidence,
) -> Option<String> {
    let requests = actual.into_iter().chain(preflight).map(|c| &c.request);
    let from_headers = requests
        .clone()
        .find_map(|r| r.header("Origin").map(str::to_owned));
    from_headers
        .or_else(|| {
            requests
                .clone()
                .find_map(|r| r.referrer.as_deref().and_then(origin_of))
        })
        .or_else(|| {
            requests.clone().find_map(|r| {
                r.script
                    .as_ref()
                    .and_then(|s| header(&s.headers, "Referer").and_then(origin_of))
            })
        })
        .or_else(|| console.iter().find_map(|l| l.origin.clone()))
        .or_else(|| evidence.console.iter().find_map(|l| l.origin.clone()))
}

/// The script's request, from a capture: the browser's own headers removed
/// (except those the preflight says the script set), credentials from
/// `Cookie`, mode from `Sec-Fetch-Mode`.
fn request_spec(
    captured: &CapturedRequest,
    preflight: Option<&Captured>,
    console: &[&ConsoleLine],
) -> Result<RequestSpec, String> {
    if let Some(script) = &captured.script {
        let mut spec = script.clone();
        spec.headers
            .retain(|(name, _)| !name.eq_ignore_ascii_case("Referer"));
        return Ok(spec);
    }
    let listed: Vec<String> = preflight
        .and_then(|p| p.request.header("Access-Control-Request-Headers"))
        .map(|v| {
            v.split(',')
                .map(|h| h.trim().to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let headers: Vec<HeaderPair> = captured
        .headers
        .iter()
        .filter(|(name, _)| !added_by_browser(name) || listed.contains(&name.to_ascii_lowercase()))
        .cloned()
        .collect();
    let mode = match captured.header("Sec-Fetch-Mode") {
        Some("no-cors") => Mode::NoCors,
        Some("same-origin") => Mode::SameOrigin,
        Some("navigate") | Some("websocket") => {
            return Err("a page navigation, not a script's request".to_owned())
        }
        _ => Mode::Cors,
    };
    Ok(RequestSpec {
        api: captured
            .api
            .or_else(|| console.iter().find_map(|l| l.api))
            .unwrap_or(Api::Fetch),
        url: captured.url.clone(),
        method: if captured.method.is_empty() {
            "GET".to_owned()
        } else {
            captured.method.clone()
        },
        headers,
        body: captured.body.clone(),
        mode,
        credentials: captured
            .credentials
            .unwrap_or_else(|| credentials(captured.header("Cookie").is_some(), console)),
        redirect: Redirect::Follow,
        crossorigin: None,
        upload_listener: false,
        timeout_ms: None,
        at_ms: None,
        target_address_space: None,
    })
}

/// Cookies on the request, or a console line about credentials, mean `include`.
fn credentials(has_cookie: bool, console: &[&ConsoleLine]) -> Credentials {
    use crate::engine::{CorsError, Failure};
    let console_says = console.iter().any(|l| {
        matches!(
            &l.failure,
            Some(Failure::Cors {
                error: CorsError::WildcardOriginNotAllowed
                    | CorsError::InvalidAllowCredentials { .. },
                ..
            })
        )
    });
    if has_cookie || console_says {
        Credentials::Include
    } else {
        Credentials::SameOrigin
    }
}

/// The request a preflight announces: its method, and each announced header
/// with a placeholder value (any value: only names are announced, and
/// `content-type` is announced only for a value that is not safelisted).
fn request_from_preflight(
    preflight: Option<&CapturedRequest>,
    url: &str,
    console: &[&ConsoleLine],
) -> RequestSpec {
    let method = preflight
        .and_then(|p| p.header("Access-Control-Request-Method"))
        .unwrap_or("GET")
        .to_owned();
    let headers = preflight
        .and_then(|p| p.header("Access-Control-Request-Headers"))
        .map(|list| {
            list.split(',')
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .map(|h| {
                    let value = if h.eq_ignore_ascii_case("content-type") {
                        "application/json"
                    } else {
                        "x"
                    };
                    (h.to_owned(), value.to_owned())
                })
                .collect()
        })
        .unwrap_or_default();
    RequestSpec {
        api: console.iter().find_map(|l| l.api).unwrap_or(Api::Fetch),
        url: url.to_owned(),
        method,
        headers,
        body: None,
        mode: Mode::Cors,
        credentials: credentials(false, console),
        redirect: Redirect::Follow,
        crossorigin: None,
        upload_listener: false,
        timeout_ms: None,
        at_ms: None,
        target_address_space: None,
    }
}

/// Stands for the page origin when no line names it (Firefox's never do).
pub const UNKNOWN_ORIGIN: &str = "<your page's origin>";

/// Stands for the request's URL when no line names it.
pub const UNKNOWN_URL: &str = "<the request's URL>";

/// With only console lines: the request they name (no server evidence).
fn case_from_console(evidence: &Evidence, browser: Browser) -> Option<Case> {
    use crate::engine::Failure;
    let (_, line) = evidence
        .console
        .iter()
        .enumerate()
        .find(|(_, l)| l.failure.is_some())
        .or_else(|| {
            evidence
                .console
                .iter()
                .enumerate()
                .find(|(_, l)| l.cause.is_some())
        })
        .or_else(|| evidence.console.iter().enumerate().next())?;
    // Safari names the URL and the origin on different lines; Firefox never
    // names the origin; Chromium's `Failed to load resource: net::…` names
    // neither (a line that names its cause is answered all the same).
    let url = evidence
        .console
        .iter()
        .find_map(|l| l.url.clone())
        .or_else(|| line.cause.map(|_| UNKNOWN_URL.to_owned()))?;
    let page = evidence
        .console
        .iter()
        .find_map(|l| l.origin.clone())
        .unwrap_or_else(|| UNKNOWN_ORIGIN.to_owned());
    let lines: Vec<&ConsoleLine> = vec![line];
    let mut request = request_from_preflight(None, &url, &lines);
    match &line.failure {
        Some(Failure::MethodNotAllowed { method }) => request.method = method.clone(),
        Some(Failure::HeaderNotAllowed { header }) => {
            request.headers.push((header.clone(), "x".to_owned()))
        }
        _ => {}
    }
    let mut scenario = scenario(page, browser, Vec::new(), request);
    scenario.page_csp = page_csp(&lines);
    Some(Case {
        url,
        scenario,
        preflight_known: false,
        actual_known: false,
        console: (0..evidence.console.len()).collect(),
    })
}

/// Responses pasted alone go to the one case that lacks them: the preflight's
/// when the console says the preflight failed, or when the response answers
/// preflight questions (`Access-Control-Allow-Methods`/`-Headers`).
fn attach_orphans(evidence: &Evidence, cases: &mut [Case]) {
    let [case] = cases else {
        return;
    };
    for response in &evidence.orphan_responses {
        let console_says_preflight = case.console.iter().any(|i| {
            evidence
                .console
                .get(*i)
                .and_then(|l| l.failure.as_ref())
                .is_some_and(|f| f.is_preflight_failure())
        });
        let answers_preflight = header(&response.headers, "Access-Control-Allow-Methods").is_some()
            || header(&response.headers, "Access-Control-Allow-Headers").is_some();
        let Some(request) = case.scenario.requests.first() else {
            return;
        };
        let method = request.method.clone();
        let pasted_a_preflight = evidence.exchanges.iter().any(|e| e.request.is_preflight());
        if (console_says_preflight || answers_preflight || pasted_a_preflight)
            && !case.preflight_known
        {
            case.scenario
                .server
                .push(rule("OPTIONS", &case.url, response));
            case.preflight_known = true;
        } else if !case.actual_known {
            case.scenario
                .server
                .push(rule(&method, &case.url, response));
            case.actual_known = true;
        }
    }
}
