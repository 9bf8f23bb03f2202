//! Debian's `promtool` (Prometheus 2.42) as a client of Vigil's HTTP API: `query instant`,
//! `query range`, `query series` and `query labels` against a server scraping a real target, with
//! assertions on the parsed output (values and labels), not just exit codes.

use crate::support::{TestServer, eventually, run_with_timeout, write_file};
use crate::targets::Target;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const PROMTOOL: &str = "/usr/bin/promtool";
const JOB: &str = "promtool-target";

type Labels = BTreeMap<String, String>;

/// Runs `promtool args...`; returns (success, stdout + stderr).
fn promtool(args: &[&str]) -> (bool, String) {
    assert!(
        Path::new(PROMTOOL).exists(),
        "{PROMTOOL} is missing: run scripts/install-test-deps.sh (installs Debian's prometheus package)"
    );
    let (status, out) = run_with_timeout(Command::new(PROMTOOL).args(args), Duration::from_secs(60));
    (status.is_some_and(|s| s.success()), out)
}

/// Parses `{a="x", b="y"}` (Go-quoted values) as printed by promtool; returns the labels and the rest.
fn parse_labels(s: &str) -> (Labels, &str) {
    let mut labels = Labels::new();
    let Some(mut rest) = s.strip_prefix('{') else { return (labels, s) };
    loop {
        rest = rest.trim_start_matches([',', ' ']);
        if let Some(after) = rest.strip_prefix('}') {
            return (labels, after);
        }
        let eq = rest.find("=\"").unwrap_or_else(|| panic!("no label value in {s:?}"));
        let name = rest[..eq].to_owned();
        let mut value = String::new();
        let mut chars = rest[eq + 2..].char_indices();
        let end = loop {
            match chars.next() {
                Some((i, '"')) => break eq + 2 + i + 1,
                Some((_, '\\')) => value.push(chars.next().map(|(_, c)| c).unwrap_or('\\')),
                Some((_, c)) => value.push(c),
                None => panic!("unterminated label value in {s:?}"),
            }
        };
        labels.insert(name, value);
        rest = &rest[end..];
    }
}

/// Parses `name{labels}` into one label set (`__name__` included when present).
fn parse_metric(s: &str) -> Labels {
    let s = s.trim();
    let brace = s.find('{').unwrap_or(s.len());
    let (mut labels, rest) = parse_labels(&s[brace..]);
    assert!(rest.trim().is_empty(), "trailing text after labels in {s:?}");
    if brace > 0 {
        labels.insert("__name__".to_owned(), s[..brace].to_owned());
    }
    labels
}

/// Parses promtool's instant-vector output: `metric => value @[timestamp]` per line.
fn parse_vector(out: &str) -> Vec<(Labels, f64, f64)> {
    out.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let (metric, sample) = line.split_once(" => ").unwrap_or_else(|| panic!("not a vector line: {line:?}"));
            let (value, ts) = parse_sample(sample);
            (parse_metric(metric), value, ts)
        })
        .collect()
}

/// Parses `value @[timestamp]`.
fn parse_sample(s: &str) -> (f64, f64) {
    let (v, ts) = s.trim().split_once(" @[").unwrap_or_else(|| panic!("not a sample: {s:?}"));
    let ts = ts.strip_suffix(']').unwrap_or_else(|| panic!("not a sample: {s:?}"));
    (
        v.parse().unwrap_or_else(|_| panic!("bad value in {s:?}")),
        ts.parse().unwrap_or_else(|_| panic!("bad time in {s:?}")),
    )
}

/// Parses promtool's matrix output: a `metric =>` line followed by `value @[timestamp]` lines.
fn parse_matrix(out: &str) -> Vec<(Labels, Vec<(f64, f64)>)> {
    let mut series: Vec<(Labels, Vec<(f64, f64)>)> = Vec::new();
    for line in out.lines().filter(|l| !l.trim().is_empty()) {
        if let Some(metric) = line.strip_suffix(" =>") {
            series.push((parse_metric(metric), Vec::new()));
        } else {
            let last = series.last_mut().unwrap_or_else(|| panic!("sample before any series: {line:?}"));
            last.1.push(parse_sample(line));
        }
    }
    series
}

