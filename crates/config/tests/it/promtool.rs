//! Differential test: for every config in the corpus, our verdict (loads or not) equals
//! `promtool check config --syntax-only` from Debian's prometheus 2.42, except for the files
//! listed with a reason in `testdata/promtool-exceptions.txt`.

use super::{testdata, yml_files};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use vigil_config::Config;

fn promtool() -> PathBuf {
    for candidate in ["/usr/bin/promtool", "/usr/local/bin/promtool"] {
        if Path::new(candidate).exists() {
            return PathBuf::from(candidate);
        }
    }
    panic!(
        "promtool not found: the differential config test needs Prometheus 2.42's promtool. \
         Install the Debian package: `apt-get install prometheus`"
    );
}

/// `dir/file` -> reason, from the exception list.
fn exceptions() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(testdata("promtool-exceptions.txt")).unwrap();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (file, reason) = l.split_once(':').unwrap_or_else(|| panic!("bad exception line {l:?}"));
            assert!(!reason.trim().is_empty(), "exception {file} needs a reason");
            (file.trim().to_owned(), reason.trim().to_owned())
        })
        .collect()
}

#[test]
fn verdicts_match_promtool() {
    let tool = promtool();
    let mut exceptions = exceptions();
    let mut mismatches = Vec::new();
    let mut checked = 0;
    for sub in ["good", "bad", "seeds"] {
        for f in yml_files(&testdata(sub)) {
            let key = format!("{sub}/{}", f.file_name().unwrap().to_string_lossy());
            let out = Command::new(&tool).args(["check", "config", "--syntax-only"]).arg(&f).output().unwrap();
            let theirs = out.status.success();
            let ours = Config::load(&f);
            checked += 1;
            let agree = theirs == ours.is_ok();
            match (agree, exceptions.remove(&key)) {
                (true, None) => {}
                (true, Some(reason)) => {
                    mismatches.push(format!("{key}: listed as an exception ({reason}) but verdicts agree now"))
                }
                (false, Some(_)) => {}
                (false, None) => mismatches.push(format!(
                    "{key}: promtool says {}, we say {}\n  promtool: {}\n  ours: {:?}",
                    if theirs { "ok" } else { "error" },
                    if ours.is_ok() { "ok" } else { "error" },
                    String::from_utf8_lossy(&out.stderr).trim(),
                    ours.err().map(|e| e.to_string()),
                )),
            }
        }
    }
    for key in exceptions.keys() {
        mismatches.push(format!("{key}: exception for a file that does not exist"));
    }
    assert!(checked >= 50, "corpus went missing");
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
