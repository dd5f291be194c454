//! The client-call editor: a form and the same call as code, always in sync
//! (code → request through [`crate::jscall::parse_call`]).
//!
//! Every remark about the call (a dropped header, an invalid name, a method
//! that is not upper-cased) comes from the engine's trace: the build steps it
//! recorded and the exception the call throws. The editor only places each
//! remark next to the field it is about.

use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::code::{credentials_str, is_editable_as_code, mode_str, print_call, redirect_str};
use super::header_rows::{header_rows, HeaderNote, HeaderRowsProps};
use crate::engine::BuildNote;
use crate::engine::Failure;
use crate::engine::{narrate, RequestTrace, Stage, StepKind, StepStatus};
use crate::jscall::parse_call;
use crate::scenario::{Api, Credentials, CrossOrigin, Mode, Redirect, RequestSpec};

/// Properties of [`ClientEditor`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ClientEditorProps {
    /// The request being edited.
    pub spec: Rc<RequestSpec>,
    /// The engine's trace of it (for the remarks), if it ran.
    #[prop_or_default]
    pub trace: Option<Rc<RequestTrace>>,
    /// Called with the edited request.
    pub on_change: Callback<RequestSpec>,
}

/// Where an engine remark belongs.
#[derive(Debug, Clone, PartialEq)]
enum Field {
    Method,
    Url,
    Body,
    Header(String),
    Other,
}

/// The engine's remarks about the call: its build steps that warn or fail,
/// and the exception the call throws.
fn remarks(trace: &RequestTrace) -> Vec<(Field, String, bool)> {
    let mut out = Vec::new();
    for step in trace.steps.iter().filter(|s| s.stage == Stage::Build) {
        if !matches!(step.status, StepStatus::Warn | StepStatus::Fail) {
            continue;
        }
        let words = narrate(step);
        // A note about the method goes next to the method, in its own words
        // (why it was or was not upper-cased); any other note next to the
        // field its deciding detail names.
        let (field, text) = match &step.kind {
            StepKind::Built {
                note: BuildNote::MethodNormalized { .. } | BuildNote::MethodNotNormalized { .. },
            } => (Field::Method, words.why),
            _ => match words.highlight {
                Some(name) => (Field::Header(name), words.found),
                None => (Field::Other, words.found),
            },
        };
        out.push((field, text, step.status == StepStatus::Fail));
    }
    if let Some(failure) = trace
        .failure
        .as_ref()
        .filter(|f| f.is_thrown_by_script_api())
    {
        let (field, words) = match failure {
            Failure::InvalidHeaderName { name } => {
                (Field::Header(name.clone()), "not a valid header name")
            }
            Failure::InvalidHeaderValue { name, .. } => {
                (Field::Header(name.clone()), "not a valid header value")
            }
            Failure::InvalidUrl { .. } => (Field::Url, "not a URL the browser can parse"),
            Failure::InvalidMethod { .. } => (Field::Method, "not a valid method name"),
            Failure::ForbiddenMethod { .. } => (Field::Method, "a forbidden method"),
            Failure::NoCorsMethod { .. } => {
                (Field::Method, "no-cors allows only GET, HEAD and POST")
            }
            Failure::BodyWithGetOrHead => (Field::Body, "a GET or HEAD request cannot have a body"),
            _ => (Field::Other, "the call throws"),
        };
        let thrown = trace.result.js_error.clone().unwrap_or_default();
        out.push((field, format!("{words}: the call throws {thrown}"), true));
    }
    out
}

fn notes_for(remarks: &[(Field, String, bool)], field: &Field) -> Html {
    // Always the same element, so that the inputs around it are never
    // replaced (which would take the focus away while typing).
    html! {
        <div class="field-notes" aria-live="polite">
            { for remarks.iter().filter(|(f, _, _)| f == field).map(|(_, text, error)| html! {
                <p class={classes!("field-note", error.then_some("field-note-error"))}
                   data-testid="field-note">{ text.clone() }</p>
            }) }
        </div>
    }
}

