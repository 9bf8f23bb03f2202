//! [`HistogramOf`]: the fields integer and float histograms share, generic over the count types,
//! and the rules that do not depend on them.

use super::validate::{Shape, check_shape};
use super::{CounterResetHint, Span, is_custom_buckets_schema};
use crate::{Result, STALE_NAN, STALE_NAN_BITS};

/// A native histogram with overall counts of type `C` and per-bucket entries of type `B`.
/// Use the aliases: [`super::Histogram`] (`u64` counts, `i64` delta-encoded buckets, as
/// scraped) and [`super::FloatHistogram`] (`f64` counts, absolute `f64` buckets).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HistogramOf<C, B> {
    /// What the producer knows about a counter reset at this sample.
    pub counter_reset_hint: CounterResetHint,
    /// Exponential schema (`-4..=8`) or [`super::CUSTOM_BUCKETS_SCHEMA`].
    pub schema: i32,
    /// Width of the zero bucket `[-zero_threshold, zero_threshold]`.
    pub zero_threshold: f64,
    /// Observations in the zero bucket.
    pub zero_count: C,
    /// Total number of observations (may exceed the buckets' sum when NaNs were observed).
    pub count: C,
    /// Sum of the observations.
    pub sum: f64,
    /// Layout of the positive buckets.
    pub positive_spans: Vec<Span>,
    /// Layout of the negative buckets.
    pub negative_spans: Vec<Span>,
    /// One entry per positive bucket of the layout (a delta for integer histograms, an absolute
    /// count for float ones).
    pub positive_buckets: Vec<B>,
    /// One entry per negative bucket of the layout.
    pub negative_buckets: Vec<B>,
    /// Upper bounds of the custom buckets (schema -53 only), `+Inf` implied.
    pub custom_values: Vec<f64>,
}

impl<C: Default + PartialEq, B> HistogramOf<C, B> {
    /// The staleness marker for histogram series: an empty histogram whose sum is
    /// [`STALE_NAN`], as Prometheus writes it.
    pub fn stale() -> Self
    where
        B: Default,
    {
        Self {
            counter_reset_hint: CounterResetHint::Unknown,
            schema: 0,
            zero_threshold: 0.0,
            zero_count: C::default(),
            count: C::default(),
            sum: STALE_NAN,
            positive_spans: Vec::new(),
            negative_spans: Vec::new(),
            positive_buckets: Vec::new(),
            negative_buckets: Vec::new(),
            custom_values: Vec::new(),
        }
    }

    /// Whether this is the staleness marker (its sum has the stale NaN's bits).
    pub fn is_stale(&self) -> bool {
        self.sum.to_bits() == STALE_NAN_BITS
    }

    /// Whether the schema is the custom-buckets schema.
    pub fn uses_custom_buckets(&self) -> bool {
        is_custom_buckets_schema(self.schema)
    }

    /// The rules that do not look at counts: schema, custom bounds, spans vs bucket entries.
    pub(crate) fn check_shape(&self) -> Result<()> {
        check_shape(&Shape {
            schema: self.schema,
            zero_threshold: self.zero_threshold,
            zero_count_is_zero: self.zero_count == C::default(),
            positive_spans: &self.positive_spans,
            positive_len: self.positive_buckets.len(),
            negative_spans: &self.negative_spans,
            negative_len: self.negative_buckets.len(),
            custom_values: &self.custom_values,
        })
    }
}
