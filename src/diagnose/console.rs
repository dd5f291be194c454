//! Console lines → the typed [`Failure`] that makes a browser print them.
//!
//! Nothing here knows a message string: every failure kind is rendered by
//! `engine::messages` with placeholder values, the rendering becomes a
//! template with holes, and a pasted line is matched against the templates.
//! A message the engine learns is recognised here with no change.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::beyond::recognise_beyond;
use super::legacy::rewrite_legacy;
use super::netline::{attach_network_statuses, line_cause, parse_network_line, NetworkLine};
use crate::engine::local_network::{permission_for, LnaDenial};
use crate::engine::messages::{
    firefox_lna_detected, firefox_lna_permission_required, firefox_orb_lines, render,
    MessageContext, WARNING,
};
use crate::engine::resource_policy::{CorpPolicy, OrbReason};
use crate::engine::CspViolation;
use crate::engine::{Cause, CorsError, FailedResponse, Failure, Phase};
use crate::scenario::{AddressSpace, Api, Browser, PermissionState};

mod by_cause;
mod kinds;

pub(super) use self::by_cause::recognise_by_cause;
use self::kinds::{failure_kinds, Slots};

/// One recognised console line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsoleLine {
    /// The line as pasted (trimmed).
    pub text: String,
    /// Which browser prints it.
    pub browser: Browser,
    /// Which API the line names, when it does.
    pub api: Option<Api>,
    /// The failure it reports; `None` for a generic line (`Failed to fetch`,
    /// `net::ERR_FAILED`) that many failures print.
    pub failure: Option<Failure>,
    /// The URL it names, when it does.
    pub url: Option<String>,
    /// The page origin it names, when it does.
    pub origin: Option<String>,
    /// The status it names, when it does (or a network line for the same
    /// request names).
    pub status: Option<u16>,
    /// The method a DevTools network line names (`OPTIONS`: the preflight's row).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Chromium's net error (`net::ERR_CONNECTION_REFUSED`), when the line names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net_error: Option<String>,
    /// The URL the request was first made to, when a redirect led to `url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirected_from: Option<String>,
    /// The family of failure the line reports (from its failure and status,
    /// or the kind of line); `None` when it says only that a request failed.
    pub cause: Option<Cause>,
}

impl ConsoleLine {
    /// Whether the line is one of Safari's catch-all `… cannot load URL due
    /// to access control checks.` closings (which name no reason).
    pub fn is_safari_catch_all(&self) -> bool {
        self.browser == Browser::Safari
            && self.failure.is_none()
            && self.cause.is_none()
            && self.url.is_some()
    }

    /// The response the failure happened on, as far as the line shows it.
    pub fn failed_response(&self) -> FailedResponse {
        FailedResponse {
            status: self.status,
            redirected: self
                .redirected_from
                .as_deref()
                .is_some_and(|from| Some(from) != self.url.as_deref()),
        }
    }
}

/// A placeholder in a rendered message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Hole {
    Url,
    InitialUrl,
    Origin,
    ContextMethod,
    Value,
    Token,
    Method,
    Header,
    Location,
    Scheme,
    PageUrl,
    Status,
}

const HOLES: [Hole; 12] = [
    Hole::Url,
    Hole::InitialUrl,
    Hole::Origin,
    Hole::ContextMethod,
    Hole::Value,
    Hole::Token,
    Hole::Method,
    Hole::Header,
    Hole::Location,
    Hole::Scheme,
    Hole::PageUrl,
    Hole::Status,
];

/// The status placeholder: a number no real message contains.
const STATUS_MARK: u16 = 54321;

fn mark(hole: Hole) -> String {
    if hole == Hole::Status {
        return STATUS_MARK.to_string();
    }
    let index = HOLES.iter().position(|h| *h == hole).unwrap_or(0);
    format!("\u{E000}{index}\u{E001}")
}

