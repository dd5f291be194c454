//! Header lists and the parsing rules Fetch applies to them.

use serde::Serialize;

/// A [header list](https://fetch.spec.whatwg.org/#concept-header-list): ordered
/// `(name, value)` pairs whose names may repeat.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HeaderList(pub Vec<(String, String)>);

impl HeaderList {
    /// A list from `[name, value]` pairs.
    pub fn from_pairs(pairs: &[(String, String)]) -> HeaderList {
        HeaderList(pairs.to_vec())
    }

    /// [Contains](https://fetch.spec.whatwg.org/#header-list-contains): a
    /// byte-case-insensitive name match.
    pub fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    /// [Get](https://fetch.spec.whatwg.org/#concept-header-list-get): every
    /// value with that name, joined by `, `; `None` when absent.
    pub fn get(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self.values(name).collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    /// Each value with that name, in order.
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// How many header lines carry that name.
    pub fn count(&self, name: &str) -> usize {
        self.values(name).count()
    }

    /// [Append](https://fetch.spec.whatwg.org/#concept-header-list-append).
    pub fn append(&mut self, name: &str, value: &str) {
        self.0.push((name.to_owned(), value.to_owned()));
    }

    /// [Combine](https://fetch.spec.whatwg.org/#concept-header-list-combine):
    /// appends `, value` to the first header with that name, or appends.
    pub fn combine(&mut self, name: &str, value: &str) {
        match self
            .0
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some((_, existing)) => {
                existing.push_str(", ");
                existing.push_str(value);
            }
            None => self.append(name, value),
        }
    }

    /// [Delete](https://fetch.spec.whatwg.org/#concept-header-list-delete).
    pub fn delete(&mut self, name: &str) {
        self.0.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// Replaces every header of that name with one header.
    pub fn set(&mut self, name: &str, value: &str) {
        match self
            .0
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some(first) => {
                if let Some(slot) = self.0.get_mut(first) {
                    slot.1 = value.to_owned();
                }
                let mut index = 0;
                self.0.retain(|(n, _)| {
                    let keep = index <= first || !n.eq_ignore_ascii_case(name);
                    index += 1;
                    keep
                });
            }
            None => self.append(name, value),
        }
    }

    /// The distinct header names, lower-cased, in first-seen order.
    pub fn unique_lowercase_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for (name, _) in &self.0 {
            let lower = name.to_ascii_lowercase();
            if !names.contains(&lower) {
                names.push(lower);
            }
        }
        names
    }
}

/// A [token](https://httpwg.org/specs/rfc9110.html#tokens) character: the
/// bytes allowed in methods and header names.
pub(super) fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// One or more token characters.
pub(super) fn is_token(text: &str) -> bool {
    !text.is_empty() && text.chars().all(is_token_char)
}

/// [Header name](https://fetch.spec.whatwg.org/#header-name): a token.
pub(super) fn is_valid_header_name(name: &str) -> bool {
    is_token(name)
}

/// [Header value](https://fetch.spec.whatwg.org/#header-value) after
/// normalisation: no NUL, LF or CR, and no code point above U+00FF (a JS
/// string must be a ByteString).
pub(super) fn is_valid_header_value(value: &str) -> bool {
    value
        .chars()
        .all(|c| c != '\0' && c != '\n' && c != '\r' && u32::from(c) <= 0xFF)
}

/// [Normalize](https://fetch.spec.whatwg.org/#concept-header-value-normalize):
/// strip leading and trailing HTTP whitespace (tab, LF, CR, space).
pub(super) fn normalize_header_value(value: &str) -> &str {
    value.trim_matches(|c| matches!(c, '\t' | '\n' | '\r' | ' '))
}

/// The byte length of a header value as the browser sends it (isomorphic
/// encoding: one byte per code point up to U+00FF).
pub(super) fn byte_length(value: &str) -> usize {
    value.chars().count()
}

/// The result of [extract header list values](https://fetch.spec.whatwg.org/#extract-header-list-values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ListValues {
    /// The header is absent.
    Null,
    /// A value does not parse; carries the first offending element.
    Failure(String),
    /// The parsed elements of every header line, in order.
    Values(Vec<String>),
}

/// [Extract header list values](https://fetch.spec.whatwg.org/#extract-header-list-values)
/// for a `#token` list header (Allow-Methods, Allow-Headers, Expose-Headers):
/// elements separated by `,` with optional spaces and tabs; empty elements are
/// ignored; every other element must be a token.
pub(super) fn extract_header_list_values(headers: &HeaderList, name: &str) -> ListValues {
    if !headers.contains(name) {
        return ListValues::Null;
    }
    let mut values = Vec::new();
    for line in headers.values(name) {
        for element in line.split(',') {
            let element = element.trim_matches(|c| c == ' ' || c == '\t');
            if element.is_empty() {
                continue;
            }
            if !is_token(element) {
                return ListValues::Failure(element.to_owned());
            }
            values.push(element.to_owned());
        }
    }
    ListValues::Values(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(pairs: &[(&str, &str)]) -> HeaderList {
        HeaderList(
            pairs
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn get_joins_repeated_headers_with_comma_space() {
        let h = list(&[
            ("Access-Control-Allow-Origin", "*"),
            ("access-control-allow-origin", "*"),
        ]);
        assert_eq!(
            h.get("ACCESS-CONTROL-ALLOW-ORIGIN").as_deref(),
            Some("*, *")
        );
        assert_eq!(h.get("x"), None);
    }

    #[test]
    fn combine_appends_to_the_first_header() {
        let mut h = list(&[("Accept", "a")]);
        h.combine("accept", "b");
        assert_eq!(h.0, vec![("Accept".to_owned(), "a, b".to_owned())]);
    }

    #[test]
    fn list_extraction_follows_the_abnf() {
        let cases: [(&[(&str, &str)], ListValues); 7] = [
            (&[], ListValues::Null),
            (
                &[("X", "a, b")],
                ListValues::Values(vec!["a".into(), "b".into()]),
            ),
            (
                &[("X", ",a,, b ,")],
                ListValues::Values(vec!["a".into(), "b".into()]),
            ),
            (
                &[("X", "a"), ("X", "")],
                ListValues::Values(vec!["a".into()]),
            ),
            (
                &[("X", "bad value")],
                ListValues::Failure("bad value".into()),
            ),
            (&[("X", "\"bb-8\"")], ListValues::Failure("\"bb-8\"".into())),
            (
                &[("X", "'bb-8'")],
                ListValues::Values(vec!["'bb-8'".into()]),
            ),
        ];
        for (pairs, want) in cases {
            assert_eq!(
                extract_header_list_values(&list(pairs), "x"),
                want,
                "{pairs:?}"
            );
        }
    }

    #[test]
    fn header_name_and_value_validity() {
        assert!(is_valid_header_name("X-Custom_1"));
        assert!(!is_valid_header_name("x y"));
        assert!(!is_valid_header_name(""));
        assert!(!is_valid_header_name("x:y"));
        assert!(is_valid_header_value("a\tb"));
        assert!(!is_valid_header_value("a\nb"));
        assert!(!is_valid_header_value("snowman ☃"));
    }
}
