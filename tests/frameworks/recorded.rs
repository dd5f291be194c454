//! What the real-framework harness sends and compares, shared by
//! `tests/frameworks.rs` (native: the models against the real frameworks)
//! and `tests/wasm_frameworks.rs` (in the browser: the same models, built
//! for wasm32, where patterns run on the browser's `RegExp` instead of the
//! `regex` crate).
//!
//! The chain that makes the wasm check a check against the real
//! frameworks: the harness proves the native models agree with the real
//! frameworks on every exchange; `model-answers.txt` holds the native
//! models' answer to each of those exchanges (a native test fails when it
//! is stale); the wasm test requires the browser-built models to give the
//! same answers.

use cors_lab::frameworks::{self, is_cors_relevant, Backend, Framework, Outcome, Request};

/// The origin every configuration allows.
pub(crate) const ALLOWED: &str = "https://app.example";
/// An origin no configuration allows.
pub(crate) const DISALLOWED: &str = "https://evil.example";

/// Every configuration the harness runs: framework, file name under
/// `tests/frameworks/<framework>/`, and its text.
pub(crate) const CONFIGS: &[(Framework, &str, &str)] = &[
    (
        Framework::Express,
        "list.js",
        include_str!("express/list.js"),
    ),
    (
        Framework::Express,
        "fixed.js",
        include_str!("express/fixed.js"),
    ),
    (
        Framework::Express,
        "callback.js",
        include_str!("express/callback.js"),
    ),
    (
        Framework::Express,
        "default.js",
        include_str!("express/default.js"),
    ),
    (
        Framework::Express,
        "mounted.js",
        include_str!("express/mounted.js"),
    ),
    (
        Framework::Fastapi,
        "list.py",
        include_str!("fastapi/list.py"),
    ),
    (
        Framework::Fastapi,
        "star_credentials.py",
        include_str!("fastapi/star_credentials.py"),
    ),
    (
        Framework::Fastapi,
        "regex.py",
        include_str!("fastapi/regex.py"),
    ),
    (
        Framework::Fastapi,
        "private.py",
        include_str!("fastapi/private.py"),
    ),
    (Framework::Django, "list.py", include_str!("django/list.py")),
    (Framework::Django, "all.py", include_str!("django/all.py")),
    (
        Framework::Django,
        "regex.py",
        include_str!("django/regex.py"),
    ),
    (Framework::Django, "null.py", include_str!("django/null.py")),
    (
        Framework::Flask,
        "default.py",
        include_str!("flask/default.py"),
    ),
    (Framework::Flask, "list.py", include_str!("flask/list.py")),
    (
        Framework::Flask,
        "resources.py",
        include_str!("flask/resources.py"),
    ),
    (
        Framework::Flask,
        "wildcard.py",
        include_str!("flask/wildcard.py"),
    ),
    (
        Framework::Flask,
        "no_always.py",
        include_str!("flask/no_always.py"),
    ),
    (
        Framework::Nginx,
        "always.conf",
        include_str!("nginx/always.conf"),
    ),
    (
        Framework::Nginx,
        "plain.conf",
        include_str!("nginx/plain.conf"),
    ),
    (
        Framework::Nginx,
        "regex.conf",
        include_str!("nginx/regex.conf"),
    ),
    (
        Framework::Apache,
        "setenvif.conf",
        include_str!("apache/setenvif.conf"),
    ),
    (
        Framework::Apache,
        "always.conf",
        include_str!("apache/always.conf"),
    ),
    (
        Framework::Apache,
        "location.conf",
        include_str!("apache/location.conf"),
    ),
    (
        Framework::TowerHttp,
        "list.rs",
        include_str!("tower-http/list.rs"),
    ),
    (
        Framework::TowerHttp,
        "exact.rs",
        include_str!("tower-http/exact.rs"),
    ),
    (
        Framework::TowerHttp,
        "permissive.rs",
        include_str!("tower-http/permissive.rs"),
    ),
    (
        Framework::TowerHttp,
        "very_permissive.rs",
        include_str!("tower-http/very_permissive.rs"),
    ),
    (
        Framework::TowerHttp,
        "mirror.rs",
        include_str!("tower-http/mirror.rs"),
    ),
];

