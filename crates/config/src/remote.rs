//! `remote_write` and `remote_read`.

use crate::error::Pos;
use crate::http::http_client_fields;
use crate::relabel::RelabelConfig;
use crate::types::{Duration, null_as_default};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Headers Prometheus sets itself and refuses to let users override.
const RESERVED_HEADERS: [&str; 6] = [
    "content-encoding",
    "content-length",
    "content-type",
    "user-agent",
    "x-prometheus-remote-read-version",
    "x-prometheus-remote-write-version",
];

fn check_headers(headers: &BTreeMap<String, String>) -> Result<(), String> {
    for h in headers.keys() {
        if RESERVED_HEADERS.contains(&h.to_ascii_lowercase().as_str()) {
            return Err(format!("{h} is a reserved header. It must not be changed"));
        }
    }
    Ok(())
}

fn check_url(url: &str) -> Result<(), String> {
    if url.is_empty() {
        return Err("url for remote storage is missing".into());
    }
    crate::url::check_http_url(url)
}

fn thirty_seconds() -> Duration {
    Duration::from_secs(30)
}

fn one_minute() -> Duration {
    Duration::from_secs(60)
}

fn yes() -> bool {
    true
}

/// `queue_config` of a remote write.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct QueueConfig {
    /// Samples buffered per shard.
    pub capacity: u64,
    /// Maximum shards.
    pub max_shards: u64,
    /// Minimum shards.
    pub min_shards: u64,
    /// Samples per request.
    pub max_samples_per_send: u64,
    /// Flush deadline.
    pub batch_send_deadline: Duration,
    /// Initial retry back-off.
    pub min_backoff: Duration,
    /// Maximum retry back-off.
    pub max_backoff: Duration,
    /// Retry on HTTP 429.
    pub retry_on_http_429: bool,
    /// Drop samples older than this (0 = never).
    pub sample_age_limit: Duration,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            capacity: 10_000,
            max_shards: 50,
            min_shards: 1,
            max_samples_per_send: 2_000,
            batch_send_deadline: Duration::from_secs(5),
            min_backoff: Duration(30),
            max_backoff: Duration::from_secs(5),
            retry_on_http_429: false,
            sample_age_limit: Duration(0),
        }
    }
}

/// `metadata_config` of a remote write.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetadataConfig {
    /// Send metric metadata.
    pub send: bool,
    /// How often.
    pub send_interval: Duration,
    /// Metadata entries per request.
    pub max_samples_per_send: u64,
}

impl Default for MetadataConfig {
    fn default() -> Self {
        Self { send: true, send_interval: Duration::from_secs(60), max_samples_per_send: 2_000 }
    }
}

http_client_fields! {
    /// One `remote_write` entry.
    #[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct RemoteWriteConfig {
        /// Endpoint URL.
        pub url: String,
        /// Unique name (optional).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        pub name: String,
        /// Request timeout (default 30s).
        #[serde(default = "thirty_seconds")]
        pub remote_timeout: Duration,
        /// Extra HTTP headers.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        pub headers: BTreeMap<String, String>,
        /// Relabeling before sending.
        #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
        pub write_relabel_configs: Vec<RelabelConfig>,
        /// Send exemplars.
        #[serde(default)]
        pub send_exemplars: bool,
        /// Send native histograms.
        #[serde(default)]
        pub send_native_histograms: bool,
        /// Queue tuning.
        #[serde(default)]
        pub queue_config: QueueConfig,
        /// Metadata sending.
        #[serde(default)]
        pub metadata_config: MetadataConfig,
        #[serde(skip)]
        pub(crate) pos: Pos,
    }
}

impl crate::spanned::HasPos for RemoteWriteConfig {
    fn set_pos(&mut self, pos: Pos) {
        self.pos = pos;
    }
}

impl RemoteWriteConfig {
    /// Where the entry starts in its file.
    pub fn pos(&self) -> Pos {
        self.pos
    }

    pub(crate) fn validate(&mut self) -> Result<(), String> {
        check_url(&self.url)?;
        check_headers(&self.headers)?;
        self.validate_http()
    }
}

http_client_fields! {
    /// One `remote_read` entry.
    #[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct RemoteReadConfig {
        /// Endpoint URL.
        pub url: String,
        /// Unique name (optional).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        pub name: String,
        /// Request timeout (default 1m).
        #[serde(default = "one_minute")]
        pub remote_timeout: Duration,
        /// Extra HTTP headers.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        pub headers: BTreeMap<String, String>,
        /// Also read ranges the local storage has.
        #[serde(default)]
        pub read_recent: bool,
        /// Equality matchers every query must carry to be sent.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        pub required_matchers: BTreeMap<String, String>,
        /// Add external labels as matchers (default true).
        #[serde(default = "yes")]
        pub filter_external_labels: bool,
        #[serde(skip)]
        pub(crate) pos: Pos,
    }
}

impl crate::spanned::HasPos for RemoteReadConfig {
    fn set_pos(&mut self, pos: Pos) {
        self.pos = pos;
    }
}

impl RemoteReadConfig {
    /// Where the entry starts in its file.
    pub fn pos(&self) -> Pos {
        self.pos
    }

    pub(crate) fn validate(&mut self) -> Result<(), String> {
        check_url(&self.url)?;
        check_headers(&self.headers)?;
        self.validate_http()
    }
}
