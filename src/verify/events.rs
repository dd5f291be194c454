//! What a page reported (console lines, exceptions, network events), in
//! arrival order, whichever browser protocol it came over.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// One thing the page's session (CDP or WebDriver BiDi) reported.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Seen {
    /// CDP `Log.entryAdded` or a BiDi `javascript` log entry: a line the
    /// browser itself printed.
    Log {
        /// The entry's source (`network`, `javascript`, `security`, …).
        source: String,
        /// `error`, `warning`, …
        level: String,
        /// The exact text.
        text: String,
        /// The network request it belongs to, if any.
        request_id: Option<String>,
    },
    /// CDP `Runtime.consoleAPICalled` or a BiDi `console` log entry: a
    /// `console.*` call by page script.
    ConsoleApi {
        /// The arguments' text, joined with spaces.
        text: String,
    },
    /// `Runtime.exceptionThrown`: an uncaught exception.
    Exception {
        /// The exception's description.
        text: String,
    },
    /// `Network.requestWillBeSent`.
    Request {
        /// Network request id.
        request_id: String,
        /// The request URL.
        url: String,
        /// The request method.
        method: String,
    },
    /// `Audits.issueAdded`: a DevTools issue (not a console line).
    Issue {
        /// The issue as the protocol sends it.
        issue: String,
    },
    /// `Network.loadingFailed`.
    LoadingFailed {
        /// Network request id.
        request_id: String,
        /// e.g. `net::ERR_FAILED`.
        error_text: String,
        /// `corsErrorStatus.corsError`, e.g. `MissingAllowOriginHeader`.
        cors_error: Option<String>,
        /// `corsErrorStatus.failedParameter`.
        failed_parameter: Option<String>,
        /// `blockedReason`, if any.
        blocked_reason: Option<String>,
    },
}

/// A [`Seen`] with where it falls in time.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Event {
    /// Arrival order over all streams.
    pub(crate) seq: u64,
    /// The protocol's timestamp (ms since the epoch) for console events; `None` otherwise.
    pub(crate) timestamp: Option<f64>,
    /// What was seen.
    pub(crate) seen: Seen,
}

/// Everything one page's session reported, in arrival order.
#[derive(Debug, Default)]
pub(crate) struct EventLog {
    events: Mutex<Vec<Event>>,
    last_arrival: Mutex<Option<Instant>>,
    seq: AtomicU64,
}

impl EventLog {
    fn events(&self) -> MutexGuard<'_, Vec<Event>> {
        self.events.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records `seen`, arrived now.
    pub(crate) fn push(&self, timestamp: Option<f64>, seen: Seen) {
        let seq = self.seq.fetch_add(1, Ordering::SeqCst);
        self.events().push(Event {
            seq,
            timestamp,
            seen,
        });
        *self.last_arrival.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
    }

    /// How many events have arrived so far.
    pub(crate) fn len(&self) -> usize {
        self.events().len()
    }

    /// The events from position `from` on.
    pub(crate) fn since(&self, from: usize) -> Vec<Event> {
        self.events()
            .get(from..)
            .map(<[Event]>::to_vec)
            .unwrap_or_default()
    }

    /// Waits until a `console.*` call with exactly `text` has arrived, at most `limit`.
    pub(crate) async fn wait_for_console(&self, text: &str, limit: Duration) -> bool {
        let start = Instant::now();
        loop {
            let seen = self
                .events()
                .iter()
                .any(|e| matches!(&e.seen, Seen::ConsoleApi { text: t } if t == text));
            if seen {
                return true;
            }
            if start.elapsed() >= limit {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits until nothing has arrived for `quiet`, at most `limit` in all.
    pub(crate) async fn wait_quiet(&self, quiet: Duration, limit: Duration) {
        let start = Instant::now();
        loop {
            let last = *self.last_arrival.lock().unwrap_or_else(|p| p.into_inner());
            let calm_since = last.map_or(start, |last| last.max(start));
            if calm_since.elapsed() >= quiet || start.elapsed() >= limit {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}
