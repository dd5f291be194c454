//! The words of a step: its title, what was compared, what was found and
//! why it matters, rendered from the typed [`Step`] only when something
//! shows them (the CLI, the app, `diagnose`), as `messages` renders console
//! lines from a `Failure`. The engine itself never calls this, so
//! evaluating a scenario (and every fix-planning re-run) formats no step
//! text.

mod beyond;
mod beyond_cors;
mod build;
mod exchange;
mod verdict;

use super::step::{Step, StepKind};

/// A step in words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepText {
    /// Short title.
    pub title: String,
    /// What was compared (may be empty).
    pub compared: String,
    /// What was found (may be empty).
    pub found: String,
    /// Why it matters (may be empty).
    pub why: String,
    /// The deciding detail to highlight (a port, a header name, a byte), as
    /// it appears in `compared` or `found`.
    pub highlight: Option<String>,
}

impl StepText {
    fn titled(title: &str) -> StepText {
        StepText {
            title: title.to_owned(),
            ..StepText::default()
        }
    }
    fn compared(mut self, text: impl Into<String>) -> StepText {
        self.compared = text.into();
        self
    }
    fn found(mut self, text: impl Into<String>) -> StepText {
        self.found = text.into();
        self
    }
    fn why(mut self, text: impl Into<String>) -> StepText {
        self.why = text.into();
        self
    }
    fn highlight(mut self, text: impl Into<String>) -> StepText {
        self.highlight = Some(text.into());
        self
    }
}

/// Renders every part of `step`.
pub fn narrate(step: &Step) -> StepText {
    match &step.kind {
        StepKind::Built { .. } | StepKind::InitiatorMode { .. } | StepKind::Thrown { .. } => {
            build::narrate(&step.kind)
        }
        StepKind::Navigation
        | StepKind::NavigationUnanswered
        | StepKind::NavigationAnswered { .. }
        | StepKind::Handshake { .. }
        | StepKind::HandshakeAnswered { .. }
        | StepKind::Verdict { .. } => verdict::narrate(&step.kind),
        StepKind::LocalNetworkAccess { .. }
        | StepKind::ResourcePolicy { .. }
        | StepKind::OrbBlocked { .. } => beyond_cors::narrate(&step.kind),
        StepKind::Unanswered { .. }
        | StepKind::PreflightUnanswered { .. }
        | StepKind::MixedContent { .. }
        | StepKind::ErrorStatus { .. }
        | StepKind::RedirectedElsewhere { .. } => beyond::narrate(&step.kind),
        _ => exchange::narrate(&step.kind),
    }
}

/// The step's title.
pub fn title(step: &Step) -> String {
    narrate(step).title
}

/// What the step found (the sentence a fix's problem and a stage card's summary use).
pub fn found(step: &Step) -> String {
    narrate(step).found
}

/// Why the step matters.
pub fn why(step: &Step) -> String {
    narrate(step).why
}

/// The step's deciding detail.
pub fn highlight(step: &Step) -> Option<String> {
    narrate(step).highlight
}

pub use exchange::describe_unsafe;

/// A time in milliseconds as seconds, in the fewest digits: `5 s`,
/// `5.5 s`, `1.25 s`. Integer arithmetic: the app's wasm then carries no
/// float formatting at all.
pub fn seconds(ms: u64) -> String {
    let (whole, rest) = (ms / 1000, ms % 1000);
    if rest == 0 {
        return format!("{whole} s");
    }
    let fraction = format!("{rest:03}");
    format!("{whole}.{} s", fraction.trim_end_matches('0'))
}

#[cfg(test)]
mod tests;
