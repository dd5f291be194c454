//! What the script can read of a response.

use super::headers::{extract_header_list_values, HeaderList, ListValues};

/// [CORS-safelisted response-header names](https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name).
const SAFELISTED: [&str; 7] = [
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];

/// [Forbidden response-header name](https://fetch.spec.whatwg.org/#forbidden-response-header-name).
fn is_forbidden_response_header_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("set-cookie") || name.eq_ignore_ascii_case("set-cookie2")
}

/// The distinct lower-cased header names the script can read, sorted.
///
/// A basic (same-origin) response shows every header but `Set-Cookie`; a
/// [CORS filtered response](https://fetch.spec.whatwg.org/#concept-filtered-response-cors)
/// shows the safelisted names plus the
/// [CORS-exposed header-name list](https://fetch.spec.whatwg.org/#concept-response-cors-exposed-header-name-list):
/// "If request's credentials mode is not "include" and headerNames contains
/// `*`, then set response's CORS-exposed header-name list to all unique header
/// names in response's header list."
pub(super) fn readable_header_names(
    headers: &HeaderList,
    cors: bool,
    credentials: bool,
) -> Vec<String> {
    let all = headers.unique_lowercase_names();
    let exposed: Vec<String> =
        match extract_header_list_values(headers, "Access-Control-Expose-Headers") {
            ListValues::Values(names) if !credentials && names.iter().any(|n| n == "*") => {
                all.clone()
            }
            ListValues::Values(names) => names.iter().map(|n| n.to_ascii_lowercase()).collect(),
            ListValues::Null | ListValues::Failure(_) => Vec::new(),
        };
    let mut readable: Vec<String> = all
        .into_iter()
        .filter(|name| !is_forbidden_response_header_name(name))
        .filter(|name| !cors || SAFELISTED.contains(&name.as_str()) || exposed.contains(name))
        .collect();
    readable.sort();
    readable
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(pairs: &[(&str, &str)], cors: bool, credentials: bool) -> Vec<String> {
        let list = HeaderList(
            pairs
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        );
        readable_header_names(&list, cors, credentials)
    }

    #[test]
    fn expose_headers_and_the_wildcard() {
        let response = [
            ("Content-Type", "text/plain"),
            ("X-Total", "3"),
            ("Set-Cookie", "a=1"),
            ("Access-Control-Expose-Headers", "*"),
        ];
        assert_eq!(
            names(&response, true, false),
            vec!["access-control-expose-headers", "content-type", "x-total"]
        );
        assert_eq!(names(&response, true, true), vec!["content-type"]);
        assert_eq!(
            names(&response, false, true),
            vec!["access-control-expose-headers", "content-type", "x-total"]
        );
    }

    #[test]
    fn unparsable_expose_list_exposes_nothing_extra() {
        let response = [
            ("X-A", "1"),
            ("Access-Control-Expose-Headers", "x-a, no no"),
        ];
        assert!(names(&response, true, false).is_empty());
        let listed = [("X-A", "1"), ("Access-Control-Expose-Headers", "X-A")];
        assert_eq!(names(&listed, true, false), vec!["x-a"]);
    }
}
