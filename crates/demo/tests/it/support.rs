//! Test helpers: a running demo server, a tiny HTTP client and a tiny exposition parser.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, header};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use vigil_demo::{DemoConfig, FaultConfig};

/// A config with no faults and no traffic.
pub fn quiet() -> DemoConfig {
    DemoConfig { faults: FaultConfig::none(), traffic: None, ..DemoConfig::default() }
}

/// A demo server running in the background.
pub struct Server {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<vigil_demo::Result<()>>,
}

/// An HTTP response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

impl Server {
    pub async fn start(config: DemoConfig) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(vigil_demo::serve(listener, config, async {
            let _ = stopped.await;
        }));
        Server { addr, stop: Some(stop), task }
    }

    pub async fn request(&self, method: Method, path: &str, accept: Option<&str>, body: Option<&str>) -> Reply {
        let stream = TcpStream::connect(self.addr).await.unwrap();
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
        tokio::spawn(connection);
        let mut request = Request::builder().method(method).uri(path).header(header::HOST, self.addr.to_string());
        if let Some(accept) = accept {
            request = request.header(header::ACCEPT, accept);
        }
        let body = body.map(|b| Body::from(b.to_owned())).unwrap_or_else(Body::empty);
        let response = sender.send_request(request.body(body).unwrap()).await.unwrap();
        let status = response.status().as_u16();
        let content_type =
            response.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        let bytes = axum::body::to_bytes(Body::new(response.into_body()), usize::MAX).await.unwrap();
        Reply { status, content_type, body: String::from_utf8(bytes.to_vec()).unwrap() }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.request(Method::GET, path, None, None).await
    }

    pub async fn post(&self, path: &str, body: &str) -> Reply {
        self.request(Method::POST, path, None, Some(body)).await
    }

    pub async fn predict(&self, features: [f64; 4]) -> Reply {
        self.post("/predict", &format!("{{\"features\": {features:?}}}")).await
    }

    /// Scrapes `/metrics` in the text format.
    pub async fn scrape(&self) -> Scrape {
        let reply = self.get("/metrics").await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.content_type, "text/plain; version=0.0.4; charset=utf-8");
        Scrape::parse(&reply.body)
    }

    /// Stops the server and checks that it shut down cleanly within `within`.
    pub async fn stop_within(mut self, within: Duration) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let result = tokio::time::timeout(within, &mut self.task).await.expect("server did not stop in time");
        result.unwrap().unwrap();
    }
}

/// One parsed sample.
#[derive(Debug, Clone)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// A parsed text-format scrape.
#[derive(Debug)]
pub struct Scrape {
    pub samples: Vec<Sample>,
    pub types: HashMap<String, String>,
}

impl Scrape {
    /// Parses the text format 0.0.4, as far as the demo emits it.
    pub fn parse(text: &str) -> Scrape {
        let mut samples = Vec::new();
        let mut types = HashMap::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                let (name, kind) = rest.split_once(' ').unwrap();
                types.insert(name.to_owned(), kind.to_owned());
            } else if line.starts_with('#') || line.is_empty() {
                continue;
            } else {
                samples.push(parse_sample(line));
            }
        }
        Scrape { samples, types }
    }

    /// Samples named `name` whose labels include all of `labels`.
    pub fn matching<'a>(&'a self, name: &'a str, labels: &'a [(&str, &str)]) -> impl Iterator<Item = &'a Sample> {
        self.samples.iter().filter(move |s| {
            s.name == name && labels.iter().all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
    }

    /// The one sample named `name` with exactly `labels`.
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let mut found = self.matching(name, labels).filter(|s| s.labels.len() == labels.len());
        let sample = found.next()?;
        assert!(found.next().is_none(), "several {name}{labels:?}");
        Some(sample.value)
    }

    /// Sum over samples named `name` whose labels include `labels`.
    pub fn sum(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.matching(name, labels).map(|s| s.value).sum()
    }
}

fn parse_sample(line: &str) -> Sample {
    let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("bad line {line:?}"));
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v => v.parse().unwrap_or_else(|_| panic!("bad value in {line:?}")),
    };
    let Some((name, rest)) = series.split_once('{') else {
        return Sample { name: series.to_owned(), labels: BTreeMap::new(), value };
    };
    let mut labels = BTreeMap::new();
    let mut chars = rest.strip_suffix('}').unwrap().chars().peekable();
    while chars.peek().is_some() {
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        assert_eq!(chars.next(), Some('"'), "{line}");
        let mut value = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some('n') => value.push('\n'),
                    Some(other) => value.push(other),
                    None => panic!("{line}"),
                },
                '"' => break,
                c => value.push(c),
            }
        }
        if chars.peek() == Some(&',') {
            chars.next();
        }
        labels.insert(key, value);
    }
    Sample { name: name.to_owned(), labels, value }
}

#[test]
fn parser_reads_labels_and_values() {
    let scrape =
        Scrape::parse("# TYPE a_total counter\na_total{x=\"1\",y=\"q\\\"\\\\,\"} 3\nb 2.5\nc_bucket{le=\"+Inf\"} 4\n");
    assert_eq!(scrape.value("a_total", &[("x", "1"), ("y", "q\"\\,")]), Some(3.0));
    assert_eq!(scrape.value("b", &[]), Some(2.5));
    assert_eq!(scrape.value("c_bucket", &[("le", "+Inf")]), Some(4.0));
    assert_eq!(scrape.types["a_total"], "counter");
    assert_eq!(scrape.sum("a_total", &[]), 3.0);
}
