//! The installed Firefox ESR, headless, driven over its own WebDriver BiDi
//! socket: one process per worker, a fresh user context (so a fresh preflight
//! cache, which Gecko keys by the principal's origin attributes,
//! `userContextId` included) and tab per scenario.
//!
//! Firefox connects straight to the mock server, as users' Firefox connects
//! to servers: hostnames are resolved to the worker's address by a
//! DNS-over-HTTPS resolver on that address (`super::doh`, Firefox's TRR in
//! "TRR only" mode), so that Firefox's DNS cache holds a record of each host,
//! as with any resolver. A name resolved by `network.dns.forceResolve` leaves
//! no such record, and Firefox then never answered a request from its
//! preflight cache (observed; see `super::doh`). verify once used an HTTP
//! proxy for that; every Firefox finding was observed again without it.
//!
//! Why a small client here and not a WebDriver crate: Firefox speaks BiDi
//! itself (`--remote-debugging-port`), and verify needs seven commands and
//! one event (`log.entryAdded`, which carries Firefox's `Cross-Origin Request
//! Blocked: …` lines). `fantoccini` speaks only classic WebDriver, whose
//! geckodriver has no console-log endpoint; `thirtyfour` (0.37+) has typed
//! BiDi but reaches it only through a classic session of geckodriver, which
//! would add a geckodriver process per worker and a `cargo install
//! geckodriver` to set-up (9.5 minutes on this 2-core machine) for no
//! information Firefox does not already give over its socket. The client
//! rides `async-tungstenite`, the WebSocket crate chromiumoxide already
//! brings, so it adds no crate to the build.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_tungstenite::tungstenite::Message;
use futures::StreamExt;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::doh::{self, Resolver};
use super::driver::{Driver, Tab};
use super::events::{EventLog, Seen};
use super::{address_spaces, failure_kinds};
use crate::scenario::{NetworkErrorKind, PermissionState, Scenario};

/// Where Firefox is looked for when `CORS_LAB_FIREFOX` is not set.
pub const DEFAULT_FIREFOX: &str = "/usr/bin/firefox-esr";

/// The Firefox executable to use: `$CORS_LAB_FIREFOX`, else [`DEFAULT_FIREFOX`].
pub fn firefox_path() -> PathBuf {
    std::env::var_os("CORS_LAB_FIREFOX")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_FIREFOX))
}

/// Firefox's first start with a fresh profile is slow on a busy machine.
const LAUNCH_LIMIT: Duration = Duration::from_secs(90);
/// Any one BiDi command.
const COMMAND_LIMIT: Duration = Duration::from_secs(30);

/// The prefs of the fresh profile, besides the resolver's.
/// (The Remote Agent already applies its recommended prefs: no updates,
/// telemetry, first-run pages.)
const PREFS: &[(&str, &str)] = &[
    // Keep http:// pages on http://, as Chromium is kept.
    ("dom.security.https_first", "false"),
    ("dom.security.https_first_schemeless", "false"),
    ("dom.security.https_only_mode", "false"),
    // Every hostname resolves to the mock server: send nothing of Firefox's own.
    ("network.captive-portal-service.enabled", "false"),
    ("network.connectivity-service.enabled", "false"),
    // No proxy: Firefox connects to the mock server itself.
    ("network.proxy.type", "0"),
    // Names go to the worker's DNS-over-HTTPS resolver only ("TRR only"),
    // which answers with a loopback address (allowed by `allow-rfc1918`);
    // no confirmation query, no IPv6 (the mock server is IPv4).
    ("network.trr.mode", "3"),
    ("network.trr.allow-rfc1918", "true"),
    ("network.trr.useGET", "false"),
    ("network.trr.confirmationNS", "\"skip\""),
    ("network.trr.wait-for-confirmation", "false"),
    ("network.trr.excluded-domains", "\"\""),
    ("network.trr.skip-check-for-blocked-host", "true"),
    ("network.dns.disableIPv6", "true"),
    ("network.dns.disablePrefetch", "true"),
    ("network.dns.native_https_query", "false"),
    ("network.http.speculative-parallel-limit", "0"),
    ("network.prefetch-next", "false"),
    ("browser.safebrowsing.malware.enabled", "false"),
    ("browser.safebrowsing.phishing.enabled", "false"),
    ("browser.shell.checkDefaultBrowser", "false"),
    // No favicon request: under a page's own CSP Firefox checks it against
    // `img-src` and prints the refusal, a line of the harness, not the scenario.
    ("browser.chrome.site_icons", "false"),
    ("datareporting.policy.dataSubmissionEnabled", "false"),
    ("toolkit.telemetry.enabled", "false"),
    ("app.update.enabled", "false"),
    ("extensions.update.enabled", "false"),
];

