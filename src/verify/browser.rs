//! The installed headless Chromium, driven over CDP with `chromiumoxide`:
//! one process per worker, a fresh browser context (fresh preflight cache) per scenario.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chromiumoxide::browser::{Browser, BrowserConfig, BrowserConfigBuilder};
use chromiumoxide::cdp::browser_protocol::audits::{
    EnableParams as AuditsEnableParams, EventIssueAdded,
};
use chromiumoxide::cdp::browser_protocol::browser::{
    BrowserContextId, PermissionDescriptor, PermissionSetting, SetPermissionParams,
};
use chromiumoxide::cdp::browser_protocol::log::EventEntryAdded;
use chromiumoxide::cdp::browser_protocol::network::{EventLoadingFailed, EventRequestWillBeSent};
use chromiumoxide::cdp::browser_protocol::target::{
    CreateBrowserContextParams, CreateTargetParams,
};
use chromiumoxide::cdp::js_protocol::runtime::{
    EvaluateParams, EventConsoleApiCalled, EventExceptionThrown,
};
use chromiumoxide::Page;
use futures::StreamExt;
use tokio::task::JoinHandle;

use super::driver::{Driver, Tab};
use super::events::{EventLog, Seen};
use super::{address_spaces, failure_kinds};
use crate::scenario::{NetworkErrorKind, PermissionState, Scenario};

/// Where Chromium is looked for when `CORS_LAB_CHROMIUM` is not set.
pub const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";

/// The Chromium executable to use: `$CORS_LAB_CHROMIUM`, else [`DEFAULT_CHROMIUM`].
pub fn chromium_path() -> PathBuf {
    std::env::var_os("CORS_LAB_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CHROMIUM))
}

/// The project's headless Chromium (README: a fresh profile at `profile`, no
/// sandbox, GPU, QUIC, first-run or default-browser prompts, background
/// networking, component updates or sync; 30 s to launch, 20 s per CDP
/// call). `verify`, the end-to-end tests and `bench-app` all start from it
/// and add their own flags (`.args`, `.arg`, window size) before `build()`.
pub fn headless_chromium(executable: &Path, profile: &Path) -> BrowserConfigBuilder {
    BrowserConfig::builder()
        .chrome_executable(executable)
        .disable_default_args()
        .no_sandbox()
        .user_data_dir(profile)
        .launch_timeout(Duration::from_secs(30))
        .request_timeout(Duration::from_secs(20))
        .args([
            "disable-gpu",
            "disable-quic",
            "no-first-run",
            "no-default-browser-check",
            "disable-background-networking",
            "disable-component-update",
            "disable-sync",
        ])
}

/// The running browser.
pub(crate) struct Chromium {
    browser: Browser,
    handler: JoinHandle<()>,
    _profile: tempfile::TempDir,
    /// What it was launched from and for, to launch one for a scenario that
    /// needs its own resolver rules.
    executable: PathBuf,
    ip: Ipv4Addr,
    /// e.g. `chromium 156.0.8078.79`.
    pub(crate) version: String,
}

impl std::fmt::Debug for Chromium {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chromium")
            .field("version", &self.version)
            .finish()
    }
}

/// A page in its own browser context, with its CDP events being recorded.
pub(crate) struct ScenarioPage {
    page: Page,
    log: Arc<EventLog>,
    listeners: Vec<JoinHandle<()>>,
    context: BrowserContextId,
}

impl Chromium {
    /// Launches `executable` headless with a fresh profile, every hostname
    /// resolving to `ip`.
    pub(crate) async fn launch(executable: &Path, ip: Ipv4Addr) -> Result<Self, String> {
        Chromium::launch_for(executable, ip, &[], "").await
    }

