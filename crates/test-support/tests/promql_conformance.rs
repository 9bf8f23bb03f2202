//! Runs every PromQL acceptance file in `shared/conformance/promql` and compares the failures with
//! `testdata/promqltest-known-failures.txt`: a failure not on the list is a regression, and a
//! listed eval that passes must be removed from the list (the list only shrinks).

use std::path::{Path, PathBuf};
use vigil_test_support::promqltest::{FileReport, RunConfig, compare_known_failures, parse_known_failures, run_file};

const LIST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/promqltest-known-failures.txt");
const REGENERATE: &str = "cargo run -p vigil-test-support --bin promqltest -- --write-known-failures \
     crates/test-support/testdata/promqltest-known-failures.txt ../shared/conformance/promql/*.test";

fn corpus_dir() -> PathBuf {
    // The repo sits beside `shared/`: <repo>/crates/test-support -> <repo>/../shared.
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/promql")
}

#[test]
fn promql_conformance_matches_known_failures() {
    let dir = corpus_dir();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!("PromQL conformance corpus not found at {} ({e}); it must sit beside the repo as shared/conformance/promql", dir.display())
    });
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "test"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .test files in {}", dir.display());

    let list = std::fs::read_to_string(LIST).unwrap_or_else(|e| panic!("cannot read {LIST}: {e}"));
    let known = parse_known_failures(&list).unwrap_or_else(|e| panic!("{LIST}: {e}"));

    // Engine panics are caught per eval and reported as failures; keep stderr readable.
    std::panic::set_hook(Box::new(|_| {}));
    let reports: Vec<FileReport> = files
        .iter()
        .map(|f| run_file(f, &RunConfig::default()).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    drop(std::panic::take_hook());

    let mut summary = String::new();
    for r in &reports {
        summary.push_str(&format!("{}: {} passed, {} failed\n", r.name, r.passed(), r.failed()));
    }
    let ratchet = compare_known_failures(&known, &reports);
    let mut problems = String::new();
    for (key, query, why) in &ratchet.regressions {
        problems.push_str(&format!("REGRESSION {key}: {query}\n    {}\n", why.replace('\n', "\n    ")));
    }
    for (key, query) in &ratchet.fixed {
        problems.push_str(&format!("NOW PASSES {key}: {query} -- remove it from the known-failures list\n"));
    }
    for key in &ratchet.unknown {
        problems.push_str(&format!("STALE ENTRY {key}: no eval at that line -- remove it from the list\n"));
    }
    assert!(
        ratchet.is_clean(),
        "{summary}\n{problems}\n{} regressions, {} fixed, {} stale entries. Fix the regressions, or after \
         checking them regenerate the list with:\n  {REGENERATE}",
        ratchet.regressions.len(),
        ratchet.fixed.len(),
        ratchet.unknown.len()
    );
}
