//! `/api/v1/series`, `/api/v1/labels`, `/api/v1/label/{name}/values` over MemStorage.

use crate::{TestServer, load};
use serde_json::json;

async fn server() -> TestServer {
    let srv = TestServer::start().await;
    load(
        &srv.storage,
        &[
            (&[("__name__", "up"), ("job", "api"), ("instance", "a:1")], &[(1000, 1.0)]),
            (&[("__name__", "up"), ("job", "node"), ("instance", "b:1")], &[(5000, 1.0)]),
            (&[("__name__", "http_requests_total"), ("job", "api"), ("code", "200")], &[(1000, 7.0)]),
        ],
    );
    srv
}

#[tokio::test]
async fn series_union_of_matchers_sorted() {
    let srv = server().await;
    let (code, body) =
        srv.get_json("/api/v1/series", &[("match[]", "up{job=\"node\"}"), ("match[]", "{job=\"api\"}")]).await;
    assert_eq!(code, 200);
    assert_eq!(
        body,
        json!({"status": "success", "data": [
            {"__name__": "http_requests_total", "code": "200", "job": "api"},
            {"__name__": "up", "instance": "a:1", "job": "api"},
            {"__name__": "up", "instance": "b:1", "job": "node"},
        ]})
    );
}

#[tokio::test]
async fn series_time_range_and_post() {
    let srv = server().await;
    let (_, body) = srv.post_form("/api/v1/series", &[("match[]", "up"), ("start", "4"), ("end", "6")]).await;
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["data"], json!([{"__name__": "up", "instance": "b:1", "job": "node"}]));
    let (_, body) = srv.get_json("/api/v1/series", &[("match[]", "up"), ("end", "1970-01-01T00:00:02Z")]).await;
    assert_eq!(body["data"], json!([{"__name__": "up", "instance": "a:1", "job": "api"}]));
}

#[tokio::test]
async fn series_limit_warns() {
    let srv = server().await;
    let (_, body) = srv.get_json("/api/v1/series", &[("match[]", "up"), ("limit", "1")]).await;
    assert_eq!(body["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(body["warnings"], json!(["results truncated due to limit"]));
}

#[tokio::test]
async fn labels_and_values() {
    let srv = server().await;
    let (_, body) = srv.get_json("/api/v1/labels", &[]).await;
    assert_eq!(body, json!({"status": "success", "data": ["__name__", "code", "instance", "job"]}));
    let (_, body) = srv.get_json("/api/v1/labels", &[("match[]", "up")]).await;
    assert_eq!(body["data"], json!(["__name__", "instance", "job"]));
    let (_, body) = srv.get_json("/api/v1/label/__name__/values", &[]).await;
    assert_eq!(body["data"], json!(["http_requests_total", "up"]));
    let (_, body) = srv.get_json("/api/v1/label/job/values", &[("match[]", "up"), ("start", "4")]).await;
    assert_eq!(body["data"], json!(["node"]));
    let (_, body) = srv.get_json("/api/v1/label/job/values", &[("limit", "1")]).await;
    assert_eq!(body, json!({"status": "success", "data": ["api"], "warnings": ["results truncated due to limit"]}));
    let (_, body) = srv.get_json("/api/v1/label/nope/values", &[]).await;
    assert_eq!(body, json!({"status": "success", "data": []}));
}
