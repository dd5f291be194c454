//! What the real-browser verify tests (`tests/verify_chromium.rs`,
//! `verify_firefox.rs`, `verify_webkit.rs`) share: the per-file pass over a
//! verify run that turns every harness failure, wire difference, stray
//! console line and engine disagreement into a problem line, and the
//! assertions that end it. Each test file includes it with `mod verify_support;`.
#![allow(dead_code)] // not every test file uses every helper

use std::path::{Path, PathBuf};

use cors_lab::scenario::RequestResult;
use cors_lab::verify::{self, FileReport, FileStatus, Options, Run, Verified};

pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs every scenario file in `folders` (relative to the repository) in
/// the browser `options` name; `browser` words the panic if it cannot start.
pub(crate) fn run_folders(folders: &[&str], options: &Options, browser: &str) -> Run {
    let folders: Vec<PathBuf> = folders.iter().map(|f| root().join(f)).collect();
    let files = verify::collect_files(&folders).unwrap();
    verify::verify_files(&files, options).unwrap_or_else(|e| panic!("cannot run {browser}: {e}"))
}

/// `path` relative to the repository, as problem lines name files.
pub(crate) fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// What a pass over a run's files found.
#[derive(Default)]
pub(crate) struct Tally {
    /// One line per problem (empty when browser and engine agree).
    pub(crate) problems: Vec<String>,
    /// Files that ran in the browser (not skipped, not failed).
    pub(crate) verified: usize,
    /// Exchanges compared on the wire, over all files.
    pub(crate) wire_compared: usize,
}

/// Which engine disagreements count in [`check_every_file`].
pub(crate) enum Fields<'a> {
    /// Every field the run compared.
    All,
    /// Only these.
    Only(&'a [&'a str]),
}

/// Goes over every file of `run` (named `browser` in problem lines): a
/// skipped file is printed with its reason; a harness failure, a difference
/// on the wire, a console line printed while no request was in flight and a
/// disagreement with the engine (on `fields`) are problems. `each` may add
/// the browser's own checks for a verified file.
pub(crate) fn check_every_file(
    run: &Run,
    browser: &str,
    fields: Fields<'_>,
    mut each: impl FnMut(&FileReport, &Verified, &mut Vec<String>),
) -> Tally {
    let mut tally = Tally::default();
    // `browser:` and `engine:` aligned under each other.
    let width = browser.len().max("engine".len());
    for file in &run.files {
        let name = relative(&file.file);
        let v = match &file.status {
            FileStatus::Verified(v) => v,
            FileStatus::Skipped(reason) => {
                println!("skipped {name}: {reason}");
                continue;
            }
            FileStatus::Failed(error) => {
                tally
                    .problems
                    .push(format!("{name}: harness failure: {error}"));
                continue;
            }
        };
        tally.verified += 1;
        if v.attempts > 1 {
            println!(
                "{name}: ran {} times before its real timing fitted its at_ms",
                v.attempts
            );
        }
        if let Some(slip) = &v.real_times {
            println!("{name}: judged at its real times: {slip}");
        }
        for d in &v.wire_disagreements {
            tally.problems.push(format!(
                "{name} request {} sent {}:\n    {browser:<width$}: {}\n    {:<width$}: {}",
                d.request, d.field, d.observed, "engine", d.engine
            ));
        }
        tally.wire_compared += v.wire_exchanges_compared;
        for line in &v.unattributed_console {
            tally.problems.push(format!(
                "{name}: console line printed while no request was in flight: {line}"
            ));
        }
        let counted = |field: &str| match fields {
            Fields::All => true,
            Fields::Only(only) => only.contains(&field),
        };
        for d in v.disagreements.iter().filter(|d| counted(&d.field)) {
            tally.problems.push(format!(
                "{name} request {} {}:\n    {browser:<width$}: {}\n    {:<width$}: {}",
                d.request, d.field, d.observed, "engine", d.engine
            ));
        }
        each(file, v, &mut tally.problems);
    }
    tally
}

impl Tally {
    /// Fails unless something was compared on the wire and nothing went
    /// wrong; `what` heads the list of problems (e.g. `problem(s) in WebKit`).
    pub(crate) fn assert_no_problems(&self, what: &str) {
        println!("exchanges compared on the wire: {}", self.wire_compared);
        assert!(
            self.wire_compared > 0,
            "no exchange was compared on the wire"
        );
        assert!(
            self.problems.is_empty(),
            "{} {what}:\n{}",
            self.problems.len(),
            self.problems.join("\n")
        );
    }
}

/// What the browser did in the verified file `id`, per request.
pub(crate) fn observed(run: &Run, id: &str) -> Vec<RequestResult> {
    let file = run
        .files
        .iter()
        .find(|f| f.id.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("{id} not found"));
    match &file.status {
        FileStatus::Verified(v) => v.observed.clone(),
        other => panic!("{id} was not verified: {other:?}"),
    }
}
