//! The wasm entry point that Trunk builds: it only mounts the app.
fn main() {}