/// The code as the learner typed it.
#[derive(Debug, Clone, PartialEq)]
struct CodeDraft {
    /// The text.
    text: String,
    /// The request it stands for (the last one that parsed, on an error).
    request: Rc<RequestSpec>,
    /// Why it does not parse, with line and column.
    error: Option<String>,
    /// Options the parser read but the scenario cannot hold.
    ignored: Vec<String>,
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The form and the code view of one request.
#[function_component(ClientEditor)]
pub fn client_editor(props: &ClientEditorProps) -> Html {
    let spec = props.spec.clone();
    let edit = |change: fn(&mut RequestSpec, String)| {
        let spec = spec.clone();
        let on_change = props.on_change.clone();
        move |value: String| {
            let mut next = (*spec).clone();
            change(&mut next, value);
            on_change.emit(next);
        }
    };
    let on_input = |change: fn(&mut RequestSpec, String)| {
        let apply = edit(change);
        Callback::from(move |e: InputEvent| {
            apply(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_select = |change: fn(&mut RequestSpec, String)| {
        let apply = edit(change);
        Callback::from(move |e: Event| {
            apply(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    let on_body = {
        let apply = edit(|s, v| s.body = (!v.is_empty()).then_some(v));
        Callback::from(move |e: InputEvent| {
            apply(e.target_unchecked_into::<HtmlTextAreaElement>().value())
        })
    };
    let on_upload = {
        let apply = edit(|s, v| s.upload_listener = v == "true");
        Callback::from(move |e: Event| {
            let checked = e.target_unchecked_into::<HtmlInputElement>().checked();
            apply(checked.to_string())
        })
    };
    let on_headers = {
        let spec = spec.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |headers| {
            let mut next = (*spec).clone();
            next.headers = headers;
            on_change.emit(next);
        })
    };
    // The code as typed, kept while it stands for the current request (or
    // does not parse yet), so the printer never rewrites what is being typed.
    let draft = use_state(|| None::<CodeDraft>);
    let shown_draft = (*draft).clone().filter(|d| *d.request == *spec);
    let on_code = on_code_input(spec.clone(), draft, props.on_change.clone());
    let code_text = shown_draft
        .as_ref()
        .map_or_else(|| print_call(&spec), |d| d.text.clone());
    let remarks = props.trace.as_deref().map(remarks).unwrap_or_default();
    let header_notes = header_notes(&remarks);
    let fetch = spec.api == Api::Fetch;
    let option = |value: &'static str, current: &str| {
        html! { <option value={value} selected={value == current}>{ value }</option> }
    };
    html! {
        <section class="panel client-editor" aria-labelledby="client-heading">
            <h2 id="client-heading">{ "The client call" }</h2>
            <div class="form-grid">
                <label for="req-api">{ "API" }</label>
                <select id="req-api" data-testid="req-api" onchange={on_select(|s, v| {
                    s.api = api_from_value(&v);
                    if !s.api.is_element() {
                        s.crossorigin = None;
                    }
                })}>
                    { for API_CHOICES.iter().map(|(api, value, label)| html! {
                        <option value={*value} selected={spec.api == *api}>{ *label }</option>
                    }) }
                </select>

                <label for="req-method">{ "Method" }</label>
                <div>
                    <input id="req-method" data-testid="req-method" list="methods"
                           value={spec.method.clone()} spellcheck="false"
                           oninput={on_input(|s, v| s.method = v)} />
                    <datalist id="methods">
                        { for ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
                            .into_iter().map(|m| html! { <option value={m} /> }) }
                    </datalist>
                    { notes_for(&remarks, &Field::Method) }
                </div>

                <label for="req-url">{ "URL" }</label>
                <div>
                    <input id="req-url" data-testid="req-url" type="url"
                           value={spec.url.clone()} spellcheck="false"
                           oninput={on_input(|s, v| s.url = v)} />
                    { notes_for(&remarks, &Field::Url) }
                </div>

                if fetch {
                    <label for="req-mode">{ "mode" }</label>
                    <select id="req-mode" onchange={on_select(|s, v| s.mode = mode_from_value(&v))}>
                        { option("cors", mode_str(spec.mode)) }
                        { option("no-cors", mode_str(spec.mode)) }
                        { option("same-origin", mode_str(spec.mode)) }
                    </select>
                }

                if spec.api.is_element() {
                    { crossorigin_select(&spec, on_select(|s, v| s.crossorigin = crossorigin_from_value(&v))) }
                }

                <label for="req-credentials">{ if fetch { "credentials" } else { "withCredentials" } }</label>
                <select id="req-credentials" data-testid="req-credentials" onchange={on_select(|s, v| s.credentials = credentials_from_value(&v))}>
                    { option("omit", credentials_str(spec.credentials)) }
                    { option("same-origin", credentials_str(spec.credentials)) }
                    { option("include", credentials_str(spec.credentials)) }
                </select>

                if fetch {
                    <label for="req-redirect">{ "redirect" }</label>
                    <select id="req-redirect" onchange={on_select(|s, v| s.redirect = redirect_from_value(&v))}>
                        { option("follow", redirect_str(spec.redirect)) }
                        { option("error", redirect_str(spec.redirect)) }
                        { option("manual", redirect_str(spec.redirect)) }
                    </select>
                } else if spec.api == Api::Xhr {
                    <label for="req-upload">{ "upload listener" }</label>
                    <input id="req-upload" type="checkbox" checked={spec.upload_listener}
                           onchange={on_upload} />
                }
            </div>

            <h3 class="field-heading">{ "Request headers" }</h3>
            { header_rows(&HeaderRowsProps {
                id: "req-header".into(),
                rows: Rc::new(spec.headers.clone()),
                on_change: on_headers,
                notes: Rc::new(header_notes),
            }) }

            <label class="field-heading" for="req-body">{ "Body (empty = none)" }</label>
            <textarea id="req-body" rows="2" spellcheck="false"
                      value={spec.body.clone().unwrap_or_default()} oninput={on_body} />
            { notes_for(&remarks, &Field::Body) }
            { notes_for(&remarks, &Field::Other) }

            { code_section(&spec, code_text, on_code, shown_draft.as_ref()) }
        </section>
    }
}

/// The request kinds the form offers: (kind, `<option>` value, label).
const API_CHOICES: [(Api, &str, &str); 8] = [
    (Api::Fetch, "fetch", "fetch()"),
    (Api::Xhr, "xhr", "XMLHttpRequest"),
    (Api::Img, "img", "<img>"),
    (Api::Script, "script", "<script>"),
    (Api::Stylesheet, "stylesheet", "<link rel=stylesheet>"),
    (Api::Eventsource, "eventsource", "EventSource"),
    (Api::Form, "form", "<form> submit"),
    (Api::Websocket, "websocket", "WebSocket"),
];

fn api_from_value(value: &str) -> Api {
    API_CHOICES
        .iter()
        .find(|(_, v, _)| *v == value)
        .map_or(Api::Fetch, |(api, _, _)| *api)
}

fn mode_from_value(value: &str) -> Mode {
    match value {
        "no-cors" => Mode::NoCors,
        "same-origin" => Mode::SameOrigin,
        _ => Mode::Cors,
    }
}

fn crossorigin_from_value(value: &str) -> Option<CrossOrigin> {
    match value {
        "anonymous" => Some(CrossOrigin::Anonymous),
        "use-credentials" => Some(CrossOrigin::UseCredentials),
        _ => None,
    }
}

fn credentials_from_value(value: &str) -> Credentials {
    match value {
        "omit" => Credentials::Omit,
        "include" => Credentials::Include,
        _ => Credentials::SameOrigin,
    }
}

fn redirect_from_value(value: &str) -> Redirect {
    match value {
        "error" => Redirect::Error,
        "manual" => Redirect::Manual,
        _ => Redirect::Follow,
    }
}

/// The code editor's callback: a call that parses becomes the request (and
/// the draft); one that does not keeps the last request and says where.
fn on_code_input(
    spec: Rc<RequestSpec>,
    draft: UseStateHandle<Option<CodeDraft>>,
    on_change: Callback<RequestSpec>,
) -> Callback<InputEvent> {
    Callback::from(move |e: InputEvent| {
        let text = e.target_unchecked_into::<HtmlTextAreaElement>().value();
        match parse_call(&text) {
            Ok(parsed) => {
                let mut next = parsed.request;
                next.at_ms = spec.at_ms;
                let ignored = parsed.ignored;
                draft.set(Some(CodeDraft {
                    text,
                    request: Rc::new(next.clone()),
                    error: None,
                    ignored,
                }));
                if next != *spec {
                    on_change.emit(next);
                }
            }
            Err(error) => {
                let (line, column) = line_and_column(&text, error.offset);
                draft.set(Some(CodeDraft {
                    text,
                    request: spec.clone(),
                    error: Some(format!(
                        "Line {line}, column {column}: {}. The form keeps the last call that parsed.",
                        error.message
                    )),
                    ignored: Vec::new(),
                }));
            }
        }
    })
}

/// The remarks about request headers, for the header rows.
fn header_notes(remarks: &[(Field, String, bool)]) -> Vec<HeaderNote> {
    remarks
        .iter()
        .filter_map(|(field, text, error)| match field {
            Field::Header(name) => Some(HeaderNote {
                name: name.clone(),
                text: text.clone(),
                error: *error,
            }),
            _ => None,
        })
        .collect()
}

/// The element's `crossorigin` attribute.
fn crossorigin_select(spec: &RequestSpec, onchange: Callback<Event>) -> Html {
    html! {
        <>
            <label for="req-crossorigin">{ "crossorigin" }</label>
            <select id="req-crossorigin" data-testid="req-crossorigin" onchange={onchange}>
                <option value="" selected={spec.crossorigin.is_none()}>{ "(absent: no-cors)" }</option>
                <option value="anonymous" selected={spec.crossorigin == Some(CrossOrigin::Anonymous)}>{ "anonymous" }</option>
                <option value="use-credentials" selected={spec.crossorigin == Some(CrossOrigin::UseCredentials)}>{ "use-credentials" }</option>
            </select>
        </>
    }
}

/// The call as code, its parse error or ignored options, and how to use it.
fn code_section(
    spec: &RequestSpec,
    code_text: String,
    on_code: Callback<InputEvent>,
    shown_draft: Option<&CodeDraft>,
) -> Html {
    html! {
        <>
            <label class="field-heading" for="client-code">{ "As code" }</label>
            <textarea id="client-code" class="code" data-testid="client-code"
                      rows="8" spellcheck="false" value={code_text} oninput={on_code}
                      readonly={!is_editable_as_code(spec)}
                      aria-describedby="client-code-help" />
            <div class="field-notes" aria-live="polite">
                if let Some(error) = shown_draft.and_then(|d| d.error.clone()) {
                    <p class="field-note field-note-error" data-testid="code-error">{ error }</p>
                }
                if let Some(d) = shown_draft.filter(|d| !d.ignored.is_empty()) {
                    <p class="field-note" data-testid="field-note">
                        { format!("Not modelled, so left out: {}", d.ignored.join(", ")) }
                    </p>
                }
            </div>
            <p class="muted small" id="client-code-help">
                if is_editable_as_code(spec) {
                    { "Edit or paste a fetch() call or XMLHttpRequest code (e.g. DevTools' Copy as fetch): the form follows, and the form's changes rewrite the code." }
                } else {
                    { "What the page does, as code (read-only: edit this kind of request in the form above)." }
                }
            </p>
        </>
    }
}
