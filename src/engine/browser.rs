//! Where each browser departs from the Fetch Standard, as data.
//!
//! Every field here is a `// Browser:` deviation; the rest of the engine
//! follows the spec and consults the profile only at these points.

use serde::Serialize;

use super::local_network::LnaProfile;
use crate::scenario::Browser;

/// How a browser's preflight cache stores a successful preflight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CacheModel {
    /// The spec (and Firefox): one entry per method and per header name,
    /// added to what is there, each with its own expiry.
    PerEntry,
    /// Chromium and WebKit: one item per (origin, URL), replaced by each new
    /// preflight and holding that preflight's methods and headers.
    PerUrl,
}

/// A browser's deviations from the spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    /// Whose profile this is.
    pub browser: Browser,
    /// The "imposed limit" on `Access-Control-Max-Age`, in seconds.
    pub max_age_cap: u64,
    /// Whether a `bytes=N-[M]` `Range` is CORS-safelisted (the spec says yes).
    pub range_is_safelisted: bool,
    /// Whether `Access-Control-Allow-Headers: *` covers `Authorization` (the spec says no).
    pub wildcard_covers_authorization: bool,
    /// Whether `fetch()` headers appended twice are judged as one combined
    /// value (`a, b`) rather than one by one as the spec's header list does.
    pub combines_repeated_request_headers: bool,
    /// Whether a cached `*` header entry serves `Authorization` (the spec says no).
    pub cache_wildcard_covers_authorization: bool,
    /// Whether a cached `*` header entry serves any header name at all (the spec says yes).
    pub cache_wildcard_serves_headers: bool,
    /// Whether safelisted values adding up to more than 1024 bytes make them
    /// all unsafe (the spec says yes).
    pub limits_safelisted_total: bool,
    /// Whether a redirect to a URL with a username or password is reported as
    /// a CORS failure (the spec makes it a network error either way).
    pub reports_redirect_credentials_as_cors: bool,
    /// Whether Allow-Methods matches methods case-insensitively (the spec says byte-exact).
    pub method_match_ignores_case: bool,
    /// How the preflight cache stores entries.
    pub cache_model: CacheModel,
    /// Whether a preflight sent after a cross-origin redirect carries the
    /// page's own origin instead of the tainted `null` its request carries
    /// (the spec says `null`).
    pub preflight_origin_ignores_tainting: bool,
    /// Whether a preflight made for a request a cross-origin redirect tainted
    /// (origin `null`) is cached for the next such request (the spec says
    /// yes; Chromium and WebKit key it by a fresh opaque origin, Firefox by
    /// the page's origin).
    pub reuses_null_origin_preflights: bool,
    /// Whether this profile was checked against the real browser here
    /// (Chromium and Firefox ESR run in this project's tests; Safari's
    /// WebCore runs as WebKitGTK, whose network stack is libsoup, not
    /// CFNetwork: the lines that rest on WebKit's source alone are marked
    /// per line in the trace, `RequestTrace::console_from_source`).
    pub verified_in_real_browser: bool,

    // Issue 13 families 4 and 5.
    /// How Local Network Access applies (`None`: the browser has none).
    pub local_network_access: Option<LnaProfile>,
    /// Whether opaque-response blocking refuses a no-cors response to an element.
    pub opaque_response_blocking: bool,
    /// Whether an http URL on `localhost` or a loopback address is mixed
    /// content on an https page (the spec says no: it is potentially trustworthy).
    pub loopback_is_mixed_content: bool,
}

