//! The demo API's metrics, named and labelled exactly as in the user's seed documents.
//!
//! Each [`Metrics`] owns its registry, so two demo servers in one process never share series.

use std::fmt;

use vigil_instrument::prometheus_client::encoding::{EncodeLabel, EncodeLabelSet, LabelSetEncoder};
use vigil_instrument::prometheus_client::metrics::counter::Counter;
use vigil_instrument::prometheus_client::metrics::family::Family;
use vigil_instrument::prometheus_client::metrics::gauge::Gauge;
use vigil_instrument::prometheus_client::metrics::histogram::Histogram;
use vigil_instrument::prometheus_client::registry::Registry;
use vigil_instrument::{Format, render};

use crate::Result;
use crate::classifier::Species;

/// Request latency buckets, in seconds: fine below 100 ms where a healthy API lives, and with
/// bounds around the seeds' 2 s p95 alert threshold.
pub const DURATION_BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Prediction confidence buckets.
pub const CONFIDENCE_BUCKETS: [f64; 11] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0];

/// Labels of `http_requests_total`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HttpLabels {
    /// HTTP method, or `other` for unusual ones (keeps cardinality bounded).
    pub method: &'static str,
    /// Route template, or `unmatched`.
    pub handler: &'static str,
    /// Response status code.
    pub status: u16,
}

/// Labels of `http_request_duration_seconds`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RouteLabels {
    /// See [`HttpLabels::method`].
    pub method: &'static str,
    /// See [`HttpLabels::handler`].
    pub handler: &'static str,
}

/// Labels of `model_predictions_total` and `model_confidence`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClassLabels {
    /// Predicted species name.
    pub predicted_class: &'static str,
}

/// Labels of `api_errors_total`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ErrorLabels {
    /// `validation_error`, `model_error` or `not_found`.
    pub error_type: &'static str,
    /// Route the error happened on.
    pub endpoint: &'static str,
}

impl EncodeLabelSet for HttpLabels {
    fn encode(&self, encoder: &mut LabelSetEncoder) -> Result<(), fmt::Error> {
        ("method", self.method).encode(encoder.encode_label())?;
        ("handler", self.handler).encode(encoder.encode_label())?;
        ("status", self.status).encode(encoder.encode_label())
    }
}

impl EncodeLabelSet for RouteLabels {
    fn encode(&self, encoder: &mut LabelSetEncoder) -> Result<(), fmt::Error> {
        ("method", self.method).encode(encoder.encode_label())?;
        ("handler", self.handler).encode(encoder.encode_label())
    }
}

impl EncodeLabelSet for ClassLabels {
    fn encode(&self, encoder: &mut LabelSetEncoder) -> Result<(), fmt::Error> {
        ("predicted_class", self.predicted_class).encode(encoder.encode_label())
    }
}

impl EncodeLabelSet for ErrorLabels {
    fn encode(&self, encoder: &mut LabelSetEncoder) -> Result<(), fmt::Error> {
        ("error_type", self.error_type).encode(encoder.encode_label())?;
        ("endpoint", self.endpoint).encode(encoder.encode_label())
    }
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

/// The demo API's metrics and the registry that exposes them.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// `http_requests_total{method,handler,status}`.
    pub http_requests: Family<HttpLabels, Counter>,
    /// `http_request_duration_seconds{method,handler}`.
    pub http_request_duration: HistogramFamily<RouteLabels>,
    /// `http_requests_in_flight`.
    pub http_requests_in_flight: Gauge,
    /// `model_predictions_total{predicted_class}`.
    pub model_predictions: Family<ClassLabels, Counter>,
    /// `model_confidence{predicted_class}`.
    pub model_confidence: HistogramFamily<ClassLabels>,
    /// `model_loaded`.
    pub model_loaded: Gauge,
    /// `api_errors_total{error_type,endpoint}`.
    pub api_errors: Family<ErrorLabels, Counter>,
}

impl Metrics {
    /// Creates the metrics in a fresh registry. Series whose labels are known in advance start
    /// at zero, so that `rate()` and the seeds' dashboards see them before the first event.
    pub fn new() -> Metrics {
        let metrics = Metrics {
            registry: Registry::default(),
            http_requests: Family::default(),
            http_request_duration: Family::new_with_constructor(|| Histogram::new(DURATION_BUCKETS)),
            http_requests_in_flight: Gauge::default(),
            model_predictions: Family::default(),
            model_confidence: Family::new_with_constructor(|| Histogram::new(CONFIDENCE_BUCKETS)),
            model_loaded: Gauge::default(),
            api_errors: Family::default(),
        };
        for species in Species::ALL {
            let labels = ClassLabels { predicted_class: species.as_str() };
            metrics.model_predictions.get_or_create_owned(&labels);
            metrics.model_confidence.get_or_create_owned(&labels);
        }
        for error_type in ["validation_error", "model_error"] {
            metrics.api_errors.get_or_create_owned(&ErrorLabels { error_type, endpoint: "/predict" });
        }
        metrics.register()
    }

    /// Counters are registered without their `_total` suffix, which the encoder appends.
    fn register(mut self) -> Metrics {
        let r = &mut self.registry;
        r.register("http_requests", "Total HTTP requests", self.http_requests.clone());
        r.register(
            "http_request_duration_seconds",
            "HTTP request latency in seconds",
            self.http_request_duration.clone(),
        );
        r.register(
            "http_requests_in_flight",
            "HTTP requests currently being served",
            self.http_requests_in_flight.clone(),
        );
        r.register("model_predictions", "Total predictions by predicted class", self.model_predictions.clone());
        r.register("model_confidence", "Confidence of predictions", self.model_confidence.clone());
        r.register("model_loaded", "Whether the model is loaded (1) or not (0)", self.model_loaded.clone());
        r.register("api_errors", "Total API errors by type and endpoint", self.api_errors.clone());
        self
    }

    /// Renders all metrics in `format`.
    pub fn render(&self, format: Format) -> Result<String> {
        Ok(render(&self.registry, format)?)
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
