//! Console lines and script errors, rendered per browser from a typed
//! [`Failure`], as Chromium renders its `CorsError` in `cors_error_string.cc`.
//!
//! Chromium's strings are checked against real Chromium by the verify test;
//! Firefox's come from `security.properties` and Safari's from WebKit's source
//! (see `../shared/research/console-messages.md`).

use serde::Serialize;

use super::csp::{gecko_directive_text, CspViolation};
use super::failure::{CorsError, Failure, Phase};
use super::request::BuildNote;
use crate::scenario::{Api, Browser, Mode, Outcome};

/// What a message needs besides the failure itself.
#[derive(Debug, Clone)]
pub struct MessageContext<'a> {
    /// Which script API made the call.
    pub api: Api,
    /// The URL that failed (the last one of a redirect chain).
    pub url: &'a str,
    /// The URL the script asked for.
    pub initial_url: &'a str,
    /// The page's serialized origin.
    pub origin: &'a str,
    /// The page's URL (its origin with path `/`; the origin itself when opaque).
    pub page_url: &'a str,
    /// Whether the response that failed was a redirect the request was following.
    pub on_followed_redirect: bool,
    /// The status of the response that failed, if there was one.
    pub status: Option<u16>,
    /// The method as sent.
    pub method: &'a str,
    /// The request's mode (`no-cors` for an element without `crossorigin`).
    pub mode: Mode,
}

/// The console lines and the script's exception for one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rendered {
    /// Console lines, in order.
    pub console: Vec<String>,
    /// The exception the script sees (`None` for async XHR, which fires `error`).
    pub js_error: Option<String>,
}

/// Console lines for a request the script receives.
pub fn success_console(browser: Browser, outcome: Outcome, status: Option<u16>) -> Vec<String> {
    match (browser, outcome, status) {
        // Browser: Chromium reports an error status even when CORS allowed the
        // response; Firefox and Safari print nothing for it.
        (Browser::Chrome, Outcome::Allowed, Some(status)) if status >= 400 => {
            vec![format!(
                "Failed to load resource: the server responded with a status of {status} ({})",
                super::server::reason_phrase(status)
            )]
        }
        _ => Vec::new(),
    }
}

/// Console lines printed while the script builds the request: Chromium and
/// WebKit warn when `setRequestHeader` is refused a forbidden header (fetch's
/// `Headers` drops it silently).
pub fn build_console(notes: &[BuildNote], api: Api, browser: Browser) -> Vec<String> {
    if api != Api::Xhr || browser == Browser::Firefox {
        return Vec::new();
    }
    notes
        .iter()
        .filter_map(|note| match note {
            BuildNote::ForbiddenHeaderDropped { name } => {
                Some(format!("Refused to set unsafe header \"{name}\""))
            }
            _ => None,
        })
        .collect()
}

/// Renders `failure` as `browser` prints it.
pub fn render(failure: &Failure, context: &MessageContext<'_>, browser: Browser) -> Rendered {
    match browser {
        Browser::Chrome => chrome::render(failure, context),
        Browser::Firefox => firefox::render(failure, context),
        Browser::Safari => safari::render(failure, context),
    }
}

/// EventSource's own lines when it refuses a response, the same text in
/// Chromium 156 (observed) and WebKit (`EventSource::responseIsValid`: nothing
/// for a status other than 200, so only the failed-load line).
fn event_stream_refusal(failure: &Failure) -> Option<String> {
    match failure {
        Failure::EventStreamStatus { status } => Some(format!(
            "Failed to load resource: the server responded with a status of {status} ({})",
            crate::engine::server::reason_phrase(*status)
        )),
        Failure::EventStreamMimeType { mime } => Some(format!(
            "EventSource's response has a MIME type (\"{mime}\") that is not \"text/event-stream\". Aborting the connection."
        )),
        _ => None,
    }
}

mod chrome {
    use super::*;

