//! `vigil` with no configuration: it scrapes itself and the built-in demo API, and the seeds'
//! first dashboard query returns moving data within a minute.

use crate::support::{TestServer, eventually};
use std::time::Duration;

#[test]
fn default_stack_answers_request_rate_within_a_minute() {
    let server = TestServer::start(&["--demo.listen-address=127.0.0.1:0"]);
    let result = eventually(Duration::from_secs(60), || {
        let r = server.query("sum(rate(http_requests_total[1m]))");
        let v = r.as_array()?.first()?["value"][1].as_str()?.parse::<f64>().ok()?;
        (v > 0.0).then_some(v)
    });
    assert!(result.is_some(), "no request rate within 60 s; log:\n{}", server.log());

    // Both embedded jobs are up (the self-scrape runs every 15 s at a hashed offset).
    let both_up = eventually(Duration::from_secs(40), || {
        let up = server.query("up");
        let jobs: Vec<String> = up
            .as_array()?
            .iter()
            .filter(|s| s["value"][1] == "1")
            .filter_map(|s| s["metric"]["job"].as_str().map(str::to_owned))
            .collect();
        (jobs.contains(&"vigil".to_owned()) && jobs.contains(&"demo-api".to_owned())).then_some(())
    });
    assert!(both_up.is_some(), "jobs not up: {}", server.query("up"));

    // Self-monitoring uses Prometheus' metric names.
    let head = server.query("prometheus_tsdb_head_series");
    assert!(!head.as_array().expect("vector").is_empty(), "no prometheus_tsdb_head_series: {head}");
}
