//! The page's own Content Security Policy (the scenario's `page_csp`), as
//! [main fetch](https://fetch.spec.whatwg.org/#main-fetch) consults it:
//! "If … [should request be blocked by Content Security Policy](https://w3c.github.io/webappsec-csp/#should-block-request)
//! … returns blocked, then set response to a network error." This runs
//! before any CORS step: a blocked request never reaches the wire.
//!
//! CSP is the page's policy (where may this page load from or connect to?);
//! CORS is the server's (may this origin read my response?). Neither ever
//! fixes the other.
//!
//! Modelled: the fetch directives the format's request kinds use
//! (`connect-src`, `img-src`, `script-src-elem` → `script-src`), the
//! `default-src` fallback, several policies in one header (commas), and
//! source lists: `'self'`, `'none'`, `*`, scheme sources and host sources
//! (wildcard hosts, ports, paths).
//! Not modelled: `Content-Security-Policy-Report-Only`; checks after a
//! redirect (the path part is then ignored, and Chromium reports a stripped
//! URL); `'strict-dynamic'`, nonces and hashes (they never match a URL);
//! `form-action` for forms; `'self'` on an opaque (`null`) page; mixed
//! content; `upgrade-insecure-requests`; port 80 matching 443 on upgrade.

use serde::Serialize;
use url::Url;

use super::origin::Origin;
use crate::scenario::Api;
use source_list::does_url_match_source_list;

mod source_list;

/// One directive of a parsed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// The name, ASCII lower-cased (`connect-src`).
    pub name: String,
    /// The value as written, without surrounding whitespace (browsers quote it so).
    pub value: String,
}

impl Directive {
    /// The [source list](https://w3c.github.io/webappsec-csp/#source-lists): the value split on ASCII whitespace.
    pub fn sources(&self) -> impl Iterator<Item = &str> {
        self.value.split_ascii_whitespace()
    }
}

/// One [policy](https://w3c.github.io/webappsec-csp/#content-security-policy-object): its directives in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Policy {
    /// Each directive name once (the first occurrence wins).
    pub directives: Vec<Directive>,
}

impl Policy {
    fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().find(|d| d.name == name)
    }
}

/// [Parse a serialized CSP list](https://w3c.github.io/webappsec-csp/#parse-serialized-policy-list):
/// "For each token returned by splitting list on commas", parse a policy;
/// policies without any directive are dropped.
pub fn parse_serialized_policy_list(list: &str) -> Vec<Policy> {
    list.split(',')
        .map(parse_serialized_policy)
        .filter(|policy| !policy.directives.is_empty())
        .collect()
}

/// [Parse a serialized CSP](https://w3c.github.io/webappsec-csp/#parse-serialized-policy):
/// "For each token returned by strictly splitting serialized on U+003B (;)":
/// strip whitespace, skip empty tokens, lower-case the name, and "If
/// policy's directive set contains a directive whose name is directive
/// name, … continue" (the first wins).
pub(super) fn parse_serialized_policy(serialized: &str) -> Policy {
    let mut policy = Policy::default();
    for token in serialized.split(';') {
        let token = token.trim_matches(|c: char| c.is_ascii_whitespace());
        if token.is_empty() {
            continue;
        }
        let (name, value) = token
            .split_once(|c: char| c.is_ascii_whitespace())
            .unwrap_or((token, ""));
        let name = name.to_ascii_lowercase();
        if policy.directive(&name).is_some() {
            continue;
        }
        policy.directives.push(Directive {
            name,
            value: value
                .trim_matches(|c: char| c.is_ascii_whitespace())
                .to_owned(),
        });
    }
    policy
}

/// [The effective directive for a request](https://w3c.github.io/webappsec-csp/#effective-directive-for-a-request):
/// by the request's destination. `None` when no fetch directive governs it
/// (a form submission is a navigation; `form-action` is not modelled).
pub(super) fn effective_directive(api: Api) -> Option<&'static str> {
    match api {
        // Destination "" (fetch, XHR, EventSource, WebSocket).
        Api::Fetch | Api::Xhr | Api::Eventsource | Api::Websocket => Some("connect-src"),
        Api::Img => Some("img-src"),
        Api::Script => Some("script-src-elem"),
        Api::Stylesheet => Some("style-src-elem"),
        Api::Form => None,
    }
}

