//! Normalised query results and their comparison with a relative tolerance.

use crate::support::api_get;
use std::collections::BTreeMap;

/// A label set in canonical (sorted) order.
pub type Labels = BTreeMap<String, String>;

/// One query's `data`, normalised so two servers' answers compare structurally.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    /// Instant vector, in the order the server returned it.
    Vector(Vec<(Labels, String)>),
    /// Range vector or range-query matrix: per series, `(ms, value)` points.
    Matrix(Vec<(Labels, Vec<(i64, String)>)>),
    /// Scalar `(ms, value)`.
    Scalar(i64, String),
    /// String `(ms, value)`.
    Str(i64, String),
    /// The query failed: `errorType: error`.
    Error(String),
}

fn labels(v: &serde_json::Value) -> Labels {
    v.as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect())
        .unwrap_or_default()
}

fn point(p: &serde_json::Value) -> (i64, String) {
    let ms = (p[0].as_f64().expect("sample time") * 1000.0).round() as i64;
    (ms, p[1].as_str().expect("sample value").to_owned())
}

/// Seconds with millisecond precision, as the API's `time` parameters.
pub fn secs(ms: i64) -> String {
    format!("{}.{:03}", ms.div_euclid(1000), ms.rem_euclid(1000))
}

/// An instant query at `t_ms`, normalised.
pub fn instant_query(base: &str, q: &str, t_ms: i64) -> Data {
    parse(&api_get(base, "/api/v1/query", &[("query", q), ("time", &secs(t_ms))]))
}

/// A range query over `[start_ms, end_ms]` at `step` (in seconds, as written), normalised.
pub fn range_query(base: &str, q: &str, start_ms: i64, end_ms: i64, step: &str) -> Data {
    parse(&api_get(
        base,
        "/api/v1/query_range",
        &[("query", q), ("start", &secs(start_ms)), ("end", &secs(end_ms)), ("step", step)],
    ))
}

/// Normalises an API response body.
pub fn parse(body: &serde_json::Value) -> Data {
    if body["status"] != "success" {
        return Data::Error(format!("{}: {}", body["errorType"], body["error"]));
    }
    let result = &body["data"]["result"];
    match body["data"]["resultType"].as_str() {
        Some("vector") => Data::Vector(
            result.as_array().expect("vector").iter().map(|s| (labels(&s["metric"]), point(&s["value"]).1)).collect(),
        ),
        Some("matrix") => Data::Matrix(
            result
                .as_array()
                .expect("matrix")
                .iter()
                .map(|s| (labels(&s["metric"]), s["values"].as_array().expect("values").iter().map(point).collect()))
                .collect(),
        ),
        Some("scalar") => {
            let (t, v) = point(result);
            Data::Scalar(t, v)
        }
        Some("string") => {
            let (t, v) = point(result);
            Data::Str(t, v)
        }
        other => Data::Error(format!("unknown resultType {other:?}")),
    }
}

/// Whether two rendered sample values agree: same special value, or within `tol` relative
/// (absolute below 1e-12, where relative error is meaningless).
pub fn values_match(a: &str, b: &str, tol: f64) -> bool {
    if a == b {
        return true;
    }
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) if x.is_nan() || y.is_nan() => x.is_nan() && y.is_nan(),
        (Ok(x), Ok(y)) if x.is_infinite() || y.is_infinite() => x == y,
        (Ok(x), Ok(y)) => (x - y).abs() <= tol * x.abs().max(y.abs()) || (x - y).abs() < 1e-12,
        _ => false,
    }
}

/// Differences between `vigil` and `prometheus` answers, one line each; empty when they agree.
/// Series are matched by label set; `ordered` also compares the order of an instant vector.
pub fn diff(vigil: &Data, prom: &Data, tol: f64, ordered: bool) -> Vec<String> {
    let mut out = Vec::new();
    match (vigil, prom) {
        (Data::Vector(v), Data::Vector(p)) => {
            if ordered && order_runs(v, tol) != order_runs(p, tol) {
                let (vo, po): (Vec<_>, Vec<_>) = (v.iter().map(|s| &s.0).collect(), p.iter().map(|s| &s.0).collect());
                out.push(format!("order differs: vigil {vo:?}, prometheus {po:?}"));
            }
            let (vm, pm): (BTreeMap<_, _>, BTreeMap<_, _>) = (v.iter().cloned().collect(), p.iter().cloned().collect());
            diff_keyed(&vm, &pm, &mut out, |a, b| {
                (!values_match(a, b, tol)).then(|| format!("vigil {a}, prometheus {b}"))
            });
        }
        (Data::Matrix(v), Data::Matrix(p)) => {
            let (vm, pm): (BTreeMap<_, _>, BTreeMap<_, _>) = (v.iter().cloned().collect(), p.iter().cloned().collect());
            diff_keyed(&vm, &pm, &mut out, |a, b| diff_points(a, b, tol));
        }
        (Data::Scalar(vt, vv), Data::Scalar(pt, pv)) | (Data::Str(vt, vv), Data::Str(pt, pv)) => {
            if vt != pt || !values_match(vv, pv, tol) {
                out.push(format!("vigil {vv} @{vt}, prometheus {pv} @{pt}"));
            }
        }
        (Data::Error(_), Data::Error(_)) => {}
        _ => out.push(format!("different result kinds: vigil {vigil:?}, prometheus {prom:?}")),
    }
    out
}

/// The order of a sorted vector as runs of equal values (NaN equals NaN), each run's label
/// sets as a set: the order among equal values is unspecified (Prometheus sorts unstably).
fn order_runs(v: &[(Labels, String)], tol: f64) -> Vec<std::collections::BTreeSet<Labels>> {
    let mut runs: Vec<(String, std::collections::BTreeSet<Labels>)> = Vec::new();
    for (labels, value) in v {
        match runs.last_mut() {
            Some((run_value, set)) if values_match(run_value, value, tol) => {
                set.insert(labels.clone());
            }
            _ => runs.push((value.clone(), std::iter::once(labels.clone()).collect())),
        }
    }
    runs.into_iter().map(|(_, set)| set).collect()
}

fn diff_keyed<T>(
    vigil: &BTreeMap<Labels, T>,
    prom: &BTreeMap<Labels, T>,
    out: &mut Vec<String>,
    cmp: impl Fn(&T, &T) -> Option<String>,
) {
    for k in vigil.keys().filter(|k| !prom.contains_key(*k)) {
        out.push(format!("only in vigil: {k:?}"));
    }
    for k in prom.keys().filter(|k| !vigil.contains_key(*k)) {
        out.push(format!("only in prometheus: {k:?}"));
    }
    for (k, v) in vigil {
        if let Some(d) = prom.get(k).and_then(|p| cmp(v, p)) {
            out.push(format!("{k:?}: {d}"));
        }
    }
}

fn diff_points(vigil: &[(i64, String)], prom: &[(i64, String)], tol: f64) -> Option<String> {
    let (vt, pt): (Vec<i64>, Vec<i64>) = (vigil.iter().map(|p| p.0).collect(), prom.iter().map(|p| p.0).collect());
    if vt != pt {
        return Some(format!("timestamps differ: vigil {vt:?}, prometheus {pt:?}"));
    }
    let bad: Vec<String> = vigil
        .iter()
        .zip(prom)
        .filter(|(a, b)| !values_match(&a.1, &b.1, tol))
        .map(|(a, b)| format!("@{}: vigil {}, prometheus {}", a.0, a.1, b.1))
        .collect();
    (!bad.is_empty()).then(|| bad.join("; "))
}
