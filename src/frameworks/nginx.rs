//! nginx (1.22): `add_header [always]`, its inheritance, `map`,
//! `if ($request_method = OPTIONS)`, `return`, `proxy_pass`, static files.
//!
//! From the nginx documentation and source (ngx_http_headers_filter):
//! `add_header` is sent only with 200, 201, 204, 206, 301, 302, 303, 304,
//! 307 and 308 unless it has `always`; a header whose value is empty is
//! not sent; a level (server, location, `if` in location) inherits the
//! outer level's `add_header` lines only when it has none of its own. An
//! upstream's own headers pass through `proxy_pass`, so both copies are
//! sent; an upstream nginx cannot reach is a 502 made by nginx. The static
//! file handler answers `OPTIONS` with 405.

mod config;

use self::config::{Block, Directive};
use super::pattern::{Anchor, Pattern};
use super::{Answer, Backend, ConfigError, Outcome, Request};

/// A parsed nginx configuration (its first `server`, or the pasted
/// `location` blocks and directives as one server).
#[derive(Debug, Clone)]
pub struct Nginx {
    maps: Vec<Map>,
    http_headers: Vec<AddHeader>,
    server: Level,
    locations: Vec<Location>,
}

/// One `add_header name value [always]`.
#[derive(Debug, Clone)]
struct AddHeader {
    name: String,
    value: String,
    always: bool,
}

/// The directives of one level that decide the answer.
#[derive(Debug, Clone, Default)]
struct Level {
    /// `add_header` lines, `None` when the level has none (it inherits).
    headers: Option<Vec<AddHeader>>,
    /// The rewrite-phase directives, in order: `if` blocks and `return`.
    rewrites: Vec<Rewrite>,
    /// `proxy_pass` target.
    proxy: bool,
    /// `proxy_hide_header` names (lower-case).
    hide: Vec<String>,
}

#[derive(Debug, Clone)]
enum Rewrite {
    Return(u16),
    If(Condition, Box<Level>),
}

#[derive(Debug, Clone)]
enum Condition {
    Equals(String, String, bool),
    Matches(String, Pattern, bool),
    NonEmpty(String),
}

#[derive(Debug, Clone)]
enum Match {
    Exact(String),
    Prefix(String, bool),
    Regex(Pattern),
}

#[derive(Debug, Clone)]
struct Location {
    matcher: Match,
    level: Level,
}

#[derive(Debug, Clone)]
struct Map {
    source: String,
    target: String,
    default: String,
    exact: Vec<(String, String)>,
    regexes: Vec<(Pattern, String)>,
}

/// Reads an nginx configuration: a whole `nginx.conf`, an `http` or
/// `server` block, or `location` blocks as pasted.
pub(super) fn parse(text: &str) -> Result<Nginx, ConfigError> {
    let top = config::parse(text)?;
    let http = top.find_block("http").unwrap_or(&top);
    let server_block = http.find_block("server").unwrap_or(http);
    let mut maps = Vec::new();
    for block in [&top, http] {
        for d in &block.directives {
            if d.name == "map" {
                maps.push(map(text, d)?);
            }
        }
    }
    let http_headers = if std::ptr::eq(http, &top) || std::ptr::eq(server_block, http) {
        Vec::new()
    } else {
        level(text, http)?.headers.unwrap_or_default()
    };
    let server = level(text, server_block)?;
    let mut locations = Vec::new();
    for d in &server_block.directives {
        if d.name != "location" {
            continue;
        }
        let Some(block) = &d.block else { continue };
        let (modifier, path) = match d.args.as_slice() {
            [path] => (String::new(), path.clone()),
            [modifier, path] => (modifier.clone(), path.clone()),
            _ => return Err(d.error(text, "location takes a path, with an optional modifier")),
        };
        let matcher = match modifier.as_str() {
            "=" => Match::Exact(path),
            "" => Match::Prefix(path, false),
            "^~" => Match::Prefix(path, true),
            "~" | "~*" => Match::Regex(
                Pattern::new(&path, modifier == "~*", Anchor::Search)
                    .map_err(|m| d.error(text, &m))?,
            ),
            other => return Err(d.error(text, &format!("unknown location modifier '{other}'"))),
        };
        locations.push(Location {
            matcher,
            level: level(text, block)?,
        });
    }
    Ok(Nginx {
        maps,
        http_headers,
        server,
        locations,
    })
}

