//! Safari's console lines. Verified in WebKit: each line below was printed
//! by WebCore (WebKitGTK 2.50's MiniBrowser, `cors-lab verify --browser
//! webkit`, tests/verify-fixtures/FINDINGS-webkit.md) unless it says "from
//! WebKit's source". WebCore's loaders are the same code in Safari; what
//! comes from the network stack (libsoup there, CFNetwork in Safari) is
//! marked where it matters.

use super::*;

/// Text that marks a Safari line (or exception) taken from WebKit's source
/// only (see `super::safari_line_from_source`): Web Inspector's line, the
/// network stack's words (CFNetwork's; WebKitGTK prints libsoup's), and
/// the exception texts no verify run has shown.
pub(super) const FROM_SOURCE_ONLY: &[&str] = &[
    "Failed to load resource: ",
    "Could not connect to the server.",
    "A server with the specified hostname could not be found.",
    "An SSL error has occurred",
    "The network connection was lost.",
    "The request timed out.",
    "failed: Unexpected response code: ",
    "TypeError: Type error",
];

/// WebCore's canonical spelling of a header it knows (`HTTPHeaderNames.in`),
/// which `HTTPHeaderMap` keeps instead of the script's; other names stay as
/// the script wrote them (observed: `Range`, `Accept`, `Content-Type`,
/// `Last-Event-ID`, `Accept-Language` canonical; `X-Foo` and `x-w3c` as written).
fn webcore_header_name(lower: &str, context: &MessageContext<'_>) -> String {
    const KNOWN: &[&str] = &[
        "Accept",
        "Accept-Charset",
        "Accept-Encoding",
        "Accept-Language",
        "Accept-Ranges",
        "Authorization",
        "Cache-Control",
        "Connection",
        "Content-Disposition",
        "Content-Encoding",
        "Content-Language",
        "Content-Length",
        "Content-Location",
        "Content-Range",
        "Content-Security-Policy",
        "Content-Type",
        "Cookie",
        "DNT",
        "Date",
        "ETag",
        "Expect",
        "Expires",
        "Host",
        "If-Match",
        "If-Modified-Since",
        "If-None-Match",
        "If-Range",
        "If-Unmodified-Since",
        "Last-Event-ID",
        "Last-Modified",
        "Link",
        "Origin",
        "Pragma",
        "Purpose",
        "Range",
        "Referer",
        "Sec-WebSocket-Protocol",
        "TE",
        "Upgrade",
        "Upgrade-Insecure-Requests",
        "User-Agent",
        "Via",
        "X-Requested-With",
    ];
    if let Some(known) = KNOWN.iter().find(|k| k.eq_ignore_ascii_case(lower)) {
        return (*known).to_owned();
    }
    context
        .script_headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(lower))
        .map_or_else(|| lower.to_owned(), |(name, _)| name.clone())
}

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
        // Browser: WebKit names the origin the request carried, `null` once a
        // cross-origin redirect tainted it (observed), where Chromium names the page's.
        _ => format!(
            "Origin {} is not allowed by Access-Control-Allow-Origin. Status code: {status}",
            context.sent_origin.unwrap_or(context.origin)
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
        Failure::HeaderNotAllowed { header } => format!(
            "Request header field {} is not allowed by Access-Control-Allow-Headers.",
            webcore_header_name(header, context)
        ),
        // The first URL without its user name and password (observed).
        Failure::RedirectContainsCredentials { location } => format!(
            "Cross-origin redirection to {} denied by Cross-Origin Resource Sharing policy: redirection URL {location} has credentials",
            without_credentials(location)
        ),
        Failure::SameOriginModeCrossOrigin { .. } => "Cross origin requests are not allowed when using same-origin fetch mode.".to_owned(),
        Failure::RedirectModeError => format!("Not allowed to follow a redirection while loading {}", context.url),
        Failure::TooManyRedirects => "Load cannot follow more than 20 redirections".to_owned(),
        Failure::InvalidRedirectLocation { .. } => "Redirection to URL with a scheme that is not HTTP(S).".to_owned(),
        Failure::UnsupportedScheme { .. } => "Cross origin requests are only supported for HTTP.".to_owned(),
        // From WebKit's source: the network stack's own text (CFNetwork's
        // NSURLError descriptions); libsoup's differ, and WebCore prints
        // them only in Web Inspector (see `render`).
        Failure::ConnectionFailed { kind, .. } => connection_error(*kind).to_owned(),
        _ => return None,
    })
}

fn without_credentials(location: &str) -> String {
    match url::Url::parse(location) {
        Ok(mut url) => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.to_string()
        }
        Err(_) => location.to_owned(),
    }
}

