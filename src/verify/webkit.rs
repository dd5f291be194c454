//! WebKitGTK (Debian's `libwebkit2gtk-4.1-0`): its MiniBrowser under Xvfb,
//! one browser process per scenario, so each scenario has fresh caches (the
//! preflight cache lives in the network process of each MiniBrowser).
//!
//! Why MiniBrowser without WebDriver: WebCore writes every console line to
//! the web process's stderr (`--enable-write-console-messages-to-stdout`,
//! WebKitSettings' `enable-write-console-messages-to-stdout`), as
//! `[URL:LINE:COLUMN: ]CONSOLE SOURCE LEVEL text`, but never for an
//! ephemeral session (`PageConsoleClient::addMessage` skips it), and
//! MiniBrowser under `WebKitWebDriver` (`--automation`) always runs an
//! ephemeral session; WebKitGTK 2.50's driver offers no WebDriver BiDi
//! (`webSocketUrl` is refused) and classic WebDriver has no console log. So
//! MiniBrowser runs as a user runs it, with a fresh data folder per
//! scenario, and the page fetches its commands itself (`super::commands`).
//!
//! Names: WebKitGTK has no host-resolver rules. MiniBrowser runs in its own
//! mount namespace (`unshare --mount`) where `/etc/resolv.conf` names the
//! worker's DNS resolver (`super::doh::UdpResolver`, every name → the
//! worker's address, but a `dns` rule's hosts of the scenario being run →
//! NXDOMAIN) and `/etc/hosts` is empty, so WebKit resolves names through
//! the C library as on any Linux desktop, and connects directly.
//!
//! TLS: in the same namespace GnuTLS's system trust file
//! (`/etc/ssl/certs/ca-certificates.crt`, compiled into Debian's
//! `libgnutls30`; glib-networking's default database reads GnuTLS's system
//! trust) holds only the run's CA (`super::certificate::trusted_ca_pem`),
//! which issues every certificate of the mock server but a `tls` rule's
//! host's: WebKit checks certificates as it does for users (no
//! `--ignore-tls-errors`), and that host's fails.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStderr, Command};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::commands::{parse_result, Commands};
use super::doh::UdpResolver;
use super::driver::{Driver, Tab};
use super::events::{EventLog, Seen};
use super::failure_kinds::hosts_failing;
use crate::scenario::NetworkErrorKind;

/// Where MiniBrowser is looked for when `CORS_LAB_MINIBROWSER` is not set.
pub const DEFAULT_MINIBROWSER: &str = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

