//! A small JSON writer for the hot paths (query results, series lists) that appends straight into
//! one buffer: no intermediate `serde_json::Value`, no allocation per point.
//!
//! Prometheus' wire quirks live here: sample values are strings, timestamps are seconds with a
//! fixed three-digit millisecond fraction, scalars use Go's float formatting.

mod stats;

pub use stats::push_query_stats;

use crate::gofloat;
use vigil_model::{FloatHistogram, Labels, Timestamp};

/// Appends `s` as a JSON string literal.
pub fn push_str(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let esc = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            c if (c as u32) < 0x20 => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push_str(esc);
        }
        start = i + c.len_utf8();
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Appends a list of strings as a JSON array.
pub fn push_str_array<S: AsRef<str>>(out: &mut String, items: &[S]) {
    out.push('[');
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_str(out, s.as_ref());
    }
    out.push(']');
}

/// Appends a label set as a JSON object in label order.
pub fn push_labels(out: &mut String, labels: &Labels) {
    out.push('{');
    for (i, l) in labels.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_str(out, &l.name);
        out.push(':');
        push_str(out, &l.value);
    }
    out.push('}');
}

/// Appends a millisecond timestamp as seconds, with the fraction always three digits when present
/// (`1500.010`), like Prometheus' `jsonutil.MarshalTimestamp`.
pub fn push_timestamp(out: &mut String, t: Timestamp) {
    use std::fmt::Write;
    if t < 0 {
        out.push('-');
    }
    let abs = t.unsigned_abs();
    let _ = write!(out, "{}", abs / 1000);
    let frac = abs % 1000;
    if frac != 0 {
        let _ = write!(out, ".{frac:03}");
    }
}

/// Appends a `[ts, "value"]` pair as used in vectors and matrices.
pub fn push_point(out: &mut String, t: Timestamp, v: f64) {
    out.push('[');
    push_timestamp(out, t);
    out.push_str(",\"");
    gofloat::push_sample_value(out, v);
    out.push_str("\"]");
}

/// Appends a native histogram as Prometheus' `jsonutil.MarshalHistogram` does: count and sum as
/// quoted floats, then `buckets` (left out when all are empty) as `[boundary_rule, "lower",
/// "upper", "count"]` from the lowest bucket up, empty buckets skipped. The rule is 0 for
/// `(lower, upper]`, 1 for `[lower, upper)`, 2 for `(lower, upper)` and 3 for `[lower, upper]`.
pub fn push_histogram(out: &mut String, h: &FloatHistogram) {
    let quoted = |out: &mut String, v: f64| {
        out.push('"');
        gofloat::push_sample_value(out, v);
        out.push('"');
    };
    out.push_str("{\"count\":");
    quoted(out, h.count);
    out.push_str(",\"sum\":");
    quoted(out, h.sum);
    let mut first = true;
    for b in h.buckets().filter(|b| b.count != 0.0) {
        out.push_str(if first { ",\"buckets\":[" } else { "," });
        first = false;
        let rule = match (b.lower_inclusive, b.upper_inclusive) {
            (false, true) => '0',
            (true, false) => '1',
            (false, false) => '2',
            (true, true) => '3',
        };
        out.push('[');
        out.push(rule);
        for v in [b.lower, b.upper, b.count] {
            out.push(',');
            quoted(out, v);
        }
        out.push(']');
    }
    if !first {
        out.push(']');
    }
    out.push('}');
}

/// Appends a `[ts, {histogram}]` pair as used in vectors (`histogram`) and matrices
/// (`histograms`).
pub fn push_histogram_point(out: &mut String, t: Timestamp, h: &FloatHistogram) {
    out.push('[');
    push_timestamp(out, t);
    out.push(',');
    push_histogram(out, h);
    out.push(']');
}

/// Appends a `[ts, "value"]` pair for a scalar result. Prometheus encodes scalars through Go's
/// `encoding/json` (timestamp as a float64 of seconds, value with `'f'` layout).
pub fn push_scalar(out: &mut String, t: Timestamp, v: f64) {
    out.push('[');
    gofloat::push_f(out, t as f64 / 1000.0);
    out.push_str(",\"");
    gofloat::push_f(out, v);
    out.push_str("\"]");
}

/// Appends a `[ts, "string"]` pair for a string result.
pub fn push_string_value(out: &mut String, t: Timestamp, s: &str) {
    out.push('[');
    gofloat::push_f(out, t as f64 / 1000.0);
    out.push(',');
    push_str(out, s);
    out.push(']');
}

/// Writes Prometheus' success envelope around data produced by `data`.
pub fn success_envelope(
    capacity: usize,
    data: impl FnOnce(&mut String),
    warnings: &[String],
    infos: &[String],
) -> String {
    let mut out = String::with_capacity(capacity + 64);
    out.push_str("{\"status\":\"success\",\"data\":");
    data(&mut out);
    if !warnings.is_empty() {
        out.push_str(",\"warnings\":");
        push_str_array(&mut out, warnings);
    }
    if !infos.is_empty() {
        out.push_str(",\"infos\":");
        push_str_array(&mut out, infos);
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests;
