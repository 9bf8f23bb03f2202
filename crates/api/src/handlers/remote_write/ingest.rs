//! The blocking half of a remote write: decompress, decode series by series, append in bounded
//! commits, and sort what the storage refused from what failed.

use crate::error::Error;
use crate::state::RemoteWriteOptions;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use vigil_exposition::protobuf::NativeSample;
use vigil_exposition::remote_write::{WriteRequestReader, WriteSeries, decompress};
use vigil_model::{Labels, Sample};
use vigil_storage::Appendable;

/// What one request did.
#[derive(Debug, Default)]
pub(super) struct Outcome {
    /// Samples (floats and histograms) stored.
    pub stored: u64,
    /// Samples the storage refused, and the first refusal.
    pub refused: u64,
    pub first_refusal: Option<String>,
    /// Series skipped for invalid labels, and the first of them.
    pub invalid_series: u64,
    pub first_invalid: Option<String>,
}

impl IntoResponse for Outcome {
    fn into_response(self) -> Response {
        if let Some(why) = &self.first_invalid {
            tracing::warn!(series = self.invalid_series, first = %why, "Remote write skipped series with invalid labels.");
        }
        match &self.first_refusal {
            None => StatusCode::NO_CONTENT.into_response(),
            Some(first) => {
                tracing::warn!(refused = self.refused, first = %first, "Remote write samples refused.");
                let msg = format!(
                    "{} samples refused (first: {first}); the other {} were stored\n",
                    self.refused, self.stored
                );
                (StatusCode::BAD_REQUEST, msg).into_response()
            }
        }
    }
}

/// Stores the samples of the snappy-compressed request `body`.
pub(super) fn run(storage: &dyn Appendable, body: &[u8], opts: &RemoteWriteOptions) -> Result<Outcome, Error> {
    let max_decoded = usize::try_from(opts.max_decoded_bytes).unwrap_or(usize::MAX);
    let raw = decompress(body, max_decoded).map_err(|e| Error::BadData(format!("cannot decode the request: {e}")))?;
    let mut reader = WriteRequestReader::new(&raw);
    let mut out = Outcome::default();
    let mut app = storage.appender();
    let mut pending = 0usize;
    let batch = opts.batch_samples.max(1);
    loop {
        let series = match reader.next_series() {
            Ok(Some(s)) => s,
            Ok(None) => break,
            Err(e) => {
                // What was decoded before stays stored, as the series before a bad one are whole.
                app.commit()?;
                return Err(Error::BadData(format!(
                    "cannot decode the request: {e}; {} samples of the series before it were stored",
                    out.stored + pending as u64
                )));
            }
        };
        let labels = match labels(series) {
            Ok(l) => l,
            Err(why) => {
                out.invalid_series += 1;
                out.first_invalid.get_or_insert(why);
                continue;
            }
        };
        let mut series_ref = 0;
        let samples = series.samples.iter().map(|&(t, v)| Sample::Float { t, v });
        let histograms = series.histograms.iter().map(|(t, h)| match h {
            NativeSample::Int(h) => Sample::Histogram { t: *t, h: Arc::new(h.clone()) },
            NativeSample::Float(h) => Sample::FloatHistogram { t: *t, h: Arc::new(h.clone()) },
        });
        for sample in samples.chain(histograms) {
            match app.append(series_ref, &labels, sample) {
                Ok(r) => {
                    series_ref = r;
                    pending += 1;
                }
                Err(e) if refused(&e) => {
                    out.refused += 1;
                    out.first_refusal.get_or_insert_with(|| format!("{labels}: {e}"));
                }
                Err(e) => return Err(e.into()),
            }
            if pending >= batch {
                app.commit()?;
                out.stored += std::mem::take(&mut pending) as u64;
                app = storage.appender();
            }
        }
    }
    app.commit()?;
    out.stored += pending as u64;
    Ok(out)
}

/// Errors that are the sample's fault: answered with `400`, so the sender does not retry.
fn refused(e: &vigil_storage::Error) -> bool {
    use vigil_storage::Error as E;
    matches!(e, E::OutOfOrder | E::OutOfBounds { .. } | E::DuplicateSample | E::InvalidSample(_) | E::InvalidLabels(_))
}

/// The series' label set; empty values are dropped (they equal an absent label), empty and
/// repeated names make the series invalid.
fn labels(s: &WriteSeries<'_>) -> Result<Labels, String> {
    let mut names: Vec<&str> = s.labels.iter().map(|&(n, _)| n).collect();
    names.sort_unstable();
    if names.first().is_some_and(|n| n.is_empty()) {
        return Err(format!("series at byte {} has a label with an empty name", s.offset));
    }
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("series at byte {} has the label {:?} twice", s.offset, w[0]));
    }
    let labels = Labels::from_pairs(&s.labels);
    if labels.is_empty() {
        return Err(format!("series at byte {} has no labels", s.offset));
    }
    Ok(labels)
}
