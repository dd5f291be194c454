//! Finding and reading scenario files for the subcommands.

use std::path::{Path, PathBuf};

use crate::frameworks::Framework;
use crate::scenario::{load_scenario, Loaded};

/// The framework a configuration is for: the one named by `--framework`, or
/// the one its text shows; the error says what to pass instead.
pub(crate) fn framework_of(
    name: Option<&str>,
    text: &str,
    path: &Path,
) -> Result<Framework, String> {
    match name {
        Some(name) => Framework::from_name(name).ok_or_else(|| {
            format!(
                "unknown framework '{name}' (one of: {})",
                Framework::ALL.map(Framework::id).join(", ")
            )
        }),
        None => Framework::detect(text).ok_or_else(|| {
            format!(
                "cannot tell which framework {} is for: pass --framework",
                path.display()
            )
        }),
    }
}

/// Expands files and folders (recursively, `*.json` only) into a sorted list.
pub fn collect_scenario_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            collect_dir(path, &mut files)?;
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            return Err(format!("{}: no such file or folder", path.display()));
        }
    }
    Ok(files)
}

fn collect_dir(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_dir(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            files.push(path);
        }
    }
    Ok(())
}

/// Reads and loads one scenario; the error names the file's problem with
/// line and column (a framework rule's, within its `config`).
pub fn read_scenario(path: &Path) -> Result<Loaded, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let loaded = load_scenario(&text).map_err(|e| e.to_string())?;
    match crate::frameworks::rule_errors(&loaded.scenario).first() {
        Some(error) => Err(error.clone()),
        None => Ok(loaded),
    }
}
