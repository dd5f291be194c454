//! Editable header rows (name, value, remove), with an add button and the
//! engine's notes about each header shown under its row.

use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::scenario::HeaderPair;

/// A note the engine made about a header, shown under rows with that name.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderNote {
    /// The header's name (compared case-insensitively).
    pub name: String,
    /// The note, in plain words (from the engine).
    pub text: String,
    /// Whether it is a problem (an error) or only worth knowing.
    pub error: bool,
}

/// Properties of [`header_rows`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct HeaderRowsProps {
    /// The rows.
    pub rows: Rc<Vec<HeaderPair>>,
    /// Unique prefix for element ids and test ids.
    pub id: AttrValue,
    /// Called with the whole new list on every change.
    pub on_change: Callback<Vec<HeaderPair>>,
    /// The engine's notes about these headers.
    #[prop_or_default]
    pub notes: Rc<Vec<HeaderNote>>,
}

/// Rows of header name/value inputs.
/// A plain view function, not a component: each component type costs about
/// 1 KB gzip of Yew's generic lifecycle code in the wasm (issue 16's budget).
pub fn header_rows(props: &HeaderRowsProps) -> Html {
    let set = |index: usize, column: usize| {
        let rows = props.rows.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |event: InputEvent| {
            let value = event.target_unchecked_into::<HtmlInputElement>().value();
            let mut next = (*rows).clone();
            if let Some((name, text)) = next.get_mut(index) {
                if column == 0 {
                    *name = value;
                } else {
                    *text = value;
                }
            }
            on_change.emit(next);
        })
    };
    let remove = |index: usize| {
        let rows = props.rows.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*rows).clone();
            if index < next.len() {
                next.remove(index);
            }
            on_change.emit(next);
        })
    };
    let add = {
        let rows = props.rows.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*rows).clone();
            next.push((String::new(), String::new()));
            on_change.emit(next);
        })
    };
    let id = &props.id;
    html! {
        <div class="header-rows">
            if props.rows.is_empty() {
                <p class="muted">{ "No headers." }</p>
            }
            { for props.rows.iter().enumerate().map(|(index, (name, value))| {
                let notes = props.notes.iter().filter(|n| {
                    !name.trim().is_empty() && n.name.trim().eq_ignore_ascii_case(name.trim())
                });
                html! {
                    <div class="header-row" key={index}>
                        <input
                            class="header-name"
                            aria-label={format!("Header {} name", index + 1)}
                            placeholder="Name"
                            data-testid={format!("{id}-name-{index}")}
                            value={name.clone()}
                            oninput={set(index, 0)}
                            spellcheck="false"
                        />
                        <input
                            class="header-value"
                            aria-label={format!("Header {} value", index + 1)}
                            placeholder="Value"
                            data-testid={format!("{id}-value-{index}")}
                            value={value.clone()}
                            oninput={set(index, 1)}
                            spellcheck="false"
                        />
                        <button
                            type="button"
                            class="icon-button"
                            aria-label={format!("Remove header {}", if name.is_empty() { (index + 1).to_string() } else { name.clone() })}
                            onclick={remove(index)}
                        >{ "✕" }</button>
                        <div class="field-notes" aria-live="polite">
                            { for notes.map(|note| html! {
                                <p class={classes!("field-note", note.error.then_some("field-note-error"))}
                                   data-testid="field-note">
                                    { note.text.clone() }
                                </p>
                            }) }
                        </div>
                    </div>
                }
            }) }
            <button type="button" class="small-button" onclick={add}
                    data-testid={format!("{id}-add")}>{ "+ Add header" }</button>
        </div>
    }
}
