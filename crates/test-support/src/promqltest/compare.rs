//! Judging a query result against an eval's expectations, with upstream's float tolerance.

use super::script::{Eval, EvalKind, Expected, ExpectedSeries, MessageMatch};
use super::series::SlotValue;
use std::fmt::Write as _;
use std::sync::Arc;
use vigil_model::{FloatHistogram, Labels, Timestamp, is_stale_nan};
use vigil_promql::{MatrixSeries, QueryResult, Value, VectorSample};

/// Relative tolerance for float comparisons.
const EPSILON: f64 = 1e-6;

/// Whether two floats are equal for test purposes: relative error below 1e-6, NaN equals NaN,
/// the stale marker equals only itself, and values next to zero must match almost exactly.
pub fn almost_equal(a: f64, b: f64) -> bool {
    let (stale_a, stale_b) = (is_stale_nan(a), is_stale_nan(b));
    if stale_a || stale_b {
        return stale_a && stale_b;
    }
    if a.is_nan() && b.is_nan() {
        return true;
    }
    if a == b {
        return true;
    }
    let diff = (a - b).abs();
    let sum = a.abs() + b.abs();
    if a == 0.0 || b == 0.0 || sum < f64::MIN_POSITIVE {
        return diff < EPSILON * f64::MIN_POSITIVE;
    }
    diff / sum.min(f64::MAX) < EPSILON
}

/// Whether two histograms are equal for test purposes, as upstream judges them: both compacted
/// (only populated buckets), then the same schema, zero threshold, custom bounds and bucket
/// layout, and counts, sum and bucket counts within [`almost_equal`]. The counter-reset hint is
/// not compared.
pub fn histograms_match(want: &FloatHistogram, got: &FloatHistogram) -> bool {
    let (a, b) = (want.compact(0), got.compact(0));
    let buckets = |x: &[f64], y: &[f64]| x.len() == y.len() && x.iter().zip(y).all(|(p, q)| almost_equal(*p, *q));
    a.schema == b.schema
        && almost_equal(a.count, b.count)
        && almost_equal(a.sum, b.sum)
        && (!a.uses_custom_buckets() || a.custom_values == b.custom_values)
        && a.zero_threshold == b.zero_threshold
        && almost_equal(a.zero_count, b.zero_count)
        && a.positive_spans == b.positive_spans
        && a.negative_spans == b.negative_spans
        && buckets(&a.positive_buckets, &b.positive_buckets)
        && buckets(&a.negative_buckets, &b.negative_buckets)
}

/// Formats a float for messages, naming the stale marker.
pub fn fmt_float(v: f64) -> String {
    if is_stale_nan(v) { "stale".to_owned() } else { format!("{v}") }
}

/// Checks a finished query (result or error text) against `eval`: the error expectation, then
/// annotations, then the value.
pub fn check_outcome(eval: &Eval, outcome: &Result<QueryResult, String>) -> Result<(), String> {
    check_result(eval, outcome, true)
}

/// Like [`check_outcome`]; `annotations: false` skips the annotation checks (used for re-runs of
/// a rewritten query, whose annotation positions differ from the original text).
pub fn check_result(eval: &Eval, outcome: &Result<QueryResult, String>, annotations: bool) -> Result<(), String> {
    let result = match (outcome, &eval.fail) {
        (Err(err), Some(expected)) if expected.matches(err) => return Ok(()),
        (Err(err), Some(expected)) => {
            return Err(format!("expected error matching {expected}, got error: {err}"));
        }
        (Err(err), None) => return Err(format!("unexpected error: {err}")),
        (Ok(r), Some(expected)) => {
            return Err(format!(
                "expected error ({expected}) but the query succeeded with {}",
                describe_value(&r.value)
            ));
        }
        (Ok(r), None) => r,
    };
    if annotations {
        check_annotations("warning", &eval.warn, eval.no_warn, eval.legacy_warn, &result.warnings)?;
        check_annotations("info", &eval.info, eval.no_info, eval.legacy_info, &result.infos)?;
    }
    check_value(eval, &result.value)
}

