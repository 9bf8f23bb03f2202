//! [`FloatHistogram`]: absolute float bucket counts, what PromQL computes on.

use super::base::HistogramOf;
use super::bounds::BucketIter;
use super::validate::invalid;
use super::{Span, layout};
use crate::Result;

/// A native histogram with float counts. Bucket counts are absolute (not deltas).
///
/// The derived `PartialEq` compares fields literally (spans as written, NaN unequal to itself);
/// [`FloatHistogram::equals`] is Prometheus' notion of equality.
pub type FloatHistogram = HistogramOf<f64, f64>;

impl HistogramOf<f64, f64> {
    /// Checks the structural rules: a known schema, custom-bucket rules (increasing finite
    /// bounds, no zero or negative buckets, indexes within the bounds), one count per bucket of
    /// the spans, and no negative counts.
    ///
    /// Unlike [`super::Histogram::validate`] it does not compare `count` with the buckets' total:
    /// float arithmetic (rates, sums of many histograms) makes the two drift apart by rounding,
    /// so Prometheus does not check it for float histograms either, and its test files load
    /// float histograms whose count is below their buckets' total.
    pub fn validate(&self) -> Result<()> {
        self.check_shape()?;
        if self.zero_count < 0.0 {
            return Err(invalid(format!("zero bucket has a negative count {}", self.zero_count)));
        }
        for (side, buckets) in [("positive", &self.positive_buckets), ("negative", &self.negative_buckets)] {
            if let Some((k, c)) = buckets.iter().enumerate().find(|(_, c)| **c < 0.0) {
                return Err(invalid(format!("{side} bucket {k} has a negative count {c}")));
            }
        }
        Ok(())
    }

    /// The buckets with their bounds: negative ones from the most negative, the zero bucket
    /// (exponential schemas), then positive ones.
    pub fn buckets(&self) -> BucketIter<'_> {
        BucketIter::new(self)
    }

    /// Multiplies every count and the sum by `factor` (a negative factor gives negative counts,
    /// as in Prometheus; such a histogram no longer validates).
    pub fn mul(&self, factor: f64) -> Self {
        self.map_values(|c| c * factor)
    }

    /// Divides every count and the sum by `divisor` (IEEE semantics: division by zero gives
    /// infinities or NaN).
    pub fn div(&self, divisor: f64) -> Self {
        self.map_values(|c| c / divisor)
    }

    /// `-h`: every count and the sum negated.
    pub fn neg(&self) -> Self {
        self.map_values(|c| -c)
    }

    fn map_values(&self, f: impl Fn(f64) -> f64) -> Self {
        Self {
            zero_count: f(self.zero_count),
            count: f(self.count),
            sum: f(self.sum),
            positive_buckets: self.positive_buckets.iter().map(|&c| f(c)).collect(),
            negative_buckets: self.negative_buckets.iter().map(|&c| f(c)).collect(),
            ..self.clone()
        }
    }

    /// Removes empty buckets and zero-length spans and merges spans that are adjacent or at most
    /// `max_empty_buckets` apart (the gap is filled with empty buckets), as Prometheus'
    /// `Compact`. `compact(0)` keeps only populated buckets.
    pub fn compact(&self, max_empty_buckets: usize) -> Self {
        let side = |spans: &[Span], counts: &[f64]| {
            let pairs = layout::compact_pairs(&layout::pairs(spans, counts), max_empty_buckets, |c| c == 0.0);
            layout::from_pairs(&pairs)
        };
        let (positive_spans, positive_buckets) = side(&self.positive_spans, &self.positive_buckets);
        let (negative_spans, negative_buckets) = side(&self.negative_spans, &self.negative_buckets);
        Self { positive_spans, positive_buckets, negative_spans, negative_buckets, ..self.clone() }
    }

    /// Prometheus' `Equals`: same schema, zero threshold, custom bounds, bucket layout (after
    /// normalising zero-length and touching spans) and counts, with the sum compared bit for bit
    /// (so a NaN sum equals the same NaN). The counter-reset hint is not compared.
    pub fn equals(&self, other: &Self) -> bool {
        let same_bits = |a: f64, b: f64| a.to_bits() == b.to_bits();
        self.schema == other.schema
            && same_bits(self.zero_threshold, other.zero_threshold)
            && same_bits(self.zero_count, other.zero_count)
            && same_bits(self.count, other.count)
            && same_bits(self.sum, other.sum)
            && self.custom_values.len() == other.custom_values.len()
            && self.custom_values.iter().zip(&other.custom_values).all(|(a, b)| same_bits(*a, *b))
            && layout::same_layout(&self.positive_spans, &other.positive_spans)
            && layout::same_layout(&self.negative_spans, &other.negative_spans)
            && self.positive_buckets.iter().zip(&other.positive_buckets).all(|(a, b)| same_bits(*a, *b))
            && self.negative_buckets.iter().zip(&other.negative_buckets).all(|(a, b)| same_bits(*a, *b))
    }

    /// Bytes Prometheus accounts for this histogram on a 64-bit machine (`FloatHistogram.Size`):
    /// a 168-byte struct plus 8 bytes per span, bucket and custom bound.
    pub fn size_bytes(&self) -> u64 {
        let slices = self.positive_spans.len()
            + self.negative_spans.len()
            + self.positive_buckets.len()
            + self.negative_buckets.len()
            + self.custom_values.len();
        168 + 8 * slices as u64
    }

    /// What one sample of this histogram costs against `--query.max-samples`: Prometheus counts
    /// a histogram point as `(size + 8) / 16` float points (a float point is 16 bytes: timestamp
    /// and value; the histogram point adds its 8-byte timestamp to [`Self::size_bytes`]).
    pub fn sample_cost(&self) -> u64 {
        (self.size_bytes() + 8) / 16
    }

    /// Positive buckets as `(index, count)`, layout order.
    pub(crate) fn positive_pairs(&self) -> Vec<(i32, f64)> {
        layout::pairs(&self.positive_spans, &self.positive_buckets)
    }

    /// Negative buckets as `(index, count)`, layout order.
    pub(crate) fn negative_pairs(&self) -> Vec<(i32, f64)> {
        layout::pairs(&self.negative_spans, &self.negative_buckets)
    }

    /// Replaces both bucket layouts with the given pairs.
    pub(crate) fn set_pairs(&mut self, positive: &[(i32, f64)], negative: &[(i32, f64)]) {
        (self.positive_spans, self.positive_buckets) = layout::from_pairs(positive);
        (self.negative_spans, self.negative_buckets) = layout::from_pairs(negative);
    }
}
