//! `/federate`, `/metrics`, gzip and panic handling.

use crate::{NOW_MS, TestServer, load};
use vigil_model::{Labels, STALE_NAN};

#[tokio::test]
async fn federate_renders_latest_samples_within_lookback() {
    let srv = TestServer::start().await;
    srv.handle.set_config(String::new(), Labels::from_pairs(&[("replica", "r1")]), 0);
    load(
        &srv.storage,
        &[
            (&[("__name__", "up"), ("job", "api")], &[(NOW_MS - 30_000, 0.0), (NOW_MS - 15_000, 1.0)]),
            (&[("__name__", "up"), ("job", "old")], &[(NOW_MS - 600_000, 1.0)]),
            (&[("__name__", "up"), ("job", "gone")], &[(NOW_MS - 20_000, 1.0), (NOW_MS - 5_000, STALE_NAN)]),
            (&[("__name__", "up"), ("job", "future")], &[(NOW_MS + 5_000, 1.0)]),
            (&[("__name__", "build_info"), ("replica", "own"), ("version", "1")], &[(NOW_MS - 1_000, 1.0)]),
            (&[("__name__", "http_requests_total"), ("job", "api")], &[(NOW_MS - 1_000, 1234567.0)]),
        ],
    );
    let target = format!("/federate?{}", crate::encode(&[("match[]", "up"), ("match[]", "{__name__=~\"build_.*\"}")]));
    let resp = srv.request("GET", &target, &[], "").await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-type"), Some("text/plain; version=0.0.4; charset=utf-8"));
    let want = format!(
        "# TYPE build_info untyped\nbuild_info{{replica=\"own\",version=\"1\"}} 1 {}\n# TYPE up untyped\nup{{job=\"api\",replica=\"r1\"}} 1 {}\n",
        NOW_MS - 1_000,
        NOW_MS - 15_000
    );
    assert_eq!(resp.body, want);
}

#[tokio::test]
async fn federate_errors_are_plain_text() {
    let srv = TestServer::start().await;
    let (code, body) = srv.get("/federate", &[("match[]", "up{")]).await;
    assert_eq!((code, body.as_str()), (400, "1:4: parse error: unexpected end of input inside braces"));
    let (code, body) = srv.get("/federate", &[]).await;
    assert_eq!((code, body.as_str()), (200, ""));
}

#[tokio::test]
async fn self_metrics_count_requests_by_handler_and_code() {
    let srv = TestServer::start().await;
    srv.get("/api/v1/labels", &[]).await;
    srv.get("/api/v1/series", &[]).await;
    let (code, body) = srv.get("/metrics", &[]).await;
    assert_eq!(code, 200);
    assert!(body.contains("prometheus_http_requests_total{code=\"200\",handler=\"/api/v1/labels\"} 1"), "{body}");
    assert!(body.contains("prometheus_http_requests_total{code=\"400\",handler=\"/api/v1/series\"} 1"), "{body}");
    assert!(
        body.contains("prometheus_http_request_duration_seconds_bucket{le=\"0.1\",handler=\"/api/v1/labels\"} 1"),
        "{body}"
    );
    assert_eq!(srv.metrics.requests(200, "/api/v1/labels"), 1);
}

#[tokio::test]
async fn panics_become_counted_internal_errors() {
    let srv = TestServer::start().await;
    srv.targets.panic.store(true, std::sync::atomic::Ordering::Relaxed);
    let (code, body) = srv.get_json("/api/v1/targets", &[]).await;
    assert_eq!(code, 500);
    assert_eq!(body["errorType"], "internal");
    assert!(body["error"].as_str().unwrap_or("").contains("fake targets source exploded"), "{body}");
    assert_eq!(srv.metrics.panics(), 1);
    assert_eq!(srv.metrics.requests(500, "/api/v1/targets"), 1);
    // The server keeps serving.
    srv.targets.panic.store(false, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(srv.get("/api/v1/targets", &[]).await.0, 200);
}

#[tokio::test]
async fn responses_are_gzipped_when_accepted() {
    let srv = TestServer::start().await;
    let names: Vec<(String, String)> = (0..200).map(|i| ("__name__".to_owned(), format!("metric_{i}"))).collect();
    for (n, v) in &names {
        load(&srv.storage, &[(&[(n.as_str(), v.as_str())], &[(1000, 1.0)])]);
    }
    let path = "/api/v1/label/__name__/values";
    let gz = srv.request("GET", path, &[("accept-encoding", "gzip")], "").await;
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert!(!gz.body.contains("metric_1"), "body should be compressed");
    let plain = srv.request("GET", path, &[], "").await;
    assert_eq!(plain.header("content-encoding"), None);
    let body: serde_json::Value = serde_json::from_str(&plain.body).unwrap();
    assert_eq!(body["data"].as_array().map(Vec::len), Some(200));
}
