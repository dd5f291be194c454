//! The harness page that the browser loads at the scenario's page origin.

/// The path of the harness page: the page origin's root, as the engine
/// names the page (`https://app.example.com/`; Firefox quotes the page's URL
/// in some lines). It is served only while no scenario request is in
/// flight, so scenario rules for that URL still answer the requests.
pub(crate) const PAGE_PATH: &str = "/";

/// Where the page of a `"null"`-origin scenario is served (with a CSP sandbox).
pub(crate) const OPAQUE_PAGE_ORIGIN: &str = "http://opaque-page.cors-lab.test";

/// The page script: defines `window.__corsLab.run(spec)`.
const HARNESS_JS: &str = include_str!("harness.js");

/// Where the harness script is served, on the page's origin, when the page
/// has a `page_csp`: an inline script would need `'unsafe-inline'`, which the
/// scenario's policy does not give, while a same-origin script needs only
/// `'self'` (or no `script-src`/`default-src` at all).
pub(crate) const SCRIPT_PATH: &str = "/__cors-lab-harness.js";

/// The harness script (served at [`SCRIPT_PATH`] for pages with a CSP);
/// with a page token, it starts fetching its commands (`super::commands`).
pub(crate) fn script(polls: Option<u64>) -> String {
    match polls {
        Some(token) => format!("{HARNESS_JS}\nwindow.__corsLabPoll(\"{token}\");\n"),
        None => HARNESS_JS.to_owned(),
    }
}

/// The HTML of the harness page (no other subresource than the harness
/// script when `external_script`; otherwise it is inline); `polls` as for [`script`].
pub(crate) fn html(external_script: bool, polls: Option<u64>) -> String {
    let script = if external_script {
        format!("<script src=\"{SCRIPT_PATH}\"></script>")
    } else {
        format!("<script>\n{}\n</script>", script(polls))
    };
    // An empty icon spares a favicon request; under the scenario's own
    // `page_csp` it is left out, since that policy may refuse `data:` images
    // and Chromium would print the refusal (a line of the harness, not the scenario).
    let icon = if external_script {
        ""
    } else {
        "<link rel=\"icon\" href=\"data:,\">"
    };
    format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\">{icon}\
         <title>cors-lab harness</title></head>\n<body>\n{script}\n</body></html>\n"
    )
}

/// The expression that runs one request in the page and resolves to a JSON string.
pub(crate) fn run_expression(spec_json: &str) -> String {
    format!("window.__corsLab.run({spec_json})")
}

/// The `console.debug` text verify logs after each request settles: once it
/// arrives over CDP, the renderer has sent every earlier console line. It is
/// never reported as a console line.
pub(crate) const SETTLED_MARKER: &str = "__cors_lab_settled__";

/// The expression that logs the settle marker with `label` (a plain word).
pub(crate) fn marker_expression(label: &str) -> String {
    format!("console.debug('{SETTLED_MARKER} {label}'), 'logged'")
}

/// The marker text with `label`.
pub(crate) fn marker_text(label: &str) -> String {
    format!("{SETTLED_MARKER} {label}")
}
