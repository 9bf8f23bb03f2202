//! `vigil check config FILE`: what `promtool check config` does.
//!
//! Loads the config (every schema and cross-field check), then, unless `syntax_only`, checks
//! the files it references: rule files matched by `rule_files` must be readable YAML rule
//! groups, credential and client-certificate files must exist, and file SD files must parse.

use crate::config::Config;
use crate::error::Result;
use crate::http::HttpClientConfig;
use serde::Deserialize;
use serde::de::IgnoredAny;
use std::path::{Path, PathBuf};

/// How thorough the check is.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckOptions {
    /// Only check the config file itself (`promtool check config --syntax-only`).
    pub syntax_only: bool,
}

/// One rule file that a `rule_files` glob matched.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleFileCheck {
    /// The file.
    pub path: PathBuf,
    /// Number of groups.
    pub groups: usize,
    /// Number of rules across groups.
    pub rules: usize,
}

/// The outcome of a check whose config loaded.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// The loaded config.
    pub config: Config,
    /// Rule files found and parsed.
    pub rule_files: Vec<RuleFileCheck>,
    /// Failures (the check fails if any).
    pub problems: Vec<String>,
    /// Things worth knowing that do not fail the check.
    pub warnings: Vec<String>,
}

impl CheckReport {
    /// Whether the check passed.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks the config at `path` fully. `Err` means the config itself does not load.
pub fn check_config(path: impl AsRef<Path>) -> Result<CheckReport> {
    check_config_with(path, CheckOptions::default())
}

/// Checks the config at `path` with `opts`.
pub fn check_config_with(path: impl AsRef<Path>, opts: CheckOptions) -> Result<CheckReport> {
    let config = Config::load(path)?;
    let mut report = CheckReport { config, rule_files: Vec::new(), problems: Vec::new(), warnings: Vec::new() };
    if opts.syntax_only {
        return Ok(report);
    }
    check_rule_files(&mut report);
    check_referenced_files(&mut report);
    Ok(report)
}

#[derive(Debug, Default, Deserialize)]
struct RuleGroups {
    #[serde(default)]
    groups: Vec<RuleGroup>,
}

#[derive(Debug, Deserialize)]
struct RuleGroup {
    name: String,
    #[serde(default)]
    rules: Vec<IgnoredAny>,
}

fn check_rule_files(report: &mut CheckReport) {
    for (pattern, resolved) in report.config.rule_files.clone().iter().zip(report.config.rule_file_patterns()) {
        let files = crate::glob::glob(&resolved);
        if files.is_empty() {
            report.warnings.push(format!("rule_files pattern {pattern:?} matches no file"));
        }
        for f in files {
            let name = f.display().to_string();
            let text = match std::fs::read_to_string(&f) {
                Ok(t) => t,
                Err(e) => {
                    report.problems.push(format!("{name}: cannot read rule file: {e}"));
                    continue;
                }
            };
            match crate::load::parse_yaml::<RuleGroups>(&text, &name) {
                Ok(g) => {
                    let mut seen = std::collections::HashSet::new();
                    for group in &g.groups {
                        if group.name.is_empty() {
                            report.problems.push(format!("{name}: groupname must not be empty"));
                        } else if !seen.insert(group.name.clone()) {
                            report.problems.push(format!("{name}: {:?}: repeated in the same file", group.name));
                        }
                    }
                    let rules = g.groups.iter().map(|g| g.rules.len()).sum();
                    report.rule_files.push(RuleFileCheck { path: f, groups: g.groups.len(), rules });
                }
                Err(e) => report.problems.push(format!("rule file: {e}")),
            }
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SdFileGroup {
    #[serde(default)]
    #[allow(dead_code)]
    targets: Vec<String>,
    #[serde(default)]
    #[allow(dead_code)]
    labels: std::collections::BTreeMap<String, String>,
}

fn check_referenced_files(report: &mut CheckReport) {
    let cfg = &report.config;
    let mut problems = Vec::new();
    let mut check_client = |owner: &str, c: &HttpClientConfig| {
        let mut files = Vec::new();
        if let Some(a) = &c.authorization {
            files.push(("authorization credentials or bearer token file", &a.credentials_file));
        }
        files.push(("client cert file", &c.tls_config.cert_file));
        files.push(("client key file", &c.tls_config.key_file));
        for (what, f) in files {
            if f.is_empty() {
                continue;
            }
            let p = cfg.resolve_path(f);
            if let Err(e) = std::fs::metadata(&p) {
                problems.push(format!("{owner}: error checking {what} {f:?}: {e}"));
            }
        }
    };
    for sc in &cfg.scrape_configs {
        let owner = format!("job {:?}", sc.job_name);
        check_client(&owner, &sc.http_client());
        for k in &sc.kubernetes_sd_configs {
            check_client(&owner, &k.http_client());
        }
    }
    for (i, am) in cfg.alerting.alertmanagers.iter().enumerate() {
        let owner = format!("alerting.alertmanagers[{i}]");
        check_client(&owner, &am.http_client());
        for k in &am.kubernetes_sd_configs {
            check_client(&owner, &k.http_client());
        }
    }
    let sd_files = cfg.scrape_configs.iter().flat_map(|s| s.file_sd_configs.iter()).flat_map(|f| f.files.iter());
    for pattern in sd_files {
        for f in crate::glob::glob(&cfg.resolve_path(pattern)) {
            let name = f.display().to_string();
            match std::fs::read_to_string(&f) {
                Ok(text) => {
                    if let Err(e) = crate::load::parse_yaml::<Vec<SdFileGroup>>(&text, &name) {
                        problems.push(format!("file SD: {e}"));
                    }
                }
                Err(e) => problems.push(format!("{name}: {e}")),
            }
        }
    }
    report.problems.extend(problems);
}
