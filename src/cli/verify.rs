//! `cors-lab verify`: replay scenarios in a real headless browser and diff
//! what it did with the engine (see [`crate::verify`]).

use std::process::ExitCode;

use crate::verify::{self, report, FileStatus, RealBrowser};

/// Arguments of `cors-lab verify`.
#[derive(Debug, clap::Args)]
pub(crate) struct VerifyArgs {
    /// The browser to run the scenarios in.
    #[arg(long, value_enum, default_value = "chromium")]
    browser: RealBrowser,
    /// How many scenarios run at once, each worker with its own browser process.
    #[arg(long, default_value_t = verify::DEFAULT_JOBS as u8, value_parser = clap::value_parser!(u8).range(1..=8))]
    jobs: u8,
    /// Print a JSON array (one object per file) instead of text.
    #[arg(long, conflicts_with = "markdown")]
    json: bool,
    /// Print only the agreement table (per folder, per field) as Markdown,
    /// as README's "How we know it's right" shows it.
    #[arg(long)]
    markdown: bool,
    /// Rewrite each verified file's `expect` from what the browser did.
    #[arg(long)]
    write_expect: bool,
    /// Scenario files or folders.
    #[arg(required = true)]
    paths: Vec<std::path::PathBuf>,
}

/// 0: all agree; 1: some disagreement; 2: the harness failed.
pub(crate) fn run(args: &VerifyArgs) -> ExitCode {
    let files = match verify::collect_files(&args.paths) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("cors-lab verify: {e}");
            return ExitCode::from(2);
        }
    };
    let options = verify::Options {
        browser: args.browser,
        jobs: usize::from(args.jobs),
        ..verify::Options::default()
    };
    let run = match verify::verify_files(&files, &options) {
        Ok(run) => run,
        Err(e) => {
            eprintln!("cors-lab verify: {e}");
            return ExitCode::from(2);
        }
    };
    if args.json {
        match serde_json::to_string_pretty(&report::to_json(&run)) {
            Ok(text) => out!("{text}"),
            Err(e) => {
                eprintln!("cors-lab verify: {e}");
                return ExitCode::from(2);
            }
        }
    } else if args.markdown {
        out_part!("{}", report::to_markdown(&run));
    } else {
        out_part!("{}", report::to_text(&run));
    }
    let mut write_failed = false;
    if args.write_expect {
        for file in &run.files {
            if let FileStatus::Verified(v) = &file.status {
                if v.real_times.is_some() {
                    eprintln!(
                        "cors-lab verify: not writing expect of {}: its timing slipped in every attempt",
                        file.file.display()
                    );
                    write_failed = true;
                } else if let Err(e) = report::write_expect(&file.file, &v.observed) {
                    eprintln!("cors-lab verify: cannot write expect: {e}");
                    write_failed = true;
                } else if !args.json && !args.markdown {
                    out!("wrote expect: {}", file.file.display());
                }
            }
        }
    }
    if run.has_failures() || write_failed {
        ExitCode::from(2)
    } else if run.has_disagreements() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
