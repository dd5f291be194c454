//! What a fix is, as data: the response to change, the typed problem, and
//! the typed change (a CORS response header with its value, a status, a
//! content type, or one kind of advice). `fixes::text` words them.

use super::local_network::LnaDenial;
use crate::scenario::AddressSpace;
use serde::Serialize;

use crate::engine::cause::Cause;
use crate::engine::csp::CspViolation;
use crate::engine::failure::Failure;
use crate::engine::step::Step;

/// One change and the problem it solves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// The response to change (`preflight` or `actual`), or `request` for the script's side.
    pub stage: FixStage,
    /// What went wrong (worded by `fixes::text::problem`).
    pub problem: Problem,
    /// What to change.
    pub action: FixAction,
}

/// Where a fix applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixStage {
    /// The OPTIONS response.
    Preflight,
    /// The actual response.
    Actual,
    /// The script's request.
    Request,
}

/// The problem a fix solves, as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Problem {
    /// The failure the change repairs.
    Failure(Failure),
    /// The failing step says it: the step of the last run, which, after
    /// repairs, is a re-run's the request's own trace does not show.
    FailingStep(Box<Step>),
    /// The advice itself names it.
    Advice,
}

/// A concrete change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixAction {
    /// Send exactly this header (replacing any of the same name).
    Send(CorsHeader),
    /// Answer with this status (and no redirect).
    SetStatus(u16),
    /// Send this `Content-Type` (replacing any other).
    SetContentType(MediaType),
    /// Something only the client (or the deployment) can change.
    Advise(Advice),
}

/// A CORS response header with its typed value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CorsHeader {
    /// `Access-Control-Allow-Origin`.
    AllowOrigin(AllowOrigin),
    /// `Access-Control-Allow-Credentials: true` (the only value that counts).
    AllowCredentials,
    /// `Access-Control-Allow-Methods`, a list of methods.
    AllowMethods(Vec<String>),
    /// `Access-Control-Allow-Headers`, a list of header names.
    AllowHeaders(Vec<String>),
    /// `Access-Control-Expose-Headers`, a list of header names.
    ExposeHeaders(Vec<String>),
    /// `Access-Control-Max-Age`, in seconds.
    MaxAge(u64),
    /// `Vary`, a list of request header names.
    Vary(Vec<String>),
}

/// The value of `Access-Control-Allow-Origin`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AllowOrigin {
    /// `*`: any origin, refused with credentials.
    Any,
    /// Exactly this serialized origin (`null` included).
    Exact(String),
}

/// A `Content-Type` a fix sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MediaType {
    /// `text/event-stream`, the one `EventSource` reads.
    EventStream,
}

