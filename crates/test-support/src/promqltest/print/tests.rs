//! Tests for the `@` pinning rewrite, printed with the syntax crate's printer.

use super::*;

/// Parses `query`, optionally pins it at `pin_ms`, prints it, and checks the text and that it
/// parses back to the same tree.
fn check(query: &str, pin_ms: Option<i64>, expected: &str) {
    let expr = vigil_promql_syntax::parse(query).unwrap_or_else(|e| panic!("{query}: {e}"));
    let expr = match pin_ms {
        Some(t) => pin_at(&expr, t),
        None => expr,
    };
    let printed = expr.to_string();
    assert_eq!(printed, expected, "{query}");
    let reparsed = vigil_promql_syntax::parse(&printed).unwrap_or_else(|e| panic!("{printed}: {e}"));
    assert_eq!(reparsed, expr, "round trip of {printed}");
}

#[test]
fn prints_round_trip() {
    check("foo", None, "foo");
    check(r#"foo{a="b", c!~"d.*"}"#, None, r#"foo{a="b",c!~"d.*"}"#);
    check(r#"{__name__=~"a|b"}"#, None, r#"{__name__=~"a|b"}"#);
    check("rate(foo[5m] offset 1m)", None, "rate(foo[5m] offset 1m)");
    check("foo offset -30s", None, "foo offset -30s");
    check("sum by (job) (rate(x[1m]))", None, "sum by (job) (rate(x[1m]))");
    check("topk without (a, b) (3, x)", None, "topk without (a, b) (3, x)");
    check("a + on(x) group_left(y) b", None, "a + on (x) group_left (y) b");
    check("a > bool ignoring(z) b", None, "a > bool ignoring (z) b");
    check("a and on() b", None, "a and on () b");
    check("-(a - (b - c)) ^ 2", None, "-(a - (b - c)) ^ 2");
    check("max_over_time(rate(x[1m])[5m:30s])", None, "max_over_time(rate(x[1m])[5m:30s])");
    check("x[5m:]", None, "x[5m:]");
    check(
        r#"label_replace(x, "dst", "$1\n", "src", "(.*)")"#,
        None,
        r#"label_replace(x, "dst", "$1\n", "src", "(.*)")"#,
    );
    check("1.5e-7 * Inf", None, "0.00000015 * +Inf");
    check("x @ 100", None, "x @ 100.000");
    check("x @ start()", None, "x @ start()");
}

#[test]
fn pins_selectors_but_not_inside_subqueries() {
    check("x", Some(60_000), "x @ 60.000");
    check("rate(x[5m])", Some(1500), "rate(x[5m] @ 1.500)");
    check("x @ 10 + y offset 1m", Some(-60_000), "x @ 10.000 + y @ -60.000 offset 1m");
    check("max_over_time(rate(x[1m])[5m:1m])", Some(300_000), "max_over_time(rate(x[1m])[5m:1m] @ 300.000)");
    check("sum by (a) (x) * scalar(y)", Some(0), "sum by (a) (x @ 0.000) * scalar(y @ 0.000)");
}

#[test]
fn detects_time_dependent_functions() {
    let unsafe_query = |q: &str| vigil_promql_syntax::parse(q).map(|e| calls_at_unsafe_function(&e)).ok();
    assert_eq!(unsafe_query("sum(time() - x)"), Some(true));
    assert_eq!(unsafe_query("timestamp(x)"), Some(true));
    assert_eq!(unsafe_query("rate(x[1m])"), Some(false));
}