/// A piece of a template.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Piece {
    Text(String),
    Hole(Hole),
}

/// One rendered message with holes, and where it came from.
#[derive(Debug, Clone)]
struct Template {
    pieces: Vec<Piece>,
    browser: Browser,
    api: Api,
    /// Index into [`failure_kinds`].
    kind: usize,
    /// How many distinct failure kinds render this same template.
    shared_by: usize,
    /// The causes of every failure kind that renders this same template
    /// (several: the line alone does not tell them apart).
    causes: BTreeSet<Cause>,
    /// Characters of fixed text (a longer match is a more specific one).
    fixed_len: usize,
}

fn split_template(rendered: &str) -> Vec<Piece> {
    let marks: Vec<(Hole, String)> = HOLES.iter().map(|h| (*h, mark(*h))).collect();
    let mut pieces = Vec::new();
    let mut rest = rendered;
    loop {
        let next = marks
            .iter()
            .filter_map(|(hole, m)| rest.find(m.as_str()).map(|at| (at, *hole, m.len())))
            .min_by_key(|(at, _, _)| *at);
        match next {
            Some((at, hole, len)) => {
                if at > 0 {
                    pieces.push(Piece::Text(rest.get(..at).unwrap_or("").to_owned()));
                }
                pieces.push(Piece::Hole(hole));
                rest = rest.get(at + len..).unwrap_or("");
            }
            None => {
                if !rest.is_empty() {
                    pieces.push(Piece::Text(rest.to_owned()));
                }
                return pieces;
            }
        }
    }
}

/// The templates, built once per process (they depend only on the engine's messages).
fn cached_templates() -> &'static [Template] {
    static TEMPLATES: std::sync::OnceLock<Vec<Template>> = std::sync::OnceLock::new();
    TEMPLATES.get_or_init(templates)
}

/// Every template of every browser, API and failure kind.
fn templates() -> Vec<Template> {
    let slots = Slots {
        value: mark(Hole::Value),
        token: mark(Hole::Token),
        method: mark(Hole::Method),
        header: mark(Hole::Header),
        location: mark(Hole::Location),
        scheme: mark(Hole::Scheme),
        page_url: mark(Hole::PageUrl),
        status: STATUS_MARK,
    };
    let kinds = failure_kinds(&slots);
    let (url, initial, origin, method) = (
        mark(Hole::Url),
        mark(Hole::InitialUrl),
        mark(Hole::Origin),
        mark(Hole::ContextMethod),
    );
    // Firefox's same-origin-mode line names the page's URL: its origin and `/`.
    let page_url = format!("{origin}/");
    let mut all: Vec<Template> = Vec::new();
    for browser in Browser::ALL {
        for api in [Api::Fetch, Api::Xhr] {
            for initial_url in [url.as_str(), initial.as_str()] {
                let context = MessageContext {
                    api,
                    url: &url,
                    initial_url,
                    origin: &origin,
                    page_url: &page_url,
                    on_followed_redirect: false,
                    status: Some(STATUS_MARK),
                    method: &method,
                    mode: crate::scenario::Mode::Cors,
                    sent_origin: None,
                    redirect_to: None,
                    script_headers: &[],
                };
                for (kind, failure) in kinds.iter().enumerate() {
                    // Only Chromium names Local Network Access in its line:
                    // Firefox prints its generic "CORS request did not
                    // succeed" (no evidence of LNA; its own LNA lines are
                    // the parent process's, see `cause_templates`), and
                    // WebKit has none.
                    if browser != Browser::Chrome
                        && matches!(failure, Failure::LocalNetworkAccess { .. })
                    {
                        continue;
                    }
                    let rendered = render(failure, &context, browser);
                    for line in rendered.console.iter().chain(rendered.js_error.iter()) {
                        // A pasted line has no level marker of the engine's
                        // (browsers show the level their own way) and no
                        // trailing line break (WebKit's mixed-content lines end with one).
                        let line = line.strip_prefix(WARNING).unwrap_or(line).trim_end();
                        let pieces = split_template(line);
                        let fixed_len = pieces
                            .iter()
                            .map(|p| match p {
                                Piece::Text(t) => t.chars().count(),
                                Piece::Hole(_) => 0,
                            })
                            .sum();
                        all.push(Template {
                            pieces,
                            browser,
                            api,
                            kind,
                            shared_by: 1,
                            causes: BTreeSet::new(),
                            fixed_len,
                        });
                    }
                }
            }
        }
    }
    // A template many kinds print (e.g. `Failed to load resource: net::ERR_FAILED`) says little.
    // Kinds count as distinct by their variant (each variant has its own
    // `failure` name), compared without serialising them: serde's code for
    // `Failure` would otherwise ship in the app for this alone.
    type Key = (Browser, Vec<Piece>);
    let mut sharing: BTreeMap<Key, Vec<std::mem::Discriminant<Failure>>> = BTreeMap::new();
    let mut causes: BTreeMap<Key, BTreeSet<Cause>> = BTreeMap::new();
    for template in &all {
        let key = (template.browser, template.pieces.clone());
        if let Some(kind) = kinds.get(template.kind) {
            causes
                .entry(key.clone())
                .or_default()
                .insert(Cause::of(kind, FailedResponse::default()));
            let variants = sharing.entry(key).or_default();
            let variant = std::mem::discriminant(kind);
            if !variants.contains(&variant) {
                variants.push(variant);
            }
        }
    }
    for template in &mut all {
        let key = (template.browser, template.pieces.clone());
        template.shared_by = sharing.get(&key).map_or(1, Vec::len);
        template.causes = causes.get(&key).cloned().unwrap_or_default();
    }
    all
}

