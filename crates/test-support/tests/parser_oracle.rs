//! Differential property test: Vigil's hand-written PromQL parser against the `promql-parser`
//! crate (converted to our AST) on generated, well-typed queries from the evaluator fuzz
//! generator. Both must accept the query and build the same tree, or both must refuse it. The
//! same queries check that printing a tree and parsing it again gives the same tree.

mod oracle;

use oracle::parse_with_oracle;
use vigil_promql_syntax::{parse, pretty};
use vigil_test_support::eval_fuzz::query_for;

/// xorshift64*: deterministic and dependency-free.
fn next(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

/// `n` generated queries, the same ones on every run.
fn generated_queries(n: usize) -> impl Iterator<Item = String> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    (0..n).map(move |_| {
        let len = 16 + (next(&mut state) % 480) as usize;
        let data: Vec<u8> = (0..len).map(|_| next(&mut state) as u8).collect();
        query_for(&data)
    })
}

#[test]
fn hand_written_parser_agrees_with_the_oracle_on_generated_queries() {
    let (mut same_ok, mut both_err, mut outside) = (0, 0, 0);
    let mut disagreements = Vec::new();
    for q in generated_queries(20_000) {
        // promql-parser accepts fill modifiers and drops them, takes any vector as the second
        // argument of `info`, and knows no trim operators: outside the subset it understands.
        if ["fill(", "fill_left(", "fill_right(", "info(", "</", ">/"].iter().any(|m| q.contains(m)) {
            outside += 1;
            continue;
        }
        match (parse(&q), parse_with_oracle(&q)) {
            // Debug output, not `==`: `NaN` literals must compare equal.
            (Ok(a), Ok(b)) if format!("{a:?}") == format!("{b:?}") => same_ok += 1,
            (Err(_), Err(_)) => both_err += 1,
            (a, b) => disagreements.push(format!("{q}\n  ours:   {a:?}\n  oracle: {b:?}")),
        }
    }
    eprintln!(
        "parser oracle: {same_ok} identical trees, {both_err} refused by both, {outside} with fill modifiers, info or trims not compared"
    );
    assert!(same_ok > 9_000, "too few generated queries parse: {same_ok}");
    assert!(
        disagreements.is_empty(),
        "{} disagreements, first ones:\n{}",
        disagreements.len(),
        disagreements.iter().take(5).cloned().collect::<Vec<_>>().join("\n")
    );
}

/// Both printed forms of every generated query that parses, single-line (`Display`) and
/// multi-line ([`pretty`]), must parse back to the same tree.
#[test]
fn printed_queries_parse_back_to_the_same_tree() {
    let mut checked = 0;
    for q in generated_queries(20_000) {
        let Ok(tree) = parse(&q) else { continue };
        let want = format!("{tree:?}");
        for printed in [tree.to_string(), pretty(&tree)] {
            // Debug output, not `==`: `NaN` literals must compare equal.
            let back = parse(&printed).map(|t| format!("{t:?}"));
            assert_eq!(back.as_ref(), Ok(&want), "{q}\n  printed as:\n{printed}");
        }
        checked += 1;
    }
    assert!(checked > 10_000, "too few generated queries parse: {checked}");
}

/// Both parsers must accept `q` and build the same tree.
fn check_same(q: &str) {
    assert_eq!(parse(q), parse_with_oracle(q), "query {q:?}");
}

#[test]
fn hand_written_parser_agrees_with_the_oracle_on_examples() {
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
