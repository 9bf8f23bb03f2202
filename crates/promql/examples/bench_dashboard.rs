//! Times dashboard queries against a real `vigil_tsdb::Db` filled with exporter-like synthetic
//! data (the shape of `shared/bench/seriesgen.py`: per 500-series instance, 35 % request counters,
//! 35 % latency histograms, CPU counters, process gauges and filler gauges), 15 s apart.
//!
//! ```text
//! cargo run --release -p vigil-promql --example bench_dashboard
//! VIGIL_BENCH_SERIES=2000 VIGIL_BENCH_HOURS=24 VIGIL_BENCH_RUNS=7 VIGIL_BENCH_FILTER=rate ...
//! VIGIL_BENCH_MODE=24h/60s ...   (only that window; `instant` for instant queries only)
//! ```
//! Every query runs as a range query over the last 1 h (15 s step) and 24 h (60 s and 15 s
//! steps) and as an instant query at the end; the median of the runs is printed with the number
//! of result points and a checksum of their values (to compare engines or builds).
#![allow(clippy::print_stdout, clippy::needless_range_loop)]

use std::time::Instant;
use vigil_model::{Labels, Matcher, Sample, Timestamp};
use vigil_promql::{Engine, QueryOptions, Value};
use vigil_storage::{Appendable, Queryable, SelectHints};
use vigil_tsdb::{Db, Options};

const SCRAPE_MS: i64 = 15_000;
const END: Timestamp = 1_700_000_000_000;
const PER_INSTANCE: usize = 500;

const QUERIES: [&str; 7] = [
    "sum(rate(http_requests_total[1m]))",
    "sum by (status)(rate(http_requests_total[5m]))",
    "histogram_quantile(0.95, sum by (le)(rate(http_request_duration_seconds_bucket[5m])))",
    "topk(5, sum by (instance)(rate(http_requests_total[1m])))",
    "max by (instance)(max_over_time(process_resident_memory_bytes[5m]))",
    "count({__name__=~\".+\"})",
    "max_over_time(http_requests_total[1h])",
];

const HANDLERS: [&str; 12] = [
    "/",
    "/api/v1/users",
    "/api/v1/orders",
    "/api/v1/products",
    "/api/v1/cart",
    "/api/v1/checkout",
    "/api/v1/search",
    "/api/v1/login",
    "/healthz",
    "/metrics",
    "/graphql",
    "/ws",
];
const METHODS: [&str; 5] = ["GET", "POST", "PUT", "DELETE", "PATCH"];
const STATUSES: [&str; 14] =
    ["200", "201", "204", "301", "304", "400", "401", "403", "404", "409", "429", "500", "502", "503"];
const LE: [&str; 12] = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"];
const MODES: [&str; 8] = ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"];
const GAUGES: [&str; 6] = [
    "process_resident_memory_bytes",
    "process_virtual_memory_bytes",
    "go_memstats_heap_alloc_bytes",
    "process_open_fds",
    "go_goroutines",
    "node_load1",
];

/// A small deterministic PRNG (xorshift64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

enum Kind {
    /// Integer counter growing by about `rate` per second.
    Counter { rate: f64 },
    /// Cumulative histogram bucket: `share` of the group's observations.
    Bucket { group: usize, share: f64 },
    /// Random walk in 4 KiB pages.
    Gauge,
}

struct Gen {
    labels: Vec<Labels>,
    kinds: Vec<Kind>,
    values: Vec<f64>,
    /// Observations per histogram group so far, and its rate per second.
    groups: Vec<(f64, f64)>,
}

fn labels(name: &str, pairs: &[(&str, String)], instance: usize) -> Labels {
    let mut all: Vec<(&str, String)> = vec![
        ("__name__", name.to_owned()),
        ("instance", format!("host-{instance:03}:9100")),
        ("job", "bench".to_owned()),
    ];
    all.extend(pairs.iter().cloned());
    Labels::from_pairs(&all)
}

