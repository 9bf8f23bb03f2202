//! A built-in Iris-like prediction API with the seeds' metrics and a traffic generator.
//!
//! `vigil` runs this API next to itself so that a fresh install has something realistic to
//! scrape, and `vigil demo` runs it alone as a target for any server. It exposes exactly the
//! metrics the user's ML API exposes (`http_requests_total`, `http_request_duration_seconds`,
//! `http_requests_in_flight`, `model_predictions_total`, `model_confidence`, `model_loaded`,
//! `api_errors_total`), so the seeds' queries, alerts and dashboards work unchanged.
//!
//! - [`service`]: routes `POST /predict`, `GET /health`, `GET /metrics`, `GET /`.
//! - [`classifier`]: a deterministic hand-written "model".
//! - [`faults`]: injected `500`s and slow requests, with a periodic degraded phase in which the
//!   seeds' `HighErrorRate` and `HighLatency` alerts fire.
//! - [`traffic`]: a load generator that sends a realistic mix over real HTTP.
//!
//! There is no global state: every [`Demo`] owns its registry.
//!
//! ```no_run
//! # async fn example() -> vigil_demo::Result<()> {
//! let config = vigil_demo::DemoConfig::default();
//! let listener = tokio::net::TcpListener::bind(config.listen).await.map_err(vigil_demo::Error::Bind)?;
//! vigil_demo::serve(listener, config, async { let _ = tokio::signal::ctrl_c().await; }).await
//! # }
//! ```

pub mod classifier;
mod config;
pub mod faults;
pub mod metrics;
pub mod service;
pub mod traffic;

use std::future::Future;
use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::watch;

pub use config::{DemoConfig, FaultConfig, FaultRates, TrafficConfig};
pub use service::Demo;

/// Errors of the demo API.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Binding the listen address failed (for callers that bind [`DemoConfig::listen`]).
    #[error("cannot bind the demo API: {0}")]
    Bind(#[source] std::io::Error),
    /// The listener has no local address.
    #[error("cannot read the demo listener's address: {0}")]
    LocalAddr(#[source] std::io::Error),
    /// The HTTP server failed.
    #[error("demo API server failed: {0}")]
    Serve(#[source] std::io::Error),
    /// Rendering `/metrics` failed.
    #[error(transparent)]
    Render(#[from] vigil_instrument::Error),
    /// A traffic generator request failed.
    #[error("demo traffic request to {path} failed: {detail}")]
    Traffic {
        /// Requested path.
        path: &'static str,
        /// What went wrong.
        detail: String,
    },
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Serves the demo API on `listener` until `shutdown` completes, with the traffic generator
/// aimed at the listener's own address when [`DemoConfig::traffic`] is set. On shutdown the
/// generator stops first, then in-flight requests are allowed to finish.
pub async fn serve(
    listener: TcpListener,
    config: DemoConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let addr = listener.local_addr().map_err(Error::LocalAddr)?;
    let demo = Demo::new(&config);
    let (stop, stopped) = watch::channel(false);
    let generator = config.traffic.map(|traffic| {
        let mut stopped = stopped.clone();
        let target = loopback(addr);
        tokio::spawn(traffic::run(target, traffic, async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        }))
    });
    tracing::info!(%addr, "Demo API listening.");
    let server = axum::serve(listener, demo.router()).with_graceful_shutdown(async move {
        shutdown.await;
        let _ = stop.send(true);
    });
    let result = server.await.map_err(Error::Serve);
    if let Some(generator) = generator {
        generator.abort();
    }
    result
}

/// Where a local client reaches a server bound to `addr` (a wildcard address is not dialable).
fn loopback(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V4(v4) if v4.ip().is_unspecified() => SocketAddr::from(([127, 0, 0, 1], v4.port())),
        SocketAddr::V6(v6) if v6.ip().is_unspecified() => SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, v6.port())),
        other => other,
    }
}
