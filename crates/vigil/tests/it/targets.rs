//! Scrape targets for the integration tests: tiny HTTP/1.1 servers on 127.0.0.1 (std only) whose
//! exposition body is computed per request by a closure, so tests control every value.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Computes the response body for a request path (with query string); `None` answers 404.
pub type Handler = dyn Fn(&str) -> Option<String> + Send + Sync;

/// A running scrape target, stopped on drop.
pub struct Target {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    hits: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl Target {
    /// Serves `handler` on an ephemeral loopback port.
    pub fn start(handler: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Target {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind target");
        listener.set_nonblocking(true).expect("nonblocking listener");
        let addr = listener.local_addr().expect("target addr");
        let stop = Arc::new(AtomicBool::new(false));
        let hits = Arc::new(AtomicU64::new(0));
        let handler: Arc<Handler> = Arc::new(handler);
        let thread = {
            let (stop, hits) = (Arc::clone(&stop), Arc::clone(&hits));
            std::thread::spawn(move || accept_loop(&listener, &stop, &hits, &handler))
        };
        Target { addr, stop, hits, thread: Some(thread) }
    }

    /// `host:port`, as written in `static_configs`.
    pub fn addr(&self) -> String {
        self.addr.to_string()
    }

    /// Requests answered so far (any path).
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn accept_loop(listener: &TcpListener, stop: &AtomicBool, hits: &Arc<AtomicU64>, handler: &Arc<Handler>) {
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                let (hits, handler) = (Arc::clone(hits), Arc::clone(handler));
                std::thread::spawn(move || serve_one(stream, &hits, &*handler));
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// Answers one request and closes the connection (`Connection: close` keeps this trivial).
fn serve_one(mut stream: TcpStream, hits: &AtomicU64, handler: &Handler) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 64 * 1024 {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&buf);
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    hits.fetch_add(1, Ordering::SeqCst);
    let (status, body) = match handler(&path) {
        Some(body) => ("200 OK", body),
        None => ("404 Not Found", "not found\n".to_owned()),
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
}

/// Milliseconds since the Unix epoch, from the wall clock (what both servers stamp samples with).
pub fn unix_ms() -> i64 {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970");
    i64::try_from(d.as_millis()).expect("ms fit in i64")
}

/// How many times each client of a target has scraped it, for targets that hand every client
/// its own sequence of samples (told apart by `metrics_path`).
#[derive(Default)]
pub struct ScrapeCounts(std::sync::Mutex<std::collections::HashMap<String, u64>>);

impl ScrapeCounts {
    /// Returns the client's scrape number (from 0) and counts this scrape.
    pub fn next(&self, client: &str) -> u64 {
        let mut m = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = m.entry(client.to_owned()).or_insert(0);
        *n += 1;
        *n - 1
    }
}
