//! The harness page's command queue, for a browser verify drives without a
//! script-evaluation protocol (WebKitGTK's MiniBrowser, see `super::webkit`).
//!
//! The page asks its own origin for the next command by adding
//! `<script src="/__cors-lab-command?t=TOKEN&n=N">` ([`COMMAND_PATH`]), which the mock
//! server answers from this queue: a same-origin script is what a scenario's
//! `page_csp` already has to allow for the harness itself (`'self'`), so no
//! policy refuses it, and a successful script load prints nothing. The page
//! polls only while no command runs, so never while a scenario request is in
//! flight, and these loads are never recorded as scenario traffic. Each
//! command reports its value as one console line ([`RESULT_MARKER`]), which
//! the driver hands to the waiting `evaluate` and never reports.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

/// The path the page polls for its next command, on its own origin.
pub(crate) const COMMAND_PATH: &str = "/__cors-lab-command";

/// The console text in front of a command's result: `MARKER id json`.
pub(crate) const RESULT_MARKER: &str = "__cors_lab_result__";

/// Commands not yet fetched by the page.
#[derive(Debug, Default)]
pub(crate) struct Commands {
    queue: Mutex<VecDeque<String>>,
    polled: AtomicBool,
    /// Names this page's polls: the previous scenario's page, still closing,
    /// polls the same origin (the next scenario's server) and must neither
    /// take this page's commands nor count as its first poll (seen: a
    /// `typeof` answered by the old page, so the new one never answered).
    token: u64,
}

/// Tokens of the pages of this process (see [`Commands::token`]).
static NEXT_TOKEN: AtomicU64 = AtomicU64::new(1);

impl Commands {
    /// An empty queue with a token no other page of this process has.
    pub(crate) fn new() -> Self {
        Commands {
            token: NEXT_TOKEN.fetch_add(1, Ordering::SeqCst),
            ..Commands::default()
        }
    }

    /// The token the page sends with each poll (`?t=TOKEN&n=N`).
    pub(crate) fn token(&self) -> u64 {
        self.token
    }

    /// Queues `expression` as command `id`: the page evaluates it (awaiting
    /// a promise) and logs `RESULT_MARKER id {"ok": value}` or `{"error": text}`.
    pub(crate) fn push(&self, id: u64, expression: &str) {
        let script =
            format!("window.__corsLabCommand({id}, function () {{ return ({expression}); }});\n");
        self.queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push_back(script);
    }

    /// The script answering one poll (its query): the next command, or
    /// nothing (also for another page's poll).
    pub(crate) fn next_script(&self, query: &str) -> String {
        let ours = query
            .split('&')
            .any(|pair| pair == format!("t={}", self.token));
        if !ours {
            return String::new();
        }
        self.polled.store(true, Ordering::SeqCst);
        self.queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop_front()
            .unwrap_or_default()
    }

    /// Whether the page has polled at least once (its harness runs).
    pub(crate) fn polled(&self) -> bool {
        self.polled.load(Ordering::SeqCst)
    }
}

/// A result line's command id and JSON, if `text` is one.
pub(crate) fn parse_result(text: &str) -> Option<(u64, &str)> {
    let rest = text.strip_prefix(RESULT_MARKER)?.strip_prefix(' ')?;
    let (id, json) = rest.split_once(' ')?;
    Some((id.parse().ok()?, json))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_served_once_in_order_and_results_parse() {
        let commands = Commands::new();
        let ours = format!("t={}&n=1", commands.token());
        let other = format!("t={}&n=1", Commands::new().token());
        assert!(!commands.polled());
        assert_eq!(commands.next_script(&ours), "");
        assert!(commands.polled());
        commands.push(1, "1 + 1");
        commands.push(2, "'x'");
        assert_eq!(commands.next_script(&other), "", "another page's poll");
        assert!(commands.next_script(&ours).contains("__corsLabCommand(1, "));
        assert!(commands.next_script(&ours).contains("return ('x')"));
        assert_eq!(commands.next_script(&ours), "");
        assert_eq!(
            parse_result(&format!("{RESULT_MARKER} 7 {{\"ok\":\"2\"}}")),
            Some((7, "{\"ok\":\"2\"}"))
        );
        assert_eq!(parse_result("something else"), None);
    }
}
