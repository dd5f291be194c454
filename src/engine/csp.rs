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

/// [Does url match source list in origin with redirect count?](https://w3c.github.io/webappsec-csp/#match-url-to-source-list)
/// (redirect count 0): the first expression that matches, if any. "If
/// source list is empty, return Does Not Match"; a lone `'none'` matches
/// nothing (beside other sources it is ignored, as Chromium does).
pub(super) fn does_url_match_source_list(
    url: &Url,
    directive: &Directive,
    page: &Origin,
) -> Option<String> {
    let sources: Vec<&str> = directive.sources().collect();
    if let [only] = sources.as_slice() {
        if only.eq_ignore_ascii_case("'none'") {
            return None;
        }
    }
    sources
        .into_iter()
        .find(|expression| does_url_match_expression(url, expression, page))
        .map(str::to_owned)
}

/// [Does url match expression in origin with redirect count?](https://w3c.github.io/webappsec-csp/#match-url-to-source-expression)
pub(super) fn does_url_match_expression(url: &Url, expression: &str, page: &Origin) -> bool {
    let page_tuple = match page {
        Origin::Tuple(url::Origin::Tuple(scheme, host, port)) => {
            Some((scheme.as_str(), host.to_string(), *port))
        }
        // Not modelled: 'self' and scheme-less sources on an opaque page.
        _ => None,
    };
    // "If expression is the string "*", return "Matches" if … url's scheme
    // is an HTTP(S) scheme [or] url's scheme is the same as origin's scheme."
    // Browser: Chromium's `*` also matches ws: and wss: (observed in Chromium 156).
    if expression == "*" {
        return matches!(url.scheme(), "http" | "https" | "ws" | "wss")
            || page_tuple
                .as_ref()
                .is_some_and(|(scheme, ..)| *scheme == url.scheme());
    }
    if expression.eq_ignore_ascii_case("'self'") {
        return page_tuple
            .is_some_and(|(scheme, host, port)| matches_self(url, scheme, &host, port));
    }
    if expression.starts_with('\'') {
        // Other keywords, nonces and hashes never match a URL.
        return false;
    }
    if let Some(scheme) = scheme_source(expression) {
        return scheme_part_match(scheme, url.scheme());
    }
    let Some(source) = HostSource::parse(expression) else {
        // Not a valid source expression: it matches nothing (Chromium warns at load).
        return false;
    };
    let Some(host) = url.host_str() else {
        return false;
    };
    let scheme_fits = match source.scheme {
        Some(scheme) => scheme_part_match(scheme, url.scheme()),
        // "If expression does not have a scheme-part, and origin's scheme does
        // not scheme-part match url's scheme, return Does Not Match."
        None => page_tuple
            .as_ref()
            .is_some_and(|(scheme, ..)| scheme_part_match(scheme, url.scheme())),
    };
    scheme_fits
        && host_part_match(source.host, host)
        && port_part_match(source.port, url)
        && (source.path.is_empty() || path_part_match(source.path, url.path()))
}

/// `'self'`: the same origin, or the same host and (default-equivalent) port
/// with a secure upgrade: "url's scheme is "https" or "wss"", or "origin's
/// scheme is "http" and url's scheme is "http" or "ws"".
fn matches_self(url: &Url, scheme: &str, host: &str, port: u16) -> bool {
    let Some(url_host) = url.host_str() else {
        return false;
    };
    let default_port = |scheme: &str| match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        _ => None,
    };
    let url_port = url.port().or_else(|| default_port(url.scheme()));
    let ports_fit =
        url_port == Some(port) || (url.port().is_none() && default_port(scheme) == Some(port));
    url_host.eq_ignore_ascii_case(host)
        && ports_fit
        && (matches!(url.scheme(), "https" | "wss")
            || (scheme == "http" && matches!(url.scheme(), "http" | "ws")))
}

/// A scheme-source (`https:`): the scheme, if `expression` is one.
fn scheme_source(expression: &str) -> Option<&str> {
    let scheme = expression.strip_suffix(':')?;
    is_scheme(scheme).then_some(scheme)
}

fn is_scheme(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// [scheme-part match](https://w3c.github.io/webappsec-csp/#scheme-part-match):
/// equal, or a secure upgrade (`http` → `https`, `ws` → `wss`/`http`/`https`, `wss` → `https`).
pub(super) fn scheme_part_match(expression: &str, url_scheme: &str) -> bool {
    let a = expression.to_ascii_lowercase();
    a == url_scheme
        || (a == "http" && url_scheme == "https")
        || (a == "ws" && matches!(url_scheme, "wss" | "http" | "https"))
        || (a == "wss" && url_scheme == "https")
}

/// A host-source: `[scheme "://"] host [":" port] [path]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct HostSource<'a> {
    scheme: Option<&'a str>,
    host: &'a str,
    port: Option<&'a str>,
    path: &'a str,
}

