//! Origins: tuple or opaque, serialisation, and a part-by-part comparison.
//!
//! Parsing and host handling (default ports, IDN to punycode, IPv6) come from
//! the `url` crate; this module only adds the opaque `null` page and the
//! breakdown a learner sees.

use serde::Serialize;
use url::Url;

/// An [origin](https://html.spec.whatwg.org/multipage/browsers.html#concept-origin).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// An opaque origin (sandboxed frame, `file:` page): serialises as `null`
    /// and is never same origin with anything, not even itself.
    Opaque,
    /// A (scheme, host, port) tuple.
    Tuple(url::Origin),
}

impl Origin {
    /// The origin of a page as a scenario writes it: `"null"` or `scheme://host[:port]`.
    pub fn parse_page(text: &str) -> Result<Origin, String> {
        if text == "null" {
            return Ok(Origin::Opaque);
        }
        let url = Url::parse(text).map_err(|e| format!("`page` {text:?} is not an origin: {e}"))?;
        Ok(Origin::of_url(&url))
    }

    /// The [origin of a URL](https://url.spec.whatwg.org/#concept-url-origin).
    pub fn of_url(url: &Url) -> Origin {
        match url.origin() {
            origin @ url::Origin::Tuple(..) => Origin::Tuple(origin),
            url::Origin::Opaque(_) => Origin::Opaque,
        }
    }

    /// [ASCII serialization of an origin](https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin):
    /// no trailing slash, default port omitted, `null` when opaque.
    pub fn serialize(&self) -> String {
        match self {
            Origin::Opaque => "null".to_owned(),
            Origin::Tuple(origin) => origin.ascii_serialization(),
        }
    }

    /// The same origin with IDN hosts in Unicode, for display only.
    pub fn display(&self) -> String {
        match self {
            Origin::Opaque => "null".to_owned(),
            Origin::Tuple(origin) => origin.unicode_serialization(),
        }
    }

    /// [Same origin](https://html.spec.whatwg.org/multipage/browsers.html#same-origin):
    /// tuples with equal scheme, host and port; opaque origins only with
    /// themselves, and this model never keeps two handles to one opaque origin.
    pub fn is_same_origin(&self, other: &Origin) -> bool {
        match (self, other) {
            (Origin::Tuple(a), Origin::Tuple(b)) => a == b,
            _ => false,
        }
    }

    /// Scheme, host and effective port, for the breakdown.
    pub fn parts(&self) -> Option<OriginParts> {
        match self {
            Origin::Opaque => None,
            Origin::Tuple(url::Origin::Tuple(scheme, host, port)) => Some(OriginParts {
                scheme: scheme.clone(),
                host: host.to_string(),
                port: *port,
            }),
            Origin::Tuple(url::Origin::Opaque(_)) => None,
        }
    }
}

/// The three parts of a tuple origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OriginParts {
    /// Lower-case scheme.
    pub scheme: String,
    /// Host as serialised (punycode for IDN, brackets for IPv6).
    pub host: String,
    /// Port, with the scheme's default filled in.
    pub port: u16,
}

/// Which part of two origins differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OriginPart {
    /// `http` vs `https`.
    Scheme,
    /// `app.example.com` vs `api.example.com`.
    Host,
    /// `:443` vs `:8443`.
    Port,
    /// One side is opaque (`null`).
    Opaque,
}

/// A side-by-side comparison of the page origin and a request's origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OriginComparison {
    /// The page's origin, serialised.
    pub page: String,
    /// The target URL's origin, serialised.
    pub target: String,
    /// The page's parts (absent when opaque).
    pub page_parts: Option<OriginParts>,
    /// The target's parts (absent when opaque).
    pub target_parts: Option<OriginParts>,
    /// Every part that differs; empty when same origin.
    pub differs: Vec<OriginPart>,
}

/// Compares two origins part by part, naming each part that differs.
pub(super) fn compare_origins(page: &Origin, target: &Origin) -> OriginComparison {
    let (page_parts, target_parts) = (page.parts(), target.parts());
    let differs = match (&page_parts, &target_parts) {
        (Some(a), Some(b)) => {
            let mut parts = Vec::new();
            if a.scheme != b.scheme {
                parts.push(OriginPart::Scheme);
            }
            if a.host != b.host {
                parts.push(OriginPart::Host);
            }
            if a.port != b.port {
                parts.push(OriginPart::Port);
            }
            parts
        }
        _ => vec![OriginPart::Opaque],
    };
    OriginComparison {
        page: page.serialize(),
        target: target.serialize(),
        page_parts,
        target_parts,
        differs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(text: &str) -> Origin {
        Origin::parse_page(text).unwrap_or(Origin::Opaque)
    }

    #[test]
    fn serialisation_drops_default_port_and_trailing_slash() {
        for (input, serialized) in [
            ("https://app.example.com", "https://app.example.com"),
            ("https://app.example.com:443", "https://app.example.com"),
            ("HTTPS://APP.example.com/", "https://app.example.com"),
            ("http://app.example.com:8080", "http://app.example.com:8080"),
            ("https://bücher.example", "https://xn--bcher-kva.example"),
            ("http://[::1]:3000", "http://[::1]:3000"),
            ("null", "null"),
        ] {
            assert_eq!(origin(input).serialize(), serialized, "{input}");
        }
    }

    #[test]
    fn comparison_names_each_differing_part() {
        let cases = [
            ("https://a.example", "https://a.example:443", vec![]),
            (
                "https://a.example",
                "http://a.example",
                vec![OriginPart::Scheme, OriginPart::Port],
            ),
            (
                "https://a.example",
                "https://b.example",
                vec![OriginPart::Host],
            ),
            (
                "https://a.example",
                "https://a.example:8443",
                vec![OriginPart::Port],
            ),
            ("null", "https://a.example", vec![OriginPart::Opaque]),
        ];
        for (a, b, want) in cases {
            assert_eq!(
                compare_origins(&origin(a), &origin(b)).differs,
                want,
                "{a} vs {b}"
            );
        }
    }

    #[test]
    fn opaque_is_not_same_origin_even_with_itself() {
        assert!(!Origin::Opaque.is_same_origin(&Origin::Opaque));
        assert!(origin("https://a.example").is_same_origin(&origin("https://a.example:443")));
    }

    #[test]
    fn unicode_display_keeps_idn() {
        assert_eq!(
            origin("https://bücher.example").display(),
            "https://bücher.example"
        );
    }
}
