//! "Predict, then reveal": before the steps are shown the learner guesses
//! whether there will be a preflight, whether the script gets the response
//! and, if not, which header is at fault. The guesses are scored against the
//! engine's trace (`result.preflight`, `result.outcome`, the first fix), and
//! each miss is explained from that trace; nothing here decides CORS.

use std::rc::Rc;

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::engine::fixes::text;
use crate::engine::RequestTrace;
use crate::scenario::{Outcome, PreflightUse};

/// The "no header is at fault" choice.
pub const NONE: &str = "none";

/// The learner's answers (`None`: not answered yet).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Prediction {
    /// Will there be a preflight (sent or answered from the cache)?
    pub preflight: Option<bool>,
    /// Will the script get the response?
    pub readable: Option<bool>,
    /// The header at fault, lower-cased, or [`NONE`].
    pub header: Option<String>,
}

/// One scored answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// Whether the answer was right.
    pub right: bool,
    /// What the trace says, in one sentence.
    pub explanation: String,
}

/// The header named by the trace's first fix, lower-cased, or [`NONE`].
pub fn header_at_fault(trace: &RequestTrace) -> String {
    trace
        .fixes
        .first()
        .and_then(|f| f.action.header())
        .map_or_else(|| NONE.to_owned(), |(name, _)| name.to_ascii_lowercase())
}

/// The header choices: every header the engine's fixes name, the script's
/// `request_headers`, the headers sent on the wire, and [`NONE`]; sorted, once each.
pub fn header_choices(trace: &RequestTrace, request_headers: &[String]) -> Vec<String> {
    let mut names: Vec<String> = trace
        .fixes
        .iter()
        .filter_map(|f| f.action.header().map(|(name, _)| name.to_ascii_lowercase()))
        .chain(trace.exchanges.iter().flat_map(|e| {
            e.request
                .headers
                .0
                .iter()
                .map(|(n, _)| n.to_ascii_lowercase())
        }))
        .chain(
            request_headers
                .iter()
                .map(|n| n.trim().to_ascii_lowercase()),
        )
        .collect();
    names.push("access-control-allow-origin".to_owned());
    names.sort();
    names.dedup();
    names.push(NONE.to_owned());
    names
}

/// Scores `prediction` against the trace: the preflight, the outcome and, when
/// the script does not get the response, the header at fault.
pub fn score(prediction: &Prediction, trace: &RequestTrace) -> Vec<Mark> {
    let result = &trace.result;
    let preflight = result.preflight != PreflightUse::None;
    let readable = result.outcome == Outcome::Allowed;
    let mut marks = vec![
        Mark {
            right: prediction.preflight == Some(preflight),
            explanation: match result.preflight {
                PreflightUse::None => "No preflight: the browser sent the request directly.",
                PreflightUse::Sent => "A preflight (OPTIONS) was sent before the request.",
                PreflightUse::Cached => {
                    "A preflight was needed, and the preflight cache answered it."
                }
            }
            .to_owned(),
        },
        Mark {
            right: prediction.readable == Some(readable),
            explanation: match result.outcome {
                Outcome::Allowed => "The script gets the response.".to_owned(),
                Outcome::Blocked => format!(
                    "A CORS check failed: {}",
                    result.console.first().map_or("", String::as_str)
                ),
                Outcome::Opaque => {
                    "The response is opaque (no-cors): the script sees nothing.".to_owned()
                }
                Outcome::NetworkError => {
                    "The request failed before any CORS check (a network error).".to_owned()
                }
            },
        },
    ];
    if !readable {
        let fault = header_at_fault(trace);
        let fix = trace.fixes.first().map_or(String::new(), |f| {
            format!(" The first fix: {}", text::problem(f))
        });
        marks.push(Mark {
            right: prediction.header.as_deref() == Some(fault.as_str()),
            explanation: if fault == NONE {
                format!("No single header is at fault.{fix}")
            } else {
                format!("The header at fault is {fault}.{fix}")
            },
        });
    }
    marks
}

