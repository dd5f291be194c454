//! The script call a request stands for, printed as JavaScript
//! (`fetch(url, { … })` or the `XMLHttpRequest` calls).

use crate::jscall::{print_fetch, print_xhr};
use crate::scenario::{Api, Credentials, CrossOrigin, Mode, Redirect, RequestSpec};

/// The JavaScript that makes `spec`: only settings that differ from the
/// API's defaults are written out, so the code reads like a real script.
pub fn print_call(spec: &RequestSpec) -> String {
    match spec.api {
        Api::Fetch => print_fetch(spec),
        Api::Xhr => print_xhr(spec),
        Api::Img => print_element("img", spec),
        Api::Script => print_element("script", spec),
        Api::Stylesheet => print_element("link", spec),
        Api::Eventsource => print_event_source(spec),
        Api::Form => print_form(spec),
        Api::Websocket => format!("new WebSocket({});", js_string(&spec.url)),
    }
}

/// Whether the code view can be edited: only `fetch()` and XHR calls are
/// read back ([`crate::jscall::parse_call`]); the other kinds are edited in the form.
pub fn is_editable_as_code(spec: &RequestSpec) -> bool {
    matches!(spec.api, Api::Fetch | Api::Xhr)
}

/// An HTML attribute value (quotes and `&` escaped).
fn html_attr(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;")
}

fn print_element(tag: &str, spec: &RequestSpec) -> String {
    let crossorigin = match spec.crossorigin {
        None => String::new(),
        Some(CrossOrigin::Anonymous) => " crossorigin=\"anonymous\"".to_owned(),
        Some(CrossOrigin::UseCredentials) => " crossorigin=\"use-credentials\"".to_owned(),
    };
    let src = html_attr(&spec.url);
    if tag == "img" {
        format!("<img src=\"{src}\"{crossorigin}>")
    } else if tag == "link" {
        format!("<link rel=\"stylesheet\" href=\"{src}\"{crossorigin}>")
    } else {
        format!("<script src=\"{src}\"{crossorigin}></script>")
    }
}

fn print_event_source(spec: &RequestSpec) -> String {
    if spec.credentials == Credentials::Include {
        format!(
            "new EventSource({}, {{ withCredentials: true }});",
            js_string(&spec.url)
        )
    } else {
        format!("new EventSource({});", js_string(&spec.url))
    }
}

fn print_form(spec: &RequestSpec) -> String {
    let enctype = spec
        .headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        .map(|(_, value)| format!(" enctype=\"{}\"", html_attr(value)))
        .unwrap_or_default();
    let fields: String = spec
        .body
        .as_deref()
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            format!(
                "  <input name=\"{}\" value=\"{}\">\n",
                html_attr(name),
                html_attr(value)
            )
        })
        .collect();
    format!(
        "<form method=\"{}\" action=\"{}\"{enctype} target=\"hidden-frame\">\n{fields}</form>\n<!-- submitted by script: form.submit() -->",
        html_attr(&spec.method.to_ascii_lowercase()),
        html_attr(&spec.url)
    )
}

/// A JavaScript string literal (JSON's escaping is valid JavaScript).
fn js_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

/// The value a script writes for `mode`.
pub fn mode_str(mode: Mode) -> &'static str {
    match mode {
        Mode::Cors => "cors",
        Mode::NoCors => "no-cors",
        Mode::SameOrigin => "same-origin",
    }
}

/// The value a script writes for `credentials`.
pub fn credentials_str(credentials: Credentials) -> &'static str {
    match credentials {
        Credentials::Omit => "omit",
        Credentials::SameOrigin => "same-origin",
        Credentials::Include => "include",
    }
}

/// The value a script writes for `redirect`.
pub fn redirect_str(redirect: Redirect) -> &'static str {
    match redirect {
        Redirect::Follow => "follow",
        Redirect::Error => "error",
        Redirect::Manual => "manual",
    }
}
