//! The HTTP service: routes, handlers and the middleware that records the `http_*` metrics.

mod request;

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use serde_json::json;
use vigil_instrument::Format;
use vigil_instrument::prometheus_client::metrics::gauge::Gauge;

use crate::classifier::{self, FEATURE_NAMES};
use crate::config::DemoConfig;
use crate::faults::FaultInjector;
use crate::metrics::{ClassLabels, ErrorLabels, HttpLabels, Metrics, RouteLabels};

/// Route templates, used as the `handler` label; anything else is `unmatched`.
const ROUTES: [&str; 4] = ["/", "/predict", "/health", "/metrics"];

/// One demo API instance: its metrics, model and fault injector. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Demo {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    metrics: Metrics,
    faults: FaultInjector,
    model_version: String,
}

impl Demo {
    /// Creates an instance with its own metrics registry and a loaded model.
    pub fn new(config: &DemoConfig) -> Demo {
        let metrics = Metrics::new();
        metrics.model_loaded.set(1);
        let faults = FaultInjector::new(config.faults.clone());
        Demo { inner: Arc::new(Inner { metrics, faults, model_version: config.model_version.clone() }) }
    }

    /// The instance's metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// All routes, wrapped in the metrics middleware. Paths are relative, so the router can be
    /// nested under a prefix.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/", get(index))
            .route("/predict", post(predict))
            .route("/health", get(health))
            .route("/metrics", get(metrics))
            .fallback(not_found)
            .layer(middleware::from_fn_with_state(self.clone(), track))
            .with_state(self.clone())
    }

    /// Counts and logs a failed request, and turns it into its JSON response.
    fn fail(&self, endpoint: &'static str, error: ApiError) -> Response {
        tracing::debug!(endpoint, error_type = error.error_type, detail = %error.detail, "Demo request failed.");
        let labels = ErrorLabels { error_type: error.error_type, endpoint };
        self.inner.metrics.api_errors.get_or_create(&labels).inc();
        error.into_response()
    }
}

/// An error answered as `{"error": error_type, "detail": …}`.
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    error_type: &'static str,
    detail: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({ "error": self.error_type, "detail": self.detail }))).into_response()
    }
}

/// Records `http_requests_total`, `http_request_duration_seconds` and
/// `http_requests_in_flight` around every request, including unmatched ones.
async fn track(State(demo): State<Demo>, request: Request, next: Next) -> Response {
    let metrics = demo.metrics();
    let method = method_label(request.method());
    let path = request.uri().path();
    let handler = ROUTES.into_iter().find(|route| *route == path).unwrap_or("unmatched");
    // Decrements on drop too, when the client goes away mid-request.
    let _in_flight = InFlight::enter(&metrics.http_requests_in_flight);
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    metrics.http_requests.get_or_create(&HttpLabels { method, handler, status }).inc();
    metrics
        .http_request_duration
        .get_or_create(&RouteLabels { method, handler })
        .observe(started.elapsed().as_secs_f64());
    response
}

/// Holds one unit of `http_requests_in_flight` while alive.
struct InFlight<'a>(&'a Gauge);

impl<'a> InFlight<'a> {
    fn enter(gauge: &'a Gauge) -> InFlight<'a> {
        gauge.inc();
        InFlight(gauge)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Bounded `method` label values.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

async fn index(State(demo): State<Demo>) -> Json<serde_json::Value> {
    Json(json!({
        "service": "vigil demo Iris prediction API",
        "model_version": demo.inner.model_version,
        "endpoints": {
            "POST /predict": format!("{{\"features\": {FEATURE_NAMES:?}}} in cm"),
            "GET /health": "service and model status",
            "GET /metrics": "Prometheus metrics",
        },
    }))
}

async fn health(State(demo): State<Demo>) -> Json<serde_json::Value> {
    let model_loaded = demo.metrics().model_loaded.get() == 1;
    Json(json!({
        "status": if model_loaded { "healthy" } else { "degraded" },
        "model_loaded": model_loaded,
        "model_version": demo.inner.model_version,
    }))
}

async fn predict(State(demo): State<Demo>, body: Bytes) -> Response {
    const ENDPOINT: &str = "/predict";
    let features = match request::parse_features(&body) {
        Ok(features) => features,
        Err(error) => return demo.fail(ENDPOINT, error),
    };
    let prediction = match classifier::classify(features) {
        Ok(prediction) => prediction,
        Err(invalid) => return demo.fail(ENDPOINT, request::invalid(invalid.to_string())),
    };
    let fault = demo.inner.faults.draw();
    tokio::time::sleep(fault.delay).await;
    if fault.fail {
        let error = ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            error_type: "model_error",
            detail: "inference failed (injected fault)".to_owned(),
        };
        return demo.fail(ENDPOINT, error);
    }
    let labels = ClassLabels { predicted_class: prediction.species.as_str() };
    let metrics = demo.metrics();
    metrics.model_predictions.get_or_create(&labels).inc();
    metrics.model_confidence.get_or_create(&labels).observe(prediction.confidence);
    Json(json!({
        "prediction": prediction.species.as_str(),
        "confidence": prediction.confidence,
        "model_version": demo.inner.model_version,
    }))
    .into_response()
}

async fn metrics(State(demo): State<Demo>, headers: HeaderMap) -> Response {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let format = Format::negotiate(accept);
    match demo.metrics().render(format) {
        Ok(body) => {
            let content_type = HeaderValue::from_static(format.content_type());
            ([(header::CONTENT_TYPE, content_type)], Body::from(body)).into_response()
        }
        Err(error) => {
            tracing::error!(%error, "Cannot render the demo metrics.");
            (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response()
        }
    }
}

async fn not_found() -> ApiError {
    ApiError { status: StatusCode::NOT_FOUND, error_type: "not_found", detail: "no such endpoint".to_owned() }
}