/// The prediction form's properties.
#[derive(Properties, PartialEq)]
pub struct PredictProps {
    /// The trace of the request to predict (read only when scoring).
    pub trace: Rc<RequestTrace>,
    /// The names of the headers the script sets.
    pub request_headers: Rc<Vec<String>>,
    /// Reveal the steps.
    pub on_reveal: Callback<()>,
}

fn yes_no(name: &'static str, value: Option<bool>, set: Callback<Option<bool>>) -> Html {
    let on_change = Callback::from(move |e: Event| {
        let v = e.target_unchecked_into::<HtmlSelectElement>().value();
        set.emit(match v.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        })
    });
    let pick = |v: Option<bool>| value == v;
    html! {
        <select id={name} data-testid={name} onchange={on_change}>
            <option value="" selected={pick(None)}>{ "Choose…" }</option>
            <option value="yes" selected={pick(Some(true))}>{ "Yes" }</option>
            <option value="no" selected={pick(Some(false))}>{ "No" }</option>
        </select>
    }
}

/// The prediction form; after "Reveal" it shows the marks.
#[function_component(Predict)]
pub fn predict(props: &PredictProps) -> Html {
    let prediction = use_state(Prediction::default);
    let marks = use_state(|| None::<Vec<Mark>>);
    let set = |f: fn(&mut Prediction, Option<bool>)| {
        let prediction = prediction.clone();
        Callback::from(move |v| {
            let mut next = (*prediction).clone();
            f(&mut next, v);
            prediction.set(next);
        })
    };
    let on_header = {
        let prediction = prediction.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            let mut next = (*prediction).clone();
            next.header = (!v.is_empty()).then_some(v);
            prediction.set(next);
        })
    };
    let on_reveal = {
        let (prediction, marks, trace, reveal) = (
            prediction.clone(),
            marks.clone(),
            props.trace.clone(),
            props.on_reveal.clone(),
        );
        Callback::from(move |_| {
            marks.set(Some(score(&prediction, &trace)));
            reveal.emit(());
        })
    };
    let header = prediction.header.clone().unwrap_or_default();
    let labels = ["Preflight", "Script gets the response", "Header at fault"];
    html! {
        <section class="panel predict" aria-labelledby="predict-heading" data-testid="predict">
            <h2 id="predict-heading">{ "Predict first" }</h2>
            <div class="form-grid">
                <label for="predict-preflight">{ "Will there be a preflight?" }</label>
                { yes_no("predict-preflight", prediction.preflight, set(|p, v| p.preflight = v)) }
                <label for="predict-readable">{ "Will the script get the response?" }</label>
                { yes_no("predict-readable", prediction.readable, set(|p, v| p.readable = v)) }
                <label for="predict-header">{ "If not, which header is at fault?" }</label>
                <select id="predict-header" data-testid="predict-header" onchange={on_header}>
                    <option value="" selected={header.is_empty()}>{ "Choose…" }</option>
                    { for header_choices(&props.trace, &props.request_headers).into_iter().map(|h| html! {
                        <option value={h.clone()} selected={header == h}>{ h }</option>
                    }) }
                </select>
            </div>
            if let Some(marks) = &*marks {
                <ul class="predict-marks" data-testid="predict-marks">
                    { for marks.iter().zip(labels).map(|(m, label)| html! {
                        <li data-right={m.right.to_string()}>
                            <strong>{ format!("{} {label}: ", if m.right { "✓" } else { "✗" }) }</strong>
                            { m.explanation.clone() }
                        </li>
                    }) }
                </ul>
                <p data-testid="predict-score">{ format!("{} of {} right", marks.iter().filter(|m| m.right).count(), marks.len()) }</p>
            } else {
                <button type="button" class="small-button" data-testid="reveal" onclick={on_reveal}>
                    { "Reveal the steps" }</button>
            }
        </section>
    }
}
