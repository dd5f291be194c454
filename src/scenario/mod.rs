//! Scenario files: the version-1 format, its loader, and the per-request
//! result shape shared by the engine and the real-browser check.

pub mod edit;
mod format;
mod load;
mod result;

pub use format::*;
pub use load::{load_scenario, parse_scenario, scenario_from_value, LoadError, Loaded};
pub use result::{disagreements, Disagreement, RequestResult};
