//! [`ApiState`]: everything the handlers share, built once by the binary with
//! [`ApiStateBuilder`], plus [`ApiHandle`] for what changes at run time (readiness, the loaded
//! configuration, reload results).

use crate::metrics::ApiMetrics;
use crate::sources::{BuildInfo, TargetsSource, TsdbStatsSource};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::SystemTime;
use vigil_model::{Labels, Timestamp};
use vigil_promql::Engine;
use vigil_storage::{Appendable, Queryable};

/// A boxed, sendable future (what lifecycle hooks return).
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;
/// Reloads the configuration; `Err` carries the reason shown to the client.
pub type ReloadFn = Arc<dyn Fn() -> BoxFuture<Result<(), String>> + Send + Sync>;
/// Asks the process to shut down (returns at once; shutdown happens elsewhere).
pub type QuitFn = Arc<dyn Fn() + Send + Sync>;
/// Pretty-prints a PromQL expression for `/api/v1/format_query`.
pub type FormatQueryFn = Arc<dyn Fn(&str) -> Result<String, String> + Send + Sync>;
/// Renders self-metrics in a text exposition format, with its content type.
pub type MetricsRenderFn = Arc<dyn Fn() -> Result<(String, &'static str), String> + Send + Sync>;
/// The current time in milliseconds (injectable for tests).
pub type NowFn = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// Tunables that mirror Prometheus' `--web.*` and `--query.*` flags.
#[derive(Debug, Clone)]
pub struct ApiOptions {
    /// `--web.enable-lifecycle`: allow `/-/reload` and `/-/quit`.
    pub enable_lifecycle: bool,
    /// `--web.enable-admin-api`: allow `/api/v1/admin/*`.
    pub enable_admin_api: bool,
    /// `--query.max-concurrency`: queries evaluated at once; others wait.
    pub max_concurrent_queries: usize,
    /// Longest accepted query string in bytes.
    pub max_query_length: usize,
    /// `--storage.tsdb.retention.time` as shown by `/api/v1/status/runtimeinfo` (`15d`).
    pub storage_retention: String,
    /// `/api/v1/import/prometheus`: whether it is served, and its limits.
    pub import: ImportOptions,
    /// `/api/v1/write`: whether it is served, and its limits.
    pub remote_write: RemoteWriteOptions,
}

/// Limits of `POST /api/v1/write` (`--web.enable-remote-write-receiver`,
/// `--web.remote-write.*`).
#[derive(Debug, Clone)]
pub struct RemoteWriteOptions {
    /// Serve the endpoint at all (off by default, as in Prometheus).
    pub enabled: bool,
    /// Most bytes of a (compressed) request body.
    pub max_body_bytes: u64,
    /// Most bytes a body may decompress to; checked from the snappy header before allocating.
    pub max_decoded_bytes: u64,
    /// Samples per commit.
    pub batch_samples: usize,
}

impl Default for RemoteWriteOptions {
    fn default() -> Self {
        // Senders batch 2,000 samples (Prometheus' `max_samples_per_send`), a few hundred KiB.
        Self { enabled: false, max_body_bytes: 32 << 20, max_decoded_bytes: 256 << 20, batch_samples: 50_000 }
    }
}

/// Limits of `POST /api/v1/import/prometheus` (`--web.enable-import`, `--web.import.*`).
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Serve the endpoint at all (off by default: it writes into the TSDB, like Prometheus'
    /// remote-write receiver, which is opt-in too).
    pub enabled: bool,
    /// Most bytes of one request body after decompression (0: no limit). Bounds the work a
    /// request can cause, gzip bombs included; memory is bounded by the streaming parser.
    pub max_body_bytes: u64,
    /// Longest accepted line in bytes; also what the parser buffers at most for one line.
    pub max_line_bytes: usize,
    /// Most samples one request may carry (0: no limit).
    pub max_samples: u64,
    /// Samples per commit: what one request holds in memory before it is made visible.
    pub batch_samples: usize,
    /// How long the body may stall (no bytes arrive) before the request is aborted.
    pub idle_timeout: std::time::Duration,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            enabled: false,
            max_body_bytes: 4 << 30,
            max_line_bytes: 1 << 20,
            max_samples: 100_000_000,
            batch_samples: 50_000,
            idle_timeout: std::time::Duration::from_secs(60),
        }
    }
}

