//! The mock server's answers to verify's own requests on the page's origin,
//! never recorded as scenario traffic: the harness page, its script (for a
//! page with a `page_csp`), the page's command polls (`super::commands`)
//! and the browser's favicon request.

use crate::scenario::HeaderPair;

use super::harness_page::{self, PAGE_PATH};
use super::http1::Reply;
use super::server::{plain_response, ServerSetup};

/// The reply to `url` if it is one of verify's own requests (`in_flight`:
/// a scenario request is running, when only polls and the favicon are verify's).
pub(super) fn own_reply(
    setup: &ServerSetup,
    page_url: Option<&url::Url>,
    in_flight: bool,
    url: Option<&url::Url>,
) -> Option<Reply> {
    let url = url?;
    let on_page_origin = |u: &url::Url| page_url.is_some_and(|p| u.origin() == p.origin());
    if !on_page_origin(url) {
        return None;
    }
    let path = url.path();
    if !in_flight && path == PAGE_PATH && url.query().is_none() {
        return Some(page_response(setup));
    }
    if let (Some(commands), true) = (&setup.commands, path == super::commands::COMMAND_PATH) {
        let script = commands.next_script(url.query().unwrap_or_default());
        return Some(plain_response(200, script_headers(), &script));
    }
    // The browser's own favicon request for a page without the icon link
    // (a page with a `page_csp`): answered with no content, so it prints
    // nothing (a 404 makes Chromium print `Failed to load resource`). It may
    // come while a scripted request is in flight, so it is answered then too,
    // unless a rule of the scenario serves that URL.
    let rule_serves_favicon = || {
        setup.rules.iter().any(|rule| {
            url::Url::parse(&rule.matcher.url).is_ok_and(|rule_url| {
                rule_url.path() == "/favicon.ico" && on_page_origin(&rule_url)
            })
        })
    };
    if path == "/favicon.ico" && !rule_serves_favicon() {
        return Some(plain_response(204, Vec::new(), ""));
    }
    if !in_flight && setup.page_csp.is_some() && path == harness_page::SCRIPT_PATH {
        let script = harness_page::script(setup.commands.as_ref().map(|c| c.token()));
        return Some(plain_response(200, script_headers(), &script));
    }
    None
}

fn page_response(setup: &ServerSetup) -> Reply {
    let mut headers = vec![
        (
            "Content-Type".to_owned(),
            "text/html; charset=utf-8".to_owned(),
        ),
        ("Cache-Control".to_owned(), "no-store".to_owned()),
    ];
    if setup.sandbox_page {
        headers.push((
            "Content-Security-Policy".to_owned(),
            "sandbox allow-scripts".to_owned(),
        ));
    }
    if let Some(policy) = &setup.page_csp {
        headers.push(("Content-Security-Policy".to_owned(), policy.clone()));
    }
    if let Some(policy) = &setup.page_coep {
        headers.push(("Cross-Origin-Embedder-Policy".to_owned(), policy.clone()));
    }
    plain_response(200, headers, &setup.page_html)
}

/// The headers of verify's own scripts (the harness, a command).
fn script_headers() -> Vec<HeaderPair> {
    vec![
        (
            "Content-Type".to_owned(),
            "text/javascript; charset=utf-8".to_owned(),
        ),
        ("Cache-Control".to_owned(), "no-store".to_owned()),
    ]
}
