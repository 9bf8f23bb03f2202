//! A stand-in for PromLabs' demo service, whose metrics the compliance query list reads: the
//! same metric names, labels and kinds of behaviour (gauges that wander, counters with a reset,
//! a latency histogram with exponential buckets, a batch job's last-success timestamp, a metric
//! that comes and goes), written here from the published list of what it exports.
//!
//! Time is virtual so that an hour of data is made in about a minute: the k-th scrape by a
//! client (told apart by `metrics_path`, as in the differential test) returns samples stamped
//! `base + k × 5 s`, values being exact functions of (instance, k). Both servers therefore store
//! the same samples. After `last` scrapes the newest samples are repeated unchanged.

use crate::targets::{ScrapeCounts, Target};
use std::fmt::Write;

/// Virtual time between two scrapes, as the compliance setup's `scrape_interval`.
pub const STEP_MS: i64 = 5_000;

/// Starts demo instance `instance` (0, 1 or 2) whose first sample is at `base` (ms).
pub fn start(instance: usize, base: i64, last: u64) -> Target {
    let counts = ScrapeCounts::default();
    Target::start(move |path| {
        let client = path.strip_prefix("/metrics/")?;
        let k = counts.next(client).min(last);
        Some(body(instance, k, base + STEP_MS * i64::try_from(k).expect("k fits")))
    })
}

/// A deterministic value in [0, 1) for a seed (splitmix64).
fn noise(seed: u64) -> f64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) as f64 / u64::MAX as f64
}

fn seed(instance: usize, series: u64, k: u64) -> u64 {
    (instance as u64) << 56 ^ series << 40 ^ k
}

/// Memory types and their share of the instance's memory.
const MEMORY: [(&str, f64); 4] = [("free", 0.3), ("used", 0.5), ("buffers", 0.05), ("cached", 0.15)];

/// CPU modes and their share of CPU time.
const CPU_MODES: [(&str, f64); 3] = [("idle", 0.7), ("user", 0.2), ("system", 0.1)];

/// The API operations of the latency histogram: (method, path, status, requests per second,
/// median latency in seconds).
const OPERATIONS: [(&str, &str, &str, f64, f64); 4] = [
    ("GET", "/api/foo", "200", 20.0, 0.02),
    ("POST", "/api/foo", "200", 5.0, 0.08),
    ("GET", "/api/bar", "200", 10.0, 0.005),
    ("GET", "/api/bar", "500", 0.5, 0.3),
];

/// Upper bounds of the latency histogram: 0.0001 × 1.5^j for 25 buckets, then +Inf.
fn bucket_bounds() -> impl Iterator<Item = f64> {
    (0..25).map(|j| 0.0001 * 1.5f64.powi(j))
}

