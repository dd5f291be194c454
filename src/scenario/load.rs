//! Loading a scenario file: clear errors with line and column, and a warning
//! for every unknown field (a typo such as `"heders"` must not pass silently).

use std::fmt;

use serde::Deserialize;

use super::format::{Scenario, FORMAT_V1};

/// A scenario that loaded, with the warnings found on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The scenario.
    pub scenario: Scenario,
    /// Unknown fields, each named with its place, e.g. `requests[0].heders`.
    pub warnings: Vec<String>,
}

/// Why a file could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// 1-based line of the problem (0 when it is not tied to a place).
    pub line: usize,
    /// 1-based column of the problem (0 when it is not tied to a place).
    pub column: usize,
    /// What was wrong and what was expected.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.message)
        } else {
            write!(
                f,
                "line {}, column {}: {}",
                self.line, self.column, self.message
            )
        }
    }
}

impl std::error::Error for LoadError {}

/// Parses a version-1 scenario from JSON text.
pub fn load_scenario(text: &str) -> Result<Loaded, LoadError> {
    let mut warnings = Vec::new();
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let scenario: Scenario = serde_ignored::deserialize(&mut deserializer, |path| {
        warnings.push(format!(
            "unknown field `{}` (ignored)",
            describe_path(&path)
        ));
    })
    .map_err(|error| LoadError {
        line: error.line(),
        column: error.column(),
        message: plain_serde_message(&error),
    })?;
    deserializer.end().map_err(|error| LoadError {
        line: error.line(),
        column: error.column(),
        message: "unexpected text after the scenario object".to_owned(),
    })?;
    if scenario.format != FORMAT_V1 {
        return Err(LoadError {
            line: 0,
            column: 0,
            message: format!(
                "`format` is {:?}, expected \"{FORMAT_V1}\" (this version reads only version-1 files)",
                scenario.format
            ),
        });
    }
    Ok(Loaded { scenario, warnings })
}

/// `serde_ignored` paths print as `requests.0.heders`; show `requests[0].heders`.
fn describe_path(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", describe_path(parent)),
        Path::Map { parent, key } => {
            let parent = describe_path(parent);
            if parent.is_empty() {
                key.clone()
            } else {
                format!("{parent}.{key}")
            }
        }
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => describe_path(parent),
    }
}

/// serde_json appends " at line L column C" to its messages; the position is
/// reported separately, so drop it.
fn plain_serde_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(cut) => text.get(..cut).unwrap_or(&text).to_owned(),
        None => text,
    }
}

/// Convenience for callers that only need the value (tests, benches).
pub fn parse_scenario(text: &str) -> Result<Scenario, LoadError> {
    load_scenario(text).map(|loaded| loaded.scenario)
}

/// Deserialize straight from a `serde_json::Value` (used by the app's stored state).
pub fn scenario_from_value(value: serde_json::Value) -> Result<Scenario, String> {
    Scenario::deserialize(value).map_err(|e| e.to_string())
}
