//! Query log lines: Prometheus' keys, sorted, one line per query; path switching and closing.

use super::*;
use vigil_promql::QueryStats;

fn entry<'a>(stats: &'a QueryStats, origin: Option<&'a QueryOrigin>, error: Option<&str>) -> QueryLogEntry<'a> {
    QueryLogEntry {
        query: "up == \"0\"",
        start: 1_581_170_390_368,
        end: 1_581_173_990_368,
        step_ms: 5_000,
        stats,
        error: error.map(str::to_owned),
        origin,
    }
}

#[test]
fn line_has_prometheus_shape() {
    let mut stats = QueryStats { total_queryable_samples: 12, peak_samples: 3, ..QueryStats::default() };
    stats.timings.exec_total = std::time::Duration::from_micros(1500);
    let origin =
        QueryOrigin::Http { client_ip: "127.0.0.1".into(), method: "GET".into(), path: "/api/v1/query".into() };
    let line = encode(&entry(&stats, Some(&origin), None), 1_581_173_990_387);
    assert!(line.ends_with("}\n") && !line[..line.len() - 1].contains('\n'), "{line}");
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["httpRequest"]["clientIP"], "127.0.0.1");
    assert_eq!(v["httpRequest"]["path"], "/api/v1/query");
    assert_eq!(v["params"]["query"], "up == \"0\"");
    assert_eq!(v["params"]["start"], "2020-02-08T13:59:50.368Z");
    assert_eq!(v["params"]["end"], "2020-02-08T14:59:50.368Z");
    assert_eq!(v["params"]["step"], 5);
    assert_eq!(v["stats"]["timings"]["execTotalTime"], 0.0015);
    assert_eq!(v["stats"]["samples"]["totalQueryableSamples"], 12);
    assert_eq!(v["stats"]["samples"]["peakSamples"], 3);
    assert_eq!(v["ts"], "2020-02-08T14:59:50.387Z");
    assert!(v.get("error").is_none() && v.get("ruleGroup").is_none());
    // Sorted keys, as Prometheus' JSON logger writes them.
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    let pos = |k: &str| line.find(&format!("\"{k}\":")).unwrap();
    assert!(pos("httpRequest") < pos("params") && pos("params") < pos("stats") && pos("stats") < pos("ts"));
    assert_eq!(keys.len(), 4);
}

#[test]
fn errors_and_rule_groups_are_logged() {
    let stats = QueryStats::default();
    let origin = QueryOrigin::RuleGroup { file: "rules.yml".into(), name: "api".into() };
    let line = encode(&entry(&stats, Some(&origin), Some("query timed out in range function")), 0);
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["error"], "query timed out in range function");
    assert_eq!(v["ruleGroup"]["file"], "rules.yml");
    assert_eq!(v["ruleGroup"]["name"], "api");
    assert!(line.find("\"error\"").unwrap() < line.find("\"params\"").unwrap());
}

#[test]
fn path_can_be_switched_and_closed() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.log"), dir.path().join("b.log"));
    let log = QueryLogFile::default();
    let stats = QueryStats::default();
    assert!(!log.enabled());
    log.set_path(a.to_str().unwrap()).unwrap();
    assert!(log.enabled());
    log.log(&entry(&stats, None, None));
    // Moved away (logrotate), then the same path set again: a fresh file.
    let rotated = dir.path().join("a.log.1");
    std::fs::rename(&a, &rotated).unwrap();
    log.set_path(a.to_str().unwrap()).unwrap();
    log.log(&entry(&stats, None, None));
    log.log(&entry(&stats, None, None));
    assert_eq!(std::fs::read_to_string(&rotated).unwrap().lines().count(), 1);
    log.set_path(b.to_str().unwrap()).unwrap();
    log.log(&entry(&stats, None, None));
    log.set_path("").unwrap();
    assert!(!log.enabled());
    log.log(&entry(&stats, None, None));
    assert_eq!(std::fs::read_to_string(&a).unwrap().lines().count(), 2);
    assert_eq!(std::fs::read_to_string(&b).unwrap().lines().count(), 1);
    // A path that cannot be opened fails and keeps logging where it was.
    log.set_path(b.to_str().unwrap()).unwrap();
    assert!(log.set_path(dir.path().join("missing/dir/q.log").to_str().unwrap()).is_err());
    log.log(&entry(&stats, None, None));
    assert_eq!(std::fs::read_to_string(&b).unwrap().lines().count(), 2);
}
