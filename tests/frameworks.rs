//! The framework models (`cors_lab::frameworks`) against the real
//! frameworks: each configuration under `tests/frameworks/<framework>/`
//! runs in the real server on 127.0.0.1 (installed by `scripts/setup
//! --frameworks`: npm, PyPI, Debian; tower-http as a dev-dependency), and
//! every exchange's status and CORS-relevant headers (`Access-Control-*`,
//! `Vary`) must equal the model's answer.
//!
//! The exchanges: a preflight (PUT with `Content-Type`) and a GET, each
//! from an allowed origin, a disallowed origin, `null` and no origin, to a
//! route
//! that answers 200, one that raises (500), one that does not exist (404)
//! and, behind nginx/Apache, an unreachable upstream (nginx 502, Apache
//! 503), an upstream
//! that sends its own CORS header, and static files.
//!
//! Without the installed frameworks the tests say so and pass, unless
//! `CORS_LAB_REQUIRE_FRAMEWORKS=1` (set by `scripts/test`) makes that a
//! failure.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "frameworks/harness.rs"]
mod harness;

use harness::{check, Framework};

#[test]
fn every_runnable_snippet_runs_in_its_framework_and_the_engine_allows_it() {
    if !harness::all_installed() {
        return;
    }
    let files = [
        "json-post-without-allow-headers.json",
        "credentials-missing-allow-credentials.json",
        "get-without-allow-origin-is-blocked.json",
        "put-needs-preflight.json",
        "expose-headers-one-header.json",
    ];
    let ran: usize = files.iter().map(|f| harness::snippets::prove(f)).sum();
    eprintln!("snippets: {ran} run in their framework, each allowed by the engine");
    assert_eq!(
        ran,
        files.len() * 4,
        "Express, FastAPI, nginx and tower-http for each"
    );
}

#[test]
fn express_with_cors_agrees_with_the_model() {
    check(
        Framework::Express,
        &[
            "list.js",
            "fixed.js",
            "callback.js",
            "default.js",
            "mounted.js",
        ],
    );
}

#[test]
fn starlette_cors_middleware_agrees_with_the_model() {
    check(
        Framework::Fastapi,
        &["list.py", "star_credentials.py", "regex.py", "private.py"],
    );
}

#[test]
fn django_cors_headers_agrees_with_the_model() {
    check(
        Framework::Django,
        &["list.py", "all.py", "regex.py", "null.py"],
    );
}

#[test]
fn flask_cors_agrees_with_the_model() {
    check(
        Framework::Flask,
        &[
            "default.py",
            "list.py",
            "resources.py",
            "wildcard.py",
            "no_always.py",
        ],
    );
}

#[test]
fn nginx_agrees_with_the_model() {
    check(
        Framework::Nginx,
        &["always.conf", "plain.conf", "regex.conf"],
    );
}

#[test]
fn apache_agrees_with_the_model() {
    check(
        Framework::Apache,
        &["setenvif.conf", "always.conf", "location.conf"],
    );
}

#[test]
fn tower_http_agrees_with_the_model() {
    check(
        Framework::TowerHttp,
        &[
            "list.rs",
            "exact.rs",
            "permissive.rs",
            "very_permissive.rs",
            "mirror.rs",
        ],
    );
}