impl Default for ApiOptions {
    fn default() -> Self {
        Self {
            enable_lifecycle: false,
            enable_admin_api: false,
            max_concurrent_queries: 20,
            max_query_length: vigil_promql_syntax::DEFAULT_MAX_QUERY_LEN,
            storage_retention: "15d".to_owned(),
            import: ImportOptions::default(),
            remote_write: RemoteWriteOptions::default(),
        }
    }
}

/// Configuration-derived state that changes on reload.
#[derive(Debug, Default)]
pub(crate) struct LiveConfig {
    pub yaml: String,
    pub external_labels: Labels,
    pub reload_success: bool,
    pub last_config_time: Option<Timestamp>,
}

pub(crate) struct Inner {
    pub storage: Arc<dyn Queryable>,
    pub appendable: Option<Arc<dyn Appendable>>,
    pub engine: Engine,
    pub options: ApiOptions,
    pub targets: Option<Arc<dyn TargetsSource>>,
    pub tsdb_stats: Option<Arc<dyn TsdbStatsSource>>,
    pub reload: Option<ReloadFn>,
    pub quit: Option<QuitFn>,
    pub format_query: Option<FormatQueryFn>,
    pub metrics_render: Option<MetricsRenderFn>,
    pub now: NowFn,
    pub flags: BTreeMap<String, String>,
    pub build_info: BuildInfo,
    pub start_time: SystemTime,
    pub metrics: ApiMetrics,
    pub query_slots: tokio::sync::Semaphore,
    pub ready: AtomicBool,
    pub live: RwLock<LiveConfig>,
}

/// Shared state of all handlers. Cheap to clone.
#[derive(Clone)]
pub struct ApiState {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for ApiState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiState").field("options", &self.inner.options).finish_non_exhaustive()
    }
}

impl ApiState {
    /// Starts a builder with the two things every deployment has: storage to read and an engine.
    pub fn builder(storage: Arc<dyn Queryable>, engine: Engine) -> ApiStateBuilder {
        ApiStateBuilder {
            storage,
            engine,
            appendable: None,
            options: ApiOptions::default(),
            targets: None,
            tsdb_stats: None,
            reload: None,
            quit: None,
            format_query: None,
            metrics_render: None,
            metrics: None,
            now: None,
            flags: BTreeMap::new(),
            build_info: BuildInfo::default(),
            start_time: SystemTime::now(),
        }
    }

    /// A handle to update readiness and configuration while serving.
    pub fn handle(&self) -> ApiHandle {
        ApiHandle { inner: Arc::clone(&self.inner) }
    }

    pub(crate) fn now(&self) -> Timestamp {
        (self.inner.now)()
    }

    pub(crate) fn live(&self) -> std::sync::RwLockReadGuard<'_, LiveConfig> {
        self.inner.live.read().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Updates run-time state seen by the API. Cheap to clone; share it with the reload logic.
#[derive(Clone)]
pub struct ApiHandle {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for ApiHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiHandle").finish_non_exhaustive()
    }
}

impl ApiHandle {
    /// Marks the server ready (`/-/ready` answers 200 and the API serves) or not.
    pub fn set_ready(&self, ready: bool) {
        self.inner.ready.store(ready, Ordering::Release);
    }

    /// Records a successfully loaded configuration: its YAML (for `/api/v1/status/config`) and
    /// external labels (added by `/federate`), loaded at `at` (ms).
    pub fn set_config(&self, yaml: String, external_labels: Labels, at: Timestamp) {
        let mut live = self.inner.live.write().unwrap_or_else(PoisonError::into_inner);
        live.yaml = yaml;
        live.external_labels = external_labels;
        live.reload_success = true;
        live.last_config_time = Some(at);
    }

    /// Records a failed reload (the previous configuration stays in force).
    pub fn set_reload_failed(&self) {
        self.inner.live.write().unwrap_or_else(PoisonError::into_inner).reload_success = false;
    }
}

/// Builds an [`ApiState`]. Everything but storage and engine is optional: endpoints whose source
/// is missing answer with empty data or an `unavailable` error.
pub struct ApiStateBuilder {
    storage: Arc<dyn Queryable>,
    engine: Engine,
    appendable: Option<Arc<dyn Appendable>>,
    options: ApiOptions,
    targets: Option<Arc<dyn TargetsSource>>,
    tsdb_stats: Option<Arc<dyn TsdbStatsSource>>,
    reload: Option<ReloadFn>,
    quit: Option<QuitFn>,
    format_query: Option<FormatQueryFn>,
    metrics_render: Option<MetricsRenderFn>,
    metrics: Option<ApiMetrics>,
    now: Option<NowFn>,
    flags: BTreeMap<String, String>,
    build_info: BuildInfo,
    start_time: SystemTime,
}

