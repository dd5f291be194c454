//! `cors-lab verify`: replay scenarios in a real headless browser and diff
//! what it did with the engine (see [`crate::verify`]).

use std::process::ExitCode;

use crate::verify::{self, report, FileStatus};

/// Which real browser to drive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum RealBrowser {
    /// The installed headless Chromium.
    Chromium,
    /// Not supported yet.
    Firefox,
}

/// Arguments of `cors-lab verify`.
#[derive(Debug, clap::Args)]
pub(crate) struct VerifyArgs {
    /// The browser to run the scenarios in.
    #[arg(long, value_enum, default_value = "chromium")]
    browser: RealBrowser,
    /// Print a JSON array (one object per file) instead of text.
    #[arg(long)]
    json: bool,
    /// Rewrite each verified file's `expect` from what the browser did.
    #[arg(long)]
    write_expect: bool,
    /// Scenario files or folders.
    #[arg(required = true)]
    paths: Vec<std::path::PathBuf>,
}

/// 0: all agree; 1: some disagreement; 2: the harness failed.
pub(crate) fn run(args: &VerifyArgs) -> ExitCode {
    if args.browser == RealBrowser::Firefox {
        eprintln!("cors-lab verify: --browser firefox is not supported yet (only chromium)");
        return ExitCode::from(2);
    }
    let files = match verify::collect_files(&args.paths) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("cors-lab verify: {e}");
            return ExitCode::from(2);
        }
    };
    let run = match verify::verify_files(&files, &verify::Options::default()) {
        Ok(run) => run,
        Err(e) => {
            eprintln!("cors-lab verify: {e}");
            return ExitCode::from(2);
        }
    };
    if args.json {
        match serde_json::to_string_pretty(&report::to_json(&run)) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("cors-lab verify: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        print!("{}", report::to_text(&run));
    }
    let mut write_failed = false;
    if args.write_expect {
        for file in &run.files {
            if let FileStatus::Verified(v) = &file.status {
                if let Err(e) = report::write_expect(&file.file, &v.observed) {
                    eprintln!("cors-lab verify: cannot write expect: {e}");
                    write_failed = true;
                } else if !args.json {
                    println!("wrote expect: {}", file.file.display());
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
