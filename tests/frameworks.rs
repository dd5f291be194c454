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
fn every_config_fix_runs_in_its_framework_and_the_engine_allows_it() {
    if !harness::all_installed() {
        return;
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/frameworks");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    files.sort();
    let proven: usize = files.iter().map(|f| harness::config_fixes::prove(f)).sum();
    eprintln!("config fixes: {proven} run in their framework, each allowed by the engine");
    // One per lesson whose failure a configuration change repairs (the
    // security lessons get none: their page is the attacker's; nor does a
    // FastAPI exception, which no CORS option repairs).
    assert_eq!(proven, 10, "config fixes proven");
}

#[test]
fn express_with_cors_agrees_with_the_model() {
    check(Framework::Express);
}

#[test]
fn starlette_cors_middleware_agrees_with_the_model() {
    check(Framework::Fastapi);
}

#[test]
fn django_cors_headers_agrees_with_the_model() {
    check(Framework::Django);
}

#[test]
fn flask_cors_agrees_with_the_model() {
    check(Framework::Flask);
}

#[test]
fn nginx_agrees_with_the_model() {
    check(Framework::Nginx);
}

#[test]
fn apache_agrees_with_the_model() {
    check(Framework::Apache);
}

#[test]
fn tower_http_agrees_with_the_model() {
    check(Framework::TowerHttp);
}

/// `tests/frameworks/model-answers.txt` is the models' answer to every
/// exchange the harness sends (the tests above prove those answers are
/// the real frameworks'); `tests/wasm_frameworks.rs` requires the models
/// built for the browser (patterns on its `RegExp`) to give the same. This
/// fails when the file is stale: `CORS_LAB_WRITE_ANSWERS=1 cargo test
/// --test frameworks model_answers` rewrites it.
#[test]
fn model_answers_recorded_for_the_wasm_test_are_the_native_models() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/frameworks/model-answers.txt");
    let mut text = harness::recorded::model_answers().join("\n");
    text.push('\n');
    if std::env::var("CORS_LAB_WRITE_ANSWERS").as_deref() == Ok("1") {
        std::fs::write(&path, &text).unwrap();
    }
    let recorded = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        recorded == text,
        "{} is stale: rewrite it with CORS_LAB_WRITE_ANSWERS=1 cargo test --test frameworks model_answers",
        path.display()
    );
}

/// `cors-lab respond` prints the model's answer as JSON, and names the line
/// and column of a configuration it cannot read.
#[test]
fn respond_prints_the_answer_and_the_line_of_a_bad_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("app.js");
    std::fs::write(
        &good,
        "const cors = require(\"cors\");\napp.use(cors({ origin: \"https://app.example\" }));\n",
    )
    .unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_cors-lab"))
        .args(["respond", "--config"])
        .arg(&good)
        .args(["--method", "OPTIONS", "--url", "https://api.example/items"])
        .args(["--header", "Origin: https://evil.example"])
        .args(["--header", "Access-Control-Request-Method: PUT"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["framework"], "express");
    assert_eq!(json["status"], 204);
    assert_eq!(
        json["headers"][0],
        serde_json::json!(["Access-Control-Allow-Origin", "https://app.example"])
    );
    let bad = dir.path().join("nginx.conf");
    std::fs::write(
        &bad,
        "server {\n    location / {\n        add_header A b\n    }\n}\n",
    )
    .unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_cors-lab"))
        .args(["respond", "--config"])
        .arg(&bad)
        .args(["--url", "/"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 3, column 9"), "{stderr}");
}
