//! "What to fix": every remaining problem with the exact header and value,
//! and the same configuration as copyable server code.

use std::rc::Rc;

use wasm_bindgen::JsValue;
use yew::prelude::*;

use super::tabs::{tablist_keydown, unique_prefix};
use crate::engine::fixes::text;
use crate::engine::RequestTrace;
use crate::engine::{Fix, FixAction, FixStage};
use crate::scenario::RequestSpec;
use crate::snippets::{cors_config, snippet, Framework};

/// Properties of [`fixes_panel`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub(super) struct FixesPanelProps {
    /// The request, with the engine's fixes.
    pub request: Rc<RequestTrace>,
    /// The script's call (for the snippet's path), when known.
    pub spec: Option<Rc<RequestSpec>>,
}

/// The fix list, then the snippets when the server has something to change.
/// A plain view function, not a component: each component type costs about
/// 1 KB gzip of Yew's generic lifecycle code in the wasm (issue 16's budget).
pub(super) fn fixes_panel(props: &FixesPanelProps) -> Html {
    let request = &props.request;
    let server_side = request
        .fixes
        .iter()
        .any(|fix| fix.stage != FixStage::Request);
    let summary = if request.fixes.is_empty() {
        if request.failure.is_none() {
            "Nothing to fix: no check failed."
        } else {
            "No server change makes this request succeed."
        }
    } else {
        "Every change the request needs, in the order the browser would complain (it stops at the first):"
    };
    html! {
        <section class="tv-panel fixes-panel" aria-label="What to fix">
            <h4 class="tv-panel-title">{ "What to fix" }</h4>
            <p class="tv-panel-hint">{ summary }</p>
            if !request.fixes.is_empty() {
                <ol class="fix-list">
                    { for request.fixes.iter().map(fix_item) }
                </ol>
            }
            if server_side {
                if let Some(spec) = &props.spec {
                    <Snippets request={props.request.clone()} spec={spec.clone()} />
                }
            }
        </section>
    }
}

fn fix_item(fix: &Fix) -> Html {
    let action = match (&fix.action, text::header_line(&fix.action)) {
        (_, Some(line)) => html! {
            <p class="fix-action">
                { "Send " }
                <code class="fix-header" data-testid="fix-header">{ line }</code>
            </p>
        },
        (FixAction::SetStatus(status), None) => html! {
            <p class="fix-action">{ "Answer with status " }<code>{ status.to_string() }</code></p>
        },
        (action, None) => html! { <p class="fix-action">{ text::action(action) }</p> },
    };
    html! {
        <li class="fix" data-testid="fix" data-stage={text::stage_id(fix.stage)}>
            <span class="fix-stage">{ text::stage_heading(fix.stage) }</span>
            <p class="fix-problem">{ text::problem(fix) }</p>
            { action }
        </li>
    }
}

/// Properties of [`Snippets`].
#[derive(Debug, Clone, PartialEq, Properties)]
struct SnippetsProps {
    request: Rc<RequestTrace>,
    spec: Rc<RequestSpec>,
}

/// One tab per framework over the configuration, with a Copy button.
#[function_component(Snippets)]
fn snippets(props: &SnippetsProps) -> Html {
    let prefix = use_state(|| unique_prefix("snippet-tab"));
    let selected = use_state(|| 0_usize);
    let copied = use_state(|| None::<&'static str>);
    let config = cors_config(&props.spec, &props.request);
    let count = Framework::ALL.len();
    let current = (*selected).min(count - 1);
    let framework = Framework::ALL
        .get(current)
        .copied()
        .unwrap_or(Framework::Express);
    let code = snippet(framework, &config);
    let select = {
        let (selected, copied) = (selected.clone(), copied.clone());
        Callback::from(move |index: usize| {
            selected.set(index);
            copied.set(None);
        })
    };
    let onkeydown = tablist_keydown((*prefix).clone(), current, count, select.clone());
    let panel_id = format!("{}-panel", *prefix);
    let copy = {
        let (code, copied) = (code.clone(), copied.clone());
        Callback::from(move |_: MouseEvent| copy_text(&code, copied.clone()))
    };
    html! {
        <div class="snippets">
            <h5 class="snippets-title">{ "Server code" }</h5>
            <div class="snippet-tabs" role="tablist" aria-label="Server framework" {onkeydown}>
                { for Framework::ALL.iter().enumerate().map(|(index, framework)| {
                    let is_selected = index == current;
                    let select = select.clone();
                    html! {
                        <button type="button" role="tab" class="snippet-tab"
                            id={format!("{}-{index}", *prefix)}
                            data-testid={format!("snippet-tab-{}", framework.id())}
                            aria-selected={is_selected.to_string()}
                            aria-controls={panel_id.clone()}
                            tabindex={if is_selected { "0" } else { "-1" }}
                            onclick={Callback::from(move |_| select.emit(index))}>
                            { framework.label() }
                        </button>
                    }
                }) }
            </div>
            <div class="snippet-panel" role="tabpanel" id={panel_id}
                aria-labelledby={format!("{}-{current}", *prefix)}>
                <pre class="snippet-code" tabindex="0"><code data-testid="snippet">{ code }</code></pre>
                <button type="button" class="copy-button" data-testid="snippet-copy" onclick={copy}>
                    { "Copy" }
                </button>
                <span class="copy-status" role="status" aria-live="polite">
                    { (*copied).unwrap_or_default() }
                </span>
            </div>
        </div>
    }
}

/// Copies with the async Clipboard API; where it is missing or refused (an
/// insecure context, a denied permission), says how to copy by hand.
fn copy_text(text: &str, status: UseStateHandle<Option<&'static str>>) {
    const FALLBACK: &str = "Copying is not available here: select the code and press Ctrl+C (⌘C).";
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        status.set(Some(FALLBACK));
        return;
    };
    // `navigator.clipboard` is undefined outside secure contexts; calling a
    // method on it would throw, so look before use.
    let available = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .map(|value| !value.is_undefined() && !value.is_null())
        .unwrap_or(false);
    if !available {
        status.set(Some(FALLBACK));
        return;
    }
    let promise = navigator.clipboard().write_text(text);
    wasm_bindgen_futures::spawn_local(async move {
        let done = wasm_bindgen_futures::JsFuture::from(promise).await;
        status.set(Some(if done.is_ok() { "Copied." } else { FALLBACK }));
    });
}
