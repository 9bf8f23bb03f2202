//! Differential tests: the hand-written parser against the current (`promql-parser`-backed) one.

use super::{DEFAULT_MAX_DEPTH, parse_query};

/// Both parsers must accept `q` and build the same tree.
fn check_same(q: &str) {
    let ours = parse_query(q, DEFAULT_MAX_DEPTH);
    let theirs = super::super::parse_upstream(q, &crate::ParseOptions::default())
        .and_then(|e| super::super::convert::convert(&e).map_err(|m| crate::Error::at(q, 0, m)));
    assert_eq!(ours, theirs, "query {q:?}");
}

#[test]
fn agrees_with_oracle() {
    for q in [
        "up",
        r#"up{job=~"a.*",x!="y"} offset 5m @ 100"#,
        "up offset -1m @ start()",
        "up[5m] @ end()",
        "rate(x[5m])",
        "sum by (job) (rate(x[5m]))",
        "sum(rate(x[5m])) without (a, b)",
        "topk(3, x)",
        "count_values(\"v\", x)",
        "1 + 2 * 3",
        "2 ^ 3 ^ 2",
        "-2 ^ 2",
        "a + b * c - d / e",
        "a == bool b",
        "a * on(x) group_left(y) b",
        "a and b or c unless d",
        "x[5m:1m]",
        "x[5m:]",
        "(x)[5m:1m] offset 1m",
        "1 > bool 2",
        "a atan2 b",
        "holt_winters(x[5m], 0.5, 0.5)",
        "time()",
        "-x",
        "+x",
        "x offset 1h30m",
    ] {
        check_same(q);
    }
}

#[test]
fn depth_limit_and_long_chains() {
    let deep = "(".repeat(300) + "1" + &")".repeat(300);
    let e = parse_query(&deep, DEFAULT_MAX_DEPTH).map_err(|e| e.to_string());
    assert_eq!(e, Err("1:257: parse error: expression nesting too deep (more than 256 levels)".to_string()));
    let chain = "1+".repeat(100_000) + "1";
    let e = parse_query(&chain, DEFAULT_MAX_DEPTH);
    assert!(e.is_ok());
    // The chain is dropped with the derived (recursive) drop glue; keep it alive instead.
    std::mem::forget(e);
}