/// The profile of `browser`.
pub fn profile(browser: Browser) -> Profile {
    match browser {
        Browser::Chrome => Profile {
            browser,
            // Browser: Chromium caps Max-Age at 2 hours (preflight_result.cc, since M76).
            max_age_cap: 7200,
            // Chromium 156 safelists `bytes=N-[M]` as the spec says (observed:
            // tests/verify-fixtures/finding-d-range.json; older WPT expectations said otherwise).
            range_is_safelisted: true,
            // Browser: Chromium lets `*` cover Authorization (a DevTools deprecation issue, no console line).
            wildcard_covers_authorization: true,
            // Browser: Chromium's header map combines a repeated fetch() header before
            // classifying it, so two 100-byte Accept values are one 202-byte value that
            // needs a preflight (observed; the spec judges each value on its own).
            combines_repeated_request_headers: true,
            // Browser: … but its preflight cache never serves Authorization from a `*` entry
            // (observed: finding-b-authorization-wildcard.json).
            cache_wildcard_covers_authorization: false,
            cache_wildcard_serves_headers: true,
            // Chromium applies the 1024-byte total, but its combined values pass 128
            // bytes first, so no script reaches the total (not observable).
            limits_safelisted_total: true,
            // Observed: "Redirect location '' contains a username and password…".
            reports_redirect_credentials_as_cors: true,
            // Chromium 156 matches methods byte-exactly (observed: finding-c-method-case.json).
            method_match_ignores_case: false,
            cache_model: CacheModel::PerUrl,
            // Chromium sends `null` on that preflight, as the spec says (observed
            // by verify's wire check on wpt-redirect-cors-to-*-preflight.json).
            preflight_origin_ignores_tainting: false,
            reuses_null_origin_preflights: false,
            verified_in_real_browser: true,
            // Chromium 142+ (observed in 156, FINDINGS-beyond-cors.md §4): reads
            // `targetAddressSpace`, refuses an insecure page at once
            // (`InsecureLocalNetwork`), and prints the refusal as a CORS error.
            local_network_access: Some(LnaProfile {
                honours_target_address_space: true,
                refuses_insecure_contexts: true,
                reported_as_cors: true,
            }),
            opaque_response_blocking: true,
            // Loopback is potentially trustworthy (observed: finding-o-mixed-content.json 6).
            loopback_is_mixed_content: false,
        },
        Browser::Firefox => Profile {
            browser,
            // Browser: Firefox caps Max-Age at 24 hours (nsCORSListenerProxy.cpp;
            // not observable here, see tests/verify-fixtures/FINDINGS-firefox.md).
            max_age_cap: 86_400,
            // Firefox 153 safelists `bytes=N-[M]` as the spec says (observed:
            // finding-d-range.json; older Gecko WPT metadata said otherwise).
            range_is_safelisted: true,
            // Browser: the pref network.cors_preflight.authorization_covered_by_wildcard defaults to true.
            wildcard_covers_authorization: true,
            // Gecko's InternalHeaders keeps repeated headers apart, as the spec does.
            combines_repeated_request_headers: false,
            // Browser: Firefox 153's cache keeps `*` as a literal name that matches no
            // request header, Authorization included (observed: finding-b-authorization-wildcard.json,
            // finding-firefox.json requests 0-1).
            cache_wildcard_covers_authorization: false,
            cache_wildcard_serves_headers: false,
            // Browser: Firefox 153 judges each value alone and has no 1024-byte total
            // (observed: safelisted-headers-over-1024-bytes.json, finding-firefox.json request 2).
            limits_safelisted_total: false,
            // Browser: Firefox 153 fails such a redirect as a plain network error,
            // "CORS request did not succeed" (observed: redirect-with-credentials-in-url.json).
            reports_redirect_credentials_as_cors: false,
            method_match_ignores_case: false,
            cache_model: CacheModel::PerEntry,
            // Browser: Firefox ESR 153 sends the page's origin on a preflight after
            // a cross-origin redirect, though the request itself then carries
            // `null` (observed by verify's wire check on
            // wpt-redirect-cors-to-another-cors-preflight.json and
            // wpt-redirect-cors-to-same-origin-preflight.json).
            preflight_origin_ignores_tainting: true,
            reuses_null_origin_preflights: false,
            verified_in_real_browser: true,
            // Browser: Firefox 153 (on by default: `network.lna.enabled`,
            // `network.lna.blocking`) ignores `targetAddressSpace`, asks an
            // insecure page too (`network.lna.block_insecure_contexts` is false),
            // and reports the refusal as "CORS request did not succeed"
            // (observed, FINDINGS-beyond-cors.md §4).
            local_network_access: Some(LnaProfile {
                honours_target_address_space: false,
                refuses_insecure_contexts: false,
                reported_as_cors: false,
            }),
            opaque_response_blocking: true,
            // Loopback is potentially trustworthy (observed: finding-o-mixed-content.json 6).
            loopback_is_mixed_content: false,
        },
        Browser::Safari => Profile {
            browser,
            // Browser: WebKit caps Max-Age at 10 minutes (CrossOriginPreflightResultCache.cpp).
            max_age_cap: 600,
            range_is_safelisted: true,
            // Browser: WebKit's wildcard matches any header name, Authorization included.
            wildcard_covers_authorization: true,
            // Browser: WebKit's FetchHeaders::append combines into its HTTPHeaderMap.
            combines_repeated_request_headers: true,
            // Browser: WebKit's cached wildcard matches any header name.
            cache_wildcard_covers_authorization: true,
            cache_wildcard_serves_headers: true,
            limits_safelisted_total: true,
            reports_redirect_credentials_as_cors: true,
            method_match_ignores_case: false,
            cache_model: CacheModel::PerUrl,
            // Not modelled: unchecked for WebKit; the spec's `null` is kept.
            preflight_origin_ignores_tainting: false,
            reuses_null_origin_preflights: false,
            // Checked in WebKitGTK 2.50 (tests/verify_webkit.rs,
            // tests/verify-fixtures/FINDINGS-webkit.md).
            verified_in_real_browser: true,
            // Browser: WebKit has no Local Network Access (none in its source
            // searched here), so a public page reaches loopback as before.
            local_network_access: None,
            // Browser: WebKit refuses the no-cors response to the element too
            // (observed in WebKitGTK 2.50: finding-n-corp-orb.json 5,
            // corp-and-orb-block-what-cors-would-not.json 1).
            opaque_response_blocking: true,
            // Browser: WebKit does not count `localhost` or a loopback address
            // over http as potentially trustworthy for mixed content
            // (`MixedContentChecker`, webkit.org/b/171934): an https page's
            // fetch to http://127.0.0.1 is blocked (observed in WebKitGTK 2.50:
            // finding-o-mixed-content.json 6; WebCore, the same in Safari).
            loopback_is_mixed_content: true,
        },
    }
}

