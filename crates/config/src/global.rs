//! The `global` block.

use crate::error::Pos;
use crate::types::{ByteSize, Duration, LabelSet};
use serde::{Deserialize, Serialize};
use vigil_model::relabel::NameValidation;

/// The scrape protocols Prometheus 3 negotiates, in its default preference order.
pub const DEFAULT_SCRAPE_PROTOCOLS: [&str; 4] =
    ["OpenMetricsText1.0.0", "OpenMetricsText0.0.1", "PrometheusText1.0.0", "PrometheusText0.0.4"];

/// The defaults of a job that scrapes native histograms (`scrape_native_histograms: true`):
/// protobuf first, since only protobuf carries native histograms.
pub const DEFAULT_PROTO_FIRST_SCRAPE_PROTOCOLS: [&str; 5] =
    ["PrometheusProto", "OpenMetricsText1.0.0", "OpenMetricsText0.0.1", "PrometheusText1.0.0", "PrometheusText0.0.4"];

/// Every protocol name accepted in `scrape_protocols`, sorted as Prometheus lists them.
pub const SCRAPE_PROTOCOLS: [&str; 5] =
    ["OpenMetricsText0.0.1", "OpenMetricsText1.0.0", "PrometheusProto", "PrometheusText0.0.4", "PrometheusText1.0.0"];

/// Default scrape interval (1m).
pub const DEFAULT_SCRAPE_INTERVAL: Duration = Duration::from_secs(60);
/// Default scrape timeout (10s).
pub const DEFAULT_SCRAPE_TIMEOUT: Duration = Duration::from_secs(10);
/// Default rule evaluation interval (1m).
pub const DEFAULT_EVALUATION_INTERVAL: Duration = Duration::from_secs(60);

/// `global`: defaults for every scrape config and for rule evaluation. After loading, the
/// durations are filled in (zero never remains).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GlobalConfig {
    /// Default scrape interval (1m).
    #[serde(default = "default_interval")]
    pub scrape_interval: Duration,
    /// Default scrape timeout (10s, or the interval if that is shorter).
    #[serde(default)]
    pub scrape_timeout: Duration,
    /// Default protocols offered in the Accept header. Unset, each job picks its default from
    /// its `scrape_native_histograms` (as Prometheus 3.8+ does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scrape_protocols: Option<Vec<String>>,
    /// Default of the jobs' `scrape_native_histograms` (false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scrape_native_histograms: Option<bool>,
    /// Default of the jobs' `always_scrape_classic_histograms` (false); `scrape_classic_histograms`
    /// is its Prometheus 2.x name.
    #[serde(default, alias = "scrape_classic_histograms")]
    pub always_scrape_classic_histograms: bool,
    /// Default of the jobs' `convert_classic_histograms_to_nhcb` (false).
    #[serde(default)]
    pub convert_classic_histograms_to_nhcb: bool,
    /// Rule evaluation interval (1m).
    #[serde(default = "default_evaluation")]
    pub evaluation_interval: Duration,
    /// How far rule evaluation lags behind (default 0).
    #[serde(default)]
    pub rule_query_offset: Duration,
    /// Labels added to alerts and remote-written series.
    #[serde(default, skip_serializing_if = "LabelSet::is_empty")]
    pub external_labels: LabelSet,
    /// File where PromQL queries are logged.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub query_log_file: String,
    /// File where scrape failures are logged.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub scrape_failure_log_file: String,
    /// Default uncompressed body size limit (0 = none).
    #[serde(default)]
    pub body_size_limit: ByteSize,
    /// Default per-scrape sample limit (0 = none).
    #[serde(default)]
    pub sample_limit: u64,
    /// Default per-scrape target limit.
    #[serde(default)]
    pub target_limit: u64,
    /// Default label count limit.
    #[serde(default)]
    pub label_limit: u64,
    /// Default label name length limit.
    #[serde(default)]
    pub label_name_length_limit: u64,
    /// Default label value length limit.
    #[serde(default)]
    pub label_value_length_limit: u64,
    /// Default number of dropped targets kept for the targets page.
    #[serde(default)]
    pub keep_dropped_targets: u64,
    /// `utf8` (default) or `legacy`.
    #[serde(default = "default_scheme")]
    pub metric_name_validation_scheme: String,
    #[serde(skip)]
    pub(crate) pos: Pos,
}

