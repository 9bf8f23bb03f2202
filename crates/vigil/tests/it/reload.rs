//! Configuration reload and lifecycle endpoints, as Prometheus does them: `POST /-/reload` and
//! SIGHUP apply a rewritten `prometheus.yml`; a bad file keeps the old configuration running and
//! sets `prometheus_config_last_reload_successful` to 0; without `--web.enable-lifecycle` the
//! endpoints are refused; `/-/quit` exits cleanly and keeps the data.

use crate::support::{TestServer, eventually, run_with_timeout, write_file};
use crate::targets::Target;
use std::collections::BTreeSet;
use std::process::Command;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(60);

/// A target exposing one constant gauge named after `job`.
fn start_target(job: &'static str) -> Target {
    Target::start(move |path| (path == "/metrics").then(|| format!("# TYPE {job}_value gauge\n{job}_value 1\n")))
}

/// A config with one job per `(name, target)`.
fn config(jobs: &[(&str, &Target)]) -> String {
    let mut s = "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n".to_owned();
    for (name, target) in jobs {
        s.push_str(&format!("  - job_name: {name}\n    static_configs:\n      - targets: ['{}']\n", target.addr()));
    }
    s
}

/// `(scrapePool, scrapeUrl)` of every active target.
fn active_targets(server: &TestServer) -> BTreeSet<(String, String)> {
    let v = server.get_json("/api/v1/targets?state=active");
    assert_eq!(v["status"], "success", "{v}");
    v["data"]["activeTargets"]
        .as_array()
        .expect("activeTargets")
        .iter()
        .map(|t| {
            (
                t["scrapePool"].as_str().unwrap_or_default().to_owned(),
                t["scrapeUrl"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn expected_targets(jobs: &[(&str, &Target)]) -> BTreeSet<(String, String)> {
    jobs.iter().map(|(name, t)| ((*name).to_owned(), format!("http://{}/metrics", t.addr()))).collect()
}

/// `up` of `job` is 1.
fn is_up(server: &TestServer, job: &str) -> bool {
    let r = server.query(&format!("up{{job=\"{job}\"}}"));
    r.as_array().and_then(|a| a.first()).is_some_and(|s| s["value"][1] == "1")
}

fn sighup(server: &TestServer) {
    let (status, out) =
        run_with_timeout(Command::new("kill").args(["-HUP", &server.pid().to_string()]), Duration::from_secs(10));
    assert!(status.is_some_and(|s| s.success()), "kill -HUP failed: {out}");
}

fn reload_successful(server: &TestServer) -> Option<f64> {
    server.self_metric("prometheus_config_last_reload_successful")
}

/// `reloadConfigSuccess` of `/api/v1/status/runtimeinfo`.
fn reload_config_success(server: &TestServer) -> Option<bool> {
    server.get_json("/api/v1/status/runtimeinfo")["data"]["reloadConfigSuccess"].as_bool()
}

#[test]
fn reload_applies_good_configs_and_keeps_the_old_one_on_errors() {
    let (one, two) = (start_target("one"), start_target("two"));
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = write_file(dir.path(), "prometheus.yml", &config(&[("one", &one)]));
    let server = TestServer::start(&["--web.enable-lifecycle", &format!("--config.file={}", cfg.display())]);
    assert!(
        eventually(WAIT, || is_up(&server, "one").then_some(())).is_some(),
        "job one not up; log:\n{}",
        server.log()
    );
    assert_eq!(reload_successful(&server), Some(1.0), "{}", server.metrics_text());

    // Add a job through POST /-/reload: it appears in the targets API and gets scraped.
    let both = [("one", &one), ("two", &two)];
    write_file(dir.path(), "prometheus.yml", &config(&both));
    let (status, body) = server.post("/-/reload");
    assert_eq!(status, 200, "reload of a good config: {body}");
    assert_eq!(active_targets(&server), expected_targets(&both));
    assert!(
        eventually(WAIT, || (two.hits() > 0 && is_up(&server, "two")).then_some(())).is_some(),
        "job two never scraped; log:\n{}",
        server.log()
    );
    assert!(!server.query("two_value").as_array().expect("vector").is_empty(), "job two's samples not stored");

    // A bad config (unknown field): 500 naming the problem, old config kept, metric at 0.
    write_file(
        dir.path(),
        "prometheus.yml",
        "scrape_configs:\n  - job_name: one\n    scrape_intervall: 5s\n    static_configs:\n      - targets: ['127.0.0.1:1']\n",
    );
    let (status, body) = server.post("/-/reload");
    assert_eq!(status, 500, "reload of a bad config must fail: {body}");
    assert!(body.contains("scrape_intervall"), "error does not name the unknown field: {body}");
    assert_eq!(active_targets(&server), expected_targets(&both), "a failed reload changed the targets");
    assert_eq!(reload_successful(&server), Some(0.0), "{}", server.metrics_text());
    // Checked at the end, so the steps below run even if this fails.
    let runtime_after_failure = reload_config_success(&server);
    let hits = two.hits();
    assert!(
        eventually(WAIT, || (two.hits() > hits + 1).then_some(())).is_some(),
        "scraping stopped after a failed reload"
    );

    // Fix it and reload with SIGHUP: job one goes, the metric is back to 1.
    write_file(dir.path(), "prometheus.yml", &config(&[("two", &two)]));
    sighup(&server);
    let applied = eventually(WAIT, || (reload_successful(&server) == Some(1.0)).then_some(()));
    assert!(applied.is_some(), "SIGHUP did not reload; log:\n{}", server.log());
    assert!(
        eventually(WAIT, || (active_targets(&server) == expected_targets(&[("two", &two)])).then_some(())).is_some(),
        "targets after SIGHUP reload: {:?}",
        active_targets(&server)
    );
    assert_eq!(reload_config_success(&server), Some(true), "runtimeinfo after a good SIGHUP reload");
    assert!(server.log().contains("Completed loading of configuration file"), "{}", server.log());

    // Prometheus derives runtimeinfo's reloadConfigSuccess from the same reload state as the metric.
    assert_eq!(runtime_after_failure, Some(false), "runtimeinfo reloadConfigSuccess after a failed /-/reload");
}

#[test]
fn lifecycle_endpoints_are_refused_without_the_flag() {
    let target = start_target("plain");
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = write_file(dir.path(), "prometheus.yml", &config(&[("plain", &target)]));
    let mut server = TestServer::start(&[&format!("--config.file={}", cfg.display())]);
    for path in ["/-/reload", "/-/quit"] {
        let (status, body) = server.post(path);
        assert_eq!(status, 403, "{path} without --web.enable-lifecycle: {body}");
        assert!(body.contains("Lifecycle API is not enabled"), "{path}: {body}");
    }
    assert!(server.wait_exit(Duration::from_secs(2)).is_none(), "server exited after a refused /-/quit");
    assert!(
        !server.query("up").as_array().expect("vector").is_empty(),
        "server not answering after refused lifecycle calls"
    );
}

/// Samples of `quit_value` as `(ms, value)` pairs.
fn samples(server: &TestServer) -> BTreeSet<(i64, String)> {
    let r = server.query("quit_value[1h]");
    r.as_array()
        .and_then(|a| a.first())
        .and_then(|s| s["values"].as_array())
        .map(|vs| {
            vs.iter()
                .map(|p| {
                    (
                        (p[0].as_f64().unwrap_or_default() * 1000.0).round() as i64,
                        p[1].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn quit_exits_cleanly_and_keeps_the_data() {
    let target = start_target("quit");
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = write_file(dir.path(), "prometheus.yml", &config(&[("quit", &target)]));
    let data = dir.path().join("data");
    let cfg_flag = format!("--config.file={}", cfg.display());
    let mut server = TestServer::start_in(&data, &["--web.enable-lifecycle", &cfg_flag]);
    assert!(
        eventually(WAIT, || (samples(&server).len() >= 3).then_some(())).is_some(),
        "no samples; log:\n{}",
        server.log()
    );
    let before = samples(&server);

    let (status, body) = server.post("/-/quit");
    assert_eq!(status, 200, "/-/quit: {body}");
    let exit = server.wait_exit(Duration::from_secs(20));
    let exit = exit.unwrap_or_else(|| panic!("still running 20 s after /-/quit; log:\n{}", server.log()));
    assert!(exit.success(), "exit status {exit} after /-/quit; log:\n{}", server.log());
    assert!(!server.log().contains("not closed cleanly"), "storage not closed cleanly:\n{}", server.log());

    let server = TestServer::start_in(&data, &[&cfg_flag]);
    let after = samples(&server);
    let lost: Vec<_> = before.difference(&after).collect();
    assert!(lost.is_empty(), "samples lost across /-/quit: {lost:?}; log:\n{}", server.log());
}

/// The number of inner steps of `count_over_time(vector(1)[1m:])` at a time between steps:
/// 60 s over the configured `evaluation_interval`.
fn subquery_steps(server: &TestServer) -> String {
    let v = crate::support::api_get(
        &server.url(),
        "/api/v1/query",
        &[("query", "count_over_time(vector(1)[1m:])"), ("time", "1700000000.5")],
    );
    v["data"]["result"][0]["value"][1].as_str().unwrap_or_default().to_owned()
}

#[test]
fn subqueries_without_a_step_use_the_configured_evaluation_interval() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = |interval: &str| format!("global:\n  evaluation_interval: {interval}\nscrape_configs: []\n");
    let cfg = write_file(dir.path(), "prometheus.yml", &file("20s"));
    let server = TestServer::start(&[&format!("--config.file={}", cfg.display()), "--web.enable-lifecycle"]);
    assert_eq!(subquery_steps(&server), "3", "20 s steps in a minute");
    write_file(dir.path(), "prometheus.yml", &file("10s"));
    let (code, body) = server.post("/-/reload");
    assert_eq!(code, 200, "{body}");
    assert_eq!(subquery_steps(&server), "6", "10 s steps after the reload");
    // Without `evaluation_interval`, Prometheus' default of one minute.
    write_file(dir.path(), "prometheus.yml", "scrape_configs: []\n");
    assert_eq!(server.post("/-/reload").0, 200);
    assert_eq!(subquery_steps(&server), "1", "the default minute");
}
