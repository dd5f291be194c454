//! What happened to one request, in the shape of an `expect` entry, and how a
//! result is compared with an expectation (or with another result).
//!
//! The engine produces these, and so does the real-browser check; both are
//! compared field by field with [`disagreements`].

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::format::{Expectation, HeaderPair, Outcome, PreflightUse};

/// Every field of an `expect` entry, filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestResult {
    /// Whether the request's URL is cross-origin to the page.
    pub cross_origin: bool,
    /// Whether a preflight was needed, sent or answered by the cache.
    pub preflight: PreflightUse,
    /// The CORS headers of the preflight as sent (empty when none was sent).
    pub preflight_request: Vec<HeaderPair>,
    /// The verdict.
    pub outcome: Outcome,
    /// Sorted lower-cased response header names the script can read (empty unless allowed).
    pub readable_headers: Vec<String>,
    /// Every console line for this request, in order.
    pub console: Vec<String>,
    /// The exception the script sees, if any.
    pub js_error: Option<String>,
}

impl RequestResult {
    /// The result as a complete expectation, e.g. to write into a file's `expect`.
    pub fn to_expectation(&self) -> Expectation {
        Expectation {
            cross_origin: Some(self.cross_origin),
            preflight: Some(self.preflight),
            preflight_request: (self.preflight == PreflightUse::Sent)
                .then(|| self.preflight_request.clone()),
            outcome: Some(self.outcome),
            readable_headers: Some(self.readable_headers.clone()),
            console: Some(self.console.clone()),
            js_error: Some(self.js_error.clone()),
        }
    }
}

/// One field on which an expectation and a result differ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Disagreement {
    /// Index of the request in the scenario.
    pub request: usize,
    /// The `expect` field name.
    pub field: String,
    /// What the expectation (or the reference, e.g. the real browser) says.
    pub expected: Value,
    /// What the result says.
    pub actual: Value,
}

/// Compares each field the expectation states with the result.
///
/// `preflight_request` passes when every listed pair was sent (names compared
/// case-insensitively, values exactly); `readable_headers` compares as sets.
pub fn disagreements(
    request: usize,
    expected: &Expectation,
    actual: &RequestResult,
) -> Vec<Disagreement> {
    let mut found = Vec::new();
    let mut differ = |field: &str, expected: Value, actual: Value| {
        found.push(Disagreement {
            request,
            field: field.to_owned(),
            expected,
            actual,
        });
    };
    if let Some(want) = expected.cross_origin {
        if want != actual.cross_origin {
            differ("cross_origin", json!(want), json!(actual.cross_origin));
        }
    }
    if let Some(want) = expected.preflight {
        if want != actual.preflight {
            differ("preflight", json!(want), json!(actual.preflight));
        }
    }
    if let Some(want) = &expected.preflight_request {
        let all_sent = want.iter().all(|(name, value)| {
            actual
                .preflight_request
                .iter()
                .any(|(n, v)| n.eq_ignore_ascii_case(name) && v == value)
        });
        if !all_sent {
            differ(
                "preflight_request",
                json!(want),
                json!(actual.preflight_request),
            );
        }
    }
    if let Some(want) = expected.outcome {
        if want != actual.outcome {
            differ("outcome", json!(want), json!(actual.outcome));
        }
    }
    if let Some(want) = &expected.readable_headers {
        if sorted_lowercase(want) != sorted_lowercase(&actual.readable_headers) {
            differ(
                "readable_headers",
                json!(want),
                json!(actual.readable_headers),
            );
        }
    }
    if let Some(want) = &expected.console {
        if want != &actual.console {
            differ("console", json!(want), json!(actual.console));
        }
    }
    if let Some(want) = &expected.js_error {
        if want != &actual.js_error {
            differ("js_error", json!(want), json!(actual.js_error));
        }
    }
    found
}

fn sorted_lowercase(names: &[String]) -> Vec<String> {
    let mut names: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
    names.sort();
    names.dedup();
    names
}
