//! The engine's trace → findings: the one-sentence answer, every further
//! problem, the failing step, and where the paste contradicts itself.
//! Every verdict and fix comes from the engine; this only words them.

use serde::Serialize;

use super::build::{Case, UNKNOWN_ORIGIN};
use super::console::ConsoleLine;
use crate::engine::fixes::text::{self, FindingJson, FixJson};
use crate::engine::HeaderList;
use crate::engine::{advice_for, server_fix, Fix, FixAction, FixStage};
use crate::engine::{evaluate, evaluate_with, FrameworkServers, RequestTrace, Stage, StepStatus};
use crate::scenario::RequestResult;

/// One problem and the server (or script) change that solves it.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The request's URL.
    pub request: String,
    /// The problem, in one sentence.
    pub problem: String,
    /// The engine's fix: which response to change (or the request), and how.
    pub fix: Fix,
    /// `false` when the response it concerns was not in the paste and the
    /// finding comes from a console line alone.
    pub confirmed: bool,
}

/// A finding in JSON: `{request, stage, problem, fix, confirmed}`, the fix
/// as `{header, value}`, `{status}` or `{advice}`.
impl Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Json<'a> {
            request: &'a str,
            stage: FixStage,
            problem: &'a str,
            fix: FindingJson,
            confirmed: bool,
        }
        Json {
            request: &self.request,
            stage: self.fix.stage,
            problem: &self.problem,
            fix: text::finding_json(&self.fix.action),
            confirmed: self.confirmed,
        }
        .serialize(serializer)
    }
}

/// The step the stepper should open at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailingStep {
    /// Index into the trace's `steps`.
    pub index: usize,
    /// Its stage.
    pub stage: Stage,
    /// Its title.
    pub title: String,
}

/// Everything found for one rebuilt request.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseReport {
    /// The rebuilt request and scenario.
    pub case: Case,
    /// The engine's trace of it (`None` when only a console line was pasted:
    /// with no server evidence there is nothing to replay).
    pub trace: Option<RequestTrace>,
    /// The answer in one sentence.
    pub sentence: String,
    /// Every problem, the first one first.
    pub findings: Vec<Finding>,
    /// Where the stepper should open.
    pub failing_step: Option<FailingStep>,
    /// Missing evidence that would confirm the answer.
    pub evidence_needed: Vec<String>,
    /// Where the paste contradicts itself.
    pub contradictions: Vec<String>,
}

/// `check --json`'s per-request shape, plus the request URL and failing step.
#[derive(Debug, Clone, Serialize)]
pub struct JsonResult<'a> {
    /// The request's URL.
    pub request: &'a str,
    /// The result fields.
    #[serde(flatten)]
    pub result: &'a RequestResult,
    /// The engine's typed failure.
    pub failure: &'a Option<crate::engine::Failure>,
    /// Every fix.
    pub fixes: Vec<FixJson>,
    /// Where the stepper should open.
    pub failing_step: &'a Option<FailingStep>,
}

impl CaseReport {
    /// The `results` entry for this request, when the engine replayed it.
    pub fn json_result(&self) -> Option<JsonResult<'_>> {
        let trace = self.trace.as_ref()?;
        Some(JsonResult {
            request: &self.case.url,
            result: &trace.result,
            failure: &trace.failure,
            fixes: trace.fixes.iter().map(text::json).collect(),
            failing_step: &self.failing_step,
        })
    }
}

/// One sentence: the first problem, what to send, and how many more follow.
fn sentence_for(first: &Finding, more: usize) -> String {
    let tail = match more {
        0 => String::new(),
        1 => " (1 more problem follows)".to_owned(),
        n => format!(" ({n} more problems follow)"),
    };
    let on = text::stage_response(first.fix.stage);
    let problem = &first.problem;
    match &first.fix.action {
        FixAction::SetStatus(status) => format!(
            "Blocked on {on}: {problem}, so the server must answer it with status {status} (any 2xx works){tail}."
        ),
        // Advice that already says it is not CORS needs no preamble.
        FixAction::Advise(advice) if advice.says_not_cors() => {
            format!("{}{tail}.", text::advice_text(advice).trim_end_matches('.'))
        }
        FixAction::Advise(advice) => format!(
            "Blocked before any CORS header matters: {}{tail}.",
            text::advice_text(advice).trim_end_matches('.')
        ),
        action => format!(
            "Blocked on {on}: {problem}, so the server must send `{}` on it{tail}.",
            text::header_line(action).unwrap_or_default()
        ),
    }
}

