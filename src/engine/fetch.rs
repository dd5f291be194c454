//! [Main fetch](https://fetch.spec.whatwg.org/#main-fetch) for one request:
//! the path it takes (basic, opaque, CORS), the preflight and its cache, the
//! CORS check on every response, and redirects.

use url::Url;

use super::browser::Profile;
use super::cache::{method_needs_entry, CacheEntry, CacheMiss, CacheQuery, PreflightCache};
use super::cors_check::cors_check;
use super::csp::{should_request_be_blocked, violations, Policy, PolicyCheck};
use super::failure::{Failure, Phase};
use super::headers::HeaderList;
use super::method::is_cors_safelisted_method;
use super::origin::{compare_origins, Origin, OriginPart};
use super::preflight::{check_preflight_response, preflight_request_headers, PreflightAsk};
use super::request::{BuildNote, Built, Request};
use super::response::readable_header_names;
use super::safelist::{cors_unsafe_request_header_names, UnsafeHeader, UnsafeReason};
use super::server::{MockServer, WireRequest, WireResponse};
use super::trace::{Exchange, ExchangeKind, Stage, Step, StepStatus};
use crate::scenario::{Credentials, Mode, Outcome, PreflightUse, Redirect};

/// [Response tainting](https://fetch.spec.whatwg.org/#concept-request-response-tainting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tainting {
    Basic,
    Cors,
    Opaque,
}

/// How main fetch ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The verdict.
    pub outcome: Outcome,
    /// The first failure, if any.
    pub failure: Option<Failure>,
    /// Readable response header names (sorted, lower-cased).
    pub readable_headers: Vec<String>,
    /// Whether a preflight was needed, sent or cached (the strongest over the chain).
    pub preflight: PreflightUse,
    /// The CORS headers of the first preflight sent.
    pub preflight_request: Vec<(String, String)>,
    /// The URL that failed or answered (the last of the chain).
    pub final_url: String,
    /// The status of the last response, if any.
    pub final_status: Option<u16>,
    /// The method as last sent.
    pub method: String,
    /// Whether the response that failed was a redirect being followed.
    pub failed_on_followed_redirect: bool,
}

/// Everything `main_fetch` needs from the scenario run.
pub struct FetchContext<'a> {
    /// The page's origin.
    pub page: &'a Origin,
    /// The server rules.
    pub server: &'a MockServer<'a>,
    /// The browser's deviations.
    pub profile: &'a Profile,
    /// The preflight cache, shared by the scenario's requests.
    pub cache: &'a mut PreflightCache,
    /// Now, in milliseconds since the scenario started.
    pub now_ms: u64,
    /// The page's Content-Security-Policy (empty: none).
    pub csp: &'a [Policy],
    /// Steps, appended as the fetch goes.
    pub steps: &'a mut Vec<Step>,
    /// Wire exchanges, appended as the fetch goes.
    pub exchanges: &'a mut Vec<Exchange>,
}

fn step(stage: Stage, anchor: &'static str, title: &str, status: StepStatus) -> Step {
    Step {
        stage,
        anchor,
        title: title.to_owned(),
        compared: String::new(),
        found: String::new(),
        why: String::new(),
        status,
        highlight: None,
    }
}

impl Step {
    fn compared(mut self, text: impl Into<String>) -> Step {
        self.compared = text.into();
        self
    }
    fn found(mut self, text: impl Into<String>) -> Step {
        self.found = text.into();
        self
    }
    fn why(mut self, text: impl Into<String>) -> Step {
        self.why = text.into();
        self
    }
    fn highlight(mut self, text: impl Into<String>) -> Step {
        self.highlight = Some(text.into());
        self
    }
}