/// The max-age when the header is absent or does not parse: "set max-age to 5".
pub(super) const DEFAULT_MAX_AGE: u64 = 5;

/// How long a preflight result may be cached, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MaxAge {
    /// Seconds the result stays usable; 0 means it is not cached.
    pub seconds: u64,
    /// How the value was arrived at.
    pub reason: MaxAgeReason,
}

/// How a browser arrived at a preflight's max-age (rendered by `narrate`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum MaxAgeReason {
    /// No `Access-Control-Max-Age`: the default applies.
    Absent,
    /// An empty value: the default applies.
    Empty,
    /// A value that does not parse: the default applies.
    Unparsable {
        /// The value.
        value: String,
    },
    /// Zero or negative: not cached.
    NotPositive {
        /// The value.
        value: String,
    },
    /// Not all digits (Gecko): not cached.
    NotAllDigits {
        /// The value.
        value: String,
    },
    /// Taken as given.
    Given {
        /// Seconds.
        seconds: u64,
    },
    /// Over the browser's cap.
    Capped {
        /// Seconds as given.
        seconds: u64,
        /// The cap.
        cap: u64,
    },
}

/// [Max-age](https://fetch.spec.whatwg.org/#cors-preflight-fetch-0) step: "Let
/// max-age be the result of extracting header list values given
/// `Access-Control-Max-Age` … If max-age is failure or null, then set max-age
/// to 5. If max-age is greater than an imposed limit on max-age, then set
/// max-age to the imposed limit." Each browser parses the value its own way.
pub(super) fn preflight_max_age(values: &[&str], profile: &Profile) -> MaxAge {
    let cap = profile.max_age_cap;
    let capped = |seconds: u64| {
        if seconds > cap {
            MaxAge {
                seconds: cap,
                reason: MaxAgeReason::Capped { seconds, cap },
            }
        } else {
            MaxAge {
                seconds,
                reason: MaxAgeReason::Given { seconds },
            }
        }
    };
    let default = |reason: MaxAgeReason| MaxAge {
        seconds: DEFAULT_MAX_AGE,
        reason,
    };
    let not_cached = |reason: MaxAgeReason| MaxAge { seconds: 0, reason };
    let value = match values {
        [] => return default(MaxAgeReason::Absent),
        [one] => *one,
        _ => values.first().copied().unwrap_or_default(),
    };
    let owned = || value.to_owned();
    let digits_only = !value.is_empty() && value.chars().all(|c| c.is_ascii_digit());
    match profile.browser {
        Browser::Chrome => {
            // Browser: Chromium parses a signed integer; failure (an empty value
            // included, observed in finding-f-max-age.json) gives the default, and
            // a negative value is not cached.
            if value.is_empty() {
                default(MaxAgeReason::Empty)
            } else if let Ok(seconds) = value.parse::<i64>() {
                if seconds <= 0 {
                    not_cached(MaxAgeReason::NotPositive { value: owned() })
                } else {
                    capped(seconds.unsigned_abs())
                }
            } else if digits_only {
                capped(u64::MAX)
            } else {
                default(MaxAgeReason::Unparsable { value: owned() })
            }
        }
        Browser::Firefox => {
            // Browser: Gecko accepts digits only; any other character aborts caching,
            // while an empty value gives the default.
            if value.is_empty() {
                default(MaxAgeReason::Empty)
            } else if digits_only {
                let seconds = value.parse::<u64>().unwrap_or(u64::MAX);
                if seconds == 0 {
                    not_cached(MaxAgeReason::NotPositive { value: owned() })
                } else {
                    capped(seconds)
                }
            } else {
                not_cached(MaxAgeReason::NotAllDigits { value: owned() })
            }
        }
        Browser::Safari => {
            // Browser: WebKit parses a signed integer; a negative value expires at once.
            match value.parse::<i64>() {
                Ok(seconds) if seconds <= 0 => {
                    not_cached(MaxAgeReason::NotPositive { value: owned() })
                }
                Ok(seconds) => capped(seconds.unsigned_abs()),
                Err(_) => default(MaxAgeReason::Unparsable { value: owned() }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seconds(browser: Browser, values: &[&str]) -> u64 {
        preflight_max_age(values, &profile(browser)).seconds
    }

    #[test]
    fn max_age_per_browser() {
        use Browser::*;
        let cases: [(&[&str], [u64; 3]); 8] = [
            (&[], [5, 5, 5]),
            (&["86400"], [7200, 86_400, 600]),
            (&["600"], [600, 600, 600]),
            (&["0"], [0, 0, 0]),
            (&["-1"], [0, 0, 0]),
            (&["abc"], [5, 0, 5]),
            (&[""], [5, 5, 5]),
            (&["99999999999999999999999"], [7200, 86_400, 5]),
        ];
        for (values, [chrome, firefox, safari]) in cases {
            assert_eq!(seconds(Chrome, values), chrome, "chrome {values:?}");
            assert_eq!(seconds(Firefox, values), firefox, "firefox {values:?}");
            assert_eq!(seconds(Safari, values), safari, "safari {values:?}");
        }
    }
}
