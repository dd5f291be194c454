//! Safari's console lines, from WebKit's source.

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
        Failure::ConnectionFailed { kind, .. } => connection_error(*kind).to_owned(),
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

/// The error text of a failed connection: the `NSURLError` descriptions
/// Safari's loads report (Apple's Foundation documentation).
/// Not modelled: not observed in Safari here (no Safari on this machine).
fn connection_error(kind: NetworkErrorKind) -> &'static str {
    match kind {
        NetworkErrorKind::Refused => "Could not connect to the server.",
        NetworkErrorKind::Dns => "A server with the specified hostname could not be found.",
        NetworkErrorKind::Tls => {
            "An SSL error has occurred and a secure connection to the server cannot be made."
        }
        NetworkErrorKind::Closed | NetworkErrorKind::Reset => "The network connection was lost.",
        NetworkErrorKind::Timeout => "The request timed out.",
    }
}

/// WebKit's mixed-content refusal (`MixedContentChecker`, wording from its
/// layout-test expectations), then the loader's catch-all line.
fn mixed_content(page_url: &str, context: &MessageContext<'_>) -> Rendered {
    let url = context.url;
    let mut console = vec![format!(
        "[blocked] The page at {page_url} was not allowed to run insecure content from {url}."
    )];
    let wrapper = match context.api {
        Api::Fetch => Some("Fetch API cannot load"),
        Api::Xhr => Some("XMLHttpRequest cannot load"),
        Api::Eventsource => Some("EventSource cannot load"),
        _ => None,
    };
    if let Some(wrapper) = wrapper {
        console.push(format!("{wrapper} {url} due to access control checks."));
    }
    Rendered {
        console,
        js_error: (context.api == Api::Fetch).then(|| "TypeError: Load failed".to_owned()),
    }
}

pub(super) fn render(failure: &Failure, context: &MessageContext<'_>) -> Rendered {
    match failure {
        Failure::MixedContentBlocked { page_url } => return mixed_content(page_url, context),
        // Not modelled: not observed in Safari; WebKit's `AbortSignal.timeout` reason.
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
