//! `prometheus.yml`: serde structs, defaults and validation, with `file:line:col` errors.
//!
//! [`Config::load`] / [`Config::from_yaml_str`] parse with `serde-saphyr` (unknown fields and
//! duplicate keys are errors, merge keys `<<: *anchor` work), fill in Prometheus' defaults and
//! inherited values (a job's `scrape_interval` comes from `global` when unset), and run the
//! checks that span fields (timeout above interval, duplicate `job_name`, relabel action
//! combinations, HTTP auth combinations). Every error names the file and `line:col`.
//! [`Config::to_yaml`] writes the effective config back with secrets shown as `<secret>`.
//!
//! Relabel entries compile into [`vigil_model::relabel::RelabelRule`]s when deserialized; use
//! [`compile_rules`] and [`vigil_model::relabel::process`] to apply them.
//!
//! ```
//! let cfg = vigil_config::Config::from_yaml_str(
//!     "global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: api\n    static_configs:\n      - targets: ['localhost:8000']\n",
//!     "prometheus.yml",
//! )
//! .unwrap();
//! let job = cfg.scrape_config("api").unwrap();
//! assert_eq!(job.scrape_interval.as_millis(), 15_000);
//! assert_eq!(job.scrape_timeout.as_millis(), 10_000);
//!
//! let err = vigil_config::Config::from_yaml_str("scrape_configs:\n  - job_name: a\n    scrape_intervall: 1m\n", "p.yml")
//!     .unwrap_err();
//! assert!(err.to_string().starts_with("p.yml:3:5: unknown field `scrape_intervall`"));
//! ```

#![deny(missing_docs)]

mod alerting;
pub mod check;
mod config;
mod error;
pub mod glob;
mod global;
mod http;
mod load;
mod relabel;
mod remote;
mod scrape;
mod sd;
mod spanned;
mod storage;
mod telemetry;
mod types;
mod url;

pub use alerting::{AlertingConfig, AlertmanagerConfig};
pub use config::Config;
pub use error::{Error, Pos, Result};
pub use global::{
    DEFAULT_EVALUATION_INTERVAL, DEFAULT_PROTO_FIRST_SCRAPE_PROTOCOLS, DEFAULT_SCRAPE_INTERVAL,
    DEFAULT_SCRAPE_PROTOCOLS, DEFAULT_SCRAPE_TIMEOUT, GlobalConfig, SCRAPE_PROTOCOLS,
};
pub use http::{Authorization, BasicAuth, HttpClientConfig, TlsConfig};
pub use relabel::{RelabelConfig, compile_rules};
pub use remote::{MetadataConfig, QueueConfig, RemoteReadConfig, RemoteWriteConfig};
pub use scrape::ScrapeConfig;
pub use sd::{
    AttachMetadata, DnsSdConfig, FileSdConfig, HttpSdConfig, KUBERNETES_ROLES, KubernetesNamespaces,
    KubernetesSdConfig, KubernetesSelector, StaticConfig,
};
pub use storage::{ExemplarsConfig, StorageConfig, TsdbConfig};
pub use telemetry::{OtlpConfig, TracingConfig};
pub use types::{ByteSize, Duration, LabelSet, REDACTED, Secret, parse_size};
pub use vigil_model::relabel::{NameValidation, is_valid_label_name, is_valid_legacy_label_name};
