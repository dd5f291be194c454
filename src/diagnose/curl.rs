//! `curl` command lines: DevTools "Copy as cURL (bash)" and "(cmd)",
//! Firefox "Copy as cURL", and hand-typed commands.

use super::evidence::CapturedRequest;
use super::shell::{split_bash, split_cmd};

/// Which shell a command line is quoted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quoting {
    /// POSIX shell quoting (`'...'`, `$'...'`, `\`).
    Bash,
    /// Windows cmd quoting (`^"...^"`, `^` escapes).
    Cmd,
}

/// One `curl` command found in a paste.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CurlCommand {
    /// The request it makes.
    pub(crate) request: CapturedRequest,
    /// How it was quoted.
    pub(crate) quoting: Quoting,
    /// Byte range of the command in the paste (lines it spans).
    pub(crate) lines: (usize, usize),
}

/// Whether `line` starts a curl command (after an optional `$ ` or `> ` prompt).
fn starts_curl(line: &str) -> bool {
    let line = line.trim_start();
    let line = line
        .strip_prefix("$ ")
        .or_else(|| line.strip_prefix("> "))
        .unwrap_or(line)
        .trim_start();
    line.starts_with("curl ") || line.starts_with("curl.exe ")
}

/// Finds every curl command in `text` (one per "Copy as cURL", several for "Copy all as cURL").
pub(crate) fn find_curl_commands(text: &str) -> Vec<CurlCommand> {
    let lines: Vec<&str> = text.lines().collect();
    let mut commands = Vec::new();
    let mut index = 0;
    while let Some(line) = lines.get(index) {
        if !starts_curl(line) {
            index += 1;
            continue;
        }
        let quoting = if line.contains("^\"") || line.trim_end().ends_with('^') {
            Quoting::Cmd
        } else {
            Quoting::Bash
        };
        let first = index;
        let mut command = String::new();
        while let Some(current) = lines.get(index) {
            command.push_str(current);
            command.push('\n');
            index += 1;
            let continues = match quoting {
                Quoting::Bash => current.trim_end().ends_with('\\') || open_single_quote(&command),
                Quoting::Cmd => current.ends_with('^'),
            };
            if !continues {
                break;
            }
        }
        let words = match quoting {
            Quoting::Bash => split_bash(&command),
            Quoting::Cmd => split_cmd(&command),
        };
        if let Some(request) = request_from_words(&words) {
            commands.push(CurlCommand {
                request,
                quoting,
                lines: (first, index),
            });
        }
    }
    commands
}

/// Whether a bash command so far has an unclosed `'` (a body spanning lines).
fn open_single_quote(command: &str) -> bool {
    let mut open = false;
    let mut double = false;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if !open => {
                chars.next();
            }
            '\'' if !double => open = !open,
            '"' if !open => double = !double,
            _ => {}
        }
    }
    open
}

/// Reads curl's options into a request; `None` without a URL.
fn request_from_words(words: &[String]) -> Option<CapturedRequest> {
    let mut words = words
        .iter()
        .map(String::as_str)
        .skip_while(|w| *w == "$" || *w == ">");
    words.next()?; // `curl`
    let mut request = CapturedRequest::default();
    let mut method: Option<String> = None;
    let mut head = false;
    let mut get_with_data = false;
    let mut data: Vec<String> = Vec::new();
    while let Some(word) = words.next() {
        match word {
            "-H" | "--header" => {
                if let Some(value) = words.next() {
                    if let Some((name, value)) = value.split_once(':') {
                        request
                            .headers
                            .push((name.trim().to_owned(), value.trim().to_owned()));
                    } else if let Some(name) = value.strip_suffix(';') {
                        request
                            .headers
                            .push((name.trim().to_owned(), String::new()));
                    }
                }
            }
            "-X" | "--request" => method = words.next().map(str::to_owned),
            "-d" | "--data" | "--data-raw" | "--data-binary" | "--data-ascii"
            | "--data-urlencode" | "--json" => {
                if let Some(value) = words.next() {
                    data.push(value.to_owned());
                }
            }
            "-b" | "--cookie" => {
                if let Some(value) = words.next() {
                    request
                        .headers
                        .push(("Cookie".to_owned(), value.to_owned()));
                }
            }
            "-A" | "--user-agent" => {
                if let Some(value) = words.next() {
                    request
                        .headers
                        .push(("User-Agent".to_owned(), value.to_owned()));
                }
            }
            "-e" | "--referer" => {
                if let Some(value) = words.next() {
                    request
                        .headers
                        .push(("Referer".to_owned(), value.to_owned()));
                }
            }
            "-u" | "--user" => {
                let given = words.next().is_some();
                if given {
                    request
                        .headers
                        .push(("Authorization".to_owned(), "Basic [from -u]".to_owned()));
                }
            }
            "--url" => {
                if let Some(value) = words.next() {
                    request.url = value.to_owned();
                }
            }
            "-I" | "--head" => head = true,
            "-G" | "--get" => get_with_data = true,
            // Options that take a value we do not need.
            "-o" | "--output" | "-m" | "--max-time" | "--connect-timeout" | "-x" | "--proxy"
            | "--resolve" | "--cacert" | "--cert" | "--key" | "-w" | "--write-out" | "-F"
            | "--form" | "--retry" | "--max-redirs" => {
                words.next();
            }
            w if w.starts_with("-X") && w.len() > 2 => method = w.get(2..).map(str::to_owned),
            w if w.starts_with("-H") && w.len() > 2 => {
                if let Some((name, value)) = w.get(2..).and_then(|h| h.split_once(':')) {
                    request
                        .headers
                        .push((name.trim().to_owned(), value.trim().to_owned()));
                }
            }
            w if w.starts_with('-') => {}
            w if request.url.is_empty() => request.url = w.to_owned(),
            _ => {}
        }
    }
    if request.url.is_empty() {
        return None;
    }
    let body = (!data.is_empty()).then(|| data.join("&"));
    request.method = match (method, head, get_with_data, &body) {
        (Some(m), ..) => m,
        (None, true, ..) => "HEAD".to_owned(),
        (None, _, false, Some(_)) => "POST".to_owned(),
        _ => "GET".to_owned(),
    };
    if get_with_data {
        if let Some(query) = &body {
            let joiner = if request.url.contains('?') { '&' } else { '?' };
            request.url = format!("{}{joiner}{query}", request.url);
        }
    } else {
        request.body = body;
    }
    request.referrer = request.header("Referer").map(str::to_owned);
    Some(request)
}