fn level(text: &str, block: &Block) -> Result<Level, ConfigError> {
    let mut level = Level::default();
    for d in &block.directives {
        match d.name.as_str() {
            "add_header" => {
                let (name, value, always) = match d.args.as_slice() {
                    [name, value] => (name, value, false),
                    [name, value, flag] if flag == "always" => (name, value, true),
                    _ => {
                        return Err(d.error(
                            text,
                            "add_header takes a name, a value and optionally 'always'",
                        ))
                    }
                };
                level.headers.get_or_insert_with(Vec::new).push(AddHeader {
                    name: name.clone(),
                    value: value.clone(),
                    always,
                });
            }
            "return" => {
                let code = d
                    .args
                    .first()
                    .and_then(|c| c.parse().ok())
                    .ok_or_else(|| d.error(text, "return takes a status code"))?;
                level.rewrites.push(Rewrite::Return(code));
            }
            "if" => {
                let Some(block) = &d.block else {
                    return Err(d.error(text, "if needs a { } block"));
                };
                level.rewrites.push(Rewrite::If(
                    condition(text, d)?,
                    Box::new(self::level(text, block)?),
                ));
            }
            "proxy_pass" => level.proxy = true,
            "proxy_hide_header" => level
                .hide
                .extend(d.args.iter().map(|a| a.to_ascii_lowercase())),
            _ => {}
        }
    }
    Ok(level)
}

fn condition(text: &str, d: &Directive) -> Result<Condition, ConfigError> {
    // `($var = value)`: the parentheses cling to the first and last words
    // (or stand alone after a quoted value).
    let mut owned = d.args.clone();
    if let Some(first) = owned.first_mut() {
        *first = first.strip_prefix('(').unwrap_or(first).to_owned();
    }
    if let Some(last) = owned.last_mut() {
        *last = last.strip_suffix(')').unwrap_or(last).to_owned();
    }
    owned.retain(|a| !a.is_empty());
    let args: Vec<&str> = owned.iter().map(String::as_str).collect();
    Ok(match args.as_slice() {
        [var] => Condition::NonEmpty((*var).to_owned()),
        [var, "=", value] => Condition::Equals((*var).to_owned(), (*value).to_owned(), true),
        [var, "!=", value] => Condition::Equals((*var).to_owned(), (*value).to_owned(), false),
        [var, op @ ("~" | "~*" | "!~" | "!~*"), pattern] => Condition::Matches(
            (*var).to_owned(),
            Pattern::new(pattern, op.ends_with('*'), Anchor::Search)
                .map_err(|m| d.error(text, &m))?,
            !op.starts_with('!'),
        ),
        _ => {
            return Err(d.error(
                text,
                "this if condition is not one CORS Lab reads (=, !=, ~, ~*, or a variable)",
            ))
        }
    })
}

fn map(text: &str, d: &Directive) -> Result<Map, ConfigError> {
    let ([source, target], Some(block)) = (
        <[String; 2]>::try_from(d.args.clone())
            .map_err(|_| d.error(text, "map takes a source and a variable"))?,
        &d.block,
    ) else {
        return Err(d.error(text, "map needs a { } block"));
    };
    let mut out = Map {
        source,
        target,
        default: String::new(),
        exact: Vec::new(),
        regexes: Vec::new(),
    };
    for entry in &block.directives {
        let value = entry.args.first().cloned().unwrap_or_default();
        let key = entry.name.clone();
        if key == "default" {
            out.default = value;
        } else if matches!(key.as_str(), "hostnames" | "volatile") {
        } else if let Some(pattern) = key.strip_prefix("~*") {
            out.regexes.push((
                Pattern::new(pattern, true, Anchor::Search).map_err(|m| entry.error(text, &m))?,
                value,
            ));
        } else if let Some(pattern) = key.strip_prefix('~') {
            out.regexes.push((
                Pattern::new(pattern, false, Anchor::Search).map_err(|m| entry.error(text, &m))?,
                value,
            ));
        } else {
            out.exact
                .push((key.strip_prefix('\\').unwrap_or(&key).to_owned(), value));
        }
    }
    Ok(out)
}

/// The request-time view: variables and maps.
struct Vars<'a> {
    nginx: &'a Nginx,
    request: &'a Request,
}

impl Vars<'_> {
    fn get(&self, name: &str, depth: usize) -> String {
        if let Some(map) = self
            .nginx
            .maps
            .iter()
            .find(|m| m.target == format!("${name}"))
        {
            if depth > 8 {
                return String::new();
            }
            let input = self.expand(&map.source, depth + 1);
            // Exact matches are case-insensitive for strings.
            let value = map
                .exact
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(&input))
                .map(|(_, v)| v.clone())
                .or_else(|| {
                    map.regexes
                        .iter()
                        .find(|(p, _)| p.is_match(&input))
                        .map(|(_, v)| v.clone())
                })
                .unwrap_or_else(|| map.default.clone());
            return self.expand(&value, depth + 1);
        }
        match name {
            "request_method" => self.request.method.clone(),
            "uri" | "request_uri" | "document_uri" => self.request.path.clone(),
            _ => name
                .strip_prefix("http_")
                .and_then(|h| self.request.header(&h.replace('_', "-")))
                .map(str::to_owned)
                .unwrap_or_default(),
        }
    }

    /// `text` with `$name` and `${name}` replaced.
    fn expand(&self, text: &str, depth: usize) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find('$') {
            out.push_str(rest.get(..at).unwrap_or(""));
            let after = rest.get(at + 1..).unwrap_or("");
            let (name, used) = if let Some(braced) = after.strip_prefix('{') {
                let end = braced.find('}').unwrap_or(braced.len());
                (braced.get(..end).unwrap_or(""), end + 2)
            } else {
                let end = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                (after.get(..end).unwrap_or(""), end)
            };
            if name.is_empty() {
                out.push('$');
            } else {
                out.push_str(&self.get(name, depth));
            }
            rest = after.get(used..).unwrap_or("");
        }
        out.push_str(rest);
        out
    }

    fn holds(&self, condition: &Condition) -> bool {
        match condition {
            Condition::NonEmpty(var) => {
                let v = self.expand(var, 0);
                !v.is_empty() && v != "0"
            }
            Condition::Equals(var, value, yes) => {
                (self.expand(var, 0) == self.expand(value, 0)) == *yes
            }
            Condition::Matches(var, pattern, yes) => pattern.is_match(&self.expand(var, 0)) == *yes,
        }
    }
}