/// Replays `case` in the engine and words what it found.
pub(crate) fn report(
    case: Case,
    console: &[ConsoleLine],
    servers: &dyn FrameworkServers,
) -> CaseReport {
    let lines: Vec<&ConsoleLine> = case
        .console
        .iter()
        .filter_map(|i| console.get(*i))
        .collect();
    // With no response there is nothing to replay, unless a console line
    // gave the page's CSP and the paste the page's origin: the policy
    // decides before any response matters.
    let replay_csp = case.scenario.page_csp.is_some() && case.scenario.page != UNKNOWN_ORIGIN;
    if case.scenario.server.is_empty() && !replay_csp {
        return console_only(case, &lines);
    }
    let trace = evaluate_with(&case.scenario, None, servers)
        .requests
        .into_iter()
        .next();
    let Some(trace) = trace else {
        return CaseReport {
            sentence: "The paste could not be replayed: its page origin is not an origin."
                .to_owned(),
            case,
            trace: None,
            findings: Vec::new(),
            failing_step: None,
            evidence_needed: Vec::new(),
            contradictions: Vec::new(),
        };
    };
    let mut findings = Vec::new();
    let mut evidence_needed = Vec::new();
    for fix in &trace.fixes {
        let known = match fix.stage {
            FixStage::Preflight => case.preflight_known,
            FixStage::Actual => case.actual_known,
            FixStage::Request => true,
        };
        if known {
            findings.push(finding(&case.url, fix, true));
            continue;
        }
        evidence_needed.push(if findings.is_empty() {
            format!("paste {} headers", text::stage_response(fix.stage))
        } else {
            format!(
                "once the fixes above are made, check {} too (the paste does not have it)",
                text::stage_response(fix.stage)
            )
        });
        // The engine only met an empty default answer here: a console line about this stage says more.
        let from_console = lines.iter().find_map(|l| {
            let failure = l.failure.as_ref()?;
            let stage = if failure.is_preflight_failure() {
                FixStage::Preflight
            } else {
                FixStage::Actual
            };
            (stage == fix.stage).then(|| console_fix(failure, &case))
        });
        if let Some(fix) = from_console {
            findings.push(finding(&case.url, &fix, false));
        }
        break;
    }
    let failing_step = trace
        .steps
        .iter()
        .position(|s| s.status == StepStatus::Fail)
        .and_then(|index| {
            trace.steps.get(index).map(|s| FailingStep {
                index,
                stage: s.stage,
                title: crate::engine::narrate::title(s),
            })
        });
    let contradictions = contradictions(&case, &trace, &lines);
    let sentence = match findings.first() {
        Some(first) => sentence_for(first, findings.len() - 1),
        None if trace.failure.is_some() => format!(
            "Blocked, but the response that decides it is not in the paste: {}.",
            evidence_needed.join("; ")
        ),
        None => format!(
            "Not blocked: with the pasted responses the browser lets the script read {} ({:?}).",
            case.url, trace.result.outcome
        ),
    };
    CaseReport {
        case,
        trace: Some(trace),
        sentence,
        findings,
        failing_step,
        evidence_needed,
        contradictions,
    }
}

fn finding(url: &str, fix: &Fix, confirmed: bool) -> Finding {
    Finding {
        request: url.to_owned(),
        problem: text::problem(fix),
        fix: fix.clone(),
        confirmed,
    }
}

/// The engine's repair for a failure known only from a console line.
fn console_fix(failure: &crate::engine::Failure, case: &Case) -> Fix {
    let method = case
        .scenario
        .requests
        .first()
        .map_or("GET", |r| r.method.as_str());
    server_fix(failure, &HeaderList::default(), &case.scenario.page, method)
        .unwrap_or_else(|| advice_for(failure))
}

