//! What guards a no-cors response beyond CORS (issue 13, family 5): the
//! [cross-origin resource policy check](https://fetch.spec.whatwg.org/#cross-origin-resource-policy-check)
//! (the response's `Cross-Origin-Resource-Policy`, defaulted by the page's
//! [`Cross-Origin-Embedder-Policy`](https://html.spec.whatwg.org/multipage/browsers.html#coep)),
//! and [opaque-response blocking](https://github.com/annevk/orb) (ORB),
//! which keeps JSON, HTML and other data out of `<img>` and `<script>`.

use serde::Serialize;
use url::Url;

use super::headers::HeaderList;
use crate::scenario::EmbedderPolicy;

/// A `Cross-Origin-Resource-Policy` value that can block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CorpPolicy {
    /// `same-origin`.
    SameOrigin,
    /// `same-site`.
    SameSite,
}

impl CorpPolicy {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            CorpPolicy::SameOrigin => "same-origin",
            CorpPolicy::SameSite => "same-site",
        }
    }
}

/// What the check decided, as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CorpCheck {
    /// The header as received (`None` when absent).
    pub header: Option<String>,
    /// The policy applied (`None`: nothing restricts the response).
    pub policy: Option<CorpPolicy>,
    /// Whether the page's COEP `require-corp` supplied the policy.
    pub defaulted_by_coep: bool,
    /// Whether it blocks.
    pub blocked: bool,
}

/// The [cross-origin resource policy internal check](https://fetch.spec.whatwg.org/#cross-origin-resource-policy-internal-check)
/// for a (not navigation) response from `response_url`, requested by `origin`
/// (`None`: opaque) under the page's `embedder` policy.
pub fn cross_origin_resource_policy_check(
    origin: Option<&Url>,
    embedder: EmbedderPolicy,
    response_url: &Url,
    headers: &HeaderList,
) -> CorpCheck {
    // "2. Let policy be the result of getting `Cross-Origin-Resource-Policy` from response's header list."
    let header = headers.get("Cross-Origin-Resource-Policy");
    // "3. If policy is neither `same-origin`, `same-site`, nor `cross-origin`, then set policy to null."
    let mut policy = match header.as_deref() {
        Some("same-origin") => Some(CorpPolicy::SameOrigin),
        Some("same-site") => Some(CorpPolicy::SameSite),
        _ => None,
    };
    let explicit = matches!(
        header.as_deref(),
        Some("same-origin" | "same-site" | "cross-origin")
    );
    // "4. If policy is null, then switch on embedderPolicyValue: … "require-corp": Set policy to `same-origin`."
    // Not modelled: "credentialless".
    let defaulted_by_coep = !explicit && embedder == EmbedderPolicy::RequireCorp;
    if defaulted_by_coep {
        policy = Some(CorpPolicy::SameOrigin);
    }
    // "5. Switch on policy: null, `cross-origin`: Return allowed. `same-origin`: If origin is same origin with response's URL's origin, then return allowed. Otherwise, return blocked. `same-site`: If … origin is schemelessly same site with response's URL's origin [and] origin's scheme is "https" or response's URL's scheme is not "https" then return allowed."
    let blocked = match policy {
        None => false,
        Some(CorpPolicy::SameOrigin) => {
            origin.is_none_or(|origin| origin.origin() != response_url.origin())
        }
        Some(CorpPolicy::SameSite) => origin.is_none_or(|origin| {
            !(is_schemelessly_same_site(origin, response_url)
                && (origin.scheme() == "https" || response_url.scheme() != "https"))
        }),
    };
    CorpCheck {
        header,
        policy,
        defaulted_by_coep,
        blocked,
    }
}

/// [Schemelessly same site](https://html.spec.whatwg.org/multipage/browsers.html#schemelessly-same-site),
/// with the registrable domain taken as the last two labels.
/// Not modelled: the Public Suffix List (e.g. `co.uk`, `github.io`).
fn is_schemelessly_same_site(a: &Url, b: &Url) -> bool {
    let site = |url: &Url| -> Option<String> {
        let host = url.host_str()?;
        if url.domain().is_none() {
            return Some(host.to_owned());
        }
        let labels: Vec<&str> = host.trim_end_matches('.').rsplitn(3, '.').collect();
        Some(match labels.as_slice() {
            [tld, name, ..] => format!("{name}.{tld}"),
            _ => host.to_owned(),
        })
    };
    site(a).is_some() && site(a) == site(b)
}

