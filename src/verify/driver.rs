//! What verify needs from a real browser, whichever protocol drives it:
//! fresh pages (each in a fresh browser context, so a fresh preflight cache),
//! navigation, script evaluation, and the page's console as events.

use std::sync::Arc;
use std::time::Duration;

use super::commands::Commands;
use super::events::EventLog;
use crate::scenario::Scenario;

/// A page in a fresh browser context, its events being recorded.
pub(crate) trait Tab {
    /// Loads `url` and waits until it has loaded, at most `limit`.
    async fn goto(&self, url: &str, limit: Duration) -> Result<(), String>;
    /// Runs `expression` in the page, awaiting a promise, and returns its
    /// string value, waiting at most `limit`.
    async fn evaluate(&self, expression: String, limit: Duration) -> Result<String, String>;
    /// What the page's session has reported so far.
    fn log(&self) -> &EventLog;
    /// The queue the page fetches its commands from, for a browser with no
    /// script-evaluation protocol (`super::commands`); `None` otherwise.
    fn commands(&self) -> Option<Arc<Commands>> {
        None
    }
}

/// One running browser process.
pub(crate) trait Driver {
    /// Its pages.
    type Tab: Tab;
    /// Opens `about:blank` in a new browser context.
    async fn open_tab(&self) -> Result<Self::Tab, String>;
    /// Closes the page and disposes of its browser context.
    async fn close_tab(&self, tab: Self::Tab);
    /// e.g. `chromium 156.0.8078.79`.
    fn version(&self) -> String;
    /// A browser of its own for `scenario`, launched for it, when the
    /// shared one cannot run it (names that must not resolve: see
    /// `failure_kinds`); `None` when the shared one can.
    async fn own_browser(&self, scenario: &Scenario) -> Option<Result<Self, String>>
    where
        Self: Sized;
    /// A page made for `scenario` when the spare one will not do (a user
    /// context that distrusts certificates); `None` when it will.
    async fn open_tab_for(&self, _scenario: &Scenario) -> Option<Result<Self::Tab, String>> {
        None
    }
    /// Ends the browser process (killing it if it does not exit promptly).
    async fn close(self);
}
