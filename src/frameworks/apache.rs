//! Apache httpd 2.4: mod_headers (`Header [always] set|add|append|merge|
//! unset`), mod_setenvif (`SetEnvIf[NoCase]`), mod_rewrite answers
//! (`RewriteRule ... [R=204]`), mod_proxy (`ProxyPass`) and static files.
//!
//! From the httpd documentation and source (mod_headers.c, http_protocol.c):
//! `Header` without `always` writes the table of a successful response;
//! `always` writes the one kept on errors too. A response httpd makes
//! itself for an error (a missing file's 404, mod_proxy's 503 for an
//! upstream it cannot reach, a rewrite
//! rule's status) keeps only the `always` table; a proxied response keeps
//! both, whatever its status, so a header set both ways is sent twice
//! (the `always` one first).
//! `%{VAR}e` of a variable nothing set is `(null)`.

use super::pattern::{Anchor, Pattern};
use super::{Answer, Backend, ConfigError, Outcome, Request};

/// A parsed Apache configuration (the directives of the server, its first
/// `<VirtualHost>` and the `<Location>`/`<Directory>` sections, in the
/// order httpd merges them).
#[derive(Debug, Clone)]
pub struct Apache {
    set_env: Vec<SetEnv>,
    headers: Vec<(Scope, HeaderDirective)>,
    rewrites: Vec<RewriteRule>,
    proxy: Vec<String>,
}

/// Where a directive applies.
#[derive(Debug, Clone)]
enum Scope {
    Everywhere,
    Prefix(String),
    Regex(Pattern),
}

