//! The app embeds every lesson: `src/ui/bundled.rs` lists each file in
//! `scenarios/` (it is wasm-only, so this native test reads its text).

use std::fs;

#[test]
fn bundled_rs_lists_every_scenario_file() {
    let root = env!("CARGO_MANIFEST_DIR");
    let listing = fs::read_to_string(format!("{root}/src/ui/bundled.rs")).unwrap_or_default();
    let mut files: Vec<String> = fs::read_dir(format!("{root}/scenarios"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "scenarios/ has lesson files");
    let listed: Vec<&str> = listing
        .lines()
        .filter_map(|line| line.trim().strip_prefix("lesson!(\""))
        .filter_map(|rest| rest.strip_suffix("\"),"))
        .collect();
    assert_eq!(
        listed, files,
        "regenerate src/ui/bundled.rs (see its doc comment)"
    );
}
