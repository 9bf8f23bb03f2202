//! The delimited protobuf encoder: owned [`Family`] values back into `MetricFamily` messages,
//! for `/federate` and for targets (the demo) that serve protobuf.

use super::{Family, Metric, Value, wire};
use crate::MetricType;
use prost::Message;

/// Appends `families` to `out` as length-delimited `MetricFamily` messages.
pub fn encode(families: &[Family], out: &mut Vec<u8>) {
    for f in families {
        let msg = wire::MetricFamily {
            name: f.name.clone(),
            help: f.help.clone(),
            r#type: wire_type(f.kind) as i32,
            metric: f.metrics.iter().map(|m| metric(m, f.kind)).collect(),
            unit: f.unit.clone(),
        };
        // Encoding into a Vec only fails when the buffer cannot grow, which a Vec always can.
        let _ = msg.encode_length_delimited(out);
    }
}

fn wire_type(kind: MetricType) -> wire::MetricType {
    match kind {
        MetricType::Counter => wire::MetricType::Counter,
        MetricType::Gauge => wire::MetricType::Gauge,
        MetricType::Summary => wire::MetricType::Summary,
        MetricType::Histogram => wire::MetricType::Histogram,
        MetricType::GaugeHistogram => wire::MetricType::GaugeHistogram,
        _ => wire::MetricType::Untyped,
    }
}

fn metric(m: &Metric, kind: MetricType) -> wire::Metric {
    let mut out = wire::Metric {
        label: m.labels.iter().map(|(n, v)| wire::LabelPair { name: n.clone(), value: v.clone() }).collect(),
        timestamp_ms: m.timestamp_ms,
        ..wire::Metric::default()
    };
    match &m.value {
        Value::Gauge(v) if kind == MetricType::Gauge => out.gauge = Some(wire::Gauge { value: *v }),
        Value::Gauge(v) => out.untyped = Some(wire::Untyped { value: *v }),
        Value::Counter(v) => out.counter = Some(wire::Counter { value: *v, ..wire::Counter::default() }),
        Value::Summary { count, sum, quantiles } => {
            out.summary = Some(wire::Summary {
                sample_count: *count as u64,
                sample_sum: *sum,
                quantile: quantiles.iter().map(|&(quantile, value)| wire::Quantile { quantile, value }).collect(),
                created_timestamp: None,
            });
        }
        Value::Histogram(h) => out.histogram = Some(histogram(h)),
        Value::Missing => {}
    }
    out
}

fn histogram(h: &super::Histogram) -> wire::Histogram {
    let float = h.native.as_ref().is_some_and(|n| n.float);
    let (count, count_float) = split_count(h.count, float);
    let mut out = wire::Histogram {
        sample_count: count,
        sample_count_float: count_float,
        sample_sum: h.sum,
        bucket: h
            .buckets
            .iter()
            .map(|&(upper_bound, c)| {
                let (cumulative_count, cumulative_count_float) = split_count(c, float);
                wire::Bucket { cumulative_count, cumulative_count_float, upper_bound, exemplar: None }
            })
            .collect(),
        ..wire::Histogram::default()
    };
    if let Some(n) = &h.native {
        let span = |s: &[(i32, u32)]| s.iter().map(|&(offset, length)| wire::BucketSpan { offset, length }).collect();
        out.schema = n.schema;
        out.zero_threshold = n.zero_threshold;
        if n.float {
            out.zero_count_float = n.zero_count;
            out.positive_count = n.positive_counts.clone();
            out.negative_count = n.negative_counts.clone();
        } else {
            out.zero_count = n.zero_count as u64;
            out.positive_delta = n.positive_deltas.clone();
            out.negative_delta = n.negative_deltas.clone();
        }
        out.positive_span = span(&n.positive_spans);
        out.negative_span = span(&n.negative_spans);
    }
    out
}

/// Integer counts go in the integer field; float histograms (and counts that are not whole
/// numbers) in the float one.
fn split_count(v: f64, float: bool) -> (u64, f64) {
    if !float && v >= 0.0 && v.fract() == 0.0 && v < u64::MAX as f64 { (v as u64, 0.0) } else { (0, v) }
}
