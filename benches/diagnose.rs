//! `diagnose` on a deterministic 5,000-entry HAR (`diagnose::synthetic`):
//! the budget is under 1 s in the browser. Figures are in BENCHMARKS.md.

// criterion's macros generate undocumented items.
#![allow(missing_docs)]

use cors_lab::diagnose::{diagnose, synthetic::synthetic_har};
use criterion::{black_box, criterion_group, criterion_main, Criterion};

fn har_5000(c: &mut Criterion) {
    let har = synthetic_har(5_000);
    let mut group = c.benchmark_group("diagnose");
    group.sample_size(10);
    group.bench_function("5000-entry HAR", |b| {
        b.iter(|| black_box(diagnose(black_box(&har))))
    });
    group.finish();
}

criterion_group!(benches, har_5000);
criterion_main!(benches);
