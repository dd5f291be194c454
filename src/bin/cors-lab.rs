//! The `cors-lab` command-line tool (native only).

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cors_lab::cli::main()
}

/// The CLI does not exist on wasm; this keeps `cargo build --target wasm32-unknown-unknown` working.
#[cfg(target_arch = "wasm32")]
fn main() {}
