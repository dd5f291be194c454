//! The mock server: real HTTP and HTTPS on the worker's loopback address
//! (see [`super::slot`]), answering from a scenario's `server` rules and
//! recording every request it receives, with when it arrived.
//!
//! Every port serves both schemes: a connection whose first byte is a TLS
//! handshake record (0x16) is served over TLS, any other over plain HTTP. Like
//! any real server it adds `Content-Length` (not on 1xx, 204, 304), nothing
//! else, and it writes each response exactly as the rule states it (`super::http1`).

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

use crate::scenario::{HeaderPair, NetworkErrorKind, ServerRule};

use super::commands::Commands;
use super::http1::{read_request, Reply, RequestHead};
use super::own_replies;

/// No scenario request is in flight (the page is loading, or between requests).
const NO_REQUEST: usize = usize::MAX;

/// One request as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReceivedRequest {
    /// The scenario request that was in flight, if any.
    pub(crate) during: Option<usize>,
    /// The method, as sent.
    pub(crate) method: String,
    /// The absolute URL (scheme from the connection, host from `Host`).
    pub(crate) url: String,
    /// Every header line, in the order and case received.
    pub(crate) headers: Vec<HeaderPair>,
    /// When it arrived.
    pub(crate) at: Instant,
    /// The response head the server wrote, byte for byte (`None`: the
    /// connection was closed without an answer, a `network_error` rule).
    pub(crate) response_head: Option<Vec<u8>>,
}

impl ReceivedRequest {
    /// The value of header `name` (joined with `, ` when repeated).
    pub(crate) fn header(&self, name: &str) -> Option<String> {
        join_header(&self.headers, name)
    }

    /// Whether this is a CORS preflight (an OPTIONS with Access-Control-Request-Method).
    pub(crate) fn is_preflight(&self) -> bool {
        self.method == "OPTIONS" && self.header("access-control-request-method").is_some()
    }
}

/// What the server serves: the rules and the harness page.
#[derive(Debug, Clone)]
pub(crate) struct ServerSetup {
    /// The scenario's rules, first match wins.
    pub(crate) rules: Vec<ServerRule>,
    /// The absolute URL of the harness page.
    pub(crate) page_url: String,
    /// The harness page's HTML.
    pub(crate) page_html: String,
    /// Serve the page with `Content-Security-Policy: sandbox allow-scripts` (opaque origin).
    pub(crate) sandbox_page: bool,
    /// The scenario's `page_csp`: the page is served with it as its
    /// `Content-Security-Policy`, and the harness script from
    /// [`harness_page::SCRIPT_PATH`](super::harness_page::SCRIPT_PATH).
    pub(crate) page_csp: Option<String>,
    /// The scenario's `page_coep`: the page's `Cross-Origin-Embedder-Policy`.
    pub(crate) page_coep: Option<String>,
    /// The ports to listen on.
    pub(crate) ports: Vec<u16>,
    /// The page's command queue, for a browser driven through the page
    /// itself (`super::commands`); `None` for Chromium and Firefox.
    pub(crate) commands: Option<Arc<Commands>>,
}

/// A running mock server; dropping it stops every listener and connection.
pub(crate) struct MockServer {
    shared: Arc<Shared>,
    tasks: JoinSet<()>,
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("ports", &self.shared.setup.ports)
            .finish()
    }
}

struct Shared {
    setup: ServerSetup,
    page_url: Option<url::Url>,
    tls: TlsAcceptor,
    current: AtomicUsize,
    log: Mutex<Vec<ReceivedRequest>>,
}

impl Shared {
    fn new(setup: ServerSetup, page_url: Option<url::Url>, tls: Arc<ServerConfig>) -> Self {
        Shared {
            setup,
            page_url,
            tls: TlsAcceptor::from(tls),
            current: AtomicUsize::new(NO_REQUEST),
            log: Mutex::new(Vec::new()),
        }
    }

    /// Logs a scenario request with the response head written for it.
    fn record(&self, mut entry: ReceivedRequest, sent: Vec<u8>) {
        entry.response_head = Some(sent);
        self.log().push(entry);
    }