fn default_interval() -> Duration {
    DEFAULT_SCRAPE_INTERVAL
}

fn default_evaluation() -> Duration {
    DEFAULT_EVALUATION_INTERVAL
}

pub(crate) fn protocols(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

pub(crate) fn default_scheme() -> String {
    "utf8".into()
}

impl Default for GlobalConfig {
    fn default() -> Self {
        Self {
            scrape_interval: DEFAULT_SCRAPE_INTERVAL,
            scrape_timeout: DEFAULT_SCRAPE_TIMEOUT,
            scrape_protocols: None,
            scrape_native_histograms: None,
            always_scrape_classic_histograms: false,
            convert_classic_histograms_to_nhcb: false,
            evaluation_interval: DEFAULT_EVALUATION_INTERVAL,
            rule_query_offset: Duration(0),
            external_labels: LabelSet::default(),
            query_log_file: String::new(),
            scrape_failure_log_file: String::new(),
            body_size_limit: ByteSize(0),
            sample_limit: 0,
            target_limit: 0,
            label_limit: 0,
            label_name_length_limit: 0,
            label_value_length_limit: 0,
            keep_dropped_targets: 0,
            metric_name_validation_scheme: default_scheme(),
            pos: Pos::default(),
        }
    }
}

/// Parses `metric_name_validation_scheme`.
pub(crate) fn parse_scheme(s: &str) -> Result<NameValidation, String> {
    match s {
        "" | "utf8" => Ok(NameValidation::Utf8),
        "legacy" => Ok(NameValidation::Legacy),
        other => Err(format!("unknown metric_name_validation_scheme {other:?} (want utf8 or legacy)")),
    }
}

/// Checks one protocol name, with Prometheus' message.
pub(crate) fn validate_protocol(p: &str) -> Result<(), String> {
    if SCRAPE_PROTOCOLS.contains(&p) {
        return Ok(());
    }
    Err(format!("unknown scrape protocol {p}, supported: [{}]", SCRAPE_PROTOCOLS.join(" ")))
}

/// Checks a `scrape_protocols` list as Prometheus does: not empty, no duplicates (ignoring
/// case), known names; `context` ends the message (`for global config`).
pub(crate) fn validate_protocols(list: &[String], context: &str) -> Result<(), String> {
    if list.is_empty() {
        return Err(format!("scrape_protocols cannot be empty {context}"));
    }
    for (i, p) in list.iter().enumerate() {
        if list[..i].iter().any(|q| q.eq_ignore_ascii_case(p)) {
            return Err(format!("duplicated protocol in scrape_protocols, got [{}] {context}", list.join(" ")));
        }
        validate_protocol(p).map_err(|e| format!("scrape_protocols: {e} {context}"))?;
    }
    Ok(())
}

impl GlobalConfig {
    /// Fills the timeout and checks the block.
    pub(crate) fn validate(&mut self) -> Result<(), String> {
        if self.scrape_interval.is_zero() {
            self.scrape_interval = DEFAULT_SCRAPE_INTERVAL;
        }
        if self.evaluation_interval.is_zero() {
            self.evaluation_interval = DEFAULT_EVALUATION_INTERVAL;
        }
        if self.scrape_timeout.is_zero() {
            self.scrape_timeout = DEFAULT_SCRAPE_TIMEOUT.min(self.scrape_interval);
        }
        if self.scrape_timeout > self.scrape_interval {
            return Err(format!(
                "global scrape timeout {} greater than scrape interval {}",
                self.scrape_timeout, self.scrape_interval
            ));
        }
        let scheme = parse_scheme(&self.metric_name_validation_scheme)?;
        if self.metric_name_validation_scheme.is_empty() {
            self.metric_name_validation_scheme = default_scheme();
        }
        if let Some(list) = &self.scrape_protocols {
            validate_protocols(list, "for global config")?;
        }
        for name in self.external_labels.0.keys() {
            if !scheme.is_valid(name) {
                return Err(format!("{name:?} is not a valid label name in external_labels"));
            }
        }
        Ok(())
    }

    /// The label name scheme in force.
    pub fn name_validation(&self) -> NameValidation {
        parse_scheme(&self.metric_name_validation_scheme).unwrap_or_default()
    }
}
