//! Beyond any browser: every server change a request needs, not just the first.
//!
//! Browsers stop at the first failing check. Here the engine repairs that
//! check on a copy of the scenario's server and runs again, until the request
//! succeeds or the remaining problem is not the server's to fix.
//!
//! - `plan`: the repair-and-rerun loop, editing through [`crate::scenario::edit`];
//! - [`text`]: the one place a fix is worded, for every view of it.

pub mod by_cause;
mod cause_text;
pub(super) mod plan;
pub mod text;

pub use super::fix::{
    Advice, AllowOrigin, CorsHeader, Fix, FixAction, FixStage, MediaType, Problem,
};
pub(crate) use plan::plan_fixes;
