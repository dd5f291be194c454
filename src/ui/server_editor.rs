//! The mock-server editor: the preflight's and the request's answers, each a
//! status and header rows, with one-click toggles for the common CORS headers.

use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::header_rows::{header_rows, HeaderRowsProps};
use super::state::Side;
use crate::scenario::{NetworkErrorKind, RequestSpec, Respond};

/// The value the scenario format substitutes with the request's `Origin`.
pub const REFLECT_ORIGIN: &str = "{{request.origin}}";

/// Properties of [`ServerEditor`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ServerEditorProps {
    /// Which answer this is.
    pub side: Side,
    /// The rule's answer; `None` when no rule answers (the mock server's 404).
    pub respond: Option<Rc<Respond>>,
    /// The request it answers (for the toggles' starting values).
    pub spec: Rc<RequestSpec>,
    /// The origin this URL is asked from: the page's, or `null` after a
    /// redirect to another origin (the toggles' starting `Allow-Origin`).
    pub page: AttrValue,
    /// Called with the edited answer.
    pub on_change: Callback<Respond>,
    /// Which URL of the request's redirect chain it answers (0: the
    /// request's own); it keeps the form's ids unique.
    #[prop_or_default]
    pub hop: usize,
}

/// The common CORS response headers each side offers as toggles.
fn toggles(side: Side) -> &'static [&'static str] {
    match side {
        Side::Preflight => &[
            "Access-Control-Allow-Origin",
            "Access-Control-Allow-Methods",
            "Access-Control-Allow-Headers",
            "Access-Control-Allow-Credentials",
            "Access-Control-Max-Age",
            "Vary",
        ],
        Side::Actual => &[
            "Access-Control-Allow-Origin",
            "Access-Control-Allow-Credentials",
            "Access-Control-Expose-Headers",
            "Vary",
        ],
    }
}

/// The value a toggled-on header starts with: what this request needs, as a
/// starting point the learner can then edit (the engine judges it).
fn starting_value(name: &str, spec: &RequestSpec, page: &str, respond: &Respond) -> String {
    match name {
        "Access-Control-Allow-Origin" => page.to_owned(),
        "Access-Control-Allow-Methods" => spec.method.clone(),
        "Access-Control-Allow-Headers" => {
            let names: Vec<String> = spec
                .headers
                .iter()
                .map(|(n, _)| n.trim().to_ascii_lowercase())
                .filter(|n| !n.is_empty())
                .collect();
            if names.is_empty() {
                "content-type".to_owned()
            } else {
                names.join(", ")
            }
        }
        "Access-Control-Allow-Credentials" => "true".to_owned(),
        "Access-Control-Expose-Headers" => {
            let names: Vec<&str> = respond
                .headers
                .iter()
                .map(|(n, _)| n.as_str())
                .filter(|n| {
                    let lower = n.to_ascii_lowercase();
                    !lower.starts_with("access-control-") && lower != "vary"
                })
                .collect();
            if names.is_empty() {
                "*".to_owned()
            } else {
                names.join(", ")
            }
        }
        "Access-Control-Max-Age" => "600".to_owned(),
        "Vary" => "Origin".to_owned(),
        _ => String::new(),
    }
}

fn has(respond: &Respond, name: &str) -> bool {
    respond
        .headers
        .iter()
        .any(|(n, _)| n.trim().eq_ignore_ascii_case(name))
}

/// A callback that applies `set` to a copy of `respond` and emits it, unless
/// `set` says the event changed nothing it can hold.
fn edit_with<E: 'static>(
    respond: &Rc<Respond>,
    on_change: &Callback<Respond>,
    set: impl Fn(&mut Respond, E) -> bool + 'static,
) -> Callback<E> {
    let (respond, on_change) = (respond.clone(), on_change.clone());
    Callback::from(move |event: E| {
        let mut next = (*respond).clone();
        if set(&mut next, event) {
            on_change.emit(next);
        }
    })
}

