//! Which request headers a script may send without a preflight.

use serde::Serialize;

use super::browser::Profile;
use super::headers::{byte_length, HeaderList};

/// Why a request header is not CORS-safelisted: the rule a learner must see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "kebab-case")]
pub enum UnsafeReason {
    /// The name is not one of the five safelisted names.
    NameNotSafelisted,
    /// The value is longer than 128 bytes.
    ValueTooLong {
        /// The value's length in bytes.
        length: usize,
    },
    /// The value contains a CORS-unsafe request-header byte.
    UnsafeByte {
        /// The first offending character.
        byte: char,
        /// Its 0-based byte position.
        position: usize,
    },
    /// `Content-Type` does not parse as a MIME type.
    MimeUnparsable,
    /// `Content-Type`'s essence is not one of the three form types.
    MimeEssence {
        /// The parsed essence, e.g. `application/json`.
        essence: String,
    },
    /// `Range` is not a single `bytes=start-[end]` range.
    RangeNotSimple,
    /// The browser never safelists `Range` (Firefox).
    RangeNotSafelistedByBrowser,
    /// The safelisted values add up to more than 1024 bytes.
    TotalTooLong {
        /// The sum of the safelisted values' lengths.
        total: usize,
    },
}

/// [CORS-unsafe request-header byte](https://fetch.spec.whatwg.org/#cors-unsafe-request-header-byte):
/// "a byte less than 0x20 and is not 0x09 HT, or is 0x22 ("), 0x28 (left
/// parenthesis), 0x29 (right parenthesis), 0x3A (:), 0x3C (<), 0x3E (>), 0x3F
/// (?), 0x40 (@), 0x5B ([), 0x5C (\), 0x5D (]), 0x7B ({), 0x7D (}), or 0x7F DEL."
pub(super) fn is_cors_unsafe_request_header_byte(c: char) -> bool {
    (c < '\u{20}' && c != '\t') || "\"():<>?@[\\]{}\u{7f}".contains(c)
}

fn first_unsafe_byte(value: &str) -> Option<UnsafeReason> {
    value
        .chars()
        .enumerate()
        .find(|(_, c)| is_cors_unsafe_request_header_byte(*c))
        .map(|(position, byte)| UnsafeReason::UnsafeByte { byte, position })
}

/// [CORS-safelisted request-header](https://fetch.spec.whatwg.org/#cors-safelisted-request-header):
/// `Ok` when safelisted, otherwise the rule that fails.
pub fn check_cors_safelisted_request_header(
    name: &str,
    value: &str,
    profile: &Profile,
) -> Result<(), UnsafeReason> {
    // Step 1: "If value's length is greater than 128, then return false."
    let length = byte_length(value);
    if length > 128 {
        return Err(UnsafeReason::ValueTooLong { length });
    }
    match name.to_ascii_lowercase().as_str() {
        // "`accept`: If value contains a CORS-unsafe request-header byte, then return false."
        "accept" => first_unsafe_byte(value).map_or(Ok(()), Err),
        // "`accept-language`, `content-language`: If value contains a byte that is
        // not in the range 0x30 (0) to 0x39 (9), inclusive, is not in the range
        // 0x41 (A) to 0x5A (Z), inclusive, is not in the range 0x61 (a) to 0x7A
        // (z), inclusive, and is not 0x20 SP, 0x2A (*), 0x2C (,), 0x2D (-), 0x2E
        // (.), 0x3B (;), or 0x3D (=), then return false."
        "accept-language" | "content-language" => value
            .chars()
            .enumerate()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || " *,-.;=".contains(*c)))
            .map_or(Ok(()), |(position, byte)| {
                Err(UnsafeReason::UnsafeByte { byte, position })
            }),
        "content-type" => check_content_type(value),
        "range" => {
            // Chromium 156, Firefox 153 (both observed) and WebKit follow the
            // spec; the profile field keeps the switch for older browsers.
            if !profile.range_is_safelisted {
                return Err(UnsafeReason::RangeNotSafelistedByBrowser);
            }
            match parse_single_range_header_value(value) {
                Some((Some(_), _)) => Ok(()),
                _ => Err(UnsafeReason::RangeNotSimple),
            }
        }
        _ => Err(UnsafeReason::NameNotSafelisted),
    }
}