/// The hole values read from a line.
type Captures = Vec<(Hole, String)>;

/// Matches `line` against `pieces`: fixed text may start anywhere (DevTools
/// prefixes `(index):1` and the like) and the line may go on after it.
fn match_template(pieces: &[Piece], line: &str) -> Option<Captures> {
    let mut captures: Captures = Vec::new();
    let mut pos = 0usize;
    let mut open: Option<Hole> = None;
    for (index, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Hole(hole) => {
                if open.is_some() {
                    return None;
                }
                open = Some(*hole);
            }
            Piece::Text(text) => {
                let rest = line.get(pos..)?;
                let found = rest.find(text.as_str())?;
                match open.take() {
                    Some(hole) => captures.push((hole, rest.get(..found)?.to_owned())),
                    None if index == 0 => {}
                    None => {
                        if found != 0 {
                            return None;
                        }
                    }
                }
                pos += found + text.len();
            }
        }
    }
    if let Some(hole) = open {
        captures.push((hole, line.get(pos..)?.trim_end().to_owned()));
    }
    // A hole that appears twice must hold the same value.
    for (i, (hole, value)) in captures.iter().enumerate() {
        if captures
            .iter()
            .skip(i + 1)
            .any(|(h, v)| h == hole && v != value)
        {
            return None;
        }
    }
    Some(captures)
}

/// Recognises console lines in `text`; lines that match no template are
/// skipped. Where one line fits several failures (Firefox prints the same
/// line for a preflight and an actual response), the failure whose full
/// rendering best matches all the pasted lines wins.
pub fn recognise_console(text: &str) -> Vec<ConsoleLine> {
    let candidates: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && l.len() < 20_000)
        .collect();
    if candidates.is_empty() {
        return Vec::new();
    }
    let templates = cached_templates();
    let anchors: Vec<&str> = templates.iter().filter_map(longest_text).collect();
    let recognised: Vec<Recognised> = candidates
        .iter()
        .filter_map(|line| recognise_any(line, templates, &anchors))
        .collect();
    let pasted: Vec<&str> = recognised.iter().map(|r| r.line.text.as_str()).collect();
    let mut lines: Vec<(ConsoleLine, BTreeSet<Cause>)> = recognised
        .iter()
        .map(|recognised| {
            let mut line = recognised.line.clone();
            if recognised.alternatives.len() > 1 {
                line.failure = best_alternative(&line, &recognised.alternatives, &pasted);
            }
            (line, recognised.shared.clone())
        })
        .collect();
    attach_network_statuses(&mut lines);
    lines
        .into_iter()
        .map(|(mut line, shared)| {
            if line.cause.is_none() {
                line.cause = line_cause(&line, &shared);
            }
            line
        })
        .collect()
}

