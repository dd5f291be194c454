//! Building the request the way `fetch()` (the Request constructor) and
//! `XMLHttpRequest` (`open`, `setRequestHeader`, `send`) build it.

mod elements;

use serde::Serialize;
use url::Url;

use super::browser::Profile;
use super::failure::Failure;
use super::headers::{
    is_valid_header_name, is_valid_header_value, normalize_header_value, HeaderList,
};
use super::method::{
    is_cors_safelisted_method, is_forbidden_method, is_valid_method, normalize_method,
};
use super::safelist::check_cors_safelisted_request_header;
use crate::scenario::{AddressSpace, Api, Credentials, Mode, Redirect, RequestSpec};

/// A request as the browser will fetch it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct Request {
    /// `fetch` or `xhr`.
    pub api: Api,
    /// The parsed URL (fragment removed).
    pub url: Url,
    /// The normalised method.
    pub method: String,
    /// The header list after the script's calls and the browser's defaults.
    pub headers: HeaderList,
    /// Body text, if any is sent.
    pub body: Option<String>,
    /// Request mode.
    pub mode: Mode,
    /// Credentials mode.
    pub credentials: Credentials,
    /// Redirect mode.
    pub redirect: Redirect,
    /// The [use-CORS-preflight flag](https://fetch.spec.whatwg.org/#use-cors-preflight-flag).
    pub use_cors_preflight: bool,
    /// The request's [target IP address space](https://wicg.github.io/local-network-access/#request-target-ip-address-space)
    /// (`fetch()`'s `targetAddressSpace`; issue 13 family 4).
    pub target_address_space: Option<AddressSpace>,
    /// How long the page waits before it aborts the call (`fetch` and
    /// `xhr` only): `AbortSignal.timeout(N)` / `xhr.timeout = N`.
    pub timeout_ms: Option<u64>,
}

/// Something the browser did to the script's request while building it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "note", rename_all = "kebab-case")]
pub enum BuildNote {
    /// The method was upper-cased.
    MethodNormalized {
        /// As written.
        from: String,
        /// As sent.
        to: String,
    },
    /// The method looks like one that is upper-cased, but is not.
    MethodNotNormalized {
        /// As written and sent.
        method: String,
    },
    /// A forbidden request-header was silently dropped.
    ForbiddenHeaderDropped {
        /// The header's name.
        name: String,
    },
    /// A no-cors request dropped a header that is not no-CORS-safelisted.
    NoCorsHeaderDropped {
        /// The header's name.
        name: String,
    },
    /// A repeated header was combined into one (XHR always; fetch() in Chromium and WebKit).
    HeaderCombined {
        /// The header's name.
        name: String,
        /// The combined value.
        value: String,
    },
    /// The browser added a default header.
    DefaultHeaderAdded {
        /// The header's name.
        name: String,
        /// Its value.
        value: String,
    },
    /// XHR ignores a body on GET and HEAD.
    BodyIgnored,
    /// The XHR upload listener sets the use-CORS-preflight flag.
    UploadListenerForcesPreflight,
    /// An element, EventSource, form or WebSocket chose the request's mode and credentials mode itself.
    InitiatorMode {
        /// The element's `crossorigin` attribute, if it has one.
        crossorigin: Option<crate::scenario::CrossOrigin>,
    },
    /// A setting the extension API (element, EventSource, form, WebSocket) does not have was ignored.
    ApiIgnoresSetting {
        /// Which setting.
        setting: String,
    },
    /// Settings XHR does not have were ignored.
    XhrIgnoresSetting {
        /// Which setting.
        setting: String,
    },
}

/// The built request and what happened on the way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct Built {
    /// The request.
    pub request: Request,
    /// What the browser changed or dropped.
    pub notes: Vec<BuildNote>,
}