/// Only console lines: what the line means and what would confirm it.
fn console_only(case: Case, lines: &[&ConsoleLine]) -> CaseReport {
    let failure = lines.iter().find_map(|l| l.failure.as_ref());
    let (findings, sentence, evidence_needed) = match failure {
        Some(failure) => {
            let fix = console_fix(failure, &case);
            let stage = fix.stage;
            let evidence = match stage {
                FixStage::Preflight => "paste the preflight (OPTIONS) response headers".to_owned(),
                FixStage::Actual => "paste the actual response headers".to_owned(),
                FixStage::Request => "paste the request (Copy as cURL or Copy as fetch)".to_owned(),
            };
            let found = finding(&case.url, &fix, false);
            let browser = lines.first().map_or("The", |l| match l.browser {
                crate::scenario::Browser::Chrome => "This Chrome",
                crate::scenario::Browser::Firefox => "This Firefox",
                crate::scenario::Browser::Safari => "This Safari",
            });
            let sentence = match &fix.action {
                FixAction::SetStatus(status) => format!(
                    "{browser} line means {}, so the server most likely must answer it with status {status}; to confirm, {evidence}.",
                    found.problem
                ),
                FixAction::Advise(advice) => format!(
                    "{browser} line means the request failed before any CORS header mattered: {}; to confirm, {evidence}.",
                    text::advice_text(advice).trim_end_matches('.')
                ),
                action => format!(
                    "{browser} line means {}, so the server most likely must send `{}` on it; to confirm, {evidence}.",
                    found.problem,
                    text::header_line(action).unwrap_or_default()
                ),
            };
            if let crate::engine::Failure::CspBlocked { .. } = failure {
                // The line names the directive and the URL: nothing more is needed.
                let sentence = match &fix.action {
                    FixAction::Advise(advice) => text::advice_text(advice),
                    _ => sentence,
                };
                return CaseReport {
                    case,
                    trace: None,
                    sentence,
                    findings: vec![found],
                    failing_step: None,
                    evidence_needed: Vec::new(),
                    contradictions: Vec::new(),
                };
            }
            let mut needed = vec![evidence];
            if case.scenario.page == UNKNOWN_ORIGIN {
                needed.push("paste the request headers: the line does not name the page's origin".to_owned());
            }
            (vec![found], sentence, needed)
        }
        None if lines.is_empty() => {
            // Only the request: the engine still says which response decides.
            let preflighted = evaluate(&case.scenario, None)
                .requests
                .first()
                .is_some_and(|t| t.result.preflight == crate::scenario::PreflightUse::Sent);
            let (needs, evidence) = if preflighted {
                ("needs a preflight", "paste the preflight (OPTIONS) response headers")
            } else {
                ("is sent without a preflight", "paste the response headers")
            };
            (
                Vec::new(),
                format!("The paste has the request but no response: it {needs}, so {evidence} (or the console error line) to find what blocks it."),
                vec![evidence.to_owned()],
            )
        }
        None => (
            Vec::new(),
            "This console line only says that the request failed; paste the line that names the reason (\"has been blocked by CORS policy: ...\") or the response headers.".to_owned(),
            vec!["paste the full console error line".to_owned()],
        ),
    };
    CaseReport {
        case,
        trace: None,
        sentence,
        findings,
        failing_step: None,
        evidence_needed,
        contradictions: Vec::new(),
    }
}

/// Console lines the replay does not print, for the responses it was given.
fn contradictions(case: &Case, trace: &RequestTrace, lines: &[&ConsoleLine]) -> Vec<String> {
    let mut found = Vec::new();
    for line in lines {
        let Some(failure) = &line.failure else {
            continue;
        };
        let stage_known = if failure.is_preflight_failure() {
            case.preflight_known
        } else {
            case.actual_known
        };
        if !stage_known {
            continue;
        }
        let printed = trace
            .result
            .console
            .iter()
            .chain(trace.result.js_error.iter())
            .any(|engine_line| line.text.contains(engine_line.as_str()));
        if printed {
            continue;
        }
        let shows = match &trace.failure {
            None => "let the request through".to_owned(),
            Some(_) => format!(
                "give a different error: {}",
                trace.result.console.first().cloned().unwrap_or_default()
            ),
        };
        found.push(format!(
            "The console says \"{}\", but the pasted headers {shows}: the console line and the headers are probably from different attempts.",
            line.text
        ));
    }
    found
}
