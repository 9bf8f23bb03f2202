//! Service discovery: turns the configuration's discovery sections into target groups per job.
//!
//! Today only `static_configs` discover anything. The other mechanisms (`file_sd_configs`,
//! `http_sd_configs`, `kubernetes_sd_configs`, `dns_sd_configs`) parse and validate in
//! `vigil-config`, and [`unsupported_mechanisms`] names them so the binary can log that they are
//! not active yet instead of silently scraping nothing.
//!
//! ```
//! let cfg = vigil_config::Config::from_yaml_str(
//!     "scrape_configs:\n  - job_name: api\n    static_configs:\n      - targets: ['a:1', 'b:2']\n        labels: {env: prod}\n",
//!     "prometheus.yml",
//! ).unwrap();
//! let sets = vigil_discovery::static_target_sets(&cfg);
//! let groups = &sets["api"];
//! assert_eq!(groups[0].targets.len(), 2);
//! assert_eq!(groups[0].labels.get("env"), Some("prod"));
//! ```
#![deny(missing_docs)]

use std::collections::HashMap;
use vigil_config::{Config, ScrapeConfig};
use vigil_model::{Labels, LabelsBuilder, TargetGroup};

/// The label holding a target's `host:port`.
pub const ADDRESS_LABEL: &str = "__address__";

/// Target groups per job name, from every job's `static_configs`. Every job of the config gets an
/// entry, possibly empty, so that a job whose targets all went away is stopped.
pub fn static_target_sets(cfg: &Config) -> HashMap<String, Vec<TargetGroup>> {
    cfg.scrape_configs.iter().map(|sc| (sc.job_name.clone(), static_groups(sc))).collect()
}

fn static_groups(sc: &ScrapeConfig) -> Vec<TargetGroup> {
    sc.static_configs
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let mut labels = LabelsBuilder::new();
            for (name, value) in &st.labels.0 {
                labels.set(name, value);
            }
            TargetGroup {
                targets: st.targets.iter().map(|t| Labels::from_pairs(&[(ADDRESS_LABEL, t.as_str())])).collect(),
                labels: labels.build(),
                source: format!("{}/static/{i}", sc.job_name),
            }
        })
        .collect()
}

/// `(job, mechanism)` pairs for discovery sections that Vigil parses but does not run yet.
pub fn unsupported_mechanisms(cfg: &Config) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for sc in &cfg.scrape_configs {
        let mut note = |present: bool, what: &'static str| {
            if present {
                out.push((sc.job_name.clone(), what));
            }
        };
        note(!sc.file_sd_configs.is_empty(), "file_sd_configs");
        note(!sc.http_sd_configs.is_empty(), "http_sd_configs");
        note(!sc.kubernetes_sd_configs.is_empty(), "kubernetes_sd_configs");
        note(!sc.dns_sd_configs.is_empty(), "dns_sd_configs");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(yaml: &str) -> Config {
        Config::from_yaml_str(yaml, "test.yml").unwrap()
    }

    #[test]
    fn every_job_gets_an_entry_and_groups_keep_order() {
        let cfg = config(
            "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['x:1']\n      - targets: ['y:2']\n        labels: {team: t}\n  - job_name: k\n    kubernetes_sd_configs:\n      - role: pod\n",
        );
        let sets = static_target_sets(&cfg);
        assert_eq!(sets["a"].len(), 2);
        assert_eq!(sets["a"][1].targets[0].get(ADDRESS_LABEL), Some("y:2"));
        assert_eq!(sets["a"][1].labels.get("team"), Some("t"));
        assert!(sets["k"].is_empty());
        assert_eq!(unsupported_mechanisms(&cfg), vec![("k".to_owned(), "kubernetes_sd_configs")]);
    }
}