    /// Launches as [`Chromium::launch`] does, except that `unresolvable`
    /// names resolve nowhere (`~NOTFOUND`: `net::ERR_NAME_NOT_RESOLVED`) and
    /// `space_overrides` (`IP:PORT=space,…`, see `address_spaces`) give
    /// ports of `ip` another IP address space than loopback.
    /// Certificates are trusted only when made with verify's own key
    /// (`--ignore-certificate-errors-spki-list`), so a scenario's untrusted
    /// one fails as it would for users.
    pub(crate) async fn launch_for(
        executable: &Path,
        ip: Ipv4Addr,
        unresolvable: &[String],
        space_overrides: &str,
    ) -> Result<Self, String> {
        if !executable.exists() {
            return Err(format!(
                "Chromium not found at {} (install Debian's `chromium` package, or set CORS_LAB_CHROMIUM)",
                executable.display()
            ));
        }
        let profile = tempfile::Builder::new()
            .prefix("cors-lab-chromium-")
            .tempdir()
            .map_err(|e| format!("cannot make a Chromium profile folder: {e}"))?;
        let mut resolver_rules: Vec<String> = unresolvable
            .iter()
            .map(|host| format!("MAP {host} ~NOTFOUND"))
            .collect();
        resolver_rules.push(format!("MAP * {ip}"));
        let resolver_rules = resolver_rules.join(", ");
        let trusted = super::certificate::trusted_spki_sha256()?;
        // chromiumoxide would otherwise tell every page to ignore certificate errors.
        let mut config = headless_chromium(executable, profile.path());
        if !space_overrides.is_empty() {
            config = config.arg(("ip-address-space-overrides", space_overrides));
        }
        let config = config
            .respect_https_errors()
            .arg(("ignore-certificate-errors-spki-list", trusted.as_str()))
            .args([
                "no-proxy-server",
                // The next scenario's page opens beside the running one: keep both at full speed.
                "disable-renderer-backgrounding",
                "disable-background-timer-throttling",
                "disable-backgrounding-occluded-windows",
            ])
            .arg(("host-resolver-rules", resolver_rules.as_str()))
            // Keep http:// pages on http:// (no HTTPS-First upgrade attempts).
            .arg((
                "disable-features",
                "HttpsUpgrades,HttpsFirstBalancedModeAutoEnable",
            ))
            .build()?;
        let (browser, mut handler) = Browser::launch(config)
            .await
            .map_err(|e| format!("cannot launch Chromium ({}): {e}", executable.display()))?;
        let handler = tokio::spawn(async move {
            // Errors here are single messages chromiumoxide could not parse; keep going.
            while let Some(_message) = handler.next().await {}
        });
        let version = browser
            .version()
            .await
            .map(|v| describe_version(&v.product))
            .unwrap_or_else(|_| "chromium (unknown version)".to_owned());
        Ok(Chromium {
            browser,
            handler,
            _profile: profile,
            executable: executable.to_path_buf(),
            ip,
            version,
        })
    }
}

impl Driver for Chromium {
    type Tab = ScenarioPage;

    /// Opens `about:blank` in a new browser context (CDP
    /// `Target.createBrowserContext`: a fresh preflight cache, cookie jar and
    /// socket pool) and starts recording its events.
    async fn open_tab(&self) -> Result<ScenarioPage, String> {
        let context = self
            .browser
            .create_browser_context(CreateBrowserContextParams::default())
            .await
            .map_err(|e| format!("cannot create a browser context: {e}"))?;
        let params = CreateTargetParams::builder()
            .url("about:blank")
            .browser_context_id(context.clone())
            .build()
            .map_err(|e| format!("bad Target.createTarget parameters: {e}"))?;
        let page = match self.browser.new_page(params).await {
            Ok(page) => page,
            Err(e) => {
                let _ = self.browser.dispose_browser_context(context).await;
                return Err(format!("cannot open a page: {e}"));
            }
        };
        let log = Arc::new(EventLog::default());
        let listeners = match start_listeners(&page, &log).await {
            Ok(listeners) => listeners,
            Err(e) => {
                let _ = page.close().await;
                let _ = self.browser.dispose_browser_context(context).await;
                return Err(e);
            }
        };
        Ok(ScenarioPage {
            page,
            log,
            listeners,
            context,
        })
    }

    async fn close_tab(&self, page: ScenarioPage) {
        for listener in &page.listeners {
            listener.abort();
        }
        let _ = tokio::time::timeout(Duration::from_secs(5), page.page.close()).await;
        let _ = tokio::time::timeout(
            Duration::from_secs(5),
            self.browser.dispose_browser_context(page.context),
        )
        .await;
    }

    fn version(&self) -> String {
        self.version.clone()
    }

