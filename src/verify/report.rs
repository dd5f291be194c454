//! Printing a run (readable text or the stable JSON shape) and writing the
//! observed results back into scenario files (`--write-expect`).

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{json, Map, Value};

use crate::scenario::RequestResult;

use super::{FileReport, FileStatus, Run, Verified};

/// The fields compared, in the summary table's column order.
pub const FIELDS: [&str; 7] = [
    "cross_origin",
    "preflight",
    "preflight_request",
    "outcome",
    "readable_headers",
    "console",
    "js_error",
];

/// The stable JSON interface: one object per file.
///
/// `{"file", "id", "browser", "observed": [R…], "engine": [R…], "disagreements":
/// [{"request", "field", "observed", "engine"}]}`, plus `"skipped"` (the reason)
/// or `"error"` when the file was not verified, and `"chromium_cors_errors"`,
/// `"wire_disagreements"` (same shape as `"disagreements"`: what the browser
/// sent against the trace's wire view) and `"wire_exchanges_compared"`.
pub fn to_json(run: &Run) -> Value {
    let files: Vec<Value> = run
        .files
        .iter()
        .map(|file| {
            let mut object = Map::new();
            object.insert("file".to_owned(), json!(file.file.display().to_string()));
            object.insert("id".to_owned(), json!(file.id));
            object.insert("browser".to_owned(), json!(run.browser));
            let (observed, engine, disagreements) = match &file.status {
                FileStatus::Verified(v) => {
                    (json!(v.observed), json!(v.engine), json!(v.disagreements))
                }
                _ => (json!([]), json!([]), json!([])),
            };
            object.insert("observed".to_owned(), observed);
            object.insert("engine".to_owned(), engine);
            object.insert("disagreements".to_owned(), disagreements);
            match &file.status {
                FileStatus::Verified(v) => {
                    object.insert(
                        "chromium_cors_errors".to_owned(),
                        json!(v.chromium_cors_errors),
                    );
                    object.insert("wire_disagreements".to_owned(), json!(v.wire_disagreements));
                    object.insert(
                        "unattributed_console".to_owned(),
                        json!(v.unattributed_console),
                    );
                    object.insert(
                        "wire_exchanges_compared".to_owned(),
                        json!(v.wire_exchanges_compared),
                    );
                    if let Some(slip) = &v.real_times {
                        object.insert("judged_at_real_times".to_owned(), json!(slip));
                    }
                }
                FileStatus::Skipped(reason) => {
                    object.insert("skipped".to_owned(), json!(reason));
                }
                FileStatus::Failed(error) => {
                    object.insert("error".to_owned(), json!(error));
                }
            }
            Value::Object(object)
        })
        .collect();
    Value::Array(files)
}

/// A readable report: per file its disagreements, then a summary table.
pub fn to_text(run: &Run) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "browser: {}", run.browser);
    for file in &run.files {
        let name = display_name(file);
        match &file.status {
            FileStatus::Skipped(reason) => {
                let _ = writeln!(out, "\n{name}: skipped: {reason}");
            }
            FileStatus::Failed(error) => {
                let _ = writeln!(out, "\n{name}: HARNESS FAILURE: {error}");
            }
            FileStatus::Verified(v) if v.disagreements.is_empty() => {
                let _ = writeln!(
                    out,
                    "\n{name}: browser and engine agree on {} request(s){}",
                    v.observed.len(),
                    attempts_note(v)
                );
            }
            FileStatus::Verified(v) => {
                let _ = writeln!(
                    out,
                    "\n{name}: {} disagreement(s){}",
                    v.disagreements.len(),
                    attempts_note(v)
                );
                for d in &v.disagreements {
                    let _ = writeln!(out, "  request {} {}:", d.request, d.field);
                    let _ = writeln!(out, "    browser: {}", compact(&d.observed));
                    let _ = writeln!(out, "    engine:  {}", compact(&d.engine));
                }
                for (index, cors) in v.chromium_cors_errors.iter().enumerate() {
                    if let Some(cors) = cors {
                        let _ = writeln!(
                            out,
                            "  (request {index}: Chromium's corsErrorStatus {} {:?})",
                            cors.cors_error, cors.failed_parameter
                        );
                    }
                }
            }
        }
        if let FileStatus::Verified(v) = &file.status {
            for d in &v.wire_disagreements {
                let _ = writeln!(out, "  request {} sent, {}:", d.request, d.field);
                let _ = writeln!(out, "    browser: {}", compact(&d.observed));
                let _ = writeln!(out, "    engine:  {}", compact(&d.engine));
            }
            for line in &v.unattributed_console {
                let _ = writeln!(
                    out,
                    "  console line printed while no request was in flight: {}",
                    compact(&serde_json::json!(line))
                );
            }
        }
    }
    out.push_str(&summary_table(run));
    let _ = writeln!(
        out,
        "\n{} file(s) in {:.1} s ({} worker(s))",
        run.files.len(),
        run.elapsed.as_secs_f64(),
        run.workers
    );
    out
}