impl<'a> HostSource<'a> {
    fn parse(expression: &'a str) -> Option<HostSource<'a>> {
        let (scheme, rest) = match expression.split_once("://") {
            Some((scheme, rest)) if is_scheme(scheme) => (Some(scheme), rest),
            Some(_) => return None,
            None => (None, expression),
        };
        let (authority, path) = match rest.find('/') {
            Some(cut) => (rest.get(..cut)?, rest.get(cut..)?),
            None => (rest, ""),
        };
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        let host_ok = host == "*"
            || host
                .strip_prefix("*.")
                .unwrap_or(host)
                .split('.')
                .all(|label| {
                    !label.is_empty()
                        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                });
        let port_ok = port
            .is_none_or(|p| p == "*" || (!p.is_empty() && p.chars().all(|c| c.is_ascii_digit())));
        (host_ok && port_ok).then_some(HostSource {
            scheme,
            host,
            port,
            path,
        })
    }
}

/// [host-part match](https://w3c.github.io/webappsec-csp/#match-hosts): a
/// leading `*` matches any host ending in the rest (`*.example.com` matches
/// `api.example.com`, never `example.com`); otherwise the same host, ignoring case.
pub(super) fn host_part_match(pattern: &str, host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    match pattern.strip_prefix('*') {
        Some(remaining) => host.ends_with(&remaining.to_ascii_lowercase()),
        None => pattern.eq_ignore_ascii_case(&host),
    }
}

/// [port-part match](https://w3c.github.io/webappsec-csp/#match-ports): `*`
/// matches any port; no port matches only the URL scheme's default port;
/// a number matches that port (written or default).
fn port_part_match(port: Option<&str>, url: &Url) -> bool {
    match port {
        Some("*") => true,
        None => url.port().is_none(),
        Some(digits) => {
            let wanted = digits.parse::<u32>().ok();
            wanted.is_some() && wanted == url.port_or_known_default().map(u32::from)
        }
    }
}

/// [path-part match](https://w3c.github.io/webappsec-csp/#match-paths): a
/// path ending in `/` is a prefix (by whole segments); any other path must
/// equal the URL's path (segments compared percent-decoded).
pub(super) fn path_part_match(expression_path: &str, url_path: &str) -> bool {
    if expression_path.is_empty() || (expression_path == "/" && url_path.is_empty()) {
        return true;
    }
    let exact = !expression_path.ends_with('/');
    let mut a: Vec<&str> = expression_path.split('/').collect();
    let b: Vec<&str> = url_path.split('/').collect();
    if a.len() > b.len() || (exact && a.len() != b.len()) {
        return false;
    }
    if !exact {
        a.pop();
    }
    let decode = |piece: &str| percent_encoding::percent_decode_str(piece).collect::<Vec<u8>>();
    a.iter().zip(&b).all(|(x, y)| decode(x) == decode(y))
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
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn page(text: &str) -> Origin {
        if text == "null" {
            Origin::Opaque
        } else {
            Origin::of_url(&url(text))
        }
    }

    fn allows(policy: &str, api: Api, target: &str, page_origin: &str) -> bool {
        let policies = parse_serialized_policy_list(policy);
        let checks = should_request_be_blocked(&policies, api, &url(target), &page(page_origin));
        !checks.iter().any(PolicyCheck::blocks)
    }

    const APP: &str = "https://app.example.com";

    #[test]
    fn parsing_lower_cases_names_keeps_values_and_the_first_duplicate() {
        let policy = parse_serialized_policy(
            "  CONNECT-SRC   'SELF'   https://API.example.com ; connect-src *;;img-src",
        );
        assert_eq!(
            policy.directives,
            [
                Directive {
                    name: "connect-src".into(),
                    value: "'SELF'   https://API.example.com".into()
                },
                Directive {
                    name: "img-src".into(),
                    value: String::new()
                },
            ]
        );
        assert_eq!(
            parse_serialized_policy_list("connect-src 'self', img-src *, ").len(),
            2
        );
    }

    #[test]
    fn self_is_the_page_origin_or_its_secure_upgrade() {
        assert!(allows(
            "connect-src 'self'",
            Api::Fetch,
            "https://app.example.com/x",
            APP
        ));
        assert!(allows(
            "connect-src 'self'",
            Api::Websocket,
            "wss://app.example.com/s",
            APP
        ));
        assert!(allows(
            "connect-src 'self'",
            Api::Fetch,
            "https://app.example.com/x",
            "http://app.example.com"
        ));
        // Another port, another host, or a downgrade is not 'self'.
        assert!(!allows(
            "connect-src 'self'",
            Api::Fetch,
            "https://app.example.com:444/x",
            APP
        ));
        assert!(!allows(
            "connect-src 'self'",
            Api::Fetch,
            "https://api.example.com/x",
            APP
        ));
        assert!(!allows(
            "connect-src 'self'",
            Api::Fetch,
            "http://app.example.com/x",
            APP
        ));
    }

    #[test]
    fn none_alone_matches_nothing_and_is_ignored_beside_other_sources() {
        assert!(!allows(
            "connect-src 'none'",
            Api::Fetch,
            "https://app.example.com/x",
            APP
        ));
        assert!(allows(
            "connect-src 'none' https://api.example.com",
            Api::Fetch,
            "https://api.example.com/x",
            APP
        ));
        assert!(!allows(
            "connect-src",
            Api::Fetch,
            "https://app.example.com/x",
            APP
        ));
    }

    #[test]
    fn scheme_sources_match_the_scheme_and_its_secure_upgrade_only() {
        assert!(allows(
            "connect-src https:",
            Api::Fetch,
            "https://any.test/x",
            APP
        ));
        assert!(!allows(
            "connect-src https:",
            Api::Fetch,
            "http://any.test/x",
            APP
        ));
        assert!(!allows(
            "connect-src https:",
            Api::Websocket,
            "wss://any.test/x",
            APP
        ));
        assert!(allows(
            "connect-src http:",
            Api::Fetch,
            "https://any.test/x",
            APP
        ));
        assert!(allows(
            "connect-src wss:",
            Api::Websocket,
            "wss://any.test/x",
            APP
        ));
    }

    #[test]
    fn a_wildcard_host_needs_a_subdomain() {
        let policy = "connect-src https://*.example.com";
        assert!(allows(policy, Api::Fetch, "https://api.example.com/x", APP));
        assert!(allows(policy, Api::Fetch, "https://a.b.example.com/x", APP));
        assert!(!allows(policy, Api::Fetch, "https://example.com/x", APP));
        assert!(!allows(
            policy,
            Api::Fetch,
            "https://evil-example.com/x",
            APP
        ));
    }

    #[test]
    fn ports_default_explicit_and_wildcard() {
        assert!(allows(
            "connect-src https://api.example.com",
            Api::Fetch,
            "https://api.example.com:443/x",
            APP
        ));
        assert!(!allows(
            "connect-src https://api.example.com",
            Api::Fetch,
            "https://api.example.com:8443/x",
            APP
        ));
        assert!(allows(
            "connect-src https://api.example.com:8443",
            Api::Fetch,
            "https://api.example.com:8443/x",
            APP
        ));
        assert!(allows(
            "connect-src https://api.example.com:*",
            Api::Fetch,
            "https://api.example.com:9/x",
            APP
        ));
        // An http source also matches https on the default port (observed in Chromium 156).
        assert!(allows(
            "connect-src http://api.example.com",
            Api::Fetch,
            "https://api.example.com/x",
            APP
        ));
        assert!(!allows(
            "connect-src http://api.example.com",
            Api::Fetch,
            "https://api.example.com:8443/x",
            APP
        ));
    }

    #[test]
    fn a_scheme_less_host_takes_the_page_scheme() {
        assert!(allows(
            "connect-src api.example.com",
            Api::Fetch,
            "https://api.example.com/x",
            APP
        ));
        assert!(!allows(
            "connect-src api.example.com",
            Api::Fetch,
            "http://api.example.com/x",
            APP
        ));
        assert!(allows(
            "connect-src api.example.com",
            Api::Fetch,
            "https://api.example.com/x",
            "http://app.example.com"
        ));
    }

    #[test]
    fn paths_are_exact_or_a_directory_prefix() {
        let policy = "connect-src https://api.example.com/v1/ https://api.example.com/x";
        assert!(allows(
            policy,
            Api::Fetch,
            "https://api.example.com/v1/users",
            APP
        ));
        assert!(allows(policy, Api::Fetch, "https://api.example.com/x", APP));
        assert!(!allows(
            policy,
            Api::Fetch,
            "https://api.example.com/v2/users",
            APP
        ));
        assert!(!allows(
            policy,
            Api::Fetch,
            "https://api.example.com/x/y",
            APP
        ));
        assert!(path_part_match("/a%20b", "/a b"));
        assert!(path_part_match("/", "/"));
    }

    #[test]
    fn star_matches_network_schemes() {
        assert!(allows("connect-src *", Api::Fetch, "https://x.test/", APP));
        assert!(allows(
            "connect-src *",
            Api::Websocket,
            "wss://x.test/",
            APP
        ));
        assert!(!allows("img-src *", Api::Img, "data:image/png,x", APP));
    }

    #[test]
    fn each_kind_reads_its_own_directive_then_falls_back() {
        let policy = "default-src 'self'; img-src https://cdn.test; script-src https://js.test";
        assert!(allows(policy, Api::Img, "https://cdn.test/a.png", APP));
        assert!(allows(policy, Api::Script, "https://js.test/a.js", APP));
        assert!(!allows(policy, Api::Fetch, "https://cdn.test/a.png", APP));
        let checks = should_request_be_blocked(
            &parse_serialized_policy_list(policy),
            Api::Fetch,
            &url("https://cdn.test/"),
            &page(APP),
        );
        assert!(checks.iter().all(PolicyCheck::is_fallback));
        // No directive for the kind and no default-src: not restricted.
        assert!(allows("img-src 'none'", Api::Fetch, "https://x.test/", APP));
        // Forms are navigations: no fetch directive applies.
        assert!(allows(
            "default-src 'none'",
            Api::Form,
            "https://x.test/",
            APP
        ));
    }

    #[test]
    fn every_policy_must_allow() {
        let list = parse_serialized_policy_list("connect-src *, connect-src 'none'");
        let checks =
            should_request_be_blocked(&list, Api::Fetch, &url("https://x.test/"), &page(APP));
        assert_eq!(violations(&checks).len(), 1);
    }

    #[test]
    fn invalid_sources_and_keywords_match_nothing() {
        assert!(!allows(
            "connect-src https://exa mple.com 'unsafe-inline' 'nonce-abc' 1http://x",
            Api::Fetch,
            "https://x.test/",
            APP
        ));
        assert!(!allows(
            "script-src 'self'",
            Api::Script,
            "https://x.test/a.js",
            "null"
        ));
    }

    #[test]
    fn a_blocked_request_sends_nothing_not_even_its_preflight() {
        use crate::engine::{evaluate, Stage, StepStatus};
        use crate::scenario::{parse_scenario, Outcome, PreflightUse};
        let text = r#"{"format":"cors-scenario/1","id":"t","page":"https://app.example.com",
            "page_csp":"connect-src 'self'",
            "server":[{"match":{"url":"https://api.example.com/x"},"respond":{"status":204,
              "headers":[["Access-Control-Allow-Origin","*"],["Access-Control-Allow-Methods","PUT"]]}}],
            "requests":[{"url":"https://api.example.com/x","method":"PUT"}]}"#;
        let scenario = parse_scenario(text).unwrap_or_else(|e| panic!("{e}"));
        let trace = evaluate(&scenario, None);
        let request = &trace.requests[0];
        assert_eq!(request.result.outcome, Outcome::NetworkError);
        assert_eq!(request.result.preflight, PreflightUse::None);
        assert!(request.exchanges.is_empty());
        let csp = request
            .steps
            .iter()
            .find(|s| s.stage == Stage::Csp)
            .unwrap();
        assert_eq!(csp.status, StepStatus::Fail);
        let why = crate::engine::narrate::why(csp);
        assert!(why.contains("not CORS"), "{why}");
        assert_eq!(
            csp.spec_url(),
            "https://w3c.github.io/webappsec-csp/#should-block-request"
        );
        assert!(!request
            .steps
            .iter()
            .any(|s| s.stage == Stage::Classification));
        // The fix is the page's policy, never a server header.
        assert!(request.fixes.iter().all(|f| matches!(
            f.action,
            crate::engine::fixes::FixAction::Advise(crate::engine::fixes::Advice::PageCsp { .. })
        )));
        // Without the policy the same request is preflighted and allowed.
        let mut open = scenario.clone();
        open.page_csp = None;
        let trace = evaluate(&open, None);
        assert_eq!(trace.requests[0].result.preflight, PreflightUse::Sent);
        assert!(!trace.requests[0]
            .steps
            .iter()
            .any(|s| s.stage == Stage::Csp));
    }

    #[test]
    fn gecko_lower_cases_sources_but_keeps_paths() {
        assert_eq!(
            gecko_directive_text("connect-src", "'SELF'   https://API.example.com:8443/V1/"),
            "connect-src 'self' https://api.example.com:8443/V1/"
        );
    }
}
