//! `/api/v1/series`, `/federate` and the label endpoints over a storage whose reads take as long
//! as their caller lets them: the handlers must hand the storage a cancellation token that fires
//! at the query timeout and as soon as the client hangs up.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use vigil_api::ApiState;
use vigil_model::{Matcher, Timestamp};
use vigil_promql::{Engine, EngineOptions};
use vigil_storage::{Cancel, LabelHints, Querier, Queryable, Result, SelectHints, SeriesSet};

/// Reads (selects and label queries) that spin until their cancellation token fires (or 20 s
/// pass), then count themselves.
#[derive(Default)]
struct SlowStorage {
    stopped: AtomicUsize,
}

impl SlowStorage {
    /// Spins until `cancel` fires, counting the stop, or gives up after 20 s.
    fn spin(&self, cancel: &Cancel) -> Result<()> {
        let until = Instant::now() + Duration::from_secs(20);
        while Instant::now() < until {
            if let Err(e) = cancel.check() {
                self.stopped.fetch_add(1, Ordering::SeqCst);
                return Err(e);
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        Ok(())
    }
}

struct SlowQuerier<'a>(&'a SlowStorage);

impl Queryable for SlowStorage {
    fn querier(&self, _: Timestamp, _: Timestamp) -> Result<Box<dyn Querier + '_>> {
        Ok(Box::new(SlowQuerier(self)))
    }
}

impl Querier for SlowQuerier<'_> {
    fn select(&self, hints: &SelectHints, _: &[Matcher]) -> Result<SeriesSet> {
        self.0.spin(&hints.cancel)?;
        Ok(Vec::new())
    }

    fn label_names(&self, hints: &LabelHints, _: &[Matcher]) -> Result<Vec<String>> {
        self.0.spin(&hints.cancel)?;
        Ok(Vec::new())
    }

    fn label_values(&self, hints: &LabelHints, _: &str, _: &[Matcher]) -> Result<Vec<String>> {
        self.0.spin(&hints.cancel)?;
        Ok(Vec::new())
    }
}

async fn start(timeout: Duration) -> (std::net::SocketAddr, Arc<SlowStorage>) {
    let storage = Arc::new(SlowStorage::default());
    let engine = Engine::new(EngineOptions { timeout, ..EngineOptions::default() });
    let state = ApiState::builder(Arc::clone(&storage) as Arc<dyn Queryable>, engine).build();
    state.handle().set_ready(true);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(vigil_api::serve(listener, vigil_api::router(state), std::future::pending()));
    (addr, storage)
}

fn request(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
}

async fn wait_stopped(storage: &SlowStorage, n: usize, within: Duration) -> bool {
    let until = Instant::now() + within;
    while Instant::now() < until {
        if storage.stopped.load(Ordering::SeqCst) >= n {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn series_and_federation_stop_at_the_query_timeout() {
    let (addr, storage) = start(Duration::from_millis(300)).await;
    for (path, status) in [("/api/v1/series?match[]=up", "503"), ("/federate?match[]=up", "503")] {
        let began = Instant::now();
        let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
        conn.write_all(request(path).as_bytes()).await.unwrap();
        let mut answer = String::new();
        tokio::time::timeout(Duration::from_secs(5), conn.read_to_string(&mut answer)).await.unwrap().unwrap();
        assert!(answer.starts_with(&format!("HTTP/1.1 {status}")), "{path}: {answer}");
        assert!(began.elapsed() < Duration::from_secs(3), "{path} took {:?}", began.elapsed());
    }
    assert_eq!(storage.stopped.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn series_and_federation_stop_when_the_client_hangs_up() {
    let (addr, storage) = start(Duration::from_secs(60)).await;
    for (i, path) in ["/api/v1/series?match[]=up", "/federate?match[]=up"].into_iter().enumerate() {
        let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
        conn.write_all(request(path).as_bytes()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        drop(conn);
        assert!(wait_stopped(&storage, i + 1, Duration::from_secs(2)).await, "{path} kept reading after the hang-up");
    }
}

/// The label endpoints, with and without `match[]`.
const LABEL_PATHS: [&str; 4] =
    ["/api/v1/labels", "/api/v1/labels?match[]=up", "/api/v1/label/job/values", "/api/v1/label/job/values?match[]=up"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn label_names_and_values_stop_at_the_query_timeout() {
    let (addr, storage) = start(Duration::from_millis(300)).await;
    for path in LABEL_PATHS {
        let began = Instant::now();
        let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
        conn.write_all(request(path).as_bytes()).await.unwrap();
        let mut answer = String::new();
        tokio::time::timeout(Duration::from_secs(5), conn.read_to_string(&mut answer)).await.unwrap().unwrap();
        assert!(answer.starts_with("HTTP/1.1 503"), "{path}: {answer}");
        assert!(answer.contains(r#""errorType":"timeout""#), "{path}: {answer}");
        assert!(began.elapsed() < Duration::from_secs(3), "{path} took {:?}", began.elapsed());
    }
    assert_eq!(storage.stopped.load(Ordering::SeqCst), LABEL_PATHS.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn label_names_and_values_stop_when_the_client_hangs_up() {
    let (addr, storage) = start(Duration::from_secs(60)).await;
    for (i, path) in LABEL_PATHS.into_iter().enumerate() {
        let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
        conn.write_all(request(path).as_bytes()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        drop(conn);
        assert!(wait_stopped(&storage, i + 1, Duration::from_secs(1)).await, "{path} kept reading after the hang-up");
    }
}
