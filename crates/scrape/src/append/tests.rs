//! Tests for appending scrapes: labels, report series, staleness, limits, relabeling, metadata.

use super::ScrapeCache;
use crate::Error;
use crate::pool_config::{SampleLimits, SampleOptions};
use std::sync::Arc;
use vigil_model::relabel::{Action, RelabelRule, RuleSpec};
use vigil_model::{Labels, Matcher, is_stale_nan};
use vigil_storage::{MemStorage, Queryable, SelectHints};

const TEXT: Option<&str> = Some("text/plain; version=0.0.4");

fn cache(options: SampleOptions) -> ScrapeCache {
    let target = Labels::from_pairs(&[("job", "j"), ("instance", "i")]);
    ScrapeCache::new(target, Arc::new(options))
}

fn honoring() -> SampleOptions {
    SampleOptions { honor_timestamps: true, ..SampleOptions::default() }
}

/// Every series whose name matches `names` (a regex), one line each: `labels t=v t=v`.
fn dump(db: &MemStorage, names: &str) -> Vec<String> {
    let q = db.querier(i64::MIN, i64::MAX).unwrap();
    let set = q.select(&SelectHints::default(), &[Matcher::regex("__name__", names).unwrap()]).unwrap();
    set.iter()
        .map(|s| {
            let mut line = s.labels.to_string();
            for (t, v) in s.samples.timestamps.iter().zip(&s.samples.values) {
                if is_stale_nan(*v) {
                    line.push_str(&format!(" {t}=stale"));
                } else {
                    line.push_str(&format!(" {t}={v}"));
                }
            }
            line
        })
        .collect()
}

/// Ingests `bodies` at t=1000, 2000, ...; `None` is a failed fetch. Returns the last error text.
fn check(c: &mut ScrapeCache, db: &MemStorage, bodies: &[Option<&str>]) -> Option<String> {
    let mut last = None;
    for (i, body) in bodies.iter().enumerate() {
        let ts = 1000 * (i as i64 + 1);
        let scraped = match body {
            Some(b) => Ok((b.as_bytes(), TEXT)),
            None => Err(Error::Http("connection refused".into())),
        };
        last = c.ingest(db, scraped, ts, 0.5).error.map(|e| e.to_string());
    }
    last
}

#[test]
fn samples_get_target_labels_and_report_series() {
    let db = MemStorage::new();
    let mut c = cache(honoring());
    assert_eq!(check(&mut c, &db, &[Some("a{x=\"1\"} 5\nb 6 500\n")]), None);
    assert_eq!(
        dump(&db, "a|b"),
        vec![
            r#"{__name__="a", instance="i", job="j", x="1"} 1000=5"#,
            r#"{__name__="b", instance="i", job="j"} 500=6"#
        ]
    );
    assert_eq!(
        dump(&db, "up|scrape_.*"),
        vec![
            r#"{__name__="scrape_duration_seconds", instance="i", job="j"} 1000=0.5"#,
            r#"{__name__="scrape_samples_post_metric_relabeling", instance="i", job="j"} 1000=2"#,
            r#"{__name__="scrape_samples_scraped", instance="i", job="j"} 1000=2"#,
            r#"{__name__="scrape_series_added", instance="i", job="j"} 1000=2"#,
            r#"{__name__="up", instance="i", job="j"} 1000=1"#,
        ]
    );
}

