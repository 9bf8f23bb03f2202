//! `check_config`: what `promtool check config` reports beyond loading.

use std::path::Path;
use vigil_config::check::{CheckOptions, check_config, check_config_with};

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn rule_files_are_found_and_parsed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "prometheus.yml", "rule_files: ['rules/*.yml', 'none/*.yml']\n");
    write(
        dir.path(),
        "rules/a.yml",
        "groups:\n  - name: g1\n    rules:\n      - record: x\n        expr: up\n      - alert: Down\n        expr: up == 0\n",
    );
    write(dir.path(), "rules/b.yml", "groups:\n  - name: g2\n    rules: []\n");
    let report = check_config(dir.path().join("prometheus.yml")).unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    let found: Vec<(String, usize, usize)> = report
        .rule_files
        .iter()
        .map(|r| (r.path.file_name().unwrap().to_string_lossy().into_owned(), r.groups, r.rules))
        .collect();
    assert_eq!(found, [("a.yml".to_owned(), 1, 2), ("b.yml".to_owned(), 1, 0)]);
    assert_eq!(report.warnings, ["rule_files pattern \"none/*.yml\" matches no file"]);
}

#[test]
fn broken_rule_file_is_a_problem_with_position() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "prometheus.yml", "rule_files: [bad.yml]\n");
    write(dir.path(), "bad.yml", "groups:\n  - name: g\n    rules: [\n");
    let report = check_config(dir.path().join("prometheus.yml")).unwrap();
    assert_eq!(report.problems.len(), 1);
    let msg = &report.problems[0];
    assert!(msg.contains(&format!("{}:", dir.path().join("bad.yml").display())), "{msg}");
    assert!(msg.contains(":3:"), "{msg}");
}

#[test]
fn duplicate_group_names_are_a_problem() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "prometheus.yml", "rule_files: [r.yml]\n");
    write(dir.path(), "r.yml", "groups:\n  - name: g\n  - name: g\n");
    let report = check_config(dir.path().join("prometheus.yml")).unwrap();
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(report.problems[0].ends_with("\"g\": repeated in the same file"));
}

#[test]
fn missing_credential_files_fail_unless_syntax_only() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "prometheus.yml",
        "scrape_configs:\n  - job_name: k\n    bearer_token_file: token\n    tls_config:\n      cert_file: c.pem\n      key_file: k.pem\n",
    );
    write(dir.path(), "c.pem", "cert");
    let path = dir.path().join("prometheus.yml");
    let report = check_config(&path).unwrap();
    assert_eq!(report.problems.len(), 2, "{:?}", report.problems);
    assert!(report.problems[0].contains("authorization credentials or bearer token file \"token\""));
    assert!(report.problems[1].contains("client key file \"k.pem\""));
    let report = check_config_with(&path, CheckOptions { syntax_only: true }).unwrap();
    assert!(report.is_ok());
}

#[test]
fn file_sd_files_must_parse() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "prometheus.yml",
        "scrape_configs:\n  - job_name: f\n    file_sd_configs:\n      - files: ['sd/*.json']\n",
    );
    write(dir.path(), "sd/good.json", r#"[{"targets": ["a:1"], "labels": {"env": "x"}}]"#);
    write(dir.path(), "sd/bad.json", r#"[{"targets": ["a:1"], "lables": {}}]"#);
    let report = check_config(dir.path().join("prometheus.yml")).unwrap();
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(report.problems[0].contains("bad.json:1:") && report.problems[0].contains("unknown field `lables`"));
}

#[test]
fn unloadable_config_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "prometheus.yml", "global:\n  scrape_interval: soon\n");
    let err = check_config(dir.path().join("prometheus.yml")).unwrap_err().to_string();
    assert!(err.ends_with("prometheus.yml:2:20: not a valid duration string: \"soon\""), "{err}");
    let missing = check_config(dir.path().join("nope.yml")).unwrap_err().to_string();
    assert!(missing.contains("nope.yml"), "{missing}");
}
