//! Console lines of the failures that look like CORS but are not, beyond
//! the typed templates of `console`: the lines `engine::messages` renders
//! for `diagnose` only (Firefox's parent-process Local Network Access and
//! ORB lines, Chromium's mixed-content block of the APIs other than fetch
//! and XHR), read through `console`'s templates, and the two wordings the
//! engine does not render at all, matched here. A line the typed templates
//! recognise wins over these.
//!
//! The two hard-coded ones: Chrome's Private Network Access line (Chrome
//! before Local Network Access, still pasted from Q&A sites) and WebKit's
//! redirect refusal, whose reason varies with the failure the redirect met.

use super::console::recognise_by_cause;
use crate::engine::Cause;
use crate::scenario::Browser;

/// What a line of this kind says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BeyondLine {
    /// Which browser prints it.
    pub(crate) browser: Browser,
    /// The family.
    pub(crate) cause: Cause,
    /// The request's URL.
    pub(crate) url: Option<String>,
    /// The page's origin, when the line names the page.
    pub(crate) origin: Option<String>,
}

/// The text between `open` (after `after`) and the next `close`.
fn between<'a>(line: &'a str, after: &str, open: &str, close: &str) -> Option<&'a str> {
    let start = line.find(after)? + after.len();
    let rest = line.get(start..)?;
    let from = rest.find(open)? + open.len();
    let rest = rest.get(from..)?;
    rest.get(..rest.find(close)?)
}

/// Chromium's CORS frame: `Access to X at 'URL' … from origin 'O' has been blocked by CORS policy: `.
fn chrome_frame(line: &str) -> (Option<String>, Option<String>) {
    let url = between(line, "Access to ", " at '", "'").map(str::to_owned);
    let origin = between(line, "from origin ", "'", "'").map(str::to_owned);
    (url, origin)
}

/// Chrome's Private Network Access refusal (Chrome 104–141), which Local
/// Network Access replaced: not rendered by the engine.
const PRIVATE_NETWORK_ACCESS: &str =
    "header was present in the preflight response for this private network request targeting the `";

/// Recognises one line, or `None`.
pub(crate) fn recognise_beyond(line: &str) -> Option<BeyondLine> {
    if let Some(found) = recognise_by_cause(line) {
        return Some(BeyondLine {
            browser: found.browser,
            cause: found.cause,
            url: found.url,
            origin: found.origin,
        });
    }
    if line.contains("has been blocked by CORS policy: ") && line.contains(PRIVATE_NETWORK_ACCESS) {
        let (url, origin) = chrome_frame(line);
        return Some(BeyondLine {
            browser: Browser::Chrome,
            cause: Cause::LocalNetworkAccess,
            url,
            origin,
        });
    }
    // WebKit's redirect refusal.
    let url = between(
        line,
        "Cross-origin redirection to ",
        "",
        " denied by Cross-Origin Resource Sharing policy",
    )?;
    Some(BeyondLine {
        browser: Browser::Safari,
        cause: Cause::Redirect,
        url: Some(url.to_owned()),
        origin: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_content_of_other_apis_is_read_from_the_engines_wording() {
        let chrome = "Mixed Content: The page at 'https://app.test/page' was loaded over HTTPS, but requested an insecure EventSource endpoint 'http://api.test:8081/sse'. This request has been blocked; the content must be served over HTTPS.";
        let found = recognise_beyond(chrome).expect("chrome");
        assert_eq!(found.cause, Cause::MixedContent);
        assert_eq!(found.url.as_deref(), Some("http://api.test:8081/sse"));
    }

    #[test]
    fn an_upgraded_image_is_not_a_block() {
        let upgraded = "Mixed Content: The page at 'https://a.test/' was loaded over HTTPS, but requested an insecure element 'http://b.test/x.png'. This request was automatically upgraded to HTTPS, For more information see https://blog.chromium.org/2019/10/no-more-mixed-messages-about-https.html";
        assert_eq!(recognise_beyond(upgraded), None);
    }

    #[test]
    fn firefox_lna_lines_come_from_the_engines_renderers() {
        let line = crate::engine::messages::firefox_lna_detected(
            "http://127.0.0.2:8000/page",
            "http://127.0.0.1:8001/x",
            "xhr",
            false,
            "auto_deny",
        );
        let found = recognise_beyond(&line).expect("recognised");
        assert_eq!(found.cause, Cause::LocalNetworkAccess);
        assert_eq!(found.url.as_deref(), Some("http://127.0.0.1:8001/x"));
        assert_eq!(found.origin.as_deref(), Some("http://127.0.0.2:8000"));
        // A granted request is no failure.
        let allowed = line.replace("auto_deny", "auto_allow");
        assert_eq!(recognise_beyond(&allowed), None);
    }
}
