//! `jscall`: reading pasted `fetch(...)`/XHR code and printing requests back.

use cors_lab::jscall::{parse_call, print_fetch, print_xhr};
use cors_lab::scenario::{AddressSpace, Api, Credentials, Mode, Redirect, RequestSpec};
use proptest::prelude::*;

#[test]
fn chrome_copy_as_fetch() {
    let code = r#"fetch("https://api.example.test/items", {
  "headers": {
    "accept": "*/*",
    "content-type": "application/json",
    "x-trace": "1",
  },
  "referrer": "https://app.example.test/",
  "referrerPolicy": "strict-origin-when-cross-origin",
  "body": "{\"a\":1}",
  "method": "PUT",
  "mode": "cors",
  "credentials": "include"
});"#;
    let call = parse_call(code).unwrap();
    assert_eq!(call.request.url, "https://api.example.test/items");
    assert_eq!(call.request.method, "PUT");
    assert_eq!(call.request.headers.len(), 3);
    assert_eq!(call.request.headers[2], ("x-trace".into(), "1".into()));
    assert_eq!(call.request.body.as_deref(), Some("{\"a\":1}"));
    assert_eq!(call.request.credentials, Credentials::Include);
    assert_eq!(call.referrer.as_deref(), Some("https://app.example.test/"));
    assert_eq!(call.ignored, vec!["referrerPolicy".to_owned()]);
    assert_eq!(call.span, (0, code.len() - 1));
}

#[test]
fn chrome_copy_as_fetch_node_with_null_body() {
    let code = r#"fetch("http://api.example.test/x", {
  "headers": {
    "Referer": "http://app.example.test/"
  },
  "body": null,
  "method": "GET"
});"#;
    let call = parse_call(code).unwrap();
    assert_eq!(call.request.body, None);
    assert_eq!(call.request.headers[0].0, "Referer");
}

#[test]
fn firefox_copy_as_fetch_with_await() {
    let code = "await fetch(\"http://api.example.test/x\", {\n    \"credentials\": \"omit\",\n    \"headers\": {\n        \"Accept\": \"*/*\",\n    },\n    \"method\": \"DELETE\",\n    \"mode\": \"cors\"\n});\n";
    let call = parse_call(code).unwrap();
    assert_eq!(call.request.method, "DELETE");
    assert_eq!(call.request.credentials, Credentials::Omit);
}