    /// `Resource::ResourceTypeToString` for the initiator, lower-cased when its
    /// second character is lower-case: `fetch`, `XMLHttpRequest`.
    fn kind(api: Api) -> &'static str {
        match api {
            Api::Fetch => "fetch",
            Api::Xhr => "XMLHttpRequest",
            Api::Img => "image",
            Api::Script => "script",
            // Kept as is: its second character is upper-case.
            Api::Stylesheet => "CSS stylesheet",
            // Chromium names no initiator for EventSource (observed in Chromium 156).
            Api::Eventsource => "resource",
            // Never printed: forms and sockets have no CORS check.
            Api::Form => "document",
            Api::Websocket => "websocket",
        }
    }

    const XHR_CREDENTIALS_HINT: &str =
        " The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute.";
    const PREFLIGHT_PREFIX: &str =
        "Response to preflight request doesn't pass access control check: ";

    fn cors_reason(error: &CorsError, api: Api) -> String {
        let fetch_hint = if api == Api::Fetch {
            " Have the server send the header with a valid value."
        } else {
            ""
        };
        let xhr_hint = if api == Api::Xhr {
            XHR_CREDENTIALS_HINT
        } else {
            ""
        };
        match error {
            CorsError::MissingAllowOrigin => {
                "No 'Access-Control-Allow-Origin' header is present on the requested resource.".to_owned()
            }
            CorsError::WildcardOriginNotAllowed => format!(
                "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.{xhr_hint}"
            ),
            CorsError::MultipleAllowOriginValues { value, .. } => format!(
                "The 'Access-Control-Allow-Origin' header contains multiple values '{value}', but only one is allowed.{fetch_hint}"
            ),
            CorsError::InvalidAllowOriginValue { value } => {
                format!("The 'Access-Control-Allow-Origin' header contains the invalid value '{value}'.{fetch_hint}")
            }
            CorsError::AllowOriginMismatch { value } => format!(
                "The 'Access-Control-Allow-Origin' header has a value '{value}' that is not equal to the supplied origin.{fetch_hint}"
            ),
            CorsError::InvalidAllowCredentials { value } => format!(
                "The value of the 'Access-Control-Allow-Credentials' header in the response is '{value}' which must be 'true' when the request's credentials mode is 'include'.{xhr_hint}"
            ),
        }
    }

    /// The reason after "has been blocked by CORS policy: ", or `None` when
    /// Chromium prints no CORS line for this failure.
    fn reason(failure: &Failure, api: Api) -> Option<String> {
        Some(match failure {
            Failure::Cors { phase: Phase::Actual, error } => cors_reason(error, api),
            Failure::Cors { phase: Phase::Preflight, error } => format!("{PREFLIGHT_PREFIX}{}", cors_reason(error, api)),
            Failure::PreflightInvalidStatus { .. } => format!("{PREFLIGHT_PREFIX}It does not have HTTP ok status."),
            Failure::PreflightRedirect { .. } => format!("{PREFLIGHT_PREFIX}Redirect is not allowed for a preflight request."),
            Failure::InvalidAllowMethods { .. } => {
                "Cannot parse Access-Control-Allow-Methods response header field in preflight response.".to_owned()
            }
            Failure::InvalidAllowHeaders { .. } => {
                "Cannot parse Access-Control-Allow-Headers response header field in preflight response.".to_owned()
            }
            Failure::MethodNotAllowed { method } => {
                format!("Method {method} is not allowed by Access-Control-Allow-Methods in preflight response.")
            }
            Failure::HeaderNotAllowed { header } => {
                format!("Request header field {header} is not allowed by Access-Control-Allow-Headers in preflight response.")
            }
            // Chromium passes no hint for this error, so the quoted location is
            // empty, and the line names the URL that redirected (observed in Chromium 156).
            Failure::RedirectContainsCredentials { .. } => {
                "Redirect location '' contains a username and password, which is disallowed for cross-origin requests.".to_owned()
            }
            Failure::SameOriginModeCrossOrigin { after_redirect: true } => {
                "Cross origin requests are not allowed by request mode.".to_owned()
            }
            _ => return None,
        })
    }

    fn thrown(failure: &Failure, context: &MessageContext<'_>) -> Option<String> {
        let fetch =
            |text: String| format!("TypeError: Failed to execute 'fetch' on 'Window': {text}");
        let open = |kind: &str, text: String| {
            format!("{kind}: Failed to execute 'open' on 'XMLHttpRequest': {text}")
        };
        let set = |text: String| {
            format!("SyntaxError: Failed to execute 'setRequestHeader' on 'XMLHttpRequest': {text}")
        };
        Some(match (failure, context.api) {
            (Failure::InvalidUrl { url }, Api::Fetch) => {
                fetch(format!("Failed to parse URL from {url}"))
            }
            (Failure::InvalidUrl { .. }, Api::Xhr) => open("SyntaxError", "Invalid URL".to_owned()),
            (Failure::InvalidMethod { method }, Api::Fetch) => {
                fetch(format!("'{method}' is not a valid HTTP method."))
            }
            (Failure::InvalidMethod { method }, Api::Xhr) => open(
                "SyntaxError",
                format!("'{method}' is not a valid HTTP method."),
            ),
            (Failure::ForbiddenMethod { method }, Api::Fetch) => {
                fetch(format!("'{method}' HTTP method is unsupported."))
            }
            (Failure::ForbiddenMethod { method }, Api::Xhr) => open(
                "SecurityError",
                format!("'{method}' HTTP method is unsupported."),
            ),
            (Failure::NoCorsMethod { method }, _) => {
                fetch(format!("'{method}' is unsupported in no-cors mode."))
            }
            (Failure::InvalidHeaderName { .. }, Api::Fetch) => fetch("Invalid name".to_owned()),
            (Failure::InvalidHeaderName { name }, Api::Xhr) => {
                set(format!("'{name}' is not a valid HTTP header field name."))
            }
            (Failure::InvalidHeaderValue { .. }, Api::Fetch) => fetch("Invalid value".to_owned()),
            (Failure::InvalidHeaderValue { value, .. }, Api::Xhr) => {
                set(format!("'{value}' is not a valid HTTP header field value."))
            }
            (Failure::BodyWithGetOrHead, _) => {
                fetch("Request with GET/HEAD method cannot have body.".to_owned())
            }
            _ => return None,
        })
    }

    /// The lines of the extension APIs' own failures (observed in Chromium 156).
    fn extension_lines(failure: &Failure, context: &MessageContext<'_>) -> Option<Vec<String>> {
        // For a bad status Chromium prints only the failed load, no EventSource line.
        if let Some(line) = event_stream_refusal(failure) {
            return Some(vec![line]);
        }
        Some(match failure {
            Failure::WebSocketHandshake { status } => vec![format!(
                "WebSocket connection to '{}' failed: Error during WebSocket handshake: Unexpected response code: {status}",
                context.url
            )],
            // Observed: finding-l-extension-kinds.json request 9.
            Failure::ConnectionFailed { .. } if context.api == Api::Websocket => vec![format!(
                "WebSocket connection to '{}' failed: Connection closed before receiving a handshake response",
                context.url
            )],
            _ => return None,
        })
    }

    /// Blink's CSP violation line (observed in Chromium 156): what was
    /// refused, the directive as written, the fallback note, then "The
    /// action has been blocked."
    fn csp_violation_line(violation: &CspViolation, url: &str) -> String {
        let action = match violation.effective_directive.as_str() {
            "connect-src" => format!("Connecting to '{url}'"),
            "img-src" => format!("Loading the image '{url}'"),
            "script-src-elem" => format!("Loading the script '{url}'"),
            "style-src-elem" => format!("Loading the stylesheet '{url}'"),
            // Not modelled: other effective directives (no request kind uses them yet).
            other => format!("Loading '{url}' ({other})"),
        };
        let directive = violation.directive_text();
        let note = if violation.directive == violation.effective_directive {
            String::new()
        } else {
            format!(
                " Note that '{}' was not explicitly set, so '{}' is used as a fallback.",
                violation.effective_directive, violation.directive
            )
        };
        format!("{action} violates the following Content Security Policy directive: \"{directive}\".{note} The action has been blocked.")
    }

    /// One line per violated policy; `fetch()` adds its own line, and no
    /// `Failed to load resource` follows (observed in Chromium 156).
    fn csp_lines(violations: &[CspViolation], context: &MessageContext<'_>) -> Vec<String> {
        let mut console: Vec<String> = violations
            .iter()
            .map(|v| csp_violation_line(v, context.url))
            .collect();
        if context.api == Api::Fetch {
            console.push(format!(
                "Fetch API cannot load {}. Refused to connect because it violates the document's Content Security Policy.",
                context.url
            ));
        }
        console
    }

    pub(super) fn render(failure: &Failure, context: &MessageContext<'_>) -> Rendered {
        if failure.is_thrown_by_script_api() {
            return Rendered {
                console: Vec::new(),
                js_error: thrown(failure, context),
            };
        }
        if let Failure::CspBlocked { violations } = failure {
            return Rendered {
                console: csp_lines(violations, context),
                js_error: (context.api == Api::Fetch)
                    .then(|| "TypeError: Failed to fetch".to_owned()),
            };
        }
        if let Some(console) = extension_lines(failure, context) {
            return Rendered {
                console,
                js_error: None,
            };
        }
        let mut console = Vec::new();
        match failure {
            Failure::SameOriginModeCrossOrigin { after_redirect: false } => console.push(format!(
                "Fetch API cannot load {}. Request mode is \"same-origin\" but the URL's origin is not same as the request origin {}.",
                context.url, context.origin
            )),
            Failure::NoCorsRedirectNotFollow => console.push(format!(
                "Fetch API cannot load {}. Request mode is \"no-cors\" but the redirect mode is not \"follow\".",
                context.url
            )),
            Failure::UnsupportedScheme { scheme } => console.push(format!(
                "Fetch API cannot load {}. URL scheme \"{scheme}\" is not supported.",
                context.url
            )),
            _ => {}
        }
        if let Some(reason) = reason(failure, context.api) {
            let redirected = if context.url == context.initial_url {
                String::new()
            } else {
                format!("(redirected from '{}') ", context.initial_url)
            };
            console.push(format!(
                "Access to {} at '{}' {redirected}from origin '{}' has been blocked by CORS policy: {reason}",
                kind(context.api),
                context.url,
                context.origin
            ));
        }
        let net_error = match failure {
            Failure::ConnectionFailed { .. } => "net::ERR_EMPTY_RESPONSE",
            Failure::TooManyRedirects => "net::ERR_TOO_MANY_REDIRECTS",
            Failure::InvalidRedirectLocation { .. } => "net::ERR_UNSAFE_REDIRECT",
            _ => "net::ERR_FAILED",
        };
        let announced_by_fetch_api = matches!(
            failure,
            Failure::SameOriginModeCrossOrigin {
                after_redirect: false
            } | Failure::NoCorsRedirectNotFollow
                | Failure::UnsupportedScheme { .. }
        );
        if !announced_by_fetch_api {
            console.push(format!("Failed to load resource: {net_error}"));
        }
        let js_error = (context.api == Api::Fetch).then(|| "TypeError: Failed to fetch".to_owned());
        Rendered { console, js_error }
    }
}

