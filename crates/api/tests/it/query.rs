//! Query endpoints end to end with the real engine: results, wire formatting, GET vs POST, and
//! engine errors mapped through the one table.

use crate::{NOW_MS, TestServer, load};

#[tokio::test]
async fn engine_errors_map_through_the_table() {
    let srv = TestServer::start().await;
    load(
        &srv.storage,
        &[
            (&[("__name__", "up"), ("job", "a")], &[(NOW_MS - 1000, 1.0)]),
            (&[("__name__", "foo"), ("job", "a")], &[(NOW_MS - 1000, 1.0)]),
        ],
    );
    let (code, body) = srv.get_json("/api/v1/query", &[("query", "foo(")]).await;
    assert_eq!((code, body["errorType"].as_str()), (400, Some("bad_data")), "{body}");
    assert!(body["error"].as_str().unwrap_or("").starts_with("invalid parameter \"query\": 1:"), "{body}");
    let (code, body) = srv.get_json("/api/v1/query", &[("query", "{job=\"a\"} + {job=\"a\"}")]).await;
    assert_eq!((code, body["errorType"].as_str()), (422, Some("execution")), "{body}");
    let (code, body) = srv.get_json("/api/v1/query", &[("query", "up")]).await;
    assert_eq!(code, 200);
    assert_eq!(
        body["data"],
        serde_json::json!({"resultType": "vector", "result": [{"metric": {"__name__": "up", "job": "a"}, "value": [1435781451.781, "1"]}]})
    );
}

#[tokio::test]
async fn post_form_equals_get() {
    let srv = TestServer::start().await;
    load(&srv.storage, &[(&[("__name__", "up"), ("job", "a")], &[(NOW_MS - 1000, 1.0)])]);
    let params = [("query", "up"), ("time", "1435781451.781")];
    let (g_code, g_body) = srv.get("/api/v1/query", &params).await;
    let (p_code, p_body) = srv.post_form("/api/v1/query", &params).await;
    assert_eq!((g_code, &g_body), (p_code, &p_body));
    let range = [("query", "up"), ("start", "1435781400"), ("end", "1435781451.781"), ("step", "15s")];
    let (g_code, g_body) = srv.get("/api/v1/query_range", &range).await;
    let (p_code, p_body) = srv.post_form("/api/v1/query_range", &range).await;
    assert_eq!((g_code, &g_body), (p_code, &p_body));
}

#[tokio::test]
async fn post_form_parameters_are_validated() {
    let srv = TestServer::start().await;
    let (code, body) =
        srv.post_form("/api/v1/query_range", &[("query", "1"), ("start", "5"), ("end", "1"), ("step", "1")]).await;
    assert_eq!(code, 400);
    assert!(body.contains("end timestamp must not be before start time"), "{body}");
}

#[tokio::test]
async fn results_once_the_engine_evaluates() {
    let srv = TestServer::start().await;
    load(&srv.storage, &[(&[("__name__", "up"), ("job", "a")], &[(1_435_781_400_000, 1.0), (1_435_781_415_000, 0.0)])]);
    let (_, body) = srv.get_json("/api/v1/query", &[("query", "vector(1e21)"), ("time", "1500.010")]).await;
    assert_eq!(
        body["data"],
        serde_json::json!({"resultType": "vector", "result": [{"metric": {}, "value": [1500.01, "1e+21"]}]})
    );
    let (_, body) = srv.get("/api/v1/query", &[("query", "1e21"), ("time", "1500.010")]).await;
    assert!(body.contains(r#"[1500.01,"1000000000000000000000"]"#), "{body}");
    let (_, body) = srv.get("/api/v1/query", &[("query", "vector(NaN)"), ("time", "1500.010")]).await;
    assert!(body.contains(r#"[1500.010,"NaN"]"#), "{body}");
    let (_, body) = srv.get("/api/v1/query", &[("query", "-vector(+Inf)"), ("time", "1500")]).await;
    assert!(body.contains(r#""-Inf""#), "{body}");
    let (_, body) = srv
        .get_json(
            "/api/v1/query_range",
            &[("query", "up"), ("start", "1435781400"), ("end", "1435781415"), ("step", "15")],
        )
        .await;
    assert_eq!(
        body["data"],
        serde_json::json!({"resultType": "matrix", "result": [{"metric": {"__name__": "up", "job": "a"}, "values": [[1435781400, "1"], [1435781415, "0"]]}]})
    );
}

#[tokio::test]
async fn limit_cuts_vector_results() {
    let srv = TestServer::start().await;
    load(
        &srv.storage,
        &[
            (&[("__name__", "up"), ("job", "a")], &[(NOW_MS - 1000, 1.0)]),
            (&[("__name__", "up"), ("job", "b")], &[(NOW_MS - 1000, 1.0)]),
        ],
    );
    let (_, body) = srv.get_json("/api/v1/query", &[("query", "up"), ("limit", "1")]).await;
    assert_eq!(body["data"]["result"].as_array().map(Vec::len), Some(1));
    assert_eq!(body["warnings"], serde_json::json!(["results truncated due to limit"]));
}

#[tokio::test]
async fn stats_parameter_adds_prometheus_shaped_statistics() {
    let srv = TestServer::start().await;
    let t0 = NOW_MS - 60_000;
    let pts: Vec<(i64, f64)> = (0..=6).map(|i| (t0 + i * 10_000, i as f64)).collect();
    load(&srv.storage, &[(&[("__name__", "x"), ("i", "1")], &pts), (&[("__name__", "x"), ("i", "2")], &pts)]);
    let (start, end) = (format!("{}", (t0 + 20_000) as f64 / 1000.0), format!("{}", (t0 + 60_000) as f64 / 1000.0));
    let range = |stats: &'static str| {
        let (start, end) = (start.clone(), end.clone());
        let srv = &srv;
        async move {
            let mut p =
                vec![("query", "rate(x[25s])"), ("start", start.as_str()), ("end", end.as_str()), ("step", "20")];
            if !stats.is_empty() {
                p.push(("stats", stats));
            }
            srv.get_json("/api/v1/query_range", &p).await
        }
    };
    let (code, body) = range("").await;
    assert_eq!(code, 200);
    assert!(body["data"].get("stats").is_none(), "{body}");
    let (_, body) = range("true").await;
    let stats = &body["data"]["stats"];
    let timings = stats["timings"].as_object().expect("timings");
    let names: Vec<&str> = timings.keys().map(String::as_str).collect();
    for want in
        ["evalTotalTime", "resultSortTime", "queryPreparationTime", "innerEvalTime", "execQueueTime", "execTotalTime"]
    {
        assert!(names.contains(&want) && timings[want].as_f64().is_some(), "{want} in {stats}");
    }
    // Three windows of three samples for each of two series.
    assert_eq!(stats["samples"]["totalQueryableSamples"], 18, "{stats}");
    assert!(stats["samples"]["peakSamples"].as_u64().unwrap_or(0) > 0, "{stats}");
    assert!(stats["samples"].get("totalQueryableSamplesPerStep").is_none(), "{stats}");
    let (_, body) = range("all").await;
    let per_step = &body["data"]["stats"]["samples"]["totalQueryableSamplesPerStep"];
    let want: Vec<serde_json::Value> =
        (1..=3).map(|k| serde_json::json!([(t0 + 20_000 * k) as f64 / 1000.0, 6])).collect();
    assert_eq!(per_step, &serde_json::Value::Array(want), "{body}");
}
