//! Glob matching tests.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic.
use super::*;

fn check(pattern: &str, name: &str, want: bool) {
    assert_eq!(match_element(pattern, name), Ok(want), "{pattern} vs {name}");
}

#[test]
fn matches_like_filepath_match() {
    check("*.yml", "rules.yml", true);
    check("*.yml", "rules.yaml", false);
    check("r?les.yml", "rules.yml", true);
    check("[a-c]*", "beta", true);
    check("[^a-c]*", "beta", false);
    check("\\*", "*", true);
    check("", "", true);
}

#[test]
fn bad_syntax() {
    assert!(validate_pattern("rules/[a.yml").is_err());
    assert!(validate_pattern("rules/a\\").is_err());
    assert!(validate_pattern("rules/*.yml").is_ok());
}

#[test]
fn globs_files() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["a.yml", "b.yml", "c.txt"] {
        std::fs::write(dir.path().join(f), "x").unwrap();
    }
    let got = glob(&dir.path().join("*.yml"));
    let names: Vec<_> = got.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["a.yml", "b.yml"]);
    assert!(glob(&dir.path().join("missing.yml")).is_empty());
    assert_eq!(glob(&dir.path().join("c.txt")).len(), 1);
}