mod firefox {
    use super::*;

    const PREFIX: &str = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at";

    fn line(url: &str, reason: &str) -> String {
        format!("{PREFIX} {url}. (Reason: {reason}")
    }

    fn status(context: &MessageContext<'_>) -> String {
        context
            .status
            .map_or_else(|| "(null)".to_owned(), |s| s.to_string())
    }

    fn cors_line(error: &CorsError, context: &MessageContext<'_>) -> String {
        let url = context.url;
        match error {
            CorsError::MissingAllowOrigin => format!(
                "{}. Status code: {}.",
                line(url, "CORS header \u{2018}Access-Control-Allow-Origin\u{2019} missing)"),
                status(context)
            ),
            CorsError::MultipleAllowOriginValues { lines, value } if *lines > 1 || value.is_empty() => {
                format!("{}.", line(url, "Multiple CORS header \u{2018}Access-Control-Allow-Origin\u{2019} not allowed)"))
            }
            CorsError::MultipleAllowOriginValues { value, .. }
            | CorsError::InvalidAllowOriginValue { value }
            | CorsError::AllowOriginMismatch { value } => format!(
                "{}.",
                line(url, &format!("CORS header \u{2018}Access-Control-Allow-Origin\u{2019} does not match \u{2018}{value}\u{2019})"))
            ),
            CorsError::WildcardOriginNotAllowed => format!(
                "{PREFIX} \u{2018}{url}\u{2019}. (Reason: Credential is not supported if the CORS header \u{2018}Access-Control-Allow-Origin\u{2019} is \u{2018}*\u{2019})."
            ),
            CorsError::InvalidAllowCredentials { .. } => format!(
                "{}.",
                line(url, "expected \u{2018}true\u{2019} in CORS header \u{2018}Access-Control-Allow-Credentials\u{2019})")
            ),
        }
    }

