//! `cors-lab diagnose`: "why is my request blocked?" for a pasted file.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::diagnose::{diagnose, Diagnosis, MAX_INPUT_BYTES};
use crate::engine::fixes::text;

/// Arguments of `cors-lab diagnose`.
#[derive(Debug, clap::Args)]
pub(crate) struct DiagnoseArgs {
    /// Print `{format, sentence, findings, results, ...}` as JSON (a stable interface).
    #[arg(long)]
    json: bool,
    /// A curl command, fetch code, HTTP headers, a HAR file or console lines; `-` reads stdin.
    file: PathBuf,
}

fn read_input(file: &PathBuf) -> Result<String, String> {
    let mut bytes = Vec::new();
    let limit = u64::try_from(MAX_INPUT_BYTES).unwrap_or(u64::MAX) + 1;
    let result = if file.as_os_str() == "-" {
        std::io::stdin().take(limit).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(file).and_then(|f| f.take(limit).read_to_end(&mut bytes))
    };
    result.map_err(|e| format!("{}: {e}", file.display()))?;
    // Pasted text that is not UTF-8 is read as far as it goes, not refused.
    Ok(String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

pub(crate) fn run(args: &DiagnoseArgs) -> ExitCode {
    let input = match read_input(&args.file) {
        Ok(input) => input,
        Err(error) => {
            eprintln!("cors-lab: {error}");
            return ExitCode::from(2);
        }
    };
    let diagnosis = match diagnose(&input) {
        Ok(diagnosis) => diagnosis,
        Err(error) => {
            if args.json {
                out!("{}", serde_json::json!({ "error": error.message }));
            } else {
                eprintln!("cors-lab: {error}");
            }
            return ExitCode::FAILURE;
        }
    };
    if args.json {
        match serde_json::to_string_pretty(&diagnosis.to_json()) {
            Ok(text) => out!("{text}"),
            Err(error) => {
                eprintln!("cors-lab: {error}");
                return ExitCode::from(2);
            }
        }
    } else {
        print_text(&diagnosis);
    }
    ExitCode::SUCCESS
}

fn print_text(diagnosis: &Diagnosis) {
    out!("Format: {}", diagnosis.format_name());
    out!("{}", diagnosis.sentence());
    if let Some(cause) = diagnosis.cause() {
        out!("Cause: {cause}");
    }
    for report in &diagnosis.reports {
        let outcome = report
            .trace
            .as_ref()
            .map_or("not replayed".to_owned(), |t| {
                format!("{:?}", t.result.outcome).to_lowercase()
            });
        out!();
        out_part!("{}: {outcome}", report.case.url);
        if let Some(step) = &report.failing_step {
            out_part!(", fails at step {} ({})", step.index + 1, step.title);
        }
        out!();
        for (number, finding) in report.findings.iter().enumerate() {
            let fix = text::action(&finding.fix.action);
            let unconfirmed = if finding.confirmed {
                ""
            } else {
                " (from the console line; not confirmed)"
            };
            out!(
                "  {}. [{}] {}: {fix}{unconfirmed}",
                number + 1,
                text::stage_id(finding.fix.stage),
                finding.problem
            );
        }
        for text in &report.contradictions {
            out!("  Contradiction: {text}");
        }
        for text in &report.evidence_needed {
            out!("  To confirm: {text}.");
        }
    }
    for skipped in &diagnosis.skipped {
        out!("\nSkipped {}: {}", skipped.url, skipped.reason);
    }
}
