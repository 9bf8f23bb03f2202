//! Never lose acknowledged data: every sample a query has shown (visible = committed) survives
//! `kill -9`, including when the WAL tail is torn or has garbage appended; and a second process on
//! the same data directory fails fast on the lock instead of corrupting it.

use crate::support::{TestServer, eventually, run_with_timeout, vigil_bin, write_file};
use crate::targets::Target;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Visible samples: timestamp (ms) → value, exactly as the API rendered it.
type Seen = BTreeMap<i64, String>;

const QUERY: &str = "crash_counter[1h]";

/// A counter that counts its own scrapes, so every scrape stores a new value.
fn start_target() -> Target {
    let scrapes = Arc::new(AtomicU64::new(0));
    Target::start(move |path| {
        (path == "/metrics").then(|| {
            let n = scrapes.fetch_add(1, Ordering::SeqCst) + 1;
            format!("# TYPE crash_counter counter\ncrash_counter {n}\n")
        })
    })
}

/// The samples of `crash_counter` that the server shows now.
fn visible(server: &TestServer) -> Seen {
    let result = server.query(QUERY);
    let mut seen = Seen::new();
    for series in result.as_array().expect("matrix") {
        for pair in series["values"].as_array().expect("values") {
            let ts = (pair[0].as_f64().expect("timestamp") * 1000.0).round() as i64;
            seen.insert(ts, pair[1].as_str().expect("value").to_owned());
        }
    }
    seen
}

/// Queries for `how_long`, merging every sample seen into `seen`; a sample must never change.
fn record(server: &TestServer, seen: &mut Seen, how_long: Duration) {
    let deadline = Instant::now() + how_long;
    while Instant::now() < deadline {
        for (ts, v) in visible(server) {
            if let Some(old) = seen.insert(ts, v.clone()) {
                assert_eq!(old, v, "sample at {ts} changed value; log:\n{}", server.log());
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Every sample in `seen` is still visible with the same value.
fn assert_all_present(server: &TestServer, seen: &Seen, when: &str) {
    let now = visible(server);
    let missing: Vec<_> = seen.iter().filter(|(ts, v)| now.get(ts) != Some(v)).collect();
    assert!(
        missing.is_empty(),
        "{when}: {} of {} acknowledged samples lost or changed, first: {:?} (now {:?}); log:\n{}",
        missing.len(),
        seen.len(),
        missing.first(),
        missing.first().and_then(|(ts, _)| now.get(ts)),
        server.log()
    );
}

/// The newest WAL segment file under `data/wal/` (segments are numbered files).
fn last_wal_segment(data: &Path) -> PathBuf {
    let mut segments: Vec<PathBuf> = std::fs::read_dir(data.join("wal"))
        .expect("read wal dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file() && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
        })
        .collect();
    segments.sort();
    segments.pop().expect("at least one WAL segment")
}

/// Appends deterministic pseudo-random bytes (xorshift) to `path`, like a torn, half-written batch.
fn append_garbage(path: &Path, len: usize) {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect();
    let mut f = std::fs::OpenOptions::new().append(true).open(path).expect("open WAL segment");
    f.write_all(&bytes).expect("append garbage");
}

fn config(target: &str) -> String {
    format!(
        "global:\n  scrape_interval: 250ms\n  scrape_timeout: 250ms\nscrape_configs:\n  - job_name: crash\n    static_configs:\n      - targets: ['{target}']\n"
    )
}

#[test]
fn acknowledged_samples_survive_kill9_and_wal_garbage() {
    let target = start_target();
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = write_file(dir.path(), "prometheus.yml", &config(&target.addr()));
    let cfg_flag = format!("--config.file={}", cfg.display());
    let data = dir.path().join("data");
    let mut seen = Seen::new();

    // Run 1: record, then kill -9 mid-scrape.
    let mut server = TestServer::start_in(&data, &[&cfg_flag]);
    let scraped = eventually(Duration::from_secs(60), || (visible(&server).len() >= 5).then_some(()));
    assert!(scraped.is_some(), "no samples within 60 s; log:\n{}", server.log());
    record(&server, &mut seen, Duration::from_secs(6));
    server.kill9();
    let after_run1 = seen.len();
    assert!(after_run1 >= 10, "only {after_run1} samples recorded");

    // Run 2: everything acknowledged before the crash is back, and scraping goes on.
    let mut server = TestServer::start_in(&data, &[&cfg_flag]);
    assert_all_present(&server, &seen, "after kill -9");
    record(&server, &mut seen, Duration::from_secs(6));
    assert!(seen.len() > after_run1, "no new samples after restart; log:\n{}", server.log());

    // While it runs, a second process on the same directory fails fast on the lock.
    let (status, out) = run_with_timeout(
        Command::new(vigil_bin()).args([
            format!("--web.listen-address=127.0.0.1:{}", crate::support::free_port()),
            format!("--storage.tsdb.path={}", data.display()),
            cfg_flag.clone(),
        ]),
        Duration::from_secs(30),
    );
    let status = status.unwrap_or_else(|| panic!("second vigil on a locked data dir still running after 30 s:\n{out}"));
    assert!(!status.success(), "second vigil on a locked data dir exited with success:\n{out}");
    assert!(out.contains("lock"), "no lock error from the second vigil:\n{out}");
    assert_all_present(&server, &seen, "after the second process gave up");

    // Run 3: kill -9, append garbage to the WAL tail, restart: repaired with a warning, no loss.
    server.kill9();
    let segment = last_wal_segment(&data);
    append_garbage(&segment, 1000);
    let server = TestServer::start_in(&data, &[&cfg_flag]);
    assert_all_present(&server, &seen, "after garbage in the WAL tail");
    let log = server.log();
    let warned = log.lines().any(|l| l.contains("WAL") && (l.contains("level=warn") || l.contains("WARN")));
    assert!(warned, "no WAL repair warning in the log:\n{log}");

    // The repaired WAL keeps working: new samples survive another crash (had the garbage stayed,
    // records written after it would be lost at the next replay).
    let mut server = server;
    let before = seen.len();
    record(&server, &mut seen, Duration::from_secs(3));
    assert!(seen.len() > before, "no new samples after repair; log:\n{}", server.log());
    server.kill9();
    let server = TestServer::start_in(&data, &[&cfg_flag]);
    assert_all_present(&server, &seen, "after a crash following the repair");
}
