//! Turning what was seen (the page script's report, CDP events, the server's
//! request log) into a [`RequestResult`].

use serde::{Deserialize, Serialize};

use crate::scenario::{HeaderPair, Outcome, PreflightUse, RequestResult, RequestSpec};

use super::events::{Event, Seen};
use super::harness_page::SETTLED_MARKER;
use super::server::ReceivedRequest;

/// What the harness script reported for one request.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct ScriptReport {
    /// `resolved` or `rejected`.
    pub(crate) settled: Option<String>,
    /// `response.type` for fetch (`basic`, `cors`, `opaque`, `opaqueredirect`), `xhr` for XHR.
    pub(crate) response_type: Option<String>,
    /// The response status, when there was a response.
    #[allow(dead_code)]
    pub(crate) status: Option<u16>,
    /// Readable response header names, lower-case, sorted.
    #[serde(default)]
    pub(crate) headers: Vec<String>,
    /// `${name}: ${message}` of the exception, if one was thrown.
    pub(crate) error: Option<String>,
    /// The harness itself failed (a bug in harness.js).
    pub(crate) harness_error: Option<String>,
}

/// Chromium's own classification of a failed load (`Network.loadingFailed`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorsErrorStatus {
    /// e.g. `MissingAllowOriginHeader`.
    #[serde(rename = "corsError")]
    pub cors_error: String,
    /// e.g. the offending header value.
    #[serde(rename = "failedParameter")]
    pub failed_parameter: String,
}

/// Everything observed for one request, before it becomes a [`RequestResult`].
#[derive(Debug, Clone)]
pub(crate) struct Observation<'a> {
    /// The request as the scenario states it.
    pub(crate) spec: &'a RequestSpec,
    /// The page origin (`"null"` for an opaque origin).
    pub(crate) page: &'a str,
    /// What the page script reported.
    pub(crate) script: ScriptReport,
    /// The CDP events seen while it ran.
    pub(crate) events: Vec<Event>,
    /// The requests the server received while it ran.
    pub(crate) received: Vec<ReceivedRequest>,
    /// Whether the preflight cache must have answered (see [`observe`]).
    pub(crate) cache_answered: bool,
}

/// The console lines, in order (browser lines and any uncaught exceptions).
pub(crate) fn console_lines(events: &[Event]) -> Vec<String> {
    let mut lines: Vec<(f64, u64, String)> = events
        .iter()
        .filter_map(|event| {
            let text = match &event.seen {
                Seen::ConsoleApi { text } if text.starts_with(SETTLED_MARKER) => return None,
                Seen::Log { text, level, .. } => with_level(level, text),
                Seen::ConsoleApi { text } | Seen::Exception { text } => text.clone(),
                _ => return None,
            };
            Some((event.timestamp.unwrap_or(0.0), event.seq, text))
        })
        .collect();
    lines.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut texts: Vec<String> = lines.into_iter().map(|(_, _, text)| text).collect();
    texts.dedup_by(|later, earlier| later == earlier && is_racy_repeat(later));
    texts
}

/// A browser line's text as the engine models it: the engine's lines are all
/// errors (the app shows each with DevTools' error style), so a line at any
/// other level keeps its level in front, e.g. `[warning] …`, and disagrees.
fn with_level(level: &str, text: &str) -> String {
    if level == "error" {
        text.to_owned()
    } else {
        format!("[{level}] {text}")
    }
}

/// Gecko's EventSource prints its connection-failure line when it refuses a
/// response, and again if the cancelled channel's stop arrives before the
/// queued failure has closed it: a race, seen 1 or 2 times for the same
/// request. Firefox's console shows repeats as one line with a count, and
/// the engine models one; verify keeps one of an immediate repeat.
fn is_racy_repeat(line: &str) -> bool {
    line.starts_with("Firefox can\u{2019}t establish a connection to the server at ")
}

/// The first CORS error Chromium reported in these events.
pub(crate) fn cors_error(events: &[Event]) -> Option<CorsErrorStatus> {
    events.iter().find_map(|event| match &event.seen {
        Seen::LoadingFailed {
            cors_error: Some(cors_error),
            failed_parameter,
            ..
        } => Some(CorsErrorStatus {
            cors_error: cors_error.clone(),
            failed_parameter: failed_parameter.clone().unwrap_or_default(),
        }),
        _ => None,
    })
}

/// Whether a console line says a CORS check failed: Chromium's `Access to …
/// has been blocked by CORS policy` line, or Firefox's `Cross-Origin Request
/// Blocked: …` line, except Firefox's `(Reason: CORS request did not
/// succeed)`, which it prints for any failed connection (a network error) and
/// after a failed preflight (where another line gives the CORS reason), or
/// one of WebCore's CORS reasons ([`is_webkit_cors_reason`]).
pub(crate) fn is_cors_line(line: &str) -> bool {
    (line.starts_with("Access to ") && line.contains("has been blocked by CORS policy"))
        || (line.starts_with("Cross-Origin Request Blocked:")
            && !line.contains("(Reason: CORS request did not succeed)"))
        || is_webkit_cors_reason(line)
}

