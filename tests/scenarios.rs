//! Every bundled lesson and every WPT-derived case is a test vector: the
//! engine must agree with each file's `expect` (filled from real Chromium).

use std::path::{Path, PathBuf};

use cors_lab::frameworks::evaluate;
use cors_lab::scenario::{disagreements, load_scenario, Browser};

fn scenario_files(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Loads every file, evaluates it and lists every disagreement with `expect`.
fn check_folder(dir: &str, minimum: usize) {
    let files = scenario_files(dir);
    assert!(
        files.len() >= minimum,
        "{dir} holds {} scenario files, expected at least {minimum}",
        files.len()
    );
    let mut problems = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let loaded = match load_scenario(&text) {
            Ok(loaded) => loaded,
            Err(error) => {
                problems.push(format!("{}: {error}", file.display()));
                continue;
            }
        };
        for warning in &loaded.warnings {
            problems.push(format!("{}: {warning}", file.display()));
        }
        let scenario = &loaded.scenario;
        let Some(expect) = &scenario.expect else {
            problems.push(format!("{}: no expect block", file.display()));
            continue;
        };
        let trace = evaluate(scenario, None);
        if expect.len() != trace.requests.len() {
            problems.push(format!(
                "{}: {} expect entries for {} requests",
                file.display(),
                expect.len(),
                trace.requests.len()
            ));
        }
        for (index, (want, got)) in expect.iter().zip(&trace.requests).enumerate() {
            let modelled = disagreements(index, want, &got.result)
                .into_iter()
                .filter(|d| scenario.not_modelled_reason(d.request, &d.field).is_none());
            for d in modelled {
                problems.push(format!(
                    "{} request {}: {} expected {} but the engine says {}",
                    file.display(),
                    index + 1,
                    d.field,
                    d.expected,
                    d.actual
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_bundled_lesson_matches_its_expect() {
    // Issue 5: the library holds at least 60 lessons.
    check_folder("scenarios", 60);
}

#[test]
fn every_wpt_derived_case_matches_its_expect() {
    check_folder("tests/wpt", 0);
}

#[test]
fn lessons_never_need_a_not_modelled_exception() {
    for file in scenario_files("scenarios") {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        if let Ok(loaded) = load_scenario(&text) {
            assert!(
                loaded.scenario.not_modelled.is_empty(),
                "{}: a lesson must be fully modelled",
                file.display()
            );
        }
    }
}

#[test]
fn bundled_lessons_have_unique_ids_equal_to_their_file_names() {
    for file in scenario_files("scenarios") {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let scenario = load_scenario(&text).map(|l| l.scenario);
        let stem = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        assert_eq!(
            scenario.map(|s| s.id).ok(),
            Some(stem),
            "{}",
            file.display()
        );
    }
}

#[test]
fn every_lesson_evaluates_for_every_browser_without_a_scenario_error() {
    for file in scenario_files("scenarios") {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let Ok(loaded) = load_scenario(&text) else {
            continue;
        };
        for browser in Browser::ALL {
            let trace = evaluate(&loaded.scenario, Some(browser));
            assert_eq!(
                trace.scenario_error,
                None,
                "{} as {browser:?}",
                file.display()
            );
            assert_eq!(trace.requests.len(), loaded.scenario.requests.len());
        }
    }
}
