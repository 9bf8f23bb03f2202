//! Tests for the known-failures list and ratchet.

use super::*;
use crate::promqltest::run::EvalOutcome;

fn report(name: &str, outcomes: &[(usize, bool)]) -> FileReport {
    FileReport {
        name: name.to_owned(),
        outcomes: outcomes
            .iter()
            .map(|(line, pass)| EvalOutcome {
                line: *line,
                query: format!("q{line}\tx"),
                failure: (!pass).then(|| "why".to_owned()),
            })
            .collect(),
        queries: 0,
    }
}

/// Compares a run with a list, rendering the ratchet as `regressions | fixed | unknown`.
fn check(list: &str, reports: &[FileReport], expected: &str) {
    let known = parse_known_failures(list).unwrap_or_else(|e| panic!("{e}"));
    let r = compare_known_failures(&known, reports);
    let keys = |v: Vec<String>| v.join(",");
    let got = format!(
        "{} | {} | {}",
        keys(r.regressions.into_iter().map(|x| x.0).collect()),
        keys(r.fixed.into_iter().map(|x| x.0).collect()),
        keys(r.unknown)
    );
    assert_eq!(got, expected);
}

#[test]
fn ratchet() {
    let reports = [report("a.test", &[(3, false), (7, true), (9, false)])];
    check("a.test:3 q3\na.test:9\tq9\n", &reports, " |  | ");
    check("a.test:3 q3\n", &reports, "a.test:9 |  | ");
    check("# comment\n\na.test:3\na.test:7\na.test:9\n", &reports, " | a.test:7 | ");
    check("a.test:3\na.test:9\na.test:11\nb.test:1\n", &reports, " |  | a.test:11");
}

#[test]
fn round_trip() {
    let reports = [report("b.test", &[(2, false)]), report("a.test", &[(5, false), (6, true)])];
    let text = render_known_failures(&reports);
    let parsed = parse_known_failures(&text).unwrap_or_else(|e| panic!("{e}"));
    let keys: Vec<&String> = parsed.keys().collect();
    assert_eq!(keys, ["a.test:5", "b.test:2"]);
    assert_eq!(parsed["a.test:5"], "q5 x");
    assert!(compare_known_failures(&parsed, &reports).is_clean());
}

#[test]
fn malformed_lines_name_the_line() {
    let err = parse_known_failures("a.test:1\nnot-a-key query\n").err().map(|e| e.to_string());
    assert_eq!(err.as_deref(), Some("line 2: expected `file:line`, found \"not-a-key\""));
    assert!(parse_known_failures("a.test:x\n").is_err());
}
