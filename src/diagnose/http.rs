//! Raw HTTP header blocks: request and response heads as DevTools shows
//! them (the "General" section, "Request Headers", "Response Headers", raw
//! or not, HTTP/2 pseudo-headers), and `curl -i` / `curl -v` output.
//!
//! Not `httparse`: pasted blocks carry DevTools' section titles, `:status`
//! pseudo-headers and curl's `> `/`< ` prefixes, which an HTTP/1 parser
//! rejects; each line here is just `name: value`.

use super::evidence::{header, Captured, CapturedRequest, CapturedResponse};

/// What the blocks in a paste add up to.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct HttpBlocks {
    /// Requests, each with its response when one followed it.
    pub(crate) exchanges: Vec<Captured>,
    /// Responses that came with no request (e.g. `curl -i` output alone).
    pub(crate) orphan_responses: Vec<CapturedResponse>,
    /// Whether `curl -v` markers (`> `, `< `, `* `) were seen.
    pub(crate) verbose: bool,
    /// Whether any block was found at all.
    pub(crate) found: bool,
    /// Whether DevTools' "General" layout was seen.
    pub(crate) devtools: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Section {
    None,
    Request,
    Response,
}

/// A request line: `METHOD target HTTP/x`.
fn request_line(line: &str) -> Option<(String, String)> {
    let mut parts = line.split_whitespace();
    let method = parts.next()?;
    let target = parts.next()?;
    let version = parts.next()?;
    (method.chars().all(|c| c.is_ascii_uppercase()) && version.starts_with("HTTP/"))
        .then(|| (method.to_owned(), target.to_owned()))
}

/// A status line: `HTTP/x NNN reason`.
fn status_line(line: &str) -> Option<u16> {
    let mut parts = line.split_whitespace();
    let version = parts.next()?;
    if !version.starts_with("HTTP/") {
        return None;
    }
    parts.next()?.parse().ok()
}

/// A header line `name: value` (also `:pseudo: value`).
fn header_line(line: &str) -> Option<(String, String)> {
    let (name, value) = match line.strip_prefix(':') {
        Some(rest) => {
            let (n, v) = rest.split_once(':')?;
            (format!(":{n}"), v)
        }
        None => {
            let (n, v) = line.split_once(':')?;
            (n.to_owned(), v)
        }
    };
    let name = name.trim();
    let valid = !name.is_empty()
        && name
            .trim_start_matches(':')
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c));
    valid.then(|| (name.to_owned(), value.trim().to_owned()))
}

/// Reads every HTTP block in `lines` (the paste minus any curl command).
pub(crate) fn parse_blocks(lines: &[&str]) -> HttpBlocks {
    let mut blocks = HttpBlocks::default();
    let mut section = Section::None;
    let mut https_hint = false;
    let mut pending_name: Option<(String, Section)> = None;
    for raw in lines {
        let mut line = raw.trim_end();
        let mut forced: Option<Section> = None;
        if let Some(rest) = line.strip_prefix("> ") {
            line = rest;
            forced = Some(Section::Request);
            blocks.verbose = true;
        } else if let Some(rest) = line.strip_prefix("< ") {
            line = rest;
            forced = Some(Section::Response);
            blocks.verbose = true;
        } else if line == ">" || line == "<" {
            section = Section::None;
            blocks.verbose = true;
            continue;
        } else if let Some(info) = line.strip_prefix("* ") {
            blocks.verbose = true;
            if info.contains("SSL") || info.contains("TLS") || info.contains("port 443") {
                https_hint = true;
            }
            continue;
        }
        let line = line.trim();
        if line.is_empty() {
            if forced.is_none() {
                section = Section::None;
            }
            continue;
        }
        if let Some((name, target_section)) = pending_name.take() {
            if header_line(line).is_none() && !is_title(line) {
                push_header(&mut blocks, target_section, name, line.to_owned());
                continue;
            }
        }
        if let Some((method, target)) = request_line(line) {
            blocks.found = true;
            blocks.exchanges.push(Captured {
                request: CapturedRequest {
                    method,
                    url: target,
                    ..CapturedRequest::default()
                },
                response: None,
            });
            section = Section::Request;
            continue;
        }
        if let Some(status) = status_line(line) {
            blocks.found = true;
            start_response(&mut blocks, status);
            section = Section::Response;
            continue;
        }
        if let Some(url) = line.strip_prefix("Request URL:") {
            blocks.found = true;
            blocks.devtools = true;
            blocks.exchanges.push(Captured {
                request: CapturedRequest {
                    method: "GET".to_owned(),
                    url: url.trim().to_owned(),
                    ..CapturedRequest::default()
                },
                response: None,
            });
            section = Section::None;
            continue;
        }
        if let Some(method) = line.strip_prefix("Request Method:") {
            if let Some(last) = blocks.exchanges.last_mut() {
                last.request.method = method.trim().to_owned();
            }
            continue;
        }
        if let Some(status) = line.strip_prefix("Status Code:") {
            let code = status
                .split_whitespace()
                .next()
                .and_then(|c| c.parse().ok());
            if let (Some(code), Some(last)) = (code, blocks.exchanges.last_mut()) {
                last.response = Some(CapturedResponse {
                    status: code,
                    headers: Vec::new(),
                });
            }
            continue;
        }
        if line.starts_with("Remote Address:") || line.starts_with("Referrer Policy:") {
            continue;
        }
        if is_title(line) {
            let lower = line.to_ascii_lowercase();
            section = if lower.starts_with("response headers") {
                Section::Response
            } else {
                Section::Request
            };
            blocks.found = true;
            if section == Section::Response
                && blocks.exchanges.last().is_none_or(|e| e.response.is_none())
            {
                start_response(&mut blocks, 0);
            } else if section == Section::Request && blocks.exchanges.is_empty() {
                blocks.exchanges.push(Captured::default());
            }
            continue;
        }
        let target_section = forced.unwrap_or(section);
        if target_section == Section::None {
            continue;
        }
        match header_line(line) {
            Some((name, value)) if value.is_empty() => pending_name = Some((name, target_section)),
            Some((name, value)) => push_header(&mut blocks, target_section, name, value),
            None => {}
        }
    }
    finish(&mut blocks, https_hint);
    blocks
}

