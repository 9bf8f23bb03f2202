//! A scrape config resolved for running: durations in ms, defaults filled in, rules compiled.
//!
//! `vigil-config` owns the YAML shape; this is the one place that reads it, so that the rest of
//! the crate is insulated from how the config crate spells things.

use std::path::PathBuf;
use std::sync::Arc;
use vigil_model::relabel::RelabelRule;

/// Limits applied to every scrape of a pool; `0` means unlimited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SampleLimits {
    /// Maximum samples per scrape after metric relabeling.
    pub sample_limit: usize,
    /// Maximum labels per series.
    pub label_limit: usize,
    /// Maximum length of a label name.
    pub label_name_length_limit: usize,
    /// Maximum length of a label value.
    pub label_value_length_limit: usize,
}

/// How scraped samples become stored samples; shared by every target of a pool.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SampleOptions {
    /// Scraped labels win over target labels (instead of being renamed `exported_<name>`).
    pub honor_labels: bool,
    /// Keep timestamps given in the exposition (instead of the scrape time).
    pub honor_timestamps: bool,
    /// `metric_relabel_configs`, applied after target labels are attached.
    pub metric_relabel: Vec<RelabelRule>,
    /// Per-scrape limits.
    pub limits: SampleLimits,
    /// The parser for responses whose Content-Type is missing or unknown
    /// (`fallback_scrape_protocol`); without one such scrapes fail, as in Prometheus 3.
    pub fallback: Option<vigil_exposition::ScrapeProtocol>,
    /// How protobuf histograms are stored.
    pub histograms: HistogramOptions,
}

/// What becomes of histograms in protobuf scrapes (the text formats carry only classic ones).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistogramOptions {
    /// `scrape_native_histograms`: store native parts as histogram samples. Off, every
    /// histogram is stored as its classic series.
    pub native: bool,
    /// `always_scrape_classic_histograms`: also store the classic series of a histogram that
    /// has a native part.
    pub always_classic: bool,
    /// `native_histogram_bucket_limit` (0 = none).
    pub bucket_limit: usize,
    /// The schema cap from `native_histogram_min_bucket_factor` (8 = none).
    pub max_schema: i32,
}

impl Default for HistogramOptions {
    fn default() -> Self {
        Self {
            native: false,
            always_classic: false,
            bucket_limit: 0,
            max_schema: vigil_model::histogram::MAX_EXPONENTIAL_SCHEMA,
        }
    }
}

/// Where a secret comes from: inline, or a file read at every scrape (so rotation needs no reload).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Secret {
    Inline(String),
    File(PathBuf),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BasicAuth {
    pub username: String,
    pub password: Option<Secret>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Authorization {
    /// The scheme, `Bearer` by default.
    pub kind: String,
    pub credentials: Option<Secret>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct TlsConfig {
    pub ca_file: Option<PathBuf>,
    pub ca: Option<String>,
    pub cert_file: Option<PathBuf>,
    pub cert: Option<String>,
    pub key_file: Option<PathBuf>,
    pub key: Option<String>,
    pub insecure_skip_verify: bool,
}

/// HTTP client settings of a pool.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HttpConfig {
    pub basic_auth: Option<BasicAuth>,
    pub authorization: Option<Authorization>,
    pub tls: TlsConfig,
    pub follow_redirects: bool,
    pub enable_http2: bool,
    pub enable_compression: bool,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            basic_auth: None,
            authorization: None,
            tls: TlsConfig::default(),
            follow_redirects: true,
            enable_http2: false,
            enable_compression: true,
        }
    }
}

/// Everything a pool needs from its `scrape_config` (plus `global` defaults).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PoolConfig {
    pub job_name: String,
    pub interval_ms: i64,
    pub timeout_ms: i64,
    pub metrics_path: String,
    pub scheme: String,
    pub params: Vec<(String, Vec<String>)>,
    pub relabel: Vec<RelabelRule>,
    pub body_size_limit: u64,
    /// Maximum targets after relabeling (0 = unlimited).
    pub target_limit: usize,
    /// How many dropped targets to keep for the API (0 = all).
    pub keep_dropped_targets: usize,
    pub samples: Arc<SampleOptions>,
    pub http: HttpConfig,
    /// The `Accept` header built from `scrape_protocols`.
    pub accept: String,
}

