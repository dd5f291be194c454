//! A request printed back as tidy script code: the form the app's code view
//! shows and [`super::parse_call`] reads back to the same request.

use crate::scenario::{Credentials, Mode, Redirect, RequestSpec};

/// A JavaScript string literal (JSON escaping is valid JavaScript).
fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

/// `request` as a `fetch(...)` call. The method is always written (the
/// lesson is often about it); other options at their default are left out.
/// The `api` field is ignored (see [`print_xhr`] for the XHR form).
pub fn print_fetch(request: &RequestSpec) -> String {
    let mut options = vec![format!("method: {}", quote(&request.method))];
    if !request.headers.is_empty() {
        // An object literal cannot repeat a key (the last one would win);
        // an array of pairs can.
        let repeated = request.headers.iter().enumerate().any(|(i, (name, _))| {
            request
                .headers
                .iter()
                .skip(i + 1)
                .any(|(other, _)| other.eq_ignore_ascii_case(name))
        });
        let pairs: Vec<String> = request
            .headers
            .iter()
            .map(|(name, value)| {
                if repeated {
                    format!("[{}, {}]", quote(name), quote(value))
                } else {
                    format!("{}: {}", quote(name), quote(value))
                }
            })
            .collect();
        let (open, close) = if repeated { ("[", "]") } else { ("{ ", " }") };
        options.push(format!("headers: {open}{}{close}", pairs.join(", ")));
    }
    if let Some(body) = &request.body {
        options.push(format!("body: {}", quote(body)));
    }
    match request.mode {
        Mode::Cors => {}
        Mode::NoCors => options.push("mode: \"no-cors\"".to_owned()),
        Mode::SameOrigin => options.push("mode: \"same-origin\"".to_owned()),
    }
    match request.credentials {
        Credentials::SameOrigin => {}
        Credentials::Omit => options.push("credentials: \"omit\"".to_owned()),
        Credentials::Include => options.push("credentials: \"include\"".to_owned()),
    }
    match request.redirect {
        Redirect::Follow => {}
        Redirect::Error => options.push("redirect: \"error\"".to_owned()),
        Redirect::Manual => options.push("redirect: \"manual\"".to_owned()),
    }
    if let Some(ms) = request.timeout_ms {
        options.push(format!("signal: AbortSignal.timeout({ms})"));
    }
    if let Some(space) = request.target_address_space {
        options.push(format!("targetAddressSpace: {}", quote(space.as_str())));
    }
    let options: String = options.iter().map(|o| format!("  {o},\n")).collect();
    format!("fetch({}, {{\n{options}}});", quote(&request.url))
}

/// `request` as `XMLHttpRequest` statements. XHR has no mode, redirect or
/// `targetAddressSpace` option, so those fields are not printed; credentials
/// other than `include` print as the default.
pub fn print_xhr(request: &RequestSpec) -> String {
    let mut lines = vec![
        "const xhr = new XMLHttpRequest();".to_owned(),
        format!(
            "xhr.open({}, {});",
            quote(&request.method),
            quote(&request.url)
        ),
    ];
    if request.credentials == Credentials::Include {
        lines.push("xhr.withCredentials = true;".to_owned());
    }
    for (name, value) in &request.headers {
        lines.push(format!(
            "xhr.setRequestHeader({}, {});",
            quote(name),
            quote(value)
        ));
    }
    if request.upload_listener {
        lines.push("xhr.upload.onprogress = () => {};".to_owned());
    }
    if let Some(ms) = request.timeout_ms {
        lines.push(format!("xhr.timeout = {ms};"));
    }
    lines.push(match &request.body {
        Some(body) => format!("xhr.send({});", quote(body)),
        None => "xhr.send();".to_owned(),
    });
    lines.join("\n")
}
