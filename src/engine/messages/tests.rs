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
        sent_origin: None,
        redirect_to: None,
        script_headers: &[],
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
        kind: NetworkErrorKind::Refused,
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
    assert!(
        lines[1].ends_with("(Reason: CORS preflight response did not succeed). Status code: 307.")
    );
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
    assert!(error.is_some_and(
        |e| e.ends_with("the character at index 2 has value 8364 which is greater than 255.")
    ));
}

#[test]
fn each_connection_failure_has_its_own_chromium_code_and_firefox_one_line() {
    let codes: Vec<String> = NetworkErrorKind::ALL
        .iter()
        .map(|&kind| {
            let failure = Failure::ConnectionFailed {
                phase: Phase::Actual,
                kind,
            };
            let chrome = render(&failure, &context(Api::Fetch), Browser::Chrome);
            assert_eq!(
                chrome.js_error.as_deref(),
                Some("TypeError: Failed to fetch")
            );
            // Firefox says the same for every kind (FINDINGS-beyond-cors.md §1).
            let firefox = render(&failure, &context(Api::Fetch), Browser::Firefox);
            assert_eq!(firefox.console.len(), 1, "{kind:?}");
            assert!(firefox
                .console
                .iter()
                .all(|l| l.contains("CORS request did not succeed")));
            chrome.console.join("\n")
        })
        .collect();
    assert_eq!(
        codes,
        [
            "Failed to load resource: net::ERR_EMPTY_RESPONSE",
            "Failed to load resource: net::ERR_CONNECTION_REFUSED",
            "Failed to load resource: net::ERR_CONNECTION_RESET",
            "Failed to load resource: net::ERR_NAME_NOT_RESOLVED",
            "Failed to load resource: net::ERR_CERT_AUTHORITY_INVALID",
            "Failed to load resource: net::ERR_TIMED_OUT",
        ]
    );
}

#[test]
fn a_page_timeout_prints_nothing_and_rejects_with_a_timeout_error() {
    let failure = Failure::PageTimeout {
        phase: Phase::Actual,
        timeout_ms: 1500,
    };
    for (browser, error) in [
        (Browser::Chrome, "TimeoutError: signal timed out"),
        (Browser::Firefox, "TimeoutError: The operation timed out."),
        // WebCore's own abort error, not the signal's reason (observed).
        (Browser::Safari, "AbortError: Fetch is aborted"),
    ] {
        let fetch = render(&failure, &context(Api::Fetch), browser);
        assert!(fetch.console.is_empty());
        assert_eq!(fetch.js_error.as_deref(), Some(error));
        assert_eq!(render(&failure, &context(Api::Xhr), browser).js_error, None);
    }
}

#[test]
fn mixed_content_lines_name_the_page_and_what_was_requested() {
    let failure = Failure::MixedContentBlocked {
        page_url: "https://app.example/".into(),
    };
    let chrome = render(&failure, &context(Api::Xhr), Browser::Chrome);
    assert_eq!(chrome.console.len(), 1);
    assert!(chrome.console[0].starts_with("Mixed Content: The page at 'https://app.example/' was loaded over HTTPS, but requested an insecure XMLHttpRequest endpoint"));
    // WebKit's warning, then its refusal and the loader's line (observed);
    // on a loopback host the sentence is cut short (observed).
    let insecure = MessageContext {
        url: "http://b.test/x",
        ..context(Api::Fetch)
    };
    let safari = render(&failure, &insecure, Browser::Safari);
    assert!(safari.console[0].starts_with(
        "[warning] [blocked] The page at https://app.example/ requested insecure content from "
    ));
    assert!(
        safari.console[0].ends_with(". This content was blocked and must be served over HTTPS.\n")
    );
    assert_eq!(safari.console[1], "Not allowed to request resource");
    let loopback = MessageContext {
        url: "http://127.0.0.1:9102/items",
        ..context(Api::Fetch)
    };
    assert!(render(&failure, &loopback, Browser::Safari).console[0]
        .ends_with("from http://127.0.0.1:9102/items. This content was blocked and must\n"));
    let socket = render(&failure, &context(Api::Websocket), Browser::Firefox);
    assert!(socket.console.is_empty());
    assert_eq!(
        socket.js_error.as_deref(),
        Some("SecurityError: The operation is insecure.")
    );
}
