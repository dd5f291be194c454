//! The "Why is my request blocked?" panel: a paste (or a .har/.txt file,
//! read in the page) goes through [`crate::diagnose::diagnose`], and what it
//! found is shown: the format, the one-sentence answer, every finding, the
//! contradictions, the evidence still needed, and per failing request an
//! "Open in stepper" that loads its scenario at the failing step.
//!
//! With the server's CORS configuration pasted too (an Express app, a
//! FastAPI file, `settings.py`, an nginx or Apache block, a `CorsLayer`
//! chain), every request is answered by that framework's model
//! ([`crate::diagnose::diagnose_with_server`], as `diagnose --config`
//! does), and each failing request shows the change to that configuration
//! ([`crate::frameworks::config_fix`]).
//!
//! Nothing leaves the page: the file is read with `Blob.text()`, and the
//! analysis runs here. Every verdict and fix comes from `diagnose` (and so
//! from the engine) and the framework models; this only lays them out.

use std::rc::Rc;
use std::time::Duration;

use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::diagnose::build::UNKNOWN_ORIGIN;
use crate::diagnose::{
    diagnose, diagnose_with_server, CaseReport, Diagnosis, Finding, ServerConfig,
};
use crate::engine::fixes::text;
use crate::engine::FixAction;
use crate::engine::Stage;
use crate::frameworks::{config_fix, pasted_rule, ConfigFix, Framework, Models, PastedError};
use crate::scenario::Scenario;

/// What "Open in stepper" hands to the app.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenPasted {
    /// The rebuilt scenario (its secrets included: it stays in the page).
    pub scenario: Scenario,
    /// The failing step's stage, where the stepper opens.
    pub stage: Option<Stage>,
}

/// The panel's properties.
#[derive(Properties, PartialEq)]
pub struct PasteProps {
    /// Called by "Open in stepper".
    pub on_open: Callback<OpenPasted>,
}

/// Where the panel is.
#[derive(Debug, Clone, PartialEq)]
enum Status {
    Idle,
    Analysing,
    Failed(String),
    Done(Rc<Analysis>),
}

/// A finished analysis: the diagnosis, and with a pasted configuration the
/// change to it that lets each report's request through.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    diagnosis: Diagnosis,
    /// One per report (`None`: no configuration, or no change to it alone
    /// lets the request through).
    config_fixes: Vec<Option<ConfigFix>>,
}

/// A message to [`PastePanel`].
pub enum PasteMsg {
    /// The textarea changed.
    Input(String),
    /// The configuration textarea changed.
    Config(String),
    /// The configuration's framework was picked (`""`: read it from the text).
    Framework(String),
    /// Run the analysis (after a yield, so "Analysing…" paints first).
    Diagnose,
    /// The analysis of run `run` finished.
    Analysed(u32, Result<Rc<Analysis>, String>),
    /// A file was picked.
    Picked(web_sys::File),
    /// A picked file was read (or could not be).
    FileRead(Result<String, String>),
}

/// The paste panel.
pub struct PastePanel {
    text: String,
    config: String,
    framework: String,
    status: Status,
    run: u32,
}

impl Component for PastePanel {
    type Message = PasteMsg;
    type Properties = PasteProps;

