//! The checked-in list of evals known to fail, keyed `file:line`, and the ratchet that compares a
//! run with it: new failures are regressions, and listed evals that now pass must be removed.

use super::run::FileReport;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A parsed known-failures list: `file:line` key to the query text recorded with it.
pub type KnownFailures = BTreeMap<String, String>;

/// Parses a list: one `file:line<TAB>query` entry per line; `#` comments and blank lines are
/// skipped. Malformed keys are errors naming the line.
pub fn parse_known_failures(text: &str) -> crate::Result<KnownFailures> {
    let mut out = KnownFailures::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, query) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let valid = key.rsplit_once(':').is_some_and(|(file, n)| !file.is_empty() && n.parse::<usize>().is_ok());
        if !valid {
            return Err(crate::Error::Syntax { line: i + 1, message: format!("expected `file:line`, found {key:?}") });
        }
        out.insert(key.to_owned(), query.trim().to_owned());
    }
    Ok(out)
}

/// The key of one eval.
pub fn key(file: &str, line: usize) -> String {
    format!("{file}:{line}")
}

/// Renders the list for a set of reports (every failing eval, in file then line order).
pub fn render_known_failures(reports: &[FileReport]) -> String {
    let mut out = String::from(
        "# Evals of shared/conformance/promql/*.test that are known to fail, as `file:line<TAB>query`.\n\
         # The promql_conformance test fails on any failure not listed here and on any listed eval\n\
         # that passes. Regenerate with:\n\
         #   cargo run -p vigil-test-support --bin promqltest -- --write-known-failures \\\n\
         #     crates/test-support/testdata/promqltest-known-failures.txt ../shared/conformance/promql/*.test\n",
    );
    let mut reports: Vec<&FileReport> = reports.iter().collect();
    reports.sort_by(|a, b| a.name.cmp(&b.name));
    for r in reports {
        for o in r.outcomes.iter().filter(|o| o.failure.is_some()) {
            let query = o.query.replace(['\t', '\n'], " ");
            let _ = writeln!(out, "{}\t{query}", key(&r.name, o.line));
        }
    }
    out
}

/// How a run differs from the list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ratchet {
    /// Failing evals not in the list: `(key, query, why)`.
    pub regressions: Vec<(String, String, String)>,
    /// Listed evals that passed: `(key, query)`.
    pub fixed: Vec<(String, String)>,
    /// Listed keys that match no eval of the files run (stale entries).
    pub unknown: Vec<String>,
}

impl Ratchet {
    /// Whether the run matches the list exactly.
    pub fn is_clean(&self) -> bool {
        self.regressions.is_empty() && self.fixed.is_empty() && self.unknown.is_empty()
    }
}

/// Compares reports with the list. Only entries for the files in `reports` are considered.
pub fn compare_known_failures(known: &KnownFailures, reports: &[FileReport]) -> Ratchet {
    let mut ratchet = Ratchet::default();
    let mut seen = std::collections::BTreeSet::new();
    for r in reports {
        for o in &r.outcomes {
            let k = key(&r.name, o.line);
            let listed = known.contains_key(&k);
            seen.insert(k.clone());
            match (&o.failure, listed) {
                (Some(why), false) => ratchet.regressions.push((k, o.query.clone(), why.clone())),
                (None, true) => ratchet.fixed.push((k, o.query.clone())),
                _ => {}
            }
        }
    }
    let files: std::collections::BTreeSet<&str> = reports.iter().map(|r| r.name.as_str()).collect();
    for k in known.keys() {
        let in_run = k.rsplit_once(':').is_some_and(|(f, _)| files.contains(f));
        if in_run && !seen.contains(k) {
            ratchet.unknown.push(k.clone());
        }
    }
    ratchet
}

#[cfg(test)]
mod tests;