/// The exposition body of instance `i` at its k-th sample time `ts`.
fn body(i: usize, k: u64, ts: i64) -> String {
    let mut b = String::new();
    let mut line = |name: &str, labels: &str, v: f64| {
        writeln!(b, "{name}{{{labels}}} {v} {ts}").expect("write to string");
    };
    let cpus = [4.0, 8.0, 2.0][i];
    line("demo_num_cpus", "", cpus);
    let memory = 8.0e9 * (i + 1) as f64;
    for (n, (ty, share)) in MEMORY.iter().enumerate() {
        let wander = 1.0 + 0.1 * (k as f64 / 40.0 + n as f64).sin() + 0.02 * noise(seed(i, n as u64, k));
        line("demo_memory_usage_bytes", &format!("type=\"{ty}\""), (memory * share * wander).round());
    }
    for (n, (mode, share)) in CPU_MODES.iter().enumerate() {
        line("demo_cpu_usage_seconds_total", &format!("mode=\"{mode}\""), cpu_seconds(i, n, *share * cpus, k));
    }
    let disk = 1.0e11 + 2.0e6 * k as f64 * (i + 1) as f64 + 1.0e6 * noise(seed(i, 10, k));
    line("demo_disk_usage_bytes", "", disk.round());
    line("demo_disk_total_bytes", "", 5.0e11);
    line("demo_batch_last_success_timestamp_seconds", "", last_batch_success(i, k, ts));
    line("demo_api_http_requests_in_progress", "", (3.0 * noise(seed(i, 11, k))).floor());
    line("demo_is_holiday", "", if (k / 200) % 2 == 1 { 1.0 } else { 0.0 });
    line("demo_items_shipped_total", "", (0..=k).map(|j| (10.0 * noise(seed(i, 12, j))).floor()).sum());
    if (k / 30).is_multiple_of(2) {
        line("demo_intermittent_metric", "", 1.0 + noise(seed(i, 13, k)));
    }
    let bounds: Vec<f64> = bucket_bounds().collect();
    for (n, (method, path, status, rps, median)) in OPERATIONS.iter().enumerate() {
        let labels = format!("method=\"{method}\",path=\"{path}\",status=\"{status}\"");
        let (buckets, sum, count) = latency(i, n, *rps, *median, &bounds, k);
        for (le, c) in bounds.iter().zip(&buckets) {
            line("demo_api_request_duration_seconds_bucket", &format!("{labels},le=\"{le}\""), *c);
        }
        line("demo_api_request_duration_seconds_bucket", &format!("{labels},le=\"+Inf\""), count);
        line("demo_api_request_duration_seconds_sum", &labels, sum);
        line("demo_api_request_duration_seconds_count", &labels, count);
    }
    format!(
        "# TYPE demo_num_cpus gauge\n# TYPE demo_memory_usage_bytes gauge\n\
         # TYPE demo_cpu_usage_seconds_total counter\n# TYPE demo_api_request_duration_seconds histogram\n{b}"
    )
}

/// A CPU counter: `rate` CPU seconds per second with noise; instance 1 restarts (its counters
/// reset to zero) at scrape 400.
fn cpu_seconds(i: usize, mode: usize, rate: f64, k: u64) -> f64 {
    let from = if i == 1 && k >= 400 { 400 } else { 0 };
    (from..=k).map(|j| 5.0 * rate * (0.8 + 0.4 * noise(seed(i, 20 + mode as u64, j)))).sum::<f64>()
}

/// The batch job runs every minute of virtual time and fails one run in four; the gauge holds
/// the time of its last success (in whole seconds).
fn last_batch_success(i: usize, k: u64, ts: i64) -> f64 {
    let run_every = 12;
    let mut run = k / run_every;
    while run > 0 && noise(seed(i, 30, run)) < 0.25 {
        run -= 1;
    }
    let back = (k - run * run_every) as i64 * STEP_MS;
    ((ts - back) / 1000) as f64
}

/// Cumulative bucket counts, sum and count of one operation's latency histogram after k scrapes:
/// every scrape adds a noisy number of requests whose latencies spread around the median.
fn latency(i: usize, op: usize, rps: f64, median: f64, bounds: &[f64], k: u64) -> (Vec<f64>, f64, f64) {
    let mut buckets = vec![0.0; bounds.len()];
    let (mut sum, mut count) = (0.0, 0.0);
    for j in 0..=k {
        let n = (5.0 * rps * (0.5 + noise(seed(i, 40 + op as u64, j)))).floor();
        // Observations at a few spread points around the median, weights 1:2:4:2:1 of n / 10.
        for (factor, weight) in [(0.25, 1.0), (0.6, 2.0), (1.0, 4.0), (2.0, 2.0), (6.0, 1.0)] {
            let v = median * factor * (0.9 + 0.2 * noise(seed(i, 50 + op as u64, j)));
            let c = (n * weight / 10.0).floor();
            for (b, le) in buckets.iter_mut().zip(bounds) {
                if v <= *le {
                    *b += c;
                }
            }
            sum += c * v;
            count += c;
        }
    }
    (buckets, sum, count)
}
