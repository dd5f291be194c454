//! The version-1 scenario file, as `../shared/scenario-format.md` defines it.
//!
//! These types are the contract with instructors' files: later versions only
//! add optional fields, so nothing here may become required.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

/// The one accepted value of the `format` field.
pub const FORMAT_V1: &str = "cors-scenario/1";

/// A header as a `[name, value]` pair: order is kept and names may repeat.
pub type HeaderPair = (String, String);

/// One scenario: a page, a mock server and the requests the page's script makes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// Always [`FORMAT_V1`].
    pub format: String,
    /// Short kebab-case name, unique in a folder.
    pub id: String,
    /// Shown to the learner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Teaching text (plain text, blank line = new paragraph).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lesson: Option<String>,
    /// How hard the lesson is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// Topics, for grouping and search.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Whose rules and messages; `chrome` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser: Option<Browser>,
    /// The page's origin, `scheme://host[:port]`, or `"null"` for an opaque origin.
    pub page: String,
    /// The mock server: the first rule that matches answers.
    pub server: Vec<ServerRule>,
    /// The calls the page's script makes, in order.
    pub requests: Vec<RequestSpec>,
    /// One entry per request; a field left out is not checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<Vec<Expectation>>,
    /// Where the case comes from (free-form, e.g. a WPT file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<serde_json::Value>,
    /// Extension (optional): `expect` fields the engine is known not to
    /// model, each with the reason. Comparisons with the engine skip them;
    /// the real browser is still checked against them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_modelled: Vec<NotModelled>,
    /// Extension (optional): the page is the attacker's, so a refusal is the
    /// protection working. The engine then proposes no server change that
    /// would let this origin in, only advice saying so.
    #[serde(default, skip_serializing_if = "is_false")]
    pub attacker_page: bool,
    /// Extension (optional): the value of the `Content-Security-Policy`
    /// header the page is served with, e.g. `connect-src 'self'`. The
    /// engine checks every request against it before any CORS step
    /// (`engine::csp`); absent means no policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_csp: Option<String>,

    // Issue 13, families 4 and 5 (Local Network Access; CORP, COEP, ORB).
    /// Extension (optional): the IP address space of an origin's server,
    /// keyed by origin (`scheme://host[:port]`). An origin not listed gets
    /// the space its host implies: `localhost` and loopback addresses are
    /// `loopback`, private and link-local addresses `local`, every other
    /// address and every other name `public` (`engine::local_network`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub address_spaces: BTreeMap<String, AddressSpace>,
    /// Extension (optional): the page's Local Network Access permissions,
    /// by permission name; a name not listed is `prompt` (not yet asked).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub lna_permissions: BTreeMap<LnaPermission, PermissionState>,
    /// Extension (optional): the page's `Cross-Origin-Embedder-Policy`
    /// header value; absent means `unsafe-none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_coep: Option<EmbedderPolicy>,
}

/// An [IP address space](https://wicg.github.io/local-network-access/#ip-address-space),
/// ordered from the most private to the most public.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "kebab-case")]
pub enum AddressSpace {
    /// Only reachable on this device (`127.0.0.0/8`, `::1`, `localhost`).
    Loopback,
    /// Only meaningful within the current network (RFC 1918, link-local, …).
    Local,
    /// Everything else.
    #[default]
    Public,
}

impl AddressSpace {
    /// The name in files, console lines and the `targetAddressSpace` option.
    pub fn as_str(self) -> &'static str {
        match self {
            AddressSpace::Loopback => "loopback",
            AddressSpace::Local => "local",
            AddressSpace::Public => "public",
        }
    }

    /// [Less public](https://wicg.github.io/local-network-access/#ip-address-space-less-public)
    /// than `other`: loopback than local or public, local than public.
    pub fn is_less_public_than(self, other: AddressSpace) -> bool {
        self < other
    }
}

/// A Local Network Access [permission](https://wicg.github.io/local-network-access/#permissions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum LnaPermission {
    /// `loopback-network`: a loopback target.
    #[serde(rename = "loopback-network")]
    LoopbackNetwork,
    /// `local-network`: a local target.
    #[serde(rename = "local-network")]
    LocalNetwork,
}

impl LnaPermission {
    /// The permission's name.
    pub fn as_str(self) -> &'static str {
        match self {
            LnaPermission::LoopbackNetwork => "loopback-network",
            LnaPermission::LocalNetwork => "local-network",
        }
    }
}

