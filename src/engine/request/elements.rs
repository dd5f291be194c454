//! The format's extension APIs: the requests that an element, `EventSource`,
//! a form submission or a `WebSocket` makes, rather than `fetch()` or XHR.
//! `<img>`, `<script>` and `EventSource` then go through main fetch with the
//! mode and credentials their specs give; a form submission navigates and a
//! WebSocket handshake never runs the CORS check (see `fetch`).

use url::Url;

use super::{BuildNote, Built, Request};
use crate::engine::headers::HeaderList;
use crate::scenario::{Api, Credentials, CrossOrigin, Mode, Redirect, RequestSpec};

/// The form encodings a `<form enctype>` can send.
const FORM_ENCTYPES: [&str; 3] = [
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "text/plain",
];

/// Builds the request of an extension API (`spec.api.is_extension()`).
///
/// - `<img>`, `<script>`, `<link rel=stylesheet>`: HTML's [create a potential-CORS request](https://html.spec.whatwg.org/multipage/urls-and-fetching.html#create-a-potential-cors-request):
///   "Let mode be "no-cors" if corsAttributeState is No CORS, and "cors"
///   otherwise"; "Let credentialsMode be "include"", then "same-origin" when
///   the state is Anonymous. A stylesheet's destination is "style", so
///   Fetch sets `Accept: text/css,*/*;q=0.1`.
/// - `EventSource`: [the constructor](https://html.spec.whatwg.org/multipage/server-sent-events.html#dom-eventsource):
///   mode "cors", credentials "same-origin", or "include" when
///   `withCredentials` is true; `Accept: text/event-stream`.
/// - `<form>`: [form submission](https://html.spec.whatwg.org/multipage/form-control-infrastructure.html#form-submission-algorithm)
///   navigates; the method is GET or POST and the body has the enctype's type.
/// - `WebSocket`: [establish a WebSocket connection](https://websockets.spec.whatwg.org/#concept-websocket-establish):
///   mode "websocket", credentials "include"; no CORS check.
pub(super) fn build_initiator_request(spec: &RequestSpec, url: Url) -> Built {
    let mut notes = Vec::new();
    let ignored = |notes: &mut Vec<BuildNote>, setting: &str| {
        notes.push(BuildNote::ApiIgnoresSetting {
            setting: setting.to_owned(),
        })
    };
    if !spec.headers.is_empty() && spec.api != Api::Form {
        ignored(&mut notes, "headers");
    }
    if spec.crossorigin.is_some() && !spec.api.is_element() {
        ignored(&mut notes, "crossorigin");
    }
    let mut headers = HeaderList::default();
    let mut body = None;
    let mut method = "GET".to_owned();
    let (mode, credentials) = match spec.api {
        Api::Img | Api::Script | Api::Stylesheet => {
            if spec.api == Api::Stylesheet {
                // Fetch, "fetch" step 12: "If request's header list does not contain
                // `Accept`": for destination "style", `text/css,*/*;q=0.1`.
                headers.append("Accept", "text/css,*/*;q=0.1");
            }
            // Not modelled: each element's Sec-Fetch-Dest (image, script, style) and,
            // for `<img>`, Chromium's image Accept list (never part of a CORS decision).
            match spec.crossorigin {
                None => (Mode::NoCors, Credentials::Include),
                Some(CrossOrigin::Anonymous) => (Mode::Cors, Credentials::SameOrigin),
                Some(CrossOrigin::UseCredentials) => (Mode::Cors, Credentials::Include),
            }
        }
        Api::Eventsource => {
            // "Set request's header list to … `Accept`/`text/event-stream`."
            headers.append("Accept", "text/event-stream");
            let credentials = if spec.credentials == Credentials::Include {
                Credentials::Include
            } else {
                Credentials::SameOrigin
            };
            (Mode::Cors, credentials)
        }
        Api::Form => {
            // "If method is POST: … set body and the Content-Type of the enctype."
            if spec.method.eq_ignore_ascii_case("post") {
                method = "POST".to_owned();
                let enctype = spec
                    .headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
                    .map(|(_, v)| v.to_ascii_lowercase())
                    .filter(|v| FORM_ENCTYPES.contains(&v.as_str()))
                    .unwrap_or_else(|| "application/x-www-form-urlencoded".to_owned());
                headers.append("Content-Type", &enctype);
                body = Some(spec.body.clone().unwrap_or_default());
            }
            // Not modelled: the navigation's Accept and Sec-Fetch-* headers.
            (Mode::NoCors, Credentials::Include)
        }
        Api::Websocket | Api::Fetch | Api::Xhr => (Mode::Cors, Credentials::Include),
    };
    notes.push(BuildNote::InitiatorMode {
        crossorigin: spec.crossorigin.filter(|_| spec.api.is_element()),
    });
    if !spec.method.eq_ignore_ascii_case(&method) {
        ignored(&mut notes, "method");
    }
    Built {
        request: Request {
            api: spec.api,
            url,
            method,
            headers,
            body,
            mode,
            credentials,
            redirect: Redirect::Follow,
            use_cors_preflight: false,
            target_address_space: None,
            // Not modelled: elements, EventSource, forms and sockets have no timeout option.
            timeout_ms: None,
        },
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built(json: &str) -> Built {
        let spec: RequestSpec = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
        let url = Url::parse(&spec.url).unwrap_or_else(|e| panic!("{e}"));
        build_initiator_request(&spec, url)
    }

    #[test]
    fn crossorigin_attribute_decides_mode_and_credentials() {
        let plain = built(r#"{"api":"img","url":"https://b.example/x.svg"}"#).request;
        assert_eq!(
            (plain.mode, plain.credentials),
            (Mode::NoCors, Credentials::Include)
        );
        let anonymous =
            built(r#"{"api":"script","url":"https://b.example/x.js","crossorigin":"anonymous"}"#)
                .request;
        assert_eq!(
            (anonymous.mode, anonymous.credentials),
            (Mode::Cors, Credentials::SameOrigin)
        );
        let with = built(
            r#"{"api":"img","url":"https://b.example/x.svg","crossorigin":"use-credentials"}"#,
        )
        .request;
        assert_eq!(
            (with.mode, with.credentials),
            (Mode::Cors, Credentials::Include)
        );
    }

    #[test]
    fn a_stylesheet_asks_for_css_and_follows_its_crossorigin_attribute() {
        let plain = built(r#"{"api":"stylesheet","url":"https://b.example/t.css"}"#).request;
        assert_eq!(
            (plain.mode, plain.credentials, plain.method.as_str()),
            (Mode::NoCors, Credentials::Include, "GET")
        );
        assert_eq!(
            plain.headers.get("accept").as_deref(),
            Some("text/css,*/*;q=0.1")
        );
        let with = built(
            r#"{"api":"stylesheet","url":"https://b.example/t.css","crossorigin":"use-credentials"}"#,
        )
        .request;
        assert_eq!(
            (with.mode, with.credentials),
            (Mode::Cors, Credentials::Include)
        );
    }

    #[test]
    fn event_source_asks_for_an_event_stream_and_ignores_script_headers() {
        let b = built(
            r#"{"api":"eventsource","url":"https://b.example/e","headers":[["X-A","1"]],"credentials":"include"}"#,
        );
        assert_eq!(
            b.request.headers.get("accept").as_deref(),
            Some("text/event-stream")
        );
        assert!(!b.request.headers.contains("X-A"));
        assert_eq!(b.request.credentials, Credentials::Include);
        assert!(b.notes.iter().any(
            |n| matches!(n, BuildNote::ApiIgnoresSetting { setting } if setting == "headers")
        ));
    }

    #[test]
    fn form_post_keeps_only_a_form_enctype() {
        let b = built(
            r#"{"api":"form","url":"https://b.example/f","method":"post","headers":[["Content-Type","application/json"]],"body":"a=1"}"#,
        );
        assert_eq!(b.request.method, "POST");
        assert_eq!(
            b.request.headers.get("content-type").as_deref(),
            Some("application/x-www-form-urlencoded")
        );
    }
}
