//! The HTTP side: headers, auth, gzip, content types, status codes, timeouts, size limits.

use crate::harness::{Harness, TEXT, job_config, serve, target};
use axum::Router;
use axum::http::{StatusCode, header};
use std::io::Write;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn samples_land_with_target_labels_and_headers_are_prometheus_like() {
    let (router, seen) = target("# HELP a An a.\n# TYPE a gauge\na{x=\"1\"} 7\n", TEXT);
    let addr = serve(router).await;
    let h = Harness::start(&job_config(""));
    h.set_targets(&[&[("__address__", &addr.to_string())]]).await;
    h.wait_for("a scrape", |h| !h.values("a").is_empty()).await;
    h.wait_scraped().await;
    let inst = addr.to_string();
    let a = &h.dump("a")[0];
    assert!(a.starts_with(&format!(r#"{{__name__="a", group="g", instance="{inst}", job="t", x="1"}} 7"#)), "{a}");
    for name in ["up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_series_added"] {
        assert!(!h.values(name).is_empty(), "{name}");
    }
    assert_eq!(h.values("up")[0], 1.0);
    assert_eq!(h.values("scrape_samples_scraped")[0], 1.0);

    let headers = seen.lock().unwrap()[0].clone();
    assert_eq!(
        headers[header::ACCEPT],
        "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,\
         application/openmetrics-text;version=0.0.1;q=0.5,\
         text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
        "Prometheus 3's default Accept header"
    );
    assert_eq!(headers[header::USER_AGENT], vigil_scrape::USER_AGENT_VALUE);
    assert_eq!(headers[header::ACCEPT_ENCODING], "gzip");
    assert_eq!(headers["x-prometheus-scrape-timeout-seconds"], "0.08");

    let targets = h.manager.active_targets();
    assert_eq!(targets.len(), 1);
    let t = &targets[0];
    assert_eq!(t.scrape_url, format!("http://{inst}/metrics"));
    assert_eq!(t.health, vigil_scrape::Health::Up);
    assert_eq!((t.interval_ms, t.timeout_ms), (100, 80));
    assert!(t.last_scrape_ms.is_some());
    assert_eq!(t.discovered_labels.get("__address__"), Some(inst.as_str()));
    let md = h.manager.metadata(Some("a"));
    assert_eq!(md["a"][0].metric_type, "gauge");
    assert_eq!(md["a"][0].help, "An a.");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gzip_bodies_are_decoded() {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(b"zipped 42\n").unwrap();
    let body = enc.finish().unwrap();
    let router = Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let body = body.clone();
            async move { ([(header::CONTENT_TYPE, TEXT), (header::CONTENT_ENCODING, "gzip")], body) }
        }),
    );
    let addr = serve(router).await;
    let h = Harness::start(&job_config(""));
    h.set_targets(&[&[("__address__", &addr.to_string())]]).await;
    h.wait_for("the zipped sample", |h| !h.values("zipped").is_empty()).await;
    assert_eq!(h.values("zipped")[0], 42.0);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openmetrics_content_type_selects_the_openmetrics_parser() {
    // `_total` with a float-seconds timestamp is only valid OpenMetrics.
    let (router, _) =
        target("# TYPE c counter\nc_total 5 1700000000.5\n# EOF\n", "application/openmetrics-text; version=1.0.0");
    let addr = serve(router).await;
    let h = Harness::start(&job_config(""));
    h.set_targets(&[&[("__address__", &addr.to_string())]]).await;
    h.wait_for("a scrape", |h| !h.values("up").is_empty()).await;
    assert_eq!(h.values("up")[0], 1.0, "{:?}", h.manager.active_targets());
    let q = vigil_storage::Queryable::querier(&h.db, 0, i64::MAX).unwrap();
    let set = q.select(&Default::default(), &[vigil_model::Matcher::equal("__name__", "c_total")]).unwrap();
    assert_eq!(set[0].samples.timestamps[0], 1_700_000_000_500);
    drop(q);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_errors_timeouts_and_size_limits_fail_the_scrape() {
    let router = Router::new()
        .route("/status", axum::routing::get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom") }))
        .route(
            "/slow",
            axum::routing::get(|| async {
                tokio::time::sleep(Duration::from_millis(500)).await;
                "late 1\n"
            }),
        )
        .route("/big", axum::routing::get(|| async { ([(header::CONTENT_TYPE, TEXT)], "x 1\n".repeat(1000)) }));
    let addr = serve(router).await;
    for (path, extra, want) in [
        ("/status", "", "server returned HTTP status 500 Internal Server Error"),
        ("/slow", "", "context deadline exceeded"),
        ("/big", "    body_size_limit: 1KB\n", "body size limit exceeded"),
    ] {
        let h = Harness::start(&job_config(&format!("    metrics_path: {path}\n{extra}")));
        h.set_targets(&[&[("__address__", &addr.to_string())]]).await;
        h.wait_scraped().await;
        assert_eq!(h.values("up")[0], 0.0, "{path}");
        let t = &h.manager.active_targets()[0];
        assert_eq!(t.health, vigil_scrape::Health::Down);
        assert!(t.last_error.contains(want), "{path}: {}", t.last_error);
        assert!(h.values("late").is_empty() && h.values("x").is_empty());
        h.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_auth_and_bearer_tokens_are_sent() {
    let dir = std::env::temp_dir().join(format!("vigil-scrape-token-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let token_file = dir.join("token");
    std::fs::write(&token_file, "from-file\n").unwrap();
    for (extra, want) in [
        ("    basic_auth:\n      username: u\n      password: p\n".to_owned(), "Basic dTpw".to_owned()),
        ("    authorization:\n      credentials: s3cret\n".to_owned(), "Bearer s3cret".to_owned()),
        (format!("    bearer_token_file: {}\n", token_file.display()), "Bearer from-file".to_owned()),
    ] {
        let (router, seen) = target("a 1\n", TEXT);
        let addr = serve(router).await;
        let h = Harness::start(&job_config(&extra));
        h.set_targets(&[&[("__address__", &addr.to_string())]]).await;
        h.wait_for("a scrape", |h| !h.values("up").is_empty()).await;
        let headers = seen.lock().unwrap()[0].clone();
        assert_eq!(headers[header::AUTHORIZATION], want.as_str());
        h.stop().await;
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
