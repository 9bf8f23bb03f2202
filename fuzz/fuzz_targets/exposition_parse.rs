//! Fuzzes both exposition parsers: any input must give entries or an error, never a panic or a
//! parser that keeps producing entries without consuming input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigil_exposition::{Entry, Format, Parser, Validation};

fuzz_target!(|data: &[u8]| {
    let max_entries = data.iter().filter(|&&b| b == b'\n').count() + 2;
    for format in [Format::Text, Format::OpenMetrics] {
        for validation in [Validation::Full, Validation::SyntaxOnly] {
            let mut p = Parser::with_validation(data, format, validation);
            let mut n = 0;
            while let Ok(Some(e)) = p.next() {
                n += 1;
                assert!(n <= max_entries, "no progress");
                if let Entry::Series(s) = &e {
                    let _ = (s.raw_hash(), s.to_labels());
                    if let Some(ex) = s.exemplar() {
                        let _ = ex.to_labels();
                    }
                }
                let _ = e.to_string();
            }
        }
    }
});