/// A [permission state](https://w3c.github.io/permissions/#dom-permissionstate).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "kebab-case")]
pub enum PermissionState {
    /// The user allowed it.
    Granted,
    /// The user refused it.
    Denied,
    /// Not yet asked: the browser asks when a request needs it.
    #[default]
    Prompt,
}

/// An [embedder policy value](https://html.spec.whatwg.org/multipage/browsers.html#embedder-policy-value-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum EmbedderPolicy {
    /// No policy (the default).
    #[default]
    UnsafeNone,
    /// Every no-cors resource must opt in with `Cross-Origin-Resource-Policy` (or be CORS).
    RequireCorp,
}

impl EmbedderPolicy {
    /// The header value, e.g. `require-corp`.
    pub fn as_str(self) -> &'static str {
        match self {
            EmbedderPolicy::UnsafeNone => "unsafe-none",
            EmbedderPolicy::RequireCorp => "require-corp",
        }
    }
}

/// One `expect` field the engine does not model for one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotModelled {
    /// Index of the request (0-based).
    pub request: usize,
    /// The `expect` field, e.g. `console`.
    pub field: String,
    /// Why the engine cannot predict it.
    pub reason: String,
    /// Only for this browser's run (`verify --browser`); every browser when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser: Option<Browser>,
}

impl Scenario {
    /// The reason the engine does not model `field` of request `request` for
    /// the scenario's own browser (`expect`'s), if it is listed.
    pub fn not_modelled_reason(&self, request: usize, field: &str) -> Option<&str> {
        self.not_modelled_reason_in(request, field, self.browser.unwrap_or_default())
    }

    /// The reason the engine does not model `field` of request `request`
    /// when evaluated as `browser`, if it is listed.
    pub fn not_modelled_reason_in(
        &self,
        request: usize,
        field: &str,
        browser: Browser,
    ) -> Option<&str> {
        self.not_modelled
            .iter()
            .find(|n| {
                n.request == request
                    && n.field == field
                    && n.browser.is_none_or(|only| only == browser)
            })
            .map(|n| n.reason.as_str())
    }
}

/// A lesson's difficulty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// First steps.
    Beginner,
    /// Needs the basics.
    Intermediate,
    /// Corner cases.
    Advanced,
}

/// Whose rules and console messages the engine models.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "kebab-case")]
pub enum Browser {
    /// Chrome (Chromium, Blink): the default.
    #[default]
    Chrome,
    /// Firefox (Gecko).
    Firefox,
    /// Safari (WebKit).
    Safari,
}

impl Browser {
    /// Every modelled browser, in display order.
    pub const ALL: [Browser; 3] = [Browser::Chrome, Browser::Firefox, Browser::Safari];

    /// The name used in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Browser::Chrome => "chrome",
            Browser::Firefox => "firefox",
            Browser::Safari => "safari",
        }
    }
}

/// One mock-server rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerRule {
    /// Which requests this rule answers.
    #[serde(rename = "match")]
    pub matcher: RuleMatch,
    /// What it answers with. Extension: may be left out when `framework`
    /// answers (then only its `body` is used).
    #[serde(default)]
    pub respond: Respond,
    /// Extension (optional): the server is a framework as configured, and
    /// its model computes the status and CORS headers of each answer
    /// (`crate::frameworks`), instead of `respond`'s fixed list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub framework: Option<FrameworkRule>,
}

/// Extension: a server rule written as a framework's CORS configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameworkRule {
    /// The framework: `express`, `fastapi`, `django`, `flask`, `nginx`,
    /// `apache` or `tower-http`.
    pub name: String,
    /// The configuration as people write it (the app file, `settings.py`,
    /// the server block).
    pub config: String,
    /// How the route (or, behind nginx/Apache, the upstream) ends: `ok`
    /// (the default), `error` (an unhandled exception, a 500), `missing`
    /// (no such route, 404) or `down` (the upstream cannot be reached).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler: Option<String>,
    /// CORS headers the route or upstream sends itself, which reach the
    /// browser alongside the framework's own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upstream_headers: Vec<HeaderPair>,
}

/// The request a rule answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleMatch {
    /// Without it the rule answers every method, `OPTIONS` included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The full URL, compared without its fragment.
    pub url: String,
}

