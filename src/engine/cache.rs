//! The [CORS-preflight cache](https://fetch.spec.whatwg.org/#concept-cache),
//! with time passed in (milliseconds since the scenario started).

use serde::Serialize;

use super::browser::{CacheModel, Profile};
use super::method::is_cors_safelisted_method;

/// What a cache entry allows: one method or one header name (spec), or all
/// of one preflight's (Chromium and WebKit keep one item per URL).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CacheEntry {
    /// The byte-serialized request origin (`null` after a tainting redirect).
    pub origin: String,
    /// The request URL.
    pub url: String,
    /// Whether the preflight was for a credentialed request.
    pub credentials: bool,
    /// Methods allowed (as listed, `*` included).
    pub methods: Vec<String>,
    /// Header names allowed (as listed, `*` included).
    pub headers: Vec<String>,
    /// When it was made.
    pub created_ms: u64,
    /// How long it lives.
    pub max_age_seconds: u64,
}

impl CacheEntry {
    /// The moment it stops being usable.
    pub fn expires_ms(&self) -> u64 {
        self.created_ms
            .saturating_add(self.max_age_seconds.saturating_mul(1000))
    }

    /// "An entry must be removed once max-age seconds have passed."
    fn is_fresh(&self, now_ms: u64) -> bool {
        now_ms < self.expires_ms()
    }

    /// [Cache match](https://fetch.spec.whatwg.org/#concept-cache-match):
    /// same origin and URL, and "entry's credentials is true, or entry's
    /// credentials is false and request's credentials mode is not include".
    fn matches(&self, origin: &str, url: &str, credentials: bool) -> bool {
        self.origin == origin && self.url == url && (self.credentials || !credentials)
    }
}

/// Why the cache could not answer for a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum CacheMiss {
    /// Nothing is cached for this origin and URL (for these credentials).
    NoEntry,
    /// An entry existed but its max-age had passed.
    Expired {
        /// When it expired.
        expired_ms: u64,
    },
    /// Fresh entries exist but do not cover these.
    NotCovered {
        /// The method, when it is not covered.
        method: Option<String>,
        /// Header names not covered.
        headers: Vec<String>,
    },
}

/// The preflight cache of one browser context.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PreflightCache {
    /// Every entry, in creation order.
    pub entries: Vec<CacheEntry>,
}

/// What a request needs a preflight to allow.
#[derive(Debug, Clone, Copy)]
pub struct CacheQuery<'a> {
    /// Byte-serialized request origin.
    pub origin: &'a str,
    /// Request URL.
    pub url: &'a str,
    /// Whether credentials mode is `include`.
    pub credentials: bool,
    /// The method as it will be sent.
    pub method: &'a str,
    /// Whether the method itself needs the preflight (unsafe, or the use-CORS-preflight flag).
    pub method_needs_entry: bool,
    /// Lower-cased CORS-unsafe request-header names.
    pub headers: &'a [String],
}

impl PreflightCache {
    /// [HTTP fetch](https://fetch.spec.whatwg.org/#http-fetch) step: a preflight
    /// is needed when "there is no method cache entry match for request's
    /// method … and either request's method is not a CORS-safelisted method or
    /// request's use-CORS-preflight flag is set", or "one of request's header
    /// list's names … for which there is no header-name cache entry match".
    pub fn lookup(
        &self,
        query: &CacheQuery<'_>,
        now_ms: u64,
        profile: &Profile,
    ) -> Result<(), CacheMiss> {
        let matching: Vec<&CacheEntry> = self
            .entries
            .iter()
            .filter(|e| e.matches(query.origin, query.url, query.credentials))
            .collect();
        let fresh: Vec<&CacheEntry> = matching
            .iter()
            .copied()
            .filter(|e| e.is_fresh(now_ms))
            .collect();
        if fresh.is_empty() {
            return Err(match matching.iter().map(|e| e.expires_ms()).max() {
                Some(expired_ms) => CacheMiss::Expired { expired_ms },
                None => CacheMiss::NoEntry,
            });
        }
        let method_covered = !query.method_needs_entry
            || fresh.iter().any(|e| {
                e.methods
                    .iter()
                    .any(|m| method_entry_matches(m, query.method, query.credentials, profile))
            });
        let missing_headers: Vec<String> = query
            .headers
            .iter()
            .filter(|h| {
                !fresh.iter().any(|e| {
                    e.headers
                        .iter()
                        .any(|n| header_entry_matches(n, h, query.credentials, profile))
                })
            })
            .cloned()
            .collect();
        if method_covered && missing_headers.is_empty() {
            Ok(())
        } else {
            Err(CacheMiss::NotCovered {
                method: (!method_covered).then(|| query.method.to_owned()),
                headers: missing_headers,
            })
        }
    }

