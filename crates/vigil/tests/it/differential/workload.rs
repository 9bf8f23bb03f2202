//! The scrape targets both servers watch.
//!
//! `api` targets give each scraper its own sequence: the k-th scrape from a client (told apart by
//! `metrics_path`) returns samples with the explicit timestamp `base + k s + 1 ms` and values that
//! are exact functions of k. Both servers therefore store bit-identical samples, and any difference
//! in a query result is a difference in evaluation. Timestamps end in 1 ms so that evaluation times
//! can avoid range-window edges.
//!
//! The `worker` target is scraped the ordinary way (no timestamps): constant gauges and counters
//! growing with wall-clock time, so only phase-insensitive functions of it compare exactly.

use crate::targets::{ScrapeCounts, Target, unix_ms};
use std::fmt::Write;
use std::time::Instant;

/// Milliseconds of every `api` sample timestamp modulo 1000.
pub const API_TS_MOD: i64 = 1;

/// The fraction of requests at or below each bucket bound of the latency histogram.
const BUCKETS: [(&str, f64); 6] =
    [("0.05", 0.2), ("0.1", 0.5), ("0.25", 0.8), ("0.5", 0.95), ("1", 0.99), ("+Inf", 1.0)];

/// Starts an `api` target; `m` scales every rate so instances differ.
pub fn start_api(m: f64) -> Target {
    let base = unix_ms() / 1000 * 1000 - 1000 + API_TS_MOD;
    let counters = ScrapeCounts::default();
    Target::start(move |path| {
        let client = path.strip_prefix("/metrics/")?;
        let k = counters.next(client);
        Some(api_body(m, base + 1000 * i64::try_from(k).expect("k fits"), k as f64))
    })
}

fn api_body(m: f64, ts: i64, s: f64) -> String {
    let mut b = String::new();
    let mut line = |name: &str, labels: &str, v: f64| {
        writeln!(b, "{name}{{{labels}}} {v} {ts}").expect("write to string");
    };
    line("http_requests_total", r#"handler="/predict",status="200""#, 1000.0 * m + 10.0 * m * s);
    line("http_requests_total", r#"handler="/predict",status="500""#, 5.0 * m + 0.5 * m * s);
    line("http_requests_total", r#"handler="/health",status="200""#, 2.0 * m * s);
    let count = 10.5 * m * s;
    for (le, frac) in BUCKETS {
        line("http_request_duration_seconds_bucket", &format!(r#"handler="/predict",le="{le}""#), frac * count);
    }
    line("http_request_duration_seconds_sum", r#"handler="/predict""#, 0.137 * count);
    line("http_request_duration_seconds_count", r#"handler="/predict""#, count);
    line("http_requests_in_flight", "", 5.0 * m + 3.0 * (s / 5.0).sin());
    line("model_confidence", r#"model="resnet""#, 0.9 - 0.001 * m * s);
    line("api_errors_total", r#"type="auth""#, 3.0 * ((s as i64) % 7) as f64);
    line("model_info", r#"model="resnet",version="v2""#, 1.0);
    line("model_loaded", "", 1.0);
    line("special_values", r#"kind="nan""#, f64::NAN);
    line("special_values", r#"kind="inf""#, f64::INFINITY);
    line("special_values", r#"kind="neg_inf""#, f64::NEG_INFINITY);
    let k = s as i64;
    let mixed = if k % 3 == 0 {
        f64::NAN
    } else if k % 5 == 0 {
        f64::INFINITY
    } else {
        m * s
    };
    line("special_values", r#"kind="mixed""#, mixed);
    // Present in five scrapes out of ten: gaps, never stale markers (explicit timestamps).
    if (k / 5) % 2 == 0 {
        line("api_flapping", "", m * s);
    }
    format!(
        "# TYPE http_requests_total counter\n# TYPE http_request_duration_seconds histogram\n\
         # TYPE http_requests_in_flight gauge\n# TYPE model_confidence gauge\n# TYPE api_errors_total counter\n\
         # TYPE model_info gauge\n# TYPE model_loaded gauge\n# TYPE special_values gauge\n{b}"
    )
}

/// Starts the `worker` target: constant gauges and wall-clock counters, no timestamps, and
/// `worker_gone`, present for the first 8 s only (both servers then write stale markers).
pub fn start_worker() -> Target {
    let started = Instant::now();
    Target::start(move |_| {
        let t = started.elapsed().as_secs_f64();
        let gone = if t < 8.0 { "# TYPE worker_gone gauge\nworker_gone 1\n" } else { "" };
        Some(format!(
            "{gone}# TYPE worker_queue_capacity gauge\nworker_queue_capacity{{queue=\"high\"}} 100\nworker_queue_capacity{{queue=\"low\"}} 50\n\
             # TYPE worker_jobs_processed_total counter\nworker_jobs_processed_total{{queue=\"high\"}} {}\nworker_jobs_processed_total{{queue=\"low\"}} {}\n",
            500.0 + 4.0 * t,
            0.5 * t
        ))
    })
}
