//! Marking the engine's deciding detail inside a sentence.

use yew::prelude::*;

/// `text` with each ASCII-case-insensitive occurrence of `needle` wrapped in
/// `<mark>`; plain text when there is no needle or no occurrence.
pub(super) fn marked(text: &str, needle: Option<&str>) -> Html {
    let Some(needle) = needle.filter(|n| !n.is_empty()) else {
        return html! { { text.to_owned() } };
    };
    // ASCII lower-casing keeps every byte offset, so offsets found in the
    // lowered copies are valid (char-boundary) offsets into `text`.
    let (haystack, lowered) = (text.to_ascii_lowercase(), needle.to_ascii_lowercase());
    let mut parts = Vec::new();
    let mut from = 0;
    while let Some(found) = haystack.get(from..).and_then(|rest| rest.find(&lowered)) {
        let start = from + found;
        let end = start + lowered.len();
        parts.push(html! { { text.get(from..start).unwrap_or_default().to_owned() } });
        parts.push(html! {
            <mark class="decisive">{ text.get(start..end).unwrap_or_default().to_owned() }</mark>
        });
        from = end;
    }
    parts.push(html! { { text.get(from..).unwrap_or_default().to_owned() } });
    html! { <>{ for parts }</> }
}
