//! Request methods: validity, forbidden methods, normalisation, safelisting.

use super::headers::is_token;

/// A [method](https://fetch.spec.whatwg.org/#concept-method) is a token.
pub(super) fn is_valid_method(method: &str) -> bool {
    is_token(method)
}

/// [Forbidden method](https://fetch.spec.whatwg.org/#forbidden-method):
/// `CONNECT`, `TRACE` or `TRACK`, byte-case-insensitively.
pub(super) fn is_forbidden_method(method: &str) -> bool {
    ["CONNECT", "TRACE", "TRACK"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method))
}

/// [Normalize](https://fetch.spec.whatwg.org/#concept-method-normalize):
/// "If method is a byte-case-insensitive match for `DELETE`, `GET`, `HEAD`,
/// `OPTIONS`, `POST`, or `PUT`, byte-uppercase it." No other method changes,
/// so `patch` stays `patch`.
pub fn normalize_method(method: &str) -> String {
    let normalized = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]
        .iter()
        .find(|m| m.eq_ignore_ascii_case(method));
    match normalized {
        Some(upper) => (*upper).to_owned(),
        None => method.to_owned(),
    }
}

/// [CORS-safelisted method](https://fetch.spec.whatwg.org/#cors-safelisted-method):
/// exactly `GET`, `HEAD` or `POST` (case-sensitive, after normalisation).
pub(super) fn is_cors_safelisted_method(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "POST")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_six_methods_are_upper_cased() {
        for (input, want) in [
            ("get", "GET"),
            ("Post", "POST"),
            ("delete", "DELETE"),
            ("options", "OPTIONS"),
            ("patch", "patch"),
            ("PATCH", "PATCH"),
            ("chicken", "chicken"),
        ] {
            assert_eq!(normalize_method(input), want);
        }
    }

    #[test]
    fn forbidden_and_safelisted_methods() {
        assert!(is_forbidden_method("connect"));
        assert!(is_forbidden_method("TrAcK"));
        assert!(!is_forbidden_method("PATCH"));
        assert!(is_cors_safelisted_method("POST"));
        assert!(!is_cors_safelisted_method("post"));
        assert!(!is_cors_safelisted_method("PUT"));
        assert!(!is_valid_method("GE T"));
    }
}