    pub(super) fn render(failure: &Failure, context: &MessageContext<'_>) -> Rendered {
        let url = context.url;
        let js_error = (context.api == Api::Fetch)
            .then(|| "TypeError: NetworkError when attempting to fetch resource.".to_owned());
        if failure.is_thrown_by_script_api() {
            return Rendered {
                console: Vec::new(),
                js_error: Some(firefox_thrown(failure, context)),
            };
        }
        let did_not_succeed = format!(
            "{}. Status code: (null).",
            line(url, "CORS request did not succeed)")
        );
        if let Failure::CspBlocked { violations } = failure {
            return csp_rendered(violations, context, js_error);
        }
        if let Some(console) = extension_lines(failure, context) {
            return Rendered {
                console,
                js_error: None,
            };
        }
        let mut console = Vec::new();
        match failure {
            Failure::Cors { error, .. } => console.push(cors_line(error, context)),
            Failure::PreflightInvalidStatus { .. } => console.push(format!(
                "{}. Status code: {}.",
                line(url, "CORS preflight response did not succeed)"),
                status(context)
            )),
            // Firefox 153 also reports the redirect's status as a failed preflight
            // (observed: finding-a-preflight-errors.json request 2).
            Failure::PreflightRedirect { status } => {
                console.push(format!("{}.", line(url, "CORS request external redirect not allowed)")));
                console.push(format!(
                    "{}. Status code: {status}.",
                    line(url, "CORS preflight response did not succeed)")
                ));
            }
            Failure::InvalidAllowMethods { token, .. } => console.push(format!(
                "{}.",
                line(url, &format!("invalid token \u{2018}{token}\u{2019} in CORS header \u{2018}Access-Control-Allow-Methods\u{2019})"))
            )),
            Failure::InvalidAllowHeaders { token, .. } => console.push(format!(
                "{}.",
                line(url, &format!("invalid token \u{2018}{token}\u{2019} in CORS header \u{2018}Access-Control-Allow-Headers\u{2019})"))
            )),
            Failure::MethodNotAllowed { .. } => console.push(format!(
                "{}.",
                line(url, "Did not find method in CORS header \u{2018}Access-Control-Allow-Methods\u{2019})")
            )),
            Failure::HeaderNotAllowed { header } => console.push(format!(
                "{}.",
                line(url, &format!("header \u{2018}{header}\u{2019} is not allowed according to header \u{2018}Access-Control-Allow-Headers\u{2019} from CORS preflight response)"))
            )),
            // Only a CORS request has the listener that prints this: an element
            // without crossorigin (no-cors) fails silently (observed:
            // finding-l-extension-kinds.json requests 3 and 11).
            Failure::ConnectionFailed { .. } if context.mode == Mode::NoCors => {}
            Failure::ConnectionFailed { .. } => console.push(did_not_succeed.clone()),
            // Firefox 153 cancels the redirect like a failed connection, naming the
            // redirecting URL (observed: redirect-with-credentials-in-url.json).
            Failure::RedirectContainsCredentials { .. } => console.push(did_not_succeed.clone()),
            // Observed: finding-g-mode-errors.json request 0 (the page at `/`).
            Failure::SameOriginModeCrossOrigin { after_redirect: false } => console.push(format!(
                "Security Error: Content at {} may not load data from {url}.",
                context.page_url
            )),
            _ => {}
        }
        // A redirect refused by the CORS check cancels the request it was
        // following, which adds "CORS request did not succeed" (observed:
        // wpt-redirect-origin-remote-to-local.json requests 6 and 7).
        if context.on_followed_redirect
            && matches!(
                failure,
                Failure::Cors {
                    phase: Phase::Actual,
                    ..
                }
            )
        {
            console.push(did_not_succeed.clone());
        }
        // After a failed preflight, the cancelled request adds "CORS request did not succeed".
        if failure.is_preflight_failure() && !matches!(failure, Failure::ConnectionFailed { .. }) {
            console.push(did_not_succeed);
        }
        // EventSource reports every failed connection once more in its own words
        // (observed: server-sent-events-use-cors.json request 0).
        if context.api == Api::Eventsource {
            console.push(cannot_connect(url));
        }
        Rendered { console, js_error }
    }

