//! The built-in traffic generator against a real server.

use std::time::Duration;

use vigil_demo::{DemoConfig, FaultConfig, FaultRates, TrafficConfig};

use crate::support::{Server, quiet};

fn fast_traffic() -> TrafficConfig {
    TrafficConfig { requests_per_second: 200.0, invalid_ratio: 0.2, health_ratio: 0.1, ..TrafficConfig::default() }
}

#[tokio::test]
async fn generates_a_mix_of_statuses() {
    let faults = FaultConfig {
        normal: FaultRates { error_ratio: 0.2, slow_ratio: 0.0 },
        latency: Duration::from_millis(1)..Duration::from_millis(5),
        ..FaultConfig::none()
    };
    let server = Server::start(DemoConfig { faults, traffic: Some(fast_traffic()), ..quiet() }).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let m = server.scrape().await;
    let total = m.sum("http_requests_total", &[]);
    assert!(total >= 100.0, "only {total} requests");
    let status = |s| m.sum("http_requests_total", &[("status", s)]);
    let (ok, server_errors) = (status("200"), status("500"));
    let client_errors = status("400") + status("422");
    assert!(ok > 0.0 && server_errors > 0.0 && client_errors > 0.0, "{ok} / {client_errors} / {server_errors}");
    let share = server_errors / total;
    assert!((0.05..0.3).contains(&share), "5xx share {share}");
    assert!(m.sum("http_requests_total", &[("handler", "/health")]) > 0.0);
    assert!(m.sum("model_predictions_total", &[]) > 0.0);
    assert!(
        m.value("api_errors_total", &[("error_type", "validation_error"), ("endpoint", "/predict")]).unwrap() > 0.0
    );
    server.stop_within(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn degraded_phase_makes_slow_requests() {
    // Degraded from the start: half the predictions take 300 ms.
    let faults = FaultConfig {
        slow_latency: Duration::from_millis(300)..Duration::from_millis(320),
        degraded: FaultRates { error_ratio: 0.0, slow_ratio: 0.5 },
        normal_phase: Duration::ZERO,
        degraded_phase: Duration::from_secs(3600),
        ..FaultConfig::none()
    };
    let traffic = TrafficConfig { invalid_ratio: 0.0, health_ratio: 0.0, ..fast_traffic() };
    let server = Server::start(DemoConfig { faults, traffic: Some(traffic), ..quiet() }).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let m = server.scrape().await;
    let labels = |le| [("method", "POST"), ("handler", "/predict"), ("le", le)];
    let fast = m.value("http_request_duration_seconds_bucket", &labels("0.25")).unwrap();
    let all = m.value("http_request_duration_seconds_bucket", &labels("+Inf")).unwrap();
    let slow_share = (all - fast) / all;
    assert!(all >= 50.0, "{all} requests");
    assert!((0.3..0.7).contains(&slow_share), "slow share {slow_share}");
    // Stopping waits for the slow requests in flight, which end within their 320 ms.
    server.stop_within(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn invalid_rate_sends_nothing() {
    let traffic = TrafficConfig { requests_per_second: 0.0, ..TrafficConfig::default() };
    let server = Server::start(DemoConfig { traffic: Some(traffic), ..quiet() }).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(server.scrape().await.sum("http_requests_total", &[]), 0.0);
    server.stop_within(Duration::from_secs(5)).await;
}
