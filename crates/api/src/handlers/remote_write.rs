//! `POST /api/v1/write`: the Remote-Write 1.0 receiver (`--web.enable-remote-write-receiver`,
//! as in Prometheus). The snappy body is read up to `max_body_bytes`, decompressed up to
//! `max_decoded_bytes` (both checked before allocating), decoded without copying labels
//! (`vigil_exposition::remote_write`) and appended in commits of `batch_samples`.
//!
//! Answers as Prometheus does, in plain text: `204` when everything was stored; `400` for a
//! body that does not decode or samples the TSDB refuses (out of order, too old, duplicate),
//! which tells the sender not to retry; `415` for another protocol (Remote-Write 2.0 is not
//! served yet); `500` when the storage fails, so that the sender retries. Unlike Prometheus,
//! which rolls the whole request back on the first refused sample, the samples that were
//! accepted stay stored: a retry of the request then only meets duplicates.

mod ingest;

#[cfg(test)]
mod tests;

use super::blocking;
use crate::error::Error;
use crate::state::ApiState;
use axum::body::Body;
use axum::extract::State;
use axum::http::header::{CONTENT_ENCODING, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// The longest a sender may take to send its body.
const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// `POST /api/v1/write`
pub(crate) async fn write(State(state): State<ApiState>, headers: HeaderMap, body: Body) -> Response {
    let opts = state.inner.options.remote_write.clone();
    if !opts.enabled {
        return text(
            StatusCode::NOT_FOUND,
            "remote write receiver needs to be enabled with --web.enable-remote-write-receiver",
        );
    }
    if let Err(why) = check_headers(&headers) {
        return text(StatusCode::UNSUPPORTED_MEDIA_TYPE, &why);
    }
    let Some(storage) = state.inner.appendable.clone() else {
        return text(StatusCode::INTERNAL_SERVER_ERROR, "this server has no writable storage");
    };
    let limit = usize::try_from(opts.max_body_bytes).unwrap_or(usize::MAX);
    let bytes = match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => {
            let too_big = std::error::Error::source(&e).is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            return if too_big {
                text(StatusCode::PAYLOAD_TOO_LARGE, &format!("the request body is larger than {limit} bytes"))
            } else {
                text(StatusCode::BAD_REQUEST, &format!("cannot read the request body: {e}"))
            };
        }
        Err(_) => return text(StatusCode::REQUEST_TIMEOUT, "the request body took longer than 60 s to arrive"),
    };
    let result = blocking(&state, move |_| {
        let outcome = ingest::run(storage.as_ref(), &bytes, &opts)?;
        Ok(outcome.into_response())
    })
    .await;
    match result {
        Ok(r) => r,
        Err(e @ (Error::BadData(_) | Error::InvalidParam { .. })) => text(StatusCode::BAD_REQUEST, &e.to_string()),
        Err(e) => {
            tracing::error!(error = %e, "Remote write failed.");
            text(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string())
        }
    }
}

/// Remote-Write 1.0 only: protobuf (the `proto` parameter, if any, naming the 1.0 message),
/// snappy-compressed (or no encoding header, as 1.0 senders before the header existed).
fn check_headers(headers: &HeaderMap) -> Result<(), String> {
    if let Some(ct) = headers.get(CONTENT_TYPE) {
        let ct = ct.to_str().unwrap_or("");
        let mut parts = ct.split(';').map(str::trim);
        let media = parts.next().unwrap_or("");
        if !media.eq_ignore_ascii_case(vigil_exposition::remote_write::CONTENT_TYPE) {
            return Err(format!(
                "unsupported Content-Type {ct:?}: send {}",
                vigil_exposition::remote_write::CONTENT_TYPE
            ));
        }
        for p in parts {
            if let Some(proto) = p.strip_prefix("proto=")
                && proto.trim_matches('"') != "prometheus.WriteRequest"
            {
                return Err(format!(
                    "unsupported protocol {proto:?}: only Remote-Write 1.0 (prometheus.WriteRequest) is served"
                ));
            }
        }
    }
    if let Some(enc) = headers.get(CONTENT_ENCODING) {
        let enc = enc.to_str().unwrap_or("");
        if !enc.eq_ignore_ascii_case("snappy") {
            return Err(format!("unsupported Content-Encoding {enc:?}: send snappy"));
        }
    }
    Ok(())
}

/// A plain-text answer, as Prometheus' write handler gives them.
fn text(status: StatusCode, message: &str) -> Response {
    (status, format!("{message}\n")).into_response()
}