fn generate(series: usize, rng: &mut Rng) -> Gen {
    let mut g = Gen { labels: Vec::new(), kinds: Vec::new(), values: Vec::new(), groups: Vec::new() };
    let push = |g: &mut Gen, l: Labels, k: Kind, v: f64| {
        g.labels.push(l);
        g.kinds.push(k);
        g.values.push(v);
    };
    for inst in 0..series.div_ceil(PER_INSTANCE) {
        let n = (series - inst * PER_INSTANCE).min(PER_INSTANCE);
        let start = g.labels.len();
        for i in 0..n * 35 / 100 {
            // A bijection of i onto the 840 (handler, method, status) combinations.
            let c = (i * 11 + inst * 17) % 840;
            let (h, m, s) = (HANDLERS[c % 12], METHODS[(c / 12) % 5], STATUSES[c / 60]);
            let rate = if s.starts_with(['4', '5']) { 0.01 } else { 0.05 + 20.0 * rng.unit() };
            let l = labels(
                "http_requests_total",
                &[("handler", h.into()), ("method", m.into()), ("status", s.into())],
                inst,
            );
            push(&mut g, l, Kind::Counter { rate }, (rng.next() % 10_000_000) as f64);
        }
        for k in 0..(n * 35 / 100 / 14).max(1) {
            let group = g.groups.len();
            g.groups.push((0.0, 0.05 + 30.0 * rng.unit()));
            let mean = [0.003, 0.02, 0.08, 0.3, 1.2][k % 5];
            for le in LE {
                let bound: f64 = le.parse().unwrap_or(f64::INFINITY);
                let share = 1.0 - (-bound / mean).exp();
                let l = labels(
                    "http_request_duration_seconds_bucket",
                    &[("handler", HANDLERS[k % 12].into()), ("method", METHODS[k / 12 % 5].into()), ("le", le.into())],
                    inst,
                );
                push(&mut g, l, Kind::Bucket { group, share }, 0.0);
            }
        }
        for c in 0..(n * 8 / 100 / 8).max(1) {
            for mode in MODES {
                let l = labels("node_cpu_seconds_total", &[("cpu", c.to_string()), ("mode", mode.into())], inst);
                push(&mut g, l, Kind::Counter { rate: 0.1 + rng.unit() }, 1e5 * rng.unit());
            }
        }
        for name in GAUGES {
            push(&mut g, labels(name, &[], inst), Kind::Gauge, 4096.0 * (40_000 + rng.next() % 10_000) as f64);
        }
        let mut w = 0;
        while g.labels.len() - start < n {
            let l = labels(
                "app_worker_busy",
                &[("pool", ["http", "grpc", "db"][w % 3].into()), ("worker", (w / 3).to_string())],
                inst,
            );
            push(&mut g, l, Kind::Gauge, (rng.next() % 4) as f64);
            w += 1;
        }
        g.labels.truncate(start + n);
        g.kinds.truncate(start + n);
        g.values.truncate(start + n);
    }
    g
}