fn config(target: &str) -> String {
    format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: {JOB}\n    static_configs:\n      - targets: ['{target}']\n"
    )
}

/// Counters growing at 10/s and 1/s since the target started, and two constant gauges.
fn start_target() -> Target {
    let started = Instant::now();
    Target::start(move |path| {
        (path == "/metrics").then(|| {
            let t = 100.0 + started.elapsed().as_secs_f64();
            format!(
                "# HELP pt_requests_total Requests.\n# TYPE pt_requests_total counter\n\
                 pt_requests_total{{code=\"200\"}} {}\npt_requests_total{{code=\"500\"}} {}\n\
                 # HELP pt_temperature_celsius Temperature.\n# TYPE pt_temperature_celsius gauge\n\
                 pt_temperature_celsius{{room=\"lab\"}} 21.5\npt_temperature_celsius{{room=\"hall\"}} -18.25\n",
                10.0 * t,
                t
            )
        })
    })
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs()
}

#[test]
fn promtool_queries_vigil() {
    let target = start_target();
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = write_file(dir.path(), "prometheus.yml", &config(&target.addr()));
    let server = TestServer::start(&[&format!("--config.file={}", cfg.display())]);
    let url = server.url();

    // Enough samples for the 5 s windows of the range queries below.
    let ready = eventually(Duration::from_secs(60), || {
        let r = server.query("count_over_time(pt_requests_total{code=\"200\"}[1m])");
        let n: f64 = r.as_array()?.first()?["value"][1].as_str()?.parse().ok()?;
        (n >= 14.0).then_some(())
    });
    assert!(ready.is_some(), "target not scraped 14 times within 60 s; log:\n{}", server.log());

    // query instant: `up` names the target.
    let (ok, out) = promtool(&["query", "instant", &url, "up"]);
    assert!(ok, "promtool query instant up failed:\n{out}");
    let up = parse_vector(&out);
    assert_eq!(up.len(), 1, "{out}");
    let (labels, value, ts) = &up[0];
    let expected: Labels = [("__name__", "up"), ("instance", target.addr().as_str()), ("job", JOB)]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    assert_eq!(labels, &expected, "{out}");
    assert_eq!(*value, 1.0, "{out}");
    let now = crate::targets::unix_ms() as f64 / 1000.0;
    assert!((now - ts).abs() < 60.0, "evaluation time {ts} is not now ({now}): {out}");

    // Gauges: exact values, negative included.
    let (ok, out) = promtool(&["query", "instant", &url, "pt_temperature_celsius"]);
    assert!(ok, "{out}");
    let rooms: BTreeMap<String, f64> = parse_vector(&out).into_iter().map(|(l, v, _)| (l["room"].clone(), v)).collect();
    assert_eq!(rooms, BTreeMap::from([("hall".to_owned(), -18.25), ("lab".to_owned(), 21.5)]), "{out}");

    // Aggregated rates: 10/s + 1/s. The tolerance covers the gap between the scrape timestamp
    // (taken before the request) and the moment the target computes its value.
    let (ok, out) = promtool(&["query", "instant", &url, "sum(rate(pt_requests_total[5s]))"]);
    assert!(ok, "{out}");
    let sum = parse_vector(&out);
    assert_eq!(sum.len(), 1, "{out}");
    assert!(sum[0].0.is_empty(), "sum keeps no labels: {out}");
    assert!(close(sum[0].1, 11.0, 0.05), "sum(rate) = {} not ≈ 11: {out}", sum[0].1);

    let (ok, out) = promtool(&["query", "instant", &url, "sum by (code) (rate(pt_requests_total[5s]))"]);
    assert!(ok, "{out}");
    let by_code: BTreeMap<String, f64> =
        parse_vector(&out).into_iter().map(|(l, v, _)| (l["code"].clone(), v)).collect();
    assert_eq!(by_code.len(), 2, "{out}");
    assert!(close(by_code["200"], 10.0, 0.05) && close(by_code["500"], 1.0, 0.05), "{out}");

    // query range: one series, a point per step, the constant value at every step. The range
    // starts 6 s after the first sample so every step has a full 5 s rate window of data.
    let first = server.query("pt_requests_total{code=\"200\"}[5m]")[0]["values"][0][0].as_f64().expect("first sample");
    let start = first.ceil() as i64 + 6;
    let end = start + 5;
    assert!(end as f64 <= now, "not enough data yet: first sample at {first}, now {now}");
    let (start, end_s) = (start.to_string(), end.to_string());
    let (ok, out) = promtool(&[
        "query",
        "range",
        "--start",
        &start,
        "--end",
        &end_s,
        "--step",
        "1s",
        &url,
        "pt_temperature_celsius{room=\"lab\"}",
    ]);
    assert!(ok, "{out}");
    let matrix = parse_matrix(&out);
    assert_eq!(matrix.len(), 1, "{out}");
    assert_eq!(matrix[0].0.get("room").map(String::as_str), Some("lab"), "{out}");
    assert_eq!(matrix[0].0.get("__name__").map(String::as_str), Some("pt_temperature_celsius"), "{out}");
    let steps: Vec<f64> = matrix[0].1.iter().map(|(_, t)| *t).collect();
    let expected_steps: Vec<f64> = (end - 5..=end).map(|t| t as f64).collect();
    assert_eq!(steps, expected_steps, "{out}");
    assert!(matrix[0].1.iter().all(|(v, _)| *v == 21.5), "{out}");

    // query range with JSON output, as a script would consume it: rates at every step.
    let (ok, out) = promtool(&[
        "query",
        "range",
        "-o",
        "json",
        "--start",
        &start,
        "--end",
        &end_s,
        "--step",
        "1s",
        &url,
        "rate(pt_requests_total{code=\"200\"}[5s])",
    ]);
    assert!(ok, "{out}");
    let json: serde_json::Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"));
    let series = json.as_array().expect("matrix array");
    assert_eq!(series.len(), 1, "{out}");
    assert!(series[0]["metric"].get("__name__").is_none(), "rate drops the name: {out}");
    let values = series[0]["values"].as_array().expect("values");
    assert!(values.len() >= 4, "too few steps with a rate: {out}");
    for v in values {
        let rate: f64 = v[1].as_str().and_then(|s| s.parse().ok()).expect("value");
        assert!(close(rate, 10.0, 0.05), "rate {rate} not ≈ 10: {out}");
    }

    // query series: both counter series with their full label sets.
    let (ok, out) = promtool(&["query", "series", "--match", "pt_requests_total", &url]);
    assert!(ok, "{out}");
    let mut series: Vec<Labels> =
        out.lines().filter(|l| !l.trim().is_empty()).map(|l| parse_labels(l.trim()).0).collect();
    series.sort();
    let codes: Vec<&str> = series.iter().map(|l| l["code"].as_str()).collect();
    assert_eq!(codes, ["200", "500"], "{out}");
    for l in &series {
        assert_eq!(l["__name__"], "pt_requests_total", "{out}");
        assert_eq!(l["job"], JOB, "{out}");
        assert_eq!(l["instance"], target.addr(), "{out}");
    }

    // query labels: the values of `job`.
    let (ok, out) = promtool(&["query", "labels", &url, "job"]);
    assert!(ok, "{out}");
    let jobs: Vec<&str> = out.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    assert_eq!(jobs, [JOB], "{out}");

    // A bad query fails with Prometheus' error type and the parser's position.
    let (ok, out) = promtool(&["query", "instant", &url, "sum(rate(pt_requests_total[5s])"]);
    assert!(!ok, "a bad query must fail: {out}");
    assert!(out.contains("bad_data"), "no bad_data error type: {out}");
}
