//! "Why is my request blocked?": a paste (curl, fetch code, raw HTTP, a
//! HAR, console lines, or several of these) → scenarios → the engine →
//! one answer per request.
//!
//! Pure (no web crates, no clock, no randomness), so the app and
//! `cors-lab diagnose` run the same code. Every CORS decision and fix comes
//! from the engine's `Trace`; this module only reads evidence and words
//! the engine's findings.
//!
//! - [`detect`]: which format a paste is in.
//! - `curl`, `shell`, `http`, `har`, `console` (+ [`crate::jscall`]): one reader per format.
//! - [`build`]: evidence → one [`Scenario`](crate::scenario::Scenario) per request.
//! - [`findings`]: trace → sentence, findings, failing step, contradictions.
//! - [`redact`]: secrets out of exports and share links.

mod beyond;
pub mod build;
mod console;
mod curl;
pub mod detect;
mod evidence;
pub mod findings;
mod har;
mod http;
mod legacy;
mod netline;
pub mod redact;
mod shell;
pub mod synthetic;

use std::fmt;

use serde::Serialize;

pub use self::build::{Case, Skipped};
pub use self::console::{recognise_console, ConsoleLine};
pub use self::detect::Format;
pub use self::evidence::{Captured, CapturedRequest, CapturedResponse};
pub use self::findings::{CaseReport, FailingStep, Finding};

use self::build::{build_cases, Evidence};
use self::curl::{find_curl_commands, Quoting};
use self::detect::{fetch_flavour, looks_like_json};
use self::http::parse_blocks;
use crate::engine::Cause;
use crate::engine::{FrameworkServers, NoFrameworks};
use crate::scenario::{Credentials, FrameworkRule, Respond, RuleMatch, ServerRule};

/// The largest paste read (a HAR of 5,000 entries is about 10 MB).
pub const MAX_INPUT_BYTES: usize = 256 * 1024 * 1024;

/// Why a paste gave no diagnosis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagnoseError {
    /// What is wrong, and what to paste instead.
    pub message: String,
}

impl fmt::Display for DiagnoseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DiagnoseError {}

fn error(message: impl Into<String>) -> DiagnoseError {
    DiagnoseError {
        message: message.into(),
    }
}

/// Everything `diagnose` found in one paste.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnosis {
    /// The main format recognised.
    pub format: Format,
    /// Whether console lines came with it (`format` is then not `console`).
    pub with_console: bool,
    /// The recognised console lines.
    pub console: Vec<ConsoleLine>,
    /// One report per rebuilt request, in paste order.
    pub reports: Vec<CaseReport>,
    /// Requests that could not be rebuilt, and why.
    pub skipped: Vec<Skipped>,
    /// The framework of the pasted configuration that answered every
    /// request ([`diagnose_with_server`]), by its id.
    pub framework: Option<String>,
}

/// The server as its configuration was pasted, for [`diagnose_with_server`]:
/// a framework rule, and what answers it (`crate::frameworks::Models`).
pub struct ServerConfig<'a> {
    /// The framework and its configuration text.
    pub rule: FrameworkRule,
    /// The framework's id, as `--json`'s `framework` names it.
    pub framework: String,
    /// The models that answer the rule.
    pub models: &'a dyn FrameworkServers,
}

impl Diagnosis {
    /// `format` as printed: e.g. `curl-bash+console`.
    pub fn format_name(&self) -> String {
        if self.with_console {
            format!("{}+console", self.format)
        } else {
            self.format.to_string()
        }
    }

    /// The answer in one sentence: the first failing request's (or the first request's).
    pub fn sentence(&self) -> String {
        let failing = self.reports.iter().find(|r| {
            !r.findings.is_empty() || r.trace.as_ref().is_some_and(|t| t.failure.is_some())
        });
        let blocked = self
            .reports
            .iter()
            .filter(|r| {
                !r.findings.is_empty() || r.trace.as_ref().is_some_and(|t| t.failure.is_some())
            })
            .count();
        match failing.or(self.reports.first()) {
            Some(report) if self.reports.len() > 1 => format!(
                "{blocked} of {} cross-origin requests fail; the first: {}",
                self.reports.len(),
                report.sentence
            ),
            Some(report) => report.sentence.clone(),
            None => "No cross-origin request found in the paste.".to_owned(),
        }
    }

    /// What really stopped the first failing request (`None` when nothing
    /// failed): `cors`, `server-error`, `network/refused`… (see [`Cause`]).
    pub fn cause(&self) -> Option<Cause> {
        self.reports
            .iter()
            .find(|r| {
                !r.findings.is_empty() || r.trace.as_ref().is_some_and(|t| t.failure.is_some())
            })
            .or(self.reports.first())
            .and_then(|r| r.cause)
    }

