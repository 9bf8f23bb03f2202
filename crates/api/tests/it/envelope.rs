//! Error envelopes and status codes for parameter validation (no engine needed).

use crate::{TestServer, api_error};

async fn check(path: &str, params: &[(&str, &str)], status: u16, kind: &str, msg: &str) {
    let srv = TestServer::start().await;
    let (code, body) = srv.get_json(path, params).await;
    assert_eq!((code, body), (status, api_error(kind, msg)), "{path} {params:?}");
}

#[tokio::test]
async fn query_parameter_errors() {
    check(
        "/api/v1/query",
        &[("query", "")],
        400,
        "bad_data",
        "invalid parameter \"query\": 1:1: parse error: no expression found in input",
    )
    .await;
    check(
        "/api/v1/query",
        &[("query", "1"), ("time", "abc")],
        400,
        "bad_data",
        "invalid parameter \"time\": invalid time value for 'time': cannot parse \"abc\" to a valid timestamp",
    )
    .await;
    check(
        "/api/v1/query",
        &[("query", "1"), ("timeout", "x")],
        400,
        "bad_data",
        "invalid parameter \"timeout\": cannot parse \"x\" to a valid duration",
    )
    .await;
    check(
        "/api/v1/query",
        &[("query", "1"), ("lookback_delta", "-1s")],
        400,
        "bad_data",
        "invalid parameter \"lookback_delta\": cannot parse \"-1s\" to a valid duration",
    )
    .await;
    check(
        "/api/v1/query",
        &[("query", "1"), ("limit", "-2")],
        400,
        "bad_data",
        "invalid parameter \"limit\": limit must be non-negative",
    )
    .await;
}

#[tokio::test]
async fn range_parameter_errors() {
    let q = |start: &'static str, end: &'static str, step: &'static str| {
        [("query", "1"), ("start", start), ("end", end), ("step", step)]
    };
    check(
        "/api/v1/query_range",
        &q("x", "10", "1"),
        400,
        "bad_data",
        "invalid parameter \"start\": cannot parse \"x\" to a valid timestamp",
    )
    .await;
    check(
        "/api/v1/query_range",
        &[("query", "1"), ("end", "1"), ("step", "1")],
        400,
        "bad_data",
        "invalid parameter \"start\": cannot parse \"\" to a valid timestamp",
    )
    .await;
    check(
        "/api/v1/query_range",
        &q("10", "0", "1"),
        400,
        "bad_data",
        "invalid parameter \"end\": end timestamp must not be before start time",
    )
    .await;
    let zero = "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer";
    check("/api/v1/query_range", &q("0", "10", "0"), 400, "bad_data", zero).await;
    check("/api/v1/query_range", &q("0", "10", "-1"), 400, "bad_data", zero).await;
    check(
        "/api/v1/query_range",
        &q("0", "10", "x"),
        400,
        "bad_data",
        "invalid parameter \"step\": cannot parse \"x\" to a valid duration",
    )
    .await;
    check(
        "/api/v1/query_range",
        &[("query", "1"), ("start", "0"), ("end", "1")],
        400,
        "bad_data",
        "invalid parameter \"step\": cannot parse \"\" to a valid duration",
    )
    .await;
    let cap =
        "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)";
    check("/api/v1/query_range", &q("0", "11001", "1"), 400, "bad_data", cap).await;
    check("/api/v1/query_range", &q("2015-07-01T00:00:00Z", "2015-07-01T04:00:00Z", "1"), 400, "bad_data", cap).await;
}

#[tokio::test]
async fn eleven_thousand_points_are_allowed() {
    let srv = TestServer::start().await;
    // Exactly 11,000 steps passes validation and reaches the engine.
    let (code, body) =
        srv.get_json("/api/v1/query_range", &[("query", "1"), ("start", "0"), ("end", "11000"), ("step", "1")]).await;
    assert_ne!(
        body["error"].as_str().unwrap_or(""),
        "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"
    );
    assert!(code == 200 || code == 422, "{code} {body}");
}

#[tokio::test]
async fn query_length_is_capped() {
    let srv = TestServer::start_with(vigil_api::ApiOptions { max_query_length: 8, ..Default::default() }, |b| b).await;
    let (code, body) = srv.get_json("/api/v1/query", &[("query", "sum(rate(x[5m]))")]).await;
    assert_eq!(code, 400);
    assert_eq!(body["error"], "invalid parameter \"query\": query is 16 bytes long, more than the limit of 8");
}

#[tokio::test]
async fn series_parameter_errors() {
    check("/api/v1/series", &[], 400, "bad_data", "no match[] parameter provided").await;
    check(
        "/api/v1/series",
        &[("match[]", "up{")],
        400,
        "bad_data",
        "invalid parameter \"match[]\": 1:4: parse error: unexpected end of input inside braces",
    )
    .await;
    check(
        "/api/v1/series",
        &[("match[]", "{a=~\".*\"}")],
        400,
        "bad_data",
        "invalid parameter \"match[]\": match[] must contain at least one non-empty matcher",
    )
    .await;
    check(
        "/api/v1/series",
        &[("match[]", "up"), ("start", "x")],
        400,
        "bad_data",
        "invalid parameter \"start\": invalid time value for 'start': cannot parse \"x\" to a valid timestamp",
    )
    .await;
    check(
        "/api/v1/labels",
        &[("match[]", "sum(up)")],
        400,
        "bad_data",
        "invalid parameter \"match[]\": 1:4: parse error: unexpected \"(\"",
    )
    .await;
}

#[tokio::test]
async fn admin_api_gating() {
    let srv = TestServer::start().await;
    let (code, body) = srv.call("POST", "/api/v1/admin/tsdb/snapshot").await;
    assert_eq!(code, 500);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap(),
        api_error("unavailable", "admin APIs disabled")
    );
    let srv =
        TestServer::start_with(vigil_api::ApiOptions { enable_admin_api: true, ..Default::default() }, |b| b).await;
    let (_, body) = srv.call("PUT", "/api/v1/admin/tsdb/snapshot").await;
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["errorType"], "unavailable");
    assert_ne!(body["error"], "admin APIs disabled");
}

#[tokio::test]
async fn wrong_method_is_405() {
    let srv = TestServer::start().await;
    assert_eq!(srv.call("DELETE", "/api/v1/query").await.0, 405);
}