/// A mock response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Respond {
    /// HTTP status; 200 when absent.
    #[serde(default = "default_status")]
    pub status: u16,
    /// Response headers; `{{request.NAME}}` in a value is replaced by that request header.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<HeaderPair>,
    /// Response body text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub body: String,
    /// The connection fails instead, and how (`true` in a file is
    /// [`NetworkErrorKind::Closed`], its version-1 meaning).
    #[serde(
        default,
        deserialize_with = "network_error_kind",
        serialize_with = "write_network_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub network_error: Option<NetworkErrorKind>,
}

/// Extension: how a connection fails (`respond.network_error`), as
/// `../shared/scenario-format.md` ("Extensions") names the kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NetworkErrorKind {
    /// Accepted, then closed without a response (`true` in version 1).
    Closed,
    /// Nothing listens on the port.
    Refused,
    /// The connection is reset after the request was read.
    Reset,
    /// The host name does not resolve.
    Dns,
    /// https with a certificate the browser does not trust.
    Tls,
    /// Accepted, and never answered.
    Timeout,
}

impl NetworkErrorKind {
    /// Every kind, in the format's order.
    pub const ALL: [NetworkErrorKind; 6] = [
        NetworkErrorKind::Closed,
        NetworkErrorKind::Refused,
        NetworkErrorKind::Reset,
        NetworkErrorKind::Dns,
        NetworkErrorKind::Tls,
        NetworkErrorKind::Timeout,
    ];

    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            NetworkErrorKind::Closed => "closed",
            NetworkErrorKind::Refused => "refused",
            NetworkErrorKind::Reset => "reset",
            NetworkErrorKind::Dns => "dns",
            NetworkErrorKind::Tls => "tls",
            NetworkErrorKind::Timeout => "timeout",
        }
    }

    /// Whether the request reaches the server before the failure (closed,
    /// reset, timeout), or nothing is ever sent (refused, dns, tls).
    pub fn request_reaches_server(self) -> bool {
        matches!(
            self,
            NetworkErrorKind::Closed | NetworkErrorKind::Reset | NetworkErrorKind::Timeout
        )
    }
}

/// `network_error`: `true` is `closed`, `false` (or absent) is none, a
/// string names the kind.
fn network_error_kind<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<NetworkErrorKind>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Flag(bool),
        Kind(NetworkErrorKind),
    }
    let written = Option::<Written>::deserialize(d).map_err(|_| {
        serde::de::Error::custom(
            "expected true, false or one of \"closed\", \"refused\", \"reset\", \"dns\", \"tls\", \"timeout\"",
        )
    })?;
    Ok(match written {
        None | Some(Written::Flag(false)) => None,
        Some(Written::Flag(true)) => Some(NetworkErrorKind::Closed),
        Some(Written::Kind(kind)) => Some(kind),
    })
}

/// Writes `closed` back as `true`, so a version-1 file saved again reads as before.
fn write_network_error<S: serde::Serializer>(
    kind: &Option<NetworkErrorKind>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match kind {
        Some(NetworkErrorKind::Closed) | None => s.serialize_bool(kind.is_some()),
        Some(kind) => kind.serialize(s),
    }
}

fn default_status() -> u16 {
    200
}

impl Default for Respond {
    /// 200, no headers, no body.
    fn default() -> Respond {
        Respond {
            status: default_status(),
            headers: Vec::new(),
            body: String::new(),
            network_error: None,
        }
    }
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// Which script API makes the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Api {
    /// `fetch()`.
    #[default]
    Fetch,
    /// `XMLHttpRequest`.
    Xhr,
    /// Extension: an `<img>` element (`crossorigin` decides its mode).
    Img,
    /// Extension: a classic `<script>` element (`crossorigin` decides its mode).
    Script,
    /// Extension: a `<link rel=stylesheet>` element (`crossorigin` decides its mode).
    Stylesheet,
    /// Extension: `new EventSource(url, {withCredentials})`; `credentials:
    /// include` is `withCredentials = true`.
    Eventsource,
    /// Extension: a `<form>` submitted into an iframe (a navigation, never CORS).
    Form,
    /// Extension: `new WebSocket(url)` (no CORS: the server must check `Origin`).
    Websocket,
}

impl Api {
    /// Whether this API is one of the format's extensions that load through
    /// an element, a navigation or a socket rather than a script call whose
    /// response headers the script can read.
    pub fn is_extension(self) -> bool {
        !matches!(self, Api::Fetch | Api::Xhr)
    }

