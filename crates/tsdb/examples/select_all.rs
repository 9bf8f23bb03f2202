//! Measures a select of every series of a 10k-series head (720 samples each): wall time and peak
//! RSS growth of a full select and of a `labels_only` select (the `/api/v1/series` path).
//!
//! Run: `cargo run -p vigil-tsdb --example select_all --release`.
#![allow(clippy::print_stdout)]

use std::time::Instant;
use vigil_model::{Labels, Matcher, Sample};
use vigil_storage::{Appendable, Queryable, SelectHints};
use vigil_tsdb::{Db, Options};

const SERIES: usize = 10_000;
const SAMPLES: i64 = 720;

fn status_kb(key: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Resets the kernel's peak-RSS mark so each measurement starts from the current RSS.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn measure(name: &str, f: impl FnOnce() -> usize) {
    reset_peak();
    let base = status_kb("VmRSS:");
    let start = Instant::now();
    let n = f();
    let took = start.elapsed();
    let peak = status_kb("VmHWM:");
    println!("{name}: {n} series in {took:?}, peak RSS +{} MiB", peak.saturating_sub(base) / 1024);
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let db = Db::open(dir.path(), Options { retention_ms: 0, maintenance_interval: None, ..Options::default() })?;
    let labels: Vec<Labels> =
        (0..SERIES).map(|i| Labels::from_pairs(&[("__name__", "bench"), ("i", &i.to_string())])).collect();
    let mut refs = vec![0; SERIES];
    for t in 0..SAMPLES {
        let mut app = db.appender();
        for (l, r) in labels.iter().zip(refs.iter_mut()) {
            *r = app.append(*r, l, Sample::Float { t: t * 15_000, v: t as f64 })?;
        }
        app.commit()?;
    }
    let q = db.querier(i64::MIN, i64::MAX)?;
    let m = [Matcher::equal("__name__", "bench")];
    for _ in 0..2 {
        measure("select all", || q.select(&SelectHints::default(), &m).map_or(0, |s| s.len()));
        let hints = SelectHints { labels_only: true, ..SelectHints::default() };
        measure("select labels_only", || q.select(&hints, &m).map_or(0, |s| s.len()));
    }
    Ok(())
}
