//! `scrape_configs` entries.

use crate::error::Pos;
use crate::global::{
    DEFAULT_PROTO_FIRST_SCRAPE_PROTOCOLS, DEFAULT_SCRAPE_PROTOCOLS, GlobalConfig, parse_scheme, protocols,
    validate_protocol, validate_protocols,
};
use crate::http::http_client_fields;
use crate::relabel::RelabelConfig;
use crate::sd::{DnsSdConfig, FileSdConfig, HttpSdConfig, KubernetesSdConfig, StaticConfig};
use crate::types::{ByteSize, Duration, null_as_default};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use vigil_model::relabel::NameValidation;

fn metrics_path() -> String {
    "/metrics".into()
}

fn http() -> String {
    "http".into()
}

fn yes() -> bool {
    true
}

http_client_fields! {
    /// One `scrape_configs` entry. After loading, inherited values (interval, timeout, limits,
    /// protocols, name validation scheme) are filled in from `global`.
    #[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct ScrapeConfig {
        /// Job name; required and unique.
        pub job_name: String,
        /// Keep the target's labels on conflict instead of prefixing them with `exported_`.
        #[serde(default)]
        pub honor_labels: bool,
        /// Keep timestamps exposed by the target (default true).
        #[serde(default = "yes")]
        pub honor_timestamps: bool,
        /// Write staleness markers for series with explicit timestamps.
        #[serde(default)]
        pub track_timestamps_staleness: bool,
        /// Scrape interval (inherits `global.scrape_interval`).
        #[serde(default)]
        pub scrape_interval: Duration,
        /// Scrape timeout (inherits `global.scrape_timeout`, capped at the interval).
        #[serde(default)]
        pub scrape_timeout: Duration,
        /// Protocols offered in the Accept header, most wanted first. Unset, it inherits
        /// `global.scrape_protocols`, else defaults by `scrape_native_histograms`; always set
        /// after loading.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub scrape_protocols: Option<Vec<String>>,
        /// Store native histograms from protobuf scrapes (inherits global, default false). Off,
        /// a protobuf histogram is stored as its classic series.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub scrape_native_histograms: Option<bool>,
        /// Also store the classic series of histograms exposed with a native part (inherits
        /// global); `scrape_classic_histograms` is its Prometheus 2.x name.
        #[serde(default, alias = "scrape_classic_histograms", skip_serializing_if = "Option::is_none")]
        pub always_scrape_classic_histograms: Option<bool>,
        /// Convert classic histograms into native histograms with custom buckets (inherits
        /// global). Parsed and validated; the scraper does not convert yet.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub convert_classic_histograms_to_nhcb: Option<bool>,
        /// Most buckets a native histogram may keep: above it, resolution is reduced until it
        /// fits, and the scrape fails if it cannot (0 = no limit).
        #[serde(default)]
        pub native_histogram_bucket_limit: u64,
        /// Smallest growth factor between neighbouring native histogram buckets: finer schemas
        /// are reduced to the first one at least this coarse (0 = no minimum).
        #[serde(default)]
        pub native_histogram_min_bucket_factor: f64,
        /// Protocol used when the target's Content-Type is missing or unknown.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        pub fallback_scrape_protocol: String,
        /// Ask for gzip (default true).
        #[serde(default = "yes")]
        pub enable_compression: bool,
        /// HTTP path (default `/metrics`).
        #[serde(default = "metrics_path")]
        pub metrics_path: String,
        /// `http` (default) or `https`.
        #[serde(default = "http")]
        pub scheme: String,
        /// URL query parameters.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        pub params: BTreeMap<String, Vec<String>>,
        /// Uncompressed body size limit (0 = none; inherits global).
        #[serde(default)]
        pub body_size_limit: ByteSize,
        /// Per-scrape sample limit (0 = none; inherits global).
        #[serde(default)]
        pub sample_limit: u64,
        /// Target limit after relabeling (0 = none; inherits global).
        #[serde(default)]
        pub target_limit: u64,
        /// Label count limit per sample (0 = none; inherits global).
        #[serde(default)]
        pub label_limit: u64,
        /// Label name length limit (0 = none; inherits global).
        #[serde(default)]
        pub label_name_length_limit: u64,
        /// Label value length limit (0 = none; inherits global).
        #[serde(default)]
        pub label_value_length_limit: u64,
        /// Dropped targets kept for the targets page (0 = no limit; inherits global).
        #[serde(default)]
        pub keep_dropped_targets: u64,
        /// `utf8` or `legacy` (inherits global).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        pub metric_name_validation_scheme: String,
        /// Static targets.
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
        /// Relabeling of discovered targets.
        #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
        pub relabel_configs: Vec<RelabelConfig>,
        /// Relabeling of scraped samples.
        #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
        pub metric_relabel_configs: Vec<RelabelConfig>,
        #[serde(skip)]
        pub(crate) pos: Pos,
    }
}

impl ScrapeConfig {
    /// Where the entry starts in its file.
    pub fn pos(&self) -> Pos {
        self.pos
    }

