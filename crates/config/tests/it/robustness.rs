//! Bad input never panics or hangs: truncations and single-character mutations of every good
//! config, plus an alias bomb, all come back as `Ok` or a positioned `Err`.

use super::{testdata, yml_files};
use std::time::{Duration, Instant};
use vigil_config::Config;

fn must_not_panic(text: &str) {
    if let Err(e) = Config::from_yaml_str(text, "m.yml") {
        let msg = e.to_string();
        assert!(msg.starts_with("m.yml"), "error does not name the file: {msg}");
    }
}

#[test]
fn truncated_and_mutated_configs_fail_cleanly() {
    let start = Instant::now();
    let mut runs = 0;
    for f in yml_files(&testdata("good")) {
        let text = std::fs::read_to_string(&f).unwrap();
        let cuts: Vec<usize> = text.char_indices().map(|(i, _)| i).step_by(3).collect();
        for &cut in &cuts {
            must_not_panic(&text[..cut]);
            runs += 1;
        }
        for &at in cuts.iter().step_by(4) {
            for replacement in [":", "-", "[", "{", "\"", "'", "&a", "*a", "\t", "\n", "<<: 1", "!!binary ", "%"] {
                let next = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
                let mutated = format!("{}{replacement}{}", &text[..at], &text[next..]);
                must_not_panic(&mutated);
                runs += 1;
            }
        }
    }
    assert!(runs > 5_000, "only {runs} mutations");
    assert!(start.elapsed() < Duration::from_secs(60), "mutations took {:?}", start.elapsed());
}

#[test]
fn alias_bomb_is_rejected() {
    // Rule entries are skipped with `IgnoredAny`, which accepts any shape: the one place a
    // billion-laughs document could expand. serde-saphyr's budget must stop it.
    let mut rules = String::from("      - &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let prev = format!("*a{}", i - 1);
        rules.push_str(&format!("      - &a{i} [{}]\n", [prev.as_str(); 10].join(", ")));
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("prometheus.yml"), "rule_files: [bomb.yml]\n").unwrap();
    std::fs::write(dir.path().join("bomb.yml"), format!("groups:\n  - name: g\n    rules:\n{rules}")).unwrap();
    let start = Instant::now();
    let report = vigil_config::check::check_config(dir.path().join("prometheus.yml")).unwrap();
    assert!(start.elapsed() < Duration::from_secs(5), "took {:?}", start.elapsed());
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(report.problems[0].contains("bomb.yml:"), "{:?}", report.problems);
}

#[test]
fn multiple_documents_are_an_error() {
    let err = Config::from_yaml_str("global: {}\n---\nglobal: {}\n", "multi.yml").unwrap_err().to_string();
    assert!(err.starts_with("multi.yml:"), "{err}");
}
