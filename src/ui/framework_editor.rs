//! The server editor's framework mode: pick a framework, write its CORS configuration in its own syntax, and
//! see the status and headers its model sends for each exchange of the
//! request. The engine then runs with that server (a framework rule).

use std::rc::Rc;

use web_sys::{HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::engine::Exchange;
use crate::frameworks::{backend, read_rule, Framework, Request};
use crate::scenario::FrameworkRule;

/// Properties of [`FrameworkEditor`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct FrameworkEditorProps {
    /// The framework rule answering the request's URL, if any.
    pub framework: Option<Rc<FrameworkRule>>,
    /// The request's exchanges as the engine sent them (preflight first).
    pub exchanges: Rc<Vec<Exchange>>,
    /// Called with the new rule (`None`: back to a list of headers).
    pub on_change: Callback<Option<FrameworkRule>>,
}

/// A configuration each framework starts from.
fn starter(framework: Framework) -> &'static str {
    match framework {
        Framework::Express => "const cors = require(\"cors\");\napp.use(cors({ origin: [\"https://app.example.com\"] }));\n",
        Framework::Fastapi => "app.add_middleware(CORSMiddleware, allow_origins=[\"https://app.example.com\"])\n",
        Framework::Django => "CORS_ALLOWED_ORIGINS = [\"https://app.example.com\"]\n",
        Framework::Flask => "from flask_cors import CORS\nCORS(app, origins=[\"https://app.example.com\"])\n",
        Framework::Nginx => "server {\n    add_header Access-Control-Allow-Origin \"https://app.example.com\" always;\n    location / {\n        proxy_pass http://127.0.0.1:3000;\n    }\n}\n",
        Framework::Apache => "Header always set Access-Control-Allow-Origin \"https://app.example.com\"\n",
        Framework::TowerHttp => "CorsLayer::new()\n    .allow_origin(\"https://app.example.com\".parse::<HeaderValue>().unwrap())\n",
    }
}

/// One exchange's title and the headers the model sends.
type Answered = (String, Vec<(String, String)>);

/// What the model answers each exchange: `METHOD path → status` and its
/// headers; or why the configuration cannot be read.
fn answers(rule: &FrameworkRule, exchanges: &[Exchange]) -> Result<Vec<Answered>, String> {
    let config = read_rule(rule).map_err(|e| e.to_string())?;
    Ok(exchanges
        .iter()
        .map(|exchange| {
            let path = url::Url::parse(&exchange.request.url)
                .map_or_else(|_| exchange.request.url.clone(), |u| u.path().to_owned());
            let answer = config.respond(
                &Request {
                    method: exchange.request.method.clone(),
                    path: path.clone(),
                    headers: exchange.request.headers.0.clone(),
                },
                &backend(rule),
            );
            (
                format!("{} {path} → {}", exchange.request.method, answer.status),
                answer.headers,
            )
        })
        .collect())
}

/// The framework mode: a framework select, the configuration, the answers.
#[function_component(FrameworkEditor)]
pub fn framework_editor(props: &FrameworkEditorProps) -> Html {
    let current = props.framework.as_deref();
    let on_pick = {
        let on_change = props.on_change.clone();
        let current = current.cloned();
        Callback::from(move |event: Event| {
            let Some(select) = event.target_dyn_into::<HtmlSelectElement>() else {
                return;
            };
            let picked = Framework::from_name(&select.value());
            on_change.emit(picked.map(|framework| FrameworkRule {
                name: framework.id().to_owned(),
                config: starter(framework).to_owned(),
                handler: current.as_ref().and_then(|c| c.handler.clone()),
                upstream_headers: Vec::new(),
            }));
        })
    };
    let on_config = {
        let on_change = props.on_change.clone();
        let current = current.cloned();
        Callback::from(move |event: InputEvent| {
            let (Some(area), Some(rule)) = (
                event.target_dyn_into::<HtmlTextAreaElement>(),
                current.clone(),
            ) else {
                return;
            };
            on_change.emit(Some(FrameworkRule {
                config: area.value(),
                ..rule
            }));
        })
    };
    let options = Framework::ALL.iter().map(|f| {
        let selected = current.is_some_and(|c| Framework::from_name(&c.name) == Some(*f));
        html! { <option value={f.id()} {selected}>{ f.id() }</option> }
    });
    let body = current.map(|rule| {
        let answers = match answers(rule, &props.exchanges) {
            Ok(list) => list
                .into_iter()
                .map(|(title, headers)| {
                    html! {
                        <li data-testid="framework-answer">
                            <code>{ title }</code>
                            <ul>
                                { for headers.iter().map(|(n, v)| html! {
                                    <li><code>{ format!("{n}: {v}") }</code></li>
                                }) }
                            </ul>
                        </li>
                    }
                })
                .collect::<Html>(),
            Err(error) => html! {
                <li class="error" role="alert" data-testid="framework-error">{ error }</li>
            },
        };
        html! {
            <>
                <label for="framework-config">{ "Configuration, as written" }</label>
                <textarea id="framework-config" data-testid="framework-config" spellcheck="false"
                          rows="8" value={rule.config.clone()} oninput={on_config.clone()} />
                <h4>{ "What it sends" }</h4>
                <ul data-testid="framework-answers">{ answers }</ul>
            </>
        }
    });
    html! {
        <section class="framework-editor" data-testid="framework-editor" aria-labelledby="framework-heading">
            <h3 id="framework-heading">{ "The server as configured" }</h3>
            <label for="framework-pick">{ "Server" }</label>
            <select id="framework-pick" data-testid="framework-pick" onchange={on_pick}>
                <option value="" selected={current.is_none()}>{ "headers, as listed below" }</option>
                { for options }
            </select>
            { for body }
        </section>
    }
}
