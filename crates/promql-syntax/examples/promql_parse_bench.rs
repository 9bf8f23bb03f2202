//! Times the hand-written parser on 1 MB operator chains and on deep parentheses.
//!
//! Run with `cargo run --release -p vigil-promql-syntax --example promql_parse_bench`.
#![allow(clippy::print_stdout)] // The example's job is to print its measurements.

use std::time::Instant;
use vigil_promql_syntax::{ParseOptions, parse_with};

/// Repeats `unit` until the query is about 1 MB, then appends `last`.
fn chain(unit: &str, last: &str) -> String {
    let mut q = String::with_capacity(1 << 20);
    while q.len() + unit.len() + last.len() < 1 << 20 {
        q.push_str(unit);
    }
    q.push_str(last);
    q
}

fn time(name: &str, query: &str, opts: &ParseOptions) {
    let start = Instant::now();
    let result = parse_with(query, opts);
    let elapsed = start.elapsed();
    let ms = elapsed.as_secs_f64() * 1000.0;
    let mb_per_s = query.len() as f64 / 1e6 / elapsed.as_secs_f64();
    let outcome = match &result {
        Ok(_) => "ok".to_string(),
        Err(e) => e.to_string().chars().take(80).collect(),
    };
    println!("{name:<28} {:>8} bytes {ms:>9.2} ms {mb_per_s:>8.1} MB/s  {outcome}", query.len());
    // `Expr`'s drop glue is still recursive over binary spines; leak the huge trees.
    std::mem::forget(result);
}

fn main() {
    // The operator-count scan is lifted to time the parser itself on 1 MB chains.
    let opts = ParseOptions { max_query_len: 2 << 20, max_binary_ops: usize::MAX, ..ParseOptions::default() };
    time("1+1+... chain", &chain("1+", "1"), &opts);
    time("a or b or ... chain", &chain("a or ", "a"), &opts);
    time("x * on(a) group_left y ...", &chain("x * on(a) group_left ", "x"), &opts);
    // Shapes the default limits accept at any length: one selector with many matchers.
    let defaults = ParseOptions { max_query_len: 2 << 20, ..ParseOptions::default() };
    time("up{a=\"x\",...} matchers", &format!("up{{{}}}", chain("a=\"x\",", "a=\"x\"")), &defaults);
    time("up{a=~\"x.*\",...} regexes", &format!("up{{{}}}", chain("a=~\"x.*\",", "a=~\"x.*\"")), &defaults);
    time("1 MB regex alternation", &format!("up{{a=~\"{}\"}}", chain("ab|", "ab")), &defaults);
    time("1 MB string literal", &format!("label_replace(up, \"a\", \"{}\", \"b\", \"\")", chain("x", "x")), &defaults);
    let deep = "(".repeat(100_000) + "1" + &")".repeat(100_000);
    time("100k nested parens", &deep, &opts);
}
