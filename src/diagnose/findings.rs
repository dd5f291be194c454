//! The engine's trace → findings: the one-sentence answer, every further
//! problem, the failing step, and where the paste contradicts itself.
//! Every verdict and fix comes from the engine; this only words them.

use serde::Serialize;

use super::build::{Case, UNKNOWN_ORIGIN};
use super::console::ConsoleLine;
use crate::engine::fixes::by_cause::{cause_of_trace, fixes_for_cause};
use crate::engine::fixes::text::{self, FindingJson, FixJson};
use crate::engine::HeaderList;
use crate::engine::{
    advice_for, server_fix, Advice, Cause, FailedResponse, Fix, FixAction, FixStage, Problem,
};
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
    /// The family of the problem (the engine's, from the failure and status).
    pub cause: Cause,
}

/// A finding in JSON: `{request, stage, cause, problem, fix, confirmed}`, the fix
/// as `{header, value}`, `{status}` or `{advice}`.
impl Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Json<'a> {
            request: &'a str,
            stage: FixStage,
            cause: Cause,
            problem: &'a str,
            fix: FindingJson,
            confirmed: bool,
        }
        Json {
            request: &self.request,
            stage: self.fix.stage,
            cause: self.cause,
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
    /// What really stopped the request (`None`: nothing did, or nothing says).
    pub cause: Option<Cause>,
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
    /// Whether "Open in stepper" replays what the paste shows: a replayed
    /// request, or a console line whose cause the rebuilt scenario carries
    /// (the CORS protocol, an error status, the page's CSP, mixed content:
    /// an https page and an http URL). A refused connection, Local Network
    /// Access and the like known from a line alone would replay as a plain
    /// CORS failure, so they are not offered.
    pub fn replayable(&self) -> bool {
        self.case.scenario.page != UNKNOWN_ORIGIN
            && self.case.url != super::build::UNKNOWN_URL
            && (self.trace.is_some()
                || self.cause.is_none_or(|c| {
                    matches!(
                        c,
                        Cause::Cors
                            | Cause::PageCsp
                            | Cause::ServerError
                            | Cause::PreflightStatus
                            | Cause::MixedContent
                    )
                }))
    }

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
            cause: None,
        };
    };
    let caused = cause_of_trace(&trace);
    let shown = match caused {
        Some((cause, status)) => fixes_for_cause(cause, status, &trace.fixes),
        None => trace.fixes.clone(),
    };
    let cause_of = |fix: &Fix| -> Cause {
        let report_cause = caused.map_or(Cause::Unknown, |(c, _)| c);
        match &fix.problem {
            Problem::Failure(failure) if Some(failure) == trace.failure.as_ref() => report_cause,
            Problem::Failure(failure) => Cause::of(failure, FailedResponse::default()),
            _ => match &fix.action {
                FixAction::Advise(Advice::Cause { cause, .. }) => *cause,
                _ => report_cause,
            },
        }
    };
    let mut findings = Vec::new();
    let mut evidence_needed = Vec::new();
    for fix in &shown {
        let known = match fix.stage {
            FixStage::Preflight => case.preflight_known,
            FixStage::Actual => case.actual_known,
            FixStage::Request => true,
        };
        if known {
            findings.push(finding(&case.url, fix, true, cause_of(fix)));
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
            (stage == fix.stage).then(|| (console_fix(failure, &case), l.cause))
        });
        if let Some((fix, cause)) = from_console {
            let cause = cause.unwrap_or(Cause::Cors);
            for fix in fixes_for_cause(cause, None, &[fix]) {
                findings.push(finding(&case.url, &fix, false, cause));
            }
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
    let cause = caused.map(|(c, _)| c);
    CaseReport {
        case,
        trace: Some(trace),
        sentence,
        findings,
        failing_step,
        evidence_needed,
        contradictions,
        cause,
    }
}

fn finding(url: &str, fix: &Fix, confirmed: bool, cause: Cause) -> Finding {
    Finding {
        request: url.to_owned(),
        problem: text::problem(fix),
        fix: fix.clone(),
        confirmed,
        cause,
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

/// "This Chrome line", "This Firefox line"… (`The line` with none).
fn whose_line(lines: &[&ConsoleLine]) -> &'static str {
    lines.first().map_or("The line", |l| match l.browser {
        crate::scenario::Browser::Chrome => "This Chrome line",
        crate::scenario::Browser::Firefox => "This Firefox line",
        crate::scenario::Browser::Safari => "This Safari line",
    })
}

/// The line that says most: a failure of a known family, else any known
/// family, else any failure.
fn primary_line<'a>(lines: &[&'a ConsoleLine]) -> Option<&'a ConsoleLine> {
    let specific = |l: &&&ConsoleLine| {
        l.cause
            .is_some_and(|c| !matches!(c, Cause::Unknown | Cause::NetworkUnknown))
    };
    lines
        .iter()
        .find(|l| specific(l) && l.failure.is_some())
        .or_else(|| lines.iter().find(specific))
        .or_else(|| lines.iter().find(|l| l.failure.is_some()))
        .or_else(|| lines.iter().find(|l| l.cause.is_some()))
        .copied()
}

