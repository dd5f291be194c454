//! What the browser sent, against the trace's wire view: for each exchange
//! the engine predicts (preflight, request, each redirect), in order, the
//! request the mock server received must have the same method and carry
//! every header the trace lists, with the same value.
//!
//! Header names compare case-insensitively, values exactly (repeats joined
//! with `, `). The engine lists the CORS-relevant headers and the script's
//! own; browsers add many it does not model (`Host`, `User-Agent`,
//! `Accept`, `Accept-Encoding`, `Accept-Language`, `Connection`,
//! `Sec-Fetch-*`, `Sec-CH-*`, `Referer`, `Priority`, `Cache-Control`,
//! `Pragma`…): those are not compared. The CORS-relevant ones
//! ([`CORS_RELEVANT`]) and the script's own header names compare both ways:
//! one the browser sent that the trace lacks is a disagreement too.

use serde_json::{json, Value};

use crate::engine::{Exchange, ExchangeKind};
use crate::scenario::RequestSpec;

use super::server::ReceivedRequest;
use super::FieldDisagreement;

/// Headers whose presence the engine decides, compared both ways.
// Not modelled: cookies (a scenario's `Set-Cookie` makes the browser send
// `Cookie` later; the engine keeps no cookie jar), so `Cookie` is compared
// only where the trace lists it.
pub(crate) const CORS_RELEVANT: [&str; 5] = [
    "origin",
    "access-control-request-method",
    "access-control-request-headers",
    "content-type",
    "range",
];

/// The requests the page made, from the server's log: without the
/// browser's own traffic (a host the scenario never names, e.g. Chromium's
/// Google services, which also resolve to the mock server; the page's
/// `/favicon.ico` unless a request asks for it), and with a transport retry
/// kept once (Chromium resends a request whose connection closed without an
/// answer, a `network_error` rule: same method, URL and headers).
pub(crate) fn sent_by_page(
    received: &[ReceivedRequest],
    hosts: &[String],
    favicon: &str,
    requested: &[String],
) -> Vec<ReceivedRequest> {
    let mut kept: Vec<ReceivedRequest> = Vec::new();
    for request in received {
        let url = url::Url::parse(&request.url).ok();
        let named = url
            .as_ref()
            .and_then(url::Url::host_str)
            .is_some_and(|host| hosts.iter().any(|h| h == host));
        let favicon_fetch = request.url == favicon && !requested.contains(&request.url);
        let retry = kept.last().is_some_and(|previous| {
            previous.response_head.is_none()
                && previous.method == request.method
                && previous.url == request.url
                && previous.headers == request.headers
        });
        if named && !favicon_fetch && !retry {
            kept.push(request.clone());
        }
    }
    kept
}

/// What the comparison of one request found.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct WireComparison {
    /// Exchanges compared (the fewer of predicted and received).
    pub(crate) compared: usize,
    /// Every difference, with `field` = `wire[N] method`, `wire[N] <Header>`
    /// or `wire exchanges` (the counts differ).
    pub(crate) disagreements: Vec<FieldDisagreement>,
}