/// WebCore's reasons for a failed CORS check (`CrossOriginAccessControl.cpp`,
/// `CrossOriginPreflightResultCache.cpp`, `NetworkLoadChecker.cpp`). Its
/// loader line `… due to access control checks.` is not one: WebKit ends
/// a refused `redirect: "error"` with it too, a network error in the spec.
fn is_webkit_cors_reason(line: &str) -> bool {
    (line.starts_with("Origin ")
        && line.contains(" is not allowed by Access-Control-Allow-Origin."))
        || line.starts_with("Cannot use wildcard in Access-Control-Allow-Origin")
        || line == "Access-Control-Allow-Origin cannot contain more than one origin."
        || line.starts_with("Credentials flag is true, but Access-Control-Allow-Credentials")
        || line.starts_with("Preflight response is not successful.")
        || line.starts_with("Header Access-Control-Allow-")
        || (line.starts_with("Method ")
            && line.ends_with(" is not allowed by Access-Control-Allow-Methods."))
        || (line.starts_with("Request header field ")
            && line.ends_with(" is not allowed by Access-Control-Allow-Headers."))
        || (line.starts_with("Cross-origin redirection to ")
            && line.contains(" denied by Cross-Origin Resource Sharing policy: "))
}

/// Whether `url` is cross-origin to `page` (an opaque page is cross-origin to everything).
pub(crate) fn is_cross_origin(page: &str, url: &str) -> bool {
    let (Ok(page), Ok(url)) = (url::Url::parse(page), url::Url::parse(url)) else {
        return true;
    };
    let page_origin = page.origin();
    !page_origin.is_tuple() || page_origin != url.origin()
}

/// Builds the observed result for one request.
pub(crate) fn observe(observation: &Observation<'_>) -> RequestResult {
    let script = &observation.script;
    let console = console_lines(&observation.events);
    let cors = cors_error(&observation.events);

    let outcome = match script.settled.as_deref() {
        Some("resolved") => match script.response_type.as_deref() {
            Some("opaque") | Some("opaqueredirect") => Outcome::Opaque,
            _ => Outcome::Allowed,
        },
        _ if cors.is_some() || console.iter().any(|l| is_cors_line(l)) => Outcome::Blocked,
        _ => Outcome::NetworkError,
    };

    let preflight_sent = observation.received.iter().find(|r| r.is_preflight());
    let preflight = match preflight_sent {
        Some(_) => PreflightUse::Sent,
        None if observation.cache_answered => PreflightUse::Cached,
        None => PreflightUse::None,
    };
    let preflight_request: Vec<HeaderPair> = preflight_sent
        .map(|request| {
            [
                "Origin",
                "Access-Control-Request-Method",
                "Access-Control-Request-Headers",
            ]
            .iter()
            .filter_map(|name| {
                request
                    .header(name)
                    .map(|value| ((*name).to_owned(), value))
            })
            .collect()
        })
        .unwrap_or_default();

    let readable_headers = if outcome == Outcome::Allowed {
        // Everything the script can read; the server adds only `Content-Length`
        // (as every real server does), which the engine models too.
        let mut names: Vec<String> = script
            .headers
            .iter()
            .map(|n| n.to_ascii_lowercase())
            .collect();
        names.sort();
        names.dedup();
        names
    } else {
        Vec::new()
    };

    RequestResult {
        cross_origin: is_cross_origin(observation.page, &observation.spec.url),
        preflight,
        preflight_request,
        outcome,
        readable_headers,
        console,
        js_error: script.error.clone(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn cross_origin_uses_default_ports() {
        assert!(!is_cross_origin(
            "http://a.example",
            "http://a.example:80/x"
        ));
        assert!(is_cross_origin("http://a.example", "https://a.example/x"));
        assert!(is_cross_origin(
            "http://a.example",
            "http://a.example:8080/x"
        ));
        assert!(is_cross_origin("null", "http://a.example/x"));
    }

    #[test]
    fn console_lines_follow_timestamps_then_arrival() {
        let event = |seq, timestamp, text: &str| Event {
            seq,
            timestamp: Some(timestamp),
            seen: Seen::ConsoleApi {
                text: text.to_owned(),
            },
        };
        let events = vec![event(0, 2.0, "b"), event(1, 1.0, "a"), event(2, 2.0, "c")];
        assert_eq!(console_lines(&events), ["a", "b", "c"]);
    }

    #[test]
    fn only_an_immediate_repeat_of_geckos_racy_line_is_kept_once() {
        let event = |seq, text: &str| Event {
            seq,
            timestamp: Some(1.0),
            seen: Seen::ConsoleApi {
                text: text.to_owned(),
            },
        };
        let racy = "Firefox can\u{2019}t establish a connection to the server at https://a.test/e.";
        let events = vec![event(0, racy), event(1, racy), event(2, "x"), event(3, "x")];
        assert_eq!(console_lines(&events), [racy, "x", "x"]);
    }

    #[test]
    fn a_browser_line_below_error_level_keeps_its_level() {
        let log = |seq, level: &str, text: &str| Event {
            seq,
            timestamp: Some(1.0),
            seen: Seen::Log {
                source: "javascript".to_owned(),
                level: level.to_owned(),
                text: text.to_owned(),
                request_id: None,
            },
        };
        let events = vec![log(0, "error", "blocked"), log(1, "warning", "careful")];
        assert_eq!(console_lines(&events), ["blocked", "[warning] careful"]);
    }
}