/// The script's exception for a call that throws, as WebCore's bindings
/// word it (observed), where the model knows the text.
fn thrown_error(failure: &Failure, api: Api) -> String {
    match (failure, api) {
        (Failure::ForbiddenMethod { .. }, Api::Xhr) => {
            "SecurityError: The operation is insecure.".to_owned()
        }
        (Failure::ForbiddenMethod { .. }, _) => "TypeError: Method is forbidden.".to_owned(),
        (Failure::NoCorsMethod { .. }, _) => {
            "TypeError: Method must be GET, POST or HEAD in no-cors mode.".to_owned()
        }
        (Failure::InvalidHeaderName { name }, Api::Fetch) => {
            format!("TypeError: Invalid header name: '{name}'")
        }
        // Not modelled: the other throws' texts (unverified in WebKit).
        _ => "TypeError: Type error".to_owned(),
    }
}

/// WebKit's line for a CSP block (observed for `connect-src`, `img-src`,
/// `script-src` and `style-src`): a directive reached through `default-src`
/// is named with it. Not modelled: its other lines, if any.
fn csp_lines(violations: &[CspViolation], url: &str) -> Vec<String> {
    violations
        .iter()
        .map(|v| {
            let verb = if v.effective_directive == "connect-src" { "connect to" } else { "load" };
            let directive = v.effective_directive.trim_end_matches("-elem");
            if v.directive == "default-src" && directive != "default-src" {
                format!("Refused to {verb} {url} because it appears in neither the {directive} directive nor the default-src directive of the Content Security Policy.")
            } else {
                format!("Refused to {verb} {url} because it does not appear in the {directive} directive of the Content Security Policy.")
            }
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

/// WebKit's mixed-content refusal (`MixedContentChecker::shouldBlockRequest`),
/// a warning (observed in WebKitGTK 2.50, finding-o-mixed-content.json; the
/// same words in Safari's field logs), then, for the loaders, WebCore's
/// refusal and the loader's catch-all line (observed).
fn mixed_content(page_url: &str, context: &MessageContext<'_>) -> Rendered {
    let url = context.url;
    // Browser: the message ends with a line break; on a loopback host
    // (potentially trustworthy to `shouldTreatAsPotentiallyTrustworthy`, yet
    // blocked) WebKit drops the sentence's end: "… blocked and must\n" (observed).
    let loopback = url::Url::parse(url).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "ws")
            && super::super::local_network::is_potentially_trustworthy(&u)
    });
    let ending = if loopback {
        "\n"
    } else {
        " be served over HTTPS.\n"
    };
    let mut console = vec![format!(
        "{WARNING}[blocked] The page at {page_url} requested insecure content from {url}. This content was blocked and must{ending}"
    )];
    let wrapper = match context.api {
        Api::Fetch => Some("Fetch API cannot load"),
        Api::Xhr => Some("XMLHttpRequest cannot load"),
        Api::Eventsource => Some("EventSource cannot load"),
        _ => None,
    };
    if let Some(wrapper) = wrapper {
        console.push("Not allowed to request resource".to_owned());
        console.push(format!("{wrapper} {url} due to access control checks."));
    }
    Rendered {
        console,
        js_error: (context.api == Api::Fetch).then(|| "TypeError: Load failed".to_owned()),
    }
}

/// WebKit's notice for an http image it upgraded to https
/// (`MixedContentChecker::shouldUpgradeInsecureContent`), a warning
/// (observed in WebKitGTK 2.50: finding-o-mixed-content.json 5).
pub(super) fn mixed_content_upgraded(page_url: &str, url: &str) -> String {
    format!(
        "{WARNING}The page at {page_url} requested insecure content from {url}. This content was automatically upgraded and should be served over HTTPS.\n"
    )
}

/// The error's text: the reason, wrapped in the redirect's refusal when the
/// response that failed was a redirect (`NetworkLoadChecker::checkRedirection`, observed).
fn description(failure: &Failure, context: &MessageContext<'_>) -> Option<String> {
    let reason = reason(failure, context)?;
    Some(match (failure, context.redirect_to) {
        (Failure::Cors { .. }, Some(target)) if context.on_followed_redirect => format!(
            "Cross-origin redirection to {target} denied by Cross-Origin Resource Sharing policy: {reason}"
        ),
        _ => reason,
    })
}

