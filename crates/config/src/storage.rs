//! The `storage` block.

use crate::types::Duration;
use serde::{Deserialize, Serialize};

/// `storage`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    /// TSDB settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tsdb: Option<TsdbConfig>,
    /// Exemplar storage settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exemplars: Option<ExemplarsConfig>,
    #[serde(skip)]
    pub(crate) pos: crate::error::Pos,
}

/// `storage.tsdb`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TsdbConfig {
    /// How far back out-of-order samples are accepted (0 = not at all).
    #[serde(default)]
    pub out_of_order_time_window: Duration,
}

/// `storage.exemplars`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExemplarsConfig {
    /// Size of the exemplar ring buffer (default 100000).
    #[serde(default = "default_max_exemplars")]
    pub max_exemplars: i64,
}

fn default_max_exemplars() -> i64 {
    100_000
}

impl Default for ExemplarsConfig {
    fn default() -> Self {
        Self { max_exemplars: default_max_exemplars() }
    }
}

impl StorageConfig {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if let Some(t) = &self.tsdb
            && t.out_of_order_time_window.as_millis() < 0
        {
            return Err("out_of_order_time_window cannot be negative".into());
        }
        Ok(())
    }
}
