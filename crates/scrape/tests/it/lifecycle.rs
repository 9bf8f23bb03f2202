//! Target relabeling, label handling, staleness across scrapes, target and pool removal, reload.

use crate::harness::{Harness, TEXT, job_config, serve, target};
use axum::Router;
use axum::http::header;
use std::sync::Arc;
use std::sync::atomic::Ordering;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relabel_configs_keep_drop_and_rewrite_targets() {
    let (router, _) = target("a 1\n", TEXT);
    let addr = serve(router).await.to_string();
    let cfg = job_config(
        "    relabel_configs:\n      - source_labels: [role]\n        regex: db\n        action: drop\n      - source_labels: [role]\n        target_label: tier\n",
    );
    let h = Harness::start(&cfg);
    h.set_targets(&[&[("__address__", &addr), ("role", "web")], &[("__address__", "127.0.0.1:1"), ("role", "db")]])
        .await;
    h.wait_for("a scrape", |h| !h.values("a").is_empty()).await;
    let active = h.manager.active_targets();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].labels.get("tier"), Some("web"));
    let dropped = h.manager.dropped_targets();
    assert_eq!(dropped.len(), 1);
    assert_eq!(dropped[0].discovered_labels.get("role"), Some("db"));
    assert_eq!(dropped[0].discovered_labels.get("__scheme__"), Some("http"));
    assert_eq!(dropped[0].scrape_pool, "t");
    assert!(h.dump("a")[0].contains(r#"tier="web""#));
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn honor_labels_and_metric_relabel_configs() {
    let (router, _) = target("a{job=\"inner\"} 1\ngo_gc 1\n", TEXT);
    let addr = serve(router).await.to_string();
    let drop_go =
        "    metric_relabel_configs:\n      - source_labels: [__name__]\n        regex: go_.*\n        action: drop\n";
    let h = Harness::start(&job_config(drop_go));
    h.set_targets(&[&[("__address__", &addr)]]).await;
    h.wait_for("a scrape", |h| !h.values("a").is_empty()).await;
    let a = &h.dump("a")[0];
    assert!(a.contains(r#"exported_job="inner""#) && a.contains(r#"job="t""#), "{a}");
    assert!(h.values("go_gc").is_empty());
    assert_eq!(h.values("scrape_samples_post_metric_relabeling")[0], 1.0);
    h.stop().await;

    let h = Harness::start(&job_config("    honor_labels: true\n"));
    h.set_targets(&[&[("__address__", &addr)]]).await;
    h.wait_for("a scrape", |h| !h.values("a").is_empty()).await;
    let a = &h.dump("a")[0];
    assert!(a.contains(r#"job="inner""#) && !a.contains("exported_job"), "{a}");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sample_limit_fails_the_scrape() {
    let (router, _) = target("a 1\nb 1\nc 1\n", TEXT);
    let addr = serve(router).await.to_string();
    let h = Harness::start(&job_config("    sample_limit: 2\n"));
    h.set_targets(&[&[("__address__", &addr)]]).await;
    h.wait_scraped().await;
    assert_eq!(h.values("up")[0], 0.0);
    assert!(h.values("a").is_empty());
    assert!(h.manager.active_targets()[0].last_error.contains("sample limit exceeded"));
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn series_go_stale_when_they_disappear_and_when_the_target_fails() {
    let phase = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let p = Arc::clone(&phase);
    let router = Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let phase = p.load(Ordering::SeqCst);
            async move {
                match phase {
                    0 => (axum::http::StatusCode::OK, [(header::CONTENT_TYPE, TEXT)], "a 1\nb 1\n"),
                    1 => (axum::http::StatusCode::OK, [(header::CONTENT_TYPE, TEXT)], "a 1\n"),
                    _ => (axum::http::StatusCode::SERVICE_UNAVAILABLE, [(header::CONTENT_TYPE, TEXT)], ""),
                }
            }
        }),
    );
    let addr = serve(router).await.to_string();
    let h = Harness::start(&job_config(""));
    h.set_targets(&[&[("__address__", &addr)]]).await;
    h.wait_for("b", |h| !h.values("b").is_empty()).await;
    phase.store(1, Ordering::SeqCst);
    h.wait_for("b to go stale", |h| h.values("b").last().is_some_and(|v| vigil_model::is_stale_nan(*v))).await;
    assert!(h.values("a").iter().all(|v| *v == 1.0));
    phase.store(2, Ordering::SeqCst);
    h.wait_for("a to go stale", |h| h.values("a").last().is_some_and(|v| vigil_model::is_stale_nan(*v))).await;
    assert_eq!(h.values("up").last(), Some(&0.0));
    // One marker per disappearance, not one per failed scrape.
    h.wait_for("two more failed scrapes", |h| h.values("up").iter().rev().take(3).all(|v| *v == 0.0)).await;
    assert_eq!(h.values("a").iter().filter(|v| v.is_nan()).count(), 1);
    assert_eq!(h.values("b").iter().filter(|v| v.is_nan()).count(), 1);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removed_targets_and_pools_get_stale_markers() {
    let (router, _) = target("a 1\n", TEXT);
    let addr = serve(router).await.to_string();
    let (router2, _) = target("other 1\n", TEXT);
    let addr2 = serve(router2).await.to_string();
    let h = Harness::start(&job_config(""));
    h.set_targets(&[&[("__address__", &addr)], &[("__address__", &addr2)]]).await;
    h.wait_for("both targets", |h| !h.values("a").is_empty() && !h.values("other").is_empty()).await;
    h.set_targets(&[&[("__address__", &addr2)]]).await;
    h.wait_for("a to go stale", |h| h.values("a").last().is_some_and(|v| vigil_model::is_stale_nan(*v))).await;
    let up = h.dump("up");
    assert!(up.iter().any(|l| l.contains(&addr) && l.ends_with("stale")), "{up:?}");
    assert_eq!(h.manager.active_targets().len(), 1);

    // Removing the job from the config stops its pool and marks its series stale too.
    let empty = vigil_config::Config::from_yaml_str("scrape_configs: []\n", "empty.yml").unwrap();
    h.manager.apply_config(&empty).unwrap();
    assert!(h.manager.scrape_pools().is_empty());
    h.wait_for("other to go stale", |h| h.values("other").last().is_some_and(|v| vigil_model::is_stale_nan(*v))).await;
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_changes_restart_loops_and_unchanged_pools_keep_running() {
    let router = Router::new()
        .route("/metrics", axum::routing::get(|| async { ([(header::CONTENT_TYPE, TEXT)], "old 1\n") }))
        .route("/new", axum::routing::get(|| async { ([(header::CONTENT_TYPE, TEXT)], "new 1\n") }));
    let addr = serve(router).await.to_string();
    let h = Harness::start(&job_config(""));
    h.set_targets(&[&[("__address__", &addr)]]).await;
    h.wait_for("old", |h| !h.values("old").is_empty()).await;
    let before = h.manager.active_targets()[0].last_scrape_ms;
    // Same config: the loop keeps its state (its last scrape time is not reset).
    h.manager.apply_config(&job_config("")).unwrap();
    assert!(h.manager.active_targets()[0].last_scrape_ms >= before);
    h.manager.apply_config(&job_config("    metrics_path: /new\n")).unwrap();
    h.wait_for("new", |h| !h.values("new").is_empty()).await;
    assert!(h.manager.active_targets()[0].scrape_url.ends_with("/new"));
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_stops_loops_without_stale_markers() {
    let (router, _) = target("a 1\n", TEXT);
    let addr = serve(router).await.to_string();
    let h = Harness::start(&job_config(""));
    h.set_targets(&[&[("__address__", &addr)]]).await;
    h.wait_for("a", |h| !h.values("a").is_empty()).await;
    let db = h.db.clone();
    h.stop().await;
    let q = vigil_storage::Queryable::querier(&db, i64::MIN, i64::MAX).unwrap();
    let set = q.select(&Default::default(), &[vigil_model::Matcher::equal("__name__", "a")]).unwrap();
    assert!(set[0].samples.values.iter().all(|v| *v == 1.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn target_limit_fails_every_scrape_of_the_pool() {
    let (router, _) = target("a 1\n", TEXT);
    let addr = serve(router).await.to_string();
    let h = Harness::start(&job_config("    target_limit: 1\n"));
    h.set_targets(&[&[("__address__", &addr), ("n", "1")], &[("__address__", &addr), ("n", "2")]]).await;
    h.wait_for("two targets", |h| h.manager.active_targets().len() == 2).await;
    h.wait_scraped().await;
    assert!(h.values("a").is_empty());
    for t in h.manager.active_targets() {
        assert_eq!(t.last_error, "target_limit exceeded (number of targets: 2, limit: 1)");
    }
    h.set_targets(&[&[("__address__", &addr), ("n", "1")]]).await;
    h.wait_for("a scrape", |h| !h.values("a").is_empty()).await;
    h.stop().await;
}
