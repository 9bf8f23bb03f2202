//! The top-level [`Config`] and the checks that span several blocks.

use crate::alerting::AlertingConfig;
use crate::error::{Error, Pos, Result};
use crate::global::GlobalConfig;
use crate::remote::{RemoteReadConfig, RemoteWriteConfig};
use crate::scrape::{ScrapeConfig, recompile_all};
use crate::spanned::{HasPos, spanned_list, spanned_one};
use crate::storage::StorageConfig;
use crate::telemetry::{OtlpConfig, TracingConfig};
use crate::types::null_as_default;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use vigil_model::relabel::NameValidation;

/// A whole `prometheus.yml`, validated, with defaults and inherited values filled in.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `global`.
    #[serde(default, deserialize_with = "spanned_one")]
    pub global: GlobalConfig,
    /// Rule file globs as written (see [`Config::rule_file_patterns`] for resolved paths).
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::glob::pattern_list")]
    pub rule_files: Vec<String>,
    /// Globs of files holding more `scrape_configs` (already merged into `scrape_configs`).
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::glob::pattern_list")]
    pub scrape_config_files: Vec<String>,
    /// Scrape jobs.
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "spanned_list")]
    pub scrape_configs: Vec<ScrapeConfig>,
    /// `alerting`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub alerting: AlertingConfig,
    /// `remote_write`.
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "spanned_list")]
    pub remote_write: Vec<RemoteWriteConfig>,
    /// `remote_read`.
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "spanned_list")]
    pub remote_read: Vec<RemoteReadConfig>,
    /// `storage`.
    #[serde(default, deserialize_with = "spanned_one")]
    pub storage: StorageConfig,
    /// `tracing`.
    #[serde(default, deserialize_with = "spanned_one")]
    pub tracing: TracingConfig,
    /// `otlp`.
    #[serde(default, deserialize_with = "spanned_one")]
    pub otlp: OtlpConfig,
    /// Name of the file the config came from (for messages).
    #[serde(skip)]
    pub source: String,
    /// Directory relative paths are resolved against.
    #[serde(skip)]
    pub base_dir: PathBuf,
}

impl HasPos for GlobalConfig {
    fn set_pos(&mut self, pos: Pos) {
        self.pos = pos;
    }
}

impl HasPos for crate::storage::StorageConfig {
    fn set_pos(&mut self, pos: Pos) {
        self.pos = pos;
    }
}

impl HasPos for crate::telemetry::TracingConfig {
    fn set_pos(&mut self, pos: Pos) {
        self.pos = pos;
    }
}

impl HasPos for crate::telemetry::OtlpConfig {
    fn set_pos(&mut self, pos: Pos) {
        self.pos = pos;
    }
}

impl HasPos for ScrapeConfig {
    fn set_pos(&mut self, pos: Pos) {
        self.pos = pos;
    }
}

/// A file holding only `scrape_configs` (referenced from `scrape_config_files`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScrapeConfigsFile {
    #[serde(default, deserialize_with = "spanned_list")]
    pub(crate) scrape_configs: Vec<ScrapeConfig>,
}

impl Config {
    /// `path` relative to the config file's directory (absolute paths unchanged).
    pub fn resolve_path(&self, path: &str) -> PathBuf {
        let p = Path::new(path);
        if p.is_absolute() || path.is_empty() { p.to_path_buf() } else { self.base_dir.join(p) }
    }

    /// The rule file globs resolved against the config file's directory.
    pub fn rule_file_patterns(&self) -> Vec<PathBuf> {
        self.rule_files.iter().map(|r| self.resolve_path(r)).collect()
    }

    /// The label name scheme in force globally.
    pub fn name_validation(&self) -> NameValidation {
        self.global.name_validation()
    }

    /// The scrape config of `job`.
    pub fn scrape_config(&self, job: &str) -> Option<&ScrapeConfig> {
        self.scrape_configs.iter().find(|s| s.job_name == job)
    }