/// Something the server cannot repair: what only the script, the page or
/// the deployment can change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Advice {
    /// The page is the attacker's: the refusal is the protection working.
    AttackerPage,
    /// The page's own Content-Security-Policy blocked the URL.
    PageCsp {
        /// The directives that blocked it (the first decides what to widen).
        violations: Vec<CspViolation>,
    },
    /// The server did not answer at all.
    ConnectionFailed,
    /// Mode `same-origin` with a cross-origin URL.
    SameOriginMode,
    /// A `no-cors` request with a redirect mode other than `follow`.
    NoCorsRedirect,
    /// A redirect to a URL with a username or password.
    RedirectCredentials,
    /// A redirect for a request whose redirect mode is `error`.
    RedirectMode,
    /// More than 20 redirects.
    TooManyRedirects,
    /// A redirect to a Location that is not an http(s) URL.
    RedirectLocation,
    /// A URL whose scheme is not http(s).
    UnsupportedScheme,
    /// The server refused the WebSocket handshake.
    WebSocketHandshake,
    /// The script's call is refused before anything is sent.
    ScriptCall,

    // Issue 13 families 4 and 5: the browser's own gates, not CORS.
    /// Local Network Access refused a request into a more private address space.
    LocalNetworkAccess {
        /// The target's address space.
        target: AddressSpace,
        /// Why.
        denial: LnaDenial,
    },
    /// The response's Cross-Origin-Resource-Policy (or COEP's default) refused the page.
    CrossOriginResourcePolicy {
        /// Whether COEP `require-corp` supplied the policy.
        defaulted_by_coep: bool,
    },
    /// ORB refused a JSON/HTML/data response to an element.
    OpaqueResponseBlocking,
    // Issue 13: failures that are not CORS.
    /// The connection failed, and how.
    Connection {
        /// Refused, no address, untrusted certificate, closed, reset, or never answered.
        kind: crate::scenario::NetworkErrorKind,
    },
    /// The server never answered and the page's own limit ended the wait.
    PageTimeout,
    /// An https page asked for an http URL.
    MixedContent,
    /// The server answered with an error status (4xx, 5xx): fix that first.
    ServerError {
        /// The status.
        status: u16,
    },
    /// A redirect took the request to another origin that refused it.
    RedirectedElsewhere {
        /// The URL it landed on.
        to: String,
    },
    /// The preflight got an error status: the server does not handle OPTIONS there.
    PreflightNotHandled {
        /// The status.
        status: u16,
    },

    // What a cause needs when it is not the CORS protocol (see `cause`).
    /// The repair of `cause`: fix the crashed server, start it, serve https…
    Cause {
        /// The family.
        cause: Cause,
        /// The status of the response that failed, when known.
        status: Option<u16>,
    },
    /// Safari's catch-all line alone: what tells its cases apart.
    SafariCatchAll,
}

impl CorsHeader {
    /// The header's name.
    pub fn name(&self) -> &'static str {
        match self {
            CorsHeader::AllowOrigin(_) => "Access-Control-Allow-Origin",
            CorsHeader::AllowCredentials => "Access-Control-Allow-Credentials",
            CorsHeader::AllowMethods(_) => "Access-Control-Allow-Methods",
            CorsHeader::AllowHeaders(_) => "Access-Control-Allow-Headers",
            CorsHeader::ExposeHeaders(_) => "Access-Control-Expose-Headers",
            CorsHeader::MaxAge(_) => "Access-Control-Max-Age",
            CorsHeader::Vary(_) => "Vary",
        }
    }

    /// The header's value as sent: lists joined with `, `.
    pub fn value(&self) -> String {
        match self {
            CorsHeader::AllowOrigin(AllowOrigin::Any) => "*".to_owned(),
            CorsHeader::AllowOrigin(AllowOrigin::Exact(origin)) => origin.clone(),
            CorsHeader::AllowCredentials => "true".to_owned(),
            CorsHeader::AllowMethods(items)
            | CorsHeader::AllowHeaders(items)
            | CorsHeader::ExposeHeaders(items)
            | CorsHeader::Vary(items) => items.join(", "),
            CorsHeader::MaxAge(seconds) => seconds.to_string(),
        }
    }
}

impl MediaType {
    /// The essence, as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::EventStream => "text/event-stream",
        }
    }
}

impl FixAction {
    /// The header this change sends, as `(name, value)`, if it sends one.
    pub fn header(&self) -> Option<(&'static str, String)> {
        match self {
            FixAction::Send(header) => Some((header.name(), header.value())),
            FixAction::SetContentType(media) => Some(("Content-Type", media.as_str().to_owned())),
            FixAction::SetStatus(_) | FixAction::Advise(_) => None,
        }
    }
}

impl Advice {
    /// Whether the advice opens by saying that this is not a CORS problem
    /// (so a summary needs no "blocked before any CORS header" preamble).
    pub fn says_not_cors(&self) -> bool {
        matches!(
            self,
            Advice::PageCsp { .. }
                | Advice::LocalNetworkAccess { .. }
                | Advice::CrossOriginResourcePolicy { .. }
                | Advice::OpaqueResponseBlocking
                | Advice::Connection { .. }
                | Advice::PageTimeout
                | Advice::MixedContent
                | Advice::ServerError { .. }
                | Advice::PreflightNotHandled { .. }
                | Advice::Cause { .. }
                | Advice::SafariCatchAll
        )
    }
}