/// Why ORB refused a response: the step of
/// [ORB's algorithm](https://github.com/annevk/orb#orbs-algorithm) that returned false.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum OrbReason {
    /// "If mimeType is an opaque-blocklisted-never-sniffed MIME type, then return false."
    NeverSniffed {
        /// The MIME type's essence.
        mime: String,
    },
    /// "If nosniff is true and mimeType is an opaque-blocklisted MIME type or its essence is "text/plain", then return false."
    Nosniff {
        /// The MIME type's essence.
        mime: String,
    },
    /// "If response's body parses as JavaScript and does not parse as JSON, then return true. Return false."
    NotJavaScript {
        /// The MIME type's essence (empty when none).
        mime: String,
    },
}

/// The MIME types ORB never sniffs (its list, abridged to the ones a
/// scenario is likely to use).
const NEVER_SNIFFED: [&str; 12] = [
    "application/gzip",
    "application/msexcel",
    "application/msword",
    "application/pdf",
    "application/x-gzip",
    "application/x-protobuf",
    "application/zip",
    "multipart/byteranges",
    "multipart/signed",
    "text/csv",
    "text/event-stream",
    "text/vtt",
];

/// ORB's "determine whether to allow response": `Err` with the reason when
/// it does not. Only the steps a text response reaches are modelled: a
/// scenario's body is text, so the audio, video and image sniffing steps
/// find nothing. Not modelled: range requests (206), media requests.
pub fn opaque_response_blocking(
    status: u16,
    headers: &HeaderList,
    body: &str,
) -> Result<(), OrbReason> {
    // "1. Let mimeType be the result of extracting a MIME type from response's header list."
    let mime = headers
        .get("Content-Type")
        .and_then(|value| {
            value
                .split(';')
                .next()
                .map(|e| e.trim().to_ascii_lowercase())
        })
        .filter(|essence| essence.contains('/'));
    // "2. Let nosniff be the result of determining nosniff given response's header list."
    let nosniff = headers
        .get("X-Content-Type-Options")
        .and_then(|v| {
            v.split(',')
                .next()
                .map(|v| v.trim().eq_ignore_ascii_case("nosniff"))
        })
        .unwrap_or(false);
    if let Some(mime) = &mime {
        // "If mimeType is an opaque-safelisted MIME type, then return true."
        if is_javascript_mime(mime) || mime == "text/css" || mime == "image/svg+xml" {
            return Ok(());
        }
        if NEVER_SNIFFED.contains(&mime.as_str()) {
            return Err(OrbReason::NeverSniffed { mime: mime.clone() });
        }
        if nosniff && (is_blocklisted(mime) || mime == "text/plain") {
            return Err(OrbReason::Nosniff { mime: mime.clone() });
        }
    }
    let essence = mime.clone().unwrap_or_default();
    // "If nosniff is true, then return false." "If response's status is not an ok status, then return false."
    // Not modelled: a refusal at these two steps (a non-ok element load
    // fails as an element anyway, and Firefox reports nosniff itself).
    if nosniff || !(200..300).contains(&status) {
        return Ok(());
    }
    // "If mimeType is failure, then return true."
    let Some(mime) = mime else {
        return Ok(());
    };
    // "If mimeType's essence starts with "audio/", "image/", or "video/", then return false."
    // Not modelled: a text body with such a type (it would need the image sniffing first).
    if mime.starts_with("audio/") || mime.starts_with("image/") || mime.starts_with("video/") {
        return Ok(());
    }
    // "If response's body parses as JavaScript and does not parse as JSON, then return true. Return false."
    if parses_as_json(body) || looks_like_markup(body) {
        return Err(OrbReason::NotJavaScript { mime: essence });
    }
    // Not modelled: a JavaScript parser; any other body is taken as script.
    Ok(())
}

fn is_javascript_mime(mime: &str) -> bool {
    matches!(
        mime,
        "application/ecmascript"
            | "application/javascript"
            | "application/x-ecmascript"
            | "application/x-javascript"
            | "text/ecmascript"
            | "text/javascript"
            | "text/javascript1.0"
            | "text/javascript1.1"
            | "text/javascript1.2"
            | "text/javascript1.3"
            | "text/javascript1.4"
            | "text/javascript1.5"
            | "text/jscript"
            | "text/livescript"
            | "text/x-ecmascript"
            | "text/x-javascript"
    )
}

