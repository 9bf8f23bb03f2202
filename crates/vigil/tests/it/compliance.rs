//! The PromQL compliance tester's 539 queries (`shared/conformance/promql-compliance`), run the
//! way upstream runs them: each as a range query (10 minutes at a 10 s step) against a reference
//! Prometheus (Debian's 2.42) and against Vigil, both holding the same data from three instances
//! of a demo service, answers compared with a relative tolerance of 1e-5 (NaN equals NaN).
//!
//! The data: an hour of virtual time at upstream's 5 s scrape interval, made in about a minute
//! (see [`demo_service`]). Sample timestamps end in 1 ms and evaluation times in 500 ms, so no
//! window edge falls on a sample: Prometheus 2.42's closed windows and 3.x's left-open ones
//! select the same samples. Queries listed in `compliance/known-failures.txt` may fail; the list
//! may only shrink.

mod demo_service;
mod queries;

use crate::compare::{Data, diff, range_query, secs};
use crate::prometheus::Prometheus;
use crate::support::{TestServer, api_get, eventually, write_file};
use crate::targets::{Target, unix_ms};
use std::path::Path;
use std::time::{Duration, Instant};

/// Scrapes of virtual time each client makes: 55 minutes at 5 s.
const SCRAPES: u64 = 660;

/// Upstream's comparison tolerance (relative).
const TOLERANCE: f64 = 1e-5;

const KNOWN_FAILURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/compliance/known-failures.txt");

fn corpus() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/promql-compliance/promql-test-queries.yml")
}

/// Both servers scrape the three demo instances as `demo.promlabs.com:1000N`, as the queries
/// name them, every 100 ms of real time.
fn config(client: &str, demos: &[Target]) -> String {
    let mut targets = String::new();
    for (n, d) in demos.iter().enumerate() {
        targets.push_str(&format!(
            "      - targets: ['{}']\n        labels:\n          instance: 'demo.promlabs.com:1000{n}'\n",
            d.addr()
        ));
    }
    format!(
        "global:\n  scrape_interval: 100ms\n  scrape_timeout: 100ms\nscrape_configs:\n\
         \x20 - job_name: demo\n    metrics_path: /metrics/{client}\n    static_configs:\n{targets}"
    )
}

#[test]
fn promql_compliance_queries_agree_with_prometheus() {
    let cases = queries::load(&corpus());
    assert_eq!(cases.len(), 539, "the compliance list expands to 539 queries upstream");

    // The first virtual sample, on a whole second plus 1 ms; the last one is at about now.
    let base = unix_ms() / 1000 * 1000 - i64::try_from(SCRAPES).expect("fits") * demo_service::STEP_MS + 1;
    let demos: Vec<Target> = (0..3).map(|i| demo_service::start(i, base, SCRAPES)).collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let prom_cfg = write_file(dir.path(), "prometheus.yml", &config("prometheus", &demos));
    let vigil_cfg = write_file(dir.path(), "vigil.yml", &config("vigil", &demos));
    let prom = Prometheus::start(dir.path(), &prom_cfg);
    let vigil = TestServer::start(&[&format!("--config.file={}", vigil_cfg.display())]);
    let (v, p) = (vigil.url(), prom.url());

    let last = base + i64::try_from(SCRAPES).expect("fits") * demo_service::STEP_MS;
    let complete = |server: &str| {
        let body = api_get(
            server,
            "/api/v1/query",
            &[("query", "min(count_over_time(demo_num_cpus[2h]))"), ("time", &secs(last + 1000))],
        );
        let n: Option<f64> = body["data"]["result"][0]["value"][1].as_str().and_then(|s| s.parse().ok());
        n.is_some_and(|n| n >= (SCRAPES + 1) as f64)
    };
    let started = Instant::now();
    let ready = eventually(Duration::from_secs(300), || (complete(&v) && complete(&p)).then_some(()));
    assert!(
        ready.is_some(),
        "demo data incomplete after {:?}; vigil log:\n{}\nprometheus log:\n{}",
        started.elapsed(),
        vigil.log(),
        prom.log()
    );

    // Upstream's window (end 12 minutes before the newest data, 10 minutes long, 10 s step),
    // at half a second past the samples' millisecond.
    let end = last - 12 * 60 * 1000 + 499;
    let start = end - 10 * 60 * 1000;
    let known = known_failures();
    let (mut passed, mut failed) = (0, Vec::new());
    for case in &cases {
        let (vd, pd) = (range_query(&v, &case.query, start, end, "10"), range_query(&p, &case.query, start, end, "10"));
        let outcome = match (&vd, &pd, case.should_fail, case.skip_comparison) {
            (Data::Error(_), Data::Error(_), true, _) => Ok(()),
            (_, _, true, _) => Err(format!("both must fail: vigil {vd:?}, prometheus {pd:?}")),
            (Data::Error(e), _, _, _) | (_, Data::Error(e), _, _) => Err(format!("error: {e}")),
            (_, _, _, true) => Ok(()),
            _ => {
                let d = diff(&vd, &pd, TOLERANCE, false);
                if d.is_empty() { Ok(()) } else { Err(d.into_iter().take(5).collect::<Vec<_>>().join("\n    ")) }
            }
        };
        match outcome {
            Ok(()) => passed += 1,
            Err(why) => failed.push((case.query.clone(), why)),
        }
    }
    eprintln!(
        "promql compliance: {passed} passed, {} failed (of {}): {:.1} % of the queries match Prometheus 2.42",
        failed.len(),
        cases.len(),
        100.0 * passed as f64 / cases.len() as f64
    );
    let unexpected: Vec<String> =
        failed.iter().filter(|(q, _)| !known.contains(q)).map(|(q, why)| format!("{q}\n    {why}")).collect();
    let fixed: Vec<&String> = known.iter().filter(|q| !failed.iter().any(|(f, _)| f == *q)).collect();
    assert!(
        unexpected.is_empty() && fixed.is_empty(),
        "promql compliance: {passed} passed, {} failed\nunexpected failures:\n{}\n\
         listed in {KNOWN_FAILURES} but passing (remove them):\n{}",
        failed.len(),
        unexpected.join("\n"),
        fixed.iter().map(|q| q.as_str()).collect::<Vec<_>>().join("\n")
    );
}

/// The queries allowed to fail, one per line (`#` comments).
fn known_failures() -> Vec<String> {
    std::fs::read_to_string(KNOWN_FAILURES)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}