    /// Stores a successful preflight: one entry per method and header name
    /// ([create a new cache entry](https://fetch.spec.whatwg.org/#concept-cache-create-entry)),
    /// or, in Chromium and WebKit, one item per URL that replaces the last.
    pub fn store(&mut self, entry: CacheEntry, profile: &Profile) {
        match profile.cache_model {
            CacheModel::PerUrl => {
                self.entries
                    .retain(|e| !(e.origin == entry.origin && e.url == entry.url));
                self.entries.push(entry);
            }
            CacheModel::PerEntry => {
                // "If there is a method cache entry match … set matching entry's max-age to max-age."
                let single = |methods: Vec<String>, headers: Vec<String>| CacheEntry {
                    methods,
                    headers,
                    ..entry.clone()
                };
                let mut additions = Vec::new();
                for method in &entry.methods {
                    additions.push(single(vec![method.clone()], Vec::new()));
                }
                for header in &entry.headers {
                    additions.push(single(Vec::new(), vec![header.clone()]));
                }
                for addition in additions {
                    let same = |e: &CacheEntry| {
                        e.origin == addition.origin
                            && e.url == addition.url
                            && e.credentials == addition.credentials
                            && e.methods == addition.methods
                            && e.headers
                                .iter()
                                .map(|h| h.to_ascii_lowercase())
                                .eq(addition.headers.iter().map(|h| h.to_ascii_lowercase()))
                    };
                    self.entries.retain(|e| !same(e));
                    self.entries.push(addition);
                }
            }
        }
    }

    /// [Clear cache entries](https://fetch.spec.whatwg.org/#concept-cache-clear):
    /// "remove any cache entries whose key, byte-serialized origin, and URL" match.
    pub fn clear(&mut self, origin: &str, url: &str) {
        self.entries
            .retain(|e| !(e.origin == origin && e.url == url));
    }
}

/// [Method cache entry match](https://fetch.spec.whatwg.org/#concept-cache-match-method):
/// "entry's method is method or `*`". A `*` entry counts only for requests
/// without credentials, as WebKit evaluates it (the spec is silent).
fn method_entry_matches(entry: &str, method: &str, credentials: bool, profile: &Profile) -> bool {
    if entry == "*" && !credentials {
        return true;
    }
    if profile.method_match_ignores_case {
        entry.eq_ignore_ascii_case(method)
    } else {
        entry == method
    }
}

/// [Header-name cache entry match](https://fetch.spec.whatwg.org/#concept-cache-match-header):
/// "entry's header name is a byte-case-insensitive match for headerName, or
/// is `*` and headerName is not a CORS non-wildcard request-header name".
fn header_entry_matches(entry: &str, header: &str, credentials: bool, profile: &Profile) -> bool {
    if entry == "*" && !credentials {
        // Browser: Firefox's cache compares `*` as a literal name (profile).
        return profile.cache_wildcard_serves_headers
            && (!header.eq_ignore_ascii_case("authorization")
                || profile.cache_wildcard_covers_authorization);
    }
    entry.eq_ignore_ascii_case(header)
}

