//! Prints every trace of every scenario file (all browsers) as JSON, steps
//! in words: a record to diff the engine's behaviour before and after a
//! refactor (`cargo run --release --example dump_traces -- scenarios`).

use cors_lab::engine::narrate;
use cors_lab::frameworks::evaluate;
use cors_lab::scenario::{load_scenario, Browser};
use serde_json::{json, Value};

fn main() {
    let mut paths = Vec::new();
    for dir in std::env::args().skip(1) {
        let mut stack = vec![std::path::PathBuf::from(dir)];
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                for e in std::fs::read_dir(&p).into_iter().flatten().flatten() {
                    stack.push(e.path());
                }
            } else if p.extension().is_some_and(|e| e == "json") {
                paths.push(p);
            }
        }
    }
    paths.sort();
    for p in paths {
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        let Ok(loaded) = load_scenario(&text) else {
            continue;
        };
        for b in [Browser::Chrome, Browser::Firefox, Browser::Safari] {
            let trace = evaluate(&loaded.scenario, Some(b));
            let mut value = serde_json::to_value(&trace).unwrap_or_default();
            for (request, out) in trace.requests.iter().zip(
                value
                    .get_mut("requests")
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten(),
            ) {
                let steps: Vec<Value> = request
                    .steps
                    .iter()
                    .map(|s| {
                        let t = narrate(s);
                        json!({"stage": s.stage, "anchor": s.spec.anchor(), "title": t.title,
                            "compared": t.compared, "found": t.found, "why": t.why,
                            "status": s.status, "highlight": t.highlight})
                    })
                    .collect();
                out["steps"] = Value::Array(steps);
            }
            println!("{} {:?}", p.display(), b);
            println!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
        }
    }
}
