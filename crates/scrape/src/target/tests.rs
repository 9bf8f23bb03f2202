//! Tests for target label computation and scrape URLs.

use super::{Populated, populate};
use crate::pool_config::PoolConfig;
use vigil_model::Labels;
use vigil_model::relabel::{Action, RelabelRule, RuleSpec};

fn rule(action: Action, source: &[&str], regex: &str, target: &str, replacement: &str) -> RelabelRule {
    let mut spec = RuleSpec::new(action);
    spec.source_labels = source.iter().map(|s| (*s).to_owned()).collect();
    spec.regex = regex.to_owned();
    spec.target_label = target.to_owned();
    spec.replacement = replacement.to_owned();
    RelabelRule::new(spec).unwrap()
}

/// Populates `target` (with group labels `{env="prod"}`) and renders the outcome as text.
fn check(cfg: &PoolConfig, target: &[(&str, &str)], want: &str) {
    let group = Labels::from_pairs(&[("env", "prod")]);
    let got = match populate(&group, &Labels::from_pairs(target), cfg) {
        Populated::Active(t) => format!("active {} {} {}/{}", t.labels, t.url, t.interval_ms, t.timeout_ms),
        Populated::Dropped(l, reason) => format!("dropped {l} {reason:?}"),
    };
    assert_eq!(got, want);
}

#[test]
fn defaults() {
    let cfg = PoolConfig::for_tests("node");
    check(
        &cfg,
        &[("__address__", "h:9100")],
        r#"active {env="prod", instance="h:9100", job="node"} http://h:9100/metrics 60000/10000"#,
    );
    // Target labels override group labels; an explicit instance is kept.
    check(
        &cfg,
        &[("__address__", "h:9100"), ("env", "dev"), ("instance", "web")],
        r#"active {env="dev", instance="web", job="node"} http://h:9100/metrics 60000/10000"#,
    );
}

#[test]
fn params_and_labels_build_the_url() {
    let mut cfg = PoolConfig::for_tests("probe");
    cfg.params = vec![("module".into(), vec!["http_2xx".into()]), ("a b".into(), vec!["x&y".into()])];
    cfg.scheme = "https".into();
    cfg.relabel = vec![
        rule(Action::Replace, &["__address__"], "(.*)", "__param_target", "$1"),
        rule(Action::Replace, &[], "(.*)", "__address__", "exporter:9115"),
        rule(Action::Replace, &[], "(.*)", "__metrics_path__", "/probe"),
        rule(Action::Replace, &[], "(.*)", "__scrape_interval__", "30s"),
    ];
    check(
        &cfg,
        &[("__address__", "site.example")],
        r#"active {env="prod", instance="exporter:9115", job="probe"} https://exporter:9115/probe?a+b=x%26y&module=http_2xx&target=site.example 30000/10000"#,
    );
}

#[test]
fn relabel_drop_keep_and_bad_addresses() {
    let mut cfg = PoolConfig::for_tests("node");
    cfg.relabel = vec![rule(Action::Keep, &["env"], "prod", "", "$1")];
    check(
        &cfg,
        &[("__address__", "h:1")],
        r#"active {env="prod", instance="h:1", job="node"} http://h:1/metrics 60000/10000"#,
    );
    check(
        &cfg,
        &[("__address__", "h:1"), ("env", "dev")],
        r#"dropped {__address__="h:1", __metrics_path__="/metrics", __scheme__="http", __scrape_interval__="1m", __scrape_timeout__="10s", env="dev", job="node"} None"#,
    );
    cfg.relabel = vec![rule(Action::LabelDrop, &[], "__address__", "", "$1")];
    check(
        &cfg,
        &[("__address__", "h:1")],
        r#"dropped {__address__="h:1", __metrics_path__="/metrics", __scheme__="http", __scrape_interval__="1m", __scrape_timeout__="10s", env="prod", job="node"} Some("no address")"#,
    );
    cfg.relabel = vec![];
    check(
        &cfg,
        &[("__address__", "h:1/x")],
        r#"dropped {__address__="h:1/x", __metrics_path__="/metrics", __scheme__="http", __scrape_interval__="1m", __scrape_timeout__="10s", env="prod", job="node"} Some("h:1/x is not a valid hostname")"#,
    );
    check(
        &cfg,
        &[("__address__", "h:1"), ("__scrape_timeout__", "2m")],
        r#"dropped {__address__="h:1", __metrics_path__="/metrics", __scheme__="http", __scrape_interval__="1m", __scrape_timeout__="2m", env="prod", job="node"} Some("scrape timeout cannot be greater than scrape interval (2m > 1m)")"#,
    );
}