#[test]
fn honor_timestamps_false_uses_scrape_time() {
    let db = MemStorage::new();
    let mut c = cache(SampleOptions::default());
    check(&mut c, &db, &[Some("b 6 500\n")]);
    assert_eq!(dump(&db, "b"), vec![r#"{__name__="b", instance="i", job="j"} 1000=6"#]);
}

#[test]
fn disappearing_series_go_stale_once() {
    let db = MemStorage::new();
    let mut c = cache(honoring());
    check(&mut c, &db, &[Some("a 1\nb 1\n"), Some("a 2\n"), Some("a 3\n"), Some("a 4\nb 4\n")]);
    assert_eq!(
        dump(&db, "a|b"),
        vec![
            r#"{__name__="a", instance="i", job="j"} 1000=1 2000=2 3000=3 4000=4"#,
            r#"{__name__="b", instance="i", job="j"} 1000=1 2000=stale 4000=4"#,
        ]
    );
    assert_eq!(
        dump(&db, "scrape_series_added"),
        vec![r#"{__name__="scrape_series_added", instance="i", job="j"} 1000=2 2000=0 3000=0 4000=1"#]
    );
}

#[test]
fn explicit_timestamps_are_not_marked_stale() {
    let db = MemStorage::new();
    let mut c = cache(honoring());
    check(&mut c, &db, &[Some("a 1 900\n"), Some("")]);
    assert_eq!(dump(&db, "a"), vec![r#"{__name__="a", instance="i", job="j"} 900=1"#]);
}

#[test]
fn failed_scrape_marks_everything_stale_and_reports_down() {
    let db = MemStorage::new();
    let mut c = cache(honoring());
    let err = check(&mut c, &db, &[Some("a 1\n"), None, None, Some("a 4\n")]);
    assert_eq!(err, None);
    assert_eq!(dump(&db, "a"), vec![r#"{__name__="a", instance="i", job="j"} 1000=1 2000=stale 4000=4"#]);
    assert_eq!(dump(&db, "up"), vec![r#"{__name__="up", instance="i", job="j"} 1000=1 2000=0 3000=0 4000=1"#]);
}

#[test]
fn parse_errors_fail_the_scrape_and_keep_nothing() {
    let db = MemStorage::new();
    let mut c = cache(honoring());
    let err = check(&mut c, &db, &[Some("a 1\n"), Some("a 2\nb{ 3\n")]).unwrap();
    assert!(err.starts_with("parse error: 2:"), "{err}");
    assert_eq!(dump(&db, "a|b"), vec![r#"{__name__="a", instance="i", job="j"} 1000=1 2000=stale"#]);
    assert_eq!(dump(&db, "up"), vec![r#"{__name__="up", instance="i", job="j"} 1000=1 2000=0"#]);
}

#[test]
fn sample_limit_fails_the_whole_scrape() {
    let db = MemStorage::new();
    let limits = SampleLimits { sample_limit: 2, ..SampleLimits::default() };
    let mut c = cache(SampleOptions { limits, ..honoring() });
    let err = check(&mut c, &db, &[Some("a 1\n"), Some("a 2\nb 2\nc 2\n")]).unwrap();
    assert_eq!(err, "sample limit exceeded: 3 samples > limit 2");
    assert_eq!(dump(&db, "a|b|c"), vec![r#"{__name__="a", instance="i", job="j"} 1000=1 2000=stale"#]);
    assert_eq!(dump(&db, "up"), vec![r#"{__name__="up", instance="i", job="j"} 1000=1 2000=0"#]);
    assert_eq!(
        dump(&db, "scrape_samples_scraped"),
        vec![r#"{__name__="scrape_samples_scraped", instance="i", job="j"} 1000=1 2000=3"#]
    );
}

#[test]
fn label_limits_fail_the_scrape() {
    let db = MemStorage::new();
    let limits = SampleLimits { label_limit: 3, ..SampleLimits::default() };
    let mut c = cache(SampleOptions { limits, ..honoring() });
    let err = check(&mut c, &db, &[Some("a{x=\"1\",y=\"2\"} 1\n")]).unwrap();
    assert!(err.contains("label_limit exceeded (metric: a, number of labels: 5, limit: 3)"), "{err}");
    let mut c = cache(SampleOptions {
        limits: SampleLimits { label_value_length_limit: 3, ..SampleLimits::default() },
        ..honoring()
    });
    let err = check(&mut c, &db, &[Some("a{x=\"long\"} 1\n")]).unwrap_or_default();
    assert!(err.contains("label_value_length_limit exceeded"), "{err}");
    assert!(dump(&db, "a").is_empty());
}

fn drop_rule(regex: &str) -> RelabelRule {
    let mut spec = RuleSpec::new(Action::Drop);
    spec.source_labels = vec!["__name__".into()];
    spec.regex = regex.into();
    RelabelRule::new(spec).unwrap()
}

#[test]
fn metric_relabeling_drops_series_and_caches_the_verdict() {
    let db = MemStorage::new();
    let mut c = cache(SampleOptions { metric_relabel: vec![drop_rule("go_.*")], ..honoring() });
    check(&mut c, &db, &[Some("go_gc 1\napp 1\n"), Some("go_gc 2\napp 2\n")]);
    assert_eq!(dump(&db, "go_gc|app"), vec![r#"{__name__="app", instance="i", job="j"} 1000=1 2000=2"#]);
    assert_eq!(
        dump(&db, "scrape_samples_post_metric_relabeling"),
        vec![r#"{__name__="scrape_samples_post_metric_relabeling", instance="i", job="j"} 1000=1 2000=1"#]
    );
    assert_eq!(c.len(), 2);
}

#[test]
fn relabeling_two_lines_into_one_series_does_not_mark_it_stale() {
    let db = MemStorage::new();
    let mut spec = RuleSpec::new(Action::LabelDrop);
    spec.regex = "x".into();
    let rule = RelabelRule::new(spec).unwrap();
    let mut c = cache(SampleOptions { metric_relabel: vec![rule], ..honoring() });
    check(&mut c, &db, &[Some("a{x=\"1\"} 1\na{x=\"2\"} 1\n"), Some("a{x=\"2\"} 2\n")]);
    assert_eq!(dump(&db, "a"), vec![r#"{__name__="a", instance="i", job="j"} 1000=1 2000=2"#]);
}

#[test]
fn cache_forgets_series_unused_for_two_scrapes() {
    let db = MemStorage::new();
    let mut c = cache(honoring());
    check(&mut c, &db, &[Some("a 1\nb 1\n"), Some("a 1\n")]);
    assert_eq!(c.len(), 2);
    check(&mut c, &db, &[Some("a 1\n")]);
    assert_eq!(c.len(), 1);
}

#[test]
fn end_of_run_marks_last_series_and_report_stale() {
    let db = MemStorage::new();
    let mut c = cache(honoring());
    check(&mut c, &db, &[Some("a 1\n")]);
    c.end_of_run(&db, 1500).unwrap();
    assert_eq!(dump(&db, "a"), vec![r#"{__name__="a", instance="i", job="j"} 1000=1 1500=stale"#]);
    assert_eq!(dump(&db, "up"), vec![r#"{__name__="up", instance="i", job="j"} 1000=1 1500=stale"#]);
}

#[test]
fn openmetrics_and_metadata() {
    let db = MemStorage::new();
    let mut c = cache(honoring());
    let body = "# TYPE req_requests counter\n# HELP req_requests Requests.\n# UNIT req_requests requests\nreq_requests_total 3 1.5\n# EOF\n";
    let out = c.ingest(&db, Ok((body.as_bytes(), Some("application/openmetrics-text; version=1.0.0"))), 2000, 0.1);
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(
        dump(&db, "req_requests_total"),
        vec![r#"{__name__="req_requests_total", instance="i", job="j"} 1500=3"#]
    );
    let md = c.take_metadata_if_changed().unwrap();
    let m = &md["req_requests"];
    assert_eq!((m.metric_type.as_str(), m.help.as_str(), m.unit.as_str()), ("counter", "Requests.", "requests"));
    // Unchanged metadata is not handed out again.
    c.ingest(&db, Ok((body.as_bytes(), Some("application/openmetrics-text; version=1.0.0"))), 3000, 0.1);
    assert!(c.take_metadata_if_changed().is_none());
}
