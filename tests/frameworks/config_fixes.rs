//! Every configuration fix CORS Lab proposes for a framework lesson
//! (`frameworks::config_fix`), run in the real framework: the browser's
//! requests to the fixed server (from the engine's trace with the fixed
//! configuration) are sent to it, and a scenario whose server answers with
//! what the real framework sent must be allowed by the engine.

use cors_lab::engine::ExchangeKind;
use cors_lab::frameworks::{config_fix, evaluate, Framework, Request};
use cors_lab::scenario::{parse_scenario, Outcome, Scenario};

use super::{send, start};

/// The lesson's configuration made runnable by the harness: nginx listens
/// on the harness port and proxies to its upstream (or to a dead port,
/// for a `down` handler); Apache likewise.
fn runnable(framework: Framework, config: &str, handler: &str) -> String {
    let upstream = if handler == "down" {
        "{DEAD}"
    } else {
        "{UPSTREAM}"
    };
    let config = config.replace("127.0.0.1:3000", &format!("127.0.0.1:{upstream}"));
    match framework {
        Framework::Nginx => config
            .lines()
            .filter(|l| !l.trim_start().starts_with("server_name"))
            .map(|l| {
                if l.trim_start().starts_with("listen ") {
                    "    listen 127.0.0.1:{PORT};".to_owned()
                } else {
                    l.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("\n"),
        _ => config,
    }
}

/// The path the harness's routes and upstream answer as the lesson's
/// `handler` says: an application's `/ok`, `/error`, `/missing`; behind a
/// proxy the lesson's own path (its locations decide), `/error` and
/// `/missing`, or `/cors` when the upstream sends CORS headers itself.
fn harness_path(framework: Framework, lesson_path: &str, handler: &str, upstream: bool) -> String {
    let proxy = matches!(framework, Framework::Nginx | Framework::Apache);
    match (handler, proxy) {
        ("error", _) => "/error".to_owned(),
        ("missing", _) => "/missing".to_owned(),
        (_, true) if upstream => "/cors".to_owned(),
        (_, true) => lesson_path.to_owned(),
        (_, false) => "/ok".to_owned(),
    }
}

/// Proves the configuration fix of every request of `file` (under
/// `scenarios/frameworks/`) that has one; returns how many were proven.
pub(crate) fn prove(file: &str) -> usize {
    let root = env!("CARGO_MANIFEST_DIR");
    let text = std::fs::read_to_string(format!("{root}/scenarios/frameworks/{file}")).unwrap();
    let scenario = parse_scenario(&text).unwrap();
    let mut proven = 0;
    for index in 0..scenario.requests.len() {
        let Some(fix) = config_fix(&scenario, index) else {
            continue;
        };
        let mut fixed = scenario.clone();
        let rule = fixed.server[fix.rule].framework.as_mut().unwrap();
        rule.config.clone_from(&fix.config);
        let handler = rule.handler.clone().unwrap_or_else(|| "ok".to_owned());
        let upstream = !rule.upstream_headers.is_empty();
        let running = start(
            fix.framework,
            &runnable(fix.framework, &fix.config, &handler),
        );
        let trace = evaluate(&fixed, None);
        // What the browser sends to the fixed server, as the engine has it,
        // answered by the real framework.
        let mut rules = Vec::new();
        for exchange in &trace.requests[index].exchanges {
            let url = url::Url::parse(&exchange.request.url).unwrap();
            let path = harness_path(fix.framework, url.path(), &handler, upstream);
            let (status, headers) = send(
                running.port,
                &Request {
                    method: exchange.request.method.clone(),
                    path,
                    headers: exchange.request.headers.0.clone(),
                },
            );
            let method = match exchange.kind {
                ExchangeKind::Preflight => "OPTIONS".to_owned(),
                ExchangeKind::Actual => exchange.request.method.clone(),
            };
            rules.push(serde_json::json!({
                "match": {"method": method, "url": exchange.request.url},
                "respond": {"status": status, "headers": headers},
            }));
        }
        let proven_scenario = with_server(&scenario, rules);
        let result = &evaluate(&proven_scenario, None).requests[index].result;
        assert_eq!(
            result.outcome,
            Outcome::Allowed,
            "{file}: the fixed {} configuration, run in the real framework, does not let the engine allow request {index}:\n{}\nserver: {:?}",
            fix.framework,
            fix.config,
            proven_scenario.server
        );
        proven += 1;
    }
    proven
}

/// `scenario` with its server replaced by plain `rules`.
fn with_server(scenario: &Scenario, rules: Vec<serde_json::Value>) -> Scenario {
    let mut json = serde_json::to_value(scenario).unwrap();
    json["server"] = serde_json::Value::Array(rules);
    json.as_object_mut().unwrap().remove("expect");
    parse_scenario(&json.to_string()).unwrap()
}
