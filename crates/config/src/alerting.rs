//! The `alerting` block: where alerts go and how they are relabeled.

use crate::error::Pos;
use crate::http::http_client_fields;
use crate::relabel::RelabelConfig;
use crate::sd::{DnsSdConfig, FileSdConfig, HttpSdConfig, KubernetesSdConfig, StaticConfig};
use crate::types::{Duration, null_as_default};
use serde::{Deserialize, Serialize};

/// `alerting`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AlertingConfig {
    /// Relabeling applied to every alert before sending.
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
    pub alert_relabel_configs: Vec<RelabelConfig>,
    /// Alertmanager sets.
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::spanned::spanned_list")]
    pub alertmanagers: Vec<AlertmanagerConfig>,
}

fn http() -> String {
    "http".into()
}

fn slash() -> String {
    "/".into()
}

fn ten_seconds() -> Duration {
    Duration::from_secs(10)
}

fn v2() -> String {
    "v2".into()
}

http_client_fields! {
    /// One `alertmanagers` entry.
    #[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct AlertmanagerConfig {
        /// `http` (default) or `https`.
        #[serde(default = "http")]
        pub scheme: String,
        /// Path prefix before `/api/v2/alerts` (default `/`).
        #[serde(default = "slash")]
        pub path_prefix: String,
        /// Push timeout (default 10s).
        #[serde(default = "ten_seconds")]
        pub timeout: Duration,
        /// Alertmanager API version; only `v2`.
        #[serde(default = "v2")]
        pub api_version: String,
        /// Static Alertmanager addresses.
        #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
        pub static_configs: Vec<StaticConfig>,
        /// File discovery.
        #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
        pub file_sd_configs: Vec<FileSdConfig>,
        /// HTTP discovery.
        #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
        pub http_sd_configs: Vec<HttpSdConfig>,
        /// Kubernetes discovery.
        #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
        pub kubernetes_sd_configs: Vec<KubernetesSdConfig>,
        /// DNS discovery.
        #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
        pub dns_sd_configs: Vec<DnsSdConfig>,
        /// Relabeling of discovered Alertmanagers.
        #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
        pub relabel_configs: Vec<RelabelConfig>,
        /// Relabeling of alerts sent to this set only.
        #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
        pub alert_relabel_configs: Vec<RelabelConfig>,
        #[serde(skip)]
        pub(crate) pos: Pos,
    }
}

impl crate::spanned::HasPos for AlertmanagerConfig {
    fn set_pos(&mut self, pos: Pos) {
        self.pos = pos;
    }
}

impl AlertmanagerConfig {
    /// Where the entry starts in its file.
    pub fn pos(&self) -> Pos {
        self.pos
    }

    pub(crate) fn validate(&mut self) -> Result<(), String> {
        self.validate_http()?;
        if self.api_version != "v2" {
            return Err(format!("expected Alertmanager api version to be one of [v2], got {:?}", self.api_version));
        }
        if self.scheme != "http" && self.scheme != "https" {
            return Err(format!("unsupported scheme {:?} (want http or https)", self.scheme));
        }
        for (g, sc) in self.static_configs.iter().enumerate() {
            for (i, t) in sc.targets.iter().enumerate() {
                if t.is_empty() {
                    return Err(format!("static_configs[{g}].targets[{i}]: no address"));
                }
                if t.contains('/') {
                    return Err(format!("static_configs[{g}].targets[{i}]: {t:?} is not a valid hostname"));
                }
            }
        }
        for f in &self.file_sd_configs {
            f.validate()?;
        }
        for (i, h) in self.http_sd_configs.iter_mut().enumerate() {
            h.validate().map_err(|e| format!("http_sd_configs[{i}]: {e}"))?;
        }
        for (i, k) in self.kubernetes_sd_configs.iter_mut().enumerate() {
            k.validate().map_err(|e| format!("kubernetes_sd_configs[{i}]: {e}"))?;
        }
        for (i, d) in self.dns_sd_configs.iter_mut().enumerate() {
            d.validate().map_err(|e| format!("dns_sd_configs[{i}]: {e}"))?;
        }
        Ok(())
    }
}
