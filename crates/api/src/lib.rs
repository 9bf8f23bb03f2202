//! Vigil's HTTP API: the Prometheus `/api/v1` JSON API, `/federate`, `/metrics` and the
//! lifecycle endpoints (`/-/healthy`, `/-/ready`, `/-/reload`, `/-/quit`).
//!
//! Design:
//! - Wire compatibility is the contract. Envelopes, `errorType`s, status codes, parameter
//!   validation messages, float and timestamp layouts follow Prometheus (checked against
//!   Prometheus 2.42 and its sources). All error → HTTP mapping lives in [`Error::classify`].
//! - Components this crate does not own are reached through small traits and structs defined
//!   here ([`TargetsSource`], [`TsdbStatsSource`], lifecycle callbacks); the binary adapts the
//!   scrape manager and the TSDB to them. Storage is any [`vigil_storage::Queryable`].
//! - PromQL evaluation is synchronous and CPU-bound: it runs on the blocking pool behind a
//!   concurrency limit, and a client disconnect sets the query's cancel flag.
//! - Large results are encoded straight into one buffer ([`json`]), not through a JSON tree.
//! - A panicking handler is caught, counted (`vigil_http_panics_total`) and answered with a 500.
//!
//! ```no_run
//! use std::sync::Arc;
//! use vigil_api::{ApiOptions, ApiState};
//! # async fn run() -> std::io::Result<()> {
//! let storage = Arc::new(vigil_storage::MemStorage::new());
//! let state = ApiState::builder(storage, vigil_promql::Engine::default())
//!     .options(ApiOptions { enable_lifecycle: true, ..ApiOptions::default() })
//!     .build();
//! state.handle().set_ready(true);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:9090").await?;
//! vigil_api::serve(listener, vigil_api::router(state), std::future::pending()).await
//! # }
//! ```

mod conn;
mod error;
mod gofloat;
mod handlers;
pub mod json;
mod metrics;
mod params;
mod query_log;
mod selector;
mod sources;
mod state;
mod timefmt;

pub use conn::DEFAULT_MAX_CONNECTIONS;
pub use error::{Error, ErrorType, Result, error_response};
pub use metrics::ApiMetrics;
pub use params::{MAX_TIME, MIN_TIME, parse_duration, parse_time};
pub use query_log::QueryLogFile;
pub use sources::{
    BuildInfo, DroppedTargetInfo, HeadStats, MetricMetadata, NameCount, TargetHealth, TargetInfo, TargetsSource,
    TsdbStats, TsdbStatsSource,
};
pub use state::{
    ApiHandle, ApiOptions, ApiState, ApiStateBuilder, BoxFuture, FormatQueryFn, ImportOptions, MetricsRenderFn, NowFn,
    QuitFn, ReloadFn, RemoteWriteOptions, system_now_ms,
};

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use handlers::{exposition, import, lifecycle, query, remote_write, series, status, targets};
use std::future::Future;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;

/// All routes, with metrics, panic catching, readiness gating of the API and gzip.
pub fn router(state: ApiState) -> Router {
    let api = Router::new()
        .route("/api/v1/query", get(query::instant).post(query::instant))
        .route("/api/v1/query_range", get(query::range).post(query::range))
        .route("/api/v1/series", get(series::series).post(series::series))
        .route("/api/v1/labels", get(series::labels).post(series::labels))
        .route("/api/v1/label/{name}/values", get(series::label_values))
        .route("/api/v1/targets", get(targets::targets))
        .route("/api/v1/metadata", get(targets::metadata))
        .route("/api/v1/query_exemplars", get(status::query_exemplars).post(status::query_exemplars))
        .route("/api/v1/format_query", get(status::format_query).post(status::format_query))
        .route("/api/v1/status/buildinfo", get(status::buildinfo))
        .route("/api/v1/status/config", get(status::config))
        .route("/api/v1/status/flags", get(status::flags))
        .route("/api/v1/status/runtimeinfo", get(status::runtimeinfo))
        .route("/api/v1/status/tsdb", get(status::tsdb))
        .route("/api/v1/admin/tsdb/snapshot", post(status::admin).put(status::admin))
        .route("/api/v1/admin/tsdb/delete_series", post(status::admin).put(status::admin))
        .route("/api/v1/admin/tsdb/clean_tombstones", post(status::admin).put(status::admin))
        .route("/api/v1/import/prometheus", post(import::prometheus))
        .route("/api/v1/write", post(remote_write::write))
        .route("/federate", get(exposition::federate))
        .route_layer(from_fn_with_state(state.clone(), lifecycle::ready_gate));
    let panic_metrics = state.inner.metrics.clone();
    Router::new()
        .merge(api)
        .route("/metrics", get(exposition::metrics))
        .route("/-/healthy", get(lifecycle::healthy))
        .route("/-/ready", get(lifecycle::ready))
        .route("/-/reload", post(lifecycle::reload).put(lifecycle::reload))
        .route("/-/quit", post(lifecycle::quit).put(lifecycle::quit))
        .route_layer(CatchPanicLayer::custom(move |e| panic_metrics.on_panic(e)))
        .route_layer(from_fn_with_state(state.clone(), metrics::record))
        .layer(CompressionLayer::new())
        .with_state(state)
}

/// Serves `router` on `listener` with Prometheus' default connection limit (512) until
/// `shutdown` completes, then drains open requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_limited(listener, conn::DEFAULT_MAX_CONNECTIONS, router, shutdown).await
}

/// [`serve`] with at most `max_connections` open at once (`--web.max-connections`; 0: no limit).
pub async fn serve_limited(
    listener: tokio::net::TcpListener,
    max_connections: usize,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = conn::LimitedListener::new(listener, max_connections);
    axum::serve(listener, router.into_make_service_with_connect_info::<conn::Peer>())
        .with_graceful_shutdown(shutdown)
        .await
}
