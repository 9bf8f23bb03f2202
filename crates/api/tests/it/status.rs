//! Status, targets, metadata and format_query endpoints.

use crate::TestServer;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use vigil_api::{ApiOptions, BuildInfo, HeadStats, NameCount, TsdbStats, TsdbStatsSource};
use vigil_model::Labels;

struct FakeStats;

impl TsdbStatsSource for FakeStats {
    fn tsdb_stats(&self, limit: usize) -> Result<TsdbStats, String> {
        let list: Vec<NameCount> =
            (0..20).map(|i| NameCount { name: format!("m{i}"), value: 100 - i }).take(limit).collect();
        Ok(TsdbStats {
            head: HeadStats { num_series: 3, num_label_pairs: 5, chunk_count: 4, min_time: 1000, max_time: 2000 },
            series_count_by_metric_name: list.clone(),
            label_value_count_by_label_name: list.clone(),
            memory_in_bytes_by_label_name: list.clone(),
            series_count_by_label_value_pair: list,
        })
    }
}

#[tokio::test]
async fn buildinfo_flags_config() {
    let info = BuildInfo {
        version: "0.1.0".into(),
        revision: "abc".into(),
        go_version: "rustc 1.95".into(),
        ..Default::default()
    };
    let flags = BTreeMap::from([("web.enable-lifecycle".to_owned(), "false".to_owned())]);
    let srv = TestServer::start_with(ApiOptions::default(), move |b| b.build_info(info).flags(flags)).await;
    let (_, body) = srv.get_json("/api/v1/status/buildinfo", &[]).await;
    assert_eq!(
        body,
        json!({"status": "success", "data": {"version": "0.1.0", "revision": "abc", "branch": "", "buildUser": "", "buildDate": "", "goVersion": "rustc 1.95"}})
    );
    let (_, body) = srv.get_json("/api/v1/status/flags", &[]).await;
    assert_eq!(body["data"], json!({"web.enable-lifecycle": "false"}));
    srv.handle.set_config("global:\n  scrape_interval: 15s\n".into(), Labels::empty(), 1_435_781_451_781);
    let (_, body) = srv.get_json("/api/v1/status/config", &[]).await;
    assert_eq!(body["data"], json!({"yaml": "global:\n  scrape_interval: 15s\n"}));
    let (_, body) = srv.get_json("/api/v1/status/runtimeinfo", &[]).await;
    assert_eq!(body["data"]["lastConfigTime"], "2015-07-01T20:10:51.781Z");
    assert_eq!(body["data"]["reloadConfigSuccess"], true);
    assert_eq!(body["data"]["storageRetention"], "15d");
    assert!(body["data"]["startTime"].as_str().is_some_and(|s| s.ends_with('Z')), "{body}");
    srv.handle.set_reload_failed();
    let (_, body) = srv.get_json("/api/v1/status/runtimeinfo", &[]).await;
    assert_eq!(body["data"]["reloadConfigSuccess"], false);
}

#[tokio::test]
async fn tsdb_status() {
    let srv = TestServer::start().await;
    let (code, body) = srv.get_json("/api/v1/status/tsdb", &[]).await;
    assert_eq!((code, body["errorType"].as_str()), (500, Some("unavailable")));
    let srv = TestServer::start_with(ApiOptions::default(), |b| b.tsdb_stats(Arc::new(FakeStats))).await;
    let (_, body) = srv.get_json("/api/v1/status/tsdb", &[]).await;
    assert_eq!(
        body["data"]["headStats"],
        json!({"numSeries": 3, "numLabelPairs": 5, "chunkCount": 4, "minTime": 1000, "maxTime": 2000})
    );
    assert_eq!(body["data"]["seriesCountByMetricName"].as_array().map(Vec::len), Some(10));
    assert_eq!(body["data"]["seriesCountByLabelValuePair"][0], json!({"name": "m0", "value": 100}));
    let (_, body) = srv.get_json("/api/v1/status/tsdb", &[("limit", "2")]).await;
    assert_eq!(body["data"]["labelValueCountByLabelName"].as_array().map(Vec::len), Some(2));
    let (code, body) = srv.get_json("/api/v1/status/tsdb", &[("limit", "0")]).await;
    assert_eq!((code, body["error"].as_str()), (400, Some("limit must be a positive number")));
}

