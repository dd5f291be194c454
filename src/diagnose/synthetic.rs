//! A deterministic HAR of any size, for benchmarks (`benches/diagnose.rs`,
//! the in-browser script) and tests: a page's own loads mixed with CORS
//! requests that pass and that fail in each common way, preflights included.

use serde_json::{json, Value};

const APP: &str = "https://app.example.test";
const API: &str = "https://api.example.test";

fn headers(pairs: &[(&str, &str)]) -> Value {
    Value::Array(
        pairs
            .iter()
            .map(|(n, v)| json!({"name": n, "value": v}))
            .collect(),
    )
}

fn entry(
    method: &str,
    url: &str,
    request: &[(&str, &str)],
    status: u16,
    response: &[(&str, &str)],
) -> Value {
    json!({
        "startedDateTime": "2026-11-22T00:00:00.000Z",
        "time": 1,
        "request": {"method": method, "url": url, "httpVersion": "HTTP/1.1", "headers": headers(request),
                    "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
        "response": {"status": status, "statusText": "", "httpVersion": "HTTP/1.1", "headers": headers(response),
                     "cookies": [], "content": {"size": 0, "mimeType": "application/json"},
                     "redirectURL": "", "headersSize": -1, "bodySize": 0},
        "cache": {},
        "timings": {"send": 0, "wait": 1, "receive": 0}
    })
}

/// A HAR with `count` entries; the same `count` always gives the same text.
/// Per ten entries: six same-origin loads, a simple GET that passes, one
/// with no `Access-Control-Allow-Origin`, and a preflight plus its PUT
/// (the preflight failing one time in two).
pub fn synthetic_har(count: usize) -> String {
    let ua = ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36");
    let origin = ("Origin", APP);
    let mut entries = Vec::with_capacity(count);
    let mut n = 0usize;
    while entries.len() < count {
        let id = n / 10;
        let slot = n % 10;
        n += 1;
        let item = format!("{API}/items/{id}");
        let entry = match slot {
            0..=5 => entry(
                "GET",
                &format!("{APP}/static/{id}-{slot}.js"),
                &[ua, ("Referer", APP)],
                200,
                &[("Content-Type", "text/javascript")],
            ),
            6 => entry(
                "GET",
                &format!("{API}/public/{id}"),
                &[ua, origin],
                200,
                &[("Access-Control-Allow-Origin", "*")],
            ),
            7 => entry(
                "GET",
                &format!("{API}/private/{id}"),
                &[ua, origin],
                200,
                &[("Content-Type", "application/json")],
            ),
            8 => {
                let allow_headers = if id.is_multiple_of(2) {
                    "content-type"
                } else {
                    "x-other"
                };
                entry(
                    "OPTIONS",
                    &item,
                    &[
                        ua,
                        origin,
                        ("Access-Control-Request-Method", "PUT"),
                        (
                            "Access-Control-Request-Headers",
                            "content-type,x-request-id",
                        ),
                    ],
                    204,
                    &[
                        ("Access-Control-Allow-Origin", APP),
                        ("Access-Control-Allow-Methods", "GET, PUT"),
                        ("Access-Control-Allow-Headers", allow_headers),
                    ],
                )
            }
            _ => entry(
                "PUT",
                &item,
                &[
                    ua,
                    origin,
                    ("Content-Type", "application/json"),
                    ("X-Request-Id", "42"),
                ],
                200,
                &[("Access-Control-Allow-Origin", APP)],
            ),
        };
        entries.push(entry);
    }
    json!({"log": {"version": "1.2", "creator": {"name": "cors-lab synthetic_har", "version": "1"}, "entries": entries}}).to_string()
}
