//! The [CORS check](https://fetch.spec.whatwg.org/#concept-cors-check), with
//! each browser's classification of a failure.

use url::Url;

use super::failure::CorsError;
use super::headers::HeaderList;
use crate::scenario::Browser;

/// Runs the CORS check of `response_headers` for a request whose serialized
/// origin is `origin`. The spec's steps decide pass or fail; each browser
/// only names the failure differently and checks in its own order.
pub fn cors_check(
    origin: &str,
    credentials_included: bool,
    response_headers: &HeaderList,
    browser: Browser,
) -> Result<(), CorsError> {
    let allow_origin = response_headers.get("Access-Control-Allow-Origin");
    let lines = response_headers.count("Access-Control-Allow-Origin");
    match browser {
        Browser::Chrome => chromium_check_access(
            origin,
            credentials_included,
            allow_origin,
            lines,
            response_headers,
        ),
        Browser::Firefox => {
            gecko_check_request_approved(origin, credentials_included, response_headers)
        }
        Browser::Safari => webkit_passes_access_control_check(
            origin,
            credentials_included,
            allow_origin,
            lines,
            response_headers,
        ),
    }
}

/// Step 2: "If request's credentials mode is not "include" and origin is
/// `*`, then return success"; with credentials every browser refuses `*`.
fn wildcard(credentials: bool) -> Result<(), CorsError> {
    if credentials {
        Err(CorsError::WildcardOriginNotAllowed)
    } else {
        Ok(())
    }
}

/// Steps 4 and 5, once the origin matched: "If request's credentials mode is
/// not "include", then return success", else Allow-Credentials decides.
fn origin_matched(credentials: bool, headers: &HeaderList) -> Result<(), CorsError> {
    if credentials {
        check_allow_credentials(headers)
    } else {
        Ok(())
    }
}

/// Step 5: "If the result of getting `Access-Control-Allow-Credentials` …
/// is `true`, then return success. Return failure."
fn check_allow_credentials(response_headers: &HeaderList) -> Result<(), CorsError> {
    let value = response_headers
        .get("Access-Control-Allow-Credentials")
        .unwrap_or_default();
    if value == "true" {
        Ok(())
    } else {
        Err(CorsError::InvalidAllowCredentials { value })
    }
}

// Browser: Chromium's CheckAccess (services/network/public/cpp/cors/cors.cc).
fn chromium_check_access(
    origin: &str,
    credentials: bool,
    allow_origin: Option<String>,
    lines: usize,
    headers: &HeaderList,
) -> Result<(), CorsError> {
    // Step 1: "If origin is null, then return failure."
    let Some(value) = allow_origin else {
        return Err(CorsError::MissingAllowOrigin);
    };
    if value == "*" {
        // Step 2: "If request's credentials mode is not "include" and origin is `*`, then return success."
        return wildcard(credentials);
    }
    // Step 3: "If the result of byte-serializing a request origin with request is not origin, then return failure."
    if value != origin {
        return Err(if value.contains([' ', ',']) {
            CorsError::MultipleAllowOriginValues { value, lines }
        } else if value != "null" && Url::parse(&value).is_err() {
            CorsError::InvalidAllowOriginValue { value }
        } else {
            CorsError::AllowOriginMismatch { value }
        });
    }
    // Step 4: "If request's credentials mode is not "include", then return success."
    origin_matched(credentials, headers)
}

// Browser: Gecko's nsCORSListenerProxy::CheckRequestApproved first counts
// the response's `Access-Control-Allow-Origin` lines by their name as sent,
// case-sensitively: two or more lines spelled exactly so fail as "Multiple
// CORS header … not allowed", whatever their values. Otherwise it reads the
// value as Firefox 153 stores it: lines in any case merged with `, `, empty
// lines dropped (so `""` + `*` is `*`), and names that value on a mismatch.
// Observed with Firefox connected directly to a server that writes each
// line as the file spells it (wpt-origin-multiple-headers.json,
// wpt-multiple-origins.json, finding-m-acao-name-case.json: `*` plus
// `access-control-allow-origin: *` fails as `does not match ‘*, *’`).
fn gecko_check_request_approved(
    origin: &str,
    credentials: bool,
    headers: &HeaderList,
) -> Result<(), CorsError> {
    let exact_lines = headers
        .0
        .iter()
        .filter(|(name, _)| name == "Access-Control-Allow-Origin")
        .count();
    let Some(value) = gecko_merged_value(headers, "Access-Control-Allow-Origin") else {
        return Err(CorsError::MissingAllowOrigin);
    };
    if exact_lines > 1 {
        return Err(CorsError::MultipleAllowOriginValues {
            value,
            lines: exact_lines,
        });
    }
    if value == "*" {
        return wildcard(credentials);
    }
    if value != origin {
        return Err(CorsError::AllowOriginMismatch { value });
    }
    origin_matched(credentials, headers)
}

/// A response header's value as Gecko's header array keeps it: each later
/// non-empty line is appended after `, `; an empty line adds nothing.
fn gecko_merged_value(headers: &HeaderList, name: &str) -> Option<String> {
    let mut merged: Option<String> = None;
    for value in headers.values(name) {
        match &mut merged {
            None => merged = Some(value.to_owned()),
            Some(_) if value.is_empty() => {}
            Some(so_far) if so_far.is_empty() => value.clone_into(so_far),
            Some(so_far) => {
                so_far.push_str(", ");
                so_far.push_str(value);
            }
        }
    }
    merged
}

