//! `vigil check config`: verdicts and error positions, like `promtool check config`.

use crate::support::vigil_bin;
use std::process::Command;

fn check(yaml: &str) -> (bool, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("prometheus.yml");
    std::fs::write(&path, yaml).expect("write config");
    let out = Command::new(vigil_bin()).args(["check", "config"]).arg(&path).output().expect("run vigil");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text.replace(&path.display().to_string(), "prometheus.yml"))
}

#[test]
fn good_config_passes() {
    let (ok, out) =
        check("scrape_configs:\n  - job_name: api\n    static_configs:\n      - targets: ['localhost:8000']\n");
    assert!(ok, "{out}");
    assert!(out.contains("SUCCESS"), "{out}");
}

#[test]
fn unknown_field_fails_with_position() {
    let (ok, out) = check("scrape_configs:\n  - job_name: api\n    scrape_intervall: 15s\n");
    assert!(!ok, "{out}");
    assert!(out.contains("prometheus.yml:3:"), "no file:line:col in {out}");
    assert!(out.contains("scrape_intervall"), "{out}");
}

#[test]
fn bad_duration_fails_with_position() {
    let (ok, out) = check("global:\n  scrape_interval: 15 seconds\n");
    assert!(!ok, "{out}");
    assert!(out.contains("prometheus.yml:2:"), "no file:line:col in {out}");
}
