//! Console lines of the failures that look like CORS but are not, for the
//! wordings `engine::messages` does not render: each one is read for its
//! URL and page, and names its [`Cause`]. A wording the engine renders is
//! recognised by `console`'s templates instead (and wins over these).
//!
//! Every string is the browser's own, as observed in Chromium 156 and
//! Firefox ESR 153 (`tests/verify-fixtures/FINDINGS-beyond-cors.md`) or
//! quoted from WebKit's sources and layout-test expectations for Safari.

use url::Url;

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

fn origin_of(url: &str) -> Option<String> {
    let origin = Url::parse(url).ok()?.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

/// Chromium's CORS frame: `Access to X at 'URL' … from origin 'O' has been blocked by CORS policy: `.
fn chrome_frame(line: &str) -> (Option<String>, Option<String>) {
    let url = between(line, "Access to ", " at '", "'").map(str::to_owned);
    let origin = between(line, "from origin ", "'", "'").map(str::to_owned);
    (url, origin)
}

/// Recognises one line, or `None`.
pub(crate) fn recognise_beyond(line: &str) -> Option<BeyondLine> {
    let make = |browser, cause, url: Option<&str>, origin: Option<String>| BeyondLine {
        browser,
        cause,
        url: url.map(str::to_owned),
        origin,
    };
    // Chromium's mixed-content block (`source: "security"`) for the APIs
    // whose wording `console`'s templates do not cover (they render fetch
    // and XHR only): EventSource, WebSocket, script.
    if line.contains("Mixed Content: The page at '")
        && line.contains("This request has been blocked")
    {
        let page = between(line, "The page at ", "'", "'");
        let url = between(line, "requested an insecure ", "'", "'")
            .or_else(|| between(line, "the insecure WebSocket endpoint ", "'", "'"));
        return Some(make(
            Browser::Chrome,
            Cause::MixedContent,
            url,
            page.and_then(origin_of),
        ));
    }
    // Chromium's Local Network Access refusals, printed as CORS lines.
    const LNA: [&str; 4] = [
        "Permission was denied for this request to access the `",
        "The request client is not a secure context and the resource is in more-private address space `",
        "Request had a target IP address space of `",
        // Chrome before Local Network Access (Private Network Access).
        "header was present in the preflight response for this private network request targeting the `",
    ];
    if line.contains("has been blocked by CORS policy: ") && LNA.iter().any(|l| line.contains(l)) {
        let (url, origin) = chrome_frame(line);
        return Some(make(
            Browser::Chrome,
            Cause::LocalNetworkAccess,
            url.as_deref(),
            origin,
        ));
    }
    // Firefox (`necko.properties` of 153.8.0esr).
    for prefix in [
        "Local Network Access permission required: ",
        "Local Network Access detected: ",
    ] {
        if line.contains(prefix) && !line.contains("prompt action: auto_allow") {
            let initiator = between(line, "initiator ", "\u{201C}", "\u{201D}");
            let url = between(line, "target ", "\u{201C}", "\u{201D}");
            return Some(make(
                Browser::Firefox,
                Cause::LocalNetworkAccess,
                url,
                initiator.and_then(origin_of),
            ));
        }
    }
    if line.contains("was blocked due to its Cross-Origin-Resource-Policy header") {
        let url = between(line, "The resource at ", "\u{201C}", "\u{201D}");
        return Some(make(Browser::Firefox, Cause::Corp, url, None));
    }
    if line.contains("was blocked by OpaqueResponseBlocking") {
        let url = between(line, "The resource at ", "\u{201C}", "\u{201D}");
        return Some(make(Browser::Firefox, Cause::Orb, url, None));
    }
    // WebKit's CORP check and redirect refusal.
    if let Some(url) = between(
        line,
        "Cancelled load to ",
        "",
        " because it violates the resource's Cross-Origin-Resource-Policy",
    ) {
        return Some(make(Browser::Safari, Cause::Corp, Some(url), None));
    }
    if let Some(url) = between(
        line,
        "Cross-origin redirection to ",
        "",
        " denied by Cross-Origin Resource Sharing policy",
    ) {
        return Some(make(Browser::Safari, Cause::Redirect, Some(url), None));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_content_in_each_browser() {
        let chrome = "Mixed Content: The page at 'https://app.test/page' was loaded over HTTPS, but requested an insecure resource 'http://api.test:8081/ok'. This request has been blocked; the content must be served over HTTPS.";
        let found = recognise_beyond(chrome).expect("chrome");
        assert_eq!(found.cause, Cause::MixedContent);
        assert_eq!(found.url.as_deref(), Some("http://api.test:8081/ok"));
        assert_eq!(found.origin.as_deref(), Some("https://app.test"));
    }

    #[test]
    fn an_upgraded_image_is_not_a_block() {
        let upgraded = "Mixed Content: The page at 'https://a.test/' was loaded over HTTPS, but requested an insecure element 'http://b.test/x.png'. This request was automatically upgraded to HTTPS, For more information see https://blog.chromium.org/2019/10/no-more-mixed-messages-about-https.html";
        assert_eq!(recognise_beyond(upgraded), None);
    }
}
