//! `cors-lab verify`.

use std::process::ExitCode;

/// Arguments of `cors-lab verify`.
#[derive(Debug, clap::Args)]
pub(crate) struct VerifyArgs {
    /// Scenario files or folders.
    #[arg(required = true)]
    paths: Vec<std::path::PathBuf>,
}

pub(crate) fn run(_args: &VerifyArgs) -> ExitCode {
    ExitCode::FAILURE
}