    /// A request the page's CSP refused (observed in Firefox ESR 153:
    /// finding-k-csp-*.json): one line per violated policy, worded by what was
    /// refused; EventSource first says it could not connect, and the
    /// WebSocket constructor throws.
    fn csp_rendered(
        violations: &[CspViolation],
        context: &MessageContext<'_>,
        js_error: Option<String>,
    ) -> Rendered {
        let url = context.url;
        let mut console = Vec::new();
        if context.api == Api::Eventsource {
            console.push(cannot_connect(url));
        }
        for violation in violations {
            let (what, effect) = match violation.effective_directive.as_str() {
                "script-src-elem" => ("a script", " from being executed"),
                "style-src-elem" => ("a style", " from being applied"),
                _ => ("the loading of a resource", ""),
            };
            console.push(format!(
                "Content-Security-Policy: The page\u{2019}s settings blocked {what} ({}) at {url}{effect} because it violates the following directive: \u{201C}{}\u{201D}",
                violation.effective_directive,
                gecko_directive_text(&violation.directive, &violation.value)
            ));
        }
        let js_error = match context.api {
            Api::Websocket => Some("NS_ERROR_CONTENT_BLOCKED: ".to_owned()),
            _ => js_error,
        };
        Rendered { console, js_error }
    }

    /// Gecko's `connectionFailure` (appstrings.properties), which EventSource
    /// and WebSocket print with the URL they could not open. (EventSource
    /// prints `netInterrupt` instead for a connection lost once open, which
    /// the engine never models: its streams end at once.)
    fn cannot_connect(url: &str) -> String {
        format!("Firefox can\u{2019}t establish a connection to the server at {url}.")
    }