// Browser: WebKit's passesAccessControlCheck (CrossOriginAccessControl.cpp)
// does not tell a missing value from a wrong one.
fn webkit_passes_access_control_check(
    origin: &str,
    credentials: bool,
    allow_origin: Option<String>,
    lines: usize,
    headers: &HeaderList,
) -> Result<(), CorsError> {
    let value = allow_origin.unwrap_or_default();
    if value == "*" {
        return wildcard(credentials);
    }
    if value.contains(',') {
        return Err(CorsError::MultipleAllowOriginValues { value, lines });
    }
    if value != origin {
        return Err(if lines == 0 {
            CorsError::MissingAllowOrigin
        } else {
            CorsError::AllowOriginMismatch { value }
        });
    }
    origin_matched(credentials, headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(
        allow: &[&str],
        acac: Option<&str>,
        credentials: bool,
        browser: Browser,
    ) -> Result<(), CorsError> {
        let mut headers = HeaderList::default();
        for value in allow {
            headers.append("Access-Control-Allow-Origin", value);
        }
        if let Some(value) = acac {
            headers.append("Access-Control-Allow-Credentials", value);
        }
        cors_check("https://rabbit.invalid", credentials, &headers, browser)
    }

    /// The table in <https://fetch.spec.whatwg.org/#cors-protocol-and-credentials>,
    /// which every browser must agree with on pass/fail.
    #[test]
    fn spec_credentials_table_holds_for_every_browser() {
        let rows: [(bool, &str, Option<&str>, bool); 7] = [
            (false, "*", None, true),
            (false, "*", Some("true"), true),
            (false, "https://rabbit.invalid/", None, false),
            (false, "https://rabbit.invalid", None, true),
            (true, "*", Some("true"), false),
            (true, "https://rabbit.invalid", Some("true"), true),
            (true, "https://rabbit.invalid", Some("True"), false),
        ];
        for browser in Browser::ALL {
            for (credentials, allow, acac, shared) in rows {
                assert_eq!(
                    check(&[allow], acac, credentials, browser).is_ok(),
                    shared,
                    "{browser:?} {allow} {acac:?} {credentials}"
                );
            }
        }
    }

    #[test]
    fn chromium_classifies_bad_values() {
        use CorsError::*;
        let chrome = Browser::Chrome;
        assert_eq!(check(&[], None, false, chrome), Err(MissingAllowOrigin));
        assert_eq!(
            check(&["*"], None, true, chrome),
            Err(WildcardOriginNotAllowed)
        );
        assert_eq!(
            check(&["*", "*"], None, false, chrome),
            Err(MultipleAllowOriginValues {
                value: "*, *".into(),
                lines: 2
            })
        );
        assert_eq!(
            check(&["false"], None, false, chrome),
            Err(InvalidAllowOriginValue {
                value: "false".into()
            })
        );
        assert_eq!(
            check(&["null"], None, false, chrome),
            Err(AllowOriginMismatch {
                value: "null".into()
            })
        );
        assert_eq!(
            check(&["https://rabbit.invalid"], None, true, chrome),
            Err(InvalidAllowCredentials {
                value: String::new()
            })
        );
    }

    #[test]
    fn firefox_refuses_two_exactly_spelled_lines_and_merges_the_rest() {
        use CorsError::*;
        let firefox = Browser::Firefox;
        let multiple = |value: &str| MultipleAllowOriginValues {
            value: value.into(),
            lines: 2,
        };
        // Two lines spelled `Access-Control-Allow-Origin`: refused, whatever they say.
        assert_eq!(check(&["", "*"], None, false, firefox), Err(multiple("*")));
        assert_eq!(
            check(&["*", "*"], None, false, firefox),
            Err(multiple("*, *"))
        );
        assert_eq!(check(&["", ""], None, false, firefox), Err(multiple("")));
        // Lines in another case are merged (empty ones dropped), then compared.
        let lines = |pairs: &[(&str, &str)]| {
            let mut headers = HeaderList::default();
            for (name, value) in pairs {
                headers.append(name, value);
            }
            cors_check("https://rabbit.invalid", false, &headers, firefox)
        };
        let lower = "access-control-allow-origin";
        assert_eq!(lines(&[(lower, ""), (lower, "*")]), Ok(()));
        assert_eq!(
            lines(&[("Access-Control-Allow-Origin", "*"), (lower, "*")]),
            Err(AllowOriginMismatch {
                value: "*, *".into()
            })
        );
        assert_eq!(
            lines(&[(lower, "\"\""), (lower, ""), (lower, "https://b")]),
            Err(AllowOriginMismatch {
                value: "\"\", https://b".into()
            })
        );
    }

    #[test]
    fn firefox_and_safari_classify_their_own_way() {
        use CorsError::*;
        assert_eq!(
            check(&["https://a, https://b"], None, false, Browser::Firefox),
            Err(AllowOriginMismatch {
                value: "https://a, https://b".into()
            })
        );
        assert_eq!(
            check(&[], None, false, Browser::Safari),
            Err(MissingAllowOrigin)
        );
        assert_eq!(
            check(&["https://a https://b"], None, false, Browser::Safari),
            Err(AllowOriginMismatch {
                value: "https://a https://b".into()
            })
        );
    }
}