    fn create(_ctx: &Context<Self>) -> Self {
        PastePanel {
            text: String::new(),
            config: String::new(),
            framework: String::new(),
            status: Status::Idle,
            run: 0,
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: PasteMsg) -> bool {
        match msg {
            PasteMsg::Input(text) => {
                self.text = text;
                false
            }
            PasteMsg::Config(config) => {
                self.config = config;
                false
            }
            PasteMsg::Framework(framework) => {
                self.framework = framework;
                false
            }
            PasteMsg::Diagnose => {
                self.run = self.run.wrapping_add(1);
                self.status = Status::Analysing;
                let run = self.run;
                let text = self.text.clone();
                let config = self.config.clone();
                let framework = self.framework.clone();
                let link = ctx.link().clone();
                spawn_local(async move {
                    // A timeout lets the browser paint "Analysing…" before a
                    // multi-MB HAR keeps the thread busy.
                    yew::platform::time::sleep(Duration::from_millis(20)).await;
                    let result = analyse(&text, &config, &framework).map(Rc::new);
                    link.send_message(PasteMsg::Analysed(run, result));
                });
                true
            }
            PasteMsg::Analysed(run, result) => {
                if run != self.run {
                    return false;
                }
                self.status = match result {
                    Ok(analysis) => Status::Done(analysis),
                    Err(message) => Status::Failed(message),
                };
                true
            }
            PasteMsg::Picked(file) => {
                self.status = Status::Analysing;
                let link = ctx.link().clone();
                spawn_local(async move {
                    let read = wasm_bindgen_futures::JsFuture::from(file.text())
                        .await
                        .ok()
                        .and_then(|v| v.as_string())
                        .ok_or_else(|| {
                            format!("Could not read the file {:?} as text.", file.name())
                        });
                    link.send_message(PasteMsg::FileRead(read));
                });
                true
            }
            PasteMsg::FileRead(Ok(text)) => {
                self.text = text;
                ctx.link().send_message(PasteMsg::Diagnose);
                true
            }
            PasteMsg::FileRead(Err(message)) => {
                self.status = Status::Failed(message);
                true
            }
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let on_input = link.callback(|e: InputEvent| {
            PasteMsg::Input(e.target_unchecked_into::<HtmlTextAreaElement>().value())
        });
        let on_config = link.callback(|e: InputEvent| {
            PasteMsg::Config(e.target_unchecked_into::<HtmlTextAreaElement>().value())
        });
        let on_framework = link.batch_callback(|e: Event| {
            let select = e.target_dyn_into::<HtmlSelectElement>()?;
            Some(PasteMsg::Framework(select.value()))
        });
        let frameworks = Framework::ALL.iter().map(|f| {
            let selected = self.framework == f.id();
            html! { <option value={f.id()} {selected}>{ f.id() }</option> }
        });
        let on_file = link.batch_callback(|e: Event| {
            let input = e.target_dyn_into::<HtmlInputElement>()?;
            let file = input.files()?.get(0)?;
            input.set_value("");
            Some(PasteMsg::Picked(file))
        });
        html! {
            <section class="panel paste-panel" aria-labelledby="paste-heading" data-testid="paste-panel">
                <h2 id="paste-heading">{ "Why is my request blocked?" }</h2>
                <p class="muted small">
                    { "Paste the console error, \"Copy as cURL\" or \"Copy as fetch\", the request and response headers, or a HAR file. It is analysed in this page: nothing is sent anywhere, and Authorization, cookies, API keys and tokens stay out of share links unless you opt in." }
                </p>
                <label for="paste-text">{ "Your paste" }</label>
                <textarea id="paste-text" data-testid="paste-text" rows="8" spellcheck="false"
                          value={self.text.clone()} oninput={on_input} />
                if super::FRAMEWORK_MODE {
                <details class="paste-config" open={!self.config.is_empty()}>
                    <summary>{ "Your server's CORS configuration (optional)" }</summary>
                    <p class="muted small">
                        { "The Express app, the FastAPI file, settings.py (django-cors-headers), the Flask app, the nginx server block, the Apache Header lines or the tower-http CorsLayer chain: every request is then answered as that server would, and the fix is given in its terms." }
                    </p>
                    <label for="paste-config">{ "Configuration, as written" }</label>
                    <textarea id="paste-config" data-testid="paste-config" rows="6" spellcheck="false"
                              value={self.config.clone()} oninput={on_config} />
                    <label for="paste-config-framework">{ "Framework" }</label>
                    <select id="paste-config-framework" data-testid="paste-config-framework" onchange={on_framework}>
                        <option value="" selected={self.framework.is_empty()}>{ "read it from the text" }</option>
                        { for frameworks }
                    </select>
                </details>
                }
                <div class="paste-actions">
                    <button type="button" class="small-button" data-testid="paste-diagnose"
                            disabled={self.status == Status::Analysing}
                            onclick={link.callback(|_| PasteMsg::Diagnose)}>{ "Diagnose" }</button>
                    <label for="paste-file">{ "or open a .har/.txt file" }</label>
                    <input id="paste-file" data-testid="paste-file" type="file"
                           accept=".har,.txt,.json,text/plain,application/json" onchange={on_file} />
                </div>
                { self.view_status(ctx) }
            </section>
        }
    }
}

impl PastePanel {
    fn view_status(&self, ctx: &Context<Self>) -> Html {
        match &self.status {
            Status::Idle => html! {},
            Status::Analysing => html! {
                <p class="muted" role="status" data-testid="paste-analysing">{ "Analysing…" }</p>
            },
            Status::Failed(message) => html! {
                <p class="notice notice-error" role="alert" data-testid="paste-error">{ message.clone() }</p>
            },
            Status::Done(analysis) => view_diagnosis(analysis, &ctx.props().on_open),
        }
    }
}

/// Diagnoses `text`; with a `config` pasted, against that server (its
/// `framework` named, or read from the text when `""`), and with the
/// change to it each failing request needs.
fn analyse(text: &str, config: &str, framework: &str) -> Result<Analysis, String> {
    let failed = |e: crate::diagnose::DiagnoseError| format!("Could not diagnose this paste: {e}.");
    if config.trim().is_empty() || !super::FRAMEWORK_MODE {
        let diagnosis = diagnose(text).map_err(failed)?;
        let config_fixes = vec![None; diagnosis.reports.len()];
        return Ok(Analysis {
            diagnosis,
            config_fixes,
        });
    }
    let named = (!framework.is_empty()).then_some(framework);
    let rule = pasted_rule(config, named).map_err(|e| match e {
        PastedError::Undetected => {
            "Could not tell which framework your configuration is for: pick it in the list."
                .to_owned()
        }
        e => format!("Could not read your server configuration: {e}."),
    })?;
    let models = Models::default();
    let server = ServerConfig {
        framework: rule.name.clone(),
        rule,
        models: &models,
    };
    let diagnosis = diagnose_with_server(text, &server).map_err(failed)?;
    let config_fixes = diagnosis
        .reports
        .iter()
        .map(|report| config_fix(&report.case.scenario, 0))
        .collect();
    Ok(Analysis {
        diagnosis,
        config_fixes,
    })
}

/// Whether the engine (or a console line) found the request blocked.
fn fails(report: &CaseReport) -> bool {
    !report.findings.is_empty() || report.trace.as_ref().is_some_and(|t| t.failure.is_some())
}

/// How many passing requests are listed when none fails.
const PASSING_SHOWN: usize = 20;

fn view_diagnosis(analysis: &Analysis, on_open: &Callback<OpenPasted>) -> Html {
    let diagnosis = &analysis.diagnosis;
    let reports = diagnosis
        .reports
        .iter()
        .zip(analysis.config_fixes.iter().map(Option::as_ref));
    let failing: Vec<(&CaseReport, Option<&ConfigFix>)> =
        reports.clone().filter(|(r, _)| fails(r)).collect();
    let passing = diagnosis.reports.len() - failing.len();
    let shown: Vec<(&CaseReport, Option<&ConfigFix>)> = if failing.is_empty() {
        reports.take(PASSING_SHOWN).collect()
    } else {
        failing
    };
    html! {
        <div class="paste-result" data-testid="paste-result">
            <p class="muted small" data-testid="paste-format">
                { format!("Recognised: {}", diagnosis.format_name()) }
            </p>
            if let Some(framework) = &diagnosis.framework {
                <p class="paste-framework" data-testid="paste-framework" data-framework={framework.clone()}>
                    { format!("Server: your {framework} configuration answers every request.") }
                </p>
            }
            <p class="paste-sentence" data-testid="paste-sentence">{ diagnosis.sentence() }</p>
            if let Some(cause) = diagnosis.cause() {
                <p class="paste-cause" data-testid="paste-cause" data-cause={cause.as_str()}>
                    { "Cause: " }<strong>{ text::cause_label(cause) }</strong>
                    { " " }<code class="muted small">{ cause.as_str() }</code>
                </p>
            }
            if passing > 0 && shown.iter().any(|(r, _)| fails(r)) {
                <p class="muted small">{ format!("{passing} other cross-origin request(s) in the paste pass.") }</p>
            }
            <ol class="paste-reports">
                { for shown.iter().map(|(report, fix)| view_report(report, *fix, on_open)) }
            </ol>
            if !diagnosis.skipped.is_empty() {
                <details>
                    <summary>{ format!("{} request(s) could not be rebuilt", diagnosis.skipped.len()) }</summary>
                    <ul>
                        { for diagnosis.skipped.iter().map(|s| html! {
                            <li>{ format!("{}: {}", s.url, s.reason) }</li>
                        }) }
                    </ul>
                </details>
            }
        </div>
    }
}

fn view_report(
    report: &CaseReport,
    fix: Option<&ConfigFix>,
    on_open: &Callback<OpenPasted>,
) -> Html {
    let open = OpenPasted {
        scenario: report.case.scenario.clone(),
        stage: report.failing_step.as_ref().map(|f| f.stage),
    };
    let on_open = on_open.reform(move |_| open.clone());
    let step = report
        .failing_step
        .as_ref()
        .map(|f| format!("Fails at: {}", f.title));
    html! {
        <li class="paste-report" data-testid="paste-report"
            data-cause={report.cause.map(|c| c.as_str())}>
            <p class="paste-url"><code>{ report.case.url.clone() }</code></p>
            <p>{ report.sentence.clone() }</p>
            if let Some(step) = step {
                <p class="muted small">{ step }</p>
            }
            if !report.findings.is_empty() {
                <ul class="paste-findings">
                    { for report.findings.iter().map(view_finding) }
                </ul>
            }
            { for fix.map(|fix| view_config_fix(report, fix)) }
            { for report.contradictions.iter().map(|c| html! {
                <p class="paste-contradiction" data-testid="paste-contradiction">{ format!("Contradiction: {c}") }</p>
            }) }
            { for report.evidence_needed.iter().map(|e| html! {
                <p class="paste-evidence" data-testid="paste-evidence">{ format!("Evidence needed: {e}") }</p>
            }) }
            // The stepper needs the page's origin; a console line alone may not name it.
            if report.case.scenario.page == UNKNOWN_ORIGIN {
                <p class="muted small" data-testid="paste-open-needs-origin">
                    { "To open this in the stepper, paste the request too: the console line does not name the page's origin." }
                </p>
            } else if !report.replayable() {
                <p class="muted small" data-testid="paste-open-not-replayable">
                    { "The stepper replays CORS exchanges; from this line alone it would show a CORS failure that is not the cause." }
                </p>
            } else {
                <button type="button" class="small-button" data-testid="paste-open"
                        onclick={on_open}>{ "Open in stepper" }</button>
            }
        </li>
    }
}

/// The change to the pasted configuration, in its terms, and as a diff.
fn view_config_fix(report: &CaseReport, fix: &ConfigFix) -> Html {
    let before = report
        .case
        .scenario
        .server
        .get(fix.rule)
        .and_then(|r| r.framework.as_ref())
        .map_or("", |f| f.config.as_str());
    let diff = fix.diff(before).join("\n");
    html! {
        <div class="paste-config-fix" data-testid="paste-config-fix" data-framework={fix.framework.id()}>
            <p>
                { format!("Fix in your {} configuration: ", fix.framework) }
                { for fix.edits.iter().enumerate().map(|(i, edit)| html! {
                    <>
                        if i > 0 { { "; " } }
                        <span data-testid="paste-config-edit">{ edit.clone() }</span>
                    </>
                }) }
            </p>
            <pre class="paste-config-diff" data-testid="paste-config-diff"><code>{ diff }</code></pre>
        </div>
    }
}

fn view_finding(finding: &Finding) -> Html {
    let stage = text::stage_id(finding.fix.stage);
    let fix = match (&finding.fix.action, text::header_line(&finding.fix.action)) {
        (_, Some(line)) => html! {
            <>{ "Send " }<code data-testid="paste-fix-header">{ line }</code></>
        },
        (FixAction::SetStatus(status), None) => html! {
            <>{ "Answer with status " }<code>{ status.to_string() }</code></>
        },
        (action, None) => html! { <>{ text::action(action) }</> },
    };
    let confirmed = if finding.confirmed {
        "confirmed by the pasted response"
    } else {
        "not confirmed: the response is not in the paste"
    };
    html! {
        <li class="paste-finding" data-testid="paste-finding" data-stage={stage}
            data-cause={finding.cause.as_str()}>
            <span class="stage-tag">{ stage }</span>{ " " }
            { finding.problem.clone() }{ " " }
            { fix }
            <span class="muted small">{ format!(" ({confirmed})") }</span>
        </li>
    }
}
