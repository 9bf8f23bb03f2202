//! Command-line flags, named like Prometheus' so existing deployment manifests work unchanged.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Vigil: Prometheus, Alertmanager and Grafana compatible monitoring in one binary.
#[derive(Debug, Parser)]
#[command(name = "vigil", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub server: ServerFlags,
    #[command(flatten)]
    pub log: LogFlags,
}

/// Subcommands; without one, `vigil` runs the whole stack.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs the whole stack (the default).
    Run,
    /// Checks configuration files, like `promtool check`.
    Check {
        #[command(subcommand)]
        what: CheckCommand,
    },
    /// Runs the built-in demo API alone, as a scrape target for any server.
    Demo {
        /// Disables the built-in traffic generator.
        #[arg(long = "no-traffic")]
        no_traffic: bool,
    },
}

/// `vigil check ...`
#[derive(Debug, Subcommand)]
pub enum CheckCommand {
    /// Validates prometheus.yml files, like `promtool check config`.
    Config {
        /// Configuration files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// Server flags (Prometheus' names and defaults).
#[derive(Debug, Args, Clone)]
pub struct ServerFlags {
    /// Prometheus configuration file path. Without it, the embedded default is used.
    #[arg(long = "config.file", global = true)]
    pub config_file: Option<PathBuf>,
    /// Base path for metrics storage.
    #[arg(long = "storage.tsdb.path", default_value = "data/", global = true)]
    pub tsdb_path: PathBuf,
    /// How long to retain samples in storage (Prometheus duration, e.g. 15d).
    #[arg(long = "storage.tsdb.retention.time", default_value = "15d", global = true)]
    pub retention_time: String,
    /// Length of the blocks cut from the head (Prometheus' hidden flag; for tests and benchmarks).
    #[arg(long = "storage.tsdb.min-block-duration", default_value = "2h", global = true, hide = true)]
    pub min_block_duration: String,
    /// Address to listen on for the UI, API, and telemetry.
    #[arg(long = "web.listen-address", default_value = "0.0.0.0:9090", global = true)]
    pub listen_address: String,
    /// Enables shutdown and reload via HTTP request.
    #[arg(long = "web.enable-lifecycle", global = true)]
    pub enable_lifecycle: bool,
    /// Enables API endpoints for admin control actions.
    #[arg(long = "web.enable-admin-api", global = true)]
    pub enable_admin_api: bool,
    /// Maximum number of simultaneous connections (0: no limit); further clients wait to be
    /// accepted.
    #[arg(long = "web.max-connections", default_value_t = vigil_api::DEFAULT_MAX_CONNECTIONS, global = true)]
    pub max_connections: usize,
    /// Enables `POST /api/v1/import/prometheus` (Prometheus text with millisecond timestamps,
    /// as VictoriaMetrics accepts it), which writes into the TSDB.
    #[arg(long = "web.enable-import", global = true)]
    pub enable_import: bool,
    /// Most bytes of one import request body, counted after decompression (0: no limit).
    #[arg(long = "web.import.max-body-bytes", default_value_t = 4 << 30, global = true)]
    pub import_max_body_bytes: u64,
    /// Longest line of an import request body, in bytes.
    #[arg(long = "web.import.max-line-bytes", default_value_t = 1 << 20, global = true)]
    pub import_max_line_bytes: usize,
    /// Most samples of one import request (0: no limit).
    #[arg(long = "web.import.max-samples", default_value_t = 100_000_000, global = true)]
    pub import_max_samples: u64,
    /// How long an import request body may stall before the request is aborted.
    #[arg(long = "web.import.idle-timeout", default_value = "1m", global = true)]
    pub import_idle_timeout: String,
    /// Enables `POST /api/v1/write`, the Remote-Write 1.0 receiver, which writes into the TSDB.
    #[arg(long = "web.enable-remote-write-receiver", global = true)]
    pub enable_remote_write_receiver: bool,
    /// Most bytes of one (snappy-compressed) remote-write request body.
    #[arg(long = "web.remote-write.max-body-bytes", default_value_t = 32 << 20, global = true)]
    pub remote_write_max_body_bytes: u64,
    /// Most bytes one remote-write request body may decompress to.
    #[arg(long = "web.remote-write.max-decoded-bytes", default_value_t = 256 << 20, global = true)]
    pub remote_write_max_decoded_bytes: u64,
    /// The URL under which Vigil is externally reachable.
    #[arg(long = "web.external-url", global = true)]
    pub external_url: Option<String>,
    /// The maximum lookback duration for retrieving metrics during expression evaluations.
    #[arg(long = "query.lookback-delta", default_value = "5m", global = true)]
    pub lookback_delta: String,
    /// Maximum time a query may take before being aborted.
    #[arg(long = "query.timeout", default_value = "2m", global = true)]
    pub query_timeout: String,
    /// Maximum number of samples a single query can load into memory.
    #[arg(long = "query.max-samples", default_value_t = 50_000_000, global = true)]
    pub query_max_samples: usize,
    /// Maximum number of queries (and series, label and federation requests) executed
    /// concurrently; others wait in a queue for at most the query timeout.
    #[arg(long = "query.max-concurrency", default_value_t = 20, global = true)]
    pub query_max_concurrency: usize,
    /// Comma-separated experimental features to enable, with Prometheus' names:
    /// promql-experimental-functions, promql-duration-expr, promql-extended-range-selectors,
    /// promql-binop-fill-modifiers. Other names are logged and ignored.
    #[arg(long = "enable-feature", value_delimiter = ',', global = true)]
    pub enable_feature: Vec<String>,
    /// Address of the built-in demo API (embedded default and `vigil demo`); port 0 picks one.
    #[arg(long = "demo.listen-address", default_value = "127.0.0.1:8000", global = true)]
    pub demo_listen_address: String,
}

/// Logging flags.
#[derive(Debug, Args, Clone)]
pub struct LogFlags {
    /// Only log messages with the given severity or above: debug, info, warn, error.
    #[arg(long = "log.level", default_value = "info", global = true)]
    pub level: LogLevel,
    /// Output format of log messages.
    #[arg(long = "log.format", default_value = "logfmt", global = true)]
    pub format: LogFormat,
}

/// `--log.level` values.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LogLevel {
    Debug,
    Info,
    Warn,
    Error,
}

/// `--log.format` values.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LogFormat {
    Logfmt,
    Json,
}
