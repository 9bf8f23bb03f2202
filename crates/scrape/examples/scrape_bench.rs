//! Micro benchmark of the scrape hot path: parse + relabel + append of a 1,000-series body.
//!
//! Run with `cargo run --release -p vigil-scrape --example scrape_bench`. It prints ns per sample
//! for the first scrape (every series is a cache miss) and for steady-state scrapes, into a
//! counting appender (isolates scrape cost) and into `MemStorage`.

#![allow(clippy::print_stdout)]

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use vigil_model::relabel::{Action, RelabelRule, RuleSpec};
use vigil_model::{Labels, Sample};
use vigil_scrape::{SampleOptions, ScrapeCache};
use vigil_storage::{Appendable, Appender, MemStorage, SeriesRef};

/// An appendable that only counts, so the numbers are the scraper's own cost.
#[derive(Default)]
struct Counting {
    samples: AtomicU64,
}

struct CountingAppender<'a> {
    db: &'a Counting,
    n: u64,
}

impl Appendable for Counting {
    fn appender(&self) -> Box<dyn Appender + '_> {
        Box::new(CountingAppender { db: self, n: 0 })
    }
}

impl Appender for CountingAppender<'_> {
    fn append(&mut self, r: SeriesRef, _labels: &Labels, _s: Sample) -> vigil_storage::Result<SeriesRef> {
        self.n += 1;
        Ok(if r == 0 { self.n } else { r })
    }
    fn commit(self: Box<Self>) -> vigil_storage::Result<()> {
        self.db.samples.fetch_add(self.n, Ordering::Relaxed);
        Ok(())
    }
    fn rollback(self: Box<Self>) -> vigil_storage::Result<()> {
        Ok(())
    }
}

/// A body like the benchmark workload: counters with handler/method/status, histograms, gauges.
fn body(scrape: u64) -> String {
    let mut b = String::new();
    let _ = writeln!(b, "# HELP http_requests_total Requests.\n# TYPE http_requests_total counter");
    for i in 0..350 {
        let _ = writeln!(
            b,
            "http_requests_total{{handler=\"/api/v{}/items\",method=\"{}\",status=\"{}\"}} {}",
            i / 10,
            ["GET", "POST"][i % 2],
            200 + (i % 5),
            scrape * 7 + i as u64
        );
    }
    let _ = writeln!(b, "# TYPE http_request_duration_seconds histogram");
    for h in 0..25 {
        for le in ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"] {
            let _ = writeln!(b, "http_request_duration_seconds_bucket{{handler=\"/h{h}\",le=\"{le}\"}} {}", scrape + h);
        }
        let _ = writeln!(b, "http_request_duration_seconds_sum{{handler=\"/h{h}\"}} {}.25", scrape);
        let _ = writeln!(b, "http_request_duration_seconds_count{{handler=\"/h{h}\"}} {}", scrape + h);
    }
    for i in 0..300 {
        let _ = writeln!(b, "node_memory_bytes{{kind=\"k{i}\"}} {}", 1e9 + (scrape * i) as f64);
    }
    b
}

fn run(name: &str, storage: &dyn Appendable, options: Arc<SampleOptions>, iterations: u64) {
    let target = Labels::from_pairs(&[("job", "api"), ("instance", "10.0.0.1:8080")]);
    let mut cache = ScrapeCache::new(target, options);
    let bodies: Vec<String> = (0..8).map(body).collect();
    let samples = bodies[0].lines().filter(|l| !l.starts_with('#')).count() as f64;
    let start = Instant::now();
    let out = cache.ingest(storage, Ok((bodies[0].as_bytes(), Some("text/plain"))), 1_000, 0.0);
    let cold = start.elapsed().as_nanos() as f64 / samples;
    assert!(out.error.is_none(), "{:?}", out.error);
    let start = Instant::now();
    for i in 1..=iterations {
        let b = &bodies[(i % 8) as usize];
        let out = cache.ingest(storage, Ok((b.as_bytes(), Some("text/plain"))), 1_000 + i as i64 * 15_000, 0.0);
        assert!(out.error.is_none(), "{:?}", out.error);
    }
    let steady = start.elapsed().as_nanos() as f64 / (samples * iterations as f64);
    println!("{name}: {samples} samples/scrape; first scrape {cold:.0} ns/sample; steady {steady:.1} ns/sample");
}

/// The exposition parser alone, to see how much of the total is parsing.
fn parse_only(iterations: u64) {
    let b = body(1);
    let start = Instant::now();
    let mut n = 0u64;
    for _ in 0..iterations {
        let mut p = vigil_exposition::Parser::new(b.as_bytes(), vigil_exposition::Format::Text);
        while let Ok(Some(e)) = p.next() {
            if let vigil_exposition::Entry::Series(s) = e {
                n += u64::from(s.value() > -1.0);
            }
        }
    }
    let ns = start.elapsed().as_nanos() as f64 / n as f64;
    println!("parser alone: {ns:.1} ns/sample");
}

fn main() {
    parse_only(2_000);
    let keep_some = {
        let mut spec = RuleSpec::new(Action::Drop);
        spec.source_labels = vec!["__name__".into()];
        spec.regex = "go_.*".into();
        RelabelRule::new(spec).unwrap_or_else(|e| panic!("bad rule: {e}"))
    };
    let plain = Arc::new(SampleOptions { honor_timestamps: true, ..SampleOptions::default() });
    let relabel = Arc::new(SampleOptions { metric_relabel: vec![keep_some], ..(*plain).clone() });
    let counting = Counting::default();
    run("counting appender", &counting, Arc::clone(&plain), 2_000);
    run("counting appender + metric_relabel", &counting, relabel, 2_000);
    run("MemStorage", &MemStorage::new(), plain, 50);
}
