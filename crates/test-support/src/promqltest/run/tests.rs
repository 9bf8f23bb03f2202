//! Tests for the runner that hold whatever the engine's progress: they rely only on failures the
//! runner itself decides (unsupported data, broken blocks) and on errors every engine must raise.

use super::*;

/// Runs `script` and compares `line:pass|fail[:reason substring]` for each outcome.
fn check(script: &str, expected: &[&str]) {
    let report = run_source("t.test", script, &RunConfig { range_mode_check: true, ..RunConfig::default() });
    assert_eq!(report.outcomes.len(), expected.len(), "{:#?}", report.outcomes);
    for (o, want) in report.outcomes.iter().zip(expected) {
        let mut parts = want.splitn(3, ':');
        let line: usize = parts.next().and_then(|l| l.parse().ok()).unwrap_or(0);
        let pass = parts.next() == Some("pass");
        assert_eq!(o.line, line, "{o:?}");
        assert_eq!(o.failure.is_none(), pass, "{o:?}");
        if let (Some(reason), Some(failure)) = (parts.next(), &o.failure) {
            assert!(failure.contains(reason), "{failure:?} lacks {reason:?}");
        }
    }
    assert_eq!(report.passed() + report.failed(), expected.len());
}

#[test]
fn unloadable_data_makes_dependent_evals_unsupported() {
    check(
        "load 1m\n  h 1\n  f 1\n\neval instant at 0 h\n  expect fail\n\neval instant at 0 sum(h_other\n  expect fail\n\nclear\n\neval instant at 0 h(\n  expect fail\n",
        &["5:fail:expected", "8:pass", "13:pass"],
    );
    check(
        "load_with_nhcb 1m\n  m_bucket{le=\"1\"} 1\n  m_bucket{le=\"+Inf\"} 3\n  m_sum 4\n\neval instant at 0 m\n  m {{schema:-53 count:3 sum:4 custom_values:[1] buckets:[1 2]}}\n\neval instant at 0 m_bucket\n  m_bucket{le=\"1\"} 1\n  m_bucket{le=\"+Inf\"} 3\n",
        &["6:pass", "9:pass"],
    );
    check(
        "load_with_nhcb 1m\n  n_bucket{le=\"1\"} 3\n  n_bucket{le=\"2\"} 1\n\neval instant at 0 n_bucket\n  expect fail\n",
        &["5:fail:not cumulative"],
    );
    // `@st` offsets are relative to their sample and reach the engine.
    check("load 1m\n  c@st -30s\n  c 1\n\neval instant at 0 start_timestamp(c)\n  {} -30\n", &["5:pass"]);
}

#[test]
fn histogram_data_is_evaluated() {
    check(
        "load 1m\n  h {{count:1}}\n\neval instant at 0 h\n  {__name__=\"h\"} {{count:1}}\n\neval instant at 0 h\n  {__name__=\"h\"} {{count:2}}\n",
        &["4:pass", "7:fail:expected {{count:2}}, got {{count:1}}"],
    );
}

#[test]
fn broken_blocks_fail_in_place() {
    check(
        "load 1m\n  a 1 zz\n\neval instant at 0 a(\n  expect fail\n\nclear\n\neval instant at 0 a(\n  expect fail\n",
        &["1:fail:invalid block", "4:fail:earlier load block (line 1) failed", "9:pass"],
    );
    check("eval instant at nope x\n", &["1:fail:invalid eval"]);
}

#[test]
fn identifiers_match_whole_names() {
    assert!(mentions_identifier("rate(h[5m])", "h"));
    assert!(mentions_identifier("sum by (le) (h)", "h"));
    assert!(!mentions_identifier("rate(h_bucket[5m])", "h"));
    assert!(!mentions_identifier("rate(my_h[5m])", "h"));
    assert!(!mentions_identifier("foo:h", "h"));
}

#[test]
fn step_invariance_cases_pin_selectors() {
    let cases = step_invariance_cases("rate(x[5m])", 60_000);
    let times: Vec<i64> = cases.iter().map(|c| c.1).collect();
    assert_eq!(times, [-600_000, 0, 12_000, 60_000, 600_000]);
    assert!(cases.iter().all(|c| c.0 == "rate(x[5m] @ 60.000)"));
    let at_zero: Vec<i64> = step_invariance_cases("x", 0).iter().map(|c| c.1).collect();
    assert_eq!(at_zero, [-1000, 0, 1000]);
    assert_eq!(step_invariance_cases("clamp(x, 0, NaN)", 0).len(), 3);
    assert!(step_invariance_cases("time() - x", 60_000).is_empty());
    assert!(step_invariance_cases("x +", 60_000).is_empty());
}

#[test]
fn instant_evals_are_rerun_pinned_and_as_range_queries() {
    let script = "load 1m\n  x 1 2 3\n\neval instant at 1m x\n  x 2\n";
    let count = |config: RunConfig| run_source("t.test", script, &config).queries;
    let all = RunConfig::default();
    // Original + 5 pinned re-runs, each followed by its range-mode run.
    assert_eq!(count(all.clone()), 12);
    assert_eq!(count(RunConfig { range_mode_check: false, ..all.clone() }), 6);
    assert_eq!(count(RunConfig { step_invariance_check: false, ..all.clone() }), 2);
    // A range eval and an expected failure are run once.
    let once = "load 1m\n  x 1\n\neval range from 0 to 1m step 1m x\n\neval instant at 0 x(\n  expect fail\n";
    assert_eq!(run_source("t.test", once, &all).queries, 2);
}
