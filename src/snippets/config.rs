//! The CORS configuration a request needs: the server's own CORS headers
//! with every fix applied.

use crate::engine::FixStage;
use crate::engine::HeaderList;
use crate::engine::WireResponse;
use crate::engine::{ExchangeKind, RequestTrace};
use crate::scenario::RequestSpec;

/// What a server must send for one request, after every fix.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CorsConfig {
    /// The request's URL path (where the configuration applies).
    pub path: String,
    /// The method the script sends.
    pub request_method: String,
    /// Whether the request is preflighted (an OPTIONS answer is needed).
    pub preflighted: bool,
    /// The preflight response's `Access-Control-*` headers, exact.
    pub preflight_headers: HeaderList,
    /// The actual response's `Access-Control-*` headers, exact.
    pub actual_headers: HeaderList,
    /// `Access-Control-Allow-Origin` (actual response first, else preflight).
    pub allow_origin: Option<String>,
    /// Whether `Access-Control-Allow-Credentials: true` is sent.
    pub allow_credentials: bool,
    /// `Access-Control-Allow-Methods`, one item per method.
    pub allow_methods: Vec<String>,
    /// `Access-Control-Allow-Headers`, one item per name.
    pub allow_headers: Vec<String>,
    /// `Access-Control-Expose-Headers`, one item per name.
    pub expose_headers: Vec<String>,
    /// `Access-Control-Max-Age`, as sent.
    pub max_age: Option<String>,
}

impl CorsConfig {
    /// The allowed methods, with the request's own method added when a
    /// framework validates the requested method against its list (FastAPI
    /// and Spring refuse a preflight for a method not listed, even a
    /// CORS-safelisted one).
    pub fn methods_including_request(&self) -> Vec<String> {
        let mut methods = self.allow_methods.clone();
        if self.preflighted
            && !self.request_method.is_empty()
            && !methods
                .iter()
                .any(|m| m == "*" || *m == self.request_method)
        {
            methods.push(self.request_method.clone());
        }
        methods
    }
}

/// The configuration for `request` (the trace of `spec`): the last response
/// of each kind's `Access-Control-*` headers, then each `set-header` fix on
/// top, so it holds what the engine's re-run found to succeed.
pub fn cors_config(spec: &RequestSpec, request: &RequestTrace) -> CorsConfig {
    let mut preflight_headers = last_cors_headers(request, ExchangeKind::Preflight);
    let mut actual_headers = last_cors_headers(request, ExchangeKind::Actual);
    let mut preflighted = request
        .exchanges
        .iter()
        .any(|e| e.kind == ExchangeKind::Preflight);
    for fix in &request.fixes {
        let Some((name, value)) = fix.action.header() else {
            continue;
        };
        match fix.stage {
            FixStage::Preflight => {
                preflighted = true;
                preflight_headers.set(name, &value);
            }
            FixStage::Actual => actual_headers.set(name, &value),
            FixStage::Request => {}
        }
    }
    let first_url = request
        .exchanges
        .first()
        .map_or(spec.url.as_str(), |e| e.request.url.as_str());
    let path = url::Url::parse(first_url)
        .map(|url| url.path().to_owned())
        .unwrap_or_else(|_| "/".to_owned());
    let request_method = request
        .exchanges
        .iter()
        .find(|e| e.kind == ExchangeKind::Actual)
        .map_or_else(|| spec.method.clone(), |e| e.request.method.clone());
    let either = |name: &str| {
        actual_headers
            .get(name)
            .or_else(|| preflight_headers.get(name))
    };
    let allow_origin = either("Access-Control-Allow-Origin");
    let allow_credentials = either("Access-Control-Allow-Credentials").as_deref() == Some("true");
    // When the preflight failed the actual request was never sent, so the
    // trace holds no actual response: it needs the origin (and
    // credentials) too, or a snippet that lists headers verbatim (nginx,
    // Go) answers the preflight and then fails the request itself
    // (tests/frameworks.rs runs the nginx snippet and caught this).
    if actual_headers.get("Access-Control-Allow-Origin").is_none() {
        if let Some(origin) = &allow_origin {
            actual_headers.set("Access-Control-Allow-Origin", origin);
        }
    }
    if allow_credentials
        && actual_headers
            .get("Access-Control-Allow-Credentials")
            .is_none()
    {
        actual_headers.set("Access-Control-Allow-Credentials", "true");
    }
    CorsConfig {
        allow_origin,
        allow_credentials,
        allow_methods: list(preflight_headers.get("Access-Control-Allow-Methods")),
        allow_headers: list(preflight_headers.get("Access-Control-Allow-Headers")),
        expose_headers: list(actual_headers.get("Access-Control-Expose-Headers")),
        max_age: preflight_headers.get("Access-Control-Max-Age"),
        path,
        request_method,
        preflighted,
        preflight_headers,
        actual_headers,
    }
}

/// The `Access-Control-*` headers of the last HTTP response of `kind`.
fn last_cors_headers(request: &RequestTrace, kind: ExchangeKind) -> HeaderList {
    let response = request
        .exchanges
        .iter()
        .rev()
        .filter(|e| e.kind == kind)
        .find_map(|e| match &e.response {
            WireResponse::Http { headers, .. } => Some(headers),
            WireResponse::NetworkError { .. } => None,
        });
    HeaderList(
        response
            .map(|headers| {
                headers
                    .0
                    .iter()
                    .filter(|(name, _)| {
                        name.get(..15)
                            .is_some_and(|p| p.eq_ignore_ascii_case("access-control-"))
                    })
                    .cloned()
                    .collect()
            })
            .unwrap_or_default(),
    )
}

/// A comma-separated header value as its items.
fn list(value: Option<String>) -> Vec<String> {
    value
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}
