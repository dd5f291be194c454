//! The [CORS-preflight fetch](https://fetch.spec.whatwg.org/#cors-preflight-fetch-0):
//! the OPTIONS request as sent, and each browser's checks of its response.

use serde::Serialize;

use super::browser::{preflight_max_age, MaxAge, Profile};
use super::cors_check::cors_check;
use super::failure::{Failure, Phase};
use super::headers::{extract_header_list_values, HeaderList, ListValues};
use super::method::is_cors_safelisted_method;
use crate::scenario::Browser;

/// What the preflight asks for, taken from the actual request.
#[derive(Debug, Clone)]
pub struct PreflightAsk {
    /// Byte-serialized request origin.
    pub origin: String,
    /// The method as the actual request will send it.
    pub method: String,
    /// Lower-cased, sorted CORS-unsafe request-header names.
    pub unsafe_headers: Vec<String>,
    /// Whether credentials mode is `include`.
    pub credentials: bool,
    /// Whether the use-CORS-preflight flag is set.
    pub use_cors_preflight: bool,
}

/// Step 2 of the CORS-preflight fetch: "Append (`Accept`, `*/*`) …
/// (`Access-Control-Request-Method`, request's method) … If headers is not
/// empty: (`Access-Control-Request-Headers`, value) where value is the items
/// in headers separated from each other by `,`." Plus `Origin`; never cookies.
pub(super) fn preflight_request_headers(ask: &PreflightAsk) -> HeaderList {
    let mut headers = HeaderList::default();
    headers.append("Accept", "*/*");
    headers.append("Access-Control-Request-Method", &ask.method);
    if !ask.unsafe_headers.is_empty() {
        headers.append(
            "Access-Control-Request-Headers",
            &ask.unsafe_headers.join(","),
        );
    }
    headers.append("Origin", &ask.origin);
    headers
}

/// What a successful preflight allows, for the cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreflightGrant {
    /// Methods listed (or the request's own, see step 6).
    pub methods: Vec<String>,
    /// Header names listed.
    pub headers: Vec<String>,
    /// How long the result may be cached.
    pub max_age: MaxAge,
    /// Whether `*` in Allow-Headers covered `Authorization` (a browser deviation that browsers warn about).
    pub wildcard_covered_authorization: bool,
}

/// Step 4 onwards: checks the preflight response in the order `profile`'s browser does.
pub fn check_preflight_response(
    ask: &PreflightAsk,
    status: u16,
    response: &HeaderList,
    is_redirect: bool,
    profile: &Profile,
) -> Result<PreflightGrant, Failure> {
    // Preflights do not follow redirects, and every browser checks that first.
    if is_redirect {
        return Err(Failure::PreflightRedirect { status });
    }
    check_preflight_status_and_cors(ask, status, response, profile)?;
    // Step 5: "Let methods be the result of extracting header list values
    // given `Access-Control-Allow-Methods` …" and likewise headerNames;
    // "If either methods or headerNames is failure, return a network error."
    let methods = allowed_methods(ask, response)?;
    // Browser: Firefox checks the methods completely before parsing the headers.
    let parsed_first = if profile.browser == Browser::Firefox {
        None
    } else {
        Some(allowed_header_names(response)?)
    };
    check_method_allowed(ask, &methods, profile)?;
    let header_names = match parsed_first {
        Some(names) => names,
        None => allowed_header_names(response)?,
    };
    let wildcard_covered_authorization = check_headers_allowed(ask, &header_names, profile)?;
    // Step 10: max-age.
    let max_age_values: Vec<&str> = response.values("Access-Control-Max-Age").collect();
    let max_age = preflight_max_age(&max_age_values, profile);
    Ok(PreflightGrant {
        methods,
        headers: header_names,
        max_age,
        wildcard_covered_authorization,
    })
}

/// Step 4: "If a CORS check for request and response returns success and
/// response's status is an ok status, then: …"
fn check_preflight_status_and_cors(
    ask: &PreflightAsk,
    status: u16,
    response: &HeaderList,
    profile: &Profile,
) -> Result<(), Failure> {
    let cors = || {
        cors_check(&ask.origin, ask.credentials, response, profile.browser).map_err(|error| {
            Failure::Cors {
                phase: Phase::Preflight,
                error,
            }
        })
    };
    let ok_status = (200..=299).contains(&status);
    if profile.browser == Browser::Safari {
        // Browser: WebKit checks the status before Access-Control-Allow-Origin.
        if !ok_status {
            return Err(Failure::PreflightInvalidStatus { status });
        }
        cors()
    } else {
        cors()?;
        if !ok_status {
            return Err(Failure::PreflightInvalidStatus { status });
        }
        Ok(())
    }
}

