//! `/api/v1/targets` and `/api/v1/metadata` from the [`TargetsSource`](crate::TargetsSource).

use super::success;
use crate::error::Error;
use crate::params::Params;
use crate::sources::{DroppedTargetInfo, MetricMetadata, TargetInfo};
use crate::state::ApiState;
use crate::timefmt::{GO_ZERO_TIME, format_rfc3339_ms};
use axum::extract::State;
use axum::response::Response;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use vigil_model::Labels;

fn labels_json(l: &Labels) -> Value {
    Value::Object(l.iter().map(|l| (l.name.clone(), Value::String(l.value.clone()))).collect::<Map<_, _>>())
}

fn active_json(t: &TargetInfo) -> Value {
    json!({
        "discoveredLabels": labels_json(&t.discovered_labels),
        "labels": labels_json(&t.labels),
        "scrapePool": t.scrape_pool,
        "scrapeUrl": t.scrape_url,
        "globalUrl": t.global_url,
        "lastError": t.last_error,
        "lastScrape": t.last_scrape.map_or_else(|| GO_ZERO_TIME.to_owned(), format_rfc3339_ms),
        "lastScrapeDuration": t.last_scrape_duration_seconds,
        "health": t.health.as_str(),
        "scrapeInterval": t.scrape_interval,
        "scrapeTimeout": t.scrape_timeout,
    })
}

fn dropped_json(t: &DroppedTargetInfo) -> Value {
    json!({ "discoveredLabels": labels_json(&t.discovered_labels), "scrapePool": t.scrape_pool })
}

/// `GET /api/v1/targets?state=active|dropped|any&scrapePool=...`
pub(crate) async fn targets(State(state): State<ApiState>, p: Params) -> Result<Response, Error> {
    let which = p.get("state").unwrap_or("any").to_ascii_lowercase();
    let (want_active, want_dropped) = match which.as_str() {
        "active" => (true, false),
        "dropped" => (false, true),
        _ => (true, true),
    };
    let pool = p.get("scrapePool");
    let in_pool = |name: &str| pool.is_none_or(|p| p == name);
    let (mut active, mut dropped) = match &state.inner.targets {
        Some(src) => (src.active_targets(), src.dropped_targets()),
        None => (Vec::new(), Vec::new()),
    };
    active.retain(|t| in_pool(&t.scrape_pool));
    dropped.retain(|t| in_pool(&t.scrape_pool));
    active.sort_by(|a, b| a.scrape_pool.cmp(&b.scrape_pool));
    dropped.sort_by(|a, b| a.scrape_pool.cmp(&b.scrape_pool));
    let mut counts: BTreeMap<&str, u64> = active.iter().map(|t| (t.scrape_pool.as_str(), 0)).collect();
    for t in &dropped {
        *counts.entry(t.scrape_pool.as_str()).or_default() += 1;
    }
    let data = json!({
        "activeTargets": if want_active { active.iter().map(active_json).collect() } else { Vec::new() },
        "droppedTargets": if want_dropped { dropped.iter().map(dropped_json).collect() } else { Vec::new() },
        "droppedTargetCounts": counts,
    });
    success(&data)
}

/// `GET /api/v1/metadata?metric=&limit=&limit_per_metric=`
pub(crate) async fn metadata(State(state): State<ApiState>, p: Params) -> Result<Response, Error> {
    // Negative or absent limits mean "no limit", zero means "nothing", as in Prometheus.
    let parse = |name: &str| -> Result<Option<usize>, Error> {
        match p.get(name) {
            None => Ok(None),
            Some(v) => {
                let n: i64 = v.parse().map_err(|_| Error::BadData(format!("{name} must be a number")))?;
                Ok(usize::try_from(n).ok())
            }
        }
    };
    let limit = parse("limit")?;
    let per_metric = parse("limit_per_metric")?;
    let metric = p.get("metric");
    let mut all: Vec<MetricMetadata> = state.inner.targets.as_ref().map(|s| s.metadata(metric)).unwrap_or_default();
    all.sort();
    all.dedup();
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for m in all {
        if metric.is_some_and(|want| want != m.metric) {
            continue;
        }
        if !out.contains_key(&m.metric) && limit.is_some_and(|l| out.len() >= l) {
            continue;
        }
        let entry = out.entry(m.metric).or_default();
        if per_metric.is_some_and(|l| entry.len() >= l) {
            continue;
        }
        entry.push(json!({ "type": m.kind, "help": m.help, "unit": m.unit }));
    }
    out.retain(|_, v| !v.is_empty());
    success(&out)
}
