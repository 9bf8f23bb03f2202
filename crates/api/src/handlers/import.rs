//! `POST /api/v1/import/prometheus`: loads Prometheus text exposition with optional millisecond
//! timestamps into the TSDB, with VictoriaMetrics' request shape (optional `Content-Encoding:
//! gzip`, repeatable `extra_label=name=value`, `204 No Content` on success).
//!
//! The body is never held whole: the async side forwards its chunks over a small channel
//! ([`body::pump`], which also aborts a stalled or vanished client), and a blocking task
//! decompresses, splits complete lines, parses them with the scrape parser and appends them,
//! committing every `batch_samples` samples ([`ingest`]). Memory per request is therefore the
//! channel, one read buffer and the longest allowed line, whatever the body's size.

mod body;
mod ingest;

use super::blocking;
use crate::error::Error;
use crate::state::ApiState;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header::CONTENT_ENCODING;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use std::time::Instant;

/// Chunks of the request body in flight between the connection and the parser.
const CHANNEL_CHUNKS: usize = 16;
/// How long a failed request keeps draining its body before it answers.
const DRAIN_TIME: std::time::Duration = std::time::Duration::from_secs(2);

/// `POST /api/v1/import/prometheus`
pub(crate) async fn prometheus(
    State(state): State<ApiState>,
    uri: Uri,
    headers: HeaderMap,
    request_body: Body,
) -> Result<Response, Error> {
    let opts = state.inner.options.import.clone();
    if !opts.enabled {
        return Err(Error::NotFound("the import API is disabled; start Vigil with --web.enable-import".to_owned()));
    }
    let Some(storage) = state.inner.appendable.clone() else {
        return Err(Error::Unavailable("this server has no writable storage".to_owned()));
    };
    let extra = extra_labels(&uri)?;
    let gzip = gzip_encoded(&headers)?;
    let now = state.now();
    let (tx, rx) = tokio::sync::mpsc::channel(CHANNEL_CHUNKS);
    let pump = body::pump(request_body, tx, opts.idle_timeout);
    let work = blocking(&state, move |_| {
        let started = Instant::now();
        let reader = body::ChannelReader::new(rx);
        let out = ingest::run(storage.as_ref(), reader, gzip, &extra, now, &opts)?;
        if let Some(first) = &out.first_rejection {
            tracing::warn!(rejected = out.rejected, first = %first, "Import skipped samples the TSDB refused.");
        }
        tracing::info!(
            samples = out.samples,
            lines = out.lines,
            seconds = started.elapsed().as_secs_f64(),
            "Imported Prometheus text."
        );
        Ok(StatusCode::NO_CONTENT.into_response())
    });
    tokio::pin!(work, pump);
    tokio::select! {
        res = &mut work => {
            // Failed before the body ended: let the pump drain a little of the rest, briefly, so
            // the client can read the answer.
            if res.is_err() {
                let _ = tokio::time::timeout(DRAIN_TIME, pump).await;
            }
            res
        }
        () = &mut pump => work.await,
    }
}

/// `Content-Encoding`: none, `identity` or `gzip`.
fn gzip_encoded(headers: &HeaderMap) -> Result<bool, Error> {
    let Some(value) = headers.get(CONTENT_ENCODING) else { return Ok(false) };
    let value = value.to_str().unwrap_or("").trim();
    if value.eq_ignore_ascii_case("gzip") || value.eq_ignore_ascii_case("x-gzip") {
        Ok(true)
    } else if value.is_empty() || value.eq_ignore_ascii_case("identity") {
        Ok(false)
    } else {
        Err(Error::BadData(format!("unsupported Content-Encoding {value:?}: send gzip or an uncompressed body")))
    }
}

/// The `extra_label=name=value` parameters, added to (or replacing labels of) every series.
fn extra_labels(uri: &Uri) -> Result<Vec<(String, String)>, Error> {
    let Query(pairs): Query<Vec<(String, String)>> =
        Query::try_from_uri(uri).map_err(|e| Error::BadData(format!("invalid query string: {e}")))?;
    pairs
        .into_iter()
        .filter(|(k, _)| k == "extra_label")
        .map(|(_, v)| {
            let (name, value) = v
                .split_once('=')
                .ok_or_else(|| Error::param("extra_label", format!("{v:?} is not of the form name=value")))?;
            if !vigil_model::relabel::is_valid_legacy_label_name(name) || name == vigil_model::METRIC_NAME {
                return Err(Error::param("extra_label", format!("invalid label name {name:?}")));
            }
            Ok((name.to_owned(), value.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests;