    /// The protocols offered, most wanted first (set by loading).
    pub fn protocols(&self) -> &[String] {
        self.scrape_protocols.as_deref().unwrap_or_default()
    }

    /// Whether native histograms are stored.
    pub fn native_histograms_enabled(&self) -> bool {
        self.scrape_native_histograms == Some(true)
    }

    /// Whether classic series are kept beside native histograms.
    pub fn always_scrape_classic_histograms_enabled(&self) -> bool {
        self.always_scrape_classic_histograms == Some(true)
    }

    /// Whether classic histograms are to be converted to native ones with custom buckets.
    pub fn convert_classic_histograms_to_nhcb_enabled(&self) -> bool {
        self.convert_classic_histograms_to_nhcb == Some(true)
    }

    /// The label name scheme in force for this job.
    pub fn name_validation(&self) -> NameValidation {
        parse_scheme(&self.metric_name_validation_scheme).unwrap_or_default()
    }

    /// Fills inherited values from `global` and checks the entry (except job name uniqueness,
    /// which needs the whole list).
    pub(crate) fn validate(&mut self, global: &GlobalConfig) -> Result<(), String> {
        if self.job_name.is_empty() {
            return Err("job_name is empty".into());
        }
        self.validate_http()?;
        if self.scrape_interval.is_zero() {
            self.scrape_interval = global.scrape_interval;
        }
        if self.scrape_timeout.is_zero() {
            self.scrape_timeout = global.scrape_timeout.min(self.scrape_interval);
        }
        if self.scrape_timeout > self.scrape_interval {
            return Err(format!(
                "scrape timeout {} greater than scrape interval {} for scrape config with job name {:?}",
                self.scrape_timeout, self.scrape_interval, self.job_name
            ));
        }
        if self.scheme != "http" && self.scheme != "https" {
            return Err(format!("unsupported scheme {:?} (want http or https)", self.scheme));
        }
        self.scrape_native_histograms.get_or_insert(global.scrape_native_histograms.unwrap_or(false));
        self.always_scrape_classic_histograms.get_or_insert(global.always_scrape_classic_histograms);
        self.convert_classic_histograms_to_nhcb.get_or_insert(global.convert_classic_histograms_to_nhcb);
        let job = format!("for scrape config with job name {:?}", self.job_name);
        let native = self.native_histograms_enabled();
        let list = self.scrape_protocols.get_or_insert_with(|| match &global.scrape_protocols {
            Some(list) => list.clone(),
            None if native => protocols(&DEFAULT_PROTO_FIRST_SCRAPE_PROTOCOLS),
            None => protocols(&DEFAULT_SCRAPE_PROTOCOLS),
        });
        validate_protocols(list, &job)?;
        if !self.fallback_scrape_protocol.is_empty() {
            validate_protocol(&self.fallback_scrape_protocol)
                .map_err(|e| format!("invalid fallback_scrape_protocol {job}: {e}"))?;
        }

        inherit(&mut self.body_size_limit.0, global.body_size_limit.0);
        inherit(&mut self.sample_limit, global.sample_limit);
        inherit(&mut self.target_limit, global.target_limit);
        inherit(&mut self.label_limit, global.label_limit);
        inherit(&mut self.label_name_length_limit, global.label_name_length_limit);
        inherit(&mut self.label_value_length_limit, global.label_value_length_limit);
        inherit(&mut self.keep_dropped_targets, global.keep_dropped_targets);
        if self.metric_name_validation_scheme.is_empty() {
            self.metric_name_validation_scheme = global.metric_name_validation_scheme.clone();
        }
        let scheme = parse_scheme(&self.metric_name_validation_scheme)?;
        for (g, sc) in self.static_configs.iter().enumerate() {
            for (i, t) in sc.targets.iter().enumerate() {
                if t.is_empty() {
                    return Err(format!("static_configs[{g}].targets[{i}]: no address"));
                }
                if t.contains('/') {
                    return Err(format!(
                        "static_configs[{g}].targets[{i}]: {t:?} is not a valid hostname (write host:port; use scheme and metrics_path for the rest)"
                    ));
                }
            }
            if let Some(n) = sc.labels.0.keys().find(|n| !scheme.is_valid(n)) {
                return Err(format!("{n:?} is not a valid label name"));
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
        if scheme == NameValidation::Legacy {
            recompile_all(&mut self.relabel_configs, "relabel_configs", scheme)?;
            recompile_all(&mut self.metric_relabel_configs, "metric_relabel_configs", scheme)?;
        }
        Ok(())
    }
}

/// Re-validates relabel entries under a stricter name scheme.
pub(crate) fn recompile_all(list: &mut [RelabelConfig], what: &str, scheme: NameValidation) -> Result<(), String> {
    for (i, r) in list.iter_mut().enumerate() {
        let pos = r.pos();
        r.recompile(scheme).map_err(|e| format!("{what}[{i}] at {pos}: {e}"))?;
    }
    Ok(())
}

fn inherit(value: &mut u64, global: u64) {
    if *value == 0 {
        *value = global;
    }
}
