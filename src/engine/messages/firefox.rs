//! Firefox's console lines, from `security.properties`.

use super::*;

const PREFIX: &str =
    "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at";

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

/// Gecko's mixed-content refusal (`BlockMixedActiveContent`, observed in
/// Firefox ESR 153: FINDINGS-beyond-cors.md §3, finding-o-mixed-content.json):
/// EventSource adds its own line, and a WebSocket prints nothing but throws
/// from its constructor.
fn mixed_content(context: &MessageContext<'_>, js_error: Option<String>) -> Rendered {
    let url = context.url;
    match context.api {
        Api::Websocket => Rendered {
            console: Vec::new(),
            js_error: Some("SecurityError: The operation is insecure.".to_owned()),
        },
        api => {
            let mut console = vec![format!(
                "Blocked loading mixed active content \u{201C}{url}\u{201D}"
            )];
            if api == Api::Eventsource {
                console.push(cannot_connect(url));
            }
            Rendered { console, js_error }
        }
    }
}

pub(super) fn render(failure: &Failure, context: &MessageContext<'_>) -> Rendered {
    let url = context.url;
    let js_error = (context.api == Api::Fetch)
        .then(|| "TypeError: NetworkError when attempting to fetch resource.".to_owned());
    match failure {
        Failure::MixedContentBlocked { .. } => return mixed_content(context, js_error),
        // An aborted request prints nothing (observed in Firefox ESR 153).
        Failure::PageTimeout { .. } => {
            return Rendered {
                console: Vec::new(),
                js_error: (context.api == Api::Fetch)
                    .then(|| "TimeoutError: The operation timed out.".to_owned()),
            }
        }
        _ => {}
    }
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
    // After a failed preflight, the cancelled request adds "CORS request did
    // not succeed": after a preflight whose connection failed too, so the
    // line comes twice (observed: finding-n-network-kinds.json request 8).
    if failure.is_preflight_failure() && !matches!(failure, Failure::PageTimeout { .. }) {
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