    /// Every finding of every request, in order.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.reports.iter().flat_map(|r| r.findings.iter())
    }

    /// The `--json` document: `{format, sentence, cause, findings, results, ...}`.
    pub fn to_json(&self) -> serde_json::Value {
        #[derive(Serialize)]
        struct Json<'a> {
            format: String,
            sentence: String,
            cause: Option<Cause>,
            findings: Vec<&'a Finding>,
            results: Vec<findings::JsonResult<'a>>,
            console: &'a [ConsoleLine],
            contradictions: Vec<&'a String>,
            evidence_needed: Vec<&'a String>,
            skipped: Vec<SkippedJson<'a>>,
            framework: Option<FrameworkJson<'a>>,
        }
        #[derive(Serialize)]
        struct FrameworkJson<'a> {
            name: &'a str,
        }
        #[derive(Serialize)]
        struct SkippedJson<'a> {
            request: &'a str,
            reason: &'a str,
        }
        let json = Json {
            format: self.format_name(),
            sentence: self.sentence(),
            cause: self.cause(),
            findings: self.findings().collect(),
            results: self
                .reports
                .iter()
                .filter_map(CaseReport::json_result)
                .collect(),
            console: &self.console,
            contradictions: self
                .reports
                .iter()
                .flat_map(|r| &r.contradictions)
                .collect(),
            evidence_needed: self
                .reports
                .iter()
                .flat_map(|r| &r.evidence_needed)
                .collect(),
            skipped: self
                .skipped
                .iter()
                .map(|s| SkippedJson {
                    request: &s.url,
                    reason: &s.reason,
                })
                .collect(),
            framework: self.framework.as_deref().map(|name| FrameworkJson { name }),
        };
        serde_json::to_value(json).unwrap_or(serde_json::Value::Null)
    }
}

/// Diagnoses a paste in any recognised format (see [`Format`]).
pub fn diagnose(input: &str) -> Result<Diagnosis, DiagnoseError> {
    diagnose_in(input, None)
}

/// Diagnoses a paste (a console line, a request, …) against the server as
/// its configuration was pasted: every request is answered by the
/// framework's model instead of the pasted responses, so the verdict,
/// the failing step and the fixes are those of that configuration.
pub fn diagnose_with_server(
    input: &str,
    server: &ServerConfig<'_>,
) -> Result<Diagnosis, DiagnoseError> {
    diagnose_in(input, Some(server))
}

/// The case answered by the configured server: one framework rule for the
/// request's URL, every answer known.
fn answered_by(mut case: Case, server: &ServerConfig<'_>) -> Case {
    let Some(url) = case.scenario.requests.first().map(|r| r.url.clone()) else {
        return case;
    };
    case.scenario.server = vec![ServerRule {
        matcher: RuleMatch { method: None, url },
        respond: Respond::default(),
        framework: Some(server.rule.clone()),
    }];
    case.preflight_known = true;
    case.actual_known = true;
    case
}

fn diagnose_in(input: &str, server: Option<&ServerConfig<'_>>) -> Result<Diagnosis, DiagnoseError> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(error(format!(
            "the paste is {} MB; at most {} MB is read",
            input.len() / (1024 * 1024),
            MAX_INPUT_BYTES / (1024 * 1024)
        )));
    }
    if input.trim().is_empty() {
        return Err(error("nothing to diagnose: paste a curl command, fetch code, HTTP headers, a HAR file or the console error"));
    }
    let (format, evidence) = read_evidence(input)?;
    let (cases, skipped) = build_cases(&evidence);
    let with_console = !evidence.console.is_empty() && format != Format::Console;
    let reports = cases
        .into_iter()
        .map(|case| match server {
            Some(server) => {
                findings::report(answered_by(case, server), &evidence.console, server.models)
            }
            None => findings::report(case, &evidence.console, &NoFrameworks),
        })
        .collect::<Vec<_>>();
    if reports.is_empty() && skipped.is_empty() && format != Format::Har {
        return Err(error(
            "found no request in the paste: paste \"Copy as cURL\" or \"Copy as fetch\", the request and response headers, a HAR file, or the full console error line",
        ));
    }
    Ok(Diagnosis {
        format,
        with_console,
        console: evidence.console,
        reports,
        skipped,
        framework: server.map(|s| s.framework.clone()),
    })
}