fn is_title(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    (lower.starts_with("response headers") || lower.starts_with("request headers"))
        && !line.contains(':')
}

fn start_response(blocks: &mut HttpBlocks, status: u16) {
    // A "Response Headers" title followed by the status line is one response.
    let just_titled = blocks
        .orphan_responses
        .last_mut()
        .or_else(|| {
            blocks
                .exchanges
                .last_mut()
                .and_then(|e| e.response.as_mut())
        })
        .filter(|r| r.status == 0 && r.headers.is_empty());
    if let Some(response) = just_titled {
        response.status = status;
        return;
    }
    let response = CapturedResponse {
        status,
        headers: Vec::new(),
    };
    match blocks
        .exchanges
        .iter_mut()
        .rev()
        .find(|e| e.response.is_none())
    {
        Some(exchange) if blocks.orphan_responses.is_empty() => exchange.response = Some(response),
        _ => blocks.orphan_responses.push(response),
    }
}

fn push_header(blocks: &mut HttpBlocks, section: Section, name: String, value: String) {
    match section {
        Section::Request => {
            if blocks.exchanges.is_empty() {
                blocks.exchanges.push(Captured::default());
            }
            if let Some(last) = blocks.exchanges.last_mut() {
                last.request.headers.push((name, value));
            }
        }
        Section::Response => {
            let target = match blocks.orphan_responses.last_mut() {
                Some(orphan) => Some(orphan),
                None => blocks
                    .exchanges
                    .iter_mut()
                    .rev()
                    .find_map(|e| e.response.as_mut()),
            };
            match target {
                Some(response) => {
                    if name == ":status" {
                        response.status = value.parse().unwrap_or(response.status);
                    } else {
                        response.headers.push((name, value));
                    }
                }
                None => blocks.orphan_responses.push(CapturedResponse {
                    status: if name == ":status" {
                        value.parse().unwrap_or(0)
                    } else {
                        0
                    },
                    headers: if name == ":status" {
                        Vec::new()
                    } else {
                        vec![(name, value)]
                    },
                }),
            }
        }
        Section::None => {}
    }
}

/// Completes each request's URL from its target, `Host`/`:authority` and scheme.
fn finish(blocks: &mut HttpBlocks, https_hint: bool) {
    for exchange in &mut blocks.exchanges {
        let request = &mut exchange.request;
        if let Some(method) = header(&request.headers, ":method") {
            request.method = method.to_owned();
        }
        if request.method.is_empty() {
            request.method = "GET".to_owned();
        }
        let path = header(&request.headers, ":path").map(str::to_owned);
        if let Some(path) = path {
            request.url = path;
        }
        if request.url.starts_with('/') || request.url.is_empty() {
            let host =
                header(&request.headers, ":authority").or_else(|| header(&request.headers, "Host"));
            if let Some(host) = host {
                let scheme = header(&request.headers, ":scheme")
                    .map(str::to_owned)
                    .unwrap_or_else(|| guess_scheme(host, https_hint).to_owned());
                let path = if request.url.is_empty() {
                    "/"
                } else {
                    request.url.as_str()
                };
                request.url = format!("{scheme}://{host}{path}");
            }
        }
        request.headers.retain(|(n, _)| !n.starts_with(':'));
        request.referrer = header(&request.headers, "Referer").map(str::to_owned);
        if let Some(response) = &mut exchange.response {
            if let Some(status) = header(&response.headers, ":status").and_then(|s| s.parse().ok())
            {
                response.status = status;
            }
            response.headers.retain(|(n, _)| !n.starts_with(':'));
        }
    }
    for response in &mut blocks.orphan_responses {
        response.headers.retain(|(n, _)| !n.starts_with(':'));
    }
}

/// A raw head names no scheme: https when curl said TLS, on port 443 or
/// with no port (the common case), http on any other explicit port.
fn guess_scheme(host: &str, https_hint: bool) -> &'static str {
    let port = host
        .rsplit_once(':')
        .map(|(_, p)| p)
        .filter(|p| p.chars().all(|c| c.is_ascii_digit()));
    match port {
        _ if https_hint => "https",
        Some("443") | None => "https",
        Some(_) => "http",
    }
}
