//! The wasm entry point that Trunk builds: it only mounts the app.

#[cfg(target_arch = "wasm32")]
fn main() {
    cors_lab::ui::start();
}

/// The app exists only on wasm; this keeps native builds and tests working.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}