/// Steps that say what building the request changed.
pub fn build_steps(built: &Built) -> Vec<Step> {
    let mut steps = Vec::new();
    for note in &built.notes {
        let s = match note {
            BuildNote::MethodNormalized { from, to } => step(Stage::Build, "concept-method-normalize", "Method normalised", StepStatus::Info)
                .compared(format!("method {from:?}"))
                .found(format!("sent as {to}"))
                .why("Only DELETE, GET, HEAD, OPTIONS, POST and PUT are upper-cased by the browser."),
            BuildNote::MethodNotNormalized { method } => step(Stage::Build, "concept-method-normalize", "Method kept as written", StepStatus::Warn)
                .compared(format!("method {method:?}"))
                .found(format!("sent as {method}, not upper-cased"))
                .why(format!("`{method}` is not upper-cased by the browser: only DELETE, GET, HEAD, OPTIONS, POST and PUT are. The server must allow exactly `{method}`."))
                .highlight(method.clone()),
            BuildNote::ForbiddenHeaderDropped { name } => step(Stage::Build, "forbidden-request-header", "Forbidden header dropped", StepStatus::Warn)
                .compared(format!("header {name}"))
                .found("the browser drops this header")
                .why("Scripts may not set forbidden request-headers; the browser silently ignores them.")
                .highlight(name.clone()),
            BuildNote::NoCorsHeaderDropped { name } => step(Stage::Build, "no-cors-safelisted-request-header", "Header dropped in no-cors mode", StepStatus::Warn)
                .compared(format!("header {name}"))
                .found("dropped: not a no-CORS-safelisted request-header")
                .why("A no-cors request may only carry Accept, Accept-Language, Content-Language and a simple Content-Type.")
                .highlight(name.clone()),
            BuildNote::HeaderCombined { name, value } => step(Stage::Build, "concept-header-list-combine", "Repeated header combined", StepStatus::Info)
                .compared(format!("setRequestHeader({name:?}, …) called more than once"))
                .found(format!("one header {name}: {value}"))
                .why("The browser combines repeated headers into one value, which is then judged as a whole (128 bytes at most)."),
            BuildNote::DefaultHeaderAdded { name, value } => step(Stage::Build, "fetching", "Default header added", StepStatus::Info)
                .compared(format!("no {name} set by the script"))
                .found(format!("the browser adds {name}: {value}"))
                .why("This default is CORS-safelisted, so it never causes a preflight by itself."),
            BuildNote::BodyIgnored => step(Stage::Build, "dom-xmlhttprequest-send", "Body ignored", StepStatus::Info)
                .found("XMLHttpRequest ignores the body of a GET or HEAD request"),
            BuildNote::UploadListenerForcesPreflight => step(Stage::Build, "use-cors-preflight-flag", "Upload listener", StepStatus::Info)
                .compared("an xhr.upload listener registered before send()")
                .found("sets the use-CORS-preflight flag")
                .why("Upload progress events would reveal timing to the page, so a cross-origin request with a listener is always preflighted."),
            BuildNote::InitiatorMode { crossorigin } => {
                super::initiators::initiator_mode_step(&built.request, *crossorigin)
            }
            BuildNote::ApiIgnoresSetting { setting } => step(Stage::Build, "create-a-potential-cors-request", "Setting ignored", StepStatus::Info)
                .found(format!("this API has no `{setting}`: the browser decides it")),
            BuildNote::XhrIgnoresSetting { setting } => step(Stage::Build, "the-xmlhttprequest-interface", "XHR ignores a setting", StepStatus::Info)
                .found(format!("XMLHttpRequest has no `{setting}` option; it always uses mode cors and follows redirects")),
        };
        steps.push(s);
    }
    steps
}

/// Explains a CORS-unsafe header in plain words.
pub fn describe_unsafe(header: &UnsafeHeader) -> String {
    match &header.reason {
        UnsafeReason::NameNotSafelisted => format!("{} is not a CORS-safelisted header name", header.name),
        UnsafeReason::ValueTooLong { length } => format!("{}'s value is {length} bytes; the limit is 128 (byte 129 is over it)", header.name),
        UnsafeReason::UnsafeByte { byte, position } => {
            format!("{}'s value has the byte {:?} (0x{:02X}) at position {position}, which is not allowed", header.name, byte, u32::from(*byte))
        }
        UnsafeReason::MimeUnparsable => format!("{}'s value {:?} does not parse as a MIME type", header.name, header.value),
        UnsafeReason::MimeEssence { essence } => format!(
            "{} is {essence}; only application/x-www-form-urlencoded, multipart/form-data and text/plain are safelisted",
            header.name
        ),
        UnsafeReason::RangeNotSimple => format!("range {:?} is not a single bytes=start-[end] range", header.value),
        UnsafeReason::RangeNotSafelistedByBrowser => "this browser never safelists Range (the spec does, for bytes=N-[M])".to_owned(),
        UnsafeReason::TotalTooLong { total } => format!("the safelisted headers add up to {total} bytes, over the 1024-byte total"),
    }
}

/// What to highlight for an unsafe header: the part of
/// [`describe_unsafe`]'s sentence that decided it (the 129th byte, the
/// offending byte, the MIME essence, the 1024-byte total), else its name.
fn deciding_detail(header: &UnsafeHeader) -> String {
    match &header.reason {
        UnsafeReason::ValueTooLong { .. } => "byte 129".to_owned(),
        UnsafeReason::UnsafeByte { byte, .. } => format!("0x{:02X}", u32::from(*byte)),
        UnsafeReason::MimeEssence { essence } => essence.clone(),
        UnsafeReason::TotalTooLong { .. } => "1024".to_owned(),
        _ => header.name.clone(),
    }
}

