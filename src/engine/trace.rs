//! The engine's output: data the app and the CLI render, never re-decide.

use serde::Serialize;

use crate::scenario::{Browser, RequestResult};

/// Everything the engine found for one scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trace {
    /// Whose rules were applied.
    pub browser: Browser,
    /// One entry per scenario request, in order.
    pub requests: Vec<RequestTrace>,
}

/// What happened to one request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestTrace {
    /// The result, in the shape of an `expect` entry.
    pub result: RequestResult,
}