/// Whether a method needs a cache entry at all.
pub(super) fn method_needs_entry(method: &str, use_cors_preflight: bool) -> bool {
    !is_cors_safelisted_method(method) || use_cors_preflight
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::browser::profile;
    use crate::scenario::Browser;

    fn entry(methods: &[&str], headers: &[&str], max_age: u64, credentials: bool) -> CacheEntry {
        CacheEntry {
            origin: "https://a.example".into(),
            url: "https://b.example/x".into(),
            credentials,
            methods: methods.iter().map(|s| (*s).to_owned()).collect(),
            headers: headers.iter().map(|s| (*s).to_owned()).collect(),
            created_ms: 0,
            max_age_seconds: max_age,
        }
    }

    fn query<'a>(method: &'a str, headers: &'a [String], credentials: bool) -> CacheQuery<'a> {
        CacheQuery {
            origin: "https://a.example",
            url: "https://b.example/x",
            credentials,
            method,
            method_needs_entry: method_needs_entry(method, false),
            headers,
        }
    }

    #[test]
    fn entries_expire_when_max_age_has_passed() {
        for browser in Browser::ALL {
            let p = profile(browser);
            let mut cache = PreflightCache::default();
            cache.store(entry(&["PUT"], &[], 5, false), &p);
            assert_eq!(cache.lookup(&query("PUT", &[], false), 4_999, &p), Ok(()));
            assert_eq!(
                cache.lookup(&query("PUT", &[], false), 5_000, &p),
                Err(CacheMiss::Expired { expired_ms: 5_000 })
            );
        }
    }

    #[test]
    fn a_new_header_misses_and_credentials_need_a_credentialed_entry() {
        let p = profile(Browser::Firefox);
        let mut cache = PreflightCache::default();
        cache.store(entry(&["PUT"], &["x-a"], 60, false), &p);
        let headers = vec!["x-a".to_owned(), "x-b".to_owned()];
        assert_eq!(
            cache.lookup(&query("PUT", &headers, false), 1, &p),
            Err(CacheMiss::NotCovered {
                method: None,
                headers: vec!["x-b".into()]
            })
        );
        assert_eq!(
            cache.lookup(&query("PUT", &[], true), 1, &p),
            Err(CacheMiss::NoEntry)
        );
    }

    #[test]
    fn per_entry_cache_adds_while_per_url_cache_replaces() {
        let add = |browser| {
            let p = profile(browser);
            let mut cache = PreflightCache::default();
            cache.store(entry(&["PUT"], &[], 60, false), &p);
            cache.store(entry(&["DELETE"], &[], 60, false), &p);
            cache.lookup(&query("PUT", &[], false), 1, &p).is_ok()
        };
        assert!(add(Browser::Firefox));
        assert!(!add(Browser::Safari));
    }

    #[test]
    fn firefox_wildcard_entries_serve_no_header() {
        let p = profile(Browser::Firefox);
        let mut cache = PreflightCache::default();
        cache.store(entry(&["PUT"], &["*"], 60, false), &p);
        let headers = vec!["x-a".to_owned()];
        assert!(cache.lookup(&query("PUT", &headers, false), 1, &p).is_err());
        assert!(cache.lookup(&query("PUT", &[], false), 1, &p).is_ok());
        let chrome = profile(Browser::Chrome);
        cache.store(entry(&["PUT"], &["*"], 60, false), &chrome);
        assert!(cache
            .lookup(&query("PUT", &headers, false), 1, &chrome)
            .is_ok());
    }

    #[test]
    fn wildcard_entries_never_serve_credentialed_requests() {
        let p = profile(Browser::Safari);
        let mut cache = PreflightCache::default();
        cache.store(entry(&["*"], &["*"], 60, true), &p);
        let headers = vec!["x-a".to_owned()];
        assert!(cache.lookup(&query("PUT", &headers, true), 1, &p).is_err());
        assert!(cache.lookup(&query("PUT", &headers, false), 1, &p).is_ok());
    }
}
