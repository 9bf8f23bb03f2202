//! `/api/v1/query` and `/api/v1/query_range`: parameter validation like Prometheus, evaluation on
//! a blocking thread with cancellation when the client goes away, and direct JSON encoding.

use super::client::{CancelGuard, Client};
use super::{TRUNCATED_WARNING, blocking, json_response};
use crate::conn::Peer;
use crate::error::Error;
use crate::json;
use crate::params::{Params, parse_duration};
use crate::state::ApiState;
use axum::extract::State;
use axum::response::Response;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};
use vigil_promql::{QueryOptions, QueryOrigin, QueryResult, StatsLevel, Value};

/// Range queries may not produce more points per series than this.
use vigil_promql::MAX_POINTS_PER_SERIES;

fn query_param(state: &ApiState, p: &Params) -> Result<String, Error> {
    let q = p.get("query").unwrap_or("");
    if q.trim().is_empty() {
        // The message Prometheus' parser gives for an empty expression.
        return Err(Error::param("query", "1:1: parse error: no expression found in input"));
    }
    let max = state.inner.options.max_query_length;
    if q.len() > max {
        return Err(Error::param("query", format!("query is {} bytes long, more than the limit of {max}", q.len())));
    }
    Ok(q.to_owned())
}

fn query_options(p: &Params, origin: QueryOrigin) -> Result<QueryOptions, Error> {
    let timeout = p.duration("timeout")?.map(|ms| Duration::from_millis(u64::try_from(ms).unwrap_or(0)));
    let lookback_delta_ms = p.duration("lookback_delta")?;
    let stats = StatsParam::from_params(p).level();
    Ok(QueryOptions { lookback_delta_ms, timeout, stats, origin: Some(origin), ..QueryOptions::default() })
}

/// `GET|POST /api/v1/query`
pub(crate) async fn instant(State(state): State<ApiState>, client: Client, p: Params) -> Result<Response, Error> {
    let t = p.time_or("time", state.now())?;
    let opts = query_options(&p, client.origin.clone())?;
    let limit = p.limit()?;
    let query = query_param(&state, &p)?;
    let stats = StatsParam::from_params(&p);
    evaluate(&state, opts, limit, stats, client.peer(), move |st, opts| {
        st.inner.engine.instant(st.inner.storage.as_ref(), &query, t, opts)
    })
    .await
}

/// `GET|POST /api/v1/query_range`
pub(crate) async fn range(State(state): State<ApiState>, client: Client, p: Params) -> Result<Response, Error> {
    let start = p.required_time("start")?;
    let end = p.required_time("end")?;
    if end < start {
        return Err(Error::param("end", "end timestamp must not be before start time"));
    }
    let step = parse_duration(p.get("step").unwrap_or("")).map_err(|m| Error::param("step", m))?;
    if step <= 0 {
        return Err(Error::param(
            "step",
            "zero or negative query resolution step widths are not accepted. Try a positive integer",
        ));
    }
    if (end - start) / step > MAX_POINTS_PER_SERIES {
        return Err(Error::BadData(
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"
                .to_owned(),
        ));
    }
    let opts = query_options(&p, client.origin.clone())?;
    let limit = p.limit()?;
    let query = query_param(&state, &p)?;
    let stats = StatsParam::from_params(&p);
    evaluate(&state, opts, limit, stats, client.peer(), move |st, opts| {
        st.inner.engine.range(st.inner.storage.as_ref(), &query, start, end, step, opts)
    })
    .await
}

async fn evaluate<F>(
    state: &ApiState,
    mut opts: QueryOptions,
    limit: usize,
    stats: StatsParam,
    peer: Option<Peer>,
    eval: F,
) -> Result<Response, Error>
where
    F: FnOnce(&ApiState, &QueryOptions) -> vigil_promql::Result<QueryResult> + Send + 'static,
{
    let cancel = Arc::new(AtomicBool::new(false));
    let _guard = CancelGuard::new(&cancel, peer);
    opts.cancel = Some(cancel);
    let queued = Instant::now();
    blocking(state, move |st| {
        opts.queue_wait = queued.elapsed();
        let result = eval(st, &opts).map_err(Error::from_query)?;
        Ok(json_response(encode_result(result, limit, stats)))
    })
    .await
}

