//! What the API needs from components it does not own, as small traits and plain structs. The
//! binary adapts the scrape manager and the TSDB to these; tests use fakes.

use vigil_model::{Labels, Timestamp};

/// A target's health as shown by `/api/v1/targets`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TargetHealth {
    /// The last scrape succeeded.
    Up,
    /// The last scrape failed.
    Down,
    /// Not scraped yet.
    #[default]
    Unknown,
}

impl TargetHealth {
    /// The wire name (`up`, `down`, `unknown`).
    pub fn as_str(self) -> &'static str {
        match self {
            TargetHealth::Up => "up",
            TargetHealth::Down => "down",
            TargetHealth::Unknown => "unknown",
        }
    }
}

/// One active scrape target.
#[derive(Debug, Clone, Default)]
pub struct TargetInfo {
    /// Labels before relabeling (`__address__`, `__meta_*`, ...).
    pub discovered_labels: Labels,
    /// Labels after relabeling, as attached to scraped series.
    pub labels: Labels,
    /// The `job_name` of the scrape config.
    pub scrape_pool: String,
    /// The URL scraped.
    pub scrape_url: String,
    /// The URL with the host as other machines reach it (Prometheus uses the hostname).
    pub global_url: String,
    /// The last scrape's error, empty on success.
    pub last_error: String,
    /// When the last scrape started (ms); `None` if never scraped.
    pub last_scrape: Option<Timestamp>,
    /// How long the last scrape took, in seconds.
    pub last_scrape_duration_seconds: f64,
    /// Health after the last scrape.
    pub health: TargetHealth,
    /// Scrape interval as a Prometheus duration (`15s`).
    pub scrape_interval: String,
    /// Scrape timeout as a Prometheus duration (`10s`).
    pub scrape_timeout: String,
}

/// A target dropped by relabeling.
#[derive(Debug, Clone, Default)]
pub struct DroppedTargetInfo {
    /// Labels before relabeling.
    pub discovered_labels: Labels,
    /// The `job_name` of the scrape config that dropped it.
    pub scrape_pool: String,
}

/// Metric metadata scraped from targets (`# TYPE`, `# HELP`, `# UNIT`).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct MetricMetadata {
    /// The metric family name.
    pub metric: String,
    /// `counter`, `gauge`, `histogram`, `summary`, `unknown`, ...
    pub kind: String,
    /// The help text.
    pub help: String,
    /// The unit, often empty.
    pub unit: String,
}

/// The scrape manager as seen by `/api/v1/targets` and `/api/v1/metadata`.
///
/// Called from async handlers: implementations must be quick (copy out of a lock, no I/O).
pub trait TargetsSource: Send + Sync {
    /// Active targets in any order (the API sorts by scrape pool).
    fn active_targets(&self) -> Vec<TargetInfo>;
    /// Targets dropped by relabeling.
    fn dropped_targets(&self) -> Vec<DroppedTargetInfo>;
    /// Metadata of `metric` (all metrics if `None`), possibly with duplicates across targets;
    /// the API deduplicates and applies `limit`/`limit_per_metric`.
    fn metadata(&self, metric: Option<&str>) -> Vec<MetricMetadata>;
}

/// One `{name, value}` entry of the TSDB cardinality lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameCount {
    /// Metric name, label name or `name=value` pair.
    pub name: String,
    /// The count (series, values or bytes).
    pub value: u64,
}

/// Head block statistics for `/api/v1/status/tsdb`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeadStats {
    /// Series in the head.
    pub num_series: u64,
    /// Distinct label pairs.
    pub num_label_pairs: u64,
    /// Chunks in the head.
    pub chunk_count: u64,
    /// Oldest sample time (ms); `i64::MAX` when empty, as Prometheus prints it.
    pub min_time: i64,
    /// Newest sample time (ms); `i64::MIN` when empty.
    pub max_time: i64,
}

/// Everything `/api/v1/status/tsdb` reports. Lists are sorted by descending value, at most
/// `limit` entries each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TsdbStats {
    /// Head statistics.
    pub head: HeadStats,
    /// Series count per metric name.
    pub series_count_by_metric_name: Vec<NameCount>,
    /// Distinct values per label name.
    pub label_value_count_by_label_name: Vec<NameCount>,
    /// Bytes of label values per label name.
    pub memory_in_bytes_by_label_name: Vec<NameCount>,
    /// Series count per `name=value` pair.
    pub series_count_by_label_value_pair: Vec<NameCount>,
}

/// The TSDB as seen by `/api/v1/status/tsdb`. May be slow: it runs on a blocking thread.
pub trait TsdbStatsSource: Send + Sync {
    /// Cardinality statistics with at most `limit` entries per list.
    fn tsdb_stats(&self, limit: usize) -> Result<TsdbStats, String>;
}

/// `/api/v1/status/buildinfo`.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildInfo {
    /// Release version (`0.1.0`).
    pub version: String,
    /// VCS revision.
    pub revision: String,
    /// VCS branch.
    pub branch: String,
    /// Who built it.
    pub build_user: String,
    /// When it was built.
    pub build_date: String,
    /// Toolchain version; Prometheus calls the field `goVersion` and clients read it by that name.
    pub go_version: String,
}