/// The `content-type` clause: no unsafe byte, parses with
/// [parse a MIME type](https://mimesniff.spec.whatwg.org/#parse-a-mime-type),
/// and the essence is `application/x-www-form-urlencoded`,
/// `multipart/form-data` or `text/plain`.
fn check_content_type(value: &str) -> Result<(), UnsafeReason> {
    if let Some(unsafe_byte) = first_unsafe_byte(value) {
        return Err(unsafe_byte);
    }
    let mime: data_url::mime::Mime = value.parse().map_err(|_| UnsafeReason::MimeUnparsable)?;
    let essence = format!("{}/{}", mime.type_, mime.subtype);
    match essence.as_str() {
        "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain" => Ok(()),
        _ => Err(UnsafeReason::MimeEssence { essence }),
    }
}

/// [Parse a single range header value](https://fetch.spec.whatwg.org/#simple-range-header-value)
/// with allowWhitespace false: `bytes=` then optional digits, `-`, optional
/// digits, and nothing else. Returns (start, end).
pub(super) fn parse_single_range_header_value(value: &str) -> Option<(Option<u64>, Option<u64>)> {
    let rest = value.strip_prefix("bytes=")?;
    let (start, end) = rest.split_once('-')?;
    let digits = |text: &str| -> Option<Option<u64>> {
        if text.is_empty() {
            Some(None)
        } else if text.chars().all(|c| c.is_ascii_digit()) {
            text.parse().ok().map(Some)
        } else {
            None
        }
    };
    let (start, end) = (digits(start)?, digits(end)?);
    match (start, end) {
        (None, None) => None,
        (Some(s), Some(e)) if s > e => None,
        range => Some(range),
    }
}

/// One name from [CORS-unsafe request-header names](https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names),
/// with the rule that put it there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnsafeHeader {
    /// Lower-cased header name.
    pub name: String,
    /// The value that was judged.
    pub value: String,
    /// Why it is unsafe.
    pub reason: UnsafeReason,
}

/// [CORS-unsafe request-header names](https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names):
/// the unsafe headers, then (when the safelisted values add up to more than
/// 1024 bytes) the safelisted ones too; sorted by lower-cased name, one entry
/// per name (the first reason found).
pub(super) fn cors_unsafe_request_header_names(
    headers: &HeaderList,
    profile: &Profile,
) -> Vec<UnsafeHeader> {
    let mut unsafe_headers = Vec::new();
    let mut safelisted = Vec::new();
    let mut safelist_value_size = 0;
    for (name, value) in &headers.0 {
        // "If header is not a CORS-safelisted request-header, then append header's name to unsafeNames."
        match check_cors_safelisted_request_header(name, value, profile) {
            Ok(()) => {
                // "Otherwise, set safelistValueSize to safelistValueSize + header's value's length."
                safelist_value_size += byte_length(value);
                safelisted.push((name, value));
            }
            Err(reason) => unsafe_headers.push(UnsafeHeader {
                name: name.to_ascii_lowercase(),
                value: value.clone(),
                reason,
            }),
        }
    }
    // "If safelistValueSize is greater than 1024, then for each name of potentillyUnsafeNames, append name to unsafeNames."
    // Browser: Firefox has no such total (profile.limits_safelisted_total).
    if safelist_value_size > 1024 && profile.limits_safelisted_total {
        unsafe_headers.extend(safelisted.into_iter().map(|(name, value)| UnsafeHeader {
            name: name.to_ascii_lowercase(),
            value: value.clone(),
            reason: UnsafeReason::TotalTooLong {
                total: safelist_value_size,
            },
        }));
    }
    // "Return the result of convert header names to a sorted-lowercase set with unsafeNames."
    unsafe_headers.sort_by(|a, b| a.name.cmp(&b.name));
    unsafe_headers.dedup_by(|later, earlier| later.name == earlier.name);
    unsafe_headers
}

