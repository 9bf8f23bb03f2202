//! Request handlers, one module per endpoint family, and the small helpers they share.

pub(crate) mod client;
pub(crate) mod exposition;
pub(crate) mod import;
pub(crate) mod lifecycle;
pub(crate) mod query;
pub(crate) mod remote_write;
pub(crate) mod series;
pub(crate) mod status;
#[cfg(test)]
pub(crate) mod strict_storage;
pub(crate) mod targets;

use crate::error::Error;
use crate::state::ApiState;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

/// A ready JSON body as a response.
pub(crate) fn json_response(body: String) -> Response {
    ([(CONTENT_TYPE, "application/json")], body).into_response()
}

/// Wraps any serializable value in the success envelope.
pub(crate) fn success<T: serde::Serialize>(data: &T) -> Result<Response, Error> {
    let data = serde_json::to_string(data).map_err(|e| Error::Internal(format!("encoding response: {e}")))?;
    Ok(json_response(crate::json::success_envelope(data.len(), |out| out.push_str(&data), &[], &[])))
}

/// Runs CPU-bound or blocking work off the async threads; a panic becomes a counted 500.
///
/// Every caller (queries, series, labels, federation, TSDB status) first takes one of the
/// `--query.max-concurrency` slots, waiting at most the query timeout for it, so a flood of
/// requests queues up instead of piling work on the blocking pool.
pub(crate) async fn blocking<F>(state: &ApiState, work: F) -> Result<Response, Error>
where
    F: FnOnce(&ApiState) -> Result<Response, Error> + Send + 'static,
{
    let wait = state.inner.engine.options().timeout;
    let _slot = match tokio::time::timeout(wait, state.inner.query_slots.acquire()).await {
        Ok(Ok(slot)) => slot,
        Ok(Err(_)) => return Err(Error::Unavailable("the query engine is shutting down".to_owned())),
        Err(_) => {
            return Err(Error::Unavailable(format!(
                "query queue wait exceeded the query timeout ({wait:?}): too many concurrent queries"
            )));
        }
    };
    let st = state.clone();
    match tokio::task::spawn_blocking(move || work(&st)).await {
        Ok(res) => res,
        Err(e) if e.is_panic() => Ok(state.inner.metrics.on_panic(e.into_panic())),
        Err(e) => Err(Error::Internal(format!("blocking task failed: {e}"))),
    }
}

/// The warning Prometheus adds when a `limit` parameter cut a result.
pub(crate) const TRUNCATED_WARNING: &str = "results truncated due to limit";