    /// Runs every check that needs more than one field, filling in inherited values.
    /// `file_of` names the file each scrape config came from (they may come from
    /// `scrape_config_files`).
    pub(crate) fn validate(&mut self, scrape_files: &[String]) -> Result<()> {
        let file = self.source.clone();
        let invalid = |file: &str, pos: Pos, path: String, message: String| Error::Invalid {
            file: file.to_owned(),
            pos,
            path,
            message,
        };
        let gpos = self.global.pos;
        self.global.validate().map_err(|m| invalid(&file, gpos, "global".into(), m))?;
        let mut seen: HashMap<String, (String, Pos)> = HashMap::new();
        for (i, sc) in self.scrape_configs.iter_mut().enumerate() {
            let sc_file = scrape_files.get(i).cloned().unwrap_or_else(|| file.clone());
            let path = format!("scrape_configs[{i}] (job {:?})", sc.job_name);
            sc.validate(&self.global).map_err(|m| invalid(&sc_file, sc.pos, path.clone(), m))?;
            if let Some((first_file, first)) = seen.get(&sc.job_name) {
                return Err(invalid(
                    &sc_file,
                    sc.pos,
                    path,
                    format!(
                        "found multiple scrape configs with job name {:?} (first at {first_file}:{first})",
                        sc.job_name
                    ),
                ));
            }
            seen.insert(sc.job_name.clone(), (sc_file, sc.pos));
        }
        let scheme = self.global.name_validation();
        if scheme == NameValidation::Legacy {
            recompile_all(&mut self.alerting.alert_relabel_configs, "alert_relabel_configs", scheme)
                .map_err(|m| invalid(&file, Pos::default(), "alerting".into(), m))?;
        }
        for (i, am) in self.alerting.alertmanagers.iter_mut().enumerate() {
            let path = format!("alerting.alertmanagers[{i}]");
            am.validate().map_err(|m| invalid(&file, am.pos, path.clone(), m))?;
            if scheme == NameValidation::Legacy {
                recompile_all(&mut am.relabel_configs, "relabel_configs", scheme)
                    .and_then(|()| recompile_all(&mut am.alert_relabel_configs, "alert_relabel_configs", scheme))
                    .map_err(|m| invalid(&file, am.pos, path, m))?;
            }
        }
        let mut names: HashMap<String, Pos> = HashMap::new();
        for (i, rw) in self.remote_write.iter_mut().enumerate() {
            let path = format!("remote_write[{i}]");
            rw.validate().map_err(|m| invalid(&file, rw.pos, path.clone(), m))?;
            if scheme == NameValidation::Legacy {
                recompile_all(&mut rw.write_relabel_configs, "write_relabel_configs", scheme)
                    .map_err(|m| invalid(&file, rw.pos, path.clone(), m))?;
            }
            if !rw.name.is_empty() {
                if let Some(first) = names.get(&rw.name) {
                    return Err(invalid(
                        &file,
                        rw.pos,
                        path,
                        format!("found multiple remote write configs with name {:?} (first at {first})", rw.name),
                    ));
                }
                names.insert(rw.name.clone(), rw.pos);
            }
        }
        names.clear();
        for (i, rr) in self.remote_read.iter_mut().enumerate() {
            let path = format!("remote_read[{i}]");
            rr.validate().map_err(|m| invalid(&file, rr.pos, path.clone(), m))?;
            if !rr.name.is_empty() {
                if let Some(first) = names.get(&rr.name) {
                    return Err(invalid(
                        &file,
                        rr.pos,
                        path,
                        format!("found multiple remote read configs with name {:?} (first at {first})", rr.name),
                    ));
                }
                names.insert(rr.name.clone(), rr.pos);
            }
        }
        self.storage.validate().map_err(|m| invalid(&file, self.storage.pos, "storage".into(), m))?;
        self.tracing.validate().map_err(|m| invalid(&file, self.tracing.pos, "tracing".into(), m))?;
        self.otlp.validate().map_err(|m| invalid(&file, self.otlp.pos, "otlp".into(), m))?;
        Ok(())
    }
}