/// Reads the evidence in `input` and names its main format.
fn read_evidence(input: &str) -> Result<(Format, Evidence), DiagnoseError> {
    if looks_like_json(input) {
        let entries = har::parse_har(input).map_err(error)?;
        let evidence = Evidence {
            exchanges: entries.into_iter().map(|e| e.captured).collect(),
            only_cors_requests: true,
            ..Evidence::default()
        };
        return Ok((Format::Har, evidence));
    }
    let console = recognise_console(input);
    let lines: Vec<&str> = input.lines().collect();
    let commands = find_curl_commands(input);
    // Lines outside curl commands may hold `-v`/`-i` output or raw heads.
    let outside: Vec<&str> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| !commands.iter().any(|c| (c.lines.0..c.lines.1).contains(i)))
        .map(|(_, l)| *l)
        .collect();
    let blocks = parse_blocks(&outside);
    let mut evidence = Evidence {
        console,
        ..Evidence::default()
    };
    if !commands.is_empty() {
        let first_outside = outside
            .iter()
            .map(|l| l.trim())
            .find(|l| !l.is_empty() && !l.starts_with("$ "));
        let format = if blocks.verbose {
            Format::CurlVerbose
        } else if commands.iter().any(|c| c.quoting == Quoting::Cmd) {
            Format::CurlCmd
        } else if first_outside.is_some_and(|l| l.starts_with("HTTP/")) {
            Format::CurlInclude
        } else {
            Format::CurlBash
        };
        let responses: Vec<CapturedResponse> = blocks
            .exchanges
            .into_iter()
            .filter_map(|e| e.response)
            .chain(blocks.orphan_responses)
            .collect();
        if let [command] = commands.as_slice() {
            // One command: a pasted response may be its preflight's; `build` decides.
            evidence.exchanges.push(Captured {
                request: command.request.clone(),
                response: None,
            });
            evidence.orphan_responses = responses;
        } else {
            // Several commands ("Copy all as cURL" with output): answers in order.
            let mut responses = responses.into_iter();
            for command in commands {
                evidence.exchanges.push(Captured {
                    request: command.request,
                    response: responses.next(),
                });
            }
        }
        return Ok((format, evidence));
    }
    // Console lines quote URLs and apostrophes: the code is the rest.
    let code: String = lines
        .iter()
        .filter(|l| !evidence.console.iter().any(|c| c.text == l.trim()))
        .flat_map(|l| [*l, "\n"])
        .collect();
    if code.contains("fetch(") || code.contains("XMLHttpRequest") {
        match crate::jscall::parse_call(&code) {
            Ok(call) => {
                let flavour = fetch_flavour(&code);
                let mut script = call.request;
                let referrer = call
                    .referrer
                    .or_else(|| evidence::header(&script.headers, "Referer").map(str::to_owned));
                // Node.js copies carry the page's cookies as a header: the browser sent credentials.
                if evidence::header(&script.headers, "Cookie").is_some() {
                    script.credentials = Credentials::Include;
                }
                // DevTools' copies list the browser's own headers beside the script's.
                if !matches!(flavour, Format::FetchCode | Format::XhrCode) {
                    script
                        .headers
                        .retain(|(name, _)| !build::added_by_browser(name));
                }
                let mut exchanges: Vec<Captured> = blocks.exchanges;
                let mut responses = exchanges
                    .iter_mut()
                    .filter_map(|e| e.response.take())
                    .collect::<Vec<_>>();
                responses.extend(blocks.orphan_responses);
                evidence.orphan_responses = responses;
                evidence.exchanges.push(Captured {
                    request: CapturedRequest {
                        method: script.method.clone(),
                        url: script.url.clone(),
                        headers: script.headers.clone(),
                        body: script.body.clone(),
                        referrer,
                        api: Some(script.api),
                        credentials: Some(script.credentials),
                        script: Some(script),
                    },
                    response: None,
                });
                return Ok((flavour, evidence));
            }
            Err(e) if !blocks.found && evidence.console.is_empty() => {
                return Err(error(format!("the script code does not parse {e}")));
            }
            Err(_) => {}
        }
    }
    if blocks.found {
        evidence.exchanges = blocks
            .exchanges
            .into_iter()
            .filter(|e| !e.request.url.is_empty())
            .collect();
        evidence.orphan_responses = blocks.orphan_responses;
        let format = if blocks.verbose {
            Format::CurlVerbose
        } else if blocks.devtools {
            Format::DevtoolsHeaders
        } else {
            Format::Http
        };
        return Ok((format, evidence));
    }
    if !evidence.console.is_empty() {
        return Ok((Format::Console, evidence));
    }
    Err(error(
        "not a recognised format: paste \"Copy as cURL\" (bash or cmd), \"Copy as fetch\", the request and response headers, curl -i/-v output, a HAR file, or the console error line",
    ))
}
