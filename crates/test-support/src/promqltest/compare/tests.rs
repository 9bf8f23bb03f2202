//! Tests for result comparison.

use super::*;
use crate::promqltest::script::{Command, parse_script};
use vigil_model::STALE_NAN;
use vigil_promql::QueryStats;

fn labels(pairs: &[(&str, &str)]) -> Labels {
    Labels::from_pairs(pairs)
}

fn vector(samples: &[(&[(&str, &str)], f64)]) -> Value {
    Value::Vector(samples.iter().map(|(l, v)| VectorSample::float(labels(l), 0, *v)).collect())
}

/// Series as `(labels, points)` pairs.
type SeriesSpec<'a> = (&'a [(&'a str, &'a str)], &'a [(i64, f64)]);

fn ok(value: Value) -> Result<QueryResult, String> {
    Ok(QueryResult { value, warnings: Vec::new(), infos: Vec::new(), stats: QueryStats::default() })
}

/// Parses a one-eval script, judges `outcome` and compares with `expected`: `"ok"` or
/// `"err: <substring of the failure>"`.
fn check(script: &str, outcome: Result<QueryResult, String>, expected: &str) {
    let parsed = parse_script(script);
    let Some(Command::Eval(eval)) = parsed.commands.first() else {
        panic!("not an eval: {script}\n{:?}", parsed.commands);
    };
    let got = check_outcome(eval, &outcome);
    match expected.strip_prefix("err: ") {
        None => assert!(got.is_ok(), "{script}\nunexpected failure: {got:?}"),
        Some(want) => {
            let err = got.err().unwrap_or_default();
            assert!(err.contains(want), "{script}\n got: {err:?}\nwant substring: {want:?}");
        }
    }
}

#[test]
fn float_tolerance() {
    assert!(almost_equal(1.0, 1.0 + 1e-9));
    assert!(!almost_equal(1.0, 1.0001));
    assert!(almost_equal(f64::NAN, f64::NAN));
    assert!(!almost_equal(STALE_NAN, f64::NAN));
    assert!(almost_equal(STALE_NAN, STALE_NAN));
    assert!(almost_equal(f64::INFINITY, f64::INFINITY));
    assert!(!almost_equal(f64::INFINITY, f64::NEG_INFINITY));
    assert!(!almost_equal(0.0, 1e-300));
    assert!(almost_equal(0.0, -0.0));
    assert!(!almost_equal(1.0, f64::NAN));
}

#[test]
fn vectors_are_unordered_sets() {
    let script = "eval instant at 0 x\n  x{a=\"1\"} 1\n  x{a=\"2\"} 2\n";
    check(
        script,
        ok(vector(&[(&[("__name__", "x"), ("a", "2")], 2.0), (&[("__name__", "x"), ("a", "1")], 1.0)])),
        "ok",
    );
    check(script, ok(vector(&[(&[("__name__", "x"), ("a", "1")], 1.0)])), "err: expected 2 samples, got 1");
    check(
        script,
        ok(vector(&[(&[("__name__", "x"), ("a", "1")], 1.0), (&[("__name__", "x"), ("a", "3")], 2.0)])),
        "err: unexpected series {__name__=\"x\", a=\"3\"}",
    );
    check(
        script,
        ok(vector(&[(&[("__name__", "x"), ("a", "1")], 1.0), (&[("__name__", "x"), ("a", "2")], 2.5)])),
        "err: expected 2, got 2.5",
    );
    check(
        script,
        ok(vector(&[(&[("__name__", "x"), ("a", "1")], 1.0), (&[("__name__", "x"), ("a", "1")], 1.0)])),
        "err: duplicate series",
    );
    // Exact label sets: a missing __name__ is a different series.
    check(
        "eval instant at 0 x\n  {a=\"1\"} 1\n",
        ok(vector(&[(&[("__name__", "x"), ("a", "1")], 1.0)])),
        "err: unexpected series",
    );
    check("eval instant at 0 x\n", ok(vector(&[])), "ok");
    check("eval instant at 0 x\n", ok(vector(&[(&[("a", "1")], 1.0)])), "err: expected 0 samples, got 1");
    check("eval instant at 0 x\n  x stale\n", ok(vector(&[(&[("__name__", "x")], STALE_NAN)])), "ok");
    check("eval instant at 0 x\n  x NaN\n", ok(vector(&[(&[("__name__", "x")], f64::NAN)])), "ok");
}

#[test]
fn ordered_vectors() {
    let script = "eval instant at 0 sort(x)\n  expect ordered\n  x{a=\"1\"} 1\n  x{a=\"2\"} 2\n";
    check(
        script,
        ok(vector(&[(&[("__name__", "x"), ("a", "1")], 1.0), (&[("__name__", "x"), ("a", "2")], 2.0)])),
        "ok",
    );
    check(
        script,
        ok(vector(&[(&[("__name__", "x"), ("a", "2")], 2.0), (&[("__name__", "x"), ("a", "1")], 1.0)])),
        "err: expected at position 2, got position 1",
    );
}

#[test]
fn scalars_strings_and_type_mismatches() {
    check("eval instant at 0 1\n  1\n", ok(Value::Scalar(0, 1.0)), "ok");
    check("eval instant at 0 1\n  2\n", ok(Value::Scalar(0, 1.0)), "err: expected scalar 2, got scalar 1");
    check("eval instant at 0 1\n  1\n", ok(vector(&[(&[], 1.0)])), "err: expected scalar 1, got vector");
    check("eval instant at 0 \"a\"\n  expect string \"a\"\n", ok(Value::String(0, "a".into())), "ok");
    check(
        "eval instant at 0 \"a\"\n  expect string \"b\"\n",
        ok(Value::String(0, "a".into())),
        "err: expected string \"b\"",
    );
    check("eval instant at 0 x\n  {} 1\n", ok(Value::Scalar(0, 1.0)), "err: expected an instant vector, got scalar");
}

