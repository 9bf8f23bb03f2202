//! Queries see whole scrapes only, against the real binary: one target sets 20,000 gauges to the
//! same value, a new one at every scrape (every 200 ms), while queries read them through two
//! selects (`max(x) - min(x)`) and count them. Every answer must be 0 and 20,000 (or empty before
//! the first scrape): a query that saw part of a scrape, or two scrapes, would say otherwise.

use crate::support::{TestServer, api_get, eventually, write_file};
use crate::targets::Target;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const GAUGES: usize = 20_000;

fn single(base: &str, q: &str) -> Option<f64> {
    let v = api_get(base, "/api/v1/query", &[("query", q)]);
    assert_eq!(v["status"], "success", "{q}: {v}");
    v["data"]["result"].as_array()?.first()?["value"][1].as_str()?.parse().ok()
}

#[test]
fn queries_never_see_part_of_a_scrape() {
    let scrapes = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&scrapes);
    let target = Target::start(move |path| {
        (path == "/metrics").then(|| {
            let v = counter.fetch_add(1, Ordering::SeqCst) + 1;
            let mut body = String::with_capacity(GAUGES * 32);
            body.push_str("# TYPE iso_gauge gauge\n");
            for i in 0..GAUGES {
                body.push_str(&format!("iso_gauge{{i=\"{i}\"}} {v}\n"));
            }
            body
        })
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = write_file(
        dir.path(),
        "prometheus.yml",
        &format!(
            "global:\n  scrape_interval: 200ms\n  scrape_timeout: 200ms\nscrape_configs:\n  - job_name: iso\n    \
             static_configs:\n      - targets: ['{}']\n",
            target.addr()
        ),
    );
    // A short lookback keeps each query to a few samples per series, so 150 queries stay quick.
    let server = TestServer::start(&["--query.lookback-delta=1s", &format!("--config.file={}", cfg.display())]);
    let base = server.url();
    assert!(
        eventually(Duration::from_secs(60), || single(&base, "count(iso_gauge)").map(|_| ())).is_some(),
        "never scraped; log:\n{}",
        server.log()
    );
    let first = scrapes.load(Ordering::SeqCst);
    let (mut spread, mut partial) = (Vec::new(), Vec::new());
    for _ in 0..75 {
        // Both sides of the subtraction read `iso_gauge` with their own select.
        if let Some(d) = single(&base, "max(iso_gauge) - min(iso_gauge)").filter(|&d| d != 0.0) {
            spread.push(d);
        }
        if let Some(n) = single(&base, "count(iso_gauge)").filter(|&n| n != GAUGES as f64) {
            partial.push(n);
        }
    }
    let during = scrapes.load(Ordering::SeqCst) - first;
    eprintln!("isolation: 150 queries during {during} scrapes");
    assert!(during >= 5, "the target must have been scraped while the queries ran ({during} scrapes)");
    assert!(spread.is_empty(), "{} of 75 queries saw two scrapes: {spread:?}", spread.len());
    assert!(partial.is_empty(), "{} of 75 counts saw part of a scrape: {partial:?}", partial.len());
}
