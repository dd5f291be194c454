//! Lines the engine renders for `diagnose` only, with no typed failure
//! behind them: each names its cause (Firefox's parent-process Local Network
//! Access and ORB lines, Chromium's mixed-content block of the APIs the
//! typed templates leave out).

use super::*;

/// A line the engine renders for `diagnose` only, with no typed failure
/// behind it (Firefox's parent-process lines, which verify's console does
/// not carry): it names its cause.
struct CauseTemplate {
    pieces: Vec<Piece>,
    browser: Browser,
    cause: Cause,
}

/// What a [`CauseTemplate`] read from a line.
pub(in crate::diagnose) struct CauseLine {
    pub(in crate::diagnose) browser: Browser,
    pub(in crate::diagnose) cause: Cause,
    pub(in crate::diagnose) url: Option<String>,
    pub(in crate::diagnose) origin: Option<String>,
}

/// Placeholders for renderers that parse their URL (a hole mark is no URL).
const TARGET_PLACEHOLDER: &str = "http://cors-lab-target.invalid:54321/path";
const HOST_PORT_PLACEHOLDER: &str = "cors-lab-target.invalid:54321";
const PAGE_PLACEHOLDER: &str = "http://cors-lab-page.invalid/page";

fn cached_cause_templates() -> &'static [CauseTemplate] {
    static TEMPLATES: std::sync::OnceLock<Vec<CauseTemplate>> = std::sync::OnceLock::new();
    TEMPLATES.get_or_init(cause_templates)
}

/// Firefox's Local Network Access lines (a refusal: not `auto_allow`) and
/// its ORB lines, as `engine::messages` renders them.
fn cause_templates() -> Vec<CauseTemplate> {
    let holes = |rendered: String| {
        split_template(
            &rendered
                .replace(TARGET_PLACEHOLDER, &mark(Hole::Url))
                .replace(HOST_PORT_PLACEHOLDER, &mark(Hole::Value))
                .replace(PAGE_PLACEHOLDER, &mark(Hole::PageUrl)),
        )
    };
    let mut all = Vec::new();
    let mut push = |rendered: String, cause| {
        all.push(CauseTemplate {
            pieces: holes(rendered),
            browser: Browser::Firefox,
            cause,
        })
    };
    for via in ["fetch", "xhr", "http"] {
        for secure in [true, false] {
            let (page, target) = (PAGE_PLACEHOLDER, TARGET_PLACEHOLDER);
            push(
                firefox_lna_permission_required(page, target, via, secure),
                Cause::LocalNetworkAccess,
            );
            for action in ["prompt_deny", "auto_deny"] {
                push(
                    firefox_lna_detected(page, target, via, secure, action),
                    Cause::LocalNetworkAccess,
                );
            }
        }
    }
    // Chromium's mixed-content block for the APIs the typed templates leave
    // out (they cover fetch and XHR): EventSource, WebSocket, script,
    // stylesheet. Its sentence is the line; the WebSocket's exception is not.
    let (url, page_url) = (mark(Hole::Url), mark(Hole::PageUrl));
    let mut chrome_lines = Vec::new();
    for api in [
        Api::Eventsource,
        Api::Websocket,
        Api::Script,
        Api::Stylesheet,
    ] {
        let context = MessageContext {
            api,
            url: &url,
            initial_url: &url,
            origin: "",
            page_url: &page_url,
            on_followed_redirect: false,
            status: None,
            method: "GET",
            mode: crate::scenario::Mode::Cors,
            sent_origin: None,
            redirect_to: None,
            script_headers: &[],
        };
        let failure = Failure::MixedContentBlocked {
            page_url: page_url.clone(),
        };
        for line in render(&failure, &context, Browser::Chrome).console {
            chrome_lines.push(line);
        }
    }
    let mime = String::new();
    for reason in [
        OrbReason::NeverSniffed { mime: mime.clone() },
        OrbReason::Nosniff { mime: mime.clone() },
        OrbReason::NotJavaScript { mime },
    ] {
        for line in firefox_orb_lines(TARGET_PLACEHOLDER, &reason) {
            push(line, Cause::Orb);
        }
    }
    all.extend(chrome_lines.iter().map(|line| CauseTemplate {
        pieces: split_template(line),
        browser: Browser::Chrome,
        cause: Cause::MixedContent,
    }));
    all
}

/// Reads a line of a [`CauseTemplate`], or `None`.
pub(in crate::diagnose) fn recognise_by_cause(line: &str) -> Option<CauseLine> {
    cached_cause_templates().iter().find_map(|template| {
        let captures = match_template(&template.pieces, line)?;
        let get = |hole: Hole| {
            captures
                .iter()
                .find(|(h, _)| *h == hole)
                .map(|(_, v)| v.clone())
        };
        Some(CauseLine {
            browser: template.browser,
            cause: template.cause,
            url: get(Hole::Url),
            origin: get(Hole::PageUrl).and_then(|page| {
                let origin = url::Url::parse(&page).ok()?.origin();
                origin.is_tuple().then(|| origin.ascii_serialization())
            }),
        })
    })
}