/// Renders an annotation as upstream prints it (`PromQL warning: <text> (<line>:<col>)`), adding
/// the prefix when the engine gave bare text.
fn render_annotation(kind: &str, text: &str) -> String {
    let prefix = format!("PromQL {kind}: ");
    if text.starts_with(&prefix) { text.to_owned() } else { format!("{prefix}{text}") }
}

fn check_annotations(
    kind: &str,
    expected: &[MessageMatch],
    none: bool,
    at_least_one: bool,
    actual: &[String],
) -> Result<(), String> {
    let actual: Vec<String> = actual.iter().map(|a| render_annotation(kind, a)).collect();
    if none && !actual.is_empty() {
        return Err(format!("expected no {kind} annotations, got {actual:?}"));
    }
    if at_least_one && actual.is_empty() {
        return Err(format!("expected at least one {kind} annotation, got none"));
    }
    for m in expected {
        if !actual.iter().any(|a| m.matches(a)) {
            return Err(format!("expected a {kind} annotation matching {m}, got {actual:?}"));
        }
    }
    if !expected.is_empty()
        && let Some(extra) = actual.iter().find(|a| !expected.iter().any(|m| m.matches(a)))
    {
        return Err(format!("unexpected {kind} annotation {extra:?}"));
    }
    Ok(())
}

/// A short description of a value for failure messages.
pub fn describe_value(v: &Value) -> String {
    match v {
        Value::Scalar(_, f) => format!("scalar {}", fmt_float(*f)),
        Value::String(_, s) => format!("string {s:?}"),
        Value::Vector(samples) => {
            let mut out = format!("vector of {} samples", samples.len());
            for s in samples.iter().take(20) {
                let v = s.h.as_ref().map_or_else(|| fmt_float(s.v), |h| h.to_string());
                let _ = write!(out, "\n      {} {v}", s.labels);
            }
            out
        }
        Value::Matrix(series) => {
            let mut out = format!("matrix of {} series", series.len());
            for s in series.iter().take(20) {
                let pts: Vec<String> =
                    s.points.iter().take(30).map(|(t, v)| format!("{}@{t}", fmt_float(*v))).collect();
                let hists: Vec<String> = s.histograms.iter().take(10).map(|(t, h)| format!("{h}@{t}")).collect();
                let _ = write!(out, "\n      {} {} {}", s.labels, pts.join(" "), hists.join(" "));
            }
            out
        }
    }
}

/// Checks the value of a successful query.
pub fn check_value(eval: &Eval, value: &Value) -> Result<(), String> {
    match &eval.expected {
        Expected::String(s) => match value {
            Value::String(_, got) if got == s => Ok(()),
            other => Err(format!("expected string {s:?}, got {}", describe_value(other))),
        },
        Expected::Scalar(want) => match value {
            Value::Scalar(_, got) if almost_equal(*want, *got) => Ok(()),
            other => Err(format!("expected scalar {}, got {}", fmt_float(*want), describe_value(other))),
        },
        Expected::Series(want) => {
            if let Some(r) = eval.range_vector {
                return check_matrix(want, r.start_ms, r.end_ms, r.step_ms, value);
            }
            match eval.kind {
                EvalKind::Range { start_ms, end_ms, step_ms } => check_matrix(want, start_ms, end_ms, step_ms, value),
                EvalKind::Instant { .. } => match value {
                    Value::Vector(got) => check_vector(want, got, eval.ordered),
                    other => Err(format!("expected an instant vector, got {}", describe_value(other))),
                },
            }
        }
    }
}

