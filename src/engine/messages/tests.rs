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
