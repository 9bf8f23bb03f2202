//! [`Histogram`]: the integer histogram a scrape produces, buckets delta-encoded.

use super::FloatHistogram;
use super::base::HistogramOf;
use super::validate::invalid;
use crate::Result;

/// A native histogram with integer counts, as exposed by clients.
///
/// `positive_buckets`/`negative_buckets` hold one entry per bucket of their spans: the first is
/// the bucket's absolute count, each later one the difference to the previous bucket's count
/// (across span boundaries), exactly as in Prometheus' protobuf exposition and its chunks.
pub type Histogram = HistogramOf<u64, i64>;

impl HistogramOf<u64, i64> {
    /// Checks the rules of [`FloatHistogram::validate`] on the absolute counts (deltas may be
    /// negative, absolute counts may not), and, as Prometheus does for integer histograms, that
    /// `count` is not smaller than the buckets' total: equal to it when the sum is a number, at
    /// least it when the sum is NaN (NaN observations are counted but land in no bucket).
    pub fn validate(&self) -> Result<()> {
        self.check_shape()?;
        let mut total = u128::from(self.zero_count);
        for (side, deltas) in [("positive", &self.positive_buckets), ("negative", &self.negative_buckets)] {
            let mut abs = 0i128;
            for (k, &d) in deltas.iter().enumerate() {
                abs += i128::from(d);
                if abs < 0 {
                    return Err(invalid(format!("{side} bucket {k} has a negative count {abs}")));
                }
                total += abs as u128;
            }
        }
        let count = u128::from(self.count);
        if self.sum.is_nan() {
            if total > count {
                return Err(invalid(format!("count {count} is smaller than the {total} observations in the buckets")));
            }
        } else if total != count {
            return Err(invalid(format!("count {count} differs from the {total} observations in the buckets")));
        }
        Ok(())
    }

    /// The float histogram with the same observations: absolute bucket counts as `f64`.
    pub fn to_float(&self) -> FloatHistogram {
        FloatHistogram {
            counter_reset_hint: self.counter_reset_hint,
            schema: self.schema,
            zero_threshold: self.zero_threshold,
            zero_count: self.zero_count as f64,
            count: self.count as f64,
            sum: self.sum,
            positive_spans: self.positive_spans.clone(),
            negative_spans: self.negative_spans.clone(),
            positive_buckets: absolute(&self.positive_buckets),
            negative_buckets: absolute(&self.negative_buckets),
            custom_values: self.custom_values.clone(),
        }
    }

    /// Absolute counts of the positive buckets.
    pub fn positive_counts(&self) -> Vec<i64> {
        running_sum(&self.positive_buckets)
    }

    /// Absolute counts of the negative buckets.
    pub fn negative_counts(&self) -> Vec<i64> {
        running_sum(&self.negative_buckets)
    }
}

fn running_sum(deltas: &[i64]) -> Vec<i64> {
    let mut acc = 0i64;
    deltas
        .iter()
        .map(|&d| {
            acc = acc.wrapping_add(d);
            acc
        })
        .collect()
}

fn absolute(deltas: &[i64]) -> Vec<f64> {
    running_sum(deltas).into_iter().map(|c| c as f64).collect()
}

/// Delta-encodes absolute counts (the inverse of [`Histogram::positive_counts`]).
pub fn delta_encode(counts: &[i64]) -> Vec<i64> {
    let mut prev = 0i64;
    counts
        .iter()
        .map(|&c| {
            let d = c.wrapping_sub(prev);
            prev = c;
            d
        })
        .collect()
}

impl HistogramOf<u64, i64> {
    /// The same observations at the coarser exponential schema `target`, still as integers
    /// (merged buckets add up). Errors as [`FloatHistogram::reduce_resolution`] does.
    pub fn reduce_resolution(&self, target: i32) -> Result<Self> {
        // Bucket counts are integers below 2^53 in practice, so the float detour is exact.
        let f = self.to_float().reduce_resolution(target)?;
        let ints = |b: &[f64]| delta_encode(&b.iter().map(|&c| c as i64).collect::<Vec<_>>());
        Ok(Self {
            schema: f.schema,
            positive_buckets: ints(&f.positive_buckets),
            negative_buckets: ints(&f.negative_buckets),
            positive_spans: f.positive_spans,
            negative_spans: f.negative_spans,
            ..self.clone()
        })
    }
}