    async fn own_browser(&self, scenario: &Scenario) -> Option<Result<Self, String>> {
        if !failure_kinds::needs_own_browser(scenario) {
            return None;
        }
        let unresolvable = failure_kinds::hosts_failing(scenario, NetworkErrorKind::Dns);
        let spaces = match address_spaces::port_spaces(scenario) {
            Ok(spaces) => spaces,
            Err(e) => return Some(Err(e)),
        };
        let overrides = address_spaces::chromium_overrides(self.ip, &spaces);
        Some(Chromium::launch_for(&self.executable, self.ip, &unresolvable, &overrides).await)
    }

    /// A page whose context has the scenario's `lna_permissions` set (CDP
    /// `Browser.setPermission` with the split names `loopback-network` /
    /// `local-network`; Chromium 156 accepts the old umbrella name
    /// `local-network-access` too, but it grants nothing).
    ///
    /// A scenario that meets Local Network Access also gets a second CDP
    /// session on its page (`raw_cors_errors`), for the CorsErrors that
    /// chromiumoxide's types do not know.
    async fn open_tab_for(&self, scenario: &Scenario) -> Option<Result<ScenarioPage, String>> {
        let meets_lna = address_spaces::port_spaces(scenario).is_ok_and(|s| !s.is_empty());
        if scenario.lna_permissions.is_empty() && !meets_lna {
            return None;
        }
        let (origin, _) = super::page_run::page_origin(scenario);
        let mut page = match self.open_tab().await {
            Ok(page) => page,
            Err(e) => return Some(Err(e)),
        };
        if meets_lna {
            let listening = super::raw_cors_errors::listen(
                self.browser.websocket_address(),
                page.page.target_id().inner(),
                page.log.clone(),
            )
            .await;
            match listening {
                Ok(task) => page.listeners.push(task),
                Err(e) => {
                    self.close_tab(page).await;
                    return Some(Err(e));
                }
            }
        }
        for (permission, state) in &scenario.lna_permissions {
            let setting = match state {
                PermissionState::Granted => PermissionSetting::Granted,
                PermissionState::Denied => PermissionSetting::Denied,
                PermissionState::Prompt => PermissionSetting::Prompt,
            };
            let params = SetPermissionParams::builder()
                .permission(PermissionDescriptor::new(permission.as_str()))
                .setting(setting)
                .origin(origin.clone())
                .browser_context_id(page.context.clone())
                .build();
            let set = match params {
                Ok(params) => self
                    .browser
                    .execute(params)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            if let Err(e) = set {
                self.close_tab(page).await;
                return Some(Err(format!(
                    "cannot set the {} permission: {e}",
                    permission.as_str()
                )));
            }
        }
        Some(Ok(page))
    }

    async fn close(mut self) {
        let closed = tokio::time::timeout(Duration::from_secs(5), self.browser.close()).await;
        if !matches!(closed, Ok(Ok(_))) {
            let _ = self.browser.kill().await;
        }
        let _ = tokio::time::timeout(Duration::from_secs(5), self.browser.wait()).await;
        self.handler.abort();
    }
}

/// `HeadlessChrome/156.0.8078.79` → `chromium 156.0.8078.79`.
fn describe_version(product: &str) -> String {
    match product.split_once('/') {
        Some((_, number)) => format!("chromium {number}"),
        None => format!("chromium {product}"),
    }
}

async fn start_listeners(page: &Page, log: &Arc<EventLog>) -> Result<Vec<JoinHandle<()>>, String> {
    let error = |e: chromiumoxide::error::CdpError| format!("cannot listen to page events: {e}");
    let mut tasks = Vec::new();

    let mut entries = page
        .event_listener::<EventEntryAdded>()
        .await
        .map_err(error)?;
    let sink = log.clone();
    tasks.push(tokio::spawn(async move {
        while let Some(event) = entries.next().await {
            let entry = &event.entry;
            sink.push(
                Some(*entry.timestamp.inner()),
                Seen::Log {
                    source: enum_text(&entry.source),
                    level: enum_text(&entry.level),
                    text: entry.text.clone(),
                    request_id: entry
                        .network_request_id
                        .as_ref()
                        .map(|id| id.inner().clone()),
                },
            );
        }
    }));

    let mut calls = page
        .event_listener::<EventConsoleApiCalled>()
        .await
        .map_err(error)?;
    let sink = log.clone();
    tasks.push(tokio::spawn(async move {
        while let Some(event) = calls.next().await {
            let text = event
                .args
                .iter()
                .map(|arg| match &arg.value {
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                    None => arg.description.clone().unwrap_or_default(),
                })
                .collect::<Vec<_>>()
                .join(" ");
            sink.push(Some(*event.timestamp.inner()), Seen::ConsoleApi { text });
        }
    }));

    let mut exceptions = page
        .event_listener::<EventExceptionThrown>()
        .await
        .map_err(error)?;
    let sink = log.clone();
    tasks.push(tokio::spawn(async move {
        while let Some(event) = exceptions.next().await {
            let details = &event.exception_details;
            let text = details
                .exception
                .as_ref()
                .and_then(|e| e.description.clone())
                .map(|d| format!("{} {d}", details.text))
                .unwrap_or_else(|| details.text.clone());
            sink.push(Some(*event.timestamp.inner()), Seen::Exception { text });
        }
    }));

    let mut sent = page
        .event_listener::<EventRequestWillBeSent>()
        .await
        .map_err(error)?;
    let sink = log.clone();
    tasks.push(tokio::spawn(async move {
        while let Some(event) = sent.next().await {
            sink.push(
                None,
                Seen::Request {
                    request_id: event.request_id.inner().clone(),
                    url: event.request.url.clone(),
                    method: event.request.method.clone(),
                },
            );
        }
    }));

    let mut failed = page
        .event_listener::<EventLoadingFailed>()
        .await
        .map_err(error)?;
    let sink = log.clone();
    tasks.push(tokio::spawn(async move {
        while let Some(event) = failed.next().await {
            let cors = event.cors_error_status.as_ref();
            sink.push(
                None,
                Seen::LoadingFailed {
                    request_id: event.request_id.inner().clone(),
                    error_text: event.error_text.clone(),
                    cors_error: cors.map(|c| enum_text(&c.cors_error)),
                    failed_parameter: cors.map(|c| c.failed_parameter.clone()),
                    blocked_reason: event.blocked_reason.as_ref().map(enum_text),
                },
            );
        }
    }));
    let mut issues = page
        .event_listener::<EventIssueAdded>()
        .await
        .map_err(error)?;
    let sink = log.clone();
    tasks.push(tokio::spawn(async move {
        while let Some(event) = issues.next().await {
            let issue = serde_json::to_string(&event.issue).unwrap_or_default();
            sink.push(None, Seen::Issue { issue });
        }
    }));
    page.execute(AuditsEnableParams::default())
        .await
        .map_err(|e| format!("cannot enable the Audits domain: {e}"))?;
    Ok(tasks)
}

/// The protocol's own spelling of a CDP enum value.
fn enum_text<T: serde::Serialize + std::fmt::Debug>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{value:?}"),
    }
}