/// Classification step for a CORS request.
fn classification_step(
    request: &Request,
    unsafe_headers: &[UnsafeHeader],
    preflight_needed: bool,
) -> Step {
    let mut reasons = Vec::new();
    if !is_cors_safelisted_method(&request.method) {
        reasons.push(format!(
            "method {} is not GET, HEAD or POST",
            request.method
        ));
    }
    if request.use_cors_preflight {
        reasons.push("the use-CORS-preflight flag is set (an XHR upload listener)".to_owned());
    }
    reasons.extend(unsafe_headers.iter().map(describe_unsafe));
    let s = step(
        Stage::Classification,
        "cors-preflight-fetch",
        "Simple or preflighted?",
        StepStatus::Info,
    )
    .compared(format!(
        "method {} and headers {}",
        request.method,
        request
            .headers
            .0
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    if preflight_needed {
        let first = unsafe_headers
            .first()
            .map(deciding_detail)
            .unwrap_or_else(|| request.method.clone());
        s.found(format!("needs a preflight: {}", reasons.join("; ")))
            .why("A request a plain HTML form could not send must first be approved by an OPTIONS preflight.")
            .highlight(first)
    } else {
        s.found("a simple request: no preflight needed")
            .why("GET, HEAD or POST with only CORS-safelisted headers: a form could send it, so the browser sends it directly and checks the response.")
    }
}

/// [Redirect status](https://fetch.spec.whatwg.org/#redirect-status).
fn is_redirect_status(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// [Request's redirect-taint](https://fetch.spec.whatwg.org/#concept-request-tainted-origin):
/// not same-origin when some hop went to another origin while the request's
/// origin differs from the hop's source ("cross-site" and "same-site" both
/// make the Origin `null`, so the site distinction is not needed here).
fn is_redirect_tainted(page: &Origin, url_list: &[Url]) -> bool {
    url_list.windows(2).any(|pair| match pair {
        [last, url] => {
            let (last, url) = (Origin::of_url(last), Origin::of_url(url));
            !url.is_same_origin(&last) && !page.is_same_origin(&last)
        }
        _ => false,
    })
}

/// [Serializing a request origin](https://fetch.spec.whatwg.org/#serializing-a-request-origin):
/// "If request's redirect-taint is not "same-origin", then return "null"."
fn serialize_request_origin(page: &Origin, url_list: &[Url]) -> String {
    if is_redirect_tainted(page, url_list) {
        "null".to_owned()
    } else {
        page.serialize()
    }
}

/// What the chain has done so far, which every ending reports.
struct Chain {
    /// The method as last sent (a 303 may change it).
    method: String,
    /// The strongest preflight use over the chain.
    preflight: PreflightUse,
    /// The CORS headers of the first preflight sent.
    preflight_request: Vec<(String, String)>,
}

impl Chain {
    /// Ends main fetch at `url`.
    fn end(
        &self,
        outcome: Outcome,
        failure: Option<Failure>,
        readable_headers: Vec<String>,
        url: &Url,
        final_status: Option<u16>,
    ) -> Fetched {
        Fetched {
            outcome,
            failure,
            readable_headers,
            preflight: self.preflight,
            preflight_request: self.preflight_request.clone(),
            final_url: url.to_string(),
            final_status,
            method: self.method.clone(),
            failed_on_followed_redirect: false,
        }
    }
}

/// Main fetch's Content Security Policy step: "If … should request be
/// blocked by Content Security Policy returns blocked, then set response to
/// a network error" ([main fetch](https://fetch.spec.whatwg.org/#main-fetch);
/// the check is CSP's [should-block-request](https://w3c.github.io/webappsec-csp/#should-block-request)).
/// It comes before every CORS step, so a blocked request sends nothing.
/// Records one step when the page has a policy; returns the ending when blocked.
/// Not modelled: the check again on each redirect hop.
pub fn check_page_csp(ctx: &mut FetchContext<'_>, request: &Request) -> Option<Fetched> {
    if ctx.csp.is_empty() {
        return None;
    }
    let checks = should_request_be_blocked(ctx.csp, request.api, &request.url, ctx.page);
    let first = checks
        .iter()
        .find(|c| c.blocks())
        .or_else(|| checks.iter().find(|c| c.directive.is_some()))
        .or_else(|| checks.first())?;
    ctx.steps.push(csp_step(first, &request.url));
    let found = violations(&checks);
    if found.is_empty() {
        return None;
    }
    Some(Fetched {
        outcome: Outcome::NetworkError,
        failure: Some(Failure::CspBlocked { violations: found }),
        readable_headers: Vec::new(),
        preflight: PreflightUse::None,
        preflight_request: Vec::new(),
        final_url: request.url.to_string(),
        final_status: None,
        method: request.method.clone(),
        failed_on_followed_redirect: false,
    })
}

/// The step that says what the page's policy decided for `url`.
fn csp_step(check: &PolicyCheck, url: &Url) -> Step {
    let effective = &check.effective_directive;
    let s = step(
        Stage::Csp,
        "main-fetch",
        "The page's Content Security Policy",
        StepStatus::Pass,
    );
    let Some((name, value)) = &check.directive else {
        return s
            .compared(format!("{effective} for {url}"))
            .found(format!(
                "the policy sets neither {effective} nor a fallback for it: not restricted"
            ))
            .why(CSP_IS_NOT_CORS);
    };
    let directive = format!("{name} {value}");
    let compared = if check.is_fallback() {
        format!("{url} against `{directive}` ({effective} is not set, so {name} is used)")
    } else {
        format!("{url} against `{directive}`")
    };
    let s = s.compared(compared);
    match &check.matched_by {
        Some(source) => s
            .found(format!("allowed: `{source}` matches the URL"))
            .why(CSP_IS_NOT_CORS),
        None => {
            let target = url.origin().ascii_serialization();
            let mut blocked = s
                .found(format!(
                    "blocked: no source in `{directive}` matches {url}, so the browser refuses before sending anything"
                ))
                .why(format!("{CSP_IS_NOT_CORS} No preflight, no request on the wire, and no Access-Control-* header on {target} can change it: only the page's policy can (list {target} in {effective})."))
                .highlight(directive);
            blocked.status = StepStatus::Fail;
            blocked
        }
    }
}

/// What every CSP step teaches.
const CSP_IS_NOT_CORS: &str = "This is CSP, the page's own policy (where may this page connect or load from?), not CORS, the server's (may this origin read my response?).";

/// Runs main fetch for a built request and records its steps and exchanges.
pub fn main_fetch(ctx: &mut FetchContext<'_>, request: &Request) -> Fetched {
    if let Some(blocked) = check_page_csp(ctx, request) {
        return blocked;
    }
    let mut url_list = vec![request.url.clone()];
    let mut chain = Chain {
        method: request.method.clone(),
        preflight: PreflightUse::None,
        preflight_request: Vec::new(),
    };
    let mut headers = request.headers.clone();
    let mut body = request.body.clone();
    let mut tainting = Tainting::Basic;
    let mut redirect_count = 0;
    let credentials = request.credentials == Credentials::Include;
    // Bounded: at most 20 redirects are followed, so at most 21 rounds.
    for _round in 0..=21 {
        let current = url_list
            .last()
            .cloned()
            .unwrap_or_else(|| request.url.clone());
        let target = Origin::of_url(&current);
        let hop = url_list.len() > 1;
        let fail = |failure: Failure, status| (Outcome::NetworkError, failure, status);
        // Main fetch: "If request's current URL's origin is same origin with request's origin, and request's response tainting is "basic" …"
        let same_origin = ctx.page.is_same_origin(&target);
        let path_step = step(
            Stage::Origin,
            "main-fetch",
            if hop {
                "Which path after the redirect?"
            } else {
                "Which path?"
            },
            StepStatus::Info,
        );
        if same_origin && tainting == Tainting::Basic {
            ctx.steps
                .push(path_step.found("same origin: a plain fetch, no CORS involved"));
        } else if request.mode == Mode::SameOrigin {
            // "request's mode is "same-origin": Return a network error."
            let (outcome, failure, status) = fail(
                Failure::SameOriginModeCrossOrigin {
                    after_redirect: hop,
                },
                None,
            );
            ctx.steps.push(
                path_step
                    .found("mode same-origin and a cross-origin URL: network error")
                    .why("same-origin mode refuses any other origin.")
                    .status_fail(),
            );
            return chain.end(outcome, Some(failure), Vec::new(), &current, status);
        } else if request.mode == Mode::NoCors {
            // "request's mode is "no-cors": If request's redirect mode is not "follow", then return a network error."
            if request.redirect != Redirect::Follow {
                let (outcome, failure, status) = fail(Failure::NoCorsRedirectNotFollow, None);
                ctx.steps.push(
                    path_step
                        .found("no-cors with a redirect mode other than follow: network error")
                        .status_fail(),
                );
                return chain.end(outcome, Some(failure), Vec::new(), &current, status);
            }
            tainting = Tainting::Opaque;
            ctx.steps.push(
                path_step
                    .found("no-cors: the response will be opaque, no CORS check")
                    .why(
                        "The script gets a response it cannot read: status 0, no headers, no body.",
                    ),
            );
        } else if !matches!(current.scheme(), "http" | "https") {
            let (outcome, failure, status) = fail(
                Failure::UnsupportedScheme {
                    scheme: current.scheme().to_owned(),
                },
                None,
            );
            ctx.steps.push(
                path_step
                    .found(format!(
                        "scheme {} cannot be fetched cross-origin: network error",
                        current.scheme()
                    ))
                    .status_fail(),
            );
            return chain.end(outcome, Some(failure), Vec::new(), &current, status);
        } else {
            tainting = Tainting::Cors;
            ctx.steps
                .push(path_step.found("cross-origin: a CORS request").why(
                    "The response will be shared with the script only if it passes the CORS check.",
                ));
        }
        let origin = serialize_request_origin(ctx.page, &url_list);
        if hop && origin == "null" && tainting == Tainting::Cors {
            ctx.steps.push(
                step(Stage::Redirect, "concept-request-tainted-origin", "Origin becomes null", StepStatus::Warn)
                    .compared("the redirect chain")
                    .found("a cross-origin hop taints the request: Origin: null from now on")
                    .why("After a redirect through another origin, the browser no longer vouches for the page's origin.")
                    .highlight("null"),
            );
        }
        // Preflight, for CORS requests that need one.
        if tainting == Tainting::Cors {
            let unsafe_headers = cors_unsafe_request_header_names(&headers, ctx.profile);
            let needs = request.use_cors_preflight
                || !is_cors_safelisted_method(&chain.method)
                || !unsafe_headers.is_empty();
            let shown = Request {
                method: chain.method.clone(),
                headers: headers.clone(),
                ..request.clone()
            };
            ctx.steps
                .push(classification_step(&shown, &unsafe_headers, needs));
            if needs {
                let names: Vec<String> = unsafe_headers.iter().map(|h| h.name.clone()).collect();
                let ask = PreflightAsk {
                    origin: origin.clone(),
                    method: chain.method.clone(),
                    unsafe_headers: names.clone(),
                    credentials,
                    use_cors_preflight: request.use_cors_preflight,
                };
                let query = CacheQuery {
                    origin: &origin,
                    url: current.as_str(),
                    credentials,
                    method: &chain.method,
                    method_needs_entry: method_needs_entry(
                        &chain.method,
                        request.use_cors_preflight,
                    ),
                    headers: &names,
                };
                match ctx.cache.lookup(&query, ctx.now_ms, ctx.profile) {
                    Ok(()) => {
                        ctx.steps.push(
                            step(Stage::Cache, "concept-cache-match", "Preflight cache", StepStatus::Pass)
                                .compared(format!("cache entries for {origin} → {current}"))
                                .found("a fresh entry covers this method and these headers: no preflight is sent")
                                .why("This is why DevTools shows no OPTIONS request the second time."),
                        );
                        if chain.preflight == PreflightUse::None {
                            chain.preflight = PreflightUse::Cached;
                        }
                    }
                    Err(miss) => {
                        ctx.steps.push(cache_miss_step(&miss, &origin, &current));
                        if let Err((failure, status)) =
                            send_preflight(ctx, &ask, &current, &mut chain.preflight_request)
                        {
                            chain.preflight = PreflightUse::Sent;
                            // Main fetch: "If corsWithPreflightResponse is a network error, then clear cache entries using request."
                            ctx.cache.clear(&origin, current.as_str());
                            return chain
                                .end(
                                    Outcome::Blocked,
                                    Some(failure),
                                    Vec::new(),
                                    &current,
                                    status,
                                )
                                .network_error_if_not_cors();
                        }
                        chain.preflight = PreflightUse::Sent;
                    }
                }
            }
        }
        // The request itself.
        let mut sent_headers = headers.clone();
        // Append a request `Origin` header: for CORS requests, and for any method other than GET and HEAD.
        if tainting == Tainting::Cors || !matches!(chain.method.as_str(), "GET" | "HEAD") {
            sent_headers.append("Origin", &origin);
        }
        let wire = WireRequest {
            method: chain.method.clone(),
            url: current.to_string(),
            headers: sent_headers,
            body: body.clone(),
        };
        let response = ctx.server.respond(&wire);
        ctx.exchanges.push(Exchange {
            kind: ExchangeKind::Actual,
            request: wire,
            response: response.clone(),
        });
        let (status, response_headers) = match response {
            WireResponse::NetworkError { .. } => {
                ctx.steps.push(
                    step(
                        Stage::Request,
                        "concept-network-error",
                        "Request sent",
                        StepStatus::Fail,
                    )
                    .compared(format!("{} {current}", chain.method))
                    .found("the connection failed: no response at all")
                    .why("Nothing to check: this is a network error, not a CORS error."),
                );
                if tainting == Tainting::Cors {
                    ctx.cache.clear(&origin, current.as_str());
                }
                return chain.end(
                    Outcome::NetworkError,
                    Some(Failure::ConnectionFailed {
                        phase: Phase::Actual,
                    }),
                    Vec::new(),
                    &current,
                    None,
                );
            }
            WireResponse::Http {
                status, headers, ..
            } => (status, headers),
        };
        ctx.steps.push(
            step(Stage::Request, "http-fetch", "Request sent", StepStatus::Info)
                .compared(format!("{} {current}", chain.method))
                .found(format!("status {status}"))
                .why("The server always receives the request and answers it; CORS only decides whether the script may read the answer."),
        );
        // HTTP fetch: "If request's response tainting is "cors" and a CORS check for request and response returns failure, then return a network error."
        if tainting == Tainting::Cors {
            let check = cors_check(&origin, credentials, &response_headers, ctx.profile.browser);
            ctx.steps.push(cors_check_step(
                &origin,
                credentials,
                &response_headers,
                &check,
                Phase::Actual,
            ));
            if let Err(error) = check {
                if chain.preflight != PreflightUse::None {
                    ctx.cache.clear(&origin, current.as_str());
                }
                let mut fetched = chain.end(
                    Outcome::Blocked,
                    Some(Failure::Cors {
                        phase: Phase::Actual,
                        error,
                    }),
                    Vec::new(),
                    &current,
                    Some(status),
                );
                fetched.failed_on_followed_redirect = request.redirect == Redirect::Follow
                    && is_redirect_status(status)
                    && response_headers.get("Location").is_some();
                return fetched;
            }
        }
        let location = response_headers.get("Location");
        if let (true, Some(location)) = (is_redirect_status(status), location) {
            match request.redirect {
                Redirect::Error => {
                    ctx.steps.push(
                        step(
                            Stage::Redirect,
                            "concept-request-redirect-mode",
                            "Redirect",
                            StepStatus::Fail,
                        )
                        .found(format!(
                            "status {status} with redirect mode error: network error"
                        )),
                    );
                    return chain.end(
                        Outcome::NetworkError,
                        Some(Failure::RedirectModeError),
                        Vec::new(),
                        &current,
                        Some(status),
                    );
                }
                Redirect::Manual => {
                    ctx.steps.push(
                        step(Stage::Redirect, "concept-filtered-response-opaque-redirect", "Redirect", StepStatus::Info)
                            .found(format!("status {status} with redirect mode manual: an opaque-redirect response"))
                            .why("The script sees type \"opaqueredirect\", status 0 and no headers."),
                    );
                    return chain.end(Outcome::Opaque, None, Vec::new(), &current, Some(status));
                }
                Redirect::Follow => {}
            }
            // HTTP-redirect fetch.
            let next = match current.join(&location) {
                Ok(mut next) if matches!(next.scheme(), "http" | "https") => {
                    if next.fragment().is_none() {
                        next.set_fragment(current.fragment());
                    }
                    next
                }
                _ => {
                    ctx.steps.push(
                        step(
                            Stage::Redirect,
                            "http-redirect-fetch",
                            "Redirect",
                            StepStatus::Fail,
                        )
                        .found(format!(
                            "Location {location:?} is not an http(s) URL: network error"
                        )),
                    );
                    return chain.end(
                        Outcome::NetworkError,
                        Some(Failure::InvalidRedirectLocation { location }),
                        Vec::new(),
                        &current,
                        Some(status),
                    );
                }
            };
            // "If request's redirect count is 20, then return a network error."
            if redirect_count == 20 {
                ctx.steps.push(
                    step(
                        Stage::Redirect,
                        "http-redirect-fetch",
                        "Redirect",
                        StepStatus::Fail,
                    )
                    .found("a 21st redirect: network error"),
                );
                return chain.end(
                    Outcome::NetworkError,
                    Some(Failure::TooManyRedirects),
                    Vec::new(),
                    &current,
                    Some(status),
                );
            }
            redirect_count += 1;
            let has_credentials =
                !next.username().is_empty() || next.password().is_some_and(|p| !p.is_empty());
            // "If request's mode is "cors", locationURL includes credentials, and request's origin is not same origin with locationURL's origin, then return a network error."
            // "If request's response tainting is "cors" and locationURL includes credentials, then return a network error."
            let cors_mode_credentials = request.mode == Mode::Cors
                && has_credentials
                && !ctx.page.is_same_origin(&Origin::of_url(&next));
            if cors_mode_credentials || (tainting == Tainting::Cors && has_credentials) {
                ctx.steps.push(
                    step(
                        Stage::Redirect,
                        "http-redirect-fetch",
                        "Redirect",
                        StepStatus::Fail,
                    )
                    .compared(format!("Location {next}"))
                    .found("the redirect URL contains a username or password: network error")
                    .highlight(next.to_string()),
                );
                // Browser: Firefox reports it as a plain network failure (profile).
                let outcome = if ctx.profile.reports_redirect_credentials_as_cors {
                    Outcome::Blocked
                } else {
                    Outcome::NetworkError
                };
                return chain.end(
                    outcome,
                    Some(Failure::RedirectContainsCredentials {
                        location: next.to_string(),
                    }),
                    Vec::new(),
                    &current,
                    Some(status),
                );
            }
            // "If … response's status is 301 or 302 and request's method is `POST`, or … 303 and request's method is not `GET` or `HEAD`":
            if ((status == 301 || status == 302) && chain.method == "POST")
                || (status == 303 && !matches!(chain.method.as_str(), "GET" | "HEAD"))
            {
                chain.method = "GET".to_owned();
                body = None;
                for name in [
                    "Content-Encoding",
                    "Content-Language",
                    "Content-Location",
                    "Content-Type",
                ] {
                    headers.delete(name);
                }
            }
            // "If request's current URL's origin is not same origin with locationURL's origin, then for each headerName of CORS non-wildcard request-header name, delete headerName from request's header list."
            if !target.is_same_origin(&Origin::of_url(&next)) {
                headers.delete("Authorization");
            }
            ctx.steps.push(
                step(Stage::Redirect, "http-redirect-fetch", "Redirect followed", StepStatus::Info)
                    .compared(format!("status {status}, Location {location}"))
                    .found(format!("the browser now fetches {} {next}", chain.method))
                    .why("Each hop runs main fetch again: its own CORS check, and its own preflight if needed."),
            );
            url_list.push(next);
            continue;
        }
        // The response the script gets.
        let (outcome, readable) = match tainting {
            Tainting::Basic => (
                Outcome::Allowed,
                readable_header_names(&response_headers, false, credentials),
            ),
            Tainting::Cors => (
                Outcome::Allowed,
                readable_header_names(&response_headers, true, credentials),
            ),
            Tainting::Opaque => (Outcome::Opaque, Vec::new()),
        };
        return chain.end(outcome, None, readable, &current, Some(status));
    }
    Fetched {
        outcome: Outcome::NetworkError,
        failure: Some(Failure::TooManyRedirects),
        readable_headers: Vec::new(),
        preflight: chain.preflight,
        preflight_request: chain.preflight_request,
        final_url: request.url.to_string(),
        final_status: None,
        method: chain.method,
        failed_on_followed_redirect: false,
    }
}

impl Fetched {
    /// A preflight that failed at the network level is a network error, not a CORS error.
    fn network_error_if_not_cors(mut self) -> Fetched {
        if let Some(failure) = &self.failure {
            if !failure.is_cors_failure() {
                self.outcome = Outcome::NetworkError;
            }
        }
        self
    }
}

impl Step {
    fn status_fail(mut self) -> Step {
        self.status = StepStatus::Fail;
        self
    }
}

fn cache_miss_step(miss: &CacheMiss, origin: &str, url: &Url) -> Step {
    let s = step(
        Stage::Cache,
        "concept-cache-match",
        "Preflight cache",
        StepStatus::Info,
    )
    .compared(format!("cache entries for {origin} → {url}"));
    match miss {
        CacheMiss::NoEntry => s.found("no entry: a preflight must be sent"),
        CacheMiss::Expired { expired_ms } => s
            .found(format!(
                "the entry expired at {:.1} s: a preflight must be sent again",
                *expired_ms as f64 / 1000.0
            ))
            .highlight("expired"),
        CacheMiss::NotCovered { method, headers } => {
            let mut missing: Vec<String> = method.iter().map(|m| format!("method {m}")).collect();
            missing.extend(headers.iter().map(|h| format!("header {h}")));
            s.found(format!(
                "fresh entries do not cover {}: a preflight must be sent",
                missing.join(", ")
            ))
            .highlight(missing.join(", "))
        }
    }
}

/// Sends the preflight and checks its response; on success stores the grant in the cache.
fn send_preflight(
    ctx: &mut FetchContext<'_>,
    ask: &PreflightAsk,
    url: &Url,
    preflight_request: &mut Vec<(String, String)>,
) -> Result<(), (Failure, Option<u16>)> {
    let headers = preflight_request_headers(ask);
    if preflight_request.is_empty() {
        *preflight_request = headers
            .0
            .iter()
            .filter(|(n, _)| n != "Accept")
            .cloned()
            .collect();
        preflight_request.sort_by_key(|(n, _)| match n.as_str() {
            "Origin" => 0,
            "Access-Control-Request-Method" => 1,
            _ => 2,
        });
    }
    let wire = WireRequest {
        method: "OPTIONS".to_owned(),
        url: url.to_string(),
        headers,
        body: None,
    };
    let response = ctx.server.respond(&wire);
    ctx.exchanges.push(Exchange {
        kind: ExchangeKind::Preflight,
        request: wire.clone(),
        response: response.clone(),
    });
    let sent = step(Stage::Preflight, "cors-preflight-fetch-0", "Preflight sent", StepStatus::Info)
        .compared(format!("OPTIONS {url}"))
        .found(
            wire.headers
                .0
                .iter()
                .filter(|(n, _)| n != "Accept")
                .map(|(n, v)| format!("{n}: {v}"))
                .collect::<Vec<_>>()
                .join("\n"),
        )
        .why("The preflight carries no cookies and no credentials, only the questions: may this origin use this method and these headers?");
    ctx.steps.push(sent);
    let (status, response_headers) = match response {
        WireResponse::NetworkError { .. } => {
            ctx.steps.push(
                step(
                    Stage::Preflight,
                    "concept-network-error",
                    "Preflight response",
                    StepStatus::Fail,
                )
                .found("the connection failed: no preflight response"),
            );
            return Err((
                Failure::ConnectionFailed {
                    phase: Phase::Preflight,
                },
                None,
            ));
        }
        WireResponse::Http {
            status, headers, ..
        } => (status, headers),
    };
    let is_redirect = is_redirect_status(status) && response_headers.contains("Location");
    match check_preflight_response(ask, status, &response_headers, is_redirect, ctx.profile) {
        Ok(grant) => {
            ctx.steps.push(
                step(
                    Stage::Preflight,
                    "cors-preflight-fetch-0",
                    "Preflight response",
                    StepStatus::Pass,
                )
                .compared(format!(
                    "status {status}; Allow-Methods {:?}; Allow-Headers {:?}",
                    response_headers
                        .get("Access-Control-Allow-Methods")
                        .unwrap_or_default(),
                    response_headers
                        .get("Access-Control-Allow-Headers")
                        .unwrap_or_default()
                ))
                .found(format!(
                    "the preflight allows {} {}",
                    ask.method,
                    if ask.unsafe_headers.is_empty() {
                        String::new()
                    } else {
                        format!("with {}", ask.unsafe_headers.join(", "))
                    }
                ))
                .why(grant.max_age.explanation.clone()),
            );
            if grant.wildcard_covered_authorization {
                ctx.steps.push(
                    step(Stage::Preflight, "cors-non-wildcard-request-header-name", "Authorization and *", StepStatus::Warn)
                        .found("`*` covered Authorization here, but the spec says it must not: list Authorization explicitly")
                        .why("Browsers are moving to the spec rule; this request will break when they do.")
                        .highlight("authorization"),
                );
            }
            if grant.max_age.seconds > 0 {
                ctx.cache.store(
                    CacheEntry {
                        origin: ask.origin.clone(),
                        url: url.to_string(),
                        credentials: ask.credentials,
                        methods: grant.methods,
                        headers: grant.headers,
                        created_ms: ctx.now_ms,
                        max_age_seconds: grant.max_age.seconds,
                    },
                    ctx.profile,
                );
            }
            Ok(())
        }
        Err(failure) => {
            let mut failed = step(
                Stage::Preflight,
                "cors-preflight-fetch-0",
                "Preflight response",
                StepStatus::Fail,
            )
            .compared(format!("status {status}"))
            .found(describe_preflight_failure(&failure));
            if let Some(detail) = preflight_failure_detail(&failure) {
                failed = failed.highlight(detail);
            }
            if let Failure::Cors { error, .. } = &failure {
                failed = cors_check_step(
                    &ask.origin,
                    ask.credentials,
                    &response_headers,
                    &Err(error.clone()),
                    Phase::Preflight,
                );
            }
            ctx.steps.push(failed);
            Err((failure, Some(status)))
        }
    }
}

/// The deciding detail of a failed preflight: the status, the token that
/// does not parse, or the method or header name not allowed.
fn preflight_failure_detail(failure: &Failure) -> Option<String> {
    match failure {
        Failure::PreflightInvalidStatus { status } | Failure::PreflightRedirect { status } => {
            Some(status.to_string())
        }
        Failure::InvalidAllowMethods { token, .. } | Failure::InvalidAllowHeaders { token, .. } => {
            Some(token.clone())
        }
        Failure::MethodNotAllowed { method } => Some(method.clone()),
        Failure::HeaderNotAllowed { header } => Some(header.clone()),
        _ => None,
    }
}

fn describe_preflight_failure(failure: &Failure) -> String {
    match failure {
        Failure::PreflightInvalidStatus { status } => {
            format!("status {status} is not an ok status (200–299)")
        }
        Failure::PreflightRedirect { status } => {
            format!("status {status} redirects, and preflights never follow redirects")
        }
        Failure::InvalidAllowMethods { token, .. } => {
            format!("Access-Control-Allow-Methods does not parse: {token:?} is not a token")
        }
        Failure::InvalidAllowHeaders { token, .. } => {
            format!("Access-Control-Allow-Headers does not parse: {token:?} is not a token")
        }
        Failure::MethodNotAllowed { method } => {
            format!("method {method} is not in Access-Control-Allow-Methods")
        }
        Failure::HeaderNotAllowed { header } => {
            format!("header {header} is not in Access-Control-Allow-Headers")
        }
        other => format!("{other:?}"),
    }
}

/// The step for a CORS check, naming the deciding header.
fn cors_check_step(
    origin: &str,
    credentials: bool,
    headers: &HeaderList,
    result: &Result<(), super::failure::CorsError>,
    phase: Phase,
) -> Step {
    use super::failure::CorsError;
    let allow_origin = headers.get("Access-Control-Allow-Origin");
    let title = match phase {
        Phase::Preflight => "CORS check on the preflight",
        Phase::Actual => "CORS check",
    };
    let compared = format!(
        "Access-Control-Allow-Origin {} against the request's origin {origin}{}",
        allow_origin
            .as_deref()
            .map_or_else(|| "(absent)".to_owned(), |v| format!("{v:?}")),
        if credentials {
            ", with credentials"
        } else {
            ""
        }
    );
    let s = step(
        Stage::CorsCheck,
        "concept-cors-check",
        title,
        StepStatus::Pass,
    )
    .compared(compared);
    match result {
        Ok(()) => s.found(match allow_origin.as_deref() {
            Some("*") => "`*` allows any origin for a request without credentials".to_owned(),
            _ if credentials => {
                "the exact origin, and Access-Control-Allow-Credentials: true".to_owned()
            }
            _ => "the exact origin".to_owned(),
        }),
        Err(error) => {
            let (found, highlight) = match error {
                CorsError::MissingAllowOrigin => ("no Access-Control-Allow-Origin header".to_owned(), "Access-Control-Allow-Origin".to_owned()),
                CorsError::WildcardOriginNotAllowed => ("`*` is not allowed when credentials are included".to_owned(), "*".to_owned()),
                CorsError::MultipleAllowOriginValues { value, .. } => (format!("{value:?} holds more than one value; exactly one origin is allowed"), value.clone()),
                CorsError::InvalidAllowOriginValue { value } => (format!("{value:?} is not an origin"), value.clone()),
                CorsError::AllowOriginMismatch { value } => (format!("{value:?} is not byte-for-byte {origin:?}"), value.clone()),
                CorsError::InvalidAllowCredentials { value } => (
                    format!("Access-Control-Allow-Credentials is {value:?}; with credentials it must be exactly \"true\""),
                    "Access-Control-Allow-Credentials".to_owned(),
                ),
            };
            let mut failed = s.found(found).highlight(highlight);
            failed.status = StepStatus::Fail;
            failed.why =
                "The browser received the response but will not hand it to the script.".to_owned();
            failed
        }
    }
}

/// The origin step for the first URL.
pub fn origin_step(page: &Origin, target: &Origin) -> Step {
    let comparison = compare_origins(page, target);
    let parts: Vec<&str> = comparison
        .differs
        .iter()
        .map(|p| match p {
            OriginPart::Scheme => "scheme",
            OriginPart::Host => "host",
            OriginPart::Port => "port",
            OriginPart::Opaque => "opaque origin",
        })
        .collect();
    let s = step(
        Stage::Origin,
        "same-origin",
        "Same origin?",
        StepStatus::Info,
    )
    .compared(format!(
        "page {} vs request {}",
        comparison.page, comparison.target
    ));
    if parts.is_empty() {
        s.found("same scheme, host and port: same origin")
            .why("Same-origin requests need no CORS at all.")
    } else {
        s.found(format!("cross-origin: the {} differ{}", parts.join(" and "), if parts.len() == 1 { "s" } else { "" }))
            .why("Any difference in scheme, host or port makes the request cross-origin, even between subdomains of one site.")
            .highlight(parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_preflight_names_its_deciding_detail() {
        let header = Failure::HeaderNotAllowed {
            header: "content-type".into(),
        };
        assert_eq!(
            preflight_failure_detail(&header).as_deref(),
            Some("content-type")
        );
        let status = Failure::PreflightInvalidStatus { status: 404 };
        assert_eq!(preflight_failure_detail(&status).as_deref(), Some("404"));
        assert!(describe_preflight_failure(&status).contains("404"));
        let method = Failure::MethodNotAllowed {
            method: "PUT".into(),
        };
        assert_eq!(preflight_failure_detail(&method).as_deref(), Some("PUT"));
    }

    #[test]
    fn an_unsafe_headers_deciding_detail_is_in_its_sentence() {
        let reasons = [
            (UnsafeReason::ValueTooLong { length: 129 }, "byte 129"),
            (
                UnsafeReason::UnsafeByte {
                    byte: '"',
                    position: 3,
                },
                "0x22",
            ),
            (
                UnsafeReason::MimeEssence {
                    essence: "application/json".into(),
                },
                "application/json",
            ),
            (UnsafeReason::TotalTooLong { total: 1030 }, "1024"),
            (UnsafeReason::NameNotSafelisted, "x-token"),
        ];
        for (reason, detail) in reasons {
            let header = UnsafeHeader {
                name: "x-token".into(),
                value: "v".into(),
                reason,
            };
            assert_eq!(deciding_detail(&header), detail);
            assert!(describe_unsafe(&header).contains(detail), "{detail}");
        }
    }
}
