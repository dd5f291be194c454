//! `cors-lab diagnose`: "why is my request blocked?" for a pasted file.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::diagnose::{diagnose, diagnose_with_server, Diagnosis, ServerConfig, MAX_INPUT_BYTES};
use crate::engine::fixes::text;
use crate::frameworks::{self, Framework, Models};
use crate::scenario::FrameworkRule;

/// Arguments of `cors-lab diagnose`.
#[derive(Debug, clap::Args)]
pub(crate) struct DiagnoseArgs {
    /// Print `{format, sentence, findings, results, ...}` as JSON (a stable interface).
    #[arg(long)]
    json: bool,
    /// The server's CORS configuration as written (an Express app, a
    /// FastAPI file, settings.py, an nginx or Apache block, a CorsLayer
    /// chain): every request is answered as that server would.
    #[arg(long)]
    config: Option<PathBuf>,
    /// The framework of `--config` (read from the file when left out).
    #[arg(long, requires = "config")]
    framework: Option<String>,
    /// A curl command, fetch code, HTTP headers, a HAR file or console lines; `-` reads stdin.
    file: PathBuf,
}

/// `--config` read as a framework rule ([`frameworks::pasted_rule`]): the
/// framework named or detected, the text, and an error naming its line and
/// column when unreadable.
fn read_config(path: &PathBuf, name: Option<&str>) -> Result<(Framework, FrameworkRule), String> {
    let text = read_input(path)?;
    let framework = super::files::framework_of(name, &text, path)?;
    let rule = frameworks::pasted_rule(&text, Some(framework.id()))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((framework, rule))
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
    let server = match args
        .config
        .as_ref()
        .map(|path| read_config(path, args.framework.as_deref()))
    {
        Some(Ok(server)) => Some(server),
        Some(Err(error)) => {
            eprintln!("cors-lab: {error}");
            return ExitCode::from(2);
        }
        None => None,
    };
    let models = Models::default();
    let diagnosed = match &server {
        Some((framework, rule)) => diagnose_with_server(
            &input,
            &ServerConfig {
                rule: rule.clone(),
                framework: framework.id().to_owned(),
                models: &models,
            },
        ),
        None => diagnose(&input),
    };
    let diagnosis = match diagnosed {
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
        let mut json = diagnosis.to_json();
        if let Some(framework) = json.get_mut("framework").and_then(|f| f.as_object_mut()) {
            framework.insert(
                "config_fixes".to_owned(),
                serde_json::to_value(config_fixes(&diagnosis)).unwrap_or_default(),
            );
        }
        match serde_json::to_string_pretty(&json) {
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

/// The configuration fix of each failing request, with the request's URL.
fn config_fixes(diagnosis: &Diagnosis) -> Vec<serde_json::Value> {
    diagnosis
        .reports
        .iter()
        .filter_map(|report| {
            let fix = frameworks::config_fix(&report.case.scenario, 0)?;
            let mut json = serde_json::to_value(&fix).ok()?;
            if let Some(object) = json.as_object_mut() {
                object.insert("request".to_owned(), report.case.url.clone().into());
                object.remove("rule");
            }
            Some(json)
        })
        .collect()
}

fn print_text(diagnosis: &Diagnosis) {
    out!("Format: {}", diagnosis.format_name());
    if let Some(framework) = &diagnosis.framework {
        out!("Server: your {framework} configuration answers every request");
    }
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
        if let Some(fix) = frameworks::config_fix(&report.case.scenario, 0) {
            out!(
                "  Fix in your {} configuration: {}",
                fix.framework,
                fix.edits.join("; ")
            );
            let before = report
                .case
                .scenario
                .server
                .first()
                .and_then(|r| r.framework.as_ref())
                .map_or("", |f| f.config.as_str());
            for line in fix.diff(before) {
                out!("    {line}");
            }
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
