//! Fuzzes the evaluator: the input becomes a small dataset and a well-typed PromQL query
//! (`vigil_test_support::eval_fuzz`), evaluated as instant and range query under tight sample
//! limits. Run with a memory cap: `cargo fuzz run promql_eval -- -rss_limit_mb=512`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    vigil_test_support::eval_fuzz::run_case(data);
});
