//! `/api/v1/status/*`, `/api/v1/format_query`, `/api/v1/query_exemplars` and the admin API gate.

use super::{blocking, success};
use crate::error::Error;
use crate::params::Params;
use crate::sources::NameCount;
use crate::state::ApiState;
use crate::timefmt::{GO_ZERO_TIME, format_rfc3339, format_rfc3339_ms};
use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};
use std::time::SystemTime;

/// `GET /api/v1/status/buildinfo`
pub(crate) async fn buildinfo(State(state): State<ApiState>) -> Result<Response, Error> {
    success(&state.inner.build_info)
}

/// `GET /api/v1/status/config`
pub(crate) async fn config(State(state): State<ApiState>) -> Result<Response, Error> {
    let yaml = state.live().yaml.clone();
    success(&json!({ "yaml": yaml }))
}

/// `GET /api/v1/status/flags`
pub(crate) async fn flags(State(state): State<ApiState>) -> Result<Response, Error> {
    success(&state.inner.flags)
}

/// `GET /api/v1/status/runtimeinfo`
pub(crate) async fn runtimeinfo(State(state): State<ApiState>) -> Result<Response, Error> {
    let start = match state.inner.start_time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => format_rfc3339(i64::try_from(d.as_secs()).unwrap_or(i64::MAX), d.subsec_nanos()),
        Err(_) => GO_ZERO_TIME.to_owned(),
    };
    let cwd = std::env::current_dir().map(|p| p.display().to_string()).unwrap_or_default();
    let (reload_ok, last_config) = {
        let live = state.live();
        (live.reload_success, live.last_config_time)
    };
    let tasks = tokio::runtime::Handle::try_current().map(|h| h.metrics().num_alive_tasks()).unwrap_or(0);
    let cpus = std::thread::available_parallelism().map(usize::from).unwrap_or(1);
    // Field names are Prometheus' (Go runtime terms); the values are their closest equivalents:
    // live async tasks for goroutines, usable CPUs for GOMAXPROCS.
    success(&json!({
        "startTime": start,
        "CWD": cwd,
        "reloadConfigSuccess": reload_ok,
        "lastConfigTime": last_config.map_or_else(|| GO_ZERO_TIME.to_owned(), format_rfc3339_ms),
        "corruptionCount": 0,
        "goroutineCount": tasks,
        "GOMAXPROCS": cpus,
        "GOGC": "",
        "GODEBUG": "",
        "storageRetention": state.inner.options.storage_retention,
    }))
}

fn name_counts(list: &[NameCount]) -> Value {
    Value::Array(list.iter().map(|n| json!({ "name": n.name, "value": n.value })).collect())
}

/// `GET /api/v1/status/tsdb?limit=N`
pub(crate) async fn tsdb(State(state): State<ApiState>, p: Params) -> Result<Response, Error> {
    let limit = match p.get("limit") {
        None => 10,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n > 0 => usize::try_from(n).unwrap_or(usize::MAX),
            _ => return Err(Error::BadData("limit must be a positive number".to_owned())),
        },
    };
    let Some(source) = state.inner.tsdb_stats.clone() else {
        return Err(Error::Unavailable("TSDB statistics are not available".to_owned()));
    };
    blocking(&state, move |_| {
        let s = source.tsdb_stats(limit).map_err(Error::Internal)?;
        success(&json!({
            "headStats": {
                "numSeries": s.head.num_series,
                "numLabelPairs": s.head.num_label_pairs,
                "chunkCount": s.head.chunk_count,
                "minTime": s.head.min_time,
                "maxTime": s.head.max_time,
            },
            "seriesCountByMetricName": name_counts(&s.series_count_by_metric_name),
            "labelValueCountByLabelName": name_counts(&s.label_value_count_by_label_name),
            "memoryInBytesByLabelName": name_counts(&s.memory_in_bytes_by_label_name),
            "seriesCountByLabelValuePair": name_counts(&s.series_count_by_label_value_pair),
        }))
    })
    .await
}

/// `GET|POST /api/v1/format_query`
pub(crate) async fn format_query(State(state): State<ApiState>, p: Params) -> Result<Response, Error> {
    let query = p.get("query").unwrap_or("");
    let pretty = match &state.inner.format_query {
        Some(format) => format(query),
        None => vigil_promql_syntax::format_query(query).map_err(|e| e.to_string()),
    }
    .map_err(|m| Error::param("query", m))?;
    success(&pretty)
}

/// `GET|POST /api/v1/query_exemplars`: exemplars are not stored yet, so always empty.
pub(crate) async fn query_exemplars(p: Params) -> Result<Response, Error> {
    let _ = p;
    success(&Value::Array(Vec::new()))
}

/// `POST|PUT /api/v1/admin/tsdb/*`
pub(crate) async fn admin(State(state): State<ApiState>) -> Result<Response, Error> {
    if !state.inner.options.enable_admin_api {
        return Err(Error::Unavailable("admin APIs disabled".to_owned()));
    }
    Err(Error::Unavailable("this admin API is not implemented yet".to_owned()))
}
