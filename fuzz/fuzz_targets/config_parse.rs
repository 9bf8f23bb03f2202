//! Fuzzes prometheus.yml loading: any input must give a `Config` or an error naming where,
//! never a panic or a hang (serde-saphyr's budgets stop alias bombs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(cfg) = vigil_config::Config::from_yaml_str(text, "fuzz.yml") {
        let _ = cfg.to_yaml();
    }
});
