//! Differential test against Debian's Prometheus 2.42: both servers scrape the same targets at a
//! 1 s interval, then every query of [`cases::CASES`] is evaluated on both at the same evaluation
//! time (instant, and over a range for many) and the answers are compared series by series.
//!
//! The `api` targets hand both servers identical samples (see [`workload`]), so results must agree
//! to floating-point noise. Known 2.x-versus-3.x differences are listed in
//! [`cases::EXCEPTIONS`] and `docs/compatibility.md`; anything else is a failure with a diff.

mod cases;
mod workload;

use crate::compare::{Data, diff, instant_query, range_query, secs};
use crate::prometheus::Prometheus;
use crate::support::{TestServer, api_get, eventually, write_file};
use crate::targets::Target;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// Scrapes of each `api` target, per server, before querying: covers the 10 s range queries with
/// 15 s windows, plus margin.
const API_SCRAPES: f64 = 35.0;
const WORKER_SCRAPES: f64 = 30.0;

fn config(client: &str, api: &[&Target], worker: &Target) -> String {
    let api: Vec<String> = api.iter().map(|t| format!("'{}'", t.addr())).collect();
    format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n\
         \x20 - job_name: api\n    metrics_path: /metrics/{client}\n    static_configs:\n      - targets: [{}]\n\
         \x20 - job_name: worker\n    static_configs:\n      - targets: ['{}']\n",
        api.join(", "),
        worker.addr()
    )
}

/// A range query at a 1 s step.
fn range(base: &str, q: &str, start_ms: i64, end_ms: i64) -> Data {
    range_query(base, q, start_ms, end_ms, "1")
}

/// The single value of a one-element vector answered at now.
fn single(base: &str, q: &str) -> Option<f64> {
    let v = api_get(base, "/api/v1/query", &[("query", q)]);
    v["data"]["result"].as_array()?.first()?["value"][1].as_str()?.parse().ok()
}

/// Timestamps of every stored sample of `selector` (ms).
fn sample_times(base: &str, selector: &str, t_ms: i64) -> Vec<i64> {
    match instant_query(base, &format!("{selector}[10m]"), t_ms) {
        Data::Matrix(series) => series.into_iter().flat_map(|(_, pts)| pts.into_iter().map(|p| p.0)).collect(),
        other => panic!("raw samples of {selector}: {other:?}"),
    }
}

/// Picks the millisecond of the second for evaluation times that is furthest from every scrape
/// phase seen (circular distance), from `api`'s timestamps and from 0 (subquery step grid).
fn pick_offset(phases: &BTreeSet<i64>) -> i64 {
    let taken: BTreeSet<i64> = phases.iter().copied().chain([workload::API_TS_MOD, 0]).collect();
    let dist =
        |o: i64| taken.iter().map(|&p| (o - p).rem_euclid(1000).min((p - o).rem_euclid(1000))).min().unwrap_or(500);
    (0..1000).max_by_key(|&o| (dist(o), -o)).expect("non-empty range")
}

