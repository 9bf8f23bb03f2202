//! The `tracing` and `otlp` blocks (accepted and kept; only the basics are modelled).

use crate::http::TlsConfig;
use crate::types::Duration;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

fn grpc() -> String {
    "grpc".into()
}

fn ten_seconds() -> Duration {
    Duration::from_secs(10)
}

/// `tracing`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TracingConfig {
    /// `grpc` (default) or `http`.
    #[serde(default = "grpc")]
    pub client_type: String,
    /// Collector endpoint (`host:port`); empty disables tracing.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub endpoint: String,
    /// Fraction of traces sampled.
    #[serde(default)]
    pub sampling_fraction: f64,
    /// Disable TLS.
    #[serde(default)]
    pub insecure: bool,
    /// TLS settings.
    #[serde(default)]
    pub tls_config: TlsConfig,
    /// Extra headers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// `gzip` or empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub compression: String,
    /// Export timeout (default 10s).
    #[serde(default = "ten_seconds")]
    pub timeout: Duration,
    #[serde(skip)]
    pub(crate) pos: crate::error::Pos,
}

impl Default for TracingConfig {
    fn default() -> Self {
        Self {
            client_type: grpc(),
            endpoint: String::new(),
            sampling_fraction: 0.0,
            insecure: false,
            tls_config: TlsConfig::default(),
            headers: BTreeMap::new(),
            compression: String::new(),
            timeout: ten_seconds(),
            pos: crate::error::Pos::default(),
        }
    }
}

impl TracingConfig {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.client_type != "grpc" && self.client_type != "http" {
            return Err(format!("expected tracing client type to be one of [grpc http], got {:?}", self.client_type));
        }
        if !self.compression.is_empty() && self.compression != "gzip" {
            return Err(format!("invalid compression type {:?} provided, valid options: gzip", self.compression));
        }
        if !(0.0..=1.0).contains(&self.sampling_fraction) {
            return Err("sampling_fraction must be between 0 and 1".into());
        }
        self.tls_config.validate()
    }
}

/// `otlp`: how OTLP-ingested resource attributes become labels.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OtlpConfig {
    /// Resource attributes promoted to labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub promote_resource_attributes: Vec<String>,
    /// `UnderscoreEscapingWithSuffixes` (default), `NoUTF8EscapingWithSuffixes`, `NoTranslation`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub translation_strategy: String,
    /// Keep `service.name`/`service.instance.id` attributes on `target_info`.
    #[serde(default)]
    pub keep_identifying_resource_attributes: bool,
    #[serde(skip)]
    pub(crate) pos: crate::error::Pos,
}

impl OtlpConfig {
    pub(crate) fn validate(&self) -> Result<(), String> {
        for (i, a) in self.promote_resource_attributes.iter().enumerate() {
            if a.trim().is_empty() {
                return Err("empty promoted OTel resource attribute".into());
            }
            if self.promote_resource_attributes[..i].contains(a) {
                return Err(format!("duplicated promoted OTel resource attribute {a:?}"));
            }
        }
        match self.translation_strategy.as_str() {
            "" | "UnderscoreEscapingWithSuffixes" | "NoUTF8EscapingWithSuffixes" | "NoTranslation" => Ok(()),
            other => Err(format!("unsupported OTLP translation strategy {other:?}")),
        }
    }
}
