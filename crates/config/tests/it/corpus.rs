//! Every file under `testdata/good` and `testdata/seeds` loads; every file under `testdata/bad`
//! fails with the message given on its first line (`# expect: ...`).

use super::{testdata, yml_files};
use vigil_config::Config;

#[test]
fn good_configs_load() {
    let files = yml_files(&testdata("good"));
    assert!(files.len() >= 10, "corpus went missing");
    for f in files {
        if let Err(e) = Config::load(&f) {
            panic!("{} should load: {e}", f.display());
        }
    }
}

#[test]
fn seed_configs_load_unmodified() {
    let files = yml_files(&testdata("seeds"));
    assert_eq!(files.len(), 2, "expected the two prometheus.yml documents from the seeds");
    for f in files {
        let cfg = Config::load(&f).unwrap_or_else(|e| panic!("{} should load: {e}", f.display()));
        assert!(!cfg.scrape_configs.is_empty());
        assert_eq!(cfg.global.scrape_interval.as_millis(), 15_000);
    }
}

/// The expected message fragment of a bad file: its first line, `# expect: <fragment>`.
pub fn expectation(text: &str) -> &str {
    text.lines().next().and_then(|l| l.strip_prefix("# expect: ")).unwrap_or("")
}

#[test]
fn bad_configs_fail_with_clear_messages() {
    let dir = testdata("bad");
    let files = yml_files(&dir);
    assert!(files.len() >= 40, "corpus went missing");
    let mut failures = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let want = expectation(&text);
        assert!(!want.trim().is_empty(), "{} lacks an '# expect:' line", f.display());
        match Config::load(&f) {
            Ok(_) => failures.push(format!("{}: loaded but should fail with {want:?}", f.display())),
            Err(e) => {
                let msg = e.to_string().replace(&format!("{}/", dir.display()), "");
                let pos = e.pos().unwrap_or_default();
                if !msg.contains(want) {
                    failures.push(format!("{msg:?}\n   does not contain {want:?}"));
                } else if !msg.contains(".yml:") {
                    failures.push(format!("{msg:?} does not name the file"));
                } else if !pos.is_known() {
                    failures.push(format!("{msg:?} has no position"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