/// One recognised line, the failures it may stand for, and the causes of
/// every kind that prints the same text.
struct Recognised {
    line: ConsoleLine,
    alternatives: Vec<Failure>,
    shared: BTreeSet<Cause>,
}

/// Of the failures one line fits, the one whose full rendering best
/// matches all the pasted lines.
fn best_alternative(
    line: &ConsoleLine,
    alternatives: &[Failure],
    pasted: &[&str],
) -> Option<Failure> {
    let score = |failure: &Failure| -> i64 {
        let url = line.url.clone().unwrap_or_default();
        let page_url = format!("{}/", line.origin.as_deref().unwrap_or(""));
        let context = MessageContext {
            api: line.api.unwrap_or(Api::Fetch),
            url: &url,
            initial_url: &url,
            origin: line.origin.as_deref().unwrap_or(""),
            page_url: &page_url,
            on_followed_redirect: false,
            status: line.status,
            method: "",
            mode: crate::scenario::Mode::Cors,
            sent_origin: None,
            redirect_to: None,
            script_headers: &[],
        };
        let rendered = render(failure, &context, line.browser);
        rendered
            .console
            .iter()
            .map(|r| {
                if pasted.iter().any(|p| p.contains(r.as_str())) {
                    1
                } else {
                    -1
                }
            })
            .sum()
    };
    alternatives
        .iter()
        .enumerate()
        .max_by_key(|(i, f)| (score(f), std::cmp::Reverse(*i)))
        .map(|(_, f)| f.clone())
}

/// Reads one line: an engine-rendered message (today's wording, or an
/// older Chrome one rewritten into it), a line of a failure the engine
/// does not render, or a DevTools network line; a network line's method,
/// net error and status are kept whichever way the line was read.
fn recognise_any(line: &str, templates: &[Template], anchors: &[&str]) -> Option<Recognised> {
    let legacy = rewrite_legacy(line);
    let target = legacy.as_ref().map_or(line, |r| r.line.as_str());
    let network = parse_network_line(line);
    let mut found = anchors
        .iter()
        .any(|a| target.contains(a))
        .then(|| recognise_line(target, templates, None))
        .flatten();
    if let Some(found) = &mut found {
        found.line.text = line.to_owned();
        found.line.status = found.line.status.or(legacy.as_ref().and_then(|r| r.status));
    }
    let plain = |browser, url, origin, cause| Recognised {
        line: ConsoleLine {
            text: line.to_owned(),
            browser,
            api: None,
            failure: None,
            url,
            origin,
            status: None,
            method: None,
            net_error: None,
            redirected_from: None,
            cause,
        },
        alternatives: Vec::new(),
        shared: BTreeSet::new(),
    };
    let mut found = found
        .or_else(|| {
            recognise_beyond(line).map(|b| plain(b.browser, b.url, b.origin, Some(b.cause)))
        })
        .or_else(|| {
            let n = network.as_ref()?;
            Some(plain(Browser::Chrome, n.url.clone(), None, None))
        })?;
    if let Some(network) = network {
        merge_network_line(&mut found, network, templates);
    }
    Some(found)
}