    /// Whether this API is an element with a [CORS settings attribute](https://html.spec.whatwg.org/multipage/urls-and-fetching.html#cors-settings-attributes)
    /// (`crossorigin`): `<img>`, `<script>`, `<link rel=stylesheet>`.
    pub fn is_element(self) -> bool {
        matches!(self, Api::Img | Api::Script | Api::Stylesheet)
    }
}

/// Extension: the [CORS settings attribute](https://html.spec.whatwg.org/multipage/urls-and-fetching.html#cors-settings-attributes)
/// `crossorigin` of an `<img>`, `<script>` or `<link>`; absent means the No CORS state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CrossOrigin {
    /// `crossorigin` or `crossorigin="anonymous"`: mode cors, credentials same-origin.
    Anonymous,
    /// `crossorigin="use-credentials"`: mode cors, credentials include.
    UseCredentials,
}

/// [Request mode](https://fetch.spec.whatwg.org/#concept-request-mode) as a script sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// `cors` (the default for `fetch()`).
    #[default]
    Cors,
    /// `no-cors`: an opaque response, no CORS check.
    NoCors,
    /// `same-origin`: cross-origin URLs fail.
    SameOrigin,
}

/// [Credentials mode](https://fetch.spec.whatwg.org/#concept-request-credentials-mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Credentials {
    /// Never send credentials.
    Omit,
    /// Only to the page's own origin (the default).
    #[default]
    SameOrigin,
    /// Always (`withCredentials = true` for XHR).
    Include,
}

/// [Redirect mode](https://fetch.spec.whatwg.org/#concept-request-redirect-mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Redirect {
    /// Follow redirects (the default).
    #[default]
    Follow,
    /// A redirect is a network error.
    Error,
    /// A redirect gives an opaque-redirect response.
    Manual,
}

/// One call the page's script makes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestSpec {
    /// `fetch` or `xhr`.
    #[serde(default)]
    pub api: Api,
    /// Absolute URL.
    pub url: String,
    /// Any token; `GET` when absent.
    #[serde(default = "default_method")]
    pub method: String,
    /// Headers as the script sets them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<HeaderPair>,
    /// Body text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// `fetch` only.
    #[serde(default)]
    pub mode: Mode,
    /// Credentials mode.
    #[serde(default)]
    pub credentials: Credentials,
    /// Redirect mode.
    #[serde(default)]
    pub redirect: Redirect,
    /// Extension, `img`, `script` and `stylesheet` only: the `crossorigin` attribute
    /// (absent: the element loads in no-cors mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crossorigin: Option<CrossOrigin>,
    /// XHR only: an upload progress listener is registered before `send()`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub upload_listener: bool,
    /// Milliseconds since the scenario started; the previous request's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_ms: Option<u64>,
    /// Extension (optional), `fetch` only: the `targetAddressSpace` option
    /// (Local Network Access), the address space the script expects the
    /// server in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_address_space: Option<AddressSpace>,
    /// Extension, `fetch` and `xhr` only: the page gives up after this many
    /// milliseconds (`AbortSignal.timeout(N)` / `xhr.timeout = N`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
}

fn default_method() -> String {
    "GET".to_owned()
}

/// Whether and how a preflight answered a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PreflightUse {
    /// No preflight was needed.
    None,
    /// A preflight went over the wire.
    Sent,
    /// A preflight-cache entry answered it.
    Cached,
}

/// The verdict on one request, as the script experiences it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The script gets the response.
    Allowed,
    /// A CORS check failed.
    Blocked,
    /// A `no-cors` response: the script sees nothing.
    Opaque,
    /// Failed before any CORS check.
    NetworkError,
}

/// An `expect` entry: every field is optional, and an absent field is not checked.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Expectation {
    /// Whether the request's URL is cross-origin to the page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_origin: Option<bool>,
    /// Whether a preflight was needed, sent or answered by the cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preflight: Option<PreflightUse>,
    /// Some or all of the preflight's CORS headers as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preflight_request: Option<Vec<HeaderPair>>,
    /// The verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// For `allowed`: the lower-cased response header names the script can read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readable_headers: Option<Vec<String>>,
    /// Every console line for this request, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub console: Option<Vec<String>>,
    /// The exception the script sees; `Some(None)` is an explicit `null`.
    #[serde(
        default,
        deserialize_with = "explicit_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub js_error: Option<Option<String>>,
}

/// Tells an explicit `null` (`Some(None)`) from an absent field (`None`).
fn explicit_null<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}
