//! The protobuf exposition format (`application/vnd.google.protobuf;
//! proto=io.prometheus.client.MetricFamily; encoding=delimited`): a sequence of `MetricFamily`
//! messages, each preceded by its length as a varint. It is the only format that carries native
//! histograms.
//!
//! [`decode`] reads the whole body into owned [`Family`] values (the messages are small and
//! `prost` decodes whole messages); every error names the byte offset of the message at fault.
//! [`Family::flat_samples`] turns a family into the float series Prometheus stores from it
//! (classic buckets with `le`, summary quantiles, `_sum` and `_count`), and
//! [`Metric::native`] gives a histogram's native part, when it has one.

mod encode;
mod native;
mod wire;

pub use encode::encode;
pub use native::NativeSample;

use crate::{Error, MetricType, Result};
use prost::Message;

/// The `Content-Type` of the delimited protobuf format.
pub const PROTOBUF_CONTENT_TYPE: &str =
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

/// Largest accepted `MetricFamily` message: larger ones are refused before they are decoded.
pub const MAX_MESSAGE_BYTES: usize = 64 << 20;

/// One metric family.
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    /// The family name (`http_requests_total`, `http_request_duration_seconds`).
    pub name: String,
    /// The help text.
    pub help: String,
    /// The declared type.
    pub kind: MetricType,
    /// The unit, possibly empty.
    pub unit: String,
    /// The metrics of the family.
    pub metrics: Vec<Metric>,
}

/// One metric of a family: its labels (without the name) and value.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// Label pairs in message order.
    pub labels: Vec<(String, String)>,
    /// Explicit timestamp in milliseconds.
    pub timestamp_ms: Option<i64>,
    /// The value, by kind.
    pub value: Value,
}

/// A metric's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A gauge or untyped value.
    Gauge(f64),
    /// A counter value.
    Counter(f64),
    /// A summary: count, sum and (quantile, value) pairs.
    Summary {
        /// Observations.
        count: f64,
        /// Sum of observations.
        sum: f64,
        /// (φ, value) pairs.
        quantiles: Vec<(f64, f64)>,
    },
    /// A histogram, classic, native or both.
    Histogram(Histogram),
    /// A metric without the value its family's type calls for.
    Missing,
}

/// A histogram as exposed: the shared count and sum, the classic buckets, the native part.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    /// Observations (the float field when set, as the format says).
    pub count: f64,
    /// Sum of observations.
    pub sum: f64,
    /// Classic buckets: (upper bound, cumulative count), in message order.
    pub buckets: Vec<(f64, f64)>,
    /// The native part, if the message has one.
    pub native: Option<NativeHistogram>,
}

/// The native part of a histogram message, as exposed (deltas for integer histograms,
/// absolute counts for float ones).
#[derive(Debug, Clone, PartialEq)]
pub struct NativeHistogram {
    /// Bucket schema.
    pub schema: i32,
    /// Width of the zero bucket.
    pub zero_threshold: f64,
    /// Observations in the zero bucket.
    pub zero_count: f64,
    /// Whether the counts are floats (`*_count` fields) rather than integer deltas.
    pub float: bool,
    /// Positive spans as (offset, length).
    pub positive_spans: Vec<(i32, u32)>,
    /// Positive bucket deltas (integer histograms).
    pub positive_deltas: Vec<i64>,
    /// Positive bucket counts (float histograms).
    pub positive_counts: Vec<f64>,
    /// Negative spans as (offset, length).
    pub negative_spans: Vec<(i32, u32)>,
    /// Negative bucket deltas (integer histograms).
    pub negative_deltas: Vec<i64>,
    /// Negative bucket counts (float histograms).
    pub negative_counts: Vec<f64>,
}

/// One float sample of [`Family::flat_samples`]: series name, labels, value, timestamp.
#[derive(Debug, Clone, PartialEq)]
pub struct FlatSample {
    /// Series name (`x_bucket`, `x_sum`, ...).
    pub name: String,
    /// Labels without the name, in the metric's order, then `le`/`quantile`.
    pub labels: Vec<(String, String)>,
    /// Value.
    pub value: f64,
    /// Explicit timestamp in milliseconds.
    pub timestamp_ms: Option<i64>,
}

/// Decodes a whole delimited body.
pub fn decode(body: &[u8]) -> Result<Vec<Family>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < body.len() {
        let (len, header) = read_varint(&body[pos..]).ok_or_else(|| error(pos, "truncated message length"))?;
        let len = usize::try_from(len).ok().filter(|&l| l <= MAX_MESSAGE_BYTES).ok_or_else(|| {
            error(pos, format!("message of {len} bytes is larger than the {MAX_MESSAGE_BYTES}-byte limit"))
        })?;
        let start = pos + header;
        let end = start.checked_add(len).filter(|&e| e <= body.len()).ok_or_else(|| {
            error(pos, format!("message of {len} bytes runs past the end of the body ({} bytes)", body.len()))
        })?;
        let msg = wire::MetricFamily::decode(&body[start..end])
            .map_err(|e| error(pos, format!("invalid MetricFamily message: {e}")))?;
        out.push(family(msg, pos)?);
        pos = end;
    }
    Ok(out)
}

fn error(offset: usize, message: impl Into<String>) -> Error {
    Error::Protobuf { offset, message: message.into() }
}

