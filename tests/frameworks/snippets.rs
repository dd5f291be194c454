//! Every snippet CORS Lab generates for a framework that runs here
//! (Express, FastAPI, nginx, tower-http/axum), run in that framework: the
//! browser's requests (from the engine's trace) are sent to it, and a
//! scenario whose server answers with what the framework sent must be
//! allowed by the engine.

use cors_lab::engine::evaluate;
use cors_lab::engine::ExchangeKind;
use cors_lab::frameworks::{Framework, Request};
use cors_lab::scenario::{parse_scenario, Outcome};
use cors_lab::snippets::{cors_config, snippet, Framework as SnippetFramework};

use super::{send, start};

/// The framework that runs a snippet, and the app around it.
fn app(framework: SnippetFramework, snippet: &str, path: &str) -> Option<(Framework, String)> {
    Some(match framework {
        SnippetFramework::Express => (
            Framework::Express,
            format!(
                "const express = require(\"express\");\nconst app = express();\n{snippet}\n\
                 app.all({path:?}, (req, res) => res.send(\"ok\"));\n"
            ),
        ),
        SnippetFramework::FastApi => (
            Framework::Fastapi,
            format!(
                "from fastapi import FastAPI\n\napp = FastAPI()\n{snippet}\n\n\
                 @app.api_route({path:?}, methods=[\"GET\", \"POST\", \"PUT\", \"PATCH\", \"DELETE\"])\n\
                 def resource():\n    return {{\"ok\": True}}\n"
            ),
        ),
        SnippetFramework::Nginx => (
            Framework::Nginx,
            format!(
                "server {{\n    listen 127.0.0.1:{{PORT}};\n{}}}\n",
                snippet.replace(
                    "# … your proxy_pass or root as before",
                    "proxy_pass http://127.0.0.1:{UPSTREAM};"
                )
            ),
        ),
        SnippetFramework::Axum => (Framework::TowerHttp, snippet.to_owned()),
        // Not run here: no Spring or Go toolchain (their snippets say so).
        SnippetFramework::Spring | SnippetFramework::GoNetHttp => return None,
    })
}

/// Runs every runnable snippet of `file`'s first request; returns how
/// many ran.
pub(crate) fn prove(file: &str) -> usize {
    let root = env!("CARGO_MANIFEST_DIR");
    let text = std::fs::read_to_string(format!("{root}/scenarios/{file}")).unwrap();
    let scenario = parse_scenario(&text).unwrap();
    let trace = evaluate(&scenario, None);
    let spec = &scenario.requests[0];
    let config = cors_config(spec, &trace.requests[0]);
    let url = url::Url::parse(&spec.url).unwrap();
    // The requests the browser sends once the server is fixed: the
    // preflight as the trace has it, and the request with its Origin.
    let preflight = trace.requests[0]
        .exchanges
        .iter()
        .find(|e| e.kind == ExchangeKind::Preflight)
        .map(|e| e.request.headers.0.clone());
    let mut actual_headers = vec![("Origin".to_owned(), scenario.page.clone())];
    actual_headers.extend(spec.headers.iter().map(|h| (h.0.clone(), h.1.clone())));
    let mut ran = 0;
    for framework in SnippetFramework::ALL {
        let code = snippet(framework, &config);
        let Some((real, app)) = app(framework, &code, url.path()) else {
            assert!(
                code.contains("Not run by CORS Lab's framework harness"),
                "{code}"
            );
            continue;
        };
        let running = start(real, &app);
        let mut rules = Vec::new();
        if config.preflighted {
            let headers = preflight.clone().unwrap_or_else(|| {
                vec![
                    ("Origin".to_owned(), scenario.page.clone()),
                    (
                        "Access-Control-Request-Method".to_owned(),
                        spec.method.clone(),
                    ),
                ]
            });
            let (status, headers) = send(
                running.port,
                &Request {
                    method: "OPTIONS".to_owned(),
                    path: url.path().to_owned(),
                    headers,
                },
            );
            rules.push(serde_json::json!({
                "match": {"method": "OPTIONS", "url": spec.url},
                "respond": {"status": status, "headers": headers},
            }));
        }
        let (status, headers) = send(
            running.port,
            &Request {
                method: spec.method.clone(),
                path: url.path().to_owned(),
                headers: actual_headers.clone(),
            },
        );
        rules.push(serde_json::json!({
            "match": {"url": spec.url},
            "respond": {"status": status, "headers": headers},
        }));
        let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
        json["server"] = serde_json::Value::Array(rules);
        json.as_object_mut().unwrap().remove("expect");
        let proven = parse_scenario(&json.to_string()).unwrap();
        let result = &evaluate(&proven, None).requests[0].result;
        assert_eq!(
            result.outcome,
            Outcome::Allowed,
            "{file}: the {} snippet, run in {real}, does not let the engine allow the request:\n{code}\nserver: {:#}",
            framework.id(),
            json["server"]
        );
        ran += 1;
    }
    ran
}