/// Agreement per folder and field, as a Markdown table (`verify --markdown`):
/// each cell is the number of requests on which the browser and the engine
/// agree on that field, over the requests verified in that folder.
pub fn to_markdown(run: &Run) -> String {
    #[derive(Default)]
    struct Group {
        run: usize,
        skipped: usize,
        failed: usize,
        requests: usize,
        agreeing: [usize; FIELDS.len()],
    }
    let mut groups: Vec<(String, Group)> = Vec::new();
    let mut total = Group::default();
    for file in &run.files {
        let folder = folder_of(&file.file);
        let position = match groups.iter().position(|(name, _)| *name == folder) {
            Some(position) => position,
            None => {
                groups.push((folder, Group::default()));
                groups.len() - 1
            }
        };
        let Some((_, group)) = groups.get_mut(position) else {
            continue;
        };
        for group in [group, &mut total] {
            match &file.status {
                FileStatus::Skipped(_) => group.skipped += 1,
                FileStatus::Failed(_) => group.failed += 1,
                FileStatus::Verified(v) => {
                    group.run += 1;
                    group.requests += v.observed.len();
                    for request in 0..v.observed.len() {
                        for (field, count) in FIELDS.iter().zip(group.agreeing.iter_mut()) {
                            let differs = v.disagreements.iter().any(|d| {
                                d.request == request && (d.field == *field || d.field == "result")
                            });
                            if !differs {
                                *count += 1;
                            }
                        }
                    }
                }
            }
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} · {} file(s) · {:.0} s · {} worker(s)\n",
        run.browser,
        run.files.len(),
        run.elapsed.as_secs_f64(),
        run.workers
    );
    let _ = writeln!(out, "| folder | files run | {} |", FIELDS.join(" | "));
    let _ = writeln!(out, "|---|---|{}", "---:|".repeat(FIELDS.len()));
    let mut row = |name: &str, group: &Group| {
        let mut files = group.run.to_string();
        if group.skipped > 0 {
            let _ = write!(files, " ({} skipped)", group.skipped);
        }
        if group.failed > 0 {
            let _ = write!(files, " ({} FAILED)", group.failed);
        }
        let _ = write!(out, "| {name} | {files} |");
        for count in group.agreeing {
            let _ = write!(out, " {count}/{} |", group.requests);
        }
        out.push('\n');
    };
    for (name, group) in &groups {
        row(&format!("`{name}`"), group);
    }
    if groups.len() > 1 {
        row("**all**", &total);
    }
    let at_real_times = run
        .files
        .iter()
        .filter(|f| matches!(&f.status, FileStatus::Verified(v) if v.real_times.is_some()))
        .count();
    for file in &run.files {
        if let FileStatus::Failed(error) = &file.status {
            let _ = writeln!(out, "\nFAILED `{}`: {error}", file.file.display());
        }
    }
    if at_real_times > 0 {
        let _ = writeln!(
            out,
            "\n{at_real_times} file(s) slipped their `at_ms` in every attempt and were judged at their real times."
        );
    }
    out
}

/// The folder of `file`, relative to the working folder when it is inside it.
fn folder_of(file: &Path) -> String {
    let folder = file.parent().unwrap_or(Path::new(""));
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| folder.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| folder.to_path_buf());
    let text = relative.display().to_string();
    if text.is_empty() {
        ".".to_owned()
    } else {
        text
    }
}

fn display_name(file: &FileReport) -> String {
    match &file.id {
        Some(id) => format!("{} ({id})", file.file.display()),
        None => file.file.display().to_string(),
    }
}

/// ` (attempt 2: …)` when a scenario had to run again because its timing slipped.
fn attempts_note(v: &Verified) -> String {
    match (&v.real_times, v.attempts) {
        (Some(slip), attempts) => format!(
            " (timing slipped in all {attempts} attempts, so the engine was judged at the real \
             times: {slip})"
        ),
        (None, 1) => String::new(),
        (None, attempts) => format!(" (attempt {attempts}: the earlier runs' timing slipped)"),
    }
}

fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| value.to_string())
}

fn summary_table(run: &Run) -> String {
    let short = [
        "cross",
        "preflight",
        "pf_request",
        "outcome",
        "headers",
        "console",
        "js_error",
    ];
    let width = run
        .files
        .iter()
        .map(|f| {
            f.id.as_deref()
                .map_or(f.file.display().to_string().len(), str::len)
        })
        .max()
        .unwrap_or(8)
        .clamp(8, 60);
    let mut out = String::new();
    let _ = write!(out, "\n{:width$}", "scenario");
    for name in short {
        let _ = write!(out, " {name:>10}");
    }
    out.push('\n');
    for file in &run.files {
        let name = file
            .id
            .clone()
            .unwrap_or_else(|| file.file.display().to_string());
        let _ = write!(out, "{name:width$}");
        match &file.status {
            FileStatus::Verified(v) => {
                for field in FIELDS {
                    let differs = v
                        .disagreements
                        .iter()
                        .any(|d| d.field == field || d.field == "result");
                    let _ = write!(out, " {:>10}", if differs { "DIFF" } else { "ok" });
                }
            }
            FileStatus::Skipped(reason) => {
                let _ = write!(out, " skipped: {reason}");
            }
            FileStatus::Failed(_) => {
                let _ = write!(out, " HARNESS FAILURE");
            }
        }
        out.push('\n');
    }
    out
}