#[test]
fn vigil_agrees_with_prometheus_2_42() {
    let (api1, api2, worker) = (workload::start_api(1.0), workload::start_api(2.0), workload::start_worker());
    let dir = tempfile::tempdir().expect("tempdir");
    let prom_cfg = write_file(dir.path(), "prometheus.yml", &config("prometheus", &[&api1, &api2], &worker));
    let vigil_cfg = write_file(dir.path(), "vigil.yml", &config("vigil", &[&api1, &api2], &worker));
    let prom = Prometheus::start(dir.path(), &prom_cfg);
    let vigil = TestServer::start(&[&format!("--config.file={}", vigil_cfg.display())]);
    let (v, p) = (vigil.url(), prom.url());

    // Wait until both have enough of every series.
    let started = Instant::now();
    let enough = eventually(Duration::from_secs(180), || {
        [&v, &p]
            .iter()
            .all(|base| {
                single(base, "min(count_over_time(http_requests_total[10m]))").is_some_and(|n| n >= API_SCRAPES)
                    && single(base, "min(count_over_time(up{job=\"worker\"}[10m]))")
                        .is_some_and(|n| n >= WORKER_SCRAPES)
            })
            .then_some(())
    });
    assert!(
        enough.is_some(),
        "not enough samples after {:?}; vigil log:\n{}\nprometheus log:\n{}",
        started.elapsed(),
        vigil.log(),
        prom.log()
    );

    // Evaluation time: before the newest `api` sample both have (so both hold the same `api`
    // samples up to it), at a millisecond offset that no scrape phase or step grid hits.
    let last_api = [&v, &p]
        .iter()
        .map(|base| {
            (single(base, "min(timestamp(http_requests_total))").expect("latest api sample") * 1000.0).round() as i64
        })
        .min()
        .expect("two servers");
    assert_eq!(last_api.rem_euclid(1000), workload::API_TS_MOD, "api samples not on their grid");
    let phases: BTreeSet<i64> = [&v, &p]
        .iter()
        .flat_map(|base| {
            let mut t = sample_times(base, "up", last_api);
            t.extend(sample_times(base, "{job=\"worker\"}", last_api));
            t
        })
        .map(|t| t.rem_euclid(1000))
        .collect();
    let offset = pick_offset(&phases);
    let t = (last_api - 1000).div_euclid(1000) * 1000 + offset;
    assert!(t < last_api, "evaluation time {t} after the last common sample {last_api}");
    assert!(!phases.contains(&offset) && offset != workload::API_TS_MOD, "no free millisecond for evaluation times");

    let mut failures = Vec::new();
    // Cases whose Prometheus answer is empty when the case expects one, or the other way round.
    let mut vacuous = Vec::new();
    let mut passed = 0usize;
    let mut check = |what: String, vigil_data: Data, prom_data: Data, tol: f64, ordered: bool| {
        let d = diff(&vigil_data, &prom_data, tol, ordered);
        if let (Data::Error(e), _) | (_, Data::Error(e)) = (&vigil_data, &prom_data) {
            failures.push(format!("{what}: error: {e}\n    vigil: {vigil_data:?}\n    prometheus: {prom_data:?}"));
        } else if d.is_empty() {
            passed += 1;
        } else {
            failures.push(format!("{what}:\n    {}", d.join("\n    ")));
        }
    };
    for case in cases::CASES {
        // A case Prometheus answers with nothing compares nothing unless it says so.
        let prom_empty = is_empty(&instant_query(&p, case.query, t))
            && (!case.range || is_empty(&range(&p, case.query, t - 10_000, t)));
        if prom_empty != case.empty {
            vacuous.push(format!(
                "instant {} @{}: Prometheus' answer is {}empty, the case says {}",
                case.query,
                secs(t),
                if prom_empty { "" } else { "not " },
                if case.empty { "empty" } else { "not empty" }
            ));
        }
        check(
            format!("instant {} @{}", case.query, secs(t)),
            instant_query(&v, case.query, t),
            instant_query(&p, case.query, t),
            case.tol,
            case.ordered,
        );
        if case.range {
            let start = t - 10_000;
            check(
                format!("range {} [{}, {}] step 1s", case.query, secs(start), secs(t)),
                range(&v, case.query, start, t),
                range(&p, case.query, start, t),
                case.tol,
                false,
            );
        }
    }
    for q in cases::OFF_STEP_RANGES {
        let (start, end) = (t - 10_000, t - 1_000);
        let ask = |base: &str| range_query(base, q, start, end, "2");
        let (vigil_data, prom_data) = (ask(&v), ask(&p));
        if is_empty(&prom_data) {
            vacuous.push(format!("off-step range {q}: Prometheus' answer is empty"));
        }
        check(
            format!("off-step range {q} [{}, {}] step 2s", secs(start), secs(end)),
            vigil_data,
            prom_data,
            cases::EXACT,
            false,
        );
    }
    window_edge_difference(&v, &p, last_api - 2000, &mut check);
    failures.extend(vacuous);
    for q in cases::PARSE_ERRORS {
        let error = |base: &str| api_get(base, "/api/v1/query", &[("query", q), ("time", &secs(t))])["error"].clone();
        let (vigil_error, prom_error) = (error(&v), error(&p));
        if vigil_error.is_string() && vigil_error == prom_error {
            passed += 1;
        } else {
            failures.push(format!("parse error of {q:?}:\n    vigil: {vigil_error}\n    prometheus: {prom_error}"));
        }
    }
    for (what, vigil_answer, prom_answer) in series_endpoint_answers(&v, &p, t) {
        if vigil_answer == prom_answer {
            passed += 1;
        } else {
            failures.push(format!("{what}:\n    vigil: {vigil_answer}\n    prometheus: {prom_answer}"));
        }
    }

    eprintln!("differential: {passed} passed, {} failed (evaluation time {})", failures.len(), secs(t));
    for e in cases::EXCEPTIONS {
        eprintln!("tolerated: {}: {} Handling: {}", e.name, e.difference, e.handling);
    }
    assert!(failures.is_empty(), "differential: {passed} passed, {} failed\n{}", failures.len(), failures.join("\n"));
}

/// Whether an answer holds no series (an empty vector or matrix).
fn is_empty(d: &Data) -> bool {
    matches!(d, Data::Vector(s) if s.is_empty()) || matches!(d, Data::Matrix(s) if s.is_empty())
}

