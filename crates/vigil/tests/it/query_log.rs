//! `query_log_file` in `prometheus.yml`, against the real binary: every API query becomes one
//! JSON line in Prometheus' shape; the path is relative to the config file; a reload switches
//! the file, and removing the setting stops logging.

use crate::support::{TestServer, api_get, eventually, write_file};
use std::path::Path;
use std::time::Duration;

fn config(log: &str) -> String {
    let mut s = "global:\n  scrape_interval: 1s\n".to_owned();
    if !log.is_empty() {
        s.push_str(&format!("  query_log_file: {log}\n"));
    }
    s.push_str("scrape_configs: []\n");
    s
}

fn lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad log line {l:?}: {e}")))
        .collect()
}

#[test]
fn queries_are_logged_to_the_configured_file_and_follow_reloads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = write_file(dir.path(), "prometheus.yml", &config("queries.log"));
    let server = TestServer::start(&[
        "--web.enable-lifecycle",
        "--query.max-samples=1000",
        &format!("--config.file={}", cfg.display()),
    ]);
    let first = dir.path().join("queries.log");
    assert_eq!(server.self_metric("prometheus_engine_query_log_enabled"), Some(1.0));

    let v = api_get(
        &server.url(),
        "/api/v1/query_range",
        &[("query", "vector(1) + 1"), ("start", "1000"), ("end", "1060"), ("step", "15")],
    );
    assert_eq!(v["status"], "success", "{v}");
    // Fails in evaluation (parse errors never reach the engine, as in Prometheus).
    let bad = api_get(&server.url(), "/api/v1/query", &[("query", "count_over_time(vector(1)[1h:1s])")]);
    assert_eq!(bad["status"], "error", "{bad}");
    let logged = lines(&first);
    assert_eq!(logged.len(), 2, "{logged:?}");
    let range = &logged[0];
    assert_eq!(range["params"]["query"], "vector(1) + 1");
    assert_eq!(range["params"]["start"], "1970-01-01T00:16:40Z"); // Go trims zero fractions
    assert_eq!(range["params"]["end"], "1970-01-01T00:17:40Z");
    assert_eq!(range["params"]["step"], 15);
    assert_eq!(range["httpRequest"]["path"], "/api/v1/query_range");
    assert_eq!(range["httpRequest"]["method"], "GET");
    assert_eq!(range["httpRequest"]["clientIP"], "127.0.0.1");
    assert!(range["stats"]["timings"]["evalTotalTime"].as_f64().is_some(), "{range}");
    assert!(range["ts"].as_str().is_some_and(|t| t.ends_with('Z')), "{range}");
    assert!(range.get("error").is_none(), "{range}");
    assert!(logged[1]["error"].as_str().is_some_and(|e| e.contains("too many samples")), "{}", logged[1]);

    // Switch files with a reload: the old one stops growing, the new one starts.
    write_file(dir.path(), "prometheus.yml", &config("second.log"));
    assert_eq!(server.post("/-/reload").0, 200);
    api_get(&server.url(), "/api/v1/query", &[("query", "vector(2)")]);
    assert_eq!(lines(&first).len(), 2);
    let second = lines(&dir.path().join("second.log"));
    assert_eq!(second.len(), 1, "{second:?}");
    assert_eq!(second[0]["params"]["query"], "vector(2)");
    assert_eq!(second[0]["params"]["step"], 0);

    // Remove the setting: logging stops and the metric says so.
    write_file(dir.path(), "prometheus.yml", &config(""));
    assert_eq!(server.post("/-/reload").0, 200);
    api_get(&server.url(), "/api/v1/query", &[("query", "vector(3)")]);
    assert_eq!(lines(&dir.path().join("second.log")).len(), 1);
    assert!(
        eventually(Duration::from_secs(10), || {
            (server.self_metric("prometheus_engine_query_log_enabled") == Some(0.0)).then_some(())
        })
        .is_some()
    );

    // A file that cannot be opened fails the reload and keeps the old configuration.
    write_file(dir.path(), "prometheus.yml", &config("no/such/dir/q.log"));
    let (status, body) = server.post("/-/reload");
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("query log"), "{body}");
}
