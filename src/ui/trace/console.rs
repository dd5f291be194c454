//! The console tv-panel: each browser's exact console lines and the script's
//! error, in DevTools style, one tab per browser.

use std::rc::Rc;

use yew::prelude::*;

use super::tabs::{tablist_keydown, unique_prefix};
use super::{browser_name, Traces};
use crate::engine::RequestTrace;
use crate::scenario::Browser;

/// Properties of [`ConsolePanel`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub(super) struct ConsolePanelProps {
    /// The scenario per browser: only the open tab's browser is evaluated.
    pub traces: Rc<Traces>,
    /// The selected request (index into each trace's requests).
    pub request: usize,
    /// The tab open at first (the browser whose rules the page shows).
    pub shown: Browser,
}

/// Tabs Chrome, Firefox, Safari over a DevTools-like console.
#[function_component(ConsolePanel)]
pub(super) fn console_panel(props: &ConsolePanelProps) -> Html {
    let prefix = use_state(|| unique_prefix("console-tab"));
    let initial = Browser::ALL
        .iter()
        .position(|browser| *browser == props.shown)
        .unwrap_or(0);
    let selected = use_state_eq(|| initial);
    {
        let selected = selected.clone();
        use_effect_with(initial, move |initial| selected.set(*initial));
    }
    let count = Browser::ALL.len();
    let current = (*selected).min(count.saturating_sub(1));
    let select = {
        let selected = selected.clone();
        Callback::from(move |index: usize| selected.set(index))
    };
    let onkeydown = tablist_keydown((*prefix).clone(), current, count, select.clone());
    let panel_id = format!("{}-panel", *prefix);
    let tabs = Browser::ALL.iter().enumerate().map(|(index, browser)| {
        let is_selected = index == current;
        let select = select.clone();
        html! {
            <button
                type="button"
                role="tab"
                id={format!("{}-{index}", *prefix)}
                class="console-tab"
                data-testid={format!("console-tab-{}", browser.as_str())}
                aria-selected={is_selected.to_string()}
                aria-controls={panel_id.clone()}
                tabindex={if is_selected { "0" } else { "-1" }}
                onclick={Callback::from(move |_| select.emit(index))}
            >
                { browser_name(*browser) }
            </button>
        }
    });
    // Only the open tab's browser is evaluated (see `Traces`).
    let shown = Browser::ALL.get(current).and_then(|&browser| {
        let trace = props.traces.get(browser);
        let request = trace.requests.get(props.request)?;
        Some((browser, trace.profile.verified_in_real_browser, request))
    });
    let body = match shown {
        Some((browser, verified, request)) => console_body(browser, verified, request),
        _ => {
            html! { <p class="tv-console-empty">{ "This browser reported nothing for this request." }</p> }
        }
    };
    html! {
        <section class="tv-panel console-panel" aria-labelledby={format!("{}-title", *prefix)}>
            <h4 id={format!("{}-title", *prefix)} class="tv-panel-title">{ "Console" }</h4>
            <div class="tv-console-tabs" role="tablist" aria-label="Browser" {onkeydown}>
                { for tabs }
            </div>
            <div class="devtools-console" role="tabpanel" id={panel_id}
                aria-labelledby={format!("{}-{current}", *prefix)} tabindex="0">
                { body }
            </div>
        </section>
    }
}

/// The lines and the script's error, exactly as the engine rendered them.
/// Every line is shown at error level: that is the level at which Chromium
/// and Firefox print each line the engine models, which `verify` checks
/// (`verify::observe::console_lines` keeps any other level in the text).
fn console_body(browser: Browser, verified: bool, request: &RequestTrace) -> Html {
    let result = &request.result;
    html! {
        <>
            if !verified {
                <p class="console-note">
                    { format!("{} is modelled from its source code and not checked against the real browser here.", browser_name(browser)) }
                </p>
            }
            if verified && browser == Browser::Safari {
                <p class="console-note" data-testid="safari-provenance">
                    { "Verified in WebKit (WebKitGTK, the same WebCore as Safari), except lines marked \u{201c}from WebKit\u{2019}s source\u{201d}." }
                </p>
            }
            if result.console.is_empty() && result.js_error.is_none() {
                <p class="tv-console-empty">{ "(nothing printed)" }</p>
            }
            <ol class="tv-console-lines" aria-label={format!("{} console", browser_name(browser))}>
                { for result.console.iter().enumerate().map(|(at, line)| html! {
                    <li class="console-row console-error">
                        <span class="console-icon" aria-hidden="true">{ "✖" }</span>
                        <span class="visually-hidden">{ "Error: " }</span>
                        <span class="console-text" data-testid="console-line">{ line.clone() }</span>
                        if request.console_from_source.contains(&at) {
                            <span class="console-provenance" data-testid="from-source">{ "from WebKit\u{2019}s source" }</span>
                        }
                    </li>
                }) }
                if let Some(error) = &result.js_error {
                    <li class="console-row console-error console-uncaught">
                        <span class="console-icon" aria-hidden="true">{ "✖" }</span>
                        <span class="console-prefix">{ "The script gets: " }</span>
                        <span class="console-text" data-testid="js-error">{ error.clone() }</span>
                        if request.js_error_from_source {
                            <span class="console-provenance" data-testid="from-source">{ "from WebKit\u{2019}s source" }</span>
                        }
                    </li>
                }
            </ol>
        </>
    }
}