impl ApiStateBuilder {
    /// Flags and limits.
    pub fn options(mut self, options: ApiOptions) -> Self {
        self.options = options;
        self
    }

    /// Write access, for `/api/v1/import/prometheus`.
    pub fn appendable(mut self, appendable: Arc<dyn Appendable>) -> Self {
        self.appendable = Some(appendable);
        self
    }

    /// The scrape manager, for `/api/v1/targets` and `/api/v1/metadata`.
    pub fn targets(mut self, source: Arc<dyn TargetsSource>) -> Self {
        self.targets = Some(source);
        self
    }

    /// The TSDB's statistics, for `/api/v1/status/tsdb`.
    pub fn tsdb_stats(mut self, source: Arc<dyn TsdbStatsSource>) -> Self {
        self.tsdb_stats = Some(source);
        self
    }

    /// What `/-/reload` runs (only reachable with `enable_lifecycle`).
    pub fn on_reload(mut self, reload: ReloadFn) -> Self {
        self.reload = Some(reload);
        self
    }

    /// What `/-/quit` runs (only reachable with `enable_lifecycle`).
    pub fn on_quit(mut self, quit: QuitFn) -> Self {
        self.quit = Some(quit);
        self
    }

    /// Replaces the PromQL pretty-printer of `/api/v1/format_query` (default:
    /// `vigil_promql_syntax::format_query`).
    pub fn format_query(mut self, f: FormatQueryFn) -> Self {
        self.format_query = Some(f);
        self
    }

    /// Renders the process' self-metrics for `/metrics`. The API's own metrics must be registered
    /// in the same registry (see [`ApiMetrics::register`]).
    pub fn metrics_render(mut self, f: MetricsRenderFn) -> Self {
        self.metrics_render = Some(f);
        self
    }

    /// Serves `/metrics` from a `prometheus-client` registry (OpenMetrics text).
    pub fn metrics_registry(self, registry: Arc<prometheus_client::registry::Registry>) -> Self {
        self.metrics_render(Arc::new(move || {
            let mut out = String::new();
            prometheus_client::encoding::text::encode(&mut out, &registry).map_err(|e| e.to_string())?;
            Ok((out, "application/openmetrics-text; version=1.0.0; charset=utf-8"))
        }))
    }

    /// The API's request metrics; unregistered ones are used when not given.
    pub fn metrics(mut self, metrics: ApiMetrics) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// The clock (defaults to the system clock).
    pub fn now(mut self, now: NowFn) -> Self {
        self.now = Some(now);
        self
    }

    /// Command-line flags for `/api/v1/status/flags` (names without leading dashes).
    pub fn flags(mut self, flags: BTreeMap<String, String>) -> Self {
        self.flags = flags;
        self
    }

    /// Version information for `/api/v1/status/buildinfo`.
    pub fn build_info(mut self, info: BuildInfo) -> Self {
        self.build_info = info;
        self
    }

    /// Process start time for `/api/v1/status/runtimeinfo` (defaults to when the builder was made).
    pub fn start_time(mut self, t: SystemTime) -> Self {
        self.start_time = t;
        self
    }

    /// Finishes the state. The server starts not ready: call [`ApiHandle::set_ready`].
    pub fn build(self) -> ApiState {
        let slots = self.options.max_concurrent_queries.max(1);
        ApiState {
            inner: Arc::new(Inner {
                storage: self.storage,
                appendable: self.appendable,
                engine: self.engine,
                options: self.options,
                targets: self.targets,
                tsdb_stats: self.tsdb_stats,
                reload: self.reload,
                quit: self.quit,
                format_query: self.format_query,
                metrics_render: self.metrics_render,
                now: self.now.unwrap_or_else(|| Arc::new(system_now_ms)),
                flags: self.flags,
                build_info: self.build_info,
                start_time: self.start_time,
                metrics: self.metrics.unwrap_or_default(),
                query_slots: tokio::sync::Semaphore::new(slots),
                ready: AtomicBool::new(false),
                live: RwLock::new(LiveConfig { reload_success: true, ..LiveConfig::default() }),
            }),
        }
    }
}

/// Milliseconds since the Unix epoch from the system clock.
pub fn system_now_ms() -> Timestamp {
    match SystemTime::now().duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}