pub(super) fn render(failure: &Failure, context: &MessageContext<'_>) -> Rendered {
    let load_failed = (context.api == Api::Fetch).then(|| "TypeError: Load failed".to_owned());
    match failure {
        Failure::MixedContentBlocked { page_url } => return mixed_content(page_url, context),
        // Browser: WebCore rejects an aborted fetch with its own AbortError,
        // not the signal's reason (`AbortSignal.timeout`'s TimeoutError, which
        // the spec and Chromium, Firefox give), and prints no line (observed
        // in WebKitGTK 2.50: finding-n-network-kinds.json 6).
        Failure::PageTimeout { .. } => {
            return Rendered {
                console: Vec::new(),
                js_error: (context.api == Api::Fetch)
                    .then(|| "AbortError: Fetch is aborted".to_owned()),
            }
        }
        _ => {}
    }
    if failure.is_thrown_by_script_api() {
        return Rendered {
            console: Vec::new(),
            js_error: Some(thrown_error(failure, context.api)),
        };
    }
    if let Failure::CspBlocked { violations } = failure {
        // Browser: WebKit's EventSource and WebSocket constructors throw when
        // the page's policy refuses the URL (observed), where the spec (and
        // Chromium, Firefox) fire `error`.
        let js_error = match context.api {
            Api::Eventsource | Api::Websocket => {
                Some("SecurityError: The operation is insecure.".to_owned())
            }
            _ => load_failed,
        };
        return Rendered {
            console: csp_lines(violations, context.url),
            js_error,
        };
    }
    if let Some(console) = extension_lines(failure, context) {
        return Rendered {
            console,
            js_error: None,
        };
    }
    // `ThreadableLoader::logError` names the loader; `ImageLoader` has its
    // own line; a classic `<script>` has its own refusal; `<link>` adds none.
    let wrapper = match context.api {
        Api::Fetch => Some("Fetch API cannot load"),
        Api::Xhr => Some("XMLHttpRequest cannot load"),
        Api::Eventsource => Some("EventSource cannot load"),
        Api::Img => Some("Cannot load image"),
        // Not modelled: a form's failed navigation (its lines are not in
        // WebCore's loaders).
        Api::Script | Api::Stylesheet | Api::Form | Api::Websocket => None,
    };
    let loader_line = |ending: &str| wrapper.map(|w| format!("{w} {}{ending}", context.url));
    let access_control = failure.is_cors_failure()
        || failure.is_preflight_failure()
        || matches!(failure, Failure::RedirectModeError);
    let mut console = Vec::new();
    match failure {
        // WebCore's own refusal, before any request (observed).
        Failure::NoCorsRedirectNotFollow => {
            console.push("No-Cors mode requires follow redirect mode".to_owned());
            console.push("Not allowed to request resource".to_owned());
            console.extend(loader_line(" due to access control checks."));
            return Rendered {
                console,
                js_error: load_failed,
            };
        }
        // A network error the network stack reports (server down, connection
        // closed, a name that does not resolve, a certificate not trusted):
        // WebCore logs nothing of its own (observed for every kind: no line
        // at all); only Web Inspector's line below names it.
        Failure::ConnectionFailed { .. } if !access_control => {}
        // A WebKit-internal error: only the loader's line, without the
        // access-control ending (observed).
        Failure::SameOriginModeCrossOrigin { .. } => console.extend(loader_line(".")),
        _ => {
            if let Some(text) = description(failure, context) {
                console.push(text);
                if access_control && context.api == Api::Script {
                    console.push(
                        "Cross-origin script load denied by Cross-Origin Resource Sharing policy."
                            .to_owned(),
                    );
                }
                let ending = if access_control {
                    " due to access control checks."
                } else {
                    "."
                };
                console.extend(loader_line(ending));
            }
        }
    }
    // From WebKit's source, not checked: Web Inspector's own line for a failed
    // load (`WebConsoleAgent::didFailLoading`), in Safari's console (Web
    // Inspector) but never in WebCore's system console, which verify reads.
    if let Some(text) = description(failure, context) {
        console.push(format!("Failed to load resource: {text}"));
    }
    Rendered {
        console,
        js_error: load_failed,
    }
}

/// The lines of the extension APIs' own failures, from WebKit's source:
/// EventSource's refusals (shared with Chromium) and `WebSocketHandshake`.
fn extension_lines(failure: &Failure, context: &MessageContext<'_>) -> Option<Vec<String>> {
    if let Some(line) = event_stream_refusal(failure) {
        return Some(vec![line]);
    }
    Some(match failure {
        // From WebKit's source (`WebSocketHandshake`): Safari opens sockets
        // through NSURLSession, WebKitGTK through libsoup, whose text differs
        // (observed: `The server did not accept the WebSocket handshake.`).
        Failure::WebSocketHandshake { status } => vec![format!(
            "WebSocket connection to '{}' failed: Unexpected response code: {status}",
            context.url
        )],
        _ => return None,
    })
}
