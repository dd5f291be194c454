//! Console lines → the typed [`Failure`] that makes a browser print them.
//!
//! Nothing here knows a message string: every failure kind is rendered by
//! `engine::messages` with placeholder values, the rendering becomes a
//! template with holes, and a pasted line is matched against the templates.
//! A message the engine learns is recognised here with no change.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::engine::messages::{render, MessageContext};
use crate::engine::CspViolation;
use crate::engine::{CorsError, Failure, Phase};
use crate::scenario::{Api, Browser};

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
    /// The status it names, when it does.
    pub status: Option<u16>,
}

/// The values that fill a failure's fields (placeholders, or values read back).
#[derive(Debug, Clone, Default)]
struct Slots {
    value: String,
    token: String,
    method: String,
    header: String,
    location: String,
    scheme: String,
    status: u16,
}

/// Every failure kind the engine renders, filled from `s`. The same index
/// always gives the same kind, so a match can be rebuilt with read values.
fn failure_kinds(s: &Slots) -> Vec<Failure> {
    let mut kinds = Vec::new();
    for phase in [Phase::Actual, Phase::Preflight] {
        for error in [
            CorsError::MissingAllowOrigin,
            CorsError::WildcardOriginNotAllowed,
            CorsError::MultipleAllowOriginValues {
                value: s.value.clone(),
                lines: 1,
            },
            CorsError::MultipleAllowOriginValues {
                value: s.value.clone(),
                lines: 2,
            },
            CorsError::MultipleAllowOriginValues {
                value: "a, b".to_owned(),
                lines: 1,
            },
            CorsError::InvalidAllowOriginValue {
                value: s.value.clone(),
            },
            CorsError::AllowOriginMismatch {
                value: s.value.clone(),
            },
            CorsError::InvalidAllowCredentials {
                value: s.value.clone(),
            },
        ] {
            kinds.push(Failure::Cors { phase, error });
        }
        for kind in crate::scenario::NetworkErrorKind::ALL {
            kinds.push(Failure::ConnectionFailed { phase, kind });
        }
    }
    kinds.extend([
        Failure::PreflightInvalidStatus { status: s.status },
        Failure::PreflightRedirect { status: s.status },
        Failure::InvalidAllowMethods {
            value: s.value.clone(),
            token: s.token.clone(),
        },
        Failure::InvalidAllowHeaders {
            value: s.value.clone(),
            token: s.token.clone(),
        },
        Failure::MethodNotAllowed {
            method: s.method.clone(),
        },
        Failure::HeaderNotAllowed {
            header: s.header.clone(),
        },
        Failure::RedirectContainsCredentials {
            location: s.location.clone(),
        },
        Failure::SameOriginModeCrossOrigin {
            after_redirect: false,
        },
        Failure::SameOriginModeCrossOrigin {
            after_redirect: true,
        },
        Failure::NoCorsRedirectNotFollow,
        Failure::UnsupportedScheme {
            scheme: s.scheme.clone(),
        },
        Failure::RedirectModeError,
        Failure::TooManyRedirects,
        Failure::InvalidRedirectLocation {
            location: s.location.clone(),
        },
    ]);
    // The page's own policy refused a fetch or XHR: `connect-src`, or
    // `default-src` as its fallback; the value is the directive's sources.
    for directive in ["connect-src", "default-src"] {
        kinds.push(Failure::CspBlocked {
            violations: vec![CspViolation {
                effective_directive: "connect-src".to_owned(),
                directive: directive.to_owned(),
                value: s.value.clone(),
            }],
        });
    }
    kinds
}

/// A placeholder in a rendered message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    Status,
}

const HOLES: [Hole; 11] = [
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
#[derive(Debug, Clone, PartialEq)]
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
                    let rendered = render(failure, &context, browser);
                    for line in rendered.console.iter().chain(rendered.js_error.iter()) {
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
                            fixed_len,
                        });
                    }
                }
            }
        }
    }
    // A template many kinds print (e.g. `Failed to load resource: net::ERR_FAILED`) says little.
    let kind_names: Vec<String> = kinds
        .iter()
        .map(|k| {
            serde_json::to_value(k)
                .ok()
                .and_then(|v| v.get("failure").and_then(|f| f.as_str().map(str::to_owned)))
                .unwrap_or_default()
        })
        .collect();
    let mut sharing: BTreeMap<(Browser, String), BTreeSet<&str>> = BTreeMap::new();
    for template in &all {
        let name = kind_names.get(template.kind).map_or("", String::as_str);
        sharing
            .entry((template.browser, format!("{:?}", template.pieces)))
            .or_default()
            .insert(name);
    }
    for template in &mut all {
        template.shared_by = sharing
            .get(&(template.browser, format!("{:?}", template.pieces)))
            .map_or(1, BTreeSet::len);
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
    let recognised: Vec<(ConsoleLine, Vec<Failure>)> = candidates
        .iter()
        .filter(|line| anchors.iter().any(|a| line.contains(a)))
        .filter_map(|line| recognise_line(line, templates))
        .collect();
    let pasted: Vec<&str> = recognised.iter().map(|(l, _)| l.text.as_str()).collect();
    recognised
        .iter()
        .map(|(line, alternatives)| {
            let mut line = line.clone();
            if alternatives.len() > 1 {
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
                line.failure = alternatives
                    .iter()
                    .enumerate()
                    .max_by_key(|(i, f)| (score(f), std::cmp::Reverse(*i)))
                    .map(|(_, f)| f.clone());
            }
            line
        })
        .collect()
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

fn recognise_line(line: &str, templates: &[Template]) -> Option<(ConsoleLine, Vec<Failure>)> {
    let matches: Vec<(&Template, Captures)> = templates
        .iter()
        .filter(|t| t.fixed_len >= 12)
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
    Some((
        ConsoleLine {
            text: line.to_owned(),
            browser: template.browser,
            api: names_api.then_some(template.api),
            failure,
            url: get(Hole::Url),
            origin: get(Hole::Origin),
            status,
        },
        alternatives,
    ))
}