    /// The lines of the extension APIs' own failures (observed in Firefox ESR
    /// 153: finding-l-extension-kinds.json requests 5, 6, 8 and 9).
    fn extension_lines(failure: &Failure, context: &MessageContext<'_>) -> Option<Vec<String>> {
        let url = context.url;
        Some(match (failure, context.api) {
            // Gecko may print it a second time when the cancelled channel's stop
            // wins a race with the queued failure; verify keeps one (see
            // `verify::observe::console_lines`), as Firefox's console groups repeats.
            (Failure::EventStreamStatus { .. } | Failure::EventStreamMimeType { .. }, _) => {
                vec![cannot_connect(url)]
            }
            (Failure::WebSocketHandshake { .. }, _)
            | (Failure::ConnectionFailed { .. }, Api::Websocket) => vec![cannot_connect(url)],
            _ => return None,
        })
    }

    fn firefox_thrown(failure: &Failure, context: &MessageContext<'_>) -> String {
        let call = match context.api {
            Api::Fetch => "Window.fetch",
            // Not modelled: only fetch() and XHR calls throw; extension APIs never reach here.
            _ => "XMLHttpRequest.open",
        };
        match failure {
            Failure::InvalidUrl { url } => format!("TypeError: {call}: {url} is not a valid URL."),
            Failure::InvalidMethod { method } => {
                format!("TypeError: {call}: Invalid request method {method}.")
            }
            // Observed: finding-i-forbidden.json request 1, finding-firefox.json request 9.
            Failure::ForbiddenMethod { .. } if context.api == Api::Xhr => {
                "SecurityError: The operation is insecure.".to_owned()
            }
            Failure::ForbiddenMethod { method } => {
                format!("TypeError: {call}: Invalid request method {method}.")
            }
            Failure::NoCorsMethod { method } => {
                format!("TypeError: {call}: Invalid request method {method}.")
            }
            // Observed: finding-firefox.json request 5.
            Failure::InvalidHeaderName { .. } if context.api == Api::Xhr => {
                "SyntaxError: Invalid header name.".to_owned()
            }
            // The `[name, value]` pairs convert to ByteStrings before any check
            // (observed: finding-firefox.json requests 8 and 12).
            Failure::InvalidHeaderName { name: text }
            | Failure::InvalidHeaderValue { value: text, .. }
                if context.api == Api::Fetch && first_above_latin1(text).is_some() =>
            {
                let (index, code) = first_above_latin1(text).unwrap_or_default();
                format!(
                    "TypeError: {call}: Cannot convert element of element of sequence<sequence<ByteString>> \
                     branch of (sequence<sequence<ByteString>> or record<ByteString, ByteString>) to ByteString \
                     because the character at index {index} has value {code} which is greater than 255."
                )
            }
            // Observed: invalid-header-name-throws.json, finding-i-forbidden.json request 5.
            Failure::InvalidHeaderName { name } => format!(
                "TypeError: {call}: {} is an invalid header name.",
                gecko_header_name_text(name)
            ),
            Failure::InvalidHeaderValue { value, .. } => {
                format!("TypeError: {call}: {value} is an invalid header value.")
            }
            _ => format!("TypeError: {call}: HEAD or GET Request cannot have a body."),
        }
    }

    /// The first UTF-16 code unit above U+00FF (its index and value), which no ByteString holds.
    fn first_above_latin1(text: &str) -> Option<(usize, u16)> {
        text.encode_utf16()
            .enumerate()
            .find(|(_, unit)| *unit > 0xFF)
    }

