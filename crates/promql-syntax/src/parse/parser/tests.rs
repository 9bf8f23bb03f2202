//! Parser unit tests; the differential test against `promql-parser` is
//! `crates/test-support/tests/parser_oracle.rs`.

use super::{DEFAULT_MAX_DEPTH, Features, parse_query};

#[test]
fn depth_limit_and_long_chains() {
    let deep = "(".repeat(300) + "1" + &")".repeat(300);
    let e = parse_query(&deep, DEFAULT_MAX_DEPTH, Features::default()).map_err(|e| e.to_string());
    assert_eq!(e, Err("1:257: parse error: expression nesting too deep (more than 256 levels)".to_string()));
    let chain = "1+".repeat(100_000) + "1";
    let e = parse_query(&chain, DEFAULT_MAX_DEPTH, Features::default());
    assert!(e.is_ok());
    // The chain is dropped with the derived (recursive) drop glue; keep it alive instead.
    std::mem::forget(e);
}
