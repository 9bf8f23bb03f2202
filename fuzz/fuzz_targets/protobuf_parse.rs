//! Fuzzes the protobuf exposition decoder: any input gives families or an error, never a panic,
//! and whatever decodes also flattens.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigil_exposition::protobuf;

fuzz_target!(|data: &[u8]| {
    if let Ok(families) = protobuf::decode(data) {
        let mut flat = Vec::new();
        for f in &families {
            f.flat_samples(true, &mut flat);
        }
    }
});