/// The MiniBrowser executable: `$CORS_LAB_MINIBROWSER`, else [`DEFAULT_MINIBROWSER`].
pub fn minibrowser_path() -> PathBuf {
    std::env::var_os("CORS_LAB_MINIBROWSER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_MINIBROWSER))
}

/// GnuTLS's system trust file in Debian's `libgnutls30` (its
/// `--with-default-trust-store-file`), which glib-networking's default
/// TLS database loads.
const SYSTEM_CA_FILE: &str = "/etc/ssl/certs/ca-certificates.crt";
/// The run's CA bundle in the worker's namespace files.
const CA_FILE_NAME: &str = "ca.pem";

/// Xvfb must accept connections within this.
const DISPLAY_LIMIT: Duration = Duration::from_secs(20);
/// A console message's continuation lines arrive together: a message is
/// complete when its next line or this much silence follows.
const MESSAGE_GAP: Duration = Duration::from_millis(40);

type Waiting = Mutex<HashMap<u64, oneshot::Sender<Value>>>;

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// One worker's WebKit: its X display, its resolver, its namespace files.
pub(crate) struct WebKit {
    executable: PathBuf,
    xvfb: Child,
    display: String,
    /// `resolv.conf`, `hosts` and the CA bundle bound over the system's in
    /// each MiniBrowser's namespace.
    files: tempfile::TempDir,
    resolver: Arc<UdpResolver>,
    /// e.g. `WebKitGTK 2.50.6`.
    version: String,
}

/// One scenario's MiniBrowser (started by [`Tab::goto`]).
pub(crate) struct WebKitTab {
    executable: PathBuf,
    display: String,
    files: PathBuf,
    resolver: Arc<UdpResolver>,
    /// The names that must not resolve while this MiniBrowser runs.
    unresolvable: Vec<String>,
    profile: tempfile::TempDir,
    child: tokio::sync::Mutex<Option<Child>>,
    reader: Mutex<Option<JoinHandle<()>>>,
    log: Arc<EventLog>,
    commands: Arc<Commands>,
    waiting: Arc<Waiting>,
    next_id: AtomicU64,
    /// MiniBrowser's last lines that were no console message (for an error).
    noise: Arc<Mutex<Vec<String>>>,
}

/// How many of MiniBrowser's own lines are kept for an error message.
const NOISE_KEPT: usize = 5;

/// How long a MiniBrowser may take to start and run the harness page (the
/// other browsers only load a page in a running process): on this 2-core
/// machine at a load average of 20-30, an https page's harness took up to
/// 14 s, and 22 https pages in a row missed 20 s in one run.
const START_LIMIT: Duration = Duration::from_secs(45);

/// How often MiniBrowser is started for one page when it exits at once
/// (seen 3 times in 216 files, exit status 1, before Xvfb's readiness was
/// checked by connecting to it).
const START_ATTEMPTS: usize = 2;

impl WebKit {
    /// Starts Xvfb and the DNS resolver for a worker on `ip`, and checks
    /// that `executable` runs.
    pub(crate) async fn launch(executable: &Path, ip: Ipv4Addr) -> Result<Self, String> {
        if !executable.exists() {
            return Err(format!(
                "MiniBrowser not found at {} (install Debian's `libwebkit2gtk-4.1-0` and `xvfb`: scripts/setup --browser; or set CORS_LAB_MINIBROWSER)",
                executable.display()
            ));
        }
        let resolver = UdpResolver::start(ip).await?;
        let files = tempfile::Builder::new()
            .prefix("cors-lab-webkit-")
            .tempdir()
            .map_err(|e| format!("cannot make a folder for WebKit's resolver files: {e}"))?;
        // One try, one second: the resolver is on loopback and always answers.
        std::fs::write(
            files.path().join("resolv.conf"),
            format!("nameserver {ip}\noptions timeout:1 attempts:2\n"),
        )
        .and_then(|()| std::fs::write(files.path().join("hosts"), ""))
        .map_err(|e| format!("cannot write WebKit's resolver files: {e}"))?;
        std::fs::write(
            files.path().join(CA_FILE_NAME),
            super::certificate::trusted_ca_pem()?,
        )
        .map_err(|e| format!("cannot write WebKit's CA bundle: {e}"))?;
        // One display per worker address, so workers (and other runs) never share one.
        let number = 400 + u32::from(ip.octets()[3]);
        let display = format!(":{number}");
        let xvfb = start_xvfb(&display, number).await?;
        let output = Command::new(executable)
            .arg("--version")
            .env("DISPLAY", &display)
            .output()
            .await
            .map_err(|e| format!("cannot run {}: {e}", executable.display()))?;
        let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        Ok(WebKit {
            executable: executable.to_owned(),
            xvfb,
            display,
            files,
            resolver: Arc::new(resolver),
            version: if version.is_empty() {
                "WebKitGTK".to_owned()
            } else {
                version
            },
        })
    }
}

/// Starts `Xvfb` on `display` and waits for its socket.
async fn start_xvfb(display: &str, number: u32) -> Result<Child, String> {
    let socket = PathBuf::from(format!("/tmp/.X11-unix/X{number}"));
    let mut child = Command::new("Xvfb")
        .args([display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start Xvfb (install Debian's `xvfb`): {e}"))?;
    let start = Instant::now();
    loop {
        // Connectable, not merely present: a killed Xvfb leaves its socket
        // file behind, and MiniBrowser started before the new server listens
        // exits at once (status 1).
        if tokio::net::UnixStream::connect(&socket).await.is_ok() {
            return Ok(child);
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "Xvfb {display} exited ({status}): is the display taken (a stale /tmp/.X{number}-lock)?"
            ));
        }
        if start.elapsed() >= DISPLAY_LIMIT {
            let _ = child.kill().await;
            return Err(format!(
                "Xvfb {display} did not start within {} s",
                DISPLAY_LIMIT.as_secs()
            ));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl Driver for WebKit {
    type Tab = WebKitTab;

    /// A fresh data folder; the browser itself starts with the page.
    async fn open_tab(&self) -> Result<WebKitTab, String> {
        self.tab_resolving(Vec::new())
    }

    /// A scenario with a `dns` rule gets a MiniBrowser whose resolver
    /// answers NXDOMAIN for that rule's hosts (set when it starts).
    async fn open_tab_for(
        &self,
        scenario: &crate::scenario::Scenario,
    ) -> Option<Result<WebKitTab, String>> {
        let unresolvable = hosts_failing(scenario, NetworkErrorKind::Dns);
        if unresolvable.is_empty() {
            return None;
        }
        Some(self.tab_resolving(unresolvable))
    }

    async fn close_tab(&self, tab: WebKitTab) {
        tab.stop().await;
    }

    fn version(&self) -> String {
        self.version.clone()
    }

    /// Never: each scenario has a MiniBrowser of its own anyway, and its
    /// names that must not resolve are set per MiniBrowser ([`Driver::open_tab_for`]).
    async fn own_browser(
        &self,
        _scenario: &crate::scenario::Scenario,
    ) -> Option<Result<Self, String>> {
        None
    }

    async fn close(mut self) {
        let _ = self.xvfb.kill().await;
    }
}

impl WebKit {
    /// A tab (a fresh data folder) whose MiniBrowser will not resolve `unresolvable`.
    fn tab_resolving(&self, unresolvable: Vec<String>) -> Result<WebKitTab, String> {
        let profile = tempfile::Builder::new()
            .prefix("cors-lab-minibrowser-")
            .tempdir()
            .map_err(|e| format!("cannot make a MiniBrowser data folder: {e}"))?;
        Ok(WebKitTab {
            executable: self.executable.clone(),
            display: self.display.clone(),
            files: self.files.path().to_owned(),
            resolver: self.resolver.clone(),
            unresolvable,
            profile,
            child: tokio::sync::Mutex::new(None),
            reader: Mutex::new(None),
            log: Arc::new(EventLog::default()),
            commands: Arc::new(Commands::new()),
            waiting: Arc::default(),
            next_id: AtomicU64::new(1),
            noise: Arc::default(),
        })
    }
}

impl WebKitTab {
    async fn stop(&self) {
        if let Some(mut child) = self.child.lock().await.take() {
            let _ = child.kill().await;
        }
        if let Some(reader) = locked(&self.reader).take() {
            reader.abort();
        }
    }

    /// MiniBrowser at `url`, in a mount namespace whose resolver is the worker's.
    fn command(&self, url: &str) -> Command {
        let mut command = Command::new("unshare");
        // Root may make a mount namespace; anyone else needs a user namespace too.
        if !is_root() {
            command.arg("--map-root-user");
        }
        command
            .arg("--mount")
            .arg("--")
            .arg("sh")
            .arg("-c")
            .arg(format!(
                "mount --bind \"$0/resolv.conf\" /etc/resolv.conf && mount --bind \"$0/hosts\" /etc/hosts \
                 && mount --bind \"$0/{CA_FILE_NAME}\" {SYSTEM_CA_FILE} && exec \"$@\""
            ))
            .arg(&self.files)
            .arg(&self.executable)
            .args([
                "--enable-write-console-messages-to-stdout=true",
                "--enable-dns-prefetching=false",
                url,
            ])
            .env("DISPLAY", &self.display)
            .env("XDG_DATA_HOME", self.profile.path().join("data"))
            .env("XDG_CACHE_HOME", self.profile.path().join("cache"))
            .env("XDG_CONFIG_HOME", self.profile.path().join("config"))
            // No session bus: each MiniBrowser is its own application instance.
            .env("DBUS_SESSION_BUS_ADDRESS", "disabled:")
            .env("GDK_BACKEND", "x11");
        for proxy in ["http_proxy", "https_proxy", "all_proxy", "no_proxy"] {
            command
                .env_remove(proxy)
                .env_remove(proxy.to_ascii_uppercase());
        }
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        command
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find(|l| l.starts_with("Uid:"))
            .and_then(|l| l.split_whitespace().nth(1))
            == Some("0")
    })
}

/// Why MiniBrowser did not get the page going.
enum Start {
    /// It exited before the harness ran (started again once).
    Exited(String),
    /// Anything else.
    Failed(String),
}

impl WebKitTab {
    /// Starts MiniBrowser at `url` and waits until the harness polls.
    async fn start(&self, url: &str, limit: Duration) -> Result<(), Start> {
        self.stop().await;
        self.resolver.set_unresolvable(self.unresolvable.clone());
        let mut child = self.command(url).spawn().map_err(|e| {
            Start::Failed(format!(
                "cannot start MiniBrowser (unshare, {}): {e}",
                self.executable.display()
            ))
        })?;
        let Some(stderr) = child.stderr.take() else {
            return Err(Start::Failed(
                "MiniBrowser's stderr is not readable".to_owned(),
            ));
        };
        locked(&self.noise).clear();
        *locked(&self.reader) = Some(tokio::spawn(read_console(
            stderr,
            self.log.clone(),
            self.waiting.clone(),
            self.noise.clone(),
        )));
        *self.child.lock().await = Some(child);
        let start = Instant::now();
        while !self.commands.polled() {
            if let Some(child) = self.child.lock().await.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    // Let the reader take the last lines.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    return Err(Start::Exited(format!(
                        "cannot load {url}: MiniBrowser exited ({status}): {}",
                        locked(&self.noise).join(" | ")
                    )));
                }
            }
            if start.elapsed() >= limit {
                let noise = locked(&self.noise).join(" | ");
                return Err(Start::Failed(format!(
                    "cannot load {url}: the harness did not start within {} s{}",
                    limit.as_secs(),
                    if noise.is_empty() {
                        String::new()
                    } else {
                        format!(" (MiniBrowser: {noise})")
                    }
                )));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }
}

impl Tab for WebKitTab {
    /// Starts MiniBrowser at `url` and waits until the harness polls
    /// (starting it again if it exits at once).
    async fn goto(&self, url: &str, limit: Duration) -> Result<(), String> {
        let limit = limit.max(START_LIMIT);
        let mut attempt = 1;
        loop {
            match self.start(url, limit).await {
                Ok(()) => return Ok(()),
                Err(Start::Exited(e)) if attempt < START_ATTEMPTS => {
                    super::debug_line(&format!("{e}; starting it again"));
                    attempt += 1;
                }
                Err(Start::Exited(e) | Start::Failed(e)) => return Err(e),
            }
        }
    }

    async fn evaluate(&self, expression: String, limit: Duration) -> Result<String, String> {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let (answer, result) = oneshot::channel();
        locked(&self.waiting).insert(id, answer);
        self.commands.push(id, &expression);
        let value = match tokio::time::timeout(limit, result).await {
            Ok(Ok(value)) => value,
            Ok(Err(_)) => return Err("MiniBrowser exited".to_owned()),
            Err(_) => {
                locked(&self.waiting).remove(&id);
                return Err(format!(
                    "the page did not answer within {} s",
                    limit.as_secs()
                ));
            }
        };
        match (value.get("ok"), value.get("error")) {
            (Some(Value::String(text)), _) => Ok(text.clone()),
            (_, Some(error)) => Err(format!("the harness script threw: {error}")),
            _ => Err(format!("the harness returned {value}")),
        }
    }

    fn log(&self) -> &EventLog {
        &self.log
    }

    fn commands(&self) -> Option<Arc<Commands>> {
        Some(self.commands.clone())
    }
}

/// Reads MiniBrowser's stderr: console messages into `log` (a command's
/// result to its waiting `evaluate` instead), other lines to the debug output.
async fn read_console(
    stderr: ChildStderr,
    log: Arc<EventLog>,
    waiting: Arc<Waiting>,
    noise: Arc<Mutex<Vec<String>>>,
) {
    let mut lines = BufReader::new(stderr).lines();
    let mut pending: Option<Message> = None;
    loop {
        let next = if pending.is_some() {
            match tokio::time::timeout(MESSAGE_GAP, lines.next_line()).await {
                Ok(next) => next,
                Err(_) => {
                    if let Some(message) = pending.take() {
                        deliver(message, &log, &waiting);
                    }
                    continue;
                }
            }
        } else {
            lines.next_line().await
        };
        let Ok(Some(line)) = next else {
            break;
        };
        match parse_line(&line) {
            Some(message) => {
                if let Some(done) = pending.replace(message) {
                    deliver(done, &log, &waiting);
                }
            }
            None => match pending.as_mut() {
                Some(message) if !is_process_noise(&line) => {
                    message.text.push('\n');
                    message.text.push_str(&line);
                }
                _ => {
                    super::debug_line(&format!("minibrowser: {line}"));
                    let mut kept = locked(&noise);
                    if kept.len() == NOISE_KEPT {
                        kept.remove(0);
                    }
                    kept.push(line);
                }
            },
        }
    }
    if let Some(message) = pending.take() {
        deliver(message, &log, &waiting);
    }
}

/// One console message as WebCore printed it.
#[derive(Debug, Clone, PartialEq)]
struct Message {
    /// `None` for a `console.*` call; else `javascript`, `network`, `security`, …
    source: Option<String>,
    /// `error`, `warning`, `log`, `info`, `debug`.
    level: String,
    text: String,
}

fn deliver(message: Message, log: &EventLog, waiting: &Waiting) {
    super::debug_line(&format!("minibrowser console {message:?}"));
    if message.source.is_none() {
        if let Some((id, json)) = parse_result(&message.text) {
            if let Some(waiter) = locked(waiting).remove(&id) {
                let _ = waiter.send(serde_json::from_str(json).unwrap_or(Value::Null));
            }
            return;
        }
    }
    // MiniBrowser's favicon database loads the page's icon itself; under a
    // `page_csp` without that URL, WebCore refuses it with a CSP line: the
    // browser's own request (left out of the wire check too), not the page's.
    if message.text.starts_with("Refused to load ")
        && message.text.contains("/favicon.ico because ")
    {
        super::debug_line(&format!("minibrowser: its own icon: {}", message.text));
        return;
    }
    let seen = match message.source {
        None => Seen::ConsoleApi { text: message.text },
        Some(source) => Seen::Log {
            source,
            level: message.level,
            text: message.text,
            request_id: None,
        },
    };
    log.push(None, seen);
}

/// WebCore's level words (`ConsoleClient`'s message prefix).
fn level_of(word: &str) -> Option<&'static str> {
    Some(match word {
        "ERROR" => "error",
        "WARN" => "warning",
        "LOG" => "log",
        "INFO" => "info",
        "DEBUG" => "debug",
        _ => return None,
    })
}