impl Nginx {
    fn location(&self, path: &str) -> Option<&Location> {
        if let Some(exact) = self
            .locations
            .iter()
            .find(|l| matches!(&l.matcher, Match::Exact(p) if p == path))
        {
            return Some(exact);
        }
        let longest = self
            .locations
            .iter()
            .filter_map(|l| match &l.matcher {
                Match::Prefix(p, stop) if path.starts_with(p.as_str()) => Some((l, p.len(), *stop)),
                _ => None,
            })
            .max_by_key(|(_, len, _)| *len);
        if let Some((l, _, true)) = longest {
            return Some(l);
        }
        self.locations
            .iter()
            .find(|l| matches!(&l.matcher, Match::Regex(p) if p.is_match(path)))
            .or(longest.map(|(l, _, _)| l))
    }

    /// nginx's answer.
    pub(super) fn respond(&self, request: &Request, backend: &Backend) -> Answer {
        let vars = Vars {
            nginx: self,
            request,
        };
        let mut headers = if self.http_headers.is_empty() {
            None
        } else {
            Some(self.http_headers.clone())
        };
        let mut inherit = |level: &Level, headers: &mut Option<Vec<AddHeader>>| {
            if level.headers.is_some() {
                headers.clone_from(&level.headers);
            }
        };
        inherit(&self.server, &mut headers);
        // The server's rewrite directives run first, then the location's.
        let (status, upstream_headers) = 'answer: {
            if let Some(status) = run_rewrites(&vars, &self.server, &mut headers, &mut inherit) {
                break 'answer (status, Vec::new());
            }
            let location = self.location(&request.path);
            let level = location.map_or(&self.server, |l| &l.level);
            if let Some(l) = location {
                inherit(&l.level, &mut headers);
                if let Some(status) = run_rewrites(&vars, &l.level, &mut headers, &mut inherit) {
                    break 'answer (status, Vec::new());
                }
            }
            if level.proxy || self.server.proxy {
                match backend.outcome {
                    Outcome::Down => (502, Vec::new()),
                    outcome => {
                        // Like every array directive, `proxy_hide_header`
                        // is inherited when the location has none of its own.
                        let hide = if level.hide.is_empty() {
                            &self.server.hide
                        } else {
                            &level.hide
                        };
                        let passed = backend
                            .headers
                            .iter()
                            .filter(|(n, _)| !hide.contains(&n.to_ascii_lowercase()))
                            .cloned()
                            .collect();
                        (outcome.status(), passed)
                    }
                }
            } else if !matches!(request.method.as_str(), "GET" | "HEAD" | "POST") {
                (405, Vec::new())
            } else {
                match backend.outcome {
                    Outcome::NotFound => (404, Vec::new()),
                    _ => (200, Vec::new()),
                }
            }
        };
        let mut answer = Answer {
            status,
            headers: upstream_headers,
        };
        let success = matches!(
            status,
            200 | 201 | 204 | 206 | 301 | 302 | 303 | 304 | 307 | 308
        );
        for header in headers.unwrap_or_default() {
            if !(header.always || success) {
                continue;
            }
            let value = vars.expand(&header.value, 0);
            if !value.is_empty() {
                answer.add(&header.name, value);
            }
        }
        answer
    }
}

/// Runs a level's `if` and `return` directives in order; a `return`
/// (at this level or in a matching `if`) answers. A matching `if` becomes
/// the level whose `add_header` lines apply.
fn run_rewrites(
    vars: &Vars<'_>,
    level: &Level,
    headers: &mut Option<Vec<AddHeader>>,
    inherit: &mut impl FnMut(&Level, &mut Option<Vec<AddHeader>>),
) -> Option<u16> {
    for rewrite in &level.rewrites {
        match rewrite {
            Rewrite::Return(status) => return Some(*status),
            Rewrite::If(condition, inner) if vars.holds(condition) => {
                inherit(inner, headers);
                if let Some(status) = run_rewrites(vars, inner, headers, inherit) {
                    return Some(status);
                }
            }
            Rewrite::If(..) => {}
        }
    }
    None
}
