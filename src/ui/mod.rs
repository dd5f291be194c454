//! The teaching app (wasm only).
//!
//! It shows what [`crate::engine::evaluate`] found and never decides a CORS
//! outcome itself. It must never panic (a panic kills the whole page), so a
//! scenario that does not load becomes a notice on the page, and all text is
//! rendered as text (no `inner_html`; the page's CSP forbids HTML sinks too).

use yew::prelude::*;

use crate::engine::{evaluate, RequestTrace, Trace};
use crate::scenario::{parse_scenario, Api, Outcome, PreflightUse, RequestSpec, Scenario};

/// The scenario the app opens with (a version-1 scenario file).
pub const DEFAULT_SCENARIO: &str =
    include_str!("../../scenarios/json-post-without-allow-headers.json");

/// Mounts [`App`] on the page's `<body>`.
pub fn start() {
    yew::Renderer::<App>::new().render();
}

/// The whole page, opened on [`DEFAULT_SCENARIO`].
#[function_component(App)]
pub fn app() -> Html {
    html! {
        <>
            <header class="site-header">
                <h1>{ "CORS Lab" }</h1>
                <p class="tagline">
                    { "What the browser does with a cross-origin request, step by step." }
                </p>
            </header>
            <main data-testid="app-ready">
                <ScenarioPage source={AttrValue::Static(DEFAULT_SCENARIO)} />
            </main>
            <footer class="site-footer">
                <p>{ "A simulator: everything runs in this page, and no request leaves it." }</p>
            </footer>
        </>
    }
}

/// Properties of [`ScenarioPage`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ScenarioPageProps {
    /// The scenario file's text (JSON).
    pub source: AttrValue,
}

/// One scenario: its lesson and, for each request, what the engine found.
#[function_component(ScenarioPage)]
pub fn scenario_page(props: &ScenarioPageProps) -> Html {
    let loaded = use_memo(props.source.clone(), |source| {
        parse_scenario(source).map(|scenario| {
            let trace = evaluate(&scenario, None);
            (scenario, trace)
        })
    });
    match &*loaded {
        Ok((scenario, trace)) => view_scenario(scenario, trace),
        Err(error) => html! {
            <div class="notice notice-error" role="alert">
                <h2>{ "This scenario could not be loaded" }</h2>
                <p class="notice-detail">{ error.to_string() }</p>
            </div>
        },
    }
}

fn view_scenario(scenario: &Scenario, trace: &Trace) -> Html {
    let title = scenario.title.as_deref().unwrap_or(&scenario.id);
    let paragraphs = scenario
        .lesson
        .as_deref()
        .unwrap_or_default()
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| html! { <p>{ p.to_owned() }</p> });
    html! {
        <article class="scenario" aria-labelledby="scenario-title">
            <h2 id="scenario-title">{ title.to_owned() }</h2>
            <p class="scenario-meta">
                { "Page origin " }<code>{ scenario.page.clone() }</code>
                { " · rules of " }{ trace.browser.as_str() }
            </p>
            <div class="lesson">{ for paragraphs }</div>
            <h3>{ "What the browser does" }</h3>
            if let Some(error) = &trace.scenario_error {
                <div class="notice notice-error" role="alert">
                    <p>{ "The engine could not run this scenario:" }</p>
                    <p class="notice-detail">{ error.clone() }</p>
                </div>
            } else if trace.requests.is_empty() {
                <p class="notice" role="status">
                    { "The engine reported no requests for this scenario." }
                </p>
            } else {
                <ol class="requests">
                    { for trace.requests.iter().enumerate().map(|(index, request)| {
                        view_request(index, scenario.requests.get(index), request)
                    }) }
                </ol>
            }
        </article>
    }
}

fn view_request(index: usize, spec: Option<&RequestSpec>, request: &RequestTrace) -> Html {
    let result = &request.result;
    let heading = match spec {
        Some(spec) => html! {
            <>
                <span class="api">{ api_label(spec.api) }</span>
                <span class="method">{ spec.method.clone() }</span>
                <span class="url">{ spec.url.clone() }</span>
            </>
        },
        None => html! { { format!("Request {}", index + 1) } },
    };
    let (outcome_label, outcome_class) = outcome_label(result.outcome);
    html! {
        <li class="request">
            <h4 class="request-line">{ heading }</h4>
            <dl class="facts">
                <dt>{ "Outcome" }</dt>
                <dd>
                    // Test hooks (ui-contract): the class names end in the
                    // outcome's kebab-case name, as in scenario files.
                    <span class={classes!("badge", outcome_class)} data-testid="verdict"
                        data-outcome={outcome_class.trim_start_matches("outcome-")}>
                        { outcome_label }
                    </span>
                </dd>
                <dt>{ "Cross-origin" }</dt>
                <dd>{ if result.cross_origin { "yes" } else { "no" } }</dd>
                <dt>{ "Preflight" }</dt>
                <dd>{ preflight_label(result.preflight) }</dd>
                if !result.preflight_request.is_empty() {
                    <dt>{ "Preflight request headers" }</dt>
                    <dd>
                        <ul class="header-list">
                            { for result.preflight_request.iter().map(|(name, value)| html! {
                                <li><code>{ format!("{name}: {value}") }</code></li>
                            }) }
                        </ul>
                    </dd>
                }
                <dt>{ "Headers the script can read" }</dt>
                <dd>
                    if result.readable_headers.is_empty() {
                        { "none" }
                    } else {
                        <code>{ result.readable_headers.join(", ") }</code>
                    }
                </dd>
                <dt>{ "The script sees" }</dt>
                <dd>
                    { match &result.js_error {
                        Some(error) => html! { <code class="js-error">{ error.clone() }</code> },
                        None => html! { { "no exception" } },
                    } }
                </dd>
            </dl>
            <section class="console" aria-label="Console">
                <h5 class="console-title">{ "Console" }</h5>
                if result.console.is_empty() {
                    <p class="console-empty">{ "(nothing printed)" }</p>
                } else {
                    <ol class="console-lines">
                        { for result.console.iter().map(|line| html! {
                            <li class="console-line">{ line.clone() }</li>
                        }) }
                    </ol>
                }
            </section>
        </li>
    }
}

fn api_label(api: Api) -> &'static str {
    match api {
        Api::Fetch => "fetch",
        Api::Xhr => "XHR",
    }
}

/// The engine's verdict in words, and the class that colours its badge (the
/// words carry the meaning; the colour only repeats it).
fn outcome_label(outcome: Outcome) -> (&'static str, &'static str) {
    match outcome {
        Outcome::Allowed => ("Allowed", "outcome-allowed"),
        Outcome::Blocked => ("Blocked by CORS", "outcome-blocked"),
        Outcome::Opaque => ("Opaque (no-cors)", "outcome-opaque"),
        Outcome::NetworkError => ("Network error", "outcome-network-error"),
    }
}

fn preflight_label(preflight: PreflightUse) -> &'static str {
    match preflight {
        PreflightUse::None => "not needed",
        PreflightUse::Sent => "sent",
        PreflightUse::Cached => "answered from the preflight cache",
    }
}