fn load(db: &Db, series: usize, hours: i64) -> Result<(usize, Timestamp), Box<dyn std::error::Error>> {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut g = generate(series, &mut rng);
    let mut refs = vec![0u64; g.labels.len()];
    let steps = hours * 3600 * 1000 / SCRAPE_MS;
    let start = END - (steps - 1) * SCRAPE_MS;
    let mut samples = 0;
    for k in 0..steps {
        let t = start + k * SCRAPE_MS;
        for grp in &mut g.groups {
            grp.0 += (rng.unit() * 2.0 * grp.1 * 15.0).round();
        }
        for lo in (0..g.labels.len()).step_by(PER_INSTANCE) {
            let mut app = db.appender();
            for i in lo..(lo + PER_INSTANCE).min(g.labels.len()) {
                let v = &mut g.values[i];
                match g.kinds[i] {
                    Kind::Counter { rate } => *v += (rate * 15.0 * (0.5 + rng.unit())).floor(),
                    Kind::Bucket { group, share } => *v = (g.groups[group].0 * share).round(),
                    Kind::Gauge => {
                        if rng.unit() < 0.5 {
                            *v = (*v + 4096.0 * ((rng.unit() - 0.5) * 200.0).trunc()).max(4096.0);
                        }
                    }
                }
                refs[i] = app.append(refs[i], &g.labels[i], Sample::Float { t, v: *v })?;
                samples += 1;
            }
            app.commit()?;
        }
    }
    Ok((samples, start))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// (points, checksum) of a result.
fn summary(v: &Value) -> (usize, f64) {
    let add = |acc: f64, x: f64| if x.is_finite() { acc + x } else { acc };
    match v {
        Value::Matrix(m) => {
            (m.iter().map(|s| s.points.len()).sum(), m.iter().flat_map(|s| &s.points).fold(0.0, |a, p| add(a, p.1)))
        }
        Value::Vector(vs) => (vs.len(), vs.iter().fold(0.0, |a, s| add(a, s.v))),
        Value::Scalar(_, x) => (1, *x),
        Value::String(..) => (0, 0.0),
    }
}

fn env_or(name: &str, default: i64) -> i64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let series = env_or("VIGIL_BENCH_SERIES", 2000) as usize;
    let hours = env_or("VIGIL_BENCH_HOURS", 24);
    let runs = env_or("VIGIL_BENCH_RUNS", 5).max(1) as usize;
    let filter = std::env::var("VIGIL_BENCH_FILTER").unwrap_or_default();
    let mode = std::env::var("VIGIL_BENCH_MODE").unwrap_or_default();
    let dir = tempfile::tempdir()?;
    let opts = Options { retention_ms: 0, maintenance_interval: None, ..Options::default() };
    let db = Db::open(dir.path(), opts)?;
    let t0 = Instant::now();
    let (samples, first) = load(&db, series, hours)?;
    println!("loaded {series} series, {samples} samples ({hours} h at 15 s) in {:.1} s", t0.elapsed().as_secs_f64());

    let mut sel = Vec::new();
    // A chosen mode times only its queries (for profilers).
    for _ in 0..if mode.is_empty() { runs } else { 0 } {
        let t = Instant::now();
        let q = db.querier(first, END)?;
        let hints = SelectHints { start: Some(first), end: Some(END), ..SelectHints::default() };
        let set = q.select(&hints, &[Matcher::equal("__name__", "http_requests_total")])?;
        sel.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(set);
    }
    if !sel.is_empty() {
        println!("{:9.2} ms  select+decode http_requests_total over the whole range", median(sel));
    }

    let engine = Engine::default();
    let qo = QueryOptions::default();
    let windows: [(&str, i64, i64); 3] =
        [("1h/15s", 3_600_000, 15_000), ("24h/60s", 86_400_000, 60_000), ("24h/15s", 86_400_000, 15_000)];
    println!("{:>9}  {:>8} {:>8}  {:>16}  query", "median", "mode", "points", "checksum");
    for q in QUERIES.iter().filter(|q| q.contains(filter.as_str())) {
        for (name, range, step) in windows.into_iter().filter(|w| w.0.contains(mode.as_str())) {
            let mut times = Vec::new();
            let mut sum = (0, 0.0);
            for _ in 0..runs {
                let t = Instant::now();
                let r = engine.range(&db, q, END - range, END, step, &qo)?;
                times.push(t.elapsed().as_secs_f64() * 1000.0);
                sum = summary(&r.value);
            }
            println!("{:9.2}  {name:>8} {:>8}  {:>16.6e}  {q}", median(times), sum.0, sum.1);
        }
        if !"instant".contains(mode.as_str()) {
            continue;
        }
        let mut times = Vec::new();
        let mut sum = (0, 0.0);
        for _ in 0..runs {
            let t = Instant::now();
            let r = engine.instant(&db, q, END, &qo)?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            sum = summary(&r.value);
        }
        println!("{:9.2}  {:>8} {:>8}  {:>16.6e}  {q}", median(times), "instant", sum.0, sum.1);
    }
    db.close()?;
    Ok(())
}
