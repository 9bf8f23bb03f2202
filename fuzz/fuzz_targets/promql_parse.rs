//! Fuzzes the PromQL boundary: any input must parse into an `Expr` or give a positioned error,
//! never panic; formatting a query that parses must not panic either.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else { return };
    if vigil_promql_syntax::parse(query).is_ok() {
        let _ = vigil_promql_syntax::format_query(query);
    }
});
