//! Test harness: a `TestServer` that runs the real binary, free ports, HTTP and process helpers.
//! Scrape targets live in `targets`.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Path of the binary under test, built by cargo for this test run.
pub fn vigil_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_vigil"))
}

/// A free TCP port on 127.0.0.1 (bound then released; good enough for tests).
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    l.local_addr().expect("local addr").port()
}

/// A running `vigil` process, killed on drop.
pub struct TestServer {
    pub child: Child,
    pub port: u16,
    pub data_dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
    log_path: PathBuf,
}

impl TestServer {
    /// Starts `vigil` with `args` plus a fresh data dir and listen address, and waits for ready.
    pub fn start(args: &[&str]) -> TestServer {
        let tmp = tempfile::tempdir().expect("tempdir");
        let data = tmp.path().join("data");
        let mut s = Self::start_in(&data, args);
        s._tmp = Some(tmp);
        s
    }

    /// Starts `vigil` on an existing data dir (for restart tests); the caller owns the directory.
    pub fn start_in(data_dir: &Path, args: &[&str]) -> TestServer {
        let port = free_port();
        let log_path = data_dir.with_extension(format!("{port}.log"));
        let log = std::fs::File::create(&log_path).expect("log file");
        let child = Command::new(vigil_bin())
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg(format!("--storage.tsdb.path={}", data_dir.display()))
            .args(args)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn vigil");
        let mut s = TestServer { child, port, data_dir: data_dir.to_path_buf(), _tmp: None, log_path };
        s.wait_ready(Duration::from_secs(60));
        s
    }

    /// The server's base URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Everything the server logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    fn wait_ready(&mut self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        let client = http();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("vigil exited early with {status}; log:\n{}", self.log());
            }
            if client.get(format!("{}/-/ready", self.url())).send().is_ok_and(|r| r.status().is_success()) {
                return;
            }
            if Instant::now() > deadline {
                panic!("vigil not ready after {timeout:?}; log:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Sends SIGKILL and waits for the process to be gone.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// GETs a JSON API path (with query string) and returns the parsed body.
    pub fn get_json(&self, path_and_query: &str) -> serde_json::Value {
        let r = http().get(format!("{}{}", self.url(), path_and_query)).send().expect("request");
        r.json().expect("json body")
    }

    /// An instant query at now; returns `data.result`.
    pub fn query(&self, q: &str) -> serde_json::Value {
        let v = api_get(&self.url(), "/api/v1/query", &[("query", q)]);
        assert_eq!(v["status"], "success", "query {q}: {v}");
        v["data"]["result"].clone()
    }

    /// POSTs to `path` (no body); returns the status code and the body text.
    pub fn post(&self, path: &str) -> (u16, String) {
        let r = http().post(format!("{}{path}", self.url())).send().expect("request");
        let status = r.status().as_u16();
        (status, r.text().unwrap_or_default())
    }

    /// The server's own `/metrics` exposition.
    pub fn metrics_text(&self) -> String {
        http().get(format!("{}/metrics", self.url())).send().and_then(|r| r.text()).expect("GET /metrics")
    }

    /// The value of an unlabelled metric in the server's own `/metrics`, if present.
    pub fn self_metric(&self, name: &str) -> Option<f64> {
        self.metrics_text().lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
    }

    /// The process id (for signals).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits up to `timeout` for the process to exit on its own.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// GETs `base + path` with URL-encoded `params` and returns the parsed JSON body (any status).
pub fn api_get(base: &str, path: &str, params: &[(&str, &str)]) -> serde_json::Value {
    let url = reqwest::Url::parse_with_params(&format!("{base}{path}"), params).expect("valid URL");
    let r = http().get(url).send().expect("request");
    r.json().expect("json body")
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write file");
    path
}

/// Runs `cmd` to completion with a deadline (killing it after `timeout`); returns the exit status
/// (`None` on timeout) and the combined stdout and stderr.
pub fn run_with_timeout(cmd: &mut Command, timeout: Duration) -> (Option<ExitStatus>, String) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out_path = tmp.path().join("out");
    let out = std::fs::File::create(&out_path).expect("output file");
    let err = out.try_clone().expect("clone output file");
    let mut child = cmd.stdin(Stdio::null()).stdout(out).stderr(err).spawn().expect("spawn command");
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (status, std::fs::read_to_string(&out_path).unwrap_or_default())
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `f` until it returns `Some` or `timeout` passes.
pub fn eventually<T>(timeout: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// A blocking HTTP client with a generous timeout.
pub fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder().timeout(Duration::from_secs(30)).build().expect("http client")
}

/// Resident set size (current, peak) of `pid` in bytes, from /proc.
pub fn rss(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
