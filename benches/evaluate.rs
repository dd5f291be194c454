//! Evaluating every bundled scenario: the engine's speed budget is 20 µs per
//! scenario. Figures are recorded in BENCHMARKS.md.

// criterion's macros generate undocumented items.
#![allow(missing_docs)]

use std::path::Path;

use cors_lab::engine::evaluate;
use cors_lab::scenario::{load_scenario, Scenario};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

fn bundled_scenarios() -> Vec<Scenario> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.sort();
    paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter_map(|text| load_scenario(&text).ok().map(|l| l.scenario))
        .collect()
}

fn evaluate_bundled(c: &mut Criterion) {
    let scenarios = bundled_scenarios();
    let mut group = c.benchmark_group("evaluate");
    group.throughput(Throughput::Elements(scenarios.len() as u64));
    group.bench_function("every bundled scenario", |b| {
        b.iter(|| {
            for scenario in &scenarios {
                black_box(evaluate(black_box(scenario), None));
            }
        })
    });
    group.finish();
    let mut parse = c.benchmark_group("load");
    let texts: Vec<String> = scenarios
        .iter()
        .filter_map(|s| serde_json::to_string(s).ok())
        .collect();
    parse.throughput(Throughput::Elements(texts.len() as u64));
    parse.bench_function("every bundled scenario", |b| {
        b.iter(|| {
            for text in &texts {
                let _ = black_box(load_scenario(black_box(text)));
            }
        })
    });
    parse.finish();
}

criterion_group!(benches, evaluate_bundled);
criterion_main!(benches);