/// Builds the request, or the exception the script's call throws.
pub(super) fn build_request(
    spec: &RequestSpec,
    page: Option<&Url>,
    profile: &Profile,
) -> Result<Built, Failure> {
    let mut notes = Vec::new();
    // Request constructor: "Let parsedURL be the result of parsing input with baseURL. If parsedURL is failure, then throw a TypeError."
    let parsed = match page {
        Some(base) => base.join(&spec.url),
        None => Url::parse(&spec.url),
    };
    let mut url = parsed.map_err(|_| Failure::InvalidUrl {
        url: spec.url.clone(),
    })?;
    url.set_fragment(None);
    if spec.api.is_extension() {
        return Ok(elements::build_initiator_request(spec, url));
    }
    // "If method is not a method or method is a forbidden method, then throw a TypeError."
    if !is_valid_method(&spec.method) {
        return Err(Failure::InvalidMethod {
            method: spec.method.clone(),
        });
    }
    if is_forbidden_method(&spec.method) {
        return Err(Failure::ForbiddenMethod {
            method: spec.method.clone(),
        });
    }
    // "Normalize method."
    let method = normalize_method(&spec.method);
    if method != spec.method {
        notes.push(BuildNote::MethodNormalized {
            from: spec.method.clone(),
            to: method.clone(),
        });
    } else if method.chars().any(|c| c.is_ascii_lowercase()) && method.eq_ignore_ascii_case("patch")
    {
        notes.push(BuildNote::MethodNotNormalized {
            method: method.clone(),
        });
    }
    let (mode, redirect) = match spec.api {
        Api::Fetch => (spec.mode, spec.redirect),
        Api::Img
        | Api::Script
        | Api::Stylesheet
        | Api::Eventsource
        | Api::Form
        | Api::Websocket => (spec.mode, spec.redirect),
        Api::Xhr => {
            // XHR always uses mode "cors" and follows redirects.
            if spec.mode != Mode::Cors {
                notes.push(BuildNote::XhrIgnoresSetting {
                    setting: "mode".into(),
                });
            }
            if spec.redirect != Redirect::Follow {
                notes.push(BuildNote::XhrIgnoresSetting {
                    setting: "redirect".into(),
                });
            }
            (Mode::Cors, Redirect::Follow)
        }
    };
    // "If this's request's mode is "no-cors": If this's request's method is not a CORS-safelisted method, then throw a TypeError."
    if mode == Mode::NoCors && !is_cors_safelisted_method(&method) {
        return Err(Failure::NoCorsMethod { method });
    }
    let headers = fill_headers(spec, mode, profile, &mut notes)?;
    let mut request = Request {
        api: spec.api,
        url,
        method,
        headers,
        body: spec.body.clone(),
        mode,
        credentials: spec.credentials,
        redirect,
        use_cors_preflight: false,
        target_address_space: spec.target_address_space,
        timeout_ms: spec.timeout_ms,
    };
    let get_or_head = matches!(request.method.as_str(), "GET" | "HEAD");
    if request.body.is_some() && get_or_head {
        match spec.api {
            // "If … init["body"] exists and is non-null … and request's method is `GET` or `HEAD`, then throw a TypeError."
            Api::Fetch => return Err(Failure::BodyWithGetOrHead),
            // XHR send(): "If this's request method is `GET` or `HEAD`, then set body to null."
            _ => {
                request.body = None;
                notes.push(BuildNote::BodyIgnored);
            }
        }
    }
    // Extracting a string body: "Set type to `text/plain;charset=UTF-8`" when the script set no Content-Type.
    if request.body.is_some() && !request.headers.contains("Content-Type") {
        let value = "text/plain;charset=UTF-8";
        request.headers.append("Content-Type", value);
        notes.push(BuildNote::DefaultHeaderAdded {
            name: "Content-Type".into(),
            value: value.into(),
        });
    }
    // XHR send(): "If this's upload listener flag is set, then set the use-CORS-preflight flag."
    if spec.api == Api::Xhr && spec.upload_listener {
        request.use_cors_preflight = true;
        notes.push(BuildNote::UploadListenerForcesPreflight);
    }
    // Fetch step: "If request's header list does not contain `Accept`, then … append (`Accept`, `*/*`)."
    if !request.headers.contains("Accept") {
        request.headers.append("Accept", "*/*");
        notes.push(BuildNote::DefaultHeaderAdded {
            name: "Accept".into(),
            value: "*/*".into(),
        });
    }
    Ok(Built { request, notes })
}

/// Fills the header list as `new Headers(init)` (fetch) or `setRequestHeader`
/// (XHR) would: invalid names or values throw, forbidden names are dropped,
/// a no-cors guard drops everything not no-CORS-safelisted.
fn fill_headers(
    spec: &RequestSpec,
    mode: Mode,
    profile: &Profile,
    notes: &mut Vec<BuildNote>,
) -> Result<HeaderList, Failure> {
    let mut headers = HeaderList::default();
    for (name, raw_value) in &spec.headers {
        // "Normalize value."
        let value = normalize_header_value(raw_value);
        // "If name is not a header name or value is not a header value, then throw a TypeError."
        if !is_valid_header_name(name) {
            return Err(Failure::InvalidHeaderName { name: name.clone() });
        }
        if !is_valid_header_value(value) {
            return Err(Failure::InvalidHeaderValue {
                name: name.clone(),
                value: raw_value.clone(),
            });
        }
        // "If (name, value) is a forbidden request-header, then return."
        if is_forbidden_request_header(name, value) {
            notes.push(BuildNote::ForbiddenHeaderDropped { name: name.clone() });
            continue;
        }
        if mode == Mode::NoCors {
            // "If headers's guard is "request-no-cors": … If (name, temporaryValue) is not a no-CORS-safelisted request-header, then return."
            let combined = match headers.get(name) {
                Some(existing) => format!("{existing}, {value}"),
                None => value.to_owned(),
            };
            if !is_no_cors_safelisted_request_header(name, &combined, profile) {
                notes.push(BuildNote::NoCorsHeaderDropped { name: name.clone() });
                continue;
            }
        }
        // XHR's setRequestHeader combines; so does fetch() in browsers whose header map does.
        if spec.api == Api::Xhr || profile.combines_repeated_request_headers {
            let repeated = headers.contains(name);
            headers.combine(name, value);
            if repeated {
                let value = headers.get(name).unwrap_or_default();
                notes.push(BuildNote::HeaderCombined {
                    name: name.clone(),
                    value,
                });
            }
        } else {
            headers.append(name, value);
        }
    }
    Ok(headers)
}