    fn log(&self) -> MutexGuard<'_, Vec<ReceivedRequest>> {
        self.log
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl MockServer {
    /// Binds every port of `setup` on `ip` and starts serving.
    pub(crate) async fn start(
        setup: ServerSetup,
        tls: Arc<ServerConfig>,
        ip: Ipv4Addr,
    ) -> Result<Self, String> {
        let page_url = url::Url::parse(&setup.page_url).ok();
        let ports = setup.ports.clone();
        let shared = Arc::new(Shared::new(setup, page_url, tls));
        let mut tasks = JoinSet::new();
        for port in ports {
            let address = SocketAddr::from((ip, port));
            let listener = bind(address).await?;
            tasks.spawn(accept_loop(listener, shared.clone()));
        }
        Ok(MockServer { shared, tasks })
    }

    /// Marks which scenario request is in flight (`None`: none).
    pub(crate) fn set_current(&self, index: Option<usize>) {
        self.shared
            .current
            .store(index.unwrap_or(NO_REQUEST), Ordering::SeqCst);
    }

    /// Every request received while scenario request `index` was in flight,
    /// in the order they arrived (a request is logged once its answer is
    /// written, by when the browser may have sent the next on another
    /// connection: seen once in WebKit, a 308 logged after the preflight it led to).
    pub(crate) fn received_during(&self, index: usize) -> Vec<ReceivedRequest> {
        let mut received: Vec<ReceivedRequest> = self
            .shared
            .log()
            .iter()
            .filter(|r| r.during == Some(index))
            .cloned()
            .collect();
        received.sort_by_key(|r| r.at);
        received
    }

    /// Stops every listener and open connection.
    pub(crate) async fn stop(mut self) {
        self.tasks.shutdown().await;
    }
}

/// Binds `address`, retrying for a few seconds while the port is still taken
/// (the worker's previous scenario, or another program on all addresses).
async fn bind(address: SocketAddr) -> Result<TcpListener, String> {
    let mut tries = 0;
    loop {
        match TcpListener::bind(address).await {
            Ok(listener) => return Ok(listener),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && tries < 50 => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => return Err(format!("cannot listen on {address}: {e}")),
        }
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    // Connections live in this set, so aborting the loop closes them too.
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    connections.spawn(serve_connection(stream, shared.clone()));
                }
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn serve_connection(stream: TcpStream, shared: Arc<Shared>) {
    let mut first = [0u8; 1];
    let peeked = tokio::time::timeout(Duration::from_secs(10), stream.peek(&mut first)).await;
    let is_tls = matches!(peeked, Ok(Ok(1))) && first[0] == 0x16;
    if is_tls {
        match shared.tls.accept(stream).await {
            Ok(tls_stream) => {
                let (tls_stream, ending) = serve_http(tls_stream, "https", &shared).await;
                if ending == Ending::Reset {
                    reset(tls_stream.get_ref().0);
                }
            }
            // A `tls` rule's host: the browser's alert, when it sent one.
            Err(e) => super::debug_line(&format!("server: TLS handshake failed: {e}")),
        }
    } else {
        let (stream, ending) = serve_http(stream, "http", &shared).await;
        if ending == Ending::Reset {
            reset(&stream);
        }
    }
}

/// How a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// Closed normally (FIN), answered or not.
    Closed,
    /// A `reset` rule: closed with a TCP RST.
    Reset,
}

/// Makes closing `stream` send a RST instead of a FIN (`SO_LINGER` 0), as
/// a crashed server or a middlebox cutting the connection does.
fn reset(stream: &TcpStream) {
    let _ = socket2::SockRef::from(stream).set_linger(Some(Duration::ZERO));
}

/// How long a `timeout` rule holds a connection without answering (the
/// page gives up sooner: `timeout_ms`).
const SILENCE_LIMIT: Duration = Duration::from_secs(30);

/// Reads and discards whatever the browser sends, answering nothing, until
/// it closes the connection (or [`SILENCE_LIMIT`]).
async fn stay_silent<T: AsyncRead + Unpin>(io: &mut T) {
    let mut sink = tokio::io::sink();
    let _ = tokio::time::timeout(SILENCE_LIMIT, tokio::io::copy(io, &mut sink)).await;
}

/// How long a connection may sit idle between requests.
const IDLE_LIMIT: Duration = Duration::from_secs(30);

/// Serves requests on one connection until the client closes it, asks to,
/// or a `network_error` rule drops it; hands the connection back to be
/// closed as the rule says.
async fn serve_http<T>(mut io: T, scheme: &str, shared: &Shared) -> (T, Ending)
where
    T: AsyncRead + AsyncWrite + Unpin,
{
    let mut buffer = Vec::new();
    loop {
        let Ok(Some((head, _body))) =
            tokio::time::timeout(IDLE_LIMIT, read_request(&mut io, &mut buffer)).await
        else {
            return (io, Ending::Closed);
        };
        let logged = answer(shared, scheme, &head);
        let Some(reply) = logged.reply else {
            // A `network_error` rule: no response. (`refused`, `dns` and
            // `tls` never get here: nothing connects, or the handshake fails.)
            return match logged.fails {
                Some(NetworkErrorKind::Reset) => (io, Ending::Reset),
                Some(NetworkErrorKind::Timeout) => {
                    stay_silent(&mut io).await;
                    (io, Ending::Closed)
                }
                _ => (io, Ending::Closed),
            };
        };
        let Ok(sent) = reply.write(&mut io, &head.method).await else {
            return (io, Ending::Closed);
        };
        if let Some(entry) = logged.entry {
            shared.record(entry, sent);
        }
        if reply.status == 101 {
            hold_websocket(&mut io).await;
            return (io, Ending::Closed);
        }
        if head.wants_close() {
            return (io, Ending::Closed);
        }
    }
}

/// How long an accepted WebSocket stays open at most (the harness closes it at once).
const WEBSOCKET_LIMIT: Duration = Duration::from_secs(20);

/// Reads and discards a WebSocket's frames until the browser closes it.
async fn hold_websocket<T: AsyncRead + Unpin>(io: &mut T) {
    let mut sink = tokio::io::sink();
    let _ = tokio::time::timeout(WEBSOCKET_LIMIT, tokio::io::copy(io, &mut sink)).await;
}

/// A rule that answers a WebSocket handshake (`Upgrade: websocket`) with 101
/// completes it as a real server would: `Upgrade`, `Connection` and the
/// `Sec-WebSocket-Accept` derived from the key (RFC 6455) follow the rule's
/// own lines. A rule with any other status refuses the handshake.
fn accept_websocket(request: &RequestHead, reply: &mut Reply) {
    let wants_websocket = request
        .header("upgrade")
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    let (Some(key), true, 101) = (
        request.header("sec-websocket-key"),
        wants_websocket,
        reply.status,
    ) else {
        return;
    };
    let accept = async_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
    reply.headers.retain(|(name, _)| {
        !["upgrade", "connection", "sec-websocket-accept"]
            .iter()
            .any(|n| name.eq_ignore_ascii_case(n))
    });
    reply.headers.extend([
        ("Upgrade".to_owned(), "websocket".to_owned()),
        ("Connection".to_owned(), "Upgrade".to_owned()),
        ("Sec-WebSocket-Accept".to_owned(), accept),
    ]);
}

/// What to answer, and the log entry of a scenario request (the harness
/// page and script are not logged).
struct Answer {
    reply: Option<Reply>,
    entry: Option<ReceivedRequest>,
    /// No reply: how the connection fails instead.
    fails: Option<NetworkErrorKind>,
}

fn answer(shared: &Shared, scheme: &str, request: &RequestHead) -> Answer {
    let headers = request.headers.clone();
    let host = join_header(&headers, "host").unwrap_or_else(|| "unknown-host".to_owned());
    let raw_url = format!("{scheme}://{host}{}", request.target);
    let url = url::Url::parse(&raw_url).ok();
    let method = request.method.clone();
    let current = shared.current.load(Ordering::SeqCst);
    let own = own_replies::own_reply(
        &shared.setup,
        shared.page_url.as_ref(),
        current != NO_REQUEST,
        url.as_ref(),
    );
    if let Some(reply) = own {
        return Answer {
            reply: Some(reply),
            entry: None,
            fails: None,
        };
    }

    let entry = ReceivedRequest {
        during: (current != NO_REQUEST).then_some(current),
        method: method.clone(),
        url: url
            .as_ref()
            .map(|u| u.to_string())
            .unwrap_or_else(|| raw_url.clone()),
        headers: headers.clone(),
        at: Instant::now(),
        response_head: None,
    };

    let rule = url
        .as_ref()
        .and_then(|url| find_rule(&shared.setup.rules, &method, url));
    let Some(rule) = rule else {
        return Answer {
            reply: Some(plain_response(404, Vec::new(), "")),
            entry: Some(entry),
            fails: None,
        };
    };
    // A rule written as a framework's configuration answers as its model
    // says (the harness of `tests/frameworks.rs` proves the model against
    // the real framework).
    let modelled = rule.framework.as_ref().and_then(|framework| {
        let wire = crate::engine::WireRequest {
            method: method.clone(),
            url: entry.url.clone(),
            headers: crate::engine::HeaderList(headers.clone()),
            body: None,
        };
        crate::engine::FrameworkServers::answer(
            &crate::frameworks::Models::default(),
            framework,
            &wire,
        )
    });
    if let Some((status, modelled)) = modelled {
        return Answer {
            reply: Some(Reply {
                status,
                headers: modelled,
                body: rule.respond.body.clone().into_bytes(),
            }),
            entry: Some(entry),
            fails: None,
        };
    }
    if let Some(kind) = rule.respond.network_error {
        shared.log().push(entry);
        return Answer {
            reply: None,
            entry: None,
            fails: Some(kind),
        };
    }
    let mut reply = Reply {
        status: rule.respond.status,
        headers: rule
            .respond
            .headers
            .iter()
            .map(|(name, value)| (name.clone(), fill_template(value, &headers)))
            .collect(),
        body: rule.respond.body.clone().into_bytes(),
    };
    accept_websocket(request, &mut reply);
    Answer {
        reply: Some(reply),
        entry: Some(entry),
        fails: None,
    }
}

/// The first rule whose URL (without fragment) and optional method fit.
fn find_rule<'a>(rules: &'a [ServerRule], method: &str, url: &url::Url) -> Option<&'a ServerRule> {
    rules.iter().find(|rule| {
        let method_fits = rule.matcher.method.as_deref().is_none_or(|m| m == method);
        method_fits && same_url(&rule.matcher.url, url)
    })
}