fn check_vector(want: &[ExpectedSeries], got: &[VectorSample], ordered: bool) -> Result<(), String> {
    let mismatch = |why: String| {
        let mut out = why;
        out.push_str("\n    expected:");
        for e in want {
            let v = e.desc.values.first().cloned().flatten();
            let v = match v {
                Some(SlotValue::Float(f)) => fmt_float(f),
                Some(SlotValue::Histogram(h)) => h.to_string(),
                None => "_".to_owned(),
            };
            let _ = write!(out, "\n      {} {v}", e.desc.labels);
        }
        let _ = write!(out, "\n    got: {}", describe_value(&Value::Vector(got.to_vec())));
        out
    };
    if want.len() != got.len() {
        return Err(mismatch(format!("expected {} samples, got {}", want.len(), got.len())));
    }
    for (pos, sample) in got.iter().enumerate() {
        if got[..pos].iter().any(|s| s.labels == sample.labels) {
            return Err(mismatch(format!("duplicate series {} in result", sample.labels)));
        }
        let Some((idx, e)) = want.iter().enumerate().find(|(_, e)| e.desc.labels == sample.labels) else {
            return Err(mismatch(format!("unexpected series {} in result", sample.labels)));
        };
        match (e.desc.values.first().cloned().flatten(), &sample.h) {
            (None, _) => {
                return Err(mismatch(format!("line {}: expected no sample for {}", e.line, e.desc.labels)));
            }
            (Some(SlotValue::Float(v)), None) => {
                if !almost_equal(v, sample.v) {
                    return Err(mismatch(format!(
                        "line {}: {} expected {}, got {}",
                        e.line,
                        sample.labels,
                        fmt_float(v),
                        fmt_float(sample.v)
                    )));
                }
            }
            (Some(SlotValue::Float(v)), Some(h)) => {
                return Err(mismatch(format!(
                    "line {}: {} expected float {}, got histogram {h}",
                    e.line,
                    sample.labels,
                    fmt_float(v)
                )));
            }
            (Some(SlotValue::Histogram(want)), None) => {
                return Err(mismatch(format!(
                    "line {}: {} expected histogram {want}, got float {}",
                    e.line,
                    sample.labels,
                    fmt_float(sample.v)
                )));
            }
            (Some(SlotValue::Histogram(want)), Some(got)) => {
                if !histograms_match(&want, got) {
                    return Err(mismatch(format!("line {}: {} expected {want}, got {got}", e.line, sample.labels)));
                }
            }
        }
        if ordered && idx != pos {
            return Err(mismatch(format!(
                "line {}: {} expected at position {}, got position {}",
                e.line,
                sample.labels,
                idx + 1,
                pos + 1
            )));
        }
    }
    Ok(())
}

fn check_matrix(
    want: &[ExpectedSeries],
    start: Timestamp,
    end: Timestamp,
    step: i64,
    value: &Value,
) -> Result<(), String> {
    let Value::Matrix(got) = value else {
        return Err(format!("expected a range vector (matrix), got {}", describe_value(value)));
    };
    let context = |why: String| format!("{why}\n    got: {}", describe_value(value));
    if let Some(w) = got.windows(2).find(|w| w[0].labels >= w[1].labels) {
        return Err(context(format!("matrix is not sorted by labels: {} before {}", w[0].labels, w[1].labels)));
    }
    if want.len() != got.len() {
        let names: Vec<String> = want.iter().map(|e| e.desc.labels.to_string()).collect();
        return Err(context(format!("expected {} series {names:?}, got {}", want.len(), got.len())));
    }
    for series in got {
        let Some(e) = want.iter().find(|e| e.desc.labels == series.labels) else {
            return Err(context(format!("unexpected series {} in result", series.labels)));
        };
        let expected = expected_points(e, start, end, step)?;
        compare_points(e, &expected, series).map_err(context)?;
    }
    Ok(())
}

/// The expected floats and histograms of a matrix series, with their timestamps.
type ExpectedPoints = (Vec<(Timestamp, f64)>, Vec<(Timestamp, FloatHistogram)>);

fn expected_points(e: &ExpectedSeries, start: Timestamp, end: Timestamp, step: i64) -> Result<ExpectedPoints, String> {
    let (mut floats, mut hists) = (Vec::new(), Vec::new());
    for (slot, value) in e.desc.values.iter().enumerate() {
        let t = i64::try_from(slot)
            .ok()
            .and_then(|s| s.checked_mul(step))
            .and_then(|o| o.checked_add(start))
            .ok_or_else(|| format!("line {}: timestamp overflow", e.line))?;
        let Some(value) = value else { continue };
        if t > end {
            return Err(format!("line {}: expected value {} at {t}ms is past the end {end}ms", e.line, slot + 1));
        }
        match value {
            SlotValue::Float(v) => floats.push((t, *v)),
            SlotValue::Histogram(h) => hists.push((t, h.clone())),
        }
    }
    Ok((floats, hists))
}

