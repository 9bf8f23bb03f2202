//! Self-metrics plumbing shared by every component.
//!
//! There is no global registry: each component defines its own `Metrics` struct, registers it into
//! a [`prometheus_client::registry::Registry`] that its owner passes in, and whoever serves
//! `/metrics` renders that registry with [`render`]. This crate re-exports `prometheus-client`
//! so that components need no direct dependency on it, and adds the one thing it lacks: output
//! in the classic Prometheus text format 0.0.4, chosen by content negotiation.
//!
//! ```
//! use vigil_instrument::prometheus_client::{metrics::counter::Counter, registry::Registry};
//! use vigil_instrument::{Format, render};
//!
//! let mut registry = Registry::default();
//! let requests = Counter::<u64>::default();
//! registry.register("requests", "Requests served", requests.clone());
//! requests.inc();
//!
//! let format = Format::negotiate(Some("text/plain;version=0.0.4"));
//! let body = render(&registry, format).unwrap();
//! assert!(body.contains("# TYPE requests_total counter\nrequests_total 1\n"));
//! assert_eq!(format.content_type(), "text/plain; version=0.0.4; charset=utf-8");
//! ```

mod render;

pub use prometheus_client;
pub use render::{Format, render};

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A registered metric failed to encode itself (prometheus-client reports no detail).
    #[error("failed to encode the metrics registry")]
    Encode(#[from] std::fmt::Error),
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
