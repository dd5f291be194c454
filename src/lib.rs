//! CORS Lab: a browser-exact simulator of cross-origin requests.
//!
//! - [`scenario`]: the scenario file format and its loader.
//! - [`engine`]: the pure model of what the browser does (no clock, no I/O).
//! - [`jscall`]: script code (`fetch(...)`, XHR) ⇄ a request, both ways.
//! - [`snippets`]: server configuration code for the fixes a request needs.
//! - `ui` (wasm, and natively with the `ssr` feature for the pre-render
//!   step): the Yew app that renders the engine's trace.

pub mod diagnose;
pub mod engine;
pub mod jscall;
pub mod scenario;
pub mod snippets;

pub mod frameworks;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;

#[cfg(not(target_arch = "wasm32"))]
pub mod verify;

#[cfg(any(target_arch = "wasm32", feature = "ssr"))]
pub mod ui;
