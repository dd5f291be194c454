//! The mock server's editors for the selected request: the preflight and
//! actual answers at its URL, then at each URL a redirect led to.

use std::rc::Rc;

use yew::prelude::*;

use crate::ui::app::Store;
use crate::ui::server_editor::ServerEditor;
use crate::ui::state::{hops, Edit, Side};
use crate::ui::store::Action;

/// The framework mode: the framework rule answering the request's URL,
/// edited in its own syntax.
fn framework_view(store: &Store, request: usize) -> Html {
    if !crate::ui::FRAMEWORK_MODE {
        return html! {};
    }
    use crate::ui::framework_editor::FrameworkEditor;
    let state = &store.state;
    let scenario = &state.eval.scenario;
    let url = scenario.requests.get(request).map(|r| r.url.as_str());
    let framework = scenario
        .server
        .iter()
        .find(|r| Some(r.matcher.url.as_str()) == url)
        .and_then(|r| r.framework.clone())
        .map(Rc::new);
    let exchanges = Rc::new(
        state
            .selected_trace()
            .map(|t| t.exchanges.clone())
            .unwrap_or_default(),
    );
    let on_change = store
        .dispatch
        .reform(move |framework| Action::Edit(Edit::Framework { request, framework }));
    html! { <FrameworkEditor {framework} {exchanges} {on_change} /> }
}

/// The server panel.
pub(super) fn server_panel(store: &Store) -> Html {
    let state = &store.state;
    let scenario = &state.eval.scenario;
    let request = state.selection.request;
    let Some(spec) = scenario.requests.get(request) else {
        return html! {};
    };
    let spec = Rc::new(spec.clone());
    let hops = hops(scenario, state.selected_trace(), request);
    let side_view = |hop: usize, side: Side| {
        let respond = hops
            .get(hop)
            .and_then(|target| target.rule(scenario, side))
            .and_then(|i| scenario.server.get(i))
            .map(|rule| Rc::new(rule.respond.clone()));
        let on_change = store.dispatch.reform(move |respond| {
            Action::Edit(Edit::Respond {
                request,
                hop,
                side,
                respond,
            })
        });
        // The toggles' starting values follow what reached this URL.
        let spec = match hops.get(hop) {
            Some(target) if hop > 0 => {
                let mut redirected = (*spec).clone();
                redirected.url.clone_from(&target.url);
                redirected.method.clone_from(&target.method);
                Rc::new(redirected)
            }
            _ => spec.clone(),
        };
        // Allow-Origin starts as the Origin this URL was sent (`null` after
        // a redirect to another origin), else the page's.
        let origin = hops
            .get(hop)
            .and_then(|target| target.origin.clone())
            .filter(|_| hop > 0)
            .unwrap_or_else(|| scenario.page.clone());
        html! {
            <ServerEditor {side} {respond} {spec} {hop}
                          page={AttrValue::from(origin)} {on_change} />
        }
    };
    // Each redirect's target answers too: its own rule, edited here.
    let redirects = hops.iter().enumerate().skip(1).map(|(hop, target)| {
        html! {
            <section class="server-hop" data-testid="server-hop"
                     aria-labelledby={format!("hop{hop}-heading")}>
                <h3 id={format!("hop{hop}-heading")}>
                    { format!("After redirect {hop}: ") }
                    <code>{ format!("{} {}", target.method, target.url) }</code>
                </h3>
                if target.preflighted {
                    { side_view(hop, Side::Preflight) }
                }
                { side_view(hop, Side::Actual) }
            </section>
        }
    });
    html! {
        <section class="panel server-editor" aria-labelledby="server-heading">
            <h2 id="server-heading">{ "The mock server" }</h2>
            { framework_view(store, request) }
            { side_view(0, Side::Preflight) }
            { side_view(0, Side::Actual) }
            { for redirects }
        </section>
    }
}
