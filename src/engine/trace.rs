//! The engine's output: data the app and the CLI render, never re-decide.

use serde::Serialize;

use super::browser::Profile;
use super::cache::PreflightCache;
use super::failure::Failure;
use super::fix::Fix;
use super::origin::OriginComparison;
use super::server::{WireRequest, WireResponse};
use super::step::Step;
use crate::scenario::{Browser, RequestResult};

/// Everything the engine found for one scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trace {
    /// Whose rules were applied.
    pub browser: Browser,
    /// That browser's deviations from the spec, as applied.
    pub profile: Profile,
    /// A problem with the scenario itself (e.g. an unparsable `page`); when
    /// set, `requests` is empty.
    pub scenario_error: Option<String>,
    /// One entry per scenario request, in order.
    pub requests: Vec<RequestTrace>,
    /// Lines the browser prints as the page loads, before any request: its
    /// warnings about the page's own `page_csp` (`messages::page_csp_warnings`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub page_console: Vec<String>,
}

/// What happened to one request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestTrace {
    /// The result, in the shape of an `expect` entry.
    pub result: RequestResult,
    /// When the request was made (milliseconds since the scenario started).
    pub at_ms: u64,
    /// The page and target origins, part by part.
    pub origin: Option<OriginComparison>,
    /// Each step the browser took, in order.
    pub steps: Vec<Step>,
    /// Every message over the wire, in order (for the sequence diagram).
    pub exchanges: Vec<Exchange>,
    /// The first failure: it decides the verdict and the console text.
    pub failure: Option<Failure>,
    /// Every server change needed for the request to succeed, the first
    /// failure's fix first, then each one that would fail next.
    pub fixes: Vec<Fix>,
    /// The preflight cache after this request.
    pub cache_after: PreflightCache,
    /// Which console lines (positions in `result.console`) the model takes
    /// from the browser's source rather than from the real browser: Safari's
    /// lines WebKitGTK does not show, or shows in its network stack's words
    /// (`messages::safari_line_from_source`). Empty for Chromium and Firefox,
    /// whose every line verify checks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub console_from_source: Vec<usize>,
    /// Whether `result.js_error` is from the browser's source only (as above).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub js_error_from_source: bool,
}

/// One message pair over the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exchange {
    /// A preflight or the request itself (or one of its redirects).
    pub kind: ExchangeKind,
    /// As sent.
    pub request: WireRequest,
    /// As received.
    pub response: WireResponse,
}

/// What an exchange was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExchangeKind {
    /// The OPTIONS preflight.
    Preflight,
    /// The request itself.
    Actual,
}
