//! `/-/healthy`, `/-/ready`, `/-/reload`, `/-/quit`, and the readiness gate in front of the API.
//! Bodies and status codes are Prometheus' plain-text ones.

use crate::state::ApiState;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::atomic::Ordering;

fn text(status: StatusCode, body: impl Into<String>) -> Response {
    (status, [(axum::http::header::CONTENT_TYPE, "text/plain; charset=utf-8")], body.into()).into_response()
}

fn is_ready(state: &ApiState) -> bool {
    state.inner.ready.load(Ordering::Acquire)
}

/// `GET|HEAD /-/healthy`
pub(crate) async fn healthy() -> Response {
    text(StatusCode::OK, "Vigil Server is Healthy.\n")
}

/// `GET|HEAD /-/ready`
pub(crate) async fn ready(State(state): State<ApiState>) -> Response {
    if is_ready(&state) {
        text(StatusCode::OK, "Vigil Server is Ready.\n")
    } else {
        text(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable")
    }
}

/// Answers 503 until the server is marked ready, like Prometheus' `testReady` wrapper.
pub(crate) async fn ready_gate(State(state): State<ApiState>, req: Request, next: Next) -> Response {
    if is_ready(&state) { next.run(req).await } else { text(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable") }
}

fn lifecycle_disabled() -> Response {
    text(StatusCode::FORBIDDEN, "Lifecycle API is not enabled.")
}

/// `POST|PUT /-/reload`
pub(crate) async fn reload(State(state): State<ApiState>) -> Response {
    if !state.inner.options.enable_lifecycle {
        return lifecycle_disabled();
    }
    let result = match &state.inner.reload {
        Some(reload) => reload().await,
        None => Err("no reload handler is configured".to_owned()),
    };
    match result {
        Ok(()) => text(StatusCode::OK, ""),
        Err(e) => text(StatusCode::INTERNAL_SERVER_ERROR, format!("failed to reload config: {e}\n")),
    }
}

/// `POST|PUT /-/quit`
pub(crate) async fn quit(State(state): State<ApiState>) -> Response {
    if !state.inner.options.enable_lifecycle {
        return lifecycle_disabled();
    }
    match &state.inner.quit {
        Some(quit) => {
            quit();
            text(StatusCode::OK, "Requesting termination... Goodbye!")
        }
        None => text(StatusCode::INTERNAL_SERVER_ERROR, "no quit handler is configured\n"),
    }
}