/// Steps 5 and 6 for the methods: extract `Access-Control-Allow-Methods`
/// (failure is a network error); "If methods is null and request's
/// use-CORS-preflight flag is set, then set methods to a new list containing
/// request's method."
fn allowed_methods(ask: &PreflightAsk, response: &HeaderList) -> Result<Vec<String>, Failure> {
    match extract_header_list_values(response, "Access-Control-Allow-Methods") {
        ListValues::Failure(token) => Err(Failure::InvalidAllowMethods {
            value: response
                .get("Access-Control-Allow-Methods")
                .unwrap_or_default(),
            token,
        }),
        ListValues::Null if ask.use_cors_preflight => Ok(vec![ask.method.clone()]),
        ListValues::Null => Ok(Vec::new()),
        ListValues::Values(values) => Ok(values),
    }
}

/// Step 5 for the header names: extract `Access-Control-Allow-Headers`
/// (failure is a network error; null is the empty list).
fn allowed_header_names(response: &HeaderList) -> Result<Vec<String>, Failure> {
    match extract_header_list_values(response, "Access-Control-Allow-Headers") {
        ListValues::Failure(token) => Err(Failure::InvalidAllowHeaders {
            value: response
                .get("Access-Control-Allow-Headers")
                .unwrap_or_default(),
            token,
        }),
        ListValues::Null => Ok(Vec::new()),
        ListValues::Values(values) => Ok(values),
    }
}

/// Step 7: "If request's method is not in methods, request's method is not
/// a CORS-safelisted method, and request's credentials mode is "include"
/// or methods does not contain `*`, then return a network error."
fn check_method_allowed(
    ask: &PreflightAsk,
    methods: &[String],
    profile: &Profile,
) -> Result<(), Failure> {
    let method_listed = methods.iter().any(|m| {
        if profile.method_match_ignores_case {
            m.eq_ignore_ascii_case(&ask.method)
        } else {
            *m == ask.method
        }
    });
    let method_wildcard = !ask.credentials && methods.iter().any(|m| m == "*");
    if !method_listed && !is_cors_safelisted_method(&ask.method) && !method_wildcard {
        return Err(Failure::MethodNotAllowed {
            method: ask.method.clone(),
        });
    }
    Ok(())
}

