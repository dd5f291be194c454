//! A DNS-over-HTTPS resolver (RFC 8484) on the worker's address, for
//! Firefox: every `A` query is answered with the worker's address, every
//! other type with no records.
//!
//! Why Firefox needs a resolver and not a pref: Firefox ESR 153 answers a
//! request from its preflight cache only when the preflight's host has a
//! record in its own DNS cache (observed: with `network.dns.forceResolve`,
//! which leaves no such record, the same `PUT` one second later was
//! preflighted again, `scenarios/preflight-cache-max-age.json`), and
//! `network.dns.localDomains` resolves a name as `localhost`, that is
//! `127.0.0.1`, not the worker's own address. Through Firefox's TRR
//! (`network.trr.mode` 3, "TRR only") names are resolved by a real resolver,
//! cached like any user's, and Firefox connects to the mock server directly,
//! as users' Firefox connects to servers: no proxy is in between.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::rdata::A;
use hickory_proto::rr::{RData, Record, RecordType};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

/// The resolver's port on each worker's address.
pub(crate) const DOH_PORT: u16 = 47_321;

/// The path Firefox posts queries to (`network.trr.uri`).
const PATH: &str = "/dns-query";

/// How long Firefox may keep an answer: longer than any run (every name of
/// a worker always has the same address).
const TTL: u32 = 3600;

/// A DNS message is at most 64 KiB.
const MAX_QUERY: usize = 65_535;

/// The running resolver; dropping it stops it.
pub(crate) struct Resolver {
    _tasks: JoinSet<()>,
}

impl Resolver {
    /// Serves DNS-over-HTTPS on `ip:`[`DOH_PORT`], answering every name with `ip`.
    pub(crate) async fn start(ip: Ipv4Addr) -> Result<Self, String> {
        Resolver::start_on(ip, DOH_PORT, Vec::new()).await
    }

    /// Serves DNS-over-HTTPS on `ip:port`, answering every name with `ip`
    /// but `unresolvable` ones, which get NXDOMAIN (a `dns` rule's host).
    pub(crate) async fn start_on(
        ip: Ipv4Addr,
        port: u16,
        unresolvable: Vec<String>,
    ) -> Result<Self, String> {
        let tls = super::certificate::tls_config(&[ip.to_string()], &[])?;
        let acceptor = TlsAcceptor::from(tls);
        let address = SocketAddr::from((ip, port));
        let unresolvable = std::sync::Arc::new(unresolvable);
        let listener = bind_when_free(address).await.map_err(|e| {
            format!("cannot listen on {address} (the DNS-over-HTTPS resolver for Firefox): {e}")
        })?;
        let mut tasks = JoinSet::new();
        tasks.spawn(async move {
            let mut connections = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        if let Ok((stream, _)) = accepted {
                            let acceptor = acceptor.clone();
                            let unresolvable = unresolvable.clone();
                            connections.spawn(async move {
                                match acceptor.accept(stream).await {
                                    Ok(tls) => serve(TokioIo::new(tls), ip, unresolvable).await,
                                    Err(e) => super::debug_line(&format!("doh: TLS: {e}")),
                                }
                            });
                        }
                    }
                    Some(_) = connections.join_next(), if !connections.is_empty() => {}
                }
            }
        });
        Ok(Resolver { _tasks: tasks })
    }

    /// The `network.trr.uri` of the resolver on `ip:port`.
    pub(crate) fn uri(ip: Ipv4Addr, port: u16) -> String {
        format!("https://{ip}:{port}{PATH}")
    }
}

/// Plain DNS over UDP on `ip:53`, for WebKitGTK (`super::webkit`): its
/// network process resolves names with the C library, which asks the
/// `nameserver` of `/etc/resolv.conf`, and MiniBrowser runs where that file
/// names this resolver. Answers as [`answer`] does.
pub(crate) struct UdpResolver {
    _tasks: JoinSet<()>,
}

impl UdpResolver {
    /// Serves DNS on `ip:53`, answering every name with `ip`.
    pub(crate) async fn start(ip: Ipv4Addr) -> Result<Self, String> {
        let address = SocketAddr::from((ip, 53));
        let socket = tokio::net::UdpSocket::bind(address).await.map_err(|e| {
            format!("cannot listen on {address} (the DNS resolver for WebKitGTK; port 53 needs root): {e}")
        })?;
        let mut tasks = JoinSet::new();
        tasks.spawn(async move {
            let mut buffer = vec![0_u8; MAX_QUERY];
            while let Ok((length, from)) = socket.recv_from(&mut buffer).await {
                let query = buffer.get(..length).unwrap_or_default();
                if let Ok(message) = Message::from_vec(query) {
                    super::debug_line(&format!("dns: query {:?}", message.queries));
                }
                if let Some(reply) = answer(query, ip) {
                    let _ = socket.send_to(&reply, from).await;
                }
            }
        });
        Ok(UdpResolver { _tasks: tasks })
    }
}

async fn serve<T>(io: TokioIo<T>, ip: Ipv4Addr, unresolvable: std::sync::Arc<Vec<String>>)
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |request: Request<Incoming>| {
        let unresolvable = unresolvable.clone();
        async move { Ok::<_, std::convert::Infallible>(respond(request, ip, &unresolvable).await) }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).keep_alive(true);
    let _ = builder.serve_connection(io, service).await;
}

