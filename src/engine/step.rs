//! Typed step events: what each algorithm compared, found and decided, as
//! data. No English lives here; [`super::narrate`] renders a step's words
//! when something shows them.

use serde::Serialize;

use super::browser::MaxAgeReason;
use super::cache::CacheMiss;
use super::csp::PolicyCheck;
use super::failure::{CorsError, Failure, Phase};
use super::local_network::LnaDecision;
use super::origin::OriginPart;
use super::request::BuildNote;
use super::resource_policy::{CorpCheck, OrbReason};
use super::safelist::UnsafeHeader;
use crate::scenario::{Api, Credentials, CrossOrigin, NetworkErrorKind, Outcome};

/// The stages a learner steps through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// The script's call builds the request.
    Build,
    /// Page origin vs request origin.
    Origin,
    /// The page's own Content-Security-Policy (not CORS).
    Csp,
    /// Local Network Access: a less public page reaching a more private address (not CORS).
    LocalNetwork,
    /// Simple or preflighted.
    Classification,
    /// The preflight cache.
    Cache,
    /// The OPTIONS exchange.
    Preflight,
    /// The request on the wire.
    Request,
    /// The CORS check on the response.
    CorsCheck,
    /// Cross-Origin-Resource-Policy, COEP and ORB on a no-cors response (not CORS).
    ResourcePolicy,
    /// A redirect.
    Redirect,
    /// What the script can read.
    Response,
    /// The browser's final verdict.
    Verdict,
    // Issue 13, what is not CORS (network failures, mixed content, error statuses):
    /// An https page asking for an http URL ([Mixed Content](https://w3c.github.io/webappsec-mixed-content/)).
    MixedContent,
    /// The connection itself: DNS, TCP, TLS, or a server that never answers.
    Connection,
    /// The server answered with an error status (4xx, 5xx): its own failure first.
    ServerError,
}

/// Whether a step passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepStatus {
    /// A check that passed.
    Pass,
    /// The check that failed.
    Fail,
    /// Something the browser did or decided.
    Info,
    /// Allowed, but worth knowing (a deviation, a dropped header).
    Warn,
}