/// Compares a rule URL with a received URL, both without fragment. A
/// `ws:`/`wss:` rule answers the `http:`/`https:` request its handshake is.
fn same_url(rule_url: &str, received: &url::Url) -> bool {
    let Ok(mut rule) = url::Url::parse(rule_url) else {
        return false;
    };
    let http_scheme = match rule.scheme() {
        "ws" => Some("http"),
        "wss" => Some("https"),
        _ => None,
    };
    if let Some(scheme) = http_scheme {
        let text = rule.as_str().replacen(rule.scheme(), scheme, 1);
        let Ok(http_rule) = url::Url::parse(&text) else {
            return false;
        };
        rule = http_rule;
    }
    rule.set_fragment(None);
    let mut received = received.clone();
    received.set_fragment(None);
    rule == received
}

/// Replaces every `{{request.NAME}}` with that request header's value (empty when absent).
pub(crate) fn fill_template(value: &str, request_headers: &[HeaderPair]) -> String {
    const OPEN: &str = "{{request.";
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find(OPEN) {
        let after = rest.get(start + OPEN.len()..).unwrap_or("");
        let Some(end) = after.find("}}") else { break };
        out.push_str(rest.get(..start).unwrap_or(""));
        let name = after.get(..end).unwrap_or("").trim();
        out.push_str(&join_header(request_headers, name).unwrap_or_default());
        rest = after.get(end + 2..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

fn join_header(headers: &[HeaderPair], name: &str) -> Option<String> {
    let values: Vec<&str> = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

pub(super) fn plain_response(status: u16, headers: Vec<HeaderPair>, body: &str) -> Reply {
    Reply {
        status,
        headers,
        body: body.as_bytes().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn template_reflects_request_headers() {
        let headers = vec![("origin".to_owned(), "https://a.example".to_owned())];
        assert_eq!(
            fill_template("{{request.Origin}}", &headers),
            "https://a.example"
        );
        assert_eq!(fill_template("x {{request.missing}} y", &headers), "x  y");
        assert_eq!(fill_template("no template", &headers), "no template");
        assert_eq!(
            fill_template("{{request.origin", &headers),
            "{{request.origin"
        );
    }

    #[test]
    fn urls_compare_without_fragment() {
        let received = url::Url::parse("http://api.example.com:80/data").unwrap();
        assert!(same_url("http://api.example.com/data#frag", &received));
        assert!(!same_url("http://api.example.com/other", &received));
    }

    #[test]
    fn the_page_gets_its_commands_from_its_own_origin_and_they_are_never_logged() {
        let commands = Arc::new(Commands::new());
        let setup = ServerSetup {
            rules: Vec::new(),
            page_url: "https://app.test/".to_owned(),
            page_html: String::new(),
            sandbox_page: false,
            page_csp: None,
            page_coep: None,
            ports: Vec::new(),
            commands: Some(commands.clone()),
        };
        let tls = super::super::certificate::tls_config(&[], &[]).unwrap();
        let shared = Shared::new(setup, url::Url::parse("https://app.test/").ok(), tls);
        shared.current.store(0, Ordering::SeqCst);
        let token = commands.token();
        let poll = |host: &str| RequestHead {
            method: "GET".to_owned(),
            target: format!("{}?t={token}&n=1", crate::verify::commands::COMMAND_PATH),
            headers: vec![("Host".to_owned(), host.to_owned())],
        };
        commands.push(4, "1 + 1");
        let served = answer(&shared, "https", &poll("app.test"));
        assert!(served.entry.is_none(), "a poll is not scenario traffic");
        let body = String::from_utf8(served.reply.unwrap().body).unwrap();
        assert!(body.contains("__corsLabCommand(4, "), "{body}");
        // Another origin's request for that path is scenario traffic (a 404 here).
        let other = answer(&shared, "https", &poll("api.test"));
        assert!(other.entry.is_some());
        assert_eq!(other.reply.unwrap().status, 404);
    }

    #[test]
    fn a_websocket_rule_answers_its_handshake_on_the_matching_http_scheme() {
        let plain = url::Url::parse("http://chat.example.com/socket").unwrap();
        let secure = url::Url::parse("https://chat.example.com/socket").unwrap();
        assert!(same_url("ws://chat.example.com/socket", &plain));
        assert!(same_url("wss://chat.example.com/socket", &secure));
        assert!(!same_url("wss://chat.example.com/socket", &plain));
        assert!(!same_url("ws://chat.example.com/other", &plain));
    }

    /// The wire is the scenario: for every rule of every bundled file, the
    /// response the server writes has exactly the file's status line and
    /// header lines (order, letter case, repeats as separate lines, empty
    /// values) plus the `Content-Length` the format's "Extensions" add.
    #[tokio::test]
    async fn every_scenario_response_is_written_exactly_as_its_file_states() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let folders = ["scenarios", "tests/wpt", "tests/verify-fixtures"].map(|f| root.join(f));
        let files = super::super::collect_files(&folders).unwrap();
        let tls = super::super::certificate::tls_config(&[], &[]).unwrap();
        let (mut responses, mut lines) = (0, 0);
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            let scenario = crate::scenario::load_scenario(&text).unwrap().scenario;
            let setup = ServerSetup {
                rules: scenario.server.clone(),
                page_url: "http://page.invalid/".to_owned(),
                page_html: String::new(),
                sandbox_page: false,
                commands: None,
                page_csp: None,
                page_coep: None,
                ports: Vec::new(),
            };
            let shared = Shared::new(setup, None, tls.clone());
            shared.current.store(0, Ordering::SeqCst);
            for rule in &scenario.server {
                let Ok(mut url) = url::Url::parse(&rule.matcher.url) else {
                    continue;
                };
                let scheme = match url.scheme() {
                    "ws" | "http" => "http",
                    "wss" | "https" => "https",
                    _ => continue,
                };
                let method = rule
                    .matcher
                    .method
                    .clone()
                    .unwrap_or_else(|| "GET".to_owned());
                let _ = url.set_scheme(scheme);
                url.set_fragment(None);
                // Only the rule that answers this method and URL is heard.
                if find_rule(&scenario.server, &method, &url).map(|r| std::ptr::eq(r, rule))
                    != Some(true)
                {
                    continue;
                }
                let host = match url.port() {
                    Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
                    None => url.host_str().unwrap_or_default().to_owned(),
                };
                let origin = scenario.page.trim_end_matches('/').to_owned();
                let target = &url[url::Position::BeforePath..url::Position::AfterQuery];
                let request = format!(
                    "{method} {target} HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\nConnection: close\r\n\r\n"
                );
                let (mut client, server) = tokio::io::duplex(1 << 20);
                let exchange = async move {
                    client.write_all(request.as_bytes()).await.unwrap();
                    let mut received = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !received.windows(4).any(|w| w == b"\r\n\r\n") {
                        match client.read(&mut chunk).await.unwrap() {
                            0 => break,
                            n => received.extend_from_slice(&chunk[..n]),
                        }
                    }
                    received
                };
                let name = format!("{} {method} {url}", file.display());
                // A `timeout` rule holds the connection silent for as long as
                // the browser waits, so its exchange is bounded here.
                let limit = std::time::Duration::from_secs(3);
                let both = async { tokio::join!(serve_http(server, scheme, &shared), exchange) };
                let received = match tokio::time::timeout(limit, both).await {
                    Ok((_, received)) => received,
                    Err(_) if rule.respond.network_error.is_some() => Vec::new(),
                    Err(_) => panic!("{name}: no answer within {limit:?}"),
                };
                if rule.respond.network_error.is_some() {
                    assert!(received.is_empty(), "{name}: a network_error rule answered");
                    continue;
                }
                let text = String::from_utf8_lossy(&received);
                let head: Vec<&str> = text
                    .split("\r\n\r\n")
                    .next()
                    .unwrap()
                    .split("\r\n")
                    .collect();
                let sent_headers = [
                    ("host".to_owned(), host.clone()),
                    ("origin".to_owned(), origin.clone()),
                ];
                // A framework rule's lines are its model's answer to this request.
                let modelled = rule.framework.as_ref().and_then(|framework| {
                    let wire = crate::engine::WireRequest {
                        method: method.clone(),
                        url: url.to_string(),
                        headers: crate::engine::HeaderList(sent_headers.to_vec()),
                        body: None,
                    };
                    crate::engine::FrameworkServers::answer(
                        &crate::frameworks::Models::default(),
                        framework,
                        &wire,
                    )
                });
                assert_eq!(modelled.is_some(), rule.framework.is_some(), "{name}");
                let (status, written) = modelled.unwrap_or_else(|| {
                    let filled = rule.respond.headers.iter().map(|(header, value)| {
                        (header.clone(), fill_template(value, &sent_headers))
                    });
                    (rule.respond.status, filled.collect())
                });
                let reason = http::StatusCode::from_u16(status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("");
                let mut expected = vec![format!("HTTP/1.1 {status} {reason}")];
                for (header, value) in &written {
                    expected.push(format!("{header}: {value}"));
                }
                let bodyless = (100..200).contains(&status) || matches!(status, 204 | 304);
                let has_length = written
                    .iter()
                    .any(|(h, _)| h.eq_ignore_ascii_case("content-length"));
                if !bodyless && !has_length {
                    expected.push(format!("Content-Length: {}", rule.respond.body.len()));
                }
                assert_eq!(head, expected, "{name}");
                responses += 1;
                lines += expected.len();
            }
        }
        println!(
            "{responses} responses, {lines} lines, in {} files",
            files.len()
        );
        assert!(responses > 300, "only {responses} responses checked");
    }
}