/// Compares request `index`'s predicted exchanges with what the server received.
pub(crate) fn compare_sent(
    index: usize,
    spec: &RequestSpec,
    predicted: &[Exchange],
    received: &[ReceivedRequest],
) -> WireComparison {
    let mut found = WireComparison::default();
    let mut push = |field: String, observed: Value, engine: Value| {
        found.disagreements.push(FieldDisagreement {
            request: index,
            field,
            observed,
            engine,
        });
    };
    if predicted.len() != received.len() {
        push(
            "wire exchanges".to_owned(),
            json!(received
                .iter()
                .map(|r| format!("{} {}", r.method, r.url))
                .collect::<Vec<_>>()),
            json!(predicted
                .iter()
                .map(|e| format!("{} {}", e.request.method, e.request.url))
                .collect::<Vec<_>>()),
        );
    }
    let script_names: Vec<String> = spec
        .headers
        .iter()
        .map(|(name, _)| name.to_ascii_lowercase())
        .collect();
    for (n, (exchange, sent)) in predicted.iter().zip(received).enumerate() {
        found.compared += 1;
        let wire = &exchange.request;
        if wire.method != sent.method {
            push(
                format!("wire[{n}] method"),
                json!(sent.method),
                json!(wire.method),
            );
        }
        let mut names: Vec<String> = wire.headers.unique_lowercase_names();
        for (name, _) in &sent.headers {
            let lower = name.to_ascii_lowercase();
            // A preflight never carries the script's headers; what a browser
            // adds there by default (`Accept-Language`) is not modelled.
            let script_header =
                exchange.kind == ExchangeKind::Actual && script_names.contains(&lower);
            let relevant = CORS_RELEVANT.contains(&lower.as_str()) || script_header;
            if relevant && !names.contains(&lower) {
                names.push(lower);
            }
        }
        for name in names {
            let engine = wire.headers.get(&name);
            let observed = sent.header(&name);
            if engine != observed {
                push(format!("wire[{n}] {name}"), json!(observed), json!(engine));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use crate::engine::{HeaderList, WireRequest, WireResponse};

    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn spec(script_headers: &[(&str, &str)]) -> RequestSpec {
        serde_json::from_value(json!({
            "url": "https://api.example.com/data",
            "headers": pairs(script_headers),
        }))
        .unwrap()
    }

    fn predicted(kind: ExchangeKind, method: &str, headers: &[(&str, &str)]) -> Exchange {
        Exchange {
            kind,
            request: WireRequest {
                method: method.to_owned(),
                url: "https://api.example.com/data".to_owned(),
                headers: HeaderList(pairs(headers)),
                body: None,
            },
            response: WireResponse::Http {
                status: 200,
                headers: HeaderList::default(),
                body: String::new(),
                rule: Some(0),
            },
        }
    }

    fn sent(method: &str, headers: &[(&str, &str)]) -> ReceivedRequest {
        ReceivedRequest {
            during: Some(0),
            method: method.to_owned(),
            url: "https://api.example.com/data".to_owned(),
            headers: pairs(headers),
            at: Instant::now(),
            response_head: None,
        }
    }

    const BROWSER_EXTRAS: [(&str, &str); 5] = [
        ("Host", "api.example.com"),
        ("User-Agent", "Mozilla/5.0"),
        ("Accept-Encoding", "gzip, deflate, br"),
        ("Sec-Fetch-Mode", "cors"),
        ("Connection", "keep-alive"),
    ];

    #[test]
    fn a_preflight_and_request_as_predicted_agree_despite_the_browsers_own_headers() {
        let engine = [
            predicted(
                ExchangeKind::Preflight,
                "OPTIONS",
                &[
                    ("Origin", "https://app.example.com"),
                    ("Access-Control-Request-Method", "PUT"),
                    ("Access-Control-Request-Headers", "x-token"),
                ],
            ),
            predicted(
                ExchangeKind::Actual,
                "PUT",
                &[("Origin", "https://app.example.com"), ("X-Token", "1")],
            ),
        ];
        let mut preflight = pairs(&BROWSER_EXTRAS);
        preflight.extend(pairs(&[
            ("origin", "https://app.example.com"),
            ("access-control-request-method", "PUT"),
            ("access-control-request-headers", "x-token"),
        ]));
        let mut actual = pairs(&BROWSER_EXTRAS);
        actual.extend(pairs(&[
            ("Origin", "https://app.example.com"),
            ("x-token", "1"),
        ]));
        let mut first = sent("OPTIONS", &[]);
        first.headers = preflight;
        let mut second = sent("PUT", &[]);
        second.headers = actual;
        let found = compare_sent(3, &spec(&[("X-Token", "1")]), &engine, &[first, second]);
        assert_eq!(found.compared, 2);
        assert_eq!(found.disagreements, Vec::new());
    }

    #[test]
    fn a_different_method_or_value_or_missing_header_disagrees() {
        let engine = [predicted(
            ExchangeKind::Preflight,
            "OPTIONS",
            &[
                ("Origin", "https://app.example.com"),
                ("Access-Control-Request-Method", "PUT"),
                ("Access-Control-Request-Headers", "x-token"),
            ],
        )];
        let browser = sent(
            "GET",
            &[
                ("Origin", "https://app.example.com"),
                ("Access-Control-Request-Method", "put"),
            ],
        );
        let found = compare_sent(1, &spec(&[]), &engine, &[browser]);
        let fields: Vec<(&str, Value, Value)> = found
            .disagreements
            .iter()
            .map(|d| (d.field.as_str(), d.observed.clone(), d.engine.clone()))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("wire[0] method", json!("GET"), json!("OPTIONS")),
                (
                    "wire[0] access-control-request-method",
                    json!("put"),
                    json!("PUT")
                ),
                (
                    "wire[0] access-control-request-headers",
                    json!(null),
                    json!("x-token")
                ),
            ]
        );
        assert!(found.disagreements.iter().all(|d| d.request == 1));
    }

    #[test]
    fn a_cors_relevant_or_script_header_the_trace_lacks_disagrees_but_others_do_not() {
        let engine = [predicted(
            ExchangeKind::Actual,
            "POST",
            &[("Origin", "null")],
        )];
        let browser = sent(
            "POST",
            &[
                ("Origin", "null"),
                ("Content-Type", "text/plain;charset=UTF-8"),
                ("X-Trace", "7"),
                ("Accept-Language", "en-US"),
                ("Referer", "https://app.example.com/"),
            ],
        );
        let found = compare_sent(0, &spec(&[("x-trace", "7")]), &engine, &[browser]);
        let fields: Vec<&str> = found
            .disagreements
            .iter()
            .map(|d| d.field.as_str())
            .collect();
        assert_eq!(fields, ["wire[0] content-type", "wire[0] x-trace"]);
        assert_eq!(
            found.disagreements.first().map(|d| &d.observed),
            Some(&json!("text/plain;charset=UTF-8"))
        );
    }

    #[test]
    fn repeated_lines_join_and_a_missing_exchange_is_reported() {
        let engine = [
            predicted(ExchangeKind::Actual, "GET", &[("X-A", "1"), ("x-a", "2")]),
            predicted(ExchangeKind::Actual, "GET", &[]),
        ];
        let browser = sent("GET", &[("x-a", "1, 2")]);
        let found = compare_sent(0, &spec(&[("X-A", "1")]), &engine, &[browser]);
        assert_eq!(found.compared, 1);
        let fields: Vec<&str> = found
            .disagreements
            .iter()
            .map(|d| d.field.as_str())
            .collect();
        assert_eq!(fields, ["wire exchanges"]);
        assert_eq!(
            found.disagreements.first().map(|d| &d.engine),
            Some(&json!([
                "GET https://api.example.com/data",
                "GET https://api.example.com/data"
            ]))
        );
    }

    #[test]
    fn the_browsers_own_traffic_and_a_retry_after_no_answer_are_not_the_pages() {
        let mut dropped = sent("GET", &[("Origin", "null")]);
        dropped.url = "https://cdn.example.net/down.css".to_owned();
        let retry = dropped.clone();
        let mut answered = dropped.clone();
        answered.response_head = Some(b"HTTP/1.1 200 OK\r\n\r\n".to_vec());
        let mut background = sent("POST", &[]);
        background.url = "https://optimizationguide-pa.googleapis.com/v1:GetModels".to_owned();
        let mut favicon = sent("GET", &[]);
        favicon.url = "https://app.example.com/favicon.ico".to_owned();
        let hosts = ["cdn.example.net".to_owned(), "app.example.com".to_owned()];
        let log = [
            answered.clone(),
            background,
            favicon.clone(),
            answered,
            dropped,
            retry,
        ];
        let kept = sent_by_page(&log, &hosts, &favicon.url, &[]);
        // A repeat after an answer is a second request; after none, a retry.
        let heads: Vec<bool> = kept.iter().map(|r| r.response_head.is_some()).collect();
        assert_eq!(heads, [true, true, false]);
        assert!(kept
            .iter()
            .all(|r| r.url == "https://cdn.example.net/down.css"));
        // A request the page makes for the favicon is the page's.
        let asked = sent_by_page(
            &[favicon.clone()],
            &hosts,
            &favicon.url,
            &[favicon.url.clone()],
        );
        assert_eq!(asked.len(), 1);
    }

    #[test]
    fn the_browsers_default_accept_language_on_a_preflight_is_not_compared() {
        let engine = [predicted(
            ExchangeKind::Preflight,
            "OPTIONS",
            &[
                ("Access-Control-Request-Method", "GET"),
                ("Access-Control-Request-Headers", "accept-language"),
            ],
        )];
        let browser = sent(
            "OPTIONS",
            &[
                ("Access-Control-Request-Method", "GET"),
                ("Access-Control-Request-Headers", "accept-language"),
                ("Accept-Language", "en-US,en;q=0.9"),
                ("Cookie", "a=b"),
            ],
        );
        let found = compare_sent(
            0,
            &spec(&[("Accept-Language", "nn_NO")]),
            &engine,
            &[browser],
        );
        assert_eq!(found.disagreements, Vec::new());
    }
}
