//! The real tower-http `CorsLayer`, built from the model's reading of a
//! `CorsLayer` chain (each call applied to a real layer), around a service
//! answering `/error` 500, `/missing` 404 and anything else 200, served by
//! hyper on 127.0.0.1.

use std::convert::Infallible;
use std::time::Duration;

use cors_lab::frameworks::{Tower, TowerRule};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use tower::{Service, ServiceBuilder};
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, Any, CorsLayer, ExposeHeaders};

/// The server: a tokio runtime on its own thread, stopped when dropped.
pub(crate) struct TowerServer {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn values(list: &[String]) -> Vec<http::HeaderValue> {
    list.iter()
        .map(|v| http::HeaderValue::from_str(v).unwrap())
        .collect()
}

fn names(list: &[String]) -> Vec<http::HeaderName> {
    list.iter()
        .map(|v| http::HeaderName::from_bytes(v.as_bytes()).unwrap())
        .collect()
}

fn methods(list: &[String]) -> Vec<http::Method> {
    list.iter()
        .map(|v| http::Method::from_bytes(v.as_bytes()).unwrap())
        .collect()
}

/// The real layer for the model's reading.
pub(crate) fn layer(config: &Tower) -> CorsLayer {
    let mut layer = CorsLayer::new();
    if let Some(rule) = &config.allow_origin {
        layer = layer.allow_origin(match rule {
            TowerRule::Any => AllowOrigin::from(Any),
            TowerRule::Mirror => AllowOrigin::mirror_request(),
            TowerRule::Exact(v) => AllowOrigin::exact(http::HeaderValue::from_str(v).unwrap()),
            TowerRule::List(list) => AllowOrigin::list(values(list)),
        });
    }
    if let Some(rule) = &config.allow_methods {
        layer = layer.allow_methods(match rule {
            TowerRule::Any => AllowMethods::from(Any),
            TowerRule::Mirror => AllowMethods::mirror_request(),
            TowerRule::Exact(v) => AllowMethods::list(methods(std::slice::from_ref(v))),
            TowerRule::List(list) => AllowMethods::list(methods(list)),
        });
    }
    if let Some(rule) = &config.allow_headers {
        layer = layer.allow_headers(match rule {
            TowerRule::Any => AllowHeaders::from(Any),
            TowerRule::Mirror => AllowHeaders::mirror_request(),
            TowerRule::Exact(v) => AllowHeaders::list(names(std::slice::from_ref(v))),
            TowerRule::List(list) => AllowHeaders::list(names(list)),
        });
    }
    if let Some(rule) = &config.expose_headers {
        layer = layer.expose_headers(match rule {
            TowerRule::Any => ExposeHeaders::from(Any),
            TowerRule::Mirror => panic!("expose_headers has no mirror_request"),
            TowerRule::Exact(v) => ExposeHeaders::list(names(std::slice::from_ref(v))),
            TowerRule::List(list) => ExposeHeaders::list(names(list)),
        });
    }
    if config.allow_credentials {
        layer = layer.allow_credentials(true);
    }
    if let Some(seconds) = config.max_age {
        layer = layer.max_age(Duration::from_secs(seconds));
    }
    if let Some(vary) = &config.vary {
        layer = layer.vary(names(vary));
    }
    layer
}

async fn route(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let status = match request.uri().path() {
        "/error" => StatusCode::INTERNAL_SERVER_ERROR,
        "/missing" => StatusCode::NOT_FOUND,
        _ => StatusCode::OK,
    };
    let mut response = Response::new(Full::new(Bytes::from_static(b"ok")));
    *response.status_mut() = status;
    Ok(response)
}

impl TowerServer {
    /// Serves `config` on 127.0.0.1:`port`; returns once it listens.
    pub(crate) fn start(port: u16, config: &Tower) -> TowerServer {
        let layer = layer(config);
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let (ready, listening) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                    .await
                    .unwrap();
                ready.send(()).unwrap();
                loop {
                    let accepted = tokio::select! {
                        _ = &mut stopped => break,
                        accepted = listener.accept() => accepted,
                    };
                    let Ok((stream, _)) = accepted else { continue };
                    let service = ServiceBuilder::new().layer(layer.clone()).service_fn(route);
                    tokio::spawn(async move {
                        let hyper_service = hyper::service::service_fn(move |req| {
                            let mut service = service.clone();
                            async move { service.call(req).await }
                        });
                        let io = hyper_util::rt::TokioIo::new(stream);
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(io, hyper_service)
                            .await;
                    });
                }
            });
        });
        listening
            .recv_timeout(Duration::from_secs(10))
            .expect("the tower-http server did not start within 10 s");
        TowerServer {
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for TowerServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