/// Which statistics a response carries (`stats` parameter): none, totals, or also per step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StatsParam {
    None,
    Totals,
    All,
}

impl StatsParam {
    /// Any non-empty value asks for statistics; `all` also for the per-step counts.
    fn from_params(p: &Params) -> Self {
        match p.get("stats").unwrap_or("") {
            "" => Self::None,
            "all" => Self::All,
            _ => Self::Totals,
        }
    }

    fn level(self) -> StatsLevel {
        match self {
            Self::None => StatsLevel::Basic,
            Self::Totals => StatsLevel::Totals,
            Self::All => StatsLevel::PerStep,
        }
    }
}

/// Encodes a query result in Prometheus' `data` shape, cutting it to `limit` series if set.
pub(crate) fn encode_result(result: QueryResult, limit: usize, stats: StatsParam) -> String {
    let QueryResult { value, mut warnings, infos, stats: query_stats } = result;
    // Closes the `data` object, with `stats` inside it when asked for.
    let close = |out: &mut String| {
        if stats != StatsParam::None {
            out.push_str(",\"stats\":");
            json::push_query_stats(out, &query_stats, stats == StatsParam::All);
        }
        out.push('}');
    };
    let mut cut = |n: usize| {
        if limit > 0 && n > limit {
            warnings.push(TRUNCATED_WARNING.to_owned());
            limit
        } else {
            n
        }
    };
    match value {
        Value::Scalar(t, v) => json::success_envelope(
            48,
            |out| {
                out.push_str("{\"resultType\":\"scalar\",\"result\":");
                json::push_scalar(out, t, v);
                close(out);
            },
            &warnings,
            &infos,
        ),
        Value::String(t, s) => json::success_envelope(
            s.len() + 48,
            |out| {
                out.push_str("{\"resultType\":\"string\",\"result\":");
                json::push_string_value(out, t, &s);
                close(out);
            },
            &warnings,
            &infos,
        ),
        Value::Vector(samples) => {
            let n = cut(samples.len());
            let samples = &samples[..n];
            json::success_envelope(
                samples.len() * 96,
                |out| {
                    out.push_str("{\"resultType\":\"vector\",\"result\":[");
                    for (i, s) in samples.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        out.push_str("{\"metric\":");
                        json::push_labels(out, &s.labels);
                        match &s.h {
                            None => {
                                out.push_str(",\"value\":");
                                json::push_point(out, s.t, s.v);
                            }
                            Some(h) => {
                                out.push_str(",\"histogram\":");
                                json::push_histogram_point(out, s.t, h);
                            }
                        }
                        out.push('}');
                    }
                    out.push(']');
                    close(out);
                },
                &warnings,
                &infos,
            )
        }
        Value::Matrix(series) => {
            let n = cut(series.len());
            let series = &series[..n];
            let points: usize = series.iter().map(|s| s.points.len() + s.histograms.len() * 8).sum();
            json::success_envelope(
                series.len() * 64 + points * 24,
                |out| {
                    out.push_str("{\"resultType\":\"matrix\",\"result\":[");
                    for (i, s) in series.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        out.push_str("{\"metric\":");
                        json::push_labels(out, &s.labels);
                        // As Prometheus: each key only when the series has points of its kind.
                        if !s.points.is_empty() {
                            out.push_str(",\"values\":[");
                            for (j, &(t, v)) in s.points.iter().enumerate() {
                                if j > 0 {
                                    out.push(',');
                                }
                                json::push_point(out, t, v);
                            }
                            out.push(']');
                        }
                        if !s.histograms.is_empty() {
                            out.push_str(",\"histograms\":[");
                            for (j, (t, h)) in s.histograms.iter().enumerate() {
                                if j > 0 {
                                    out.push(',');
                                }
                                json::push_histogram_point(out, *t, h);
                            }
                            out.push(']');
                        }
                        out.push('}');
                    }
                    out.push(']');
                    close(out);
                },
                &warnings,
                &infos,
            )
        }
    }
}

#[cfg(test)]
mod tests;