/// A console message's first line: `[URL:LINE:COLUMN: ]CONSOLE [SOURCE] LEVEL text`
/// (no source word for a `console.*` call).
fn parse_line(line: &str) -> Option<Message> {
    let rest = match line.strip_prefix("CONSOLE ") {
        Some(rest) => rest,
        None => {
            let at = line.find(": CONSOLE ")?;
            let position = line.get(..at)?;
            let mut parts = position.rsplitn(3, ':');
            let numeric = |p: Option<&str>| {
                p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            };
            if !(numeric(parts.next()) && numeric(parts.next())) {
                return None;
            }
            line.get(at + ": CONSOLE ".len()..)?
        }
    };
    let words: Vec<&str> = rest.splitn(4, ' ').collect();
    // The level is the first, second or third word: sources may be two words
    // (`CONTENT BLOCKER`).
    for (at, word) in words.iter().enumerate().take(3) {
        if let Some(level) = level_of(word) {
            let source = words.get(..at).map(|w| w.join(" ")).unwrap_or_default();
            let skip: usize = words.iter().take(at + 1).map(|w| w.len() + 1).sum();
            return Some(Message {
                source: (!source.is_empty()).then(|| source_name(&source)),
                level: level.to_owned(),
                text: rest.get(skip..).unwrap_or_default().to_owned(),
            });
        }
    }
    None
}

