//! Health, readiness gating and the lifecycle API.

use crate::TestServer;
use std::sync::atomic::Ordering;
use vigil_api::ApiOptions;

async fn post(srv: &TestServer, path: &str) -> (u16, String) {
    srv.call("POST", path).await
}

#[tokio::test]
async fn readiness_gates_the_api() {
    let srv = TestServer::start().await;
    srv.handle.set_ready(false);
    assert_eq!(srv.get("/-/ready", &[]).await, (503, "Service Unavailable".to_owned()));
    assert_eq!(srv.get("/api/v1/labels", &[]).await, (503, "Service Unavailable".to_owned()));
    assert_eq!(srv.get("/federate", &[]).await.0, 503);
    assert_eq!(srv.get("/-/healthy", &[]).await, (200, "Vigil Server is Healthy.\n".to_owned()));
    assert_eq!(srv.get("/metrics", &[]).await.0, 200);
    srv.handle.set_ready(true);
    assert_eq!(srv.get("/-/ready", &[]).await, (200, "Vigil Server is Ready.\n".to_owned()));
    assert_eq!(srv.get("/api/v1/labels", &[]).await.0, 200);
}

#[tokio::test]
async fn lifecycle_disabled_by_default() {
    let srv = TestServer::start().await;
    for path in ["/-/reload", "/-/quit"] {
        assert_eq!(post(&srv, path).await, (403, "Lifecycle API is not enabled.".to_owned()), "{path}");
    }
    assert_eq!(srv.reloads.load(Ordering::SeqCst), 0);
    assert_eq!(srv.quits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn lifecycle_enabled_runs_hooks() {
    let srv = TestServer::start_with(ApiOptions { enable_lifecycle: true, ..Default::default() }, |b| b).await;
    assert_eq!(post(&srv, "/-/reload").await, (200, String::new()));
    // The fake's second reload fails.
    assert_eq!(srv.call("PUT", "/-/reload").await, (500, "failed to reload config: bad config\n".to_owned()));
    assert_eq!(srv.reloads.load(Ordering::SeqCst), 2);
    assert_eq!(post(&srv, "/-/quit").await, (200, "Requesting termination... Goodbye!".to_owned()));
    assert_eq!(srv.quits.load(Ordering::SeqCst), 1);
    assert_eq!(srv.get("/-/quit", &[]).await.0, 405);
}