#[test]
fn matrices() {
    let m = |series: &[SeriesSpec]| {
        Value::Matrix(series.iter().map(|(l, p)| MatrixSeries::floats(labels(l), p.to_vec())).collect())
    };
    let script = "eval range from 0 to 2m step 1m x\n  x{a=\"1\"} 1 _ 3\n  x{a=\"2\"} 1+1x2\n";
    let a1: &[(&str, &str)] = &[("__name__", "x"), ("a", "1")];
    let a2: &[(&str, &str)] = &[("__name__", "x"), ("a", "2")];
    check(script, ok(m(&[(a1, &[(0, 1.0), (120_000, 3.0)]), (a2, &[(0, 1.0), (60_000, 2.0), (120_000, 3.0)])])), "ok");
    check(
        script,
        ok(m(&[(a2, &[(0, 1.0), (60_000, 2.0), (120_000, 3.0)]), (a1, &[(0, 1.0), (120_000, 3.0)])])),
        "err: not sorted by labels",
    );
    check(
        script,
        ok(m(&[(a1, &[(0, 1.0), (60_000, 2.0), (120_000, 3.0)]), (a2, &[(0, 1.0), (60_000, 2.0), (120_000, 3.0)])])),
        "err: expected 2 float and 0 histogram points, got 3",
    );
    check(
        script,
        ok(m(&[(a1, &[(0, 1.0), (119_000, 3.0)]), (a2, &[(0, 1.0), (60_000, 2.0), (120_000, 3.0)])])),
        "err: expected a point at 120000ms, got one at 119000ms",
    );
    check(script, ok(m(&[(a1, &[(0, 1.0), (120_000, 3.0)])])), "err: expected 2 series");
    check(
        "eval range from 0 to 1m step 1m x\n  x 1 2 3\n",
        ok(m(&[(&[("__name__", "x")], &[(0, 1.0), (60_000, 2.0)])])),
        "err: past the end",
    );
    check("eval range from 0 to 1m step 1m x\n", ok(m(&[])), "ok");
    check("eval range from 0 to 1m step 1m x\n", ok(vector(&[])), "err: expected a range vector");
    check(
        "eval instant at 1m x[1m]\n  expect range vector from 20s to 1m step 20s\n  x 1 2 3\n",
        ok(m(&[(&[("__name__", "x")], &[(20_000, 1.0), (40_000, 2.0), (60_000, 3.0)])])),
        "ok",
    );
}

#[test]
fn errors() {
    check("eval instant at 0 x\n  expect fail\n", Err("anything".into()), "ok");
    check("eval instant at 0 x\n  expect fail msg: boom\n", Err("boom".into()), "ok");
    check(
        "eval instant at 0 x\n  expect fail msg: boom\n",
        Err("boom!".into()),
        "err: expected error matching msg: boom",
    );
    check("eval instant at 0 x\n  expect fail regex: o+m\n", Err("a boom here".into()), "ok");
    check("eval instant at 0 x\n  expect fail\n", ok(vector(&[])), "err: but the query succeeded");
    check("eval instant at 0 x\n", Err("boom".into()), "err: unexpected error: boom");
}

#[test]
fn annotations() {
    let with = |warnings: &[&str], infos: &[&str]| {
        Ok(QueryResult {
            value: vector(&[]),
            warnings: warnings.iter().map(|s| s.to_string()).collect(),
            infos: infos.iter().map(|s| s.to_string()).collect(),
            stats: QueryStats::default(),
        })
    };
    let script = "eval instant at 0 x\n  expect warn msg: PromQL warning: w1 (1:1)\n";
    check(script, with(&["PromQL warning: w1 (1:1)"], &[]), "ok");
    check(script, with(&["w1 (1:1)"], &[]), "ok");
    check(script, with(&[], &[]), "err: expected a warning annotation matching");
    check(script, with(&["w1 (1:1)", "w2 (1:1)"], &[]), "err: unexpected warning annotation");
    check("eval instant at 0 x\n  expect no_warn\n", with(&["w"], &[]), "err: expected no warning annotations");
    check("eval instant at 0 x\n  expect no_info\n", with(&["w"], &[]), "ok");
    check("eval instant at 0 x\n  expect info regex: hist\n", with(&[], &["histogram thing"]), "ok");
    check("eval_info instant at 0 x\n", with(&[], &[]), "err: expected at least one info annotation");
    // Without expect lines, annotations are not checked.
    check("eval instant at 0 x\n", with(&["w"], &["i"]), "ok");
}

#[test]
fn range_mode_conversion() {
    let series = |l: &[(&str, &str)], p: &[(i64, f64)]| MatrixSeries::floats(labels(l), p.to_vec());
    let m = Value::Matrix(vec![series(&[("a", "1")], &[(0, 1.0), (60_000, 2.0)]), series(&[("a", "2")], &[(0, 5.0)])]);
    assert_eq!(
        instant_from_range(&m, 60_000, false),
        Ok(Value::Vector(vec![VectorSample::float(labels(&[("a", "1")]), 60_000, 2.0)]))
    );
    let scalar = Value::Matrix(vec![series(&[], &[(60_000, 7.0)])]);
    assert_eq!(instant_from_range(&scalar, 60_000, true), Ok(Value::Scalar(60_000, 7.0)));
    let unsorted = Value::Matrix(vec![series(&[("a", "2")], &[]), series(&[("a", "1")], &[])]);
    assert!(instant_from_range(&unsorted, 0, false).is_err_and(|e| e.contains("not sorted")));
}