/// WebCore's source word, as the other browsers' protocols name sources.
fn source_name(word: &str) -> String {
    match word {
        "JS" => "javascript".to_owned(),
        other => other.to_ascii_lowercase(),
    }
}

/// A line GLib, GTK or Mesa printed (`(MiniBrowser:123): Gtk-WARNING …`,
/// `** (…`), never part of a console message.
fn is_process_noise(line: &str) -> bool {
    line.starts_with("** (")
        || line.starts_with("(MiniBrowser:")
        || line.starts_with("(WebKitWebProcess:")
        || line.starts_with("(WebKitNetworkProcess:")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn message(source: Option<&str>, level: &str, text: &str) -> Option<Message> {
        Some(Message {
            source: source.map(str::to_owned),
            level: level.to_owned(),
            text: text.to_owned(),
        })
    }

    #[test]
    fn webcore_console_lines_parse_with_source_and_level() {
        assert_eq!(
            parse_line(
                "CONSOLE SECURITY ERROR Preflight response is not successful. Status code: 501"
            ),
            message(
                Some("security"),
                "error",
                "Preflight response is not successful. Status code: 501"
            )
        );
        assert_eq!(
            parse_line("CONSOLE JS ERROR Fetch API cannot load http://api.test/y due to access control checks."),
            message(Some("javascript"), "error", "Fetch API cannot load http://api.test/y due to access control checks.")
        );
        assert_eq!(
            parse_line("http://app.test:8765/:1:87: CONSOLE WARN w"),
            message(None, "warning", "w")
        );
        assert_eq!(
            parse_line("http://app.test/:1:416: CONSOLE JS ERROR Error: boom"),
            message(Some("javascript"), "error", "Error: boom")
        );
        assert_eq!(
            parse_line("CONSOLE CONTENT BLOCKER INFO x y"),
            message(Some("content blocker"), "info", "x y")
        );
        assert_eq!(parse_line("second line of a message"), None);
        assert_eq!(parse_line("see http://a/:x:1: CONSOLE LOG no"), None);
    }

    #[tokio::test]
    async fn continuation_lines_join_their_message_and_results_go_to_their_command() {
        let log = Arc::new(EventLog::default());
        let waiting: Arc<Waiting> = Arc::default();
        let (answer, result) = oneshot::channel();
        locked(&waiting).insert(3, answer);
        let text = "CONSOLE SECURITY ERROR first\nsecond\n(MiniBrowser:1): Gtk-WARNING noise\n\
                    http://a.test/:1:2: CONSOLE LOG __cors_lab_result__ 3 {\"ok\":\"object\"}\n\
                    http://a.test/:1:2: CONSOLE DEBUG marker\n";
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!("printf '%s' '{text}' >&2"))
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let noise: Arc<Mutex<Vec<String>>> = Arc::default();
        read_console(
            child.stderr.take().unwrap(),
            log.clone(),
            waiting,
            noise.clone(),
        )
        .await;
        assert_eq!(*locked(&noise), ["(MiniBrowser:1): Gtk-WARNING noise"]);
        assert_eq!(result.await.unwrap()["ok"], "object");
        let seen: Vec<Seen> = log.since(0).into_iter().map(|e| e.seen).collect();
        assert_eq!(
            seen,
            [
                Seen::Log {
                    source: "security".to_owned(),
                    level: "error".to_owned(),
                    text: "first\nsecond".to_owned(),
                    request_id: None
                },
                Seen::ConsoleApi {
                    text: "marker".to_owned()
                },
            ]
        );
        let _ = child.wait().await;
    }
}