/// An HTML, JSON or XML MIME type (MIME Sniffing's definitions).
fn is_blocklisted(mime: &str) -> bool {
    mime == "text/html"
        || mime == "application/json"
        || mime == "text/json"
        || mime.ends_with("+json")
        || mime == "text/xml"
        || mime == "application/xml"
        || mime.ends_with("+xml")
}

fn parses_as_json(body: &str) -> bool {
    !body.trim().is_empty() && serde_json::from_str::<serde_json::Value>(body).is_ok()
}

/// A body that starts with a tag (not `<!--`, which JavaScript reads as a
/// comment) cannot parse as JavaScript.
fn looks_like_markup(body: &str) -> bool {
    let start = body.trim_start();
    start.starts_with('<') && !start.starts_with("<!--")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderList {
        let mut list = HeaderList::default();
        for (name, value) in pairs {
            list.append(name, value);
        }
        list
    }

    #[test]
    fn corp_same_origin_same_site_and_the_coep_default() {
        let page = url("https://app.example.com");
        let check = |coep, target: &str, pairs: &[(&str, &str)]| {
            cross_origin_resource_policy_check(Some(&page), coep, &url(target), &headers(pairs))
        };
        let none = EmbedderPolicy::UnsafeNone;
        let corp = [("Cross-Origin-Resource-Policy", "same-origin")];
        assert!(check(none, "https://api.example.com/a.png", &corp).blocked);
        assert!(!check(none, "https://app.example.com/a.png", &corp).blocked);
        let site = [("Cross-Origin-Resource-Policy", "same-site")];
        assert!(!check(none, "https://api.example.com/a.png", &site).blocked);
        assert!(check(none, "https://cdn.example.net/a.png", &site).blocked);
        // An http page may not take an https response under same-site.
        let http_page = url("http://app.example.com");
        assert!(
            cross_origin_resource_policy_check(
                Some(&http_page),
                none,
                &url("https://api.example.com/a.png"),
                &headers(&site)
            )
            .blocked
        );
        assert!(!check(none, "https://cdn.example.net/a.png", &[]).blocked);
        let coep = EmbedderPolicy::RequireCorp;
        let defaulted = check(coep, "https://cdn.example.net/a.png", &[]);
        assert!(defaulted.blocked && defaulted.defaulted_by_coep);
        let explicit = check(coep, "https://cdn.example.net/a.png", &corp);
        assert!(explicit.blocked && !explicit.defaulted_by_coep);
        let open = [("Cross-Origin-Resource-Policy", "cross-origin")];
        assert!(!check(coep, "https://cdn.example.net/a.png", &open).blocked);
        // An unknown value is null: COEP defaults it.
        let odd = [("Cross-Origin-Resource-Policy", "same-site, same-origin")];
        assert!(!check(none, "https://cdn.example.net/a.png", &odd).blocked);
        assert!(check(coep, "https://cdn.example.net/a.png", &odd).defaulted_by_coep);
    }

    #[test]
    fn orb_blocks_json_html_and_never_sniffed_types_but_not_scripts_or_css() {
        let orb = |pairs: &[(&str, &str)], body: &str| {
            opaque_response_blocking(200, &headers(pairs), body)
        };
        let json = [("Content-Type", "application/json")];
        assert_eq!(
            orb(&json, "{\"a\":1}"),
            Err(OrbReason::NotJavaScript {
                mime: "application/json".into()
            })
        );
        assert!(orb(&[("Content-Type", "text/html; charset=utf-8")], "<p>hi</p>").is_err());
        assert!(orb(&[("Content-Type", "text/javascript")], "{\"a\":1}").is_ok());
        assert!(orb(&[("Content-Type", "text/css")], "p{}").is_ok());
        assert!(orb(&[("Content-Type", "image/svg+xml")], "<svg/>").is_ok());
        assert!(orb(&[], "").is_ok());
        assert_eq!(
            orb(&[("Content-Type", "text/csv")], "a,b"),
            Err(OrbReason::NeverSniffed {
                mime: "text/csv".into()
            })
        );
        assert!(matches!(
            orb(
                &[
                    ("Content-Type", "text/plain"),
                    ("X-Content-Type-Options", "nosniff")
                ],
                "x"
            ),
            Err(OrbReason::Nosniff { .. })
        ));
        // JSON served as text/plain is still sniffed, and fails as JavaScript.
        assert!(orb(&[("Content-Type", "text/plain")], "[1,2]").is_err());
        assert!(orb(&[("Content-Type", "text/plain")], "alert(1)").is_ok());
    }
}