/// Adds what a network line says; its net error names the engine's failure
/// when the engine renders that error.
fn merge_network_line(found: &mut Recognised, network: NetworkLine, templates: &[Template]) {
    let line = &mut found.line;
    line.method = network.method;
    line.status = line.status.or(network.status);
    line.url = line.url.take().or(network.url);
    if line.failure.is_none() {
        if let Some(error) = &network.net_error {
            let rendered = format!("Failed to load resource: {error}");
            if let Some(by_engine) = recognise_line(&rendered, templates, Some(Browser::Chrome)) {
                line.failure = by_engine.line.failure;
                found.shared = by_engine.shared;
            }
        }
    }
    line.net_error = network.net_error;
}

/// The longest fixed text of a template: a line without it cannot match.
fn longest_text(template: &Template) -> Option<&str> {
    template
        .pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Text(t) => Some(t.as_str()),
            Piece::Hole(_) => None,
        })
        .max_by_key(|t| t.len())
}

fn recognise_line(line: &str, templates: &[Template], only: Option<Browser>) -> Option<Recognised> {
    let matches: Vec<(&Template, Captures)> = templates
        .iter()
        .filter(|t| t.fixed_len >= 12 && only.is_none_or(|b| b == t.browser))
        .filter_map(|t| match_template(&t.pieces, line).map(|c| (t, c)))
        .collect();
    let (template, captures) = matches
        .iter()
        .max_by_key(|(t, _)| (t.fixed_len, std::cmp::Reverse(t.shared_by)))?;
    let read = |captures: &Captures| {
        let get = |hole: Hole| {
            captures
                .iter()
                .find(|(h, _)| *h == hole)
                .map(|(_, v)| v.clone())
        };
        let status = get(Hole::Status).and_then(|s| s.parse::<u16>().ok());
        Slots {
            value: get(Hole::Value).unwrap_or_default(),
            token: get(Hole::Token).unwrap_or_default(),
            method: get(Hole::Method).unwrap_or_default(),
            header: get(Hole::Header).unwrap_or_default(),
            location: get(Hole::Location).unwrap_or_default(),
            scheme: get(Hole::Scheme).unwrap_or_default(),
            page_url: get(Hole::PageUrl).unwrap_or_default(),
            status: status.unwrap_or(0),
        }
    };
    let get = |hole: Hole| {
        captures
            .iter()
            .find(|(h, _)| *h == hole)
            .map(|(_, v)| v.clone())
    };
    let status = get(Hole::Status).and_then(|s| s.parse::<u16>().ok());
    let names_api = template.pieces.iter().any(|p| {
        matches!(p, Piece::Text(t) if t.contains("fetch") || t.contains("Fetch") || t.contains("XMLHttpRequest"))
    });
    let specific = template.shared_by <= 2;
    let mut alternatives: Vec<Failure> = Vec::new();
    if specific {
        for (other, other_captures) in &matches {
            if other.fixed_len == template.fixed_len
                && other.browser == template.browser
                && other.shared_by <= 2
            {
                if let Some(failure) = failure_kinds(&read(other_captures))
                    .into_iter()
                    .nth(other.kind)
                {
                    if !alternatives.contains(&failure) {
                        alternatives.push(failure);
                    }
                }
            }
        }
    }
    let failure = if specific {
        failure_kinds(&read(captures))
            .into_iter()
            .nth(template.kind)
    } else {
        None
    };
    Some(Recognised {
        line: ConsoleLine {
            text: line.to_owned(),
            browser: template.browser,
            api: names_api.then_some(template.api),
            failure,
            url: get(Hole::Url),
            origin: get(Hole::Origin).or_else(|| {
                get(Hole::PageUrl).and_then(|page| {
                    let origin = url::Url::parse(&page).ok()?.origin();
                    origin.is_tuple().then(|| origin.ascii_serialization())
                })
            }),
            status,
            method: None,
            net_error: None,
            redirected_from: get(Hole::InitialUrl),
            cause: None,
        },
        alternatives,
        shared: template.causes.clone(),
    })
}