#[tokio::test]
async fn targets_by_state_and_pool() {
    let srv = TestServer::start().await;
    let (_, body) = srv.get_json("/api/v1/targets", &[]).await;
    let active = &body["data"]["activeTargets"];
    assert_eq!(
        active[0],
        json!({
            "discoveredLabels": {"__address__": "api:8080", "job": "api"},
            "labels": {"instance": "api:8080", "job": "api"},
            "scrapePool": "api", "scrapeUrl": "http://api:8080/metrics", "globalUrl": "http://api:8080/metrics",
            "lastError": "", "lastScrape": "2015-07-01T20:10:51.781Z", "lastScrapeDuration": 0.05,
            "health": "up", "scrapeInterval": "15s", "scrapeTimeout": "10s"
        })
    );
    assert_eq!(active[1]["lastScrape"], "0001-01-01T00:00:00Z");
    assert_eq!(active[1]["health"], "down");
    assert_eq!(
        body["data"]["droppedTargets"],
        json!([{"discoveredLabels": {"__address__": "x:1", "job": "node"}, "scrapePool": "node"}])
    );
    assert_eq!(body["data"]["droppedTargetCounts"], json!({"api": 0, "node": 1}));
    let (_, body) = srv.get_json("/api/v1/targets", &[("state", "active")]).await;
    assert_eq!(body["data"]["droppedTargets"], json!([]));
    assert_eq!(body["data"]["activeTargets"].as_array().map(Vec::len), Some(2));
    let (_, body) = srv.get_json("/api/v1/targets", &[("state", "dropped")]).await;
    assert_eq!(body["data"]["activeTargets"], json!([]));
    let (_, body) = srv.get_json("/api/v1/targets", &[("scrapePool", "node")]).await;
    assert_eq!(body["data"]["activeTargets"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn metadata_dedups_and_limits() {
    let srv = TestServer::start().await;
    let (_, body) = srv.get_json("/api/v1/metadata", &[]).await;
    assert_eq!(
        body["data"],
        json!({
            "http_requests_total": [
                {"type": "counter", "help": "Requests by another exporter.", "unit": ""},
                {"type": "counter", "help": "Requests.", "unit": ""}
            ],
            "up": [{"type": "gauge", "help": "Target up.", "unit": ""}]
        })
    );
    let (_, body) = srv.get_json("/api/v1/metadata", &[("limit", "1")]).await;
    assert_eq!(body["data"].as_object().map(|o| o.len()), Some(1));
    let (_, body) =
        srv.get_json("/api/v1/metadata", &[("limit_per_metric", "1"), ("metric", "http_requests_total")]).await;
    assert_eq!(body["data"]["http_requests_total"].as_array().map(Vec::len), Some(1));
    assert!(body["data"].get("up").is_none());
}

#[tokio::test]
async fn format_query_uses_the_injected_formatter() {
    let srv = TestServer::start().await;
    let (code, body) = srv.get_json("/api/v1/format_query", &[("query", "sum(rate(x[5m]))by(a)")]).await;
    assert_eq!((code, body), (200, json!({"status": "success", "data": "sum by (a) (rate(x[5m]))"})));
    let (code, body) = srv.get_json("/api/v1/format_query", &[("query", "foo(")]).await;
    assert_eq!((code, body["errorType"].as_str()), (400, Some("bad_data")));
    let fmt: vigil_api::FormatQueryFn =
        Arc::new(
            |q: &str| if q.contains('(') { Err("1:1: parse error: x".to_owned()) } else { Ok(q.trim().to_owned()) },
        );
    let srv = TestServer::start_with(ApiOptions::default(), move |b| b.format_query(fmt)).await;
    let (_, body) = srv.get_json("/api/v1/format_query", &[("query", "  up ")]).await;
    assert_eq!(body, json!({"status": "success", "data": "up"}));
    let (code, body) = srv.get_json("/api/v1/format_query", &[("query", "(")]).await;
    assert_eq!((code, body), (400, crate::api_error("bad_data", "invalid parameter \"query\": 1:1: parse error: x")));
}
