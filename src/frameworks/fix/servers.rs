//! Edits to nginx and Apache configurations, line by line as written:
//! nginx's `always`, the server's CORS `add_header` lines repeated in a
//! location that has its own, `proxy_hide_header` for what the upstream
//! sends; Apache's `Header always set`, and an origin written out where
//! `%{HTTP_ORIGIN}e` names no variable.

use super::{Candidate, Needs};
use crate::frameworks::is_cors_relevant;
use crate::scenario::FrameworkRule;

/// The directive a line holds (its first word) and the rest.
fn directive(line: &str) -> (&str, &str) {
    let line = line.trim();
    line.split_once(char::is_whitespace)
        .map_or((line, ""), |(d, rest)| (d, rest.trim()))
}

/// Adds `always` to every `add_header` that lacks it.
fn nginx_always(text: &str) -> Option<Candidate> {
    let mut changed = false;
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            let (name, rest) = directive(line);
            match rest.strip_suffix(';') {
                Some(args) if name == "add_header" && !args.trim_end().ends_with(" always") => {
                    changed = true;
                    let cut = line.rfind(';').unwrap_or(line.len());
                    format!(
                        "{} always;{}",
                        line.get(..cut).unwrap_or(line),
                        line.get(cut + 1..).unwrap_or_default()
                    )
                }
                _ => line.to_owned(),
            }
        })
        .collect();
    changed.then(|| {
        (
            join(&lines, text),
            vec!["add `always` to every `add_header`, so the headers are sent on 4xx and 5xx answers too".to_owned()],
        )
    })
}

/// The lines joined back, with the text's final newline.
fn join(lines: &[String], text: &str) -> String {
    let mut out = lines.join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Repeats the server level's CORS `add_header` lines in each location
/// that has `add_header` lines of its own (which drop the inherited ones).
fn nginx_inherit(text: &str) -> Option<Candidate> {
    let lines: Vec<&str> = text.lines().collect();
    // Depth of each line's start, and the server level's add_header lines.
    let mut depth = 0usize;
    let mut starts = Vec::new();
    let mut server_level = Vec::new();
    for line in &lines {
        starts.push(depth);
        let (name, rest) = directive(line);
        if depth == 1
            && name == "add_header"
            && rest.split_whitespace().next().is_some_and(is_cors_relevant)
        {
            server_level.push(line.trim().to_owned());
        }
        depth += line.matches('{').count();
        depth = depth.saturating_sub(line.matches('}').count());
    }
    if server_level.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    let mut edits = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        out.push((*line).to_owned());
        let (name, rest) = directive(line);
        if !(name == "location" && line.contains('{') && starts.get(i) == Some(&1)) {
            continue;
        }
        // The location's own lines, up to its closing brace.
        let body: Vec<&&str> = lines
            .iter()
            .skip(i + 1)
            .zip(starts.iter().skip(i + 1))
            .take_while(|(_, d)| **d >= 2)
            .map(|(l, _)| l)
            .collect();
        let own = body.iter().any(|l| directive(l).0 == "add_header");
        if !own {
            continue;
        }
        let indent: String = body
            .first()
            .map(|l| l.chars().take_while(|c| c.is_whitespace()).collect())
            .unwrap_or_else(|| "        ".to_owned());
        for header in &server_level {
            out.push(format!("{indent}{header}"));
        }
        let place = rest.trim_end_matches('{').trim();
        edits.push(format!(
            "repeat the server's CORS `add_header` lines in `location {place}`, which has an `add_header` of its own"
        ));
    }
    (!edits.is_empty()).then(|| (join(&out, text), edits))
}

/// Hides each CORS header the upstream sends, at the server level.
fn nginx_hide_upstream(text: &str, rule: &FrameworkRule) -> Option<Candidate> {
    let names: Vec<&str> = rule
        .upstream_headers
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| is_cors_relevant(n) && !n.eq_ignore_ascii_case("Vary"))
        .collect();
    if names.is_empty() {
        return None;
    }
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| directive(l).0 == "server")?;
    let mut out: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    for (offset, name) in names.iter().enumerate() {
        out.insert(at + 1 + offset, format!("    proxy_hide_header {name};"));
    }
    let edits = names
        .iter()
        .map(|n| format!("add `proxy_hide_header {n};` so only nginx sends it"))
        .collect();
    Some((join(&out, text), edits))
}

/// One edit of the text, or `None` when it does not apply.
type Edit<'r> = dyn Fn(&str) -> Option<Candidate> + 'r;

/// nginx candidates: each edit alone, then all of them together.
pub(super) fn nginx(text: &str, rule: &FrameworkRule) -> Vec<Candidate> {
    let hide = |t: &str| nginx_hide_upstream(t, rule);
    let steps: [&Edit<'_>; 3] = [&nginx_always, &nginx_inherit, &hide];
    let mut candidates: Vec<Candidate> = steps.iter().filter_map(|step| step(text)).collect();
    let mut all = (text.to_owned(), Vec::new());
    for step in steps {
        if let Some((next, edits)) = step(&all.0) {
            all.0 = next;
            all.1.extend(edits);
        }
    }
    if candidates.len() > 1 {
        candidates.push(all);
    }
    candidates
}

/// Apache candidates: `Header set` → `Header always set` (so httpd's own
/// error answers carry it), and `%{HTTP_ORIGIN}e` (an unset variable,
/// sent as `(null)`) replaced by the origin the request needs.
pub(super) fn apache(text: &str, needs: &Needs) -> Vec<Candidate> {
    let mut current = text.to_owned();
    let mut edits = Vec::new();
    let lines: Vec<String> = current
        .lines()
        .map(|line| {
            let trimmed = line.trim_start();
            match trimmed.strip_prefix("Header set ") {
                Some(rest) => {
                    let indent = line.len() - trimmed.len();
                    format!(
                        "{}Header always set {rest}",
                        line.get(..indent).unwrap_or_default()
                    )
                }
                None => line.to_owned(),
            }
        })
        .collect();
    let always = join(&lines, &current);
    if always != current {
        current = always;
        edits.push("write `Header always set` instead of `Header set`, so httpd's own error answers carry the header too".to_owned());
    }
    if let Some(origin) = &needs.origin {
        if current.contains("%{HTTP_ORIGIN}e") {
            current = current.replace("%{HTTP_ORIGIN}e", origin);
            edits.push(format!(
                "send the origin itself, \"{origin}\", instead of `%{{HTTP_ORIGIN}}e` (no variable of that name is set, so httpd writes `(null)`)"
            ));
        }
    }
    if edits.is_empty() {
        Vec::new()
    } else {
        vec![(current, edits)]
    }
}