/// [Forbidden request-header](https://fetch.spec.whatwg.org/#forbidden-request-header).
pub(super) fn is_forbidden_request_header(name: &str, value: &str) -> bool {
    const NAMES: [&str; 21] = [
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    ];
    let lower = name.to_ascii_lowercase();
    if NAMES.contains(&lower.as_str()) || lower.starts_with("proxy-") || lower.starts_with("sec-") {
        return true;
    }
    // "If name is … `X-HTTP-Method`, `X-HTTP-Method-Override`, or `X-Method-Override`, then:
    // … For each method of parsedValues: if the isomorphic encoding of method is a forbidden method, then return true."
    if matches!(
        lower.as_str(),
        "x-http-method" | "x-http-method-override" | "x-method-override"
    ) {
        return value
            .split(',')
            .any(|m| is_forbidden_method(m.trim_matches([' ', '\t'])));
    }
    false
}

/// [No-CORS-safelisted request-header](https://fetch.spec.whatwg.org/#no-cors-safelisted-request-header).
fn is_no_cors_safelisted_request_header(name: &str, value: &str, profile: &Profile) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "accept" | "accept-language" | "content-language" | "content-type"
    ) && check_cors_safelisted_request_header(name, value, profile).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::browser::profile;
    use crate::scenario::Browser;

    fn spec(json: &str) -> RequestSpec {
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"))
    }

    fn build(json: &str) -> Result<Built, Failure> {
        build_request(&spec(json), None, &profile(Browser::Chrome))
    }

    #[test]
    fn forbidden_headers_are_dropped_and_said_so() {
        let built = build(
            r#"{"url":"https://a.example/","headers":[["Cookie","a=1"],["Sec-Foo","x"],["X-Ok","1"]]}"#,
        );
        let built = built.unwrap_or_else(|e| panic!("{e:?}"));
        assert!(!built.request.headers.contains("Cookie"));
        assert!(built.request.headers.contains("X-Ok"));
        assert_eq!(
            built
                .notes
                .iter()
                .filter(|n| matches!(n, BuildNote::ForbiddenHeaderDropped { .. }))
                .count(),
            2
        );
    }

    #[test]
    fn script_errors_are_thrown() {
        assert_eq!(
            build(r#"{"url":"https://a.example/","method":"connect"}"#).err(),
            Some(Failure::ForbiddenMethod {
                method: "connect".into()
            })
        );
        assert_eq!(
            build(r#"{"url":"https://a.example/","method":"put","mode":"no-cors"}"#).err(),
            Some(Failure::NoCorsMethod {
                method: "PUT".into()
            })
        );
        assert_eq!(
            build(r#"{"url":"https://a.example/","headers":[["a b","1"]]}"#).err(),
            Some(Failure::InvalidHeaderName { name: "a b".into() })
        );
        assert_eq!(
            build(r#"{"url":"https://a.example/","body":"x"}"#).err(),
            Some(Failure::BodyWithGetOrHead)
        );
        assert_eq!(
            build(r#"{"url":"not a url"}"#).err(),
            Some(Failure::InvalidUrl {
                url: "not a url".into()
            })
        );
    }

    #[test]
    fn no_cors_keeps_only_safelisted_headers() {
        let built = build(
            r#"{"url":"https://a.example/","mode":"no-cors","headers":[["X-Foo","1"],["Content-Type","application/json"],["Accept","text/html"]]}"#,
        );
        let built = built.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            built.request.headers.unique_lowercase_names(),
            vec!["accept".to_owned()]
        );
    }

    #[test]
    fn repeated_headers_combine_in_xhr_and_in_chromium_fetch_but_not_firefox_fetch() {
        let xhr = build(
            r#"{"api":"xhr","url":"https://a.example/","headers":[["X-A","1"],["x-a","2"]]}"#,
        );
        let xhr = xhr.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(xhr.request.headers.count("x-a"), 1);
        assert_eq!(xhr.request.headers.get("x-a").as_deref(), Some("1, 2"));
        let spec = spec(r#"{"url":"https://a.example/","headers":[["X-A","1"],["x-a","2"]]}"#);
        let firefox = build_request(&spec, None, &profile(Browser::Firefox));
        assert_eq!(
            firefox.map(|b| b.request.headers.count("x-a")).ok(),
            Some(2)
        );
        let chrome = build_request(&spec, None, &profile(Browser::Chrome));
        assert_eq!(chrome.map(|b| b.request.headers.count("x-a")).ok(), Some(1));
    }

    #[test]
    fn method_override_with_a_forbidden_method_is_forbidden() {
        assert!(is_forbidden_request_header(
            "X-HTTP-Method-Override",
            "GET, TRACE"
        ));
        assert!(!is_forbidden_request_header(
            "X-HTTP-Method-Override",
            "PATCH"
        ));
    }
}