/// The standard that defines a step, and the anchor in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "document", content = "anchor", rename_all = "kebab-case")]
pub enum SpecRef {
    /// The [Fetch Standard](https://fetch.spec.whatwg.org/).
    Fetch(&'static str),
    /// The [HTML Standard](https://html.spec.whatwg.org/multipage/): the
    /// multipage file and the anchor.
    Html(&'static str, &'static str),
    /// The [XMLHttpRequest Standard](https://xhr.spec.whatwg.org/).
    Xhr(&'static str),
    /// The [WebSockets Standard](https://websockets.spec.whatwg.org/).
    WebSockets(&'static str),
    /// [Content Security Policy Level 3](https://w3c.github.io/webappsec-csp/).
    Csp(&'static str),
    /// [Mixed Content](https://w3c.github.io/webappsec-mixed-content/).
    MixedContent(&'static str),
    /// [Local Network Access](https://wicg.github.io/local-network-access/).
    LocalNetworkAccess(&'static str),
    /// [Opaque Response Blocking](https://github.com/annevk/orb) (the
    /// explainer and algorithm Fetch integrates).
    Orb(&'static str),
}

impl SpecRef {
    /// The anchor (fragment) in its document.
    pub fn anchor(self) -> &'static str {
        match self {
            SpecRef::Fetch(a)
            | SpecRef::Html(_, a)
            | SpecRef::Xhr(a)
            | SpecRef::WebSockets(a)
            | SpecRef::Csp(a)
            | SpecRef::MixedContent(a)
            | SpecRef::LocalNetworkAccess(a)
            | SpecRef::Orb(a) => a,
        }
    }

    /// The document's name, e.g. "Fetch Standard".
    pub fn document(self) -> &'static str {
        match self {
            SpecRef::Fetch(_) => "Fetch Standard",
            SpecRef::Html(..) => "HTML Standard",
            SpecRef::Xhr(_) => "XMLHttpRequest Standard",
            SpecRef::WebSockets(_) => "WebSockets Standard",
            SpecRef::Csp(_) => "Content Security Policy",
            SpecRef::MixedContent(_) => "Mixed Content",
            SpecRef::LocalNetworkAccess(_) => "Local Network Access",
            SpecRef::Orb(_) => "Opaque Response Blocking",
        }
    }

    /// The full URL of the anchor.
    pub fn url(self) -> String {
        match self {
            SpecRef::Fetch(a) => format!("https://fetch.spec.whatwg.org/#{a}"),
            SpecRef::Html(page, a) => {
                format!("https://html.spec.whatwg.org/multipage/{page}#{a}")
            }
            SpecRef::Xhr(a) => format!("https://xhr.spec.whatwg.org/#{a}"),
            SpecRef::WebSockets(a) => format!("https://websockets.spec.whatwg.org/#{a}"),
            SpecRef::Csp(a) => format!("https://w3c.github.io/webappsec-csp/#{a}"),
            SpecRef::MixedContent(a) => {
                format!("https://w3c.github.io/webappsec-mixed-content/#{a}")
            }
            SpecRef::LocalNetworkAccess(a) => {
                format!("https://wicg.github.io/local-network-access/#{a}")
            }
            SpecRef::Orb(a) => format!("https://github.com/annevk/orb#{a}"),
        }
    }
}

/// Which path main fetch took for a URL (its step 12's switch).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "path", rename_all = "kebab-case")]
pub enum PathTaken {
    /// Same origin and basic tainting: no CORS.
    SameOrigin,
    /// Mode same-origin met another origin: a network error.
    SameOriginModeRefused,
    /// Mode no-cors with a redirect mode other than follow: a network error.
    NoCorsRedirectNotFollow,
    /// Mode no-cors: an opaque response.
    NoCors,
    /// A cross-origin URL whose scheme is not HTTP(S): a network error.
    UnsupportedScheme {
        /// The scheme.
        scheme: String,
    },
    /// A CORS request.
    Cors,
}

/// How a redirect ended or went on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "redirect", rename_all = "kebab-case")]
pub enum RedirectStep {
    /// Redirect mode "error": a network error.
    ModeError {
        /// The redirect status.
        status: u16,
    },
    /// Redirect mode "manual": an opaque-redirect response.
    Manual {
        /// The redirect status.
        status: u16,
    },
    /// `Location` is not an HTTP(S) URL.
    InvalidLocation {
        /// The `Location` value.
        location: String,
    },
    /// A 21st redirect.
    TooMany,
    /// The new URL holds a username or password.
    Credentials {
        /// The new URL.
        next: String,
    },
    /// Followed.
    Followed {
        /// The redirect status.
        status: u16,
        /// The `Location` value.
        location: String,
        /// The method of the next request.
        method: String,
        /// The next URL.
        next: String,
    },
}

/// What a step recorded: the inputs compared, what was found and the
/// deciding detail, all as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "kebab-case")]
pub enum StepKind {
    /// Building the request changed something (never `InitiatorMode`).
    Built {
        /// What changed.
        note: BuildNote,
    },
    /// How an element, EventSource, form or WebSocket fetches.
    InitiatorMode {
        /// The API.
        api: Api,
        /// The element's `crossorigin` attribute.
        crossorigin: Option<CrossOrigin>,
        /// The credentials mode chosen.
        credentials: Credentials,
        /// The method.
        method: String,
    },
    /// The script's call throws.
    Thrown {
        /// Why.
        failure: Failure,
    },
    /// Page origin vs the request's.
    SameOrigin {
        /// The page's origin, serialised.
        page: String,
        /// The URL's origin, serialised.
        target: String,
        /// The parts that differ.
        differs: Vec<OriginPart>,
    },
    /// The page's policy decided for the URL.
    PageCsp {
        /// The deciding policy's check.
        check: PolicyCheck,
        /// The URL.
        url: String,
    },
    /// Main fetch chose a path.
    Path {
        /// Whether this is after a redirect.
        after_redirect: bool,
        /// Which one.
        path: PathTaken,
    },
    /// A cross-origin hop made the request's origin `null`.
    OriginTainted,
    /// Simple or preflighted.
    Classification {
        /// The method.
        method: String,
        /// The request's header names.
        header_names: Vec<String>,
        /// Whether the method is CORS-safelisted.
        method_safelisted: bool,
        /// Whether the use-CORS-preflight flag is set.
        use_cors_preflight: bool,
        /// The CORS-unsafe headers.
        unsafe_headers: Vec<UnsafeHeader>,
        /// Whether a preflight is needed.
        needs_preflight: bool,
    },
    /// A fresh cache entry covers the request.
    CacheHit {
        /// The request's origin.
        origin: String,
        /// The URL.
        url: String,
    },
    /// The cache could not answer.
    CacheMiss {
        /// The request's origin.
        origin: String,
        /// The URL.
        url: String,
        /// Why.
        miss: CacheMiss,
    },
    /// The preflight as sent.
    PreflightSent {
        /// The URL.
        url: String,
        /// Its headers (without `Accept`).
        headers: Vec<(String, String)>,
    },
    /// The preflight's connection failed.
    PreflightUnanswered {
        /// The URL.
        url: String,
        /// How the connection failed.
        kind: NetworkErrorKind,
        /// The page's own limit, when it gave up waiting.
        page_timeout_ms: Option<u64>,
    },
    /// The preflight allows the request.
    PreflightAllowed {
        /// The status.
        status: u16,
        /// `Access-Control-Allow-Methods` as received.
        allow_methods: String,
        /// `Access-Control-Allow-Headers` as received.
        allow_headers: String,
        /// The method asked for.
        method: String,
        /// The headers asked for.
        unsafe_headers: Vec<String>,
        /// How long it may be cached, and why.
        max_age: MaxAgeReason,
    },
    /// `*` covered `Authorization` (a deviation browsers warn about).
    WildcardCoveredAuthorization,
    /// The preflight's response failed a check other than the CORS check.
    PreflightRejected {
        /// The status.
        status: u16,
        /// The failure.
        failure: Failure,
    },
    /// A CORS check on a response.
    CorsCheck {
        /// The preflight's or the request's.
        phase: Phase,
        /// The request's origin.
        origin: String,
        /// Whether credentials are included.
        credentials: bool,
        /// `Access-Control-Allow-Origin` as received.
        allow_origin: Option<String>,
        /// The result.
        result: Result<(), CorsError>,
    },
    /// The request's connection failed.
    Unanswered {
        /// The method.
        method: String,
        /// The URL.
        url: String,
        /// How the connection failed.
        kind: NetworkErrorKind,
        /// The page's own limit, when it gave up waiting.
        page_timeout_ms: Option<u64>,
    },
    /// The request was answered.
    Answered {
        /// The method.
        method: String,
        /// The URL.
        url: String,
        /// The status.
        status: u16,
    },
    /// A redirect.
    Redirect(RedirectStep),
    /// A form submission navigates.
    Navigation,
    /// The navigation's connection failed.
    NavigationUnanswered,
    /// The navigation was answered.
    NavigationAnswered {
        /// The status.
        status: u16,
    },
    /// A WebSocket handshake is sent.
    Handshake {
        /// The URL.
        url: String,
        /// The page's origin.
        origin: String,
    },
    /// The handshake was answered.
    HandshakeAnswered {
        /// The status (101 opens the connection).
        status: u16,
    },
    // Issue 13 families 4 and 5.
    /// The Local Network Access check decided (only recorded when it applied).
    LocalNetworkAccess {
        /// The URL.
        url: String,
        /// What it compared and decided.
        decision: LnaDecision,
    },
    /// The cross-origin resource policy check of a no-cors response
    /// (recorded when a policy applied).
    ResourcePolicy {
        /// The response's URL.
        url: String,
        /// What it found.
        check: CorpCheck,
    },
    /// Opaque-response blocking refused a no-cors response to an element.
    OrbBlocked {
        /// The response's URL.
        url: String,
        /// Its `Content-Type` (empty when absent).
        content_type: String,
        /// The step that refused it.
        reason: OrbReason,
    },
    // Issue 13, what is not CORS:
    /// An https page's request for an insecure URL, and what the browser did.
    MixedContent {
        /// The page's URL.
        page_url: String,
        /// The insecure URL as asked for.
        url: String,
        /// Blocked, upgraded to https, or let through.
        resolution: MixedContentResolution,
    },
    /// An error status on a response the CORS check then refused (or on a
    /// preflight): the server failed before CORS was even in question.
    ErrorStatus {
        /// The preflight's or the request's.
        phase: Phase,
        /// The status.
        status: u16,
        /// Whether the error response carried `Access-Control-Allow-Origin`.
        has_allow_origin: bool,
    },
    /// A redirect took the request to another origin, whose response the
    /// CORS check then refused: an API call sent somewhere nobody meant
    /// (a login page after an expired session, say).
    RedirectedElsewhere {
        /// The URL the script asked for.
        from: String,
        /// The URL whose response failed the check.
        to: String,
    },
    /// The browser's verdict.
    Verdict {
        /// The outcome.
        outcome: Outcome,
        /// The API.
        api: Api,
        /// Whether a failure decided it.
        failed: bool,
        /// Whether the page's CSP blocked it.
        csp_blocked: bool,
        /// How many console lines the browser printed.
        console_lines: usize,
    },
}

/// What [should fetching request be blocked as mixed content](https://w3c.github.io/webappsec-mixed-content/#should-block-fetch)
/// and the upgrade before it decided for an insecure URL on a secure page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "resolution", rename_all = "kebab-case")]
pub enum MixedContentResolution {
    /// Blockable content (fetch, XHR, EventSource, WebSocket, scripts,
    /// stylesheets): a network error, nothing is sent.
    Blocked,
    /// Upgradeable content (an image): the URL becomes https (same port).
    Upgraded {
        /// The https URL fetched instead.
        to: String,
    },
    /// The URL is potentially trustworthy (`localhost`, `127.0.0.0/8`,
    /// `[::1]`): not mixed content.
    Trustworthy,
    /// Blockable content on `localhost` or a loopback address, which the
    /// browser does not count as potentially trustworthy (WebKit): blocked.
    LoopbackBlocked,
}

/// One step, with the spec anchor that defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Which stage it belongs to.
    pub stage: Stage,
    /// Pass, fail, info or warning.
    pub status: StepStatus,
    /// The document and anchor that define it.
    pub spec: SpecRef,
    /// What happened, as data.
    pub kind: StepKind,
}

mod placement;

use self::placement::placement;

const HTML_FETCHING: &str = "urls-and-fetching.html";

impl Step {
    /// The step for `kind`, with its stage, status and spec anchor.
    pub fn new(kind: StepKind) -> Step {
        let (stage, status, spec) = placement(&kind);
        Step {
            stage,
            status,
            spec,
            kind,
        }
    }

    /// The full spec URL of this step's anchor.
    pub fn spec_url(&self) -> String {
        self.spec.url()
    }
}
