//! The lessons of `scenarios/`, prepared for the app (`src/ui/bundled.rs`):
//!
//! - `OUT_DIR/scenarios/<file>.json`: each lesson without the JSON's
//!   insignificant whitespace (same values, same key order: serde_json
//!   `preserve_order`). `scripts/prerender` ships these as
//!   `dist/lessons/<id>.json` and inside each lesson's own page; the wasm
//!   embeds only the default lesson's.
//! - `OUT_DIR/lesson_index.rs`: the index the app embeds instead of the
//!   lessons (issue 16's size budget: the lessons are content, not code):
//!   each lesson's id, title, first sentence, level and tags, as Rust
//!   constants, in file-name order.
//! - `OUT_DIR/lesson_texts.rs`: every lesson's text (`include_str!`), for the
//!   pre-render step and the tests; the shipped wasm never includes it.

use std::error::Error;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::{env, fs};

// Private here: the app's `pub` function is unreachable from outside the build script.
#[allow(unreachable_pub)]
#[path = "src/ui/summary.rs"]
mod summary;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=scenarios");
    println!("cargo::rerun-if-changed=src/ui/summary.rs");
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").ok_or("cargo sets OUT_DIR")?);
    let out = out_dir.join("scenarios");
    fs::create_dir_all(&out)?;
    let mut paths: Vec<PathBuf> = fs::read_dir("scenarios")?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    paths.retain(|path| path.extension().is_some_and(|e| e == "json"));
    paths.sort();
    let mut index = String::from("&[\n");
    let mut texts = String::from("&[\n");
    for path in &paths {
        let text = fs::read_to_string(path)?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let name = path.file_name().ok_or("a file name")?;
        let compact = out.join(name);
        fs::write(&compact, serde_json::to_string(&value)?)?;
        writeln!(
            texts,
            "    include_str!({:?}),",
            compact.display().to_string()
        )?;
        writeln!(
            index,
            "    {},",
            index_entry(&value).map_err(|e| format!("{}: {e}", path.display()))?
        )?;
    }
    index.push(']');
    texts.push(']');
    fs::write(out_dir.join("lesson_index.rs"), index)?;
    fs::write(out_dir.join("lesson_texts.rs"), texts)?;
    Ok(())
}

/// One `LessonInfo { .. }` literal (`src/ui/bundled.rs`).
fn index_entry(lesson: &serde_json::Value) -> Result<String, String> {
    let text = |key: &str| lesson.get(key).and_then(|v| v.as_str());
    let id = text("id").ok_or("no id")?;
    let title = text("title").unwrap_or(id);
    let summary = summary::summary(text("lesson").unwrap_or_default());
    let level = match text("level") {
        None => "None".to_owned(),
        Some("beginner") => "Some(Level::Beginner)".to_owned(),
        Some("intermediate") => "Some(Level::Intermediate)".to_owned(),
        Some("advanced") => "Some(Level::Advanced)".to_owned(),
        Some(other) => return Err(format!("unknown level {other:?}")),
    };
    let tags: Vec<String> = lesson
        .get("tags")
        .and_then(|t| t.as_array())
        .map(|tags| {
            tags.iter()
                .filter_map(|t| t.as_str())
                .map(|t| format!("{t:?}"))
                .collect()
        })
        .unwrap_or_default();
    Ok(format!(
        "LessonInfo {{ id: {id:?}, title: {title:?}, summary: {summary:?}, level: {level}, tags: &[{}] }}",
        tags.join(", ")
    ))
}
