//! The preflight cache over time: entries created, hit, replaced and
//! expired, with the browser's cap on `Access-Control-Max-Age`.

use yew::prelude::*;

use crate::engine::CacheEntry;
use crate::engine::Trace;
use crate::scenario::PreflightUse;

/// One cache entry's life: when it appeared and when it left the cache.
struct Life<'a> {
    entry: &'a CacheEntry,
    /// When a later preflight replaced it (before its expiry), if one did.
    replaced_ms: Option<u64>,
}

/// Every distinct entry in creation order, with the moment a later request's
/// cache no longer held it (before it expired).
fn lives(trace: &Trace) -> Vec<Life<'_>> {
    let mut lives: Vec<Life<'_>> = Vec::new();
    for request in &trace.requests {
        for life in &mut lives {
            let held = request.cache_after.entries.contains(life.entry);
            if !held && life.replaced_ms.is_none() && request.at_ms < life.entry.expires_ms() {
                life.replaced_ms = Some(request.at_ms);
            }
        }
        for entry in &request.cache_after.entries {
            if !lives.iter().any(|life| life.entry == entry) {
                lives.push(Life {
                    entry,
                    replaced_ms: None,
                });
            }
        }
    }
    lives
}

use crate::engine::narrate::seconds;

// Whole-unit coordinates: no float formatting in the wasm.
const WIDTH: u64 = 600;
const LEFT: u64 = 12;
const RIGHT: u64 = 12;
const ROW: u64 = 30;

/// The timeline (an SVG, then the same facts as a list for screen readers).
pub(super) fn cache_timeline(trace: &Trace, selected: usize) -> Html {
    let lives = lives(trace);
    let last_request = trace.requests.iter().map(|r| r.at_ms).max().unwrap_or(0);
    // Show a little past the last request; entries that outlive the window
    // run to its edge and say when they expire.
    let base = last_request
        .saturating_add(last_request / 4)
        .max(last_request + 1000);
    let latest_expiry = lives
        .iter()
        .map(|l| l.entry.expires_ms())
        .max()
        .unwrap_or(0);
    let end = if latest_expiry <= base.saturating_mul(2) {
        base.max(latest_expiry + 500)
    } else {
        base
    };
    let x = |ms: u64| LEFT + ms.min(end).saturating_mul(WIDTH - LEFT - RIGHT) / end.max(1);
    let height = 56 + ROW * lives.len() as u64 + 8;
    let cap = trace.profile.max_age_cap;
    let markers = trace.requests.iter().enumerate().map(|(index, request)| {
        let (class, word) = match request.result.preflight {
            PreflightUse::Sent => ("cache-marker-sent", "preflight sent"),
            PreflightUse::Cached => ("cache-marker-hit", "cache hit"),
            PreflightUse::None => ("cache-marker-none", "no preflight"),
        };
        let cx = x(request.at_ms);
        html! {
            <g class={classes!("cache-marker", class, (index == selected).then_some("cache-marker-selected"))}>
                <title>{ format!("Request #{} at {}: {word}", index + 1, seconds(request.at_ms)) }</title>
                <line class="cache-tick" x1={cx.to_string()} y1="30" x2={cx.to_string()} y2={height.to_string()} />
                <circle cx={cx.to_string()} cy="30" r="6" />
                <text x={cx.to_string()} y="16" text-anchor="middle">{ format!("#{}", index + 1) }</text>
            </g>
        }
    });
    let bars = lives.iter().enumerate().map(|(row, life)| {
        let y = 48 + ROW * row as u64;
        let start = x(life.entry.created_ms);
        let stop = x(life.replaced_ms.unwrap_or(life.entry.expires_ms()));
        let clipped = life.replaced_ms.is_none() && life.entry.expires_ms() > end;
        html! {
            <g class={classes!("cache-bar", life.replaced_ms.map(|_| "cache-bar-replaced"))}>
                <rect x={start.to_string()} y={y.to_string()} width={stop.saturating_sub(start).max(2).to_string()} height="18" rx="3" />
                <text x={(start + 4).to_string()} y={(y + 13).to_string()}>
                    { format!("{}{}", entry_summary(life.entry), if clipped { format!(" → expires at {}", seconds(life.entry.expires_ms())) } else { String::new() }) }
                </text>
            </g>
        }
    });
    html! {
        <section class="tv-panel cache-panel" aria-label="Preflight cache over time">
            <h4 class="tv-panel-title">{ "Preflight cache over time" }</h4>
            <p class="tv-panel-hint">
                { format!("{} keeps a preflight result for Access-Control-Max-Age seconds, at most {} s (its cap); without the header, 5 s.", super::browser_name(trace.browser), cap) }
            </p>
            <svg class="cache-svg" viewBox={format!("0 0 {WIDTH} {height}")} aria-hidden="true">
                <line class="cache-axis" x1={LEFT.to_string()} y1="30" x2={(WIDTH - RIGHT).to_string()} y2="30" />
                { for markers }
                { for bars }
            </svg>
            <ol class="cache-facts">
                { for trace.requests.iter().enumerate().map(|(index, request)| html! {
                    <li data-testid="cache-request" data-preflight={preflight_id(request.result.preflight)}>
                        { format!("Request #{} at {}: {}", index + 1, seconds(request.at_ms), preflight_words(request.result.preflight)) }
                    </li>
                }) }
                { for lives.iter().map(|life| html! {
                    <li data-testid="cache-entry">
                        { format!(
                            "Entry {}: created at {}, max-age {} s, {}",
                            entry_summary(life.entry),
                            seconds(life.entry.created_ms),
                            life.entry.max_age_seconds,
                            match life.replaced_ms {
                                Some(at) => format!("replaced at {}", seconds(at)),
                                None if life.entry.expires_ms() <= last_request => format!("expired at {}", seconds(life.entry.expires_ms())),
                                None => format!("expires at {}", seconds(life.entry.expires_ms())),
                            }
                        ) }
                    </li>
                }) }
            </ol>
        </section>
    }
}

fn entry_summary(entry: &CacheEntry) -> String {
    let mut parts = Vec::new();
    if !entry.methods.is_empty() {
        parts.push(format!("methods {}", entry.methods.join(", ")));
    }
    if !entry.headers.is_empty() {
        parts.push(format!("headers {}", entry.headers.join(", ")));
    }
    if parts.is_empty() {
        parts.push("the request as it was".to_owned());
    }
    parts.join("; ")
}

fn preflight_id(preflight: PreflightUse) -> &'static str {
    match preflight {
        PreflightUse::None => "none",
        PreflightUse::Sent => "sent",
        PreflightUse::Cached => "cached",
    }
}

fn preflight_words(preflight: PreflightUse) -> &'static str {
    match preflight {
        PreflightUse::None => "no preflight",
        PreflightUse::Sent => "preflight sent (cache miss)",
        PreflightUse::Cached => "answered from the cache (hit)",
    }
}
