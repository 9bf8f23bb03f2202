//! Text exposition endpoints: `/federate` (latest sample of each matching series) and `/metrics`
//! (Vigil's own metrics).

use super::blocking;
use super::client::Client;
use crate::error::Error;
use crate::params::Params;
use crate::selector::parse_match_params;
use crate::state::ApiState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use vigil_exposition::MetricType;
use vigil_exposition::encode::{write_sample_ordered, write_type};
use vigil_model::{Label, Labels, METRIC_NAME, Timestamp, is_stale_nan};
use vigil_storage::SelectHints;

const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// `GET /federate?match[]=...`
pub(crate) async fn federate(State(state): State<ApiState>, client: Client, p: Params) -> Response {
    let sets = match parse_match_params(&p.all("match[]")) {
        Ok(sets) => sets,
        // Prometheus answers federation errors in plain text, without the JSON envelope.
        Err(Error::InvalidParam { message, .. }) => return (StatusCode::BAD_REQUEST, message).into_response(),
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    let now = state.now();
    let lookback = state.inner.engine.options().lookback_delta_ms;
    let external = state.live().external_labels.clone();
    let (cancel, _guard) = client.storage_cancel(state.inner.engine.options().timeout);
    let result = blocking(&state, move |st| {
        let mint = now - lookback;
        let querier = st.inner.storage.querier(mint, now)?;
        let hints = SelectHints { start: Some(mint), end: Some(now), cancel, ..SelectHints::default() };
        let mut latest: BTreeMap<Labels, (Timestamp, f64)> = BTreeMap::new();
        for set in &sets {
            hints.cancel.check()?;
            for s in querier.select(&hints, set)? {
                let (Some(&t), Some(&v)) = (s.samples.timestamps.last(), s.samples.values.last()) else { continue };
                // The text format cannot carry native histograms: Prometheus 3 leaves out a
                // series whose latest sample is one (it writes them only in protobuf).
                if s.samples.histograms.last().is_some_and(|h| h.0 > t) {
                    continue;
                }
                if !is_stale_nan(v) {
                    latest.insert(s.labels, (t, v));
                }
            }
        }
        let body = render_federation(latest, &external);
        Ok(([(CONTENT_TYPE, TEXT_FORMAT)], body).into_response())
    })
    .await;
    match result {
        Ok(r) => r,
        Err(e) => (e.classify().status(), format!("{e}\n")).into_response(),
    }
}

/// Renders series grouped by metric name, each group headed by `# TYPE name untyped`. External
/// labels the series lacks are appended after its own labels, where Prometheus puts them. Series
/// without a metric name are skipped, as Prometheus does.
pub(crate) fn render_federation(latest: BTreeMap<Labels, (Timestamp, f64)>, external: &Labels) -> String {
    let mut rows: Vec<(String, Labels, Timestamp, f64)> = latest
        .into_iter()
        .filter_map(|(labels, (t, v))| Some((labels.metric_name()?.to_owned(), labels, t, v)))
        .collect();
    // Group by name, then order by the remaining labels (`__name__` left out of the comparison:
    // its position among upper-case label names would otherwise change the order).
    fn rest(l: &Labels) -> impl Iterator<Item = &Label> {
        l.iter().filter(|l| l.name != METRIC_NAME)
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| rest(&a.1).cmp(rest(&b.1))));
    let mut out = String::with_capacity(rows.len() * 96);
    let mut current: Option<&str> = None;
    for (name, labels, t, v) in &rows {
        if current != Some(name.as_str()) {
            write_type(&mut out, name, MetricType::Unknown);
            current = Some(name);
        }
        let missing = external.iter().filter(|l| !labels.has(&l.name));
        write_sample_ordered(&mut out, Some(name), labels.iter().chain(missing), *v, Some(*t));
    }
    out
}

/// `GET /metrics`
pub(crate) async fn metrics(State(state): State<ApiState>) -> Response {
    let rendered = match &state.inner.metrics_render {
        Some(render) => render(),
        None => {
            // No process registry wired: expose at least the API's own metrics.
            let mut registry = prometheus_client::registry::Registry::default();
            state.inner.metrics.register_into(&mut registry);
            let mut out = String::new();
            prometheus_client::encoding::text::encode(&mut out, &registry)
                .map(|()| (out, "application/openmetrics-text; version=1.0.0; charset=utf-8"))
                .map_err(|e| e.to_string())
        }
    };
    match rendered {
        Ok((body, content_type)) => ([(CONTENT_TYPE, content_type)], body).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("error rendering metrics: {e}\n")).into_response(),
    }
}

#[cfg(test)]
mod tests;