impl PoolConfig {
    /// A config with Prometheus' defaults, for tests.
    #[cfg(test)]
    pub fn for_tests(job: &str) -> Self {
        Self {
            job_name: job.to_owned(),
            interval_ms: 60_000,
            timeout_ms: 10_000,
            metrics_path: "/metrics".to_owned(),
            scheme: "http".to_owned(),
            params: Vec::new(),
            relabel: Vec::new(),
            body_size_limit: 0,
            keep_dropped_targets: 0,
            target_limit: 0,
            samples: Arc::new(SampleOptions { honor_timestamps: true, ..SampleOptions::default() }),
            http: HttpConfig::default(),
            accept: accept(&vigil_config::DEFAULT_SCRAPE_PROTOCOLS.map(str::to_owned), false),
        }
    }
}

fn secret(inline: &str, file: &str) -> Option<Secret> {
    if !inline.is_empty() {
        Some(Secret::Inline(inline.to_owned()))
    } else if !file.is_empty() {
        Some(Secret::File(PathBuf::from(file)))
    } else {
        None
    }
}

/// The Accept header for a job's protocols; escaping is `underscores` under legacy name
/// validation, `allow-utf-8` otherwise (Prometheus' default for each scheme).
fn accept(protocols: &[String], legacy: bool) -> String {
    let list: Vec<_> = protocols.iter().filter_map(|p| vigil_exposition::ScrapeProtocol::from_name(p)).collect();
    vigil_exposition::accept_header(&list, if legacy { "underscores" } else { "allow-utf-8" })
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

impl PoolConfig {
    /// Resolves a validated `scrape_configs` entry (inherited values already filled in).
    pub fn from_scrape_config(sc: &vigil_config::ScrapeConfig) -> Self {
        let http = sc.http_client();
        let tls = &http.tls_config;
        let size = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        PoolConfig {
            job_name: sc.job_name.clone(),
            interval_ms: sc.scrape_interval.as_millis(),
            timeout_ms: sc.scrape_timeout.as_millis(),
            metrics_path: sc.metrics_path.clone(),
            scheme: sc.scheme.clone(),
            params: sc.params.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            relabel: vigil_config::compile_rules(&sc.relabel_configs),
            body_size_limit: sc.body_size_limit.0,
            keep_dropped_targets: size(sc.keep_dropped_targets),
            target_limit: size(sc.target_limit),
            samples: Arc::new(SampleOptions {
                honor_labels: sc.honor_labels,
                honor_timestamps: sc.honor_timestamps,
                metric_relabel: vigil_config::compile_rules(&sc.metric_relabel_configs),
                limits: SampleLimits {
                    sample_limit: size(sc.sample_limit),
                    label_limit: size(sc.label_limit),
                    label_name_length_limit: size(sc.label_name_length_limit),
                    label_value_length_limit: size(sc.label_value_length_limit),
                },
                fallback: vigil_exposition::ScrapeProtocol::from_name(&sc.fallback_scrape_protocol),
                histograms: HistogramOptions {
                    native: sc.native_histograms_enabled(),
                    always_classic: sc.always_scrape_classic_histograms_enabled(),
                    bucket_limit: size(sc.native_histogram_bucket_limit),
                    max_schema: crate::native::pick_schema(sc.native_histogram_min_bucket_factor),
                },
            }),
            accept: accept(sc.protocols(), sc.name_validation() == vigil_model::relabel::NameValidation::Legacy),
            http: HttpConfig {
                basic_auth: http.basic_auth.as_ref().map(|b| BasicAuth {
                    username: b.username.clone(),
                    password: secret(b.password.expose(), &b.password_file),
                }),
                authorization: http.authorization.as_ref().map(|a| Authorization {
                    kind: if a.kind.is_empty() { "Bearer".to_owned() } else { a.kind.clone() },
                    credentials: secret(a.credentials.expose(), &a.credentials_file),
                }),
                tls: TlsConfig {
                    ca_file: non_empty(&tls.ca_file).map(PathBuf::from),
                    ca: non_empty(&tls.ca),
                    cert_file: non_empty(&tls.cert_file).map(PathBuf::from),
                    cert: non_empty(&tls.cert),
                    key_file: non_empty(&tls.key_file).map(PathBuf::from),
                    key: non_empty(tls.key.expose()),
                    insecure_skip_verify: tls.insecure_skip_verify,
                },
                follow_redirects: http.follow_redirects,
                enable_http2: http.enable_http2,
                enable_compression: sc.enable_compression,
            },
        }
    }
}
