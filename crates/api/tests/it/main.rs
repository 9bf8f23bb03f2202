//! HTTP-level tests: a real server on 127.0.0.1:0 over `MemStorage`, driven by a minimal HTTP/1.1 client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::type_complexity)]

mod envelope;
mod exposition;
mod lifecycle;
mod query;
mod series;
mod slow_storage;
mod status;

use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use vigil_api::{
    ApiHandle, ApiMetrics, ApiOptions, ApiState, ApiStateBuilder, DroppedTargetInfo, MetricMetadata, TargetHealth,
    TargetInfo, TargetsSource,
};
use vigil_model::{Labels, Sample};
use vigil_storage::{Appendable, MemStorage};

/// Fixed "now" of every test server: 2015-07-01T20:10:51.781Z.
pub const NOW_MS: i64 = 1_435_781_451_781;

#[derive(Default)]
pub struct FakeTargets {
    pub panic: AtomicBool,
}

impl TargetsSource for FakeTargets {
    fn active_targets(&self) -> Vec<TargetInfo> {
        if self.panic.load(Ordering::Relaxed) {
            panic!("fake targets source exploded");
        }
        vec![
            TargetInfo {
                discovered_labels: Labels::from_pairs(&[("__address__", "api:8080"), ("job", "api")]),
                labels: Labels::from_pairs(&[("instance", "api:8080"), ("job", "api")]),
                scrape_pool: "api".into(),
                scrape_url: "http://api:8080/metrics".into(),
                global_url: "http://api:8080/metrics".into(),
                last_error: String::new(),
                last_scrape: Some(NOW_MS),
                last_scrape_duration_seconds: 0.05,
                health: TargetHealth::Up,
                scrape_interval: "15s".into(),
                scrape_timeout: "10s".into(),
            },
            TargetInfo {
                discovered_labels: Labels::from_pairs(&[("__address__", "db:9100")]),
                labels: Labels::from_pairs(&[("instance", "db:9100"), ("job", "node")]),
                scrape_pool: "node".into(),
                scrape_url: "http://db:9100/metrics".into(),
                global_url: "http://db:9100/metrics".into(),
                last_error: "connection refused".into(),
                last_scrape: None,
                last_scrape_duration_seconds: 0.0,
                health: TargetHealth::Down,
                scrape_interval: "30s".into(),
                scrape_timeout: "10s".into(),
            },
        ]
    }

    fn dropped_targets(&self) -> Vec<DroppedTargetInfo> {
        vec![DroppedTargetInfo {
            discovered_labels: Labels::from_pairs(&[("__address__", "x:1"), ("job", "node")]),
            scrape_pool: "node".into(),
        }]
    }

    fn metadata(&self, _metric: Option<&str>) -> Vec<MetricMetadata> {
        let m = |metric: &str, kind: &str, help: &str| MetricMetadata {
            metric: metric.into(),
            kind: kind.into(),
            help: help.into(),
            unit: String::new(),
        };
        vec![
            m("up", "gauge", "Target up."),
            m("http_requests_total", "counter", "Requests."),
            m("http_requests_total", "counter", "Requests."),
            m("http_requests_total", "counter", "Requests by another exporter."),
        ]
    }
}

pub struct TestServer {
    pub base: String,
    pub addr: std::net::SocketAddr,
    pub handle: ApiHandle,
    pub metrics: ApiMetrics,
    pub storage: MemStorage,
    pub targets: Arc<FakeTargets>,
    pub reloads: Arc<AtomicUsize>,
    pub quits: Arc<AtomicUsize>,
}

/// A response read by the minimal test client.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Adds float samples `(labels, [(t_ms, v)])` to the storage.
pub fn load(storage: &MemStorage, series: &[(&[(&str, &str)], &[(i64, f64)])]) {
    let mut app = storage.appender();
    for (labels, samples) in series {
        let l = Labels::from_pairs(labels);
        for &(t, v) in *samples {
            app.append(0, &l, Sample::Float { t, v }).unwrap();
        }
    }
    app.commit().unwrap();
}

