//! Replays the evaluator fuzz target deterministically: the checked-in seeds in
//! `fuzz/seeds/promql_eval/` plus thousands of pseudo-random inputs, through the same
//! `run_case` the cargo-fuzz target calls. A panic here is a bug found by fuzzing.

use vigil_test_support::eval_fuzz::{Outcome, query_for, run_case};

/// xorshift64*: deterministic and dependency-free.
fn next(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

fn run(data: &[u8], totals: &mut Outcome) {
    let r = std::panic::catch_unwind(|| run_case(data));
    match r {
        Ok(o) => {
            totals.ok += o.ok;
            totals.err += o.err;
        }
        Err(_) => panic!("evaluator fuzz case panicked: query {:?}, input {data:?}", query_for(data)),
    }
}

#[test]
fn evaluator_survives_generated_queries_over_generated_data() {
    let mut totals = Outcome::default();
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/seeds/promql_eval");
    if let Ok(entries) = std::fs::read_dir(corpus) {
        for e in entries.flatten() {
            if let Ok(data) = std::fs::read(e.path()) {
                run(&data, &mut totals);
            }
        }
    }
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for i in 0..20_000 {
        let len = 16 + (next(&mut state) % 240) as usize;
        let data: Vec<u8> = (0..len).map(|_| next(&mut state) as u8).collect();
        if i < 5 {
            eprintln!("sample query: {}", query_for(&data));
        }
        run(&data, &mut totals);
    }
    eprintln!("evaluator fuzz replay: {} queries evaluated, {} errors", totals.ok, totals.err);
    // The generator is type-directed: most queries must evaluate, or it tests only the checker.
    assert!(totals.ok > totals.err, "too few generated queries evaluate: {totals:?}");
}
