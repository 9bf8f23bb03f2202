//! A histogram message's native part as Vigil's model histograms, and back: what the scraper
//! appends and what `/federate` writes.

use super::{Histogram, NativeHistogram};
use vigil_model::histogram::{CounterResetHint, FloatHistogram, Histogram as IntHistogram, Span};

/// A native histogram as stored: integer when the message has integer counts, float otherwise.
#[derive(Debug, Clone, PartialEq)]
pub enum NativeSample {
    /// Integer counts, delta-encoded buckets (what client libraries expose).
    Int(IntHistogram),
    /// Float counts.
    Float(FloatHistogram),
}

fn spans(s: &[(i32, u32)]) -> Vec<Span> {
    s.iter().map(|&(offset, length)| Span { offset, length }).collect()
}

impl Histogram {
    /// The native part as a model histogram, if there is one; `gauge` marks a gauge histogram
    /// (counter reset hint `Gauge`, as Prometheus' protobuf parser sets it).
    pub fn native_sample(&self, gauge: bool) -> Option<NativeSample> {
        let n = self.native.as_ref()?;
        let hint = if gauge { CounterResetHint::Gauge } else { CounterResetHint::Unknown };
        Some(if n.float {
            NativeSample::Float(FloatHistogram {
                counter_reset_hint: hint,
                schema: n.schema,
                zero_threshold: n.zero_threshold,
                zero_count: n.zero_count,
                count: self.count,
                sum: self.sum,
                positive_spans: spans(&n.positive_spans),
                negative_spans: spans(&n.negative_spans),
                positive_buckets: n.positive_counts.clone(),
                negative_buckets: n.negative_counts.clone(),
                custom_values: Vec::new(),
            })
        } else {
            NativeSample::Int(IntHistogram {
                counter_reset_hint: hint,
                schema: n.schema,
                zero_threshold: n.zero_threshold,
                zero_count: n.zero_count as u64,
                count: self.count as u64,
                sum: self.sum,
                positive_spans: spans(&n.positive_spans),
                negative_spans: spans(&n.negative_spans),
                positive_buckets: n.positive_deltas.clone(),
                negative_buckets: n.negative_deltas.clone(),
                custom_values: Vec::new(),
            })
        })
    }

    /// A native-only histogram message carrying `h` as float counts (how `/federate` writes
    /// native histograms). An empty histogram gets the no-op span client libraries write, so
    /// that readers still see a native histogram.
    pub fn from_float(h: &FloatHistogram) -> Self {
        let pairs = |s: &[Span]| s.iter().map(|s| (s.offset, s.length)).collect::<Vec<_>>();
        let mut positive_spans = pairs(&h.positive_spans);
        if positive_spans.is_empty() && h.negative_spans.is_empty() && h.zero_threshold == 0.0 && h.zero_count == 0.0 {
            positive_spans.push((0, 0));
        }
        Histogram {
            count: h.count,
            sum: h.sum,
            buckets: Vec::new(),
            native: Some(NativeHistogram {
                schema: h.schema,
                zero_threshold: h.zero_threshold,
                zero_count: h.zero_count,
                float: true,
                positive_spans,
                positive_deltas: Vec::new(),
                positive_counts: h.positive_buckets.clone(),
                negative_spans: pairs(&h.negative_spans),
                negative_deltas: Vec::new(),
                negative_counts: h.negative_buckets.clone(),
            }),
        }
    }
}
