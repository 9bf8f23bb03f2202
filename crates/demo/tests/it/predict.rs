//! Endpoint behaviour: predictions, validation errors, injected model errors, health, index.

use std::time::Duration;

use axum::http::Method;
use vigil_demo::{DemoConfig, FaultConfig, FaultRates};

use crate::support::{Server, quiet};

/// Posts `body` to `/predict` and checks the status and the JSON error.
async fn check_error(server: &Server, body: &str, status: u16, error: &str, detail: &str) {
    let reply = server.post("/predict", body).await;
    assert_eq!(reply.status, status, "{body}: {}", reply.body);
    assert!(reply.content_type.starts_with("application/json"), "{}", reply.content_type);
    let json = reply.json();
    assert_eq!(json["error"], error, "{json}");
    let got = json["detail"].as_str().unwrap();
    assert!(got.contains(detail), "{body}: {got:?} lacks {detail:?}");
}

#[tokio::test]
async fn predicts_each_species() {
    let server = Server::start(quiet()).await;
    for (features, species) in
        [([5.1, 3.5, 1.4, 0.2], "setosa"), ([5.9, 2.8, 4.2, 1.3], "versicolor"), ([6.6, 3.0, 5.6, 2.1], "virginica")]
    {
        let reply = server.predict(features).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let json = reply.json();
        assert_eq!(json["prediction"], species);
        let confidence = json["confidence"].as_f64().unwrap();
        assert!((0.8..=1.0).contains(&confidence), "{confidence}");
        assert_eq!(json["model_version"], "iris-thresholds-1.0");
    }
    // The named form from the seeds' curl example.
    let reply = server
        .post("/predict", r#"{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}"#)
        .await;
    assert_eq!(reply.json()["prediction"], "setosa");
    server.stop_within(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn validation_errors() {
    let server = Server::start(quiet()).await;
    check_error(&server, r#"{"features": [5.1, 3.5"#, 400, "validation_error", "line 1 column 22").await;
    check_error(&server, "", 400, "validation_error", "invalid JSON body").await;
    check_error(&server, r#"{"features": [5.1, 3.5, 1.4]}"#, 422, "validation_error", "got 3").await;
    check_error(&server, r#"{"features": [1, 2, 3, "4"]}"#, 422, "validation_error", "features[3]").await;
    check_error(&server, r#"{"features": [5.1, 3.5, -1.4, 0.2]}"#, 422, "validation_error", "petal_length").await;
    check_error(&server, r#"{"sepal_length": 5.1}"#, 422, "validation_error", "sepal_width").await;
    server.stop_within(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn injected_model_errors() {
    let faults = FaultConfig { normal: FaultRates { error_ratio: 1.0, slow_ratio: 0.0 }, ..FaultConfig::none() };
    let server = Server::start(DemoConfig { faults, ..quiet() }).await;
    check_error(&server, r#"{"features": [5.1, 3.5, 1.4, 0.2]}"#, 500, "model_error", "injected").await;
    // Validation comes first, so a bad body is still a 4xx.
    check_error(&server, "{", 400, "validation_error", "EOF").await;
    server.stop_within(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn other_endpoints() {
    let server = Server::start(quiet()).await;
    let health = server.get("/health").await;
    assert_eq!(health.status, 200);
    let json = health.json();
    assert_eq!((json["status"].as_str(), json["model_loaded"].as_bool()), (Some("healthy"), Some(true)));

    let index = server.get("/").await;
    assert_eq!(index.status, 200);
    assert!(index.json()["endpoints"]["POST /predict"].as_str().unwrap().contains("petal_width"));

    let missing = server.get("/nope").await;
    assert_eq!((missing.status, missing.json()["error"].as_str()), (404, Some("not_found")));

    let wrong_method = server.request(Method::GET, "/predict", None, None).await;
    assert_eq!(wrong_method.status, 405);
    server.stop_within(Duration::from_secs(5)).await;
}
