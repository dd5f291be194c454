//! `cors-lab check`: the engine's step-by-step explanation of scenario files.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::Serialize;

use super::files::{collect_scenario_files, read_scenario};
use crate::engine::fixes::text::{self, FixJson};
use crate::engine::{RequestTrace, StepStatus, Trace};
use crate::frameworks::evaluate;
use crate::scenario::{disagreements, Browser, Disagreement, RequestResult, Scenario};

/// Arguments of `cors-lab check`.
#[derive(Debug, clap::Args)]
pub(crate) struct CheckArgs {
    /// Whose rules and messages (default: each file's own `browser`, else chrome).
    #[arg(long, value_enum)]
    browser: Option<BrowserArg>,
    /// Print a JSON array, one object per file (a stable interface).
    #[arg(long)]
    json: bool,
    /// Exit with status 1 when any `expect` entry disagrees with the engine.
    #[arg(long)]
    strict: bool,
    /// Scenario files or folders (searched for `*.json`).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

/// `--browser` values.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum BrowserArg {
    Chrome,
    Firefox,
    Safari,
}

impl From<BrowserArg> for Browser {
    fn from(value: BrowserArg) -> Browser {
        match value {
            BrowserArg::Chrome => Browser::Chrome,
            BrowserArg::Firefox => Browser::Firefox,
            BrowserArg::Safari => Browser::Safari,
        }
    }
}

/// A loaded scenario, its loader warnings, and the engine's trace.
type Evaluated = (Scenario, Vec<String>, Trace);

/// One request's result in `--json`: the `expect` fields plus the failure and fixes.
#[derive(Debug, Serialize)]
struct JsonResult<'a> {
    #[serde(flatten)]
    result: &'a RequestResult,
    failure: &'a Option<crate::engine::Failure>,
    fixes: Vec<FixJson>,
    /// The change to a framework rule's configuration that lets the
    /// request through, when a framework rule made it fail.
    #[serde(skip_serializing_if = "Option::is_none")]
    config_fix: Option<crate::frameworks::ConfigFix>,
}

/// One file in `--json`.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum JsonFile<'a> {
    Loaded {
        file: String,
        id: String,
        browser: Browser,
        warnings: Vec<String>,
        results: Vec<JsonResult<'a>>,
        disagreements: Vec<Disagreement>,
    },
    Failed {
        file: String,
        error: String,
    },
}