/// One side's answer.
#[function_component(ServerEditor)]
pub fn server_editor(props: &ServerEditorProps) -> Html {
    let side = props.side;
    let present = props.respond.is_some();
    let respond: Rc<Respond> = props.respond.clone().unwrap_or_else(|| {
        Rc::new(Respond {
            status: if side == Side::Preflight { 204 } else { 200 },
            headers: Vec::new(),
            body: String::new(),
            network_error: None,
        })
    });
    let change = |f: Rc<dyn Fn(&mut Respond)>| {
        let respond = respond.clone();
        let on_change = props.on_change.clone();
        move || {
            let mut next = (*respond).clone();
            f(&mut next);
            on_change.emit(next);
        }
    };
    let on_status = edit_with(&respond, &props.on_change, |r, e: InputEvent| {
        let text = e.target_unchecked_into::<HtmlInputElement>().value();
        // A status the form cannot hold is ignored until it is one.
        match text.trim().parse::<u16>() {
            Ok(status) if (100..=999).contains(&status) => {
                r.status = status;
                true
            }
            _ => false,
        }
    });
    let on_network_error = edit_with(&respond, &props.on_change, |r, e: Event| {
        let value = e
            .target_unchecked_into::<web_sys::HtmlSelectElement>()
            .value();
        r.network_error = NetworkErrorKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == value);
        true
    });
    let on_headers = edit_with(&respond, &props.on_change, |r, headers| {
        r.headers = headers;
        true
    });
    let heading = match side {
        Side::Preflight => "Preflight (OPTIONS) response",
        Side::Actual => "Actual response",
    };
    let id = match props.hop {
        0 => side.as_str().to_owned(),
        hop => format!("hop{hop}-{}", side.as_str()),
    };
    let toggle_buttons = toggles(side).iter().map(|&name| {
        let on = has(&respond, name);
        let value = starting_value(name, &props.spec, &props.page, &respond);
        let run = change(Rc::new(move |r: &mut Respond| {
            if has(r, name) {
                r.headers
                    .retain(|(n, _)| !n.trim().eq_ignore_ascii_case(name));
            } else {
                r.headers.push((name.to_owned(), value.clone()));
            }
        }));
        let short = name.strip_prefix("Access-Control-").unwrap_or(name);
        html! {
            <button type="button" class="toggle" aria-pressed={on.to_string()}
                    title={name}
                    data-testid={format!("toggle-{id}-{name}")}
                    onclick={Callback::from(move |_: MouseEvent| run())}>
                { short }
            </button>
        }
    });
    let reflecting = respond.headers.iter().any(|(n, v)| {
        n.trim().eq_ignore_ascii_case("Access-Control-Allow-Origin") && v.trim() == REFLECT_ORIGIN
    });
    let reflect = {
        let page = props.page.to_string();
        let run = change(Rc::new(move |r: &mut Respond| {
            r.headers
                .retain(|(n, _)| !n.trim().eq_ignore_ascii_case("Access-Control-Allow-Origin"));
            let value = if reflecting {
                page.clone()
            } else {
                REFLECT_ORIGIN.to_owned()
            };
            r.headers
                .insert(0, ("Access-Control-Allow-Origin".to_owned(), value));
        }));
        Callback::from(move |_: MouseEvent| run())
    };
    let on_body = edit_with(&respond, &props.on_change, |r, e: InputEvent| {
        r.body = e.target_unchecked_into::<HtmlTextAreaElement>().value();
        true
    });
    html! {
        <section class="server-side" aria-labelledby={format!("{id}-heading")}>
            // Under a redirect's own heading, a level lower.
            if props.hop == 0 {
                <h3 id={format!("{id}-heading")}>{ heading }</h3>
            } else {
                <h4 id={format!("{id}-heading")}>{ heading }</h4>
            }
            <div class="rule-note">
                if !present {
                    <p class="muted small">
                        { "No rule answers this yet: the mock server says 404. Any change here adds a rule." }
                    </p>
                }
            </div>
            <div class="form-grid">
                <label for={format!("{id}-status")}>{ "Status" }</label>
                <input id={format!("{id}-status")} data-testid={format!("{id}-status")}
                       type="number" min="100" max="999" inputmode="numeric"
                       value={respond.status.to_string()} oninput={on_status} />
                <label for={format!("{id}-neterr")}>{ "Connection" }</label>
                <select id={format!("{id}-neterr")} onchange={on_network_error}>
                    <option value="" selected={respond.network_error.is_none()}>{ "answers" }</option>
                    { for NetworkErrorKind::ALL.into_iter().map(|kind| html! {
                        <option value={kind.as_str()} selected={respond.network_error == Some(kind)}>
                            { format!("fails: {}", kind.as_str()) }
                        </option>
                    }) }
                </select>
                if side == Side::Actual {
                    <label for={format!("{id}-body")}>{ "Body" }</label>
                    <textarea id={format!("{id}-body")} data-testid={format!("{id}-body")}
                              rows="2" spellcheck="false" value={respond.body.clone()}
                              oninput={on_body} />
                }
            </div>
            <div class="toggles" role="group" aria-label={format!("{heading}: common CORS headers")}>
                { for toggle_buttons }
                <button type="button" class="toggle" aria-pressed={reflecting.to_string()}
                        data-testid={format!("toggle-{id}-reflect-origin")}
                        title="Allow-Origin echoes the request's Origin ({{request.origin}})"
                        onclick={reflect}>
                    { "Reflect Origin" }
                </button>
            </div>
            { header_rows(&HeaderRowsProps {
                id: format!("{id}-header").into(),
                rows: Rc::new(respond.headers.clone()),
                on_change: on_headers,
                notes: Rc::default(),
            }) }
        </section>
    }
}
