//! The code's shape, as the issue states it, kept true by a test:
//! - no file in `src/` has more than 700 lines outside its `#[cfg(test)]` tests;
//! - no function in `src/` is over 150 lines unless ARCHITECTURE.md names it;
//! - the modules of `src/engine/` import each other without a cycle.
//!
//! The scans read the source as text: enough for code formatted by rustfmt,
//! which `scripts/test` enforces.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)] // an unreadable source tree should fail loudly

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const MAX_FILE_LINES: usize = 700;
const MAX_FN_LINES: usize = 150;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src_files() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    files
        .into_iter()
        .map(|p| {
            let text = fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
}

/// Whether `path` is a module its parent declares as `#[cfg(test)] mod name;`.
fn is_test_module_file(path: &Path) -> bool {
    let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
        return false;
    };
    let dir = path.parent().unwrap();
    let parents = [
        dir.join("mod.rs"),
        dir.with_extension("rs"),
        dir.join("lib.rs"),
        dir.join("main.rs"),
    ];
    parents.iter().any(|parent| {
        fs::read_to_string(parent).is_ok_and(|text| {
            let lines: Vec<&str> = text.lines().map(str::trim).collect();
            lines
                .windows(2)
                .any(|w| w[0] == "#[cfg(test)]" && w[1] == format!("mod {stem};"))
        })
    })
}

/// The lines of `text` outside `#[cfg(test)]` items (a `mod tests { … }` block).
fn lines_outside_tests(text: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let mut count = 0;
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() == "#[cfg(test)]" {
            let indent = lines[i].len() - lines[i].trim_start().len();
            let item = i + 1;
            if item < lines.len() && lines[item].trim_end().ends_with('{') {
                // Skip to the item's closing brace at the same indentation.
                let close = format!("{}}}", " ".repeat(indent));
                let mut j = item + 1;
                while j < lines.len() && lines[j].trim_end() != close {
                    j += 1;
                }
                i = j + 1;
                continue;
            }
        }
        count += 1;
        i += 1;
    }
    count
}

#[test]
fn no_src_file_is_over_700_lines_outside_its_tests() {
    let mut over = Vec::new();
    for (path, text) in src_files() {
        if is_test_module_file(&path) {
            continue;
        }
        let n = lines_outside_tests(&text);
        if n > MAX_FILE_LINES {
            over.push(format!("{} ({n} lines)", path.display()));
        }
    }
    assert!(over.is_empty(), "over {MAX_FILE_LINES} lines: {over:#?}");
}

#[test]
fn test_lines_are_told_apart_from_code() {
    let text = "fn a() {}\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {}\n}\nfn b() {}\n";
    assert_eq!(lines_outside_tests(text), 2);
}

/// Every `fn` in `text` with its length in lines, from its signature to its
/// closing brace (at the signature's indentation, as rustfmt writes it).
fn functions(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let rest = ["pub(crate) ", "pub(super) ", "pub ", ""]
            .iter()
            .find_map(|p| trimmed.strip_prefix(p))
            .unwrap_or(trimmed);
        let rest = rest.strip_prefix("const ").unwrap_or(rest);
        let Some(rest) = rest.strip_prefix("fn ") else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let indent = line.len() - trimmed.len();
        let close = format!("{}}}", " ".repeat(indent));
        // A declaration without a body (in a trait) ends with `;` first.
        let Some(end) = lines[i..]
            .iter()
            .position(|l| l.trim_end() == close || l.trim_end().starts_with(&format!("{close})")))
        else {
            continue;
        };
        let body_starts = lines[i..=i + end]
            .iter()
            .position(|l| l.trim_end().ends_with('{'));
        let declared_only = lines[i..=i + end]
            .iter()
            .position(|l| l.trim_end().ends_with(';'));
        if let (Some(_), Some(d)) = (body_starts, declared_only) {
            if body_starts.is_some_and(|b| d < b) {
                continue;
            }
        }
        found.push((name, end + 1));
    }
    found
}

#[test]
fn function_lengths_are_measured() {
    let text = "fn a() {\n    let x = 1;\n}\n\nimpl X {\n    pub fn b(\n        y: u8,\n    ) {\n        y;\n    }\n}\n";
    assert_eq!(
        functions(text),
        vec![("a".to_owned(), 3), ("b".to_owned(), 5)]
    );
}