fn compare_points(e: &ExpectedSeries, want: &ExpectedPoints, got: &MatrixSeries) -> Result<(), String> {
    let show_floats = |pts: &[(Timestamp, f64)]| {
        pts.iter().map(|(t, v)| format!("{}@{t}", fmt_float(*v))).collect::<Vec<_>>().join(" ")
    };
    let fail = |why: String| {
        let want_h: Vec<String> = want.1.iter().map(|(t, h)| format!("{h}@{t}")).collect();
        let got_h: Vec<String> = got.histograms.iter().map(|(t, h)| format!("{h}@{t}")).collect();
        format!(
            "line {}: {} {why}\n    expected: {} {}\n    got:      {} {}",
            e.line,
            got.labels,
            show_floats(&want.0),
            want_h.join(" "),
            show_floats(&got.points),
            got_h.join(" ")
        )
    };
    if want.0.len() != got.points.len() || want.1.len() != got.histograms.len() {
        return Err(fail(format!(
            "expected {} float and {} histogram points, got {} and {}",
            want.0.len(),
            want.1.len(),
            got.points.len(),
            got.histograms.len()
        )));
    }
    for ((wt, wv), (gt, gv)) in want.0.iter().zip(&got.points) {
        if wt != gt {
            return Err(fail(format!("expected a point at {wt}ms, got one at {gt}ms")));
        }
        if !almost_equal(*wv, *gv) {
            return Err(fail(format!("at {wt}ms expected {}, got {}", fmt_float(*wv), fmt_float(*gv))));
        }
    }
    for ((wt, wh), (gt, gh)) in want.1.iter().zip(&got.histograms) {
        if wt != gt {
            return Err(fail(format!("expected a histogram at {wt}ms, got one at {gt}ms")));
        }
        if !histograms_match(wh, gh) {
            return Err(fail(format!("at {wt}ms expected {wh}, got {gh}")));
        }
    }
    Ok(())
}

/// Turns the range-mode re-run of an instant query (a matrix over `[t-1m, t+1m]`) into the value
/// an instant query at `t` would give: the points at `t`, or a scalar when the instant query gave
/// one. Fails when the matrix is not sorted by labels.
pub fn instant_from_range(value: &Value, t: Timestamp, instant_was_scalar: bool) -> Result<Value, String> {
    let Value::Matrix(series) = value else {
        return Err(format!("range-mode check: expected a matrix, got {}", describe_value(value)));
    };
    if let Some(w) = series.windows(2).find(|w| w[0].labels >= w[1].labels) {
        return Err(format!(
            "range-mode check: matrix is not sorted by labels: {} before {}",
            w[0].labels, w[1].labels
        ));
    }
    let at_t: Vec<VectorSample> = series
        .iter()
        .filter_map(|s| {
            let float =
                s.points.iter().find(|(pt, _)| *pt == t).map(|(_, v)| VectorSample::float(s.labels.clone(), t, *v));
            float.or_else(|| {
                let h: &Arc<FloatHistogram> = &s.histograms.iter().find(|(pt, _)| *pt == t)?.1;
                Some(VectorSample { labels: s.labels.clone(), t, v: 0.0, h: Some(h.clone()) })
            })
        })
        .collect();
    if instant_was_scalar {
        return match at_t.as_slice() {
            [one] if one.labels == Labels::empty() => Ok(Value::Scalar(t, one.v)),
            _ => Err(format!(
                "range-mode check: expected one label-less series for a scalar, got {}",
                describe_value(value)
            )),
        };
    }
    Ok(Value::Vector(at_t))
}

#[cfg(test)]
mod tests;
