//! Test harness: a target server, a manager with short intervals, and storage dumps.

use axum::Router;
use axum::http::HeaderMap;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use vigil_model::{Labels, Matcher, TargetGroup, is_stale_nan};
use vigil_scrape::{ScrapeManager, ScrapeOptions};
use vigil_storage::{MemStorage, Queryable, SelectHints};

/// Headers of every request a target received.
pub type Seen = Arc<Mutex<Vec<HeaderMap>>>;

/// Serves `router` on an ephemeral port.
pub async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

/// A manager running over a fresh `MemStorage`.
pub struct Harness {
    pub db: MemStorage,
    pub manager: Arc<ScrapeManager>,
    targets: mpsc::Sender<HashMap<String, Vec<TargetGroup>>>,
    shutdown: watch::Sender<bool>,
    run: tokio::task::JoinHandle<()>,
}

/// A config with one job `t` scraping every 100 ms; `extra` is indented job fields.
pub fn job_config(extra: &str) -> vigil_config::Config {
    let yaml =
        format!("scrape_configs:\n  - job_name: t\n    scrape_interval: 100ms\n    scrape_timeout: 80ms\n{extra}");
    vigil_config::Config::from_yaml_str(&yaml, "test.yml").unwrap()
}

impl Harness {
    pub fn start(config: &vigil_config::Config) -> Self {
        let db = MemStorage::new();
        let manager = Arc::new(ScrapeManager::new(Arc::new(db.clone()), ScrapeOptions::default()));
        manager.apply_config(config).unwrap();
        let (targets, rx) = mpsc::channel(4);
        let (shutdown, shutdown_rx) = watch::channel(false);
        let run = tokio::spawn(Arc::clone(&manager).run(rx, shutdown_rx));
        Self { db, manager, targets, shutdown, run }
    }

    /// Sends job `t` these target label sets (each a list of pairs).
    pub async fn set_targets(&self, targets: &[&[(&str, &str)]]) {
        let group = TargetGroup {
            targets: targets.iter().map(|t| Labels::from_pairs(t)).collect(),
            labels: Labels::from_pairs(&[("group", "g")]),
            source: "test".into(),
        };
        self.targets.send(HashMap::from([("t".to_owned(), vec![group])])).await.unwrap();
    }

    pub async fn stop(self) {
        self.shutdown.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(5), self.run).await.unwrap().unwrap();
    }

    /// Series named by regex `names`, each as `labels v v v` (values only, `stale` for markers).
    pub fn dump(&self, names: &str) -> Vec<String> {
        let q = self.db.querier(i64::MIN, i64::MAX).unwrap();
        let set = q.select(&SelectHints::default(), &[Matcher::regex("__name__", names).unwrap()]).unwrap();
        set.iter()
            .map(|s| {
                let mut line = s.labels.to_string();
                for v in &s.samples.values {
                    line.push(' ');
                    line.push_str(&if is_stale_nan(*v) { "stale".to_owned() } else { v.to_string() });
                }
                line
            })
            .collect()
    }

    /// Values of the one series `name` (stale markers as NaN).
    pub fn values(&self, name: &str) -> Vec<f64> {
        let q = self.db.querier(i64::MIN, i64::MAX).unwrap();
        let set = q.select(&SelectHints::default(), &[Matcher::equal("__name__", name)]).unwrap();
        set.first().map(|s| s.samples.values.clone()).unwrap_or_default()
    }

    /// Waits until every active target has finished a scrape (its health is known).
    pub async fn wait_scraped(&self) {
        self.wait_for("every target to report health", |h| {
            let t = h.manager.active_targets();
            !t.is_empty() && t.iter().all(|t| t.health != vigil_scrape::Health::Unknown)
        })
        .await;
    }

    /// Waits up to 5 s for `cond`.
    pub async fn wait_for(&self, what: &str, mut cond: impl FnMut(&Self) -> bool) {
        for _ in 0..250 {
            if cond(self) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!(
            "timed out waiting for {what}; up = {:?}; targets = {:?}",
            self.dump("up"),
            self.manager.active_targets()
        );
    }
}

/// A router answering `/metrics` with `body` and `content_type`, recording request headers.
pub fn target(body: &'static str, content_type: &'static str) -> (Router, Seen) {
    let seen: Seen = Arc::default();
    let s = Arc::clone(&seen);
    let router = Router::new().route(
        "/metrics",
        axum::routing::get(move |headers: HeaderMap| {
            s.lock().unwrap().push(headers);
            async move { ([(axum::http::header::CONTENT_TYPE, content_type)], body) }
        }),
    );
    (router, seen)
}

pub const TEXT: &str = "text/plain; version=0.0.4";