/// A varint and the bytes it took.
fn read_varint(b: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, &byte) in b.iter().enumerate().take(10) {
        v |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

fn family(m: wire::MetricFamily, offset: usize) -> Result<Family> {
    if m.name.is_empty() {
        return Err(error(offset, "metric family without a name"));
    }
    let kind = match wire::MetricType::try_from(m.r#type) {
        Ok(wire::MetricType::Counter) => MetricType::Counter,
        Ok(wire::MetricType::Gauge) => MetricType::Gauge,
        Ok(wire::MetricType::Summary) => MetricType::Summary,
        Ok(wire::MetricType::Untyped) => MetricType::Unknown,
        Ok(wire::MetricType::Histogram) => MetricType::Histogram,
        Ok(wire::MetricType::GaugeHistogram) => MetricType::GaugeHistogram,
        Err(_) => return Err(error(offset, format!("family {:?}: unknown metric type {}", m.name, m.r#type))),
    };
    let metrics = m.metric.into_iter().map(|x| metric(x, kind)).collect();
    Ok(Family { name: m.name, help: m.help, kind, unit: m.unit, metrics })
}

fn metric(m: wire::Metric, kind: MetricType) -> Metric {
    let value = match kind {
        MetricType::Counter => m.counter.map_or(Value::Missing, |c| Value::Counter(c.value)),
        MetricType::Gauge => m.gauge.map_or(Value::Missing, |g| Value::Gauge(g.value)),
        MetricType::Summary => m.summary.map_or(Value::Missing, |s| Value::Summary {
            count: s.sample_count as f64,
            sum: s.sample_sum,
            quantiles: s.quantile.iter().map(|q| (q.quantile, q.value)).collect(),
        }),
        MetricType::Histogram | MetricType::GaugeHistogram => {
            m.histogram.map_or(Value::Missing, |h| Value::Histogram(histogram(h)))
        }
        _ => m.untyped.map_or(Value::Missing, |u| Value::Gauge(u.value)),
    };
    Metric { labels: m.label.into_iter().map(|l| (l.name, l.value)).collect(), timestamp_ms: m.timestamp_ms, value }
}

fn histogram(h: wire::Histogram) -> Histogram {
    // A native histogram has spans (a no-op span for an empty one) or a zero bucket.
    let is_native = !h.positive_span.is_empty()
        || !h.negative_span.is_empty()
        || h.zero_threshold > 0.0
        || h.zero_count > 0
        || h.zero_count_float > 0.0;
    let float = h.sample_count_float > 0.0
        || h.zero_count_float > 0.0
        || !h.positive_count.is_empty()
        || !h.negative_count.is_empty();
    let native = is_native.then(|| NativeHistogram {
        schema: h.schema,
        zero_threshold: h.zero_threshold,
        zero_count: if h.zero_count_float > 0.0 { h.zero_count_float } else { h.zero_count as f64 },
        float,
        positive_spans: h.positive_span.iter().map(|s| (s.offset, s.length)).collect(),
        positive_deltas: h.positive_delta,
        positive_counts: h.positive_count,
        negative_spans: h.negative_span.iter().map(|s| (s.offset, s.length)).collect(),
        negative_deltas: h.negative_delta,
        negative_counts: h.negative_count,
    });
    Histogram {
        count: if h.sample_count_float > 0.0 { h.sample_count_float } else { h.sample_count as f64 },
        sum: h.sample_sum,
        buckets: h
            .bucket
            .iter()
            .map(|b| {
                let c =
                    if b.cumulative_count_float > 0.0 { b.cumulative_count_float } else { b.cumulative_count as f64 };
                (b.upper_bound, c)
            })
            .collect(),
        native,
    }
}

impl Metric {
    /// The native part of a histogram metric.
    pub fn native(&self) -> Option<&NativeHistogram> {
        match &self.value {
            Value::Histogram(h) => h.native.as_ref(),
            _ => None,
        }
    }
}

impl Family {
    /// The float series Prometheus stores from this family. Histograms give their classic
    /// series (`_bucket` with `le`, an added `+Inf` bucket if the message has none, `_sum`,
    /// `_count`) unless they are native and `classic_too` is false; `le` and `quantile` values
    /// are written as OpenMetrics floats (`1.0`), as Prometheus 3 does.
    pub fn flat_samples(&self, classic_too: bool, out: &mut Vec<FlatSample>) {
        for m in &self.metrics {
            let mut push = |suffix: &str, extra: Option<(&str, f64)>, value: f64| {
                let mut labels = m.labels.clone();
                if let Some((name, v)) = extra {
                    labels.push((name.to_owned(), format_float(v)));
                }
                out.push(FlatSample {
                    name: format!("{}{suffix}", self.name),
                    labels,
                    value,
                    timestamp_ms: m.timestamp_ms,
                });
            };
            match &m.value {
                Value::Gauge(v) | Value::Counter(v) => push("", None, *v),
                Value::Summary { count, sum, quantiles } => {
                    for &(q, v) in quantiles {
                        push("", Some(("quantile", q)), v);
                    }
                    push("_sum", None, *sum);
                    push("_count", None, *count);
                }
                Value::Histogram(h) => {
                    if h.native.is_some() && !classic_too {
                        continue;
                    }
                    for &(le, c) in &h.buckets {
                        push("_bucket", Some(("le", le)), c);
                    }
                    if h.buckets.last().is_none_or(|b| b.0 != f64::INFINITY) {
                        push("_bucket", Some(("le", f64::INFINITY)), h.count);
                    }
                    if self.kind == MetricType::GaugeHistogram {
                        push("_gsum", None, h.sum);
                        push("_gcount", None, h.count);
                    } else {
                        push("_sum", None, h.sum);
                        push("_count", None, h.count);
                    }
                }
                Value::Missing => {}
            }
        }
    }
}

/// A float as OpenMetrics writes it: Go's shortest form ([`crate::encode::format_float`]) with
/// `.0` on integers.
fn format_float(v: f64) -> String {
    let out = crate::encode::format_float(v);
    if !v.is_finite() || out.contains(['.', 'e']) { out } else { out + ".0" }
}

#[cfg(test)]
mod tests;
