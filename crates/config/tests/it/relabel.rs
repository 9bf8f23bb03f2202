//! Relabel entries from YAML compile into rules that behave like Prometheus'.

use vigil_config::{Config, compile_rules};
use vigil_model::Labels;
use vigil_model::relabel::process;

fn rules_of(relabel_yaml: &str) -> Vec<vigil_model::relabel::RelabelRule> {
    let yaml = format!("scrape_configs:\n  - job_name: j\n    relabel_configs:\n{relabel_yaml}");
    let cfg = Config::from_yaml_str(&yaml, "r.yml").unwrap_or_else(|e| panic!("{e}"));
    compile_rules(&cfg.scrape_configs[0].relabel_configs)
}

fn check(relabel_yaml: &str, input: &[(&str, &str)], want: Option<&[(&str, &str)]>) {
    let rules = rules_of(relabel_yaml);
    assert_eq!(process(&Labels::from_pairs(input), &rules), want.map(Labels::from_pairs));
}

#[test]
fn kubernetes_pod_annotations_pipeline() {
    // The seed's pod relabeling: keep annotated pods, take path and port from annotations.
    let yaml = "      - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape]\n        action: keep\n        regex: true\n\
                \x20     - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_path]\n        action: replace\n        target_label: __metrics_path__\n        regex: (.+)\n\
                \x20     - source_labels: [__address__, __meta_kubernetes_pod_annotation_prometheus_io_port]\n        action: replace\n        regex: ([^:]+)(?::\\d+)?;(\\d+)\n        replacement: $1:$2\n        target_label: __address__\n";
    check(
        yaml,
        &[
            ("__address__", "10.0.0.7:8080"),
            ("__meta_kubernetes_pod_annotation_prometheus_io_scrape", "true"),
            ("__meta_kubernetes_pod_annotation_prometheus_io_path", "/stats"),
            ("__meta_kubernetes_pod_annotation_prometheus_io_port", "9102"),
        ],
        Some(&[
            ("__address__", "10.0.0.7:9102"),
            ("__meta_kubernetes_pod_annotation_prometheus_io_path", "/stats"),
            ("__meta_kubernetes_pod_annotation_prometheus_io_port", "9102"),
            ("__meta_kubernetes_pod_annotation_prometheus_io_scrape", "true"),
            ("__metrics_path__", "/stats"),
        ]),
    );
    check(yaml, &[("__address__", "10.0.0.8:80")], None);
}

#[test]
fn defaults_from_yaml() {
    let rules = rules_of("      - target_label: env\n        replacement: prod\n");
    let spec = rules[0].spec();
    assert_eq!((spec.separator.as_str(), spec.regex.as_str()), (";", "(.*)"));
    let out = process(&Labels::from_pairs(&[("a", "1")]), &rules).unwrap();
    assert_eq!(out.get("env"), Some("prod"));
}

#[test]
fn hashmod_from_yaml() {
    check(
        "      - source_labels: [__address__]\n        modulus: 3\n        target_label: shard\n        action: hashmod\n",
        &[("__address__", "10.0.0.1:9100")],
        Some(&[("__address__", "10.0.0.1:9100"), ("shard", "2")]),
    );
}

#[test]
fn dollar_templates_survive_yaml() {
    // `${1}` must reach the rule verbatim (no environment interpolation).
    check(
        "      - regex: 'l_(.+)'\n        replacement: 'x_${1}'\n        action: labelmap\n",
        &[("l_a", "1")],
        Some(&[("l_a", "1"), ("x_a", "1")]),
    );
}

#[test]
fn legacy_scheme_rechecks_relabel_targets() {
    let yaml = "global:\n  metric_name_validation_scheme: legacy\nscrape_configs:\n  - job_name: j\n    relabel_configs:\n      - target_label: 'bad-name'\n        replacement: x\n";
    let err = Config::from_yaml_str(yaml, "l.yml").unwrap_err().to_string();
    assert_eq!(
        err,
        "l.yml:4:5: scrape_configs[0] (job \"j\"): relabel_configs[0] at 6:9: \"bad-name\" is invalid 'target_label' for replace action"
    );
    // The same entry is fine under the default UTF-8 scheme.
    assert!(Config::from_yaml_str(&yaml.replace("legacy", "utf8"), "l.yml").is_ok());
}
