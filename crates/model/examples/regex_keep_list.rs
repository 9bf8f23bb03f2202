//! Times compiling and matching a 5,000-alternative keep-list with an optional group each, as
//! `compile_anchored` builds it (8 MB lazy-DFA cache) and at the regex crate's default cache.
//!
//! Run with `cargo run --release -p vigil-model --example regex_keep_list`.
#![allow(clippy::print_stdout, clippy::unwrap_used)] // The example prints its measurements.

use std::time::Instant;

fn time(name: &str, re: &regex::Regex) {
    for (i, value) in ["app_metric_4999_total_sum", "app_metric_17_total"].iter().enumerate() {
        let t = Instant::now();
        let hit = re.is_match(value);
        println!("{name:<24} match {} ({value}): {hit} in {:?}", i + 1, t.elapsed());
    }
}

fn main() {
    let names: Vec<String> = (0..5_000).map(|i| format!("app_metric_{i}_total(_sum)?")).collect();
    let pattern = names.join("|");
    let t = Instant::now();
    let ours = vigil_model::compile_anchored(&pattern).unwrap();
    println!("{:<24} compiled {} bytes in {:?}", "compile_anchored", pattern.len(), t.elapsed());
    time("compile_anchored", &ours);
    let t = Instant::now();
    let default = regex::Regex::new(&format!("^(?s:{pattern})$")).unwrap();
    println!("{:<24} compiled in {:?}", "regex default cache", t.elapsed());
    time("regex default cache", &default);
}