/// The paths requested of each framework: routes that answer 200, raise
/// (500) and do not exist (404); behind nginx/Apache also an unreachable
/// upstream, an upstream that sends its own CORS header, a cached
/// location (nginx only) and static files.
pub(crate) fn paths(framework: Framework) -> Vec<&'static str> {
    match framework {
        Framework::Nginx => vec![
            "/ok",
            "/error",
            "/missing",
            "/down",
            "/cors",
            "/cached",
            "/static/file.txt",
            "/static/none.txt",
        ],
        Framework::Apache => vec![
            "/ok",
            "/error",
            "/missing",
            "/down",
            "/cors",
            "/static/file.txt",
            "/static/none.txt",
        ],
        _ => vec!["/ok", "/error", "/missing"],
    }
}

/// What the route at `path` does, in every harness app and upstream.
pub(crate) fn upstream_backend(path: &str) -> Backend {
    let outcome = match path {
        "/error" => Outcome::Error,
        "/missing" | "/static/none.txt" => Outcome::NotFound,
        "/down" => Outcome::Down,
        _ => Outcome::Ok,
    };
    let headers = if path == "/cors" {
        vec![("Access-Control-Allow-Origin".to_owned(), "*".to_owned())]
    } else {
        Vec::new()
    };
    Backend { outcome, headers }
}

/// The requests sent to each path: a preflight for PUT with
/// `Content-Type`, and a GET; each from an allowed origin, a disallowed
/// origin, the opaque origin `null` and none.
pub(crate) fn requests(path: &str) -> Vec<Request> {
    let mut out = Vec::new();
    for origin in [Some(ALLOWED), Some(DISALLOWED), Some("null"), None] {
        let with_origin = |mut headers: Vec<(String, String)>| {
            if let Some(o) = origin {
                headers.insert(0, ("Origin".to_owned(), o.to_owned()));
            }
            headers
        };
        out.push(Request {
            method: "OPTIONS".to_owned(),
            path: path.to_owned(),
            headers: with_origin(vec![
                ("Access-Control-Request-Method".to_owned(), "PUT".to_owned()),
                (
                    "Access-Control-Request-Headers".to_owned(),
                    "content-type".to_owned(),
                ),
            ]),
        });
        out.push(Request {
            method: "GET".to_owned(),
            path: path.to_owned(),
            headers: with_origin(Vec::new()),
        });
    }
    out
}

/// Header lines compared: CORS-relevant, names lower-cased, sorted by
/// name (the order of one name's lines kept).
pub(crate) fn normalise(headers: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = headers
        .iter()
        .filter(|(n, _)| is_cors_relevant(n))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The configuration with its placeholders filled in as for the model
/// (ports and the document root; no model's answer depends on them).
pub(crate) fn fill(config: &str, port: u16, upstream: u16, dead: u16, root: &str) -> String {
    config
        .replace("{PORT}", &port.to_string())
        .replace("{UPSTREAM}", &upstream.to_string())
        .replace("{DEAD}", &dead.to_string())
        .replace("{ROOT}", root)
}

/// One line per exchange of every configuration: the models' answer, e.g.
/// `express list.js: OPTIONS /ok from allowed → 204 allow-origin:
/// https://app.example | vary: Origin` (`from` the allowed or disallowed
/// origin, `null` or `none`; a preflight always asks for PUT with
/// `content-type`; `access-control-` is left out of header names).
pub(crate) fn model_answers() -> Vec<String> {
    let mut lines = Vec::new();
    for (framework, file, config) in CONFIGS {
        let text = fill(config, 8080, 8081, 8082, "/www");
        let model = match frameworks::parse(*framework, &text) {
            Ok(model) => model,
            Err(e) => {
                lines.push(format!("{framework} {file}: unreadable: {e}"));
                continue;
            }
        };
        for path in paths(*framework) {
            for request in requests(path) {
                let answer = model.respond(&request, &upstream_backend(path));
                let from = match request.header("Origin") {
                    Some(ALLOWED) => "allowed",
                    Some(DISALLOWED) => "disallowed",
                    Some(_) => "null",
                    None => "none",
                };
                let got: Vec<String> = normalise(&answer.headers)
                    .iter()
                    .map(|(n, v)| {
                        let name = n.strip_prefix("access-control-").unwrap_or(n);
                        format!("{name}: {v}")
                    })
                    .collect();
                lines.push(format!(
                    "{framework} {file}: {} {path} from {from} → {} {}",
                    request.method,
                    answer.status,
                    got.join(" | ")
                ));
            }
        }
    }
    lines
}
