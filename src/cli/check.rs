//! `cors-lab check`.

use std::process::ExitCode;

/// Arguments of `cors-lab check`.
#[derive(Debug, clap::Args)]
pub(crate) struct CheckArgs {
    /// Scenario files or folders.
    #[arg(required = true)]
    paths: Vec<std::path::PathBuf>,
}

pub(crate) fn run(_args: &CheckArgs) -> ExitCode {
    ExitCode::FAILURE
}
