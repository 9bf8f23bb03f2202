//! Measures head memory: appends 100k series × 240 samples (15 s apart, scrape-sized commits of
//! 1,000 series with cached series refs) and prints RSS bytes per series from /proc/self/status.
//!
//! Run: `cargo run -p vigil-tsdb --example head_mem [--release]`.
#![allow(clippy::print_stdout)]

use std::time::Instant;
use vigil_model::{Labels, Sample};
use vigil_storage::Appendable;
use vigil_tsdb::{Db, Options};

const TARGETS: usize = 100;
const PER_TARGET: usize = 1000;
const SAMPLES: i64 = 240;

fn vm_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

fn series_labels(target: usize, i: usize) -> Labels {
    let metric = format!("app_metric_{}_total", i / 10);
    let methods = ["GET", "POST"];
    let statuses = ["200", "201", "400", "404", "500"];
    Labels::from_pairs(&[
        ("__name__", metric.as_str()),
        ("instance", &format!("10.0.{}.{}:9100", target / 250, target % 250)),
        ("job", &format!("job-{}", target % 5)),
        ("env", ["prod", "staging", "dev"][target % 3]),
        ("team", &format!("team-{}", target % 10)),
        ("pod", &format!("api-7d9f8c-{target:05}")),
        ("method", methods[i % 2]),
        ("status", statuses[(i / 2) % 5]),
    ])
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let opts = Options { retention_ms: 0, maintenance_interval: None, ..Options::default() };
    let db = Db::open(dir.path(), opts)?;
    let labels: Vec<Vec<Labels>> =
        (0..TARGETS).map(|t| (0..PER_TARGET).map(|i| series_labels(t, i)).collect()).collect();
    let labels_rss = vm_rss();
    let mut refs = vec![vec![0u64; PER_TARGET]; TARGETS];
    let mut values = vec![0f64; TARGETS * PER_TARGET];
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let started = Instant::now();
    for k in 0..SAMPLES {
        let t = 1_700_000_000_000 + k * 15_000;
        for target in 0..TARGETS {
            let mut app = db.appender();
            for i in 0..PER_TARGET {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                let v = &mut values[target * PER_TARGET + i];
                // 60 % constant, 25 % counters, 15 % gauges with two decimals.
                match i % 20 {
                    0..12 => *v = 1.0,
                    12..17 => *v += (rng % 20) as f64,
                    _ => *v = (rng % 100_000) as f64 / 100.0,
                }
                refs[target][i] = app.append(refs[target][i], &labels[target][i], Sample::Float { t, v: *v })?;
            }
            app.commit()?;
        }
    }
    let elapsed = started.elapsed();
    let rss = vm_rss();
    let n = (TARGETS * PER_TARGET) as u64;
    let st = db.stats();
    println!("series: {}, samples: {}, chunks: {}", st.head_series, st.samples_appended, st.head_chunks);
    println!("append: {:.0} ns/sample (this build profile)", elapsed.as_nanos() as f64 / (n * SAMPLES as u64) as f64);
    println!("open chunk bytes/series: {:.1}", st.open_chunk_bytes as f64 / n as f64);
    println!("symbols+postings bytes/series: {:.1}", st.index_bytes as f64 / n as f64);
    println!("VmRSS total: {} MiB", rss >> 20);
    println!(
        "RSS bytes/series: {:.0} (head only: RSS growth after building the test's label sets), {:.0} (whole process)",
        rss.saturating_sub(labels_rss) as f64 / n as f64,
        rss as f64 / n as f64
    );
    db.close()?;
    Ok(())
}
