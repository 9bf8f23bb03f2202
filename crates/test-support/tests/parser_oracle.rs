//! Differential property test: Vigil's hand-written PromQL parser against the `promql-parser`
//! crate (converted to our AST) on generated, well-typed queries from the evaluator fuzz
//! generator. Both must accept the query and build the same tree, or both must refuse it.

use vigil_promql_syntax::{parse, parse_with_oracle};
use vigil_test_support::eval_fuzz::query_for;

/// xorshift64*: deterministic and dependency-free.
fn next(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

#[test]
fn hand_written_parser_agrees_with_the_oracle_on_generated_queries() {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let (mut same_ok, mut both_err) = (0, 0);
    let mut disagreements = Vec::new();
    for _ in 0..20_000 {
        let len = 16 + (next(&mut state) % 480) as usize;
        let data: Vec<u8> = (0..len).map(|_| next(&mut state) as u8).collect();
        let q = query_for(&data);
        match (parse(&q), parse_with_oracle(&q)) {
            // Debug output, not `==`: `NaN` literals must compare equal.
            (Ok(a), Ok(b)) if format!("{a:?}") == format!("{b:?}") => same_ok += 1,
            (Err(_), Err(_)) => both_err += 1,
            (a, b) => disagreements.push(format!("{q}\n  ours:   {a:?}\n  oracle: {b:?}")),
        }
    }
    eprintln!("parser oracle: {same_ok} identical trees, {both_err} refused by both");
    assert!(same_ok > 10_000, "too few generated queries parse: {same_ok}");
    assert!(
        disagreements.is_empty(),
        "{} disagreements, first ones:\n{}",
        disagreements.len(),
        disagreements.iter().take(5).cloned().collect::<Vec<_>>().join("\n")
    );
}