    /// How Firefox 153 quotes a refused header name: lower-cased, and its
    /// bytes (each character one Latin-1 byte) read back as UTF-8, so `é`
    /// (byte 0xE9 alone) shows as U+FFFD.
    pub(super) fn gecko_header_name_text(name: &str) -> String {
        let bytes: Vec<u8> = name
            .chars()
            .map(|c| u8::try_from(u32::from(c.to_ascii_lowercase())).unwrap_or(b'?'))
            .collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

mod safari {
    use super::*;

    fn cors_reason(error: &CorsError, context: &MessageContext<'_>) -> String {
        let status = context.status.unwrap_or(0);
        match error {
            CorsError::WildcardOriginNotAllowed => {
                "Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true."
                    .to_owned()
            }
            CorsError::MultipleAllowOriginValues { value, .. } if value.contains(',') => {
                "Access-Control-Allow-Origin cannot contain more than one origin.".to_owned()
            }
            CorsError::InvalidAllowCredentials { .. } => {
                "Credentials flag is true, but Access-Control-Allow-Credentials is not \"true\"."
                    .to_owned()
            }
            _ => format!(
                "Origin {} is not allowed by Access-Control-Allow-Origin. Status code: {status}",
                context.origin
            ),
        }
    }

    fn reason(failure: &Failure, context: &MessageContext<'_>) -> Option<String> {
        Some(match failure {
            Failure::Cors { error, .. } => cors_reason(error, context),
            Failure::PreflightInvalidStatus { status } | Failure::PreflightRedirect { status } => {
                format!("Preflight response is not successful. Status code: {status}")
            }
            Failure::InvalidAllowMethods { value, .. } => format!("Header Access-Control-Allow-Methods has an invalid value: {value}"),
            Failure::InvalidAllowHeaders { value, .. } => format!("Header Access-Control-Allow-Headers has an invalid value: {value}"),
            Failure::MethodNotAllowed { method } => format!("Method {method} is not allowed by Access-Control-Allow-Methods."),
            Failure::HeaderNotAllowed { header } => format!("Request header field {header} is not allowed by Access-Control-Allow-Headers."),
            Failure::RedirectContainsCredentials { location } => format!(
                "Cross-origin redirection to {location} denied by Cross-Origin Resource Sharing policy: redirection URL {location} has credentials"
            ),
            Failure::SameOriginModeCrossOrigin { .. } => "Cross origin requests are not allowed when using same-origin fetch mode.".to_owned(),
            Failure::RedirectModeError => format!("Not allowed to follow a redirection while loading {}", context.url),
            Failure::TooManyRedirects => "Load cannot follow more than 20 redirections".to_owned(),
            Failure::InvalidRedirectLocation { .. } => "Redirection to URL with a scheme that is not HTTP(S).".to_owned(),
            Failure::UnsupportedScheme { .. } => "Cross origin requests are only supported for HTTP.".to_owned(),
            Failure::ConnectionFailed { .. } => "Could not connect to the server.".to_owned(),
            _ => return None,
        })
    }

    /// WebKit's line for a CSP block, from WebKit's layout-test expectations
    /// (no Safari here to check it). Not modelled: its other lines, if any.
    fn csp_lines(violations: &[CspViolation], url: &str) -> Vec<String> {
        violations
            .iter()
            .map(|v| {
                let verb = if v.effective_directive == "connect-src" { "connect to" } else { "load" };
                let directive = v.effective_directive.trim_end_matches("-elem");
                format!("Refused to {verb} {url} because it does not appear in the {directive} directive of the Content Security Policy.")
            })
            .collect()
    }

    pub(super) fn render(failure: &Failure, context: &MessageContext<'_>) -> Rendered {
        if failure.is_thrown_by_script_api() {
            return Rendered {
                console: Vec::new(),
                js_error: Some("TypeError: Type error".to_owned()),
            };
        }
        if let Failure::CspBlocked { violations } = failure {
            return Rendered {
                console: csp_lines(violations, context.url),
                js_error: (context.api == Api::Fetch).then(|| "TypeError: Load failed".to_owned()),
            };
        }
        if let Some(console) = extension_lines(failure, context) {
            return Rendered {
                console,
                js_error: None,
            };
        }
        // `ThreadableLoader::logError` names the loader; `ImageLoader` has its own
        // line; `<script>` and `<link>` load through `SubresourceLoader`, which adds none.
        let wrapper = match context.api {
            Api::Fetch => Some("Fetch API cannot load"),
            Api::Xhr => Some("XMLHttpRequest cannot load"),
            Api::Eventsource => Some("EventSource cannot load"),
            Api::Img => Some("Cannot load image"),
            // Not modelled: a form's failed navigation and a socket's connection
            // failure (their lines are not in WebCore's loaders).
            Api::Script | Api::Stylesheet | Api::Form | Api::Websocket => None,
        };
        let access_control = failure.is_cors_failure() || failure.is_preflight_failure();
        let mut console = Vec::new();
        if let Some(reason) = reason(failure, context) {
            console.push(reason.clone());
            let ending = if access_control {
                " due to access control checks."
            } else {
                "."
            };
            if let Some(wrapper) = wrapper {
                console.push(format!("{wrapper} {}{ending}", context.url));
            }
            console.push(format!("Failed to load resource: {reason}"));
        }
        let js_error = (context.api == Api::Fetch).then(|| "TypeError: Load failed".to_owned());
        Rendered { console, js_error }
    }

    /// The lines of the extension APIs' own failures, from WebKit's source:
    /// EventSource's refusals (shared with Chromium) and `WebSocketHandshake`.
    fn extension_lines(failure: &Failure, context: &MessageContext<'_>) -> Option<Vec<String>> {
        if let Some(line) = event_stream_refusal(failure) {
            return Some(vec![line]);
        }
        Some(match failure {
            // Not modelled: Safari 15+ opens sockets through NSURLSession, whose
            // failure text may differ from WebCore's handshake reason used here.
            Failure::WebSocketHandshake { status } => vec![format!(
                "WebSocket connection to '{}' failed: Unexpected response code: {status}",
                context.url
            )],
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(api: Api) -> MessageContext<'static> {
        MessageContext {
            api,
            url: "https://b.test/x",
            initial_url: "https://b.test/x",
            origin: "https://a.test",
            page_url: "https://a.test/",
            on_followed_redirect: false,
            status: Some(307),
            method: "GET",
            mode: Mode::Cors,
        }
    }

    #[test]
    fn firefox_event_source_adds_its_connection_failure_line() {
        let failure = Failure::Cors {
            phase: Phase::Actual,
            error: CorsError::MissingAllowOrigin,
        };
        let lines = render(&failure, &context(Api::Eventsource), Browser::Firefox).console;
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[1],
            "Firefox can\u{2019}t establish a connection to the server at https://b.test/x."
        );
        let refused = Failure::EventStreamMimeType {
            mime: "text/plain".into(),
        };
        assert_eq!(
            render(&refused, &context(Api::Eventsource), Browser::Firefox).console,
            [lines[1].clone()]
        );
    }

    #[test]
    fn firefox_says_nothing_when_a_no_cors_element_cannot_connect() {
        let failure = Failure::ConnectionFailed {
            phase: Phase::Actual,
        };
        let mut element = context(Api::Stylesheet);
        element.mode = Mode::NoCors;
        assert!(render(&failure, &element, Browser::Firefox)
            .console
            .is_empty());
        element.mode = Mode::Cors;
        assert_eq!(
            render(&failure, &element, Browser::Firefox).console.len(),
            1
        );
    }

    #[test]
    fn safari_names_the_image_loader_but_not_stylesheets() {
        let failure = Failure::Cors {
            phase: Phase::Actual,
            error: CorsError::MissingAllowOrigin,
        };
        let image = render(&failure, &context(Api::Img), Browser::Safari).console;
        assert_eq!(
            image[1],
            "Cannot load image https://b.test/x due to access control checks."
        );
        let sheet = render(&failure, &context(Api::Stylesheet), Browser::Safari).console;
        assert_eq!(sheet.len(), 2);
        assert!(sheet[0].starts_with("Origin https://a.test is not allowed"));
        assert!(sheet[1].starts_with("Failed to load resource: Origin"));
        let chrome = render(&failure, &context(Api::Stylesheet), Browser::Chrome).console;
        assert!(chrome[0].starts_with("Access to CSS stylesheet at 'https://b.test/x'"));
    }

    #[test]
    fn firefox_quotes_header_names_lower_cased_as_bytes() {
        assert_eq!(firefox::gecko_header_name_text("X Api Key"), "x api key");
        assert_eq!(firefox::gecko_header_name_text("X-Badé"), "x-bad\u{FFFD}");
    }

    #[test]
    fn firefox_reports_a_redirected_preflight_as_three_lines() {
        let failure = Failure::PreflightRedirect { status: 307 };
        let lines = render(&failure, &context(Api::Fetch), Browser::Firefox).console;
        assert_eq!(lines.len(), 3);
        assert!(lines[1]
            .ends_with("(Reason: CORS preflight response did not succeed). Status code: 307."));
        assert!(lines[2].contains("(Reason: CORS request did not succeed)"));
    }

    #[test]
    fn firefox_adds_did_not_succeed_only_after_a_followed_redirect() {
        let failure = Failure::Cors {
            phase: Phase::Actual,
            error: CorsError::MissingAllowOrigin,
        };
        let mut followed = context(Api::Xhr);
        assert_eq!(
            render(&failure, &followed, Browser::Firefox).console.len(),
            1
        );
        followed.on_followed_redirect = true;
        assert_eq!(
            render(&failure, &followed, Browser::Firefox).console.len(),
            2
        );
    }

    #[test]
    fn firefox_fetch_names_the_first_character_no_byte_string_holds() {
        let failure = Failure::InvalidHeaderName {
            name: "Xé€".to_owned(),
        };
        let error = render(&failure, &context(Api::Fetch), Browser::Firefox).js_error;
        assert!(error
            .is_some_and(|e| e
                .ends_with("the character at index 2 has value 8364 which is greater than 255.")));
    }
}
