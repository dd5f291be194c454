//! Prints the deterministic benchmark HAR: `cargo run --example synthetic_har -- 5000 > big.har`.

fn main() {
    let count = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(5_000);
    println!("{}", cors_lab::diagnose::synthetic::synthetic_har(count));
}
