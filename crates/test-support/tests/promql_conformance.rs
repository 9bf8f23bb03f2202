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
        panic!(
            "PromQL conformance corpus not found at {} ({e}); it must sit beside the repo as shared/conformance/promql",
            dir.display()
        )
    });
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "test"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .test files in {}", dir.display());

    let list = std::fs::read_to_string(LIST).unwrap_or_else(|e| panic!("cannot read {LIST}: {e}"));
    let known = parse_known_failures(&list).unwrap_or_else(|e| panic!("{LIST}: {e}"));

    let reports: Vec<FileReport> =
        files.iter().map(|f| run_file(f, &RunConfig::default()).unwrap_or_else(|e| panic!("{e}"))).collect();

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

/// The DSL parser must reject, never panic on, damaged input: every corpus line is truncated at
/// each character and spliced with syntax fragments, then parsed as a load line, an eval body line
/// and a command line.
#[test]
fn dsl_parser_survives_damaged_corpus_lines() {
    use vigil_test_support::promqltest::parse_script;
    let dir = corpus_dir();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("corpus not found at {} ({e})", dir.display()));
    let fragments = ["{{", "}}", "\"", "x", "+", "-", "x99999999999", "{", "@st", "\\", "é", "_x", "[", "stale"];
    let mut parsed = 0usize;
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "test"))
    {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let cuts: Vec<usize> = line.char_indices().map(|(i, _)| i).chain([line.len()]).collect();
            for (n, &cut) in cuts.iter().enumerate() {
                let damaged = [
                    line[..cut].to_owned(),
                    format!("{}{}{}", &line[..cut], fragments[n % fragments.len()], &line[cut..]),
                ];
                for d in &damaged {
                    for script in
                        [format!("load 1m\n  {d}\n"), format!("eval instant at 1m x\n  {d}\n"), format!("{d}\n  x 1\n")]
                    {
                        let _ = parse_script(&script);
                        parsed += 1;
                    }
                }
            }
        }
    }
    assert!(parsed > 10_000, "only {parsed} damaged scripts parsed");
}