/// Rewrites `file`'s `expect` from `observed`, keeping the rest of the JSON as it was.
pub fn write_expect(file: &Path, observed: &[RequestResult]) -> Result<(), String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let rewritten = with_expect(&text, observed).map_err(|e| format!("{}: {e}", file.display()))?;
    std::fs::write(file, rewritten).map_err(|e| format!("{}: {e}", file.display()))
}

/// `text` (a scenario's JSON) with its `expect` replaced (or added last), pretty-printed.
pub fn with_expect(text: &str, observed: &[RequestResult]) -> Result<String, String> {
    let mut value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let object = value
        .as_object_mut()
        .ok_or("the file is not a JSON object")?;
    let expect: Vec<Value> = observed.iter().map(|r| json!(r.to_expectation())).collect();
    object.insert("expect".to_owned(), Value::Array(expect));
    let mut out = String::new();
    pretty(&value, 0, 0, &mut out)?;
    out.push('\n');
    Ok(out)
}

/// A value that fits in this many columns (indent and key included) stays on one line.
const LINE_WIDTH: usize = 100;

/// Pretty-prints with a 2-space indent; an array or object that fits on its
/// line (a header pair, a `match`, a short request) stays on one line.
/// `column` is where the value starts.
fn pretty(value: &Value, indent: usize, column: usize, out: &mut String) -> Result<(), String> {
    let pad = |n: usize| "  ".repeat(n);
    let inline = one_line(value)?;
    if column + inline.len() <= LINE_WIDTH || !(value.is_array() || value.is_object()) {
        out.push_str(&inline);
        return Ok(());
    }
    match value {
        Value::Array(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                pretty(item, indent + 1, 2 * (indent + 1), out)?;
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push(']');
        }
        Value::Object(map) => {
            out.push_str("{\n");
            for (i, (key, item)) in map.iter().enumerate() {
                let key = serde_json::to_string(key).map_err(|e| e.to_string())?;
                out.push_str(&pad(indent + 1));
                out.push_str(&key);
                out.push_str(": ");
                pretty(item, indent + 1, 2 * (indent + 1) + key.len() + 2, out)?;
                out.push_str(if i + 1 < map.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push('}');
        }
        _ => {}
    }
    Ok(())
}

/// `value` on one line: `[a, b]`, `{ "k": v }`.
fn one_line(value: &Value) -> Result<String, String> {
    Ok(match value {
        Value::Array(items) if items.is_empty() => "[]".to_owned(),
        Value::Object(map) if map.is_empty() => "{}".to_owned(),
        Value::Array(items) => {
            let parts: Result<Vec<String>, String> = items.iter().map(one_line).collect();
            format!("[{}]", parts?.join(", "))
        }
        Value::Object(map) => {
            let mut parts = Vec::new();
            for (key, item) in map {
                let key = serde_json::to_string(key).map_err(|e| e.to_string())?;
                parts.push(format!("{key}: {}", one_line(item)?));
            }
            format!("{{ {} }}", parts.join(", "))
        }
        scalar => serde_json::to_string(scalar).map_err(|e| e.to_string())?,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::scenario::{Outcome, PreflightUse};

    #[test]
    fn write_expect_keeps_key_order_and_replaces_in_place() {
        let text = r#"{"format":"cors-scenario/1","id":"a","expect":[],"page":"http://x.example","server":[],"requests":[]}"#;
        let result = RequestResult {
            cross_origin: true,
            preflight: PreflightUse::None,
            preflight_request: vec![],
            outcome: Outcome::Blocked,
            readable_headers: vec![],
            console: vec!["line".to_owned()],
            js_error: None,
        };
        let out = with_expect(text, &[result]).unwrap();
        let keys: Vec<&str> = ["\"format\"", "\"id\"", "\"expect\"", "\"page\""]
            .into_iter()
            .filter(|k| out.contains(k))
            .collect();
        assert_eq!(keys.len(), 4);
        assert!(out.find("\"id\"").unwrap() < out.find("\"expect\"").unwrap());
        assert!(out.find("\"expect\"").unwrap() < out.find("\"page\"").unwrap());
        assert!(out.contains("\"js_error\": null"));
        assert!(out.contains("\n  \"id\": \"a\""));
        assert!(out.contains("\"console\": [\"line\"]"));
        assert!(out.contains("\"readable_headers\": []"));
    }
}
