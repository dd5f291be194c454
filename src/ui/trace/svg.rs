//! SVG primitives for the diagram: a group with its data attributes, a
//! text, a line, a rectangle (each one `html!` site, shared).

use yew::prelude::*;

/// Attributes of a group: class, `data-testid`, and up to three `data-*`.
#[derive(Default)]
pub(super) struct Group {
    pub class: String,
    pub testid: &'static str,
    pub data: [(&'static str, String); 3],
}

/// A `<g>` of `children`.
pub(super) fn group(attrs: Group, children: Vec<Html>) -> Html {
    let Group {
        class,
        testid,
        data: [(k1, v1), (k2, v2), (k3, v3)],
    } = attrs;
    let mut tag = yew::virtual_dom::VTag::new("g");
    tag.add_attribute("class", class);
    tag.add_attribute("data-testid", testid);
    for (key, value) in [(k1, v1), (k2, v2), (k3, v3)] {
        if !key.is_empty() {
            tag.add_attribute(key, value);
        }
    }
    tag.add_children(children);
    tag.into()
}

/// A text element.
pub(super) fn text(out: &mut Vec<Html>, (x, y): (i32, i32), class: &'static str, value: String) {
    out.push(html! { <text class={class} x={x.to_string()} y={y.to_string()}>{ value }</text> });
}

/// A line.
pub(super) fn line(
    out: &mut Vec<Html>,
    (x1, y1, x2, y2): (i32, i32, i32, i32),
    class: &'static str,
) {
    out.push(html! {
        <line class={class} x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} />
    });
}

/// A rectangle.
pub(super) fn rect(
    out: &mut Vec<Html>,
    (x, y, width, height): (i32, i32, i32, i32),
    class: &'static str,
) {
    out.push(html! {
        <rect class={class} x={x.to_string()} y={y.to_string()} width={width.to_string()}
              height={height.to_string()} rx="3" />
    });
}