#[test]
fn hand_written_code_with_comments_backticks_and_headers_object() {
    let code = "// load\nconst res = await window.fetch(`https://a.test/p`, {\n  method: 'POST', /* write */\n  headers: new Headers([['X-A', 'b'], [\"X-N\", 2]]),\n  body: JSON.stringify({ a: [1, true, null], b: 'x' }),\n  mode: 'no-cors', redirect: 'manual',\n}).then(r => r.json());";
    let call = parse_call(code).unwrap();
    assert_eq!(call.request.url, "https://a.test/p");
    assert_eq!(
        call.request.headers,
        vec![("X-A".into(), "b".into()), ("X-N".into(), "2".into())]
    );
    assert_eq!(
        call.request.body.as_deref(),
        Some(r#"{"a":[1,true,null],"b":"x"}"#)
    );
    assert_eq!(call.request.mode, Mode::NoCors);
    assert_eq!(call.request.redirect, Redirect::Manual);
}

#[test]
fn string_escapes_and_concatenation() {
    let call =
        parse_call(r#"fetch('https://a.test/' + "x?y=\u00e9\x41\u{1F600}\uD83D\uDE00")"#).unwrap();
    assert_eq!(call.request.url, "https://a.test/x?y=éA😀😀");
}

#[test]
fn errors_carry_byte_offsets() {
    let err = parse_call("fetch(url)").unwrap_err();
    assert_eq!(err.offset, 6);
    assert!(err.message.contains("variable `url`"), "{}", err.message);
    let err = parse_call("fetch(`https://a.test/${id}`)").unwrap_err();
    assert_eq!(err.offset, 22);
    let err = parse_call("fetch('https://a.test', { mode: 'navigate' })").unwrap_err();
    assert_eq!(err.offset, 32);
    let err = parse_call("fetch('https://a.test', { method: 'GET' ").unwrap_err();
    assert!(err.message.contains("end of the text"), "{}", err.message);
    let err = parse_call("fetch('https://a.test', {...opts})").unwrap_err();
    assert_eq!(err.offset, 25);
    assert!(parse_call("console.log(1)").is_err());
}

#[test]
fn xhr_statements() {
    let code = "const xhr = new XMLHttpRequest();\nxhr.open('PATCH', 'https://a.test/p', true);\nxhr.withCredentials = true;\nxhr.setRequestHeader('X-A', 'b');\nxhr.upload.addEventListener('progress', () => {});\nxhr.send('hi');";
    let call = parse_call(code).unwrap();
    assert_eq!(call.request.api, Api::Xhr);
    assert_eq!(call.request.method, "PATCH");
    assert_eq!(call.request.credentials, Credentials::Include);
    assert!(call.request.upload_listener);
    assert_eq!(call.request.body.as_deref(), Some("hi"));
}

#[test]
fn printing_leaves_defaults_out() {
    let request = RequestSpec {
        api: Api::Fetch,
        url: "https://a.test/".into(),
        method: "GET".into(),
        headers: vec![],
        body: None,
        mode: Mode::Cors,
        credentials: Credentials::SameOrigin,
        redirect: Redirect::Follow,
        crossorigin: None,
        upload_listener: false,
        timeout_ms: None,
        at_ms: None,
        target_address_space: None,
    };
    assert_eq!(
        print_fetch(&request),
        "fetch(\"https://a.test/\", {\n  method: \"GET\",\n});"
    );
    assert_eq!(
        print_xhr(&request),
        "const xhr = new XMLHttpRequest();\nxhr.open(\"GET\", \"https://a.test/\");\nxhr.send();"
    );
}

fn arb_request() -> impl Strategy<Value = RequestSpec> {
    (
        "[ -~\u{a0}-\u{2ff}\u{1F600}\n\"'`\\\\]{0,30}",
        "[A-Z]{1,7}",
        prop::collection::vec(("[!-~]{1,10}", "[ -~\u{e9}]{0,12}"), 0..4),
        prop::option::of("[ -~\n\u{2028}]{0,20}"),
        prop_oneof![Just(Mode::Cors), Just(Mode::NoCors), Just(Mode::SameOrigin)],
        prop_oneof![
            Just(Credentials::Omit),
            Just(Credentials::SameOrigin),
            Just(Credentials::Include)
        ],
        prop_oneof![
            Just(Redirect::Follow),
            Just(Redirect::Error),
            Just(Redirect::Manual)
        ],
        prop::option::of(0u64..10_000_000),
        prop::option::of(prop_oneof![
            Just(AddressSpace::Loopback),
            Just(AddressSpace::Local),
            Just(AddressSpace::Public)
        ]),
    )
        .prop_map(
            |(url, method, headers, body, mode, credentials, redirect, timeout_ms, space)| {
                RequestSpec {
                    api: Api::Fetch,
                    url,
                    method,
                    headers,
                    body,
                    mode,
                    credentials,
                    redirect,
                    crossorigin: None,
                    upload_listener: false,
                    timeout_ms,
                    at_ms: None,
                    target_address_space: space,
                }
            },
        )
}

proptest! {
    /// Code ⇄ form: printing a request and reading it back gives the same request.
    #[test]
    fn fetch_round_trip(request in arb_request()) {
        let call = parse_call(&print_fetch(&request)).unwrap();
        prop_assert_eq!(call.request, request);
    }

    /// The XHR form keeps everything XHR can express.
    #[test]
    fn xhr_round_trip(mut request in arb_request(), upload in any::<bool>()) {
        request.api = Api::Xhr;
        request.mode = Mode::Cors;
        request.redirect = Redirect::Follow;
        request.upload_listener = upload;
        request.target_address_space = None;
        if request.credentials != Credentials::Include {
            request.credentials = Credentials::SameOrigin;
        }
        let call = parse_call(&print_xhr(&request)).unwrap();
        prop_assert_eq!(call.request, request);
    }

    /// Any text gives a call or an error inside the text, never a panic.
    #[test]
    fn any_text_never_panics(text in "(fetch\\(|[\\PC\n{}()\\[\\]'\"`,:\\\\/*])*") {
        if let Err(e) = parse_call(&text) {
            prop_assert!(e.offset <= text.len());
        }
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let code = format!(
        "fetch('u', {{ body: JSON.stringify({}1{}) }})",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(parse_call(&code).is_err());
}

#[test]
fn a_timeout_signal_and_target_address_space_are_read() {
    let call = parse_call(
        r#"fetch("http://127.0.0.1:3000/x", { signal: AbortSignal.timeout(3000), targetAddressSpace: "loopback" })"#,
    )
    .unwrap();
    assert_eq!(call.request.timeout_ms, Some(3000));
    assert_eq!(
        call.request.target_address_space,
        Some(AddressSpace::Loopback)
    );
    let call = parse_call(
        "const x = new XMLHttpRequest();\nx.open('GET', 'https://a.test/');\nx.timeout = 250;\nx.send();",
    )
    .unwrap();
    assert_eq!(call.request.timeout_ms, Some(250));
}

#[test]
fn a_signal_or_space_the_spec_cannot_hold_is_a_message() {
    for (code, says) in [
        (
            "fetch('https://a.test/', { signal: controller.signal })",
            "`signal` is read only as `AbortSignal.timeout(milliseconds)`",
        ),
        (
            "fetch('https://a.test/', { signal: AbortSignal.timeout(1.5) })",
            "whole number of milliseconds, not 1.5",
        ),
        (
            "fetch('https://a.test/', { targetAddressSpace: 'private' })",
            "not \"private\"",
        ),
    ] {
        let error = parse_call(code).unwrap_err();
        assert!(error.to_string().contains(says), "{code}: {error}");
    }
}

/// Every lesson's `fetch()`/XHR request prints as code that reads back to
/// the same request (natively; `tests/wasm_app.rs` checks the app's view).
#[test]
fn every_lesson_request_prints_as_code_that_reads_back_to_it() {
    let mut checked = 0;
    for entry in std::fs::read_dir("scenarios").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let scenario = cors_lab::scenario::load_scenario(&text).unwrap().scenario;
        for spec in scenario.requests.iter() {
            let (code, mut want) = match spec.api {
                Api::Fetch => (print_fetch(spec), spec.clone()),
                Api::Xhr => {
                    let mut want = spec.clone();
                    want.mode = Mode::Cors;
                    want.redirect = Redirect::Follow;
                    want.target_address_space = None;
                    if want.credentials == Credentials::Omit {
                        want.credentials = Credentials::SameOrigin;
                    }
                    (print_xhr(spec), want)
                }
                _ => continue,
            };
            want.at_ms = None;
            let parsed =
                parse_call(&code).unwrap_or_else(|e| panic!("{}: {e}\n{code}", path.display()));
            assert_eq!(parsed.request, want, "{}\n{code}", path.display());
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} requests read back");
}