/// The [directive fallback list](https://w3c.github.io/webappsec-csp/#directive-fallback-list):
/// the directives that may stand in for `effective`, most specific first.
pub(super) fn directive_fallback_list(effective: &str) -> &'static [&'static str] {
    match effective {
        "script-src-elem" => &["script-src-elem", "script-src", "default-src"],
        "style-src-elem" => &["style-src-elem", "style-src", "default-src"],
        "img-src" => &["img-src", "default-src"],
        "connect-src" => &["connect-src", "default-src"],
        _ => &[],
    }
}

/// A policy's verdict on one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyCheck {
    /// The request's effective directive, e.g. `connect-src`.
    pub effective_directive: String,
    /// The directive that decided (the effective one or a fallback) and its
    /// value as written; `None` when the policy has none of them (allowed).
    pub directive: Option<(String, String)>,
    /// The source expression that matched the URL, if one did.
    pub matched_by: Option<String>,
}

impl PolicyCheck {
    /// Whether this policy blocks the request.
    pub fn blocks(&self) -> bool {
        self.directive.is_some() && self.matched_by.is_none()
    }

    /// Whether the deciding directive is a fallback for the effective one.
    pub fn is_fallback(&self) -> bool {
        self.directive
            .as_ref()
            .is_some_and(|(name, _)| *name != self.effective_directive)
    }
}

/// A directive that blocked a request: the data every browser's console
/// line is rendered from (`messages`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CspViolation {
    /// The request's effective directive, e.g. `connect-src`.
    pub effective_directive: String,
    /// The directive that blocked (the effective one or a fallback), lower-cased.
    pub directive: String,
    /// Its value as written in the policy.
    pub value: String,
}

impl CspViolation {
    /// The directive as written in the policy: its name, then its value, if any
    /// (`connect-src 'self'`; `connect-src` alone when the value is empty).
    pub fn directive_text(&self) -> String {
        if self.value.is_empty() {
            self.directive.clone()
        } else {
            format!("{} {}", self.directive, self.value)
        }
    }
}

/// [Should request be blocked by Content Security Policy?](https://w3c.github.io/webappsec-csp/#should-block-request)
/// One check per policy that has something to say about this request kind
/// ("For each policy of policy container's policy list: … If the result of
/// executing Does request violate policy? … is not Does Not Violate, …
/// set result to Blocked"). Only enforced policies are modelled.
pub fn should_request_be_blocked(
    policies: &[Policy],
    api: Api,
    url: &Url,
    page: &Origin,
) -> Vec<PolicyCheck> {
    let Some(effective) = effective_directive(api) else {
        return Vec::new();
    };
    policies
        .iter()
        .map(|policy| {
            // "Should fetch directive execute": the first directive of the
            // fallback list that the policy has is the one that runs.
            let directive = directive_fallback_list(effective)
                .iter()
                .find_map(|name| policy.directive(name));
            let matched_by = directive.and_then(|d| does_url_match_source_list(url, d, page));
            PolicyCheck {
                effective_directive: effective.to_owned(),
                directive: directive.map(|d| (d.name.clone(), d.value.clone())),
                matched_by,
            }
        })
        .collect()
}

/// The violations among `checks`, in policy order.
pub fn violations(checks: &[PolicyCheck]) -> Vec<CspViolation> {
    checks
        .iter()
        .filter(|check| check.blocks())
        .filter_map(|check| {
            let (directive, value) = check.directive.clone()?;
            Some(CspViolation {
                effective_directive: check.effective_directive.clone(),
                directive,
                value,
            })
        })
        .collect()
}

/// How Gecko quotes a directive in its console line: the name, then each
/// source expression with keywords and the scheme, host and port lower-cased,
/// joined by single spaces (observed in Firefox ESR 153).
/// Not modelled: how Gecko re-serializes nonces, hashes and paths.
pub(super) fn gecko_directive_text(directive: &str, value: &str) -> String {
    let sources: Vec<String> = value
        .split_ascii_whitespace()
        .map(|source| {
            if source.starts_with("'nonce-") || source.starts_with("'sha") {
                return source.to_owned();
            }
            let after_scheme = source.find("://").map_or(0, |i| i + 3);
            let path_start = source
                .get(after_scheme..)
                .and_then(|rest| rest.find('/'))
                .map_or(source.len(), |i| i + after_scheme);
            let (head, path) = source.split_at(path_start);
            format!("{}{path}", head.to_ascii_lowercase())
        })
        .collect();
    if sources.is_empty() {
        directive.to_owned()
    } else {
        format!("{directive} {}", sources.join(" "))
    }
}

#[cfg(test)]
mod tests;