/// Only console lines: what the line means and what would confirm it.
fn console_only(case: Case, lines: &[&ConsoleLine]) -> CaseReport {
    let Some(line) = primary_line(lines) else {
        return console_without_reason(case, lines);
    };
    let cause = line.cause.unwrap_or(Cause::Unknown);
    let engine_fix = line.failure.as_ref().map(|f| console_fix(f, &case));
    let fixes = fixes_for_cause(cause, line.status, engine_fix.as_slice());
    let Some(fix) = fixes.first() else {
        return console_without_reason(case, lines);
    };
    let findings: Vec<Finding> = fixes
        .iter()
        .map(|f| finding(&case.url, f, false, cause))
        .collect();
    let browser = whose_line(lines);
    let stage = fix.stage;
    let evidence = match stage {
        FixStage::Preflight => "paste the preflight (OPTIONS) response headers".to_owned(),
        FixStage::Actual => "paste the actual response headers".to_owned(),
        FixStage::Request => "paste the request (Copy as cURL or Copy as fetch)".to_owned(),
    };
    let problem = text::problem(fix);
    let sentence = match &fix.action {
        // The line names its cause (the page's CSP, mixed content, a refused
        // connection…): its repair says it all.
        FixAction::Advise(advice) if advice.says_not_cors() => {
            let needed = match cause {
                Cause::NetworkUnknown | Cause::Unknown => vec![
                    "paste the Network panel's line for the request (its status or net:: error)"
                        .to_owned(),
                ],
                _ => Vec::new(),
            };
            return CaseReport {
                case,
                trace: None,
                sentence: text::advice_text(advice),
                findings,
                failing_step: None,
                evidence_needed: needed,
                contradictions: Vec::new(),
                cause: Some(cause),
            };
        }
        FixAction::SetStatus(status) => format!(
            "{browser} means {problem}, so the server most likely must answer it with status {status}; to confirm, {evidence}."
        ),
        FixAction::Advise(advice) => format!(
            "{browser} means the request failed before any CORS header mattered: {}; to confirm, {evidence}.",
            text::advice_text(advice).trim_end_matches('.')
        ),
        action => format!(
            "{browser} means {problem}, so the server most likely must send `{}` on it; to confirm, {evidence}.",
            text::header_line(action).unwrap_or_default()
        ),
    };
    let mut needed = vec![evidence];
    if case.scenario.page == UNKNOWN_ORIGIN {
        needed
            .push("paste the request headers: the line does not name the page's origin".to_owned());
    }
    CaseReport {
        case,
        trace: None,
        sentence,
        findings,
        failing_step: None,
        evidence_needed: needed,
        contradictions: Vec::new(),
        cause: Some(cause),
    }
}

/// No line names a reason: only the request, Safari's catch-all, or a
/// generic failure line.
fn console_without_reason(case: Case, lines: &[&ConsoleLine]) -> CaseReport {
    let report = |case, sentence, findings, evidence_needed: Vec<String>, cause| CaseReport {
        case,
        trace: None,
        sentence,
        findings,
        failing_step: None,
        evidence_needed,
        contradictions: Vec::new(),
        cause,
    };
    if lines.iter().any(|l| l.is_safari_catch_all()) {
        let fix = Fix {
            stage: FixStage::Request,
            problem: Problem::Advice,
            action: FixAction::Advise(Advice::SafariCatchAll),
        };
        let found = finding(&case.url, &fix, false, Cause::Unknown);
        return report(
            case,
            text::advice_text(&Advice::SafariCatchAll),
            vec![found],
            vec![
                "paste the line Safari printed just before it".to_owned(),
                "paste the request's status from Web Inspector's Network tab".to_owned(),
            ],
            Some(Cause::Unknown),
        );
    }
    if lines.is_empty() {
        // Only the request: the engine still says which response decides.
        let preflighted = evaluate(&case.scenario, None)
            .requests
            .first()
            .is_some_and(|t| t.result.preflight == crate::scenario::PreflightUse::Sent);
        let (needs, evidence) = if preflighted {
            (
                "needs a preflight",
                "paste the preflight (OPTIONS) response headers",
            )
        } else {
            ("is sent without a preflight", "paste the response headers")
        };
        return report(
            case,
            format!("The paste has the request but no response: it {needs}, so {evidence} (or the console error line) to find what blocks it."),
            Vec::new(),
            vec![evidence.to_owned()],
            None,
        );
    }
    report(
        case,
        "This console line only says that the request failed; paste the line that names the reason (\"has been blocked by CORS policy: ...\"), the Network panel's line for the request (with its status), or the response headers.".to_owned(),
        Vec::new(),
        vec!["paste the full console error line".to_owned()],
        Some(Cause::Unknown),
    )
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
