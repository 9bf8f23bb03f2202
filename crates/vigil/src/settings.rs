//! Flag values parsed into typed settings, with errors that name the flag.

use crate::cli::ServerFlags;
use anyhow::{Context, Result};
use std::time::Duration;
use vigil_model::duration::parse_duration_ms;
use vigil_promql::Features;

/// Parsed server settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub retention_ms: i64,
    /// `--storage.tsdb.min-block-duration`: the block length and the head's chunk range.
    pub block_range_ms: i64,
    pub lookback_delta_ms: i64,
    pub query_timeout: Duration,
    /// `--web.import.idle-timeout`.
    pub import_idle_timeout: Duration,
    /// The PromQL features of `--enable-feature`.
    pub features: Features,
    /// `--enable-feature` names Vigil does not know (logged, then ignored, as Prometheus does).
    pub unknown_features: Vec<String>,
}

impl Settings {
    /// Parses the duration-valued flags.
    pub fn from_flags(flags: &ServerFlags) -> Result<Self> {
        let retention_ms = parse_duration_ms(&flags.retention_time).context("--storage.tsdb.retention.time")?;
        let block_range_ms =
            parse_duration_ms(&flags.min_block_duration).context("--storage.tsdb.min-block-duration")?;
        anyhow::ensure!(block_range_ms >= 60_000, "--storage.tsdb.min-block-duration must be at least 1m");
        let lookback_delta_ms = parse_duration_ms(&flags.lookback_delta).context("--query.lookback-delta")?;
        let timeout_ms = parse_duration_ms(&flags.query_timeout).context("--query.timeout")?;
        let import_idle_ms = parse_duration_ms(&flags.import_idle_timeout).context("--web.import.idle-timeout")?;
        anyhow::ensure!(import_idle_ms > 0, "--web.import.idle-timeout must be positive");
        anyhow::ensure!(lookback_delta_ms > 0, "--query.lookback-delta must be positive");
        let mut features = Features::default();
        let unknown_features = flags
            .enable_feature
            .iter()
            .map(|f| f.trim())
            .filter(|f| !f.is_empty() && !features.enable(f))
            .map(str::to_owned)
            .collect();
        Ok(Self {
            features,
            unknown_features,
            retention_ms,
            block_range_ms,
            lookback_delta_ms,
            query_timeout: Duration::from_millis(u64::try_from(timeout_ms).unwrap_or(0)),
            import_idle_timeout: Duration::from_millis(u64::try_from(import_idle_ms).unwrap_or(0)),
        })
    }
}
