//! The API's self-metrics (Prometheus' names), the middleware that records them, and the panic
//! handler that turns a panicking handler into a counted 500.

use crate::error::{Error, error_response};
use crate::state::ApiState;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::time::Instant;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeHandler {
    code: String,
    handler: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HandlerLabel {
    handler: String,
}

type HistogramFamily = Family<HandlerLabel, Histogram, fn() -> Histogram>;

fn duration_histogram() -> Histogram {
    // Prometheus' buckets for prometheus_http_request_duration_seconds.
    Histogram::new([0.1, 0.2, 0.4, 1.0, 3.0, 8.0, 20.0, 60.0, 120.0])
}

/// HTTP request metrics. Clones share the same series.
#[derive(Clone, Debug)]
pub struct ApiMetrics {
    requests: Family<CodeHandler, Counter>,
    durations: HistogramFamily,
    panics: Counter,
}

impl Default for ApiMetrics {
    fn default() -> Self {
        Self {
            requests: Family::default(),
            durations: Family::new_with_constructor(duration_histogram),
            panics: Counter::default(),
        }
    }
}

impl ApiMetrics {
    /// Creates the metrics and registers them: `prometheus_http_requests_total{code,handler}`,
    /// `prometheus_http_request_duration_seconds{handler}` and `vigil_http_panics_total`.
    pub fn register(registry: &mut Registry) -> Self {
        let m = Self::default();
        m.register_into(registry);
        m
    }

    /// Registers these (shared) metrics into another registry.
    pub(crate) fn register_into(&self, registry: &mut Registry) {
        registry.register("prometheus_http_requests", "Counter of HTTP requests.", self.requests.clone());
        registry.register(
            "prometheus_http_request_duration_seconds",
            "Histogram of latencies for HTTP requests.",
            self.durations.clone(),
        );
        registry.register(
            "vigil_http_panics",
            "Handlers that panicked and were answered with a 500.",
            self.panics.clone(),
        );
    }

    /// Requests answered so far with `code` by `handler` (for tests and debugging).
    pub fn requests(&self, code: u16, handler: &str) -> u64 {
        self.requests.get_or_create(&CodeHandler { code: code.to_string(), handler: handler.to_owned() }).get()
    }

    /// Panics caught so far.
    pub fn panics(&self) -> u64 {
        self.panics.get()
    }

    /// The response for a panicking handler; counts it.
    pub(crate) fn on_panic(&self, detail: Box<dyn std::any::Any + Send + 'static>) -> Response {
        self.panics.inc();
        let msg = detail
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| detail.downcast_ref::<&str>().copied())
            .unwrap_or("unknown panic");
        tracing::error!(panic = msg, "HTTP handler panicked.");
        error_response(&Error::Internal(format!("handler panicked: {msg}")))
    }
}

/// Middleware recording the request counter and latency histogram, labelled by route.
pub(crate) async fn record(State(state): State<ApiState>, req: Request, next: Next) -> Response {
    let handler = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned());
    let start = Instant::now();
    let resp = next.run(req).await;
    if let Some(handler) = handler {
        let m = &state.inner.metrics;
        m.durations.get_or_create(&HandlerLabel { handler: handler.clone() }).observe(start.elapsed().as_secs_f64());
        m.requests.get_or_create(&CodeHandler { code: resp.status().as_u16().to_string(), handler }).inc();
    }
    resp
}