#[test]
fn no_function_is_over_150_lines_unless_architecture_names_it() {
    let architecture =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md")).unwrap();
    let mut over = Vec::new();
    for (path, text) in src_files() {
        for (name, n) in functions(&text) {
            if n > MAX_FN_LINES && !architecture.contains(&format!("`{name}`")) {
                over.push(format!("{}: fn {name} ({n} lines)", path.display()));
            }
        }
    }
    assert!(
        over.is_empty(),
        "over {MAX_FN_LINES} lines and not named in ARCHITECTURE.md: {over:#?}"
    );
}

/// The top-level engine module a file belongs to (`engine` for `mod.rs`),
/// and the module `super::` names from it.
fn engine_module(engine: &Path, path: &Path) -> (String, String) {
    let rel = path.strip_prefix(engine).unwrap();
    let parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    match parts.as_slice() {
        [root] if root == "mod" => ("engine".to_owned(), String::new()),
        [file] => (file.clone(), "engine".to_owned()),
        [dir, file] if file == "mod" => (dir.clone(), "engine".to_owned()),
        [dir, ..] => (dir.clone(), dir.clone()),
        [] => unreachable!(),
    }
}

/// The first path segments imported after `prefix` (`a` and `b` from
/// `prefix{a::x, b}` or `prefixa::x`).
fn segments_after(text: &str, prefix: &str) -> Vec<String> {
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = Vec::new();
    for (at, _) in text.match_indices(prefix) {
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let rest = &text[at + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        out.push(ident(&group[start..i]));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.push(ident(&group[start..i]));
                        start = i + 1;
                    }
                    _ => {}
                }
            }
        } else {
            out.push(ident(rest));
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// Each top-level module of `src/engine/` and the others it imports. A name
/// the engine root re-exports (`crate::engine::StepKind`) counts as an
/// import of the module that defines it.
fn engine_imports() -> BTreeMap<String, BTreeSet<String>> {
    let engine = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/engine");
    let mut files = Vec::new();
    rust_files(&engine, &mut files);
    let files: Vec<(String, String, String)> = files
        .iter()
        .filter(|p| !is_test_module_file(p))
        .map(|p| {
            let (module, sup) = engine_module(&engine, p);
            let text = fs::read_to_string(p).unwrap();
            // Tests may import anything: they are not the module's code.
            let lines: Vec<&str> = text.lines().collect();
            let cut = lines
                .iter()
                .position(|l| l.trim() == "#[cfg(test)]")
                .unwrap_or(lines.len());
            // Comments name modules without importing them.
            let code: Vec<&str> = lines[..cut]
                .iter()
                .copied()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect();
            (module, sup, code.join("\n"))
        })
        .collect();
    let modules: BTreeSet<String> = files.iter().map(|(m, _, _)| m.clone()).collect();
    // Where each item name is defined, to resolve root re-exports.
    let mut defined_in: BTreeMap<String, String> = BTreeMap::new();
    for (module, _, text) in &files {
        for line in text.lines() {
            let t = line.trim_start();
            let t = t.strip_prefix("pub ").unwrap_or(t);
            for kw in ["struct ", "enum ", "fn ", "type ", "trait ", "const "] {
                if let Some(rest) = t.strip_prefix(kw) {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    defined_in.entry(name).or_insert_with(|| module.clone());
                }
            }
        }
    }
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, sup, text) in &files {
        let mut names = segments_after(text, "crate::engine::");
        if module == "engine" {
            names.extend(segments_after(text, "self::"));
        }
        if sup == "engine" {
            names.extend(segments_after(text, "super::"));
        } else if !sup.is_empty() {
            names.extend(segments_after(text, "super::super::"));
        }
        let edges = graph.entry(module.clone()).or_default();
        for name in names {
            let target = if modules.contains(&name) {
                Some(name)
            } else {
                defined_in.get(&name).cloned()
            };
            if let Some(target) = target.filter(|t| t != module) {
                edges.insert(target);
            }
        }
    }
    graph
}

/// A cycle in `graph`, as the modules along it, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn engine_modules_import_each_other_without_a_cycle() {
    let graph = engine_imports();
    // The scan sees the imports it must: the root runs `fetch`, the planner reads traces.
    assert!(graph["engine"].contains("fetch"), "{graph:#?}");
    assert!(graph["fixes"].contains("trace"), "{graph:#?}");
    assert_eq!(find_cycle(&graph), None, "{graph:#?}");
}

#[test]
fn a_cycle_is_found() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("c".into());
    graph.entry("c".into()).or_default().insert("a".into());
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    assert_eq!(
        segments_after("use crate::engine::{a::X, b};", "crate::engine::"),
        vec!["a", "b"]
    );
}
