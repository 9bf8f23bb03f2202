//! `/metrics` content: names, labels, counter values and histogram buckets.

use std::time::Duration;

use axum::http::Method;
use vigil_demo::{DemoConfig, FaultConfig, FaultRates};

use crate::support::{Scrape, Server, quiet};

const SETOSA: [f64; 4] = [5.1, 3.5, 1.4, 0.2];
const VERSICOLOR: [f64; 4] = [5.9, 2.8, 4.2, 1.3];

fn http(method: &'static str, handler: &'static str, status: &'static str) -> [(&'static str, &'static str); 3] {
    [("method", method), ("handler", handler), ("status", status)]
}

#[tokio::test]
async fn counters_and_histograms_after_known_requests() {
    let server = Server::start(quiet()).await;
    for _ in 0..3 {
        assert_eq!(server.predict(SETOSA).await.status, 200);
    }
    for _ in 0..2 {
        assert_eq!(server.predict(VERSICOLOR).await.status, 200);
    }
    assert_eq!(server.post("/predict", "{oops").await.status, 400);
    for _ in 0..2 {
        assert_eq!(server.post("/predict", r#"{"features": [1, 2]}"#).await.status, 422);
    }
    assert_eq!(server.get("/health").await.status, 200);
    assert_eq!(server.get("/missing").await.status, 404);

    let m = server.scrape().await;
    assert_eq!(m.value("http_requests_total", &http("POST", "/predict", "200")), Some(5.0));
    assert_eq!(m.value("http_requests_total", &http("POST", "/predict", "400")), Some(1.0));
    assert_eq!(m.value("http_requests_total", &http("POST", "/predict", "422")), Some(2.0));
    assert_eq!(m.value("http_requests_total", &http("GET", "/health", "200")), Some(1.0));
    assert_eq!(m.value("http_requests_total", &http("GET", "unmatched", "404")), Some(1.0));
    // The scrape being served is counted once it completes.
    assert_eq!(m.value("http_requests_total", &http("GET", "/metrics", "200")), None);
    assert_eq!(m.sum("http_requests_total", &[]), 10.0);

    let predict = [("method", "POST"), ("handler", "/predict")];
    assert_eq!(m.value("http_request_duration_seconds_count", &predict), Some(8.0));
    let bucket = |le| m.value("http_request_duration_seconds_bucket", &[predict[0], predict[1], ("le", le)]);
    assert_eq!(bucket("+Inf"), Some(8.0));
    assert_eq!(bucket("0.5"), Some(8.0), "no simulated latency");
    let sum = m.value("http_request_duration_seconds_sum", &predict).unwrap();
    assert!((0.0..0.5).contains(&sum), "{sum}");

    assert_eq!(m.value("model_predictions_total", &[("predicted_class", "setosa")]), Some(3.0));
    assert_eq!(m.value("model_predictions_total", &[("predicted_class", "versicolor")]), Some(2.0));
    assert_eq!(m.value("model_predictions_total", &[("predicted_class", "virginica")]), Some(0.0));
    let setosa_conf = |le| m.value("model_confidence_bucket", &[("predicted_class", "setosa"), ("le", le)]);
    assert_eq!(setosa_conf("0.95"), Some(0.0), "setosa predictions are near-certain");
    assert_eq!(setosa_conf("1.0"), Some(3.0));
    assert_eq!(m.value("model_confidence_count", &[("predicted_class", "versicolor")]), Some(2.0));
    let versicolor_conf = |le| m.value("model_confidence_bucket", &[("predicted_class", "versicolor"), ("le", le)]);
    assert_eq!((versicolor_conf("0.8"), versicolor_conf("0.95")), (Some(0.0), Some(2.0)));

    let errors = |error_type| m.value("api_errors_total", &[("error_type", error_type), ("endpoint", "/predict")]);
    assert_eq!(errors("validation_error"), Some(3.0));
    assert_eq!(errors("model_error"), Some(0.0), "known series start at zero");
    assert_eq!(m.value("model_loaded", &[]), Some(1.0));
    assert_eq!(m.value("http_requests_in_flight", &[]), Some(1.0), "the scrape itself");

    for (name, kind) in [
        ("http_requests_total", "counter"),
        ("http_request_duration_seconds", "histogram"),
        ("http_requests_in_flight", "gauge"),
        ("model_predictions_total", "counter"),
        ("model_confidence", "histogram"),
        ("model_loaded", "gauge"),
        ("api_errors_total", "counter"),
    ] {
        assert_eq!(m.types.get(name).map(String::as_str), Some(kind), "{name}");
    }
    let next = server.scrape().await;
    assert_eq!(next.value("http_requests_total", &http("GET", "/metrics", "200")), Some(1.0));
    server.stop_within(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn openmetrics_on_request() {
    let server = Server::start(quiet()).await;
    let accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    let reply = server.request(Method::GET, "/metrics", Some(accept), None).await;
    assert_eq!(reply.content_type, "application/openmetrics-text; version=1.0.0; charset=utf-8");
    assert!(reply.body.contains("# TYPE model_predictions counter\n"), "{}", reply.body);
    assert!(reply.body.ends_with("# EOF\n"));
    let plain = server.request(Method::GET, "/metrics", Some("*/*"), None).await;
    assert!(plain.content_type.starts_with("text/plain; version=0.0.4"));
    assert!(plain.body.contains("# TYPE model_predictions_total counter\n"));
    assert!(!plain.body.contains("# EOF"));
    server.stop_within(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn instances_do_not_share_metrics() {
    let (a, b) = (Server::start(quiet()).await, Server::start(quiet()).await);
    a.predict(SETOSA).await;
    a.predict(SETOSA).await;
    b.predict(VERSICOLOR).await;
    let (ma, mb) = (a.scrape().await, b.scrape().await);
    assert_eq!(ma.sum("model_predictions_total", &[]), 2.0);
    assert_eq!(mb.sum("model_predictions_total", &[]), 1.0);
    assert_eq!(mb.value("model_predictions_total", &[("predicted_class", "setosa")]), Some(0.0));
    a.stop_within(Duration::from_secs(5)).await;
    b.stop_within(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn slow_requests_land_in_high_buckets_and_count_in_flight() {
    let latency = Duration::from_millis(600)..Duration::from_millis(650);
    let faults = FaultConfig {
        slow_latency: latency,
        normal: FaultRates { error_ratio: 0.0, slow_ratio: 1.0 },
        ..FaultConfig::none()
    };
    let server = std::sync::Arc::new(Server::start(DemoConfig { faults, ..quiet() }).await);
    let pending: Vec<_> = (0..3)
        .map(|_| {
            let server = server.clone();
            tokio::spawn(async move { server.predict(SETOSA).await.status })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(250)).await;
    let during = server.scrape().await;
    assert_eq!(during.value("http_requests_in_flight", &[]), Some(4.0), "3 predictions + the scrape");
    for request in pending {
        assert_eq!(request.await.unwrap(), 200);
    }
    let m = server.scrape().await;
    let bucket = |le| {
        m.value("http_request_duration_seconds_bucket", &[("handler", "/predict"), ("method", "POST"), ("le", le)])
    };
    assert_eq!((bucket("0.5"), bucket("1.0")), (Some(0.0), Some(3.0)));
    assert_eq!(m.value("http_requests_in_flight", &[]), Some(1.0));
    match std::sync::Arc::try_unwrap(server) {
        Ok(server) => server.stop_within(Duration::from_secs(5)).await,
        Err(_) => panic!("server still shared"),
    }
}

#[tokio::test]
async fn error_share_matches_the_fault_rate() {
    let faults = FaultConfig { normal: FaultRates { error_ratio: 0.5, slow_ratio: 0.0 }, ..FaultConfig::none() };
    let server = Server::start(DemoConfig { faults, ..quiet() }).await;
    let mut failed = 0;
    for _ in 0..60 {
        match server.predict(SETOSA).await.status {
            200 => {}
            500 => failed += 1,
            other => panic!("status {other}"),
        }
    }
    assert!((15..=45).contains(&failed), "{failed} of 60 failed");
    let m: Scrape = server.scrape().await;
    assert_eq!(m.value("http_requests_total", &http("POST", "/predict", "500")), Some(failed as f64));
    let model_errors = [("error_type", "model_error"), ("endpoint", "/predict")];
    assert_eq!(m.value("api_errors_total", &model_errors), Some(failed as f64));
    assert_eq!(m.sum("model_predictions_total", &[]), (60 - failed) as f64);
    server.stop_within(Duration::from_secs(5)).await;
}