pub(crate) fn run(args: &CheckArgs) -> ExitCode {
    let files = match collect_scenario_files(&args.paths) {
        Ok(files) => files,
        Err(error) => {
            eprintln!("cors-lab: {error}");
            return ExitCode::from(2);
        }
    };
    let browser = args.browser.map(Browser::from);
    let mut evaluated: Vec<(PathBuf, Result<Evaluated, String>)> = Vec::new();
    for file in files {
        let loaded = read_scenario(&file).map(|loaded| {
            let trace = evaluate(&loaded.scenario, browser);
            (loaded.scenario, loaded.warnings, trace)
        });
        evaluated.push((file, loaded));
    }
    let mut load_failed = false;
    let mut disagreed = false;
    let mut json_files = Vec::new();
    for (file, outcome) in &evaluated {
        let name = file.display().to_string();
        match outcome {
            Err(error) => {
                load_failed = true;
                if args.json {
                    json_files.push(JsonFile::Failed {
                        file: name,
                        error: error.clone(),
                    });
                } else {
                    eprintln!("{name}: error: {error}");
                }
            }
            Ok((scenario, warnings, trace)) => {
                let found = compare_with_expect(scenario, trace);
                disagreed |= !found.is_empty();
                if args.json {
                    json_files.push(JsonFile::Loaded {
                        file: name,
                        id: scenario.id.clone(),
                        browser: trace.browser,
                        warnings: warnings.clone(),
                        results: trace
                            .requests
                            .iter()
                            .enumerate()
                            .map(|(index, r)| JsonResult {
                                result: &r.result,
                                failure: &r.failure,
                                fixes: r.fixes.iter().map(text::json).collect(),
                                config_fix: crate::frameworks::config_fix(scenario, index),
                            })
                            .collect(),
                        disagreements: found,
                    });
                } else {
                    print_explanation(file, scenario, warnings, trace, &found);
                }
            }
        }
    }
    if args.json {
        match serde_json::to_string_pretty(&json_files) {
            Ok(text) => out!("{text}"),
            Err(error) => {
                eprintln!("cors-lab: {error}");
                return ExitCode::from(2);
            }
        }
    } else {
        let total = evaluated.len();
        let ok = evaluated.iter().filter(|(_, r)| r.is_ok()).count();
        out!(
            "{ok} of {total} file(s) loaded; {}",
            if disagreed {
                "some expectations disagree"
            } else {
                "every expectation agrees"
            }
        );
    }
    if load_failed || (args.strict && disagreed) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Every disagreement between the file's `expect` and the engine.
pub(crate) fn compare_with_expect(scenario: &Scenario, trace: &Trace) -> Vec<Disagreement> {
    let Some(expect) = &scenario.expect else {
        return Vec::new();
    };
    let mut found: Vec<Disagreement> = Vec::new();
    if let Some(error) = &trace.scenario_error {
        found.push(Disagreement {
            request: 0,
            field: "scenario".into(),
            expected: "loads".into(),
            actual: error.clone().into(),
        });
    }
    if expect.len() > trace.requests.len() {
        found.push(Disagreement {
            request: trace.requests.len(),
            field: "expect".into(),
            expected: format!("{} entries", expect.len()).into(),
            actual: format!("{} requests", trace.requests.len()).into(),
        });
    }
    for (index, (want, got)) in expect.iter().zip(&trace.requests).enumerate() {
        found.extend(
            disagreements(index, want, &got.result)
                .into_iter()
                .filter(|d| scenario.not_modelled_reason(d.request, &d.field).is_none()),
        );
    }
    found
}

fn print_explanation(
    file: &Path,
    scenario: &Scenario,
    warnings: &[String],
    trace: &Trace,
    found: &[Disagreement],
) {
    let title = scenario.title.as_deref().unwrap_or(&scenario.id);
    out!(
        "━━ {} — {title} [{}]",
        file.display(),
        trace.browser.as_str()
    );
    for warning in warnings {
        out!("   warning: {warning}");
    }
    if let Some(error) = &trace.scenario_error {
        out!("   error: {error}");
    }
    for (index, request) in trace.requests.iter().enumerate() {
        print_request(index, request);
        print_config_fix(scenario, index);
    }
    for d in found {
        out!(
            "   ✗ request {} {}: expected {} but the engine says {}",
            d.request + 1,
            d.field,
            d.expected,
            d.actual
        );
    }
    out!();
}

/// The fix in the user's own terms: the edit to a framework rule's configuration.
fn print_config_fix(scenario: &Scenario, index: usize) {
    let Some(fix) = crate::frameworks::config_fix(scenario, index) else {
        return;
    };
    out!(
        "     fix in your {} configuration (server[{}]): {}",
        fix.framework,
        fix.rule,
        fix.edits.join("; ")
    );
    let before = scenario
        .server
        .get(fix.rule)
        .and_then(|r| r.framework.as_ref())
        .map_or("", |f| f.config.as_str());
    for line in fix.diff(before) {
        out!("       {line}");
    }
}

fn print_request(index: usize, request: &RequestTrace) {
    out!("   Request {} (at {} ms)", index + 1, request.at_ms);
    for step in &request.steps {
        let mark = match step.status {
            StepStatus::Pass => "✓",
            StepStatus::Fail => "✗",
            StepStatus::Info => "·",
            StepStatus::Warn => "!",
        };
        let text = crate::engine::narrate(step);
        out!(
            "     {mark} {}: {}",
            text.title,
            text.found.replace('\n', "; ")
        );
    }
    let r = &request.result;
    out!(
        "     → outcome {:?}, preflight {:?}",
        r.outcome,
        r.preflight
    );
    for line in &r.console {
        out!("     console: {line}");
    }
    if let Some(error) = &r.js_error {
        out!("     script: {error}");
    }
    if !r.readable_headers.is_empty() {
        out!("     readable headers: {}", r.readable_headers.join(", "));
    }
    for (n, fix) in request.fixes.iter().enumerate() {
        out!(
            "     fix {}: {} — on {}, {}",
            n + 1,
            text::problem(fix),
            text::stage_response(fix.stage),
            text::action(&fix.action)
        );
    }
}