fn decode_chunked(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = raw.windows(2).position(|w| w == b"\r\n") else { return out };
        let size = usize::from_str_radix(std::str::from_utf8(&raw[..eol]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[eol + 2..eol + 2 + size]);
        raw = &raw[eol + 4 + size..];
    }
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(ApiOptions::default(), |b| b).await
    }

    pub async fn start_with(options: ApiOptions, extra: impl FnOnce(ApiStateBuilder) -> ApiStateBuilder) -> Self {
        let storage = MemStorage::new();
        let targets = Arc::new(FakeTargets::default());
        let reloads = Arc::new(AtomicUsize::new(0));
        let quits = Arc::new(AtomicUsize::new(0));
        let mut registry = prometheus_client::registry::Registry::default();
        let metrics = ApiMetrics::register(&mut registry);
        let (r, q) = (Arc::clone(&reloads), Arc::clone(&quits));
        let builder = ApiState::builder(Arc::new(storage.clone()), vigil_promql::Engine::default())
            .options(options)
            .targets(targets.clone())
            .metrics(metrics.clone())
            .metrics_registry(Arc::new(registry))
            .now(Arc::new(|| NOW_MS))
            .on_reload(Arc::new(move || {
                let n = r.fetch_add(1, Ordering::SeqCst);
                Box::pin(async move { if n == 0 { Ok(()) } else { Err("bad config".to_owned()) } })
            }))
            .on_quit(Arc::new(move || {
                q.fetch_add(1, Ordering::SeqCst);
            }));
        let state = extra(builder).build();
        let handle = state.handle();
        handle.set_ready(true);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(vigil_api::serve(listener, vigil_api::router(state), std::future::pending()));
        Self { base: format!("http://{addr}"), addr, handle, metrics, storage, targets, reloads, quits }
    }

    /// One HTTP/1.1 request on a fresh connection (a tiny client keeps the test build light).
    pub async fn request(&self, method: &str, target: &str, headers: &[(&str, &str)], body: &str) -> Resp {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut conn = tokio::net::TcpStream::connect(self.addr).await.unwrap();
        let mut req = format!(
            "{method} {target} HTTP/1.1\r\nhost: test\r\nconnection: close\r\ncontent-length: {}\r\n",
            body.len()
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        req.push_str(body);
        conn.write_all(req.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        conn.read_to_end(&mut raw).await.unwrap();
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8(raw[..split].to_vec()).unwrap();
        let mut lines = head.split("\r\n");
        let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let mut payload = raw[split + 4..].to_vec();
        if headers.iter().any(|(k, v)| k == "transfer-encoding" && v.contains("chunked")) {
            payload = decode_chunked(&payload);
        }
        let body = String::from_utf8_lossy(&payload).into_owned();
        Resp { status, headers, body }
    }

    fn target(path: &str, params: &[(&str, &str)]) -> String {
        if params.is_empty() { path.to_owned() } else { format!("{path}?{}", encode(params)) }
    }

    /// GET `path` with `params` URL-encoded; returns (status, body).
    pub async fn get(&self, path: &str, params: &[(&str, &str)]) -> (u16, String) {
        let r = self.request("GET", &Self::target(path, params), &[], "").await;
        (r.status, r.body)
    }

    /// Any method without parameters.
    pub async fn call(&self, method: &str, path: &str) -> (u16, String) {
        let r = self.request(method, path, &[], "").await;
        (r.status, r.body)
    }

    /// POST `path` with a form-encoded body.
    pub async fn post_form(&self, path: &str, params: &[(&str, &str)]) -> (u16, String) {
        let r =
            self.request("POST", path, &[("content-type", "application/x-www-form-urlencoded")], &encode(params)).await;
        (r.status, r.body)
    }

    /// GET and parse JSON.
    pub async fn get_json(&self, path: &str, params: &[(&str, &str)]) -> (u16, Value) {
        let (status, body) = self.get(path, params).await;
        (status, serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}")))
    }
}

/// `application/x-www-form-urlencoded` encoding.
pub fn encode(params: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        let mut out = String::new();
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    };
    params.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

/// The error envelope Prometheus sends.
pub fn api_error(kind: &str, msg: &str) -> Value {
    serde_json::json!({"status": "error", "errorType": kind, "error": msg})
}