/// Answers one RFC 8484 POST (the body is the DNS query).
async fn respond(
    request: Request<Incoming>,
    ip: Ipv4Addr,
    unresolvable: &[String],
) -> Response<Full<Bytes>> {
    let status = |status: StatusCode| {
        let mut response = Response::new(Full::new(Bytes::new()));
        *response.status_mut() = status;
        response
    };
    if request.uri().path() != PATH || request.method() != hyper::Method::POST {
        return status(StatusCode::NOT_FOUND);
    }
    let body = tokio::time::timeout(
        Duration::from_secs(10),
        Limited::new(request.into_body(), MAX_QUERY).collect(),
    )
    .await;
    let Ok(Ok(body)) = body else {
        return status(StatusCode::BAD_REQUEST);
    };
    let bytes = body.to_bytes();
    if let Ok(query) = Message::from_vec(&bytes) {
        super::debug_line(&format!("doh: query {:?}", query.queries));
    }
    let Some(answer) = answer_for(&bytes, ip, unresolvable) else {
        return status(StatusCode::BAD_REQUEST);
    };
    let mut response = Response::new(Full::new(Bytes::from(answer)));
    if let Ok(value) = hyper::header::HeaderValue::from_str("application/dns-message") {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}

/// The DNS response to `query`: an `A` record with `ip` for each `A`
/// question, nothing for other types (`AAAA`, `HTTPS`: no such records).
/// `None` when `query` is not a DNS query.
pub(crate) fn answer(query: &[u8], ip: Ipv4Addr) -> Option<Vec<u8>> {
    answer_for(query, ip, &[])
}

/// As [`answer`], with NXDOMAIN for the `unresolvable` names.
fn answer_for(query: &[u8], ip: Ipv4Addr, unresolvable: &[String]) -> Option<Vec<u8>> {
    let query = Message::from_vec(query).ok()?;
    if query.metadata.message_type != MessageType::Query {
        return None;
    }
    let mut response = Message::response(query.metadata.id, query.metadata.op_code);
    response.metadata.recursion_desired = query.metadata.recursion_desired;
    response.metadata.recursion_available = true;
    if query.metadata.op_code != OpCode::Query {
        response.metadata.response_code = ResponseCode::NotImp;
    }
    for question in &query.queries {
        response.add_query(question.clone());
        let name = question.name().to_ascii();
        let name = name.trim_end_matches('.');
        let nowhere = unresolvable.iter().any(|n| n.eq_ignore_ascii_case(name));
        if nowhere || is_firefox_service(name) {
            response.metadata.response_code = ResponseCode::NXDomain;
        } else if question.query_type() == RecordType::A && query.metadata.op_code == OpCode::Query
        {
            response.add_answer(Record::from_rdata(
                question.name().clone(),
                TTL,
                RData::A(A(ip)),
            ));
        }
    }
    response.to_vec().ok()
}

/// Whether `name` is one of Mozilla's own services (remote settings,
/// push, …), which Firefox contacts by itself: they are left unresolved, so
/// that no request of Firefox's own reaches the mock server.
fn is_firefox_service(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    [
        "mozilla.com",
        "mozilla.net",
        "mozilla.org",
        "firefox.com",
        "mozaws.net",
    ]
    .iter()
    .any(|domain| name == *domain || name.ends_with(&format!(".{domain}")))
}

/// Binds `address`, waiting (at most 3 s) while it is still in use: the
/// resolver of the browser launched for the worker's previous scenario
/// closes its listener when its aborted task is dropped, which the
/// runtime does a moment after the browser closed.
async fn bind_when_free(address: SocketAddr) -> std::io::Result<TcpListener> {
    let mut tries = 0;
    loop {
        match TcpListener::bind(address).await {
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && tries < 30 => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use hickory_proto::op::Query;
    use hickory_proto::rr::Name;

    fn ask(name: &str, kind: RecordType) -> Message {
        let mut query = Message::query();
        query.add_query(Query::query(Name::from_ascii(name).unwrap(), kind));
        let bytes = answer(&query.to_vec().unwrap(), Ipv4Addr::new(127, 0, 0, 9)).unwrap();
        let response = Message::from_vec(&bytes).unwrap();
        assert_eq!(response.metadata.id, query.metadata.id);
        assert_eq!(response.queries, query.queries);
        response
    }

    #[test]
    fn every_name_resolves_to_the_workers_address() {
        let response = ask("api.example.com.", RecordType::A);
        assert_eq!(response.answers.len(), 1);
        assert_eq!(
            response.answers.first().unwrap().data,
            RData::A(A(Ipv4Addr::new(127, 0, 0, 9)))
        );
    }

    #[test]
    fn other_record_types_have_no_records() {
        for kind in [RecordType::AAAA, RecordType::HTTPS] {
            let response = ask("api.example.com.", kind);
            assert!(response.answers.is_empty(), "{kind}");
            assert_eq!(response.metadata.response_code, ResponseCode::NoError);
        }
    }

    #[test]
    fn mozillas_own_services_are_not_resolved() {
        let response = ask("firefox.settings.services.mozilla.com.", RecordType::A);
        assert!(response.answers.is_empty());
        assert_eq!(response.metadata.response_code, ResponseCode::NXDomain);
        assert_eq!(ask("notmozilla.com.", RecordType::A).answers.len(), 1);
    }

    #[test]
    fn a_dns_rules_host_does_not_resolve() {
        let mut query = Message::query();
        query.add_query(Query::query(
            Name::from_ascii("nowhere.example.").unwrap(),
            RecordType::A,
        ));
        let bytes = answer_for(
            &query.to_vec().unwrap(),
            Ipv4Addr::new(127, 0, 0, 9),
            &["nowhere.example".to_owned()],
        )
        .unwrap();
        let response = Message::from_vec(&bytes).unwrap();
        assert!(response.answers.is_empty());
        assert_eq!(response.metadata.response_code, ResponseCode::NXDomain);
    }

    #[test]
    fn garbage_is_no_query() {
        assert_eq!(answer(b"not dns", Ipv4Addr::LOCALHOST), None);
    }
}