type Pending = Mutex<HashMap<u64, oneshot::Sender<Result<Value, String>>>>;

/// The BiDi connection: commands out, answers and events in.
struct Connection {
    outgoing: mpsc::UnboundedSender<String>,
    pending: Arc<Pending>,
    /// Where `log.entryAdded` events of each browsing context go.
    logs: Arc<Mutex<HashMap<String, Arc<EventLog>>>>,
    next_id: AtomicU64,
    tasks: Vec<JoinHandle<()>>,
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl Connection {
    async fn open(url: &str) -> Result<Connection, String> {
        let (socket, _) =
            tokio::time::timeout(COMMAND_LIMIT, async_tungstenite::tokio::connect_async(url))
                .await
                .map_err(|_| format!("Firefox's BiDi socket {url} did not answer"))?
                .map_err(|e| format!("cannot connect to Firefox's BiDi socket {url}: {e}"))?;
        let (mut sink, mut stream) = socket.split();
        let (outgoing, mut queue) = mpsc::unbounded_channel::<String>();
        let pending: Arc<Pending> = Arc::default();
        let logs: Arc<Mutex<HashMap<String, Arc<EventLog>>>> = Arc::default();
        let writer = tokio::spawn(async move {
            while let Some(text) = queue.recv().await {
                if sink.send(Message::Text(text.into())).await.is_err() {
                    break;
                }
            }
        });
        let (answers, routes) = (pending.clone(), logs.clone());
        let reader = tokio::spawn(async move {
            while let Some(Ok(message)) = stream.next().await {
                if let Message::Text(text) = message {
                    if let Ok(value) = serde_json::from_str::<Value>(text.as_str()) {
                        dispatch(&value, &answers, &routes);
                    }
                }
            }
            // The socket closed: fail every command still waiting.
            for (_, waiter) in locked(&answers).drain() {
                let _ = waiter.send(Err("Firefox closed the BiDi socket".to_owned()));
            }
        });
        Ok(Connection {
            outgoing,
            pending,
            logs,
            next_id: AtomicU64::new(1),
            tasks: vec![writer, reader],
        })
    }

    /// Sends `method` and waits (at most `limit`) for its result.
    async fn call(&self, method: &str, params: Value, limit: Duration) -> Result<Value, String> {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let (answer, waiting) = oneshot::channel();
        locked(&self.pending).insert(id, answer);
        let message = json!({ "id": id, "method": method, "params": params }).to_string();
        if self.outgoing.send(message).is_err() {
            locked(&self.pending).remove(&id);
            return Err(format!("{method}: the BiDi socket is closed"));
        }
        match tokio::time::timeout(limit, waiting).await {
            Ok(Ok(result)) => result.map_err(|e| format!("{method}: {e}")),
            Ok(Err(_)) => Err(format!("{method}: no answer (socket closed)")),
            Err(_) => {
                locked(&self.pending).remove(&id);
                Err(format!("{method}: no answer within {} s", limit.as_secs()))
            }
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Hands an answer to its waiting command, or a log event to its tab's log.
fn dispatch(value: &Value, pending: &Pending, logs: &Mutex<HashMap<String, Arc<EventLog>>>) {
    if let Some(id) = value.get("id").and_then(Value::as_u64) {
        if let Some(waiter) = locked(pending).remove(&id) {
            let result = match value.get("type").and_then(Value::as_str) {
                Some("success") => Ok(value.get("result").cloned().unwrap_or(Value::Null)),
                _ => Err(format!(
                    "{}: {}",
                    text_of(value.get("error")),
                    text_of(value.get("message"))
                )),
            };
            let _ = waiter.send(result);
        }
        return;
    }
    if value.get("method").and_then(Value::as_str) != Some("log.entryAdded") {
        return;
    }
    let Some(entry) = value.get("params") else {
        return;
    };
    let context = text_of(entry.pointer("/source/context"));
    let Some(log) = locked(logs).get(&context).cloned() else {
        return;
    };
    if std::env::var_os("CORS_LAB_VERIFY_DEBUG").is_some() {
        eprintln!("[verify debug] bidi {entry}");
    }
    let timestamp = entry.get("timestamp").and_then(Value::as_f64);
    let text = text_of(entry.get("text"));
    let seen = match entry.get("type").and_then(Value::as_str) {
        Some("console") => Seen::ConsoleApi { text },
        _ => Seen::Log {
            source: text_of(entry.get("type")),
            level: text_of(entry.get("level")),
            text,
            request_id: None,
        },
    };
    log.push(timestamp, seen);
}

/// A JSON string's text (empty for anything else).
fn text_of(value: Option<&Value>) -> String {
    value
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_default()
}

/// The running Firefox and its BiDi session.
pub(crate) struct Firefox {
    child: Child,
    connection: Arc<Connection>,
    _profile: tempfile::TempDir,
    /// Resolves every name Firefox looks up to the worker's address.
    _resolver: Resolver,
    /// What it was launched from and for, to launch one for a scenario
    /// whose names must not resolve.
    executable: std::path::PathBuf,
    ip: Ipv4Addr,
    /// e.g. `firefox-esr 153.7.0esr`.
    version: String,
}

/// A tab in its own user context.
pub(crate) struct FirefoxTab {
    connection: Arc<Connection>,
    context: String,
    user_context: String,
    log: Arc<EventLog>,
}

impl Firefox {
    /// Launches `executable` headless with a fresh profile whose names all
    /// resolve to `ip`, and opens a BiDi session that accepts the
    /// mock server's self-signed certificates.
    pub(crate) async fn launch(executable: &Path, ip: Ipv4Addr) -> Result<Self, String> {
        let resolver = Resolver::start(ip).await?;
        Firefox::launch_with(executable, ip, resolver, doh::DOH_PORT, Vec::new()).await
    }

    /// Launches as [`Firefox::launch`] does, with its own resolver (on
    /// another port) that answers `unresolvable` names with NXDOMAIN, and
    /// `extra_prefs` (name, JavaScript value) in its `user.js`.
    async fn launch_for(
        executable: &Path,
        ip: Ipv4Addr,
        unresolvable: Vec<String>,
        extra_prefs: Vec<(&'static str, String)>,
    ) -> Result<Self, String> {
        let port = doh::DOH_PORT + 1;
        let resolver = Resolver::start_on(ip, port, unresolvable).await?;
        Firefox::launch_with(executable, ip, resolver, port, extra_prefs).await
    }

    async fn launch_with(
        executable: &Path,
        ip: Ipv4Addr,
        resolver: Resolver,
        resolver_port: u16,
        extra_prefs: Vec<(&'static str, String)>,
    ) -> Result<Self, String> {
        if !executable.exists() {
            return Err(format!(
                "Firefox not found at {} (install Debian's `firefox-esr` package, or set CORS_LAB_FIREFOX)",
                executable.display()
            ));
        }
        let profile = tempfile::Builder::new()
            .prefix("cors-lab-firefox-")
            .tempdir()
            .map_err(|e| format!("cannot make a Firefox profile folder: {e}"))?;
        let mut prefs = format!(
            "user_pref(\"network.trr.uri\", \"{}\");\n",
            Resolver::uri(ip, resolver_port)
        );
        for (name, value) in PREFS {
            prefs.push_str(&format!("user_pref(\"{name}\", {value});\n"));
        }
        for (name, value) in &extra_prefs {
            prefs.push_str(&format!("user_pref(\"{name}\", {value});\n"));
        }
        std::fs::write(profile.path().join("user.js"), prefs)
            .map_err(|e| format!("cannot write the Firefox profile's user.js: {e}"))?;
        let mut child = Command::new(executable)
            .arg("--headless")
            .arg("--no-remote")
            .arg("--remote-debugging-port=0")
            .arg("--profile")
            .arg(profile.path())
            .arg("about:blank")
            .env("MOZ_CRASHREPORTER_DISABLE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot launch Firefox ({}): {e}", executable.display()))?;
        let Some(stderr) = child.stderr.take() else {
            return Err("Firefox's stderr is not readable".to_owned());
        };
        let mut lines = BufReader::new(stderr).lines();
        let url = tokio::time::timeout(LAUNCH_LIMIT, async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(at) = line.find("ws://") {
                    return line.get(at..).map(|url| url.trim().to_owned());
                }
            }
            None
        })
        .await;
        let url = match url {
            Ok(Some(url)) => url,
            Ok(None) => return Err("Firefox exited before its BiDi socket opened".to_owned()),
            Err(_) => {
                return Err(format!(
                    "Firefox did not open its BiDi socket within {} s",
                    LAUNCH_LIMIT.as_secs()
                ))
            }
        };
        // Keep reading stderr, so that Firefox never blocks on a full pipe.
        let drain = tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let connection = Connection::open(&format!("{url}/session")).await?;
        let session = connection
            .call(
                "session.new",
                json!({ "capabilities": { "alwaysMatch": { "acceptInsecureCerts": true } } }),
                // Part of the launch: a busy machine slows a fresh profile's first session.
                LAUNCH_LIMIT,
            )
            .await?;
        connection
            .call(
                "session.subscribe",
                json!({ "events": ["log.entryAdded"] }),
                COMMAND_LIMIT,
            )
            .await?;
        let number = text_of(session.pointer("/capabilities/browserVersion"));
        let name = executable
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "firefox".to_owned());
        let version = if name.contains("esr") {
            format!("firefox-esr {number}esr")
        } else {
            format!("firefox {number}")
        };
        let mut connection = connection;
        connection.tasks.push(drain);
        Ok(Firefox {
            child,
            connection: Arc::new(connection),
            _profile: profile,
            _resolver: resolver,
            executable: executable.to_path_buf(),
            ip,
            version,
        })
    }
}

impl Driver for Firefox {
    type Tab = FirefoxTab;

    /// Opens `about:blank` in a tab of a new user context (BiDi
    /// `browser.createUserContext`: its own cookies, cache and preflight cache).
    async fn open_tab(&self) -> Result<FirefoxTab, String> {
        self.open_tab_in(json!({})).await
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
        let mut prefs: Vec<(&'static str, String)> =
            address_spaces::firefox_overrides(self.ip, &spaces)
                .into_iter()
                .map(|(name, list)| (name, format!("{list:?}")))
                .collect();
        if !prefs.is_empty() {
            // Nobody answers the permission prompt: let it end (denied) within the request.
            prefs.push((
                "network.lna.prompt.timeout",
                address_spaces::FIREFOX_PROMPT_TIMEOUT_MS.to_string(),
            ));
        }
        Some(Firefox::launch_for(&self.executable, self.ip, unresolvable, prefs).await)
    }

    /// A scenario with a `tls` rule runs in a user context that does not
    /// accept the mock server's certificates (the session does, for every
    /// other context): Firefox ESR 153 takes `acceptInsecureCerts` per user
    /// context (FINDINGS-beyond-cors.md §1).
    ///
    /// The scenario's `lna_permissions` are set in the new user context
    /// (BiDi `permissions.setPermission`; Firefox 153 knows the split names
    /// `loopback-network` / `local-network` only).
    async fn open_tab_for(&self, scenario: &Scenario) -> Option<Result<FirefoxTab, String>> {
        let distrusts = !failure_kinds::hosts_failing(scenario, NetworkErrorKind::Tls).is_empty();
        if !distrusts && scenario.lna_permissions.is_empty() {
            return None;
        }
        let params = if distrusts {
            json!({ "acceptInsecureCerts": false })
        } else {
            json!({})
        };
        let tab = match self.open_tab_in(params).await {
            Ok(tab) => tab,
            Err(e) => return Some(Err(e)),
        };
        let (origin, _) = super::page_run::page_origin(scenario);
        for (permission, state) in &scenario.lna_permissions {
            let state = match state {
                PermissionState::Granted => "granted",
                PermissionState::Denied => "denied",
                PermissionState::Prompt => "prompt",
            };
            let set = self
                .connection
                .call(
                    "permissions.setPermission",
                    json!({
                        "descriptor": { "name": permission.as_str() },
                        "state": state,
                        "origin": origin,
                        "userContext": tab.user_context,
                    }),
                    COMMAND_LIMIT,
                )
                .await;
            if let Err(e) = set {
                self.close_tab_now(tab).await;
                return Some(Err(format!(
                    "cannot set the {} permission: {e}",
                    permission.as_str()
                )));
            }
        }
        Some(Ok(tab))
    }

    async fn close_tab(&self, tab: FirefoxTab) {
        self.close_tab_now(tab).await;
    }

    fn version(&self) -> String {
        self.version.clone()
    }

    async fn close(self) {
        self.close_now().await;
    }
}

impl Firefox {
    /// Opens `about:blank` in a tab of a new user context made with `params`.
    async fn open_tab_in(&self, params: serde_json::Value) -> Result<FirefoxTab, String> {
        let connection = &self.connection;
        let created = connection
            .call("browser.createUserContext", params, COMMAND_LIMIT)
            .await?;
        let user_context = text_of(created.get("userContext"));
        let tab = connection
            .call(
                "browsingContext.create",
                json!({ "type": "tab", "userContext": user_context }),
                COMMAND_LIMIT,
            )
            .await;
        let context = match tab {
            Ok(tab) => text_of(tab.get("context")),
            Err(e) => {
                let _ = connection
                    .call(
                        "browser.removeUserContext",
                        json!({ "userContext": user_context }),
                        COMMAND_LIMIT,
                    )
                    .await;
                return Err(e);
            }
        };
        let log = Arc::new(EventLog::default());
        locked(&connection.logs).insert(context.clone(), log.clone());
        Ok(FirefoxTab {
            connection: connection.clone(),
            context,
            user_context,
            log,
        })
    }

    async fn close_tab_now(&self, tab: FirefoxTab) {
        let connection = &self.connection;
        locked(&connection.logs).remove(&tab.context);
        let limit = Duration::from_secs(5);
        let _ = connection
            .call(
                "browsingContext.close",
                json!({ "context": tab.context }),
                limit,
            )
            .await;
        let _ = connection
            .call(
                "browser.removeUserContext",
                json!({ "userContext": tab.user_context }),
                limit,
            )
            .await;
    }

    async fn close_now(mut self) {
        let _ = self
            .connection
            .call("browser.close", json!({}), Duration::from_secs(5))
            .await;
        let exited = tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await;
        if !matches!(exited, Ok(Ok(_))) {
            let _ = self.child.kill().await;
        }
    }
}

impl Tab for FirefoxTab {
    async fn goto(&self, url: &str, limit: Duration) -> Result<(), String> {
        self.connection
            .call(
                "browsingContext.navigate",
                json!({ "context": self.context, "url": url, "wait": "complete" }),
                limit,
            )
            .await
            .map(|_| ())
            .map_err(|e| format!("cannot load {url}: {e}"))
    }

    async fn evaluate(&self, expression: String, limit: Duration) -> Result<String, String> {
        let answer = self
            .connection
            .call(
                "script.evaluate",
                json!({
                    "expression": expression,
                    "target": { "context": self.context },
                    "awaitPromise": true,
                    "resultOwnership": "none",
                }),
                limit,
            )
            .await?;
        match answer.get("type").and_then(Value::as_str) {
            Some("success") => match answer.pointer("/result/value") {
                Some(Value::String(text)) => Ok(text.clone()),
                other => Err(format!("the harness returned {other:?}, not a string")),
            },
            _ => Err(format!(
                "the harness script threw: {}",
                text_of(answer.pointer("/exceptionDetails/text"))
            )),
        }
    }

    fn log(&self) -> &EventLog {
        &self.log
    }
}
