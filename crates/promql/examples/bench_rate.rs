//! Times range queries over synthetic counters in `MemStorage`:
//! 1,000 series × 1 day at 15 s, evaluated over 1,440 steps (60 s).
//!
//! Run with `cargo run --release -p vigil-promql --example bench_rate`.

use std::time::Instant;
use vigil_model::{Labels, Sample};
use vigil_promql::{Engine, QueryOptions, Value};
use vigil_storage::{Appendable, MemStorage, Queryable};

const SERIES: usize = 1_000;
const SCRAPE_MS: i64 = 15_000;
const DAY_MS: i64 = 86_400_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let db = MemStorage::new();
    let statuses = ["200", "201", "204", "301", "400", "401", "403", "404", "429", "500", "502", "503", "504", "418"];
    let mut app = db.appender();
    for i in 0..SERIES {
        let l = Labels::from_pairs(&[
            ("__name__", "http_requests_total".to_owned()),
            ("instance", format!("host-{i:04}")),
            ("status", statuses[i % statuses.len()].to_owned()),
        ]);
        let mut v = 0.0;
        let mut t = 0;
        while t <= DAY_MS {
            v += ((i as i64 * 7 + t / SCRAPE_MS) % 13) as f64;
            app.append(0, &l, Sample::Float { t, v })?;
            t += SCRAPE_MS;
        }
    }
    app.commit()?;
    let engine = Engine::default();
    let start = Instant::now();
    drop(db.querier(0, DAY_MS)?);
    let snapshot = start.elapsed();
    let msg = format!("MemStorage querier snapshot alone: {snapshot:?} (included in the timings below)");
    report(&msg);
    for q in [
        "sum by (status)(rate(http_requests_total[5m]))",
        "rate(http_requests_total[5m])",
        "sum(http_requests_total)",
        "max_over_time(http_requests_total[1h])",
        "histogram_quantile(0.9, sum by (status) (rate(http_requests_total[5m])))",
    ] {
        let mut best = f64::MAX;
        let mut points = 0;
        for _ in 0..3 {
            let t0 = Instant::now();
            let r = engine.range(&db, q, 0, DAY_MS - 60_000, 60_000, &QueryOptions::default())?;
            best = best.min(t0.elapsed().as_secs_f64() * 1000.0);
            if let Value::Matrix(m) = r.value {
                points = m.iter().map(|s| s.points.len()).sum();
            }
        }
        report(&format!("{best:8.1} ms  {points:>8} points  {q}"));
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
fn report(line: &str) {
    println!("{line}");
}