/// Exception `left-open-range-windows`, checked rather than avoided: at an `api` sample's own
/// timestamp, a 5 s window has a sample on its left edge, which only Prometheus 2.42 counts.
fn window_edge_difference(v: &str, p: &str, t_edge: i64, check: &mut impl FnMut(String, Data, Data, f64, bool)) {
    assert_eq!(t_edge.rem_euclid(1000), workload::API_TS_MOD);
    let q = "count_over_time(http_requests_total[5s])";
    let (vigil_data, prom_data) = (instant_query(v, q, t_edge), instant_query(p, q, t_edge));
    let shift = |d: &Data, by: f64| match d {
        Data::Vector(s) => Data::Vector(
            s.iter().map(|(l, x)| (l.clone(), (x.parse::<f64>().expect("count") + by).to_string())).collect(),
        ),
        other => other.clone(),
    };
    // Vigil: samples at t-4s..t (5); Prometheus: t-5s..t (6).
    check(
        format!("window edge {q} @{} (vigil + 1 = prometheus)", secs(t_edge)),
        shift(&vigil_data, 1.0),
        prom_data,
        0.0,
        false,
    );
    let fives = match &vigil_data {
        Data::Vector(s) if !s.is_empty() => Data::Vector(s.iter().map(|(l, _)| (l.clone(), "5".to_owned())).collect()),
        other => panic!("{q} at a sample time: {other:?}"),
    };
    check(format!("window edge {q} @{} (vigil counts 5)", secs(t_edge)), vigil_data, fives, 0.0, false);
    window_edge_range(v, p, t_edge, check);
}

/// The same exception over a range query whose every step lands on an `api` sample:
/// Prometheus 2.42's `sum_over_time(x[5s])` also adds the sample on each window's left edge,
/// which Vigil reads as `x offset 5s` at the same steps.
fn window_edge_range(v: &str, p: &str, t_edge: i64, check: &mut impl FnMut(String, Data, Data, f64, bool)) {
    let (start, end) = (t_edge - 4_000, t_edge);
    let q = "sum_over_time(http_requests_in_flight[5s])";
    let (vigil_sum, edge, prom_sum) =
        (range(v, q, start, end), range(v, "http_requests_in_flight offset 5s", start, end), range(p, q, start, end));
    let added = match (&vigil_sum, &edge) {
        (Data::Matrix(sums), Data::Matrix(edges)) if !sums.is_empty() => Data::Matrix(
            sums.iter()
                .map(|(labels, points)| {
                    // `sum_over_time` drops the metric name, the selector keeps it.
                    let same =
                        |l: &crate::compare::Labels| l.iter().filter(|(n, _)| *n != "__name__").eq(labels.iter());
                    let edge_points = &edges.iter().find(|(l, _)| same(l)).expect("edge sample series").1;
                    let points = points
                        .iter()
                        .map(|(t, x)| {
                            let (_, e) = edge_points.iter().find(|(et, _)| et == t).expect("edge sample at step");
                            (*t, (x.parse::<f64>().expect("sum") + e.parse::<f64>().expect("edge")).to_string())
                        })
                        .collect();
                    (labels.clone(), points)
                })
                .collect(),
        ),
        other => panic!("{q} over steps on sample times: {other:?}"),
    };
    check(
        format!("window edges {q} [{}, {}] step 1s (vigil + left-edge sample = prometheus)", secs(start), secs(end)),
        added,
        prom_sum,
        cases::EXACT,
        false,
    );
}

/// `match[]` values of `/api/v1/series`, good and bad: the same series, or the same error text.
const SERIES_SELECTORS: &[&str] = &[
    "up",
    "{job=\"worker\"}",
    "http_requests_total{code=~\"2..\", job='api'}",
    "up{job=\"api\",}",
    "sum",
    "up{",
    "rate(x[5m])",
    "up offset 5m",
    "up[5m]",
    "up{a=}",
    "up{a}",
    "up{a=\"b\" c=\"d\"}",
    "{a=\"x}",
    "{a=\"\\q\"}",
    "{a=\"\\xZZ\"}",
    "",
    "{a=~\".*\"}",
    "{a!~`x`}",
    "{}",
];

/// Each of [`SERIES_SELECTORS`] asked of both servers over the 10 s before `t`: the answer with
/// its series sorted (the API leaves their order open).
fn series_endpoint_answers(v: &str, p: &str, t: i64) -> Vec<(String, serde_json::Value, serde_json::Value)> {
    let ask = |base: &str, sel: &str| {
        let (start, end) = (secs(t - 10_000), secs(t));
        let mut body = api_get(base, "/api/v1/series", &[("match[]", sel), ("start", &start), ("end", &end)]);
        if let Some(series) = body["data"].as_array_mut() {
            series.sort_by_key(|s| s.to_string());
        }
        body
    };
    SERIES_SELECTORS.iter().map(|sel| (format!("series match[]={sel}"), ask(v, sel), ask(p, sel))).collect()
}