#[derive(Debug, Clone)]
struct SetEnv {
    attribute: String,
    pattern: Pattern,
    assignments: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
struct HeaderDirective {
    always: bool,
    action: String,
    name: String,
    value: String,
    condition: Option<(String, bool)>,
}

#[derive(Debug, Clone)]
struct RewriteRule {
    conditions: Vec<(String, Pattern, bool)>,
    pattern: Pattern,
    status: u16,
}

/// One line: the directive name and its arguments (quotes removed).
fn split_args(text: &str, line: &str, offset: usize) -> Result<Vec<String>, ConfigError> {
    let mut args = Vec::new();
    let mut chars = line.char_indices().peekable();
    while let Some(&(at, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' || c == '\'' {
            chars.next();
            let mut value = String::new();
            let mut closed = false;
            while let Some((_, d)) = chars.next() {
                if d == '\\' && chars.peek().is_some_and(|&(_, e)| e == c) {
                    if let Some((_, e)) = chars.next() {
                        value.push(e);
                    }
                } else if d == c {
                    closed = true;
                    break;
                } else {
                    value.push(d);
                }
            }
            if !closed {
                return Err(ConfigError::at(
                    text,
                    offset + at,
                    "this quoted string is never closed",
                ));
            }
            args.push(value);
        } else {
            let mut value = String::new();
            while let Some(&(_, d)) = chars.peek() {
                if d.is_whitespace() {
                    break;
                }
                value.push(d);
                chars.next();
            }
            args.push(value);
        }
    }
    Ok(args)
}

/// Reads an Apache configuration or the part of one people paste.
pub(super) fn parse(text: &str) -> Result<Apache, ConfigError> {
    let mut apache = Apache {
        set_env: Vec::new(),
        headers: Vec::new(),
        rewrites: Vec::new(),
        proxy: Vec::new(),
    };
    let mut sections: Vec<(String, Scope, usize)> = Vec::new();
    let mut conditions: Vec<(String, Pattern, bool)> = Vec::new();
    let mut offset = 0;
    let mut pending = String::new();
    let mut pending_start = 0;
    for raw in text.split_inclusive('\n') {
        let line_start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if pending.is_empty() {
            pending_start = line_start + (line.len() - line.trim_start().len());
        }
        if let Some(continued) = line.strip_suffix('\\') {
            pending.push_str(continued);
            pending.push(' ');
            continue;
        }
        pending.push_str(line);
        let full = std::mem::take(&mut pending);
        let trimmed = full.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let at = pending_start;
        let fail = |m: &str| ConfigError::at(text, at, m);
        if let Some(close) = trimmed.strip_prefix("</") {
            let name = close.trim_end_matches('>').trim().to_ascii_lowercase();
            match sections.pop() {
                Some((open, _, _)) if open == name => continue,
                Some((open, _, _)) => return Err(fail(&format!("</{name}> closes <{open}>"))),
                None => return Err(fail(&format!("</{name}> closes nothing"))),
            }
        }
        if let Some(open) = trimmed.strip_prefix('<') {
            let Some(inner) = open.strip_suffix('>') else {
                return Err(fail("this section line has no closing '>'"));
            };
            let args = split_args(text, inner, at + 1)?;
            let name = args
                .first()
                .cloned()
                .unwrap_or_default()
                .to_ascii_lowercase();
            let arg = args.get(1).cloned().unwrap_or_default();
            let scope = match name.as_str() {
                "location" => Scope::Prefix(arg),
                "locationmatch" => {
                    Scope::Regex(Pattern::new(&arg, false, Anchor::Search).map_err(|m| fail(&m))?)
                }
                _ => sections
                    .last()
                    .map_or(Scope::Everywhere, |(_, s, _)| s.clone()),
            };
            sections.push((name, scope, at));
            continue;
        }
        let args = split_args(text, trimmed, at)?;
        let Some((name, args)) = args.split_first() else {
            continue;
        };
        let scope = sections
            .last()
            .map_or(Scope::Everywhere, |(_, s, _)| s.clone());
        match name.to_ascii_lowercase().as_str() {
            "header" => apache
                .headers
                .push((scope, header(args).map_err(|m| fail(&m))?)),
            "setenvif" | "setenvifnocase" => {
                let nocase = name.eq_ignore_ascii_case("setenvifnocase");
                let [attribute, pattern, assignments @ ..] = args else {
                    return Err(fail("SetEnvIf takes an attribute, a regex and variables"));
                };
                apache.set_env.push(SetEnv {
                    attribute: attribute.clone(),
                    pattern: Pattern::new(pattern, nocase, Anchor::Search).map_err(|m| fail(&m))?,
                    assignments: assignments
                        .iter()
                        .map(|a| match a.split_once('=') {
                            Some((k, v)) => (k.to_owned(), v.to_owned()),
                            None => (a.trim_start_matches('!').to_owned(), "1".to_owned()),
                        })
                        .collect(),
                });
            }
            "rewritecond" => {
                let [test, pattern, flags @ ..] = args else {
                    return Err(fail("RewriteCond takes a test string and a pattern"));
                };
                let nocase = flags.iter().any(|f| f.to_ascii_uppercase().contains("NC"));
                let (pattern, yes) = match pattern.strip_prefix('!') {
                    Some(p) => (p, false),
                    None => (pattern.as_str(), true),
                };
                conditions.push((
                    test.clone(),
                    Pattern::new(pattern, nocase, Anchor::Search).map_err(|m| fail(&m))?,
                    yes,
                ));
            }
            "rewriterule" => {
                let [pattern, _target, flags @ ..] = args else {
                    return Err(fail("RewriteRule takes a pattern and a substitution"));
                };
                let status = flags
                    .iter()
                    .flat_map(|f| f.trim_matches(['[', ']']).split(','))
                    .find_map(|f| f.strip_prefix("R=").or_else(|| f.strip_prefix("r=")))
                    .map(|s| s.parse::<u16>().map_err(|_| fail("R= takes a status code")))
                    .transpose()?;
                let rule_conditions = std::mem::take(&mut conditions);
                if let Some(status) = status {
                    apache.rewrites.push(RewriteRule {
                        conditions: rule_conditions,
                        pattern: Pattern::new(pattern, false, Anchor::Search)
                            .map_err(|m| fail(&m))?,
                        status,
                    });
                }
            }
            "proxypass" => {
                if let Some(path) = args.first() {
                    apache.proxy.push(path.clone());
                }
            }
            _ => {}
        }
    }
    if let Some((name, _, at)) = sections.pop() {
        return Err(ConfigError::at(
            text,
            at,
            format!("<{name}> is never closed"),
        ));
    }
    Ok(apache)
}

/// Refuses the `Header` value formats the model does not answer for:
/// mod_headers has no request-header lookup (`%{Name}i` is mod_log_config's
/// syntax; in a `Header` value httpd prints its idle percentage, `i=98`),
/// and `%t`, `%D`, `%l`, `%b`, `%{...}s` vary per request.
fn check_format(value: &str) -> Result<(), String> {
    let mut rest = value;
    while let Some(at) = rest.find('%') {
        let after = rest.get(at + 1..).unwrap_or("");
        if let Some(more) = after.strip_prefix('%') {
            rest = more;
            continue;
        }
        let kind = match after.strip_prefix('{') {
            Some(inner) => inner.find('}').and_then(|end| inner.get(end + 1..end + 2)),
            None => after.get(..1),
        };
        match kind {
            Some("e") => {}
            Some("i") => {
                return Err(format!(
                    "{value:?}: Header has no %{{Name}}i (that is mod_log_config's syntax; here \
                     httpd prints its idle percentage, such as i=98): use SetEnvIf and %{{VAR}}e"
                ))
            }
            Some(other) => {
                return Err(format!(
                    "{value:?}: the %{other} format changes on every request; CORS Lab models %{{VAR}}e only"
                ))
            }
            None => return Err(format!("{value:?}: a '%' with no format after it")),
        }
        rest = after;
    }
    Ok(())
}

fn header(args: &[String]) -> Result<HeaderDirective, String> {
    let mut args = args.iter().map(String::as_str).peekable();
    let mut always = false;
    match args.peek().map(|a| a.to_ascii_lowercase()) {
        Some(a) if a == "always" => {
            always = true;
            args.next();
        }
        Some(a) if a == "onsuccess" => {
            args.next();
        }
        _ => {}
    }
    let action = args
        .next()
        .ok_or("Header needs an action (set, add, append, merge, unset)")?
        .to_ascii_lowercase();
    if !matches!(
        action.as_str(),
        "set" | "add" | "append" | "merge" | "unset" | "setifempty"
    ) {
        return Err(format!(
            "Header {action} is not one CORS Lab models (set, add, append, merge, unset)"
        ));
    }
    let name = args.next().ok_or("Header needs a header name")?.to_owned();
    let value = if action == "unset" {
        String::new()
    } else {
        args.next().unwrap_or("").to_owned()
    };
    check_format(&value)?;
    let condition = match args.next() {
        None => None,
        Some(c) => match c.strip_prefix("env=") {
            Some(var) => Some(match var.strip_prefix('!') {
                Some(v) => (v.to_owned(), false),
                None => (var.to_owned(), true),
            }),
            None => {
                return Err(format!(
                    "the Header condition {c:?} is not one CORS Lab models (env=VAR)"
                ))
            }
        },
    };
    Ok(HeaderDirective {
        always,
        action,
        name,
        value,
        condition,
    })
}

impl Scope {
    fn applies(&self, path: &str) -> bool {
        match self {
            Scope::Everywhere => true,
            Scope::Prefix(p) => path.starts_with(p.as_str()),
            Scope::Regex(p) => p.is_match(path),
        }
    }
}

impl Apache {
    /// httpd's answer.
    pub(super) fn respond(&self, request: &Request, backend: &Backend) -> Answer {
        let mut env: Vec<(String, String)> = Vec::new();
        for rule in &self.set_env {
            let subject = match rule.attribute.to_ascii_lowercase().as_str() {
                "request_method" => Some(request.method.clone()),
                "request_uri" => Some(request.path.clone()),
                _ => request.header(&rule.attribute).map(str::to_owned),
            };
            let Some(captures) = subject.and_then(|s| rule.pattern.captures(&s)) else {
                continue;
            };
            for (name, value) in &rule.assignments {
                let mut expanded = value.clone();
                for (i, c) in captures.iter().enumerate().rev() {
                    expanded = expanded.replace(&format!("${i}"), c);
                }
                env.retain(|(n, _)| n != name);
                env.push((name.clone(), expanded));
            }
        }
        let proxied = self
            .proxy
            .iter()
            .any(|p| request.path.starts_with(p.as_str()));
        // A rewrite rule's status, httpd's own error, or the handler's answer.
        let rewrite = self
            .rewrites
            .iter()
            .find(|r| {
                r.pattern.is_match(request.path.trim_start_matches('/'))
                    || r.pattern.is_match(&request.path)
            })
            .filter(|r| {
                r.conditions.iter().all(|(test, pattern, yes)| {
                    let value = expand_test(test, request);
                    pattern.is_match(&value) == *yes
                })
            });
        let (status, generated, passed) = if let Some(rule) = rewrite {
            (rule.status, true, Vec::new())
        } else if proxied {
            match backend.outcome {
                // A refused connection: mod_proxy answers 503 itself.
                Outcome::Down => (503, true, Vec::new()),
                outcome => (outcome.status(), false, backend.headers.clone()),
            }
        } else if request.method == "OPTIONS" {
            // The core handler answers OPTIONS itself (200, Allow).
            (200, false, Vec::new())
        } else {
            match backend.outcome {
                Outcome::NotFound => (404, true, Vec::new()),
                _ => (200, false, Vec::new()),
            }
        };
        // The handler's (or upstream's) headers share the table `Header
        // set` writes.
        let mut success_table: Vec<(String, String)> = passed;
        let mut always_table: Vec<(String, String)> = Vec::new();
        for (scope, directive) in &self.headers {
            if !scope.applies(&request.path) {
                continue;
            }
            if let Some((var, yes)) = &directive.condition {
                if env.iter().any(|(n, _)| n == var) != *yes {
                    continue;
                }
            }
            let table = if directive.always {
                &mut always_table
            } else {
                &mut success_table
            };
            let value = format_value(&directive.value, request, &env);
            apply(table, directive, value);
        }
        // The `always` table is sent first.
        let mut headers = always_table;
        if !generated {
            headers.extend(success_table);
        }
        fixup_vary(&mut headers);
        Answer { status, headers }
    }
}

fn apply(table: &mut Vec<(String, String)>, directive: &HeaderDirective, value: String) {
    let name = &directive.name;
    let position = table.iter().position(|(n, _)| n.eq_ignore_ascii_case(name));
    match directive.action.as_str() {
        "set" => {
            table.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
            table.push((name.clone(), value));
        }
        "setifempty" if position.is_none() => table.push((name.clone(), value)),
        "add" => table.push((name.clone(), value)),
        "append" | "merge" => match position.and_then(|p| table.get_mut(p)) {
            Some((_, existing)) => {
                let listed = existing.split(',').any(|v| v.trim() == value);
                if directive.action == "append" || !listed {
                    existing.push_str(", ");
                    existing.push_str(&value);
                }
            }
            None => table.push((name.clone(), value)),
        },
        "unset" => table.retain(|(n, _)| !n.eq_ignore_ascii_case(name)),
        _ => {}
    }
}

/// httpd's `fixup_vary` (http_filters.c): every `Vary` line merged into
/// one, its tokens once each, joined with `,`, where the first was.
fn fixup_vary(headers: &mut Vec<(String, String)>) {
    let mut tokens: Vec<String> = Vec::new();
    let mut first = None;
    for (i, (name, value)) in headers.iter().enumerate() {
        if !name.eq_ignore_ascii_case("Vary") {
            continue;
        }
        first.get_or_insert(i);
        for token in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            if !tokens.iter().any(|t| t.eq_ignore_ascii_case(token)) {
                tokens.push(token.to_owned());
            }
        }
    }
    let Some(first) = first else { return };
    let name = headers
        .get(first)
        .map_or_else(|| "Vary".to_owned(), |(n, _)| n.clone());
    headers.retain(|(n, _)| !n.eq_ignore_ascii_case("Vary"));
    headers.insert(first.min(headers.len()), (name, tokens.join(",")));
}

/// A `Header` value: `%{VAR}e` (an environment variable), `%%`.
fn format_value(value: &str, request: &Request, env: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(at) = rest.find('%') {
        out.push_str(rest.get(..at).unwrap_or(""));
        let after = rest.get(at + 1..).unwrap_or("");
        if let Some(more) = after.strip_prefix('%') {
            out.push('%');
            rest = more;
            continue;
        }
        let Some(inner) = after.strip_prefix('{') else {
            out.push('%');
            rest = after;
            continue;
        };
        let Some(end) = inner.find('}') else {
            out.push('%');
            rest = after;
            continue;
        };
        let name = inner.get(..end).unwrap_or("");
        let kind = inner.get(end + 1..end + 2).unwrap_or("");
        let found = match kind {
            "e" => env
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone()),
            "i" => request.header(name).map(str::to_owned),
            _ => None,
        };
        out.push_str(found.as_deref().unwrap_or("(null)"));
        rest = inner.get(end + 2..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// A `RewriteCond` test string: `%{REQUEST_METHOD}`, `%{HTTP:Name}`,
/// `%{HTTP_ORIGIN}`, `%{REQUEST_URI}`.
fn expand_test(test: &str, request: &Request) -> String {
    let Some(name) = test.strip_prefix("%{").and_then(|t| t.strip_suffix('}')) else {
        return test.to_owned();
    };
    match name {
        "REQUEST_METHOD" => request.method.clone(),
        "REQUEST_URI" => request.path.clone(),
        _ => name
            .strip_prefix("HTTP:")
            .map(str::to_owned)
            .or_else(|| name.strip_prefix("HTTP_").map(|h| h.replace('_', "-")))
            .and_then(|h| request.header(&h).map(str::to_owned))
            .unwrap_or_default(),
    }
}