/// The `Access-Control-Request-Headers` value: names joined by a bare comma.
/// Only the tests join names here; `preflight::preflight_request_headers`
/// builds the value the engine sends.
#[cfg(test)]
fn request_headers_value(unsafe_headers: &[UnsafeHeader]) -> String {
    unsafe_headers
        .iter()
        .map(|h| h.name.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::browser::profile;
    use crate::scenario::Browser;

    fn safelisted(name: &str, value: &str) -> bool {
        check_cors_safelisted_request_header(name, value, &profile(Browser::Safari)).is_ok()
    }

    #[test]
    fn content_type_uses_real_mime_parsing() {
        for (value, want) in [
            ("text/plain", true),
            ("Text/Plain;charset=utf-8", true),
            ("text/plain;", true),
            ("text/plain;garbage", true),
            ("multipart/form-data; boundary=x", true),
            ("application/x-www-form-urlencoded", true),
            ("application/json", false),
            ("text/html", false),
            ("application/www-form-urlencoded", false),
            ("text/plain,x/x", false),
            ("text /plain", false),
            ("text/plain; charset=\"utf-8\"", false),
        ] {
            assert_eq!(safelisted("Content-Type", value), want, "{value}");
        }
    }

    #[test]
    fn value_limit_is_128_bytes_inclusive() {
        assert!(safelisted("accept", &"a".repeat(128)));
        assert!(!safelisted("accept", &"a".repeat(129)));
    }

    #[test]
    fn language_headers_allow_a_narrow_byte_set() {
        assert!(safelisted("Accept-Language", "en-US,en;q=0.9"));
        assert!(!safelisted("Accept-Language", "nn_NO"));
        assert!(!safelisted("Content-Language", "@"));
    }

    #[test]
    fn accept_rejects_unsafe_bytes() {
        assert!(safelisted("Accept", "text/html, */*"));
        assert!(!safelisted("Accept", "text/html(x)"));
        assert!(!safelisted("Accept", "a\u{1}"));
        assert!(safelisted("Accept", "a\tb"));
    }

    #[test]
    fn range_must_be_one_range_with_a_start() {
        for (value, want) in [
            ("bytes=100-200", true),
            ("bytes=200-", true),
            ("bytes=0-", true),
            ("bytes=-500", false),
            ("bytes 0-", false),
            ("bytes =100-200", false),
            ("bytes=100-200,300-400", false),
            ("bytes=200-100", false),
            ("BYTES=100-200", false),
            ("bytes=abc-def", false),
        ] {
            assert_eq!(safelisted("Range", value), want, "{value}");
        }
        let older = Profile {
            range_is_safelisted: false,
            ..profile(Browser::Firefox)
        };
        assert_eq!(
            check_cors_safelisted_request_header("Range", "bytes=0-", &older),
            Err(UnsafeReason::RangeNotSafelistedByBrowser)
        );
    }

    #[test]
    fn unsafe_names_are_sorted_lowercased_and_unique() {
        let headers = HeaderList(vec![
            ("X-Test-Header1".into(), "a".into()),
            ("x-test-header-a".into(), "b".into()),
            ("X-TEST-HEADER1".into(), "c".into()),
            ("Accept".into(), "*/*".into()),
        ]);
        let names = cors_unsafe_request_header_names(&headers, &profile(Browser::Chrome));
        assert_eq!(
            request_headers_value(&names),
            "x-test-header-a,x-test-header1"
        );
    }

    #[test]
    fn safelisted_values_over_1024_bytes_in_total_become_unsafe() {
        let value = "a".repeat(128);
        let mut headers = HeaderList::default();
        for _ in 0..8 {
            headers.append("Accept", &value);
        }
        assert!(cors_unsafe_request_header_names(&headers, &profile(Browser::Chrome)).is_empty());
        headers.append("Content-Language", "a");
        let names = cors_unsafe_request_header_names(&headers, &profile(Browser::Chrome));
        assert_eq!(request_headers_value(&names), "accept,content-language");
        // Firefox 153 judges each value alone: no total.
        assert!(cors_unsafe_request_header_names(&headers, &profile(Browser::Firefox)).is_empty());
    }
}
