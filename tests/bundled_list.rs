//! The app's lesson index (`build.rs` → `OUT_DIR/lesson_index.rs`, embedded
//! by `src/ui/bundled.rs`, which is wasm-only: this native test reads the
//! generated text) lists every file of `scenarios/`, in file-name order,
//! with the file's id, title, level and tags; the lesson texts
//! (`lesson_texts.rs`, for the pre-render step and the tests) are every file.
#![allow(clippy::expect_used, clippy::indexing_slicing)]

use std::fs;

const INDEX: &str = include_str!(concat!(env!("OUT_DIR"), "/lesson_index.rs"));
const TEXTS: &[&str] = include!(concat!(env!("OUT_DIR"), "/lesson_texts.rs"));

#[test]
fn the_lesson_index_lists_every_scenario_file() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut files: Vec<String> = fs::read_dir(format!("{root}/scenarios"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    files.sort();
    assert!(files.len() > 90, "scenarios/ has the lessons");
    let entries: Vec<&str> = INDEX
        .lines()
        .filter(|line| line.trim_start().starts_with("LessonInfo {"))
        .collect();
    assert_eq!(entries.len(), files.len(), "one entry per file");
    assert_eq!(TEXTS.len(), files.len(), "one text per file");
    for ((file, entry), text) in files.iter().zip(&entries).zip(TEXTS) {
        let lesson: serde_json::Value = serde_json::from_str(
            &fs::read_to_string(format!("{root}/scenarios/{file}")).expect("read"),
        )
        .expect("a lesson is JSON");
        let compact: serde_json::Value = serde_json::from_str(text).expect("JSON");
        assert_eq!(
            compact, lesson,
            "{file}: the shipped text is the file's value"
        );
        let id = lesson["id"].as_str().expect("an id");
        assert_eq!(format!("{id}.json"), *file);
        assert!(entry.contains(&format!("id: {id:?}, ")), "{file}: {entry}");
        let title = lesson["title"].as_str().unwrap_or(id);
        assert!(
            entry.contains(&format!("title: {title:?}, ")),
            "{file}: {entry}"
        );
        let level = match lesson["level"].as_str() {
            Some("beginner") => "Some(Level::Beginner)",
            Some("intermediate") => "Some(Level::Intermediate)",
            Some("advanced") => "Some(Level::Advanced)",
            _ => "None",
        };
        assert!(
            entry.contains(&format!("level: {level}, ")),
            "{file}: {entry}"
        );
        let tags: Vec<String> = lesson["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| format!("{:?}", t.as_str().expect("a tag")))
            .collect();
        assert!(
            entry.contains(&format!("tags: &[{}] }}", tags.join(", "))),
            "{file}: {entry}"
        );
    }
}
