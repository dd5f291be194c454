//! A request printed back as tidy script code.

use crate::scenario::{Credentials, Mode, Redirect, RequestSpec};

/// A JavaScript string literal (JSON escaping is valid JavaScript).
fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

/// `request` as a `fetch(...)` call; options at their default are left out.
/// The `api` field is ignored (see [`print_xhr`] for the XHR form).
pub fn print_fetch(request: &RequestSpec) -> String {
    let mut options = Vec::new();
    if request.method != "GET" {
        options.push(format!("  method: {},", quote(&request.method)));
    }
    if !request.headers.is_empty() {
        let mut block = String::from("  headers: {\n");
        for (name, value) in &request.headers {
            block.push_str(&format!("    {}: {},\n", quote(name), quote(value)));
        }
        block.push_str("  },");
        options.push(block);
    }
    if let Some(body) = &request.body {
        options.push(format!("  body: {},", quote(body)));
    }
    match request.mode {
        Mode::Cors => {}
        Mode::NoCors => options.push("  mode: \"no-cors\",".to_owned()),
        Mode::SameOrigin => options.push("  mode: \"same-origin\",".to_owned()),
    }
    match request.credentials {
        Credentials::SameOrigin => {}
        Credentials::Omit => options.push("  credentials: \"omit\",".to_owned()),
        Credentials::Include => options.push("  credentials: \"include\",".to_owned()),
    }
    match request.redirect {
        Redirect::Follow => {}
        Redirect::Error => options.push("  redirect: \"error\",".to_owned()),
        Redirect::Manual => options.push("  redirect: \"manual\",".to_owned()),
    }
    if let Some(ms) = request.timeout_ms {
        options.push(format!("  signal: AbortSignal.timeout({ms}),"));
    }
    if let Some(space) = request.target_address_space {
        options.push(format!("  targetAddressSpace: {},", quote(space.as_str())));
    }
    if options.is_empty() {
        format!("fetch({});\n", quote(&request.url))
    } else {
        format!(
            "fetch({}, {{\n{}\n}});\n",
            quote(&request.url),
            options.join("\n")
        )
    }
}

/// `request` as `XMLHttpRequest` statements. XHR has no mode, redirect or
/// `targetAddressSpace` option, so those fields are not printed; credentials
/// other than `include` print as the default.
pub fn print_xhr(request: &RequestSpec) -> String {
    let mut code = String::from("const xhr = new XMLHttpRequest();\n");
    code.push_str(&format!(
        "xhr.open({}, {});\n",
        quote(&request.method),
        quote(&request.url)
    ));
    if request.credentials == Credentials::Include {
        code.push_str("xhr.withCredentials = true;\n");
    }
    for (name, value) in &request.headers {
        code.push_str(&format!(
            "xhr.setRequestHeader({}, {});\n",
            quote(name),
            quote(value)
        ));
    }
    if request.upload_listener {
        code.push_str("xhr.upload.onprogress = () => {};\n");
    }
    if let Some(ms) = request.timeout_ms {
        code.push_str(&format!("xhr.timeout = {ms};\n"));
    }
    match &request.body {
        Some(body) => code.push_str(&format!("xhr.send({});\n", quote(body))),
        None => code.push_str("xhr.send();\n"),
    }
    code
}