/// Steps 8 and 9: every CORS-unsafe request-header name must be listed (or
/// covered by `*` without credentials; Authorization never is, by the spec).
/// Returns whether `*` covered Authorization all the same (a browser deviation).
fn check_headers_allowed(
    ask: &PreflightAsk,
    header_names: &[String],
    profile: &Profile,
) -> Result<bool, Failure> {
    let header_listed = |name: &str| header_names.iter().any(|h| h.eq_ignore_ascii_case(name));
    let header_wildcard = !ask.credentials && header_names.iter().any(|h| h == "*");
    let mut wildcard_covered_authorization = false;
    // Step 8: "If one of request's header list's names is a CORS non-wildcard
    // request-header name and is not a byte-case-insensitive match for an
    // item in headerNames, then return a network error."
    if ask.unsafe_headers.iter().any(|h| h == "authorization") && !header_listed("authorization") {
        if header_wildcard && profile.wildcard_covers_authorization {
            // Browser: Chromium, Gecko and WebKit still let `*` cover Authorization.
            wildcard_covered_authorization = true;
        } else {
            return Err(Failure::HeaderNotAllowed {
                header: "authorization".to_owned(),
            });
        }
    }
    // Step 9: "For each unsafeName of the CORS-unsafe request-header names …
    // if unsafeName is not a byte-case-insensitive match for an item in
    // headerNames and request's credentials mode is "include" or headerNames
    // does not contain `*`, return a network error."
    // Not modelled: when several headers are disallowed, Chromium names the first
    // in its header map's hash order, which cannot be predicted here; the engine
    // names the first in sorted order, and the fixes list every one of them.
    if let Some(missing) = ask
        .unsafe_headers
        .iter()
        .find(|h| h.as_str() != "authorization" && !header_listed(h) && !header_wildcard)
    {
        return Err(Failure::HeaderNotAllowed {
            header: missing.clone(),
        });
    }
    Ok(wildcard_covered_authorization)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::browser::profile;

    fn ask(method: &str, headers: &[&str], credentials: bool) -> PreflightAsk {
        PreflightAsk {
            origin: "https://app.example".into(),
            method: method.into(),
            unsafe_headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            credentials,
            use_cors_preflight: false,
        }
    }

    fn response(pairs: &[(&str, &str)]) -> HeaderList {
        let mut list = HeaderList(vec![(
            "Access-Control-Allow-Origin".into(),
            "https://app.example".into(),
        )]);
        for (n, v) in pairs {
            list.append(n, v);
        }
        list
    }

    fn check(
        browser: Browser,
        ask: &PreflightAsk,
        pairs: &[(&str, &str)],
    ) -> Result<PreflightGrant, Failure> {
        check_preflight_response(ask, 204, &response(pairs), false, &profile(browser))
    }

    #[test]
    fn preflight_headers_are_exactly_as_sent() {
        let headers = preflight_request_headers(&ask("PUT", &["content-type", "x-b"], true));
        assert_eq!(
            headers.get("Access-Control-Request-Headers").as_deref(),
            Some("content-type,x-b")
        );
        assert_eq!(
            headers.get("Access-Control-Request-Method").as_deref(),
            Some("PUT")
        );
        assert!(!headers.contains("Cookie"));
    }

    #[test]
    fn method_wildcard_only_without_credentials() {
        for browser in Browser::ALL {
            assert!(check(
                browser,
                &ask("PUT", &[], false),
                &[("Access-Control-Allow-Methods", "*")]
            )
            .is_ok());
            assert_eq!(
                check(
                    browser,
                    &ask("PUT", &[], true),
                    &[
                        ("Access-Control-Allow-Methods", "*"),
                        ("Access-Control-Allow-Credentials", "true")
                    ]
                ),
                Err(Failure::MethodNotAllowed {
                    method: "PUT".into()
                })
            );
        }
    }

    #[test]
    fn safelisted_methods_need_no_allow_methods() {
        for browser in Browser::ALL {
            assert!(check(
                browser,
                &ask("POST", &["x-foo"], false),
                &[("Access-Control-Allow-Headers", "x-foo")]
            )
            .is_ok());
        }
    }

    #[test]
    fn first_missing_header_in_sorted_order_is_reported() {
        let result = check(
            Browser::Chrome,
            &ask("GET", &["x-a", "x-b"], false),
            &[("Access-Control-Allow-Headers", "x-b")],
        );
        assert_eq!(
            result,
            Err(Failure::HeaderNotAllowed {
                header: "x-a".into()
            })
        );
    }

    #[test]
    fn safari_checks_status_before_allow_origin() {
        let empty = HeaderList::default();
        let a = ask("PUT", &[], false);
        assert_eq!(
            check_preflight_response(&a, 404, &empty, false, &profile(Browser::Safari)),
            Err(Failure::PreflightInvalidStatus { status: 404 })
        );
        assert!(matches!(
            check_preflight_response(&a, 404, &empty, false, &profile(Browser::Chrome)),
            Err(Failure::Cors {
                phase: Phase::Preflight,
                ..
            })
        ));
    }

    #[test]
    fn unparsable_lists_fail_even_when_no_header_needs_them() {
        let pairs = [
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Allow-Headers", "x-foo, bad value"),
        ];
        for browser in Browser::ALL {
            assert!(
                matches!(
                    check(browser, &ask("PUT", &[], false), &pairs),
                    Err(Failure::InvalidAllowHeaders { .. })
                ),
                "{browser:?}"
            );
        }
    }

    #[test]
    fn methods_match_byte_exactly() {
        for browser in Browser::ALL {
            assert!(check(
                browser,
                &ask("patch", &[], false),
                &[("Access-Control-Allow-Methods", "PATCH")]
            )
            .is_err());
            assert!(check(
                browser,
                &ask("patch", &[], false),
                &[("Access-Control-Allow-Methods", "patch")]
            )
            .is_ok());
        }
    }
}
