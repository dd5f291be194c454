//! Evaluates every bundled scenario N times (default 100) and prints the mean
//! time per scenario. Used with `perf stat -e instructions` for a figure that
//! does not depend on the machine's load (see BENCHMARKS.md).

use std::time::Instant;

use cors_lab::engine::evaluate;
use cors_lab::scenario::load_scenario;

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(100);
    let mut paths: Vec<_> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.sort();
    let scenarios: Vec<_> = paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter_map(|text| load_scenario(&text).ok().map(|l| l.scenario))
        .collect();
    let start = Instant::now();
    let mut requests = 0;
    for _ in 0..rounds {
        for scenario in &scenarios {
            requests += std::hint::black_box(evaluate(scenario, None))
                .requests
                .len();
        }
    }
    let per_scenario = start.elapsed().as_secs_f64() * 1e6 / (rounds * scenarios.len()) as f64;
    println!(
        "{} scenarios × {rounds} rounds ({requests} requests): {per_scenario:.1} µs per scenario",
        scenarios.len()
    );
}