impl Tab for ScenarioPage {
    async fn goto(&self, url: &str, limit: Duration) -> Result<(), String> {
        tokio::time::timeout(limit, self.page.goto(url))
            .await
            .map_err(|_| format!("{url} did not load within {} s", limit.as_secs()))?
            .map_err(|e| format!("cannot load {url}: {e}"))?;
        Ok(())
    }

    async fn evaluate(&self, expression: String, limit: Duration) -> Result<String, String> {
        evaluate_string(&self.page, expression, limit).await
    }

    fn log(&self) -> &EventLog {
        &self.log
    }
}

/// Runs `expression` in the page, awaiting a promise, and returns its string value.
async fn evaluate_string(
    page: &Page,
    expression: String,
    limit: Duration,
) -> Result<String, String> {
    let params = EvaluateParams::builder()
        .expression(expression)
        .await_promise(true)
        .return_by_value(true)
        .build()
        .map_err(|e| format!("bad Runtime.evaluate parameters: {e}"))?;
    let response = tokio::time::timeout(limit, page.execute(params))
        .await
        .map_err(|_| format!("the page did not answer within {} s", limit.as_secs()))?
        .map_err(|e| format!("Runtime.evaluate failed: {e}"))?;
    if let Some(details) = &response.result.exception_details {
        return Err(format!("the harness script threw: {}", details.text));
    }
    match &response.result.result.value {
        Some(serde_json::Value::String(s)) => Ok(s.clone()),
        other => Err(format!("the harness returned {other:?}, not a string")),
    }
}
