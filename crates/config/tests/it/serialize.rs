//! The effective config written back as YAML (for `/api/v1/status/config`): defaults and
//! inherited values filled in, secrets redacted, and loadable again.

use super::testdata;
use vigil_config::Config;

fn load(yaml: &str) -> Config {
    Config::from_yaml_str(yaml, "test.yml").unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn secrets_are_redacted() {
    let cfg = load(
        "scrape_configs:\n  - job_name: a\n    basic_auth: {username: u, password: hunter2}\n  - job_name: b\n    bearer_token: tok-123\n\
         remote_write:\n  - url: http://rw/write\n    authorization: {credentials: cred-456}\n    tls_config: {cert: C, key: key-789}\n",
    );
    let yaml = cfg.to_yaml().unwrap();
    for secret in ["hunter2", "tok-123", "cred-456", "key-789"] {
        assert!(!yaml.contains(secret), "{secret} leaked:\n{yaml}");
    }
    assert_eq!(yaml.matches("<secret>").count(), 4, "{yaml}");
    // Debug output is redacted too.
    assert!(!format!("{cfg:?}").contains("hunter2"));
    // The values themselves are still available to the components that send them.
    assert_eq!(cfg.scrape_configs[0].basic_auth.as_ref().unwrap().password.expose(), "hunter2");
}

#[test]
fn legacy_bearer_token_becomes_authorization() {
    let cfg = load("scrape_configs:\n  - job_name: b\n    bearer_token_file: /var/run/token\n");
    let sc = &cfg.scrape_configs[0];
    let auth = sc.authorization.as_ref().unwrap();
    assert_eq!(auth.kind, "Bearer");
    assert_eq!(auth.credentials_file, "/var/run/token");
    assert!(sc.bearer_token_file.is_empty());
    let yaml = cfg.to_yaml().unwrap();
    assert!(yaml.contains("credentials_file: /var/run/token"), "{yaml}");
    assert!(!yaml.contains("bearer_token_file"), "{yaml}");
}

#[test]
fn defaults_are_filled_in() {
    let cfg = load("scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ['x:1']}]\n");
    let yaml = cfg.to_yaml().unwrap();
    for line in [
        "scrape_interval: 1m",
        "scrape_timeout: 10s",
        "evaluation_interval: 1m",
        "metrics_path: /metrics",
        "scheme: http",
        "honor_timestamps: true",
        "enable_compression: true",
        "follow_redirects: true",
    ] {
        assert!(yaml.contains(line), "missing {line:?} in\n{yaml}");
    }
}

#[test]
fn inheritance_from_global() {
    let cfg = load(
        "global:\n  scrape_interval: 5s\n  sample_limit: 100\n  body_size_limit: 1MB\n\
         scrape_configs:\n  - job_name: fast\n  - job_name: own\n    scrape_interval: 1m\n    sample_limit: 7\n",
    );
    assert_eq!(cfg.global.scrape_timeout.as_millis(), 5_000, "default timeout capped at the interval");
    let fast = cfg.scrape_config("fast").unwrap();
    assert_eq!((fast.scrape_interval.as_millis(), fast.scrape_timeout.as_millis()), (5_000, 5_000));
    assert_eq!(fast.sample_limit, 100);
    assert_eq!(fast.body_size_limit.0, 1 << 20);
    let own = cfg.scrape_config("own").unwrap();
    assert_eq!((own.scrape_interval.as_millis(), own.scrape_timeout.as_millis()), (60_000, 5_000));
    assert_eq!(own.sample_limit, 7);
}

#[test]
fn scrape_protocol_defaults_follow_scrape_native_histograms_as_in_prometheus_3_8() {
    let text = ["OpenMetricsText1.0.0", "OpenMetricsText0.0.1", "PrometheusText1.0.0", "PrometheusText0.0.4"];
    let proto_first = [
        "PrometheusProto",
        "OpenMetricsText1.0.0",
        "OpenMetricsText0.0.1",
        "PrometheusText1.0.0",
        "PrometheusText0.0.4",
    ];
    let cfg = load(
        "scrape_configs:\n  - job_name: plain\n  - job_name: native\n    scrape_native_histograms: true\n\
         \n  - job_name: own\n    scrape_native_histograms: true\n    scrape_protocols: [PrometheusText0.0.4]\n",
    );
    let plain = cfg.scrape_config("plain").unwrap();
    assert_eq!(plain.protocols(), text);
    assert!(!plain.native_histograms_enabled() && !plain.always_scrape_classic_histograms_enabled());
    assert_eq!(cfg.scrape_config("native").unwrap().protocols(), proto_first);
    assert_eq!(cfg.scrape_config("own").unwrap().protocols(), ["PrometheusText0.0.4"]);

    // A global list wins over the native-histogram default; the global flags are inherited.
    let cfg = load(
        "global:\n  scrape_protocols: [PrometheusText1.0.0]\n  scrape_native_histograms: true\n\
         \n  always_scrape_classic_histograms: true\nscrape_configs:\n  - job_name: a\n\
         \n  - job_name: b\n    scrape_classic_histograms: false\n    native_histogram_bucket_limit: 10\n",
    );
    let a = cfg.scrape_config("a").unwrap();
    assert_eq!(a.protocols(), ["PrometheusText1.0.0"]);
    assert!(a.native_histograms_enabled() && a.always_scrape_classic_histograms_enabled());
    let b = cfg.scrape_config("b").unwrap();
    assert!(!b.always_scrape_classic_histograms_enabled(), "the 2.x name sets the same option");
    assert_eq!(b.native_histogram_bucket_limit, 10);
}

#[test]
fn merge_keys_are_honoured() {
    let cfg = Config::load(testdata("good").join("merge_keys.yml")).unwrap();
    let derived = cfg.scrape_config("derived").unwrap();
    assert_eq!(derived.metrics_path, "/custom/metrics");
    assert_eq!(derived.scrape_interval.as_millis(), 30_000);
    assert_eq!(derived.static_configs[0].targets, ["derived:80"], "local keys override merged ones");
    assert_eq!(cfg.scrape_config("base").unwrap().static_configs[0].targets, ["base:80"]);
}

#[test]
fn written_config_loads_again_unchanged() {
    for name in ["full.yml", "relabel_actions.yml", "http_sd_dns_file.yml", "kubernetes.yml", "prometheus3_fields.yml"]
    {
        let path = testdata("good").join(name);
        let cfg = Config::load(&path).unwrap();
        let yaml = cfg.to_yaml().unwrap();
        let again = Config::from_yaml_str(&yaml, &path.display().to_string())
            .unwrap_or_else(|e| panic!("{name}: written config does not load: {e}\n{yaml}"));
        // Secrets come back as "<secret>", everything else must be identical.
        let mut a = cfg.clone();
        let mut b = again.clone();
        for c in [&mut a, &mut b] {
            for sc in &mut c.scrape_configs {
                sc.basic_auth = None;
                sc.authorization = None;
            }
            for rw in &mut c.remote_write {
                rw.authorization = None;
            }
        }
        assert_eq!(a.to_yaml().unwrap(), b.to_yaml().unwrap(), "{name}");
        if let Some(auth) = again.scrape_configs.iter().find_map(|s| s.basic_auth.as_ref()) {
            assert_eq!(auth.password.expose(), "<secret>", "{name}: a reloaded secret is the placeholder");
        }
    }
}

#[test]
fn scrape_config_files_are_merged() {
    let cfg = Config::load(testdata("good").join("scrape_config_files.yml")).unwrap();
    let jobs: Vec<&str> = cfg.scrape_configs.iter().map(|s| s.job_name.as_str()).collect();
    assert_eq!(jobs, ["main", "from-file"]);
    assert_eq!(cfg.scrape_config("from-file").unwrap().scrape_interval.as_millis(), 60_000);
}

#[test]
fn duplicate_job_across_scrape_config_files_names_both_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("extra.yml"), "scrape_configs:\n  - job_name: dup\n").unwrap();
    let main = dir.path().join("prometheus.yml");
    std::fs::write(&main, "scrape_config_files: [extra.yml]\nscrape_configs:\n  - job_name: dup\n").unwrap();
    let err = Config::load(&main).unwrap_err().to_string();
    let extra = dir.path().join("extra.yml");
    assert!(err.starts_with(&format!("{}:2:5: scrape_configs[1]", extra.display())), "{err}");
    assert!(err.contains(&format!("(first at {}:3:5)", main.display())), "{err}");
}

#[test]
fn rule_files_resolve_against_the_config_directory() {
    let cfg =
        Config::from_yaml_str("rule_files: ['rules/*.yml', '/abs/x.yml']\n", "/etc/vigil/prometheus.yml").unwrap();
    assert_eq!(cfg.rule_files, ["rules/*.yml", "/abs/x.yml"]);
    let resolved: Vec<String> = cfg.rule_file_patterns().iter().map(|p| p.display().to_string()).collect();
    assert_eq!(resolved, ["/etc/vigil/rules/*.yml", "/abs/x.yml"]);
}
