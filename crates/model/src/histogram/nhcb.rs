//! Classic histograms converted to native histograms with custom buckets (NHCB, schema
//! [`CUSTOM_BUCKETS_SCHEMA`]), by Prometheus' rules (`util/convertnhcb`).
//!
//! A classic histogram at one timestamp is a set of cumulative `le` buckets, plus optionally
//! its `_count` and `_sum`. [`ClassicHistogram`] collects them one by one in any order; then
//! [`ClassicHistogram::convert`] makes the native histogram:
//!
//! - the finite `le` bounds become `custom_values`, `+Inf` is implied (a missing `+Inf` bucket is
//!   added with the overall count);
//! - the cumulative counts are de-cumulated into per-bucket counts;
//! - the count is `_count` when given, else the highest bucket's count, and must then equal the
//!   `+Inf` bucket's count; the sum is `_sum` (0 when absent);
//! - all-integer counts give an integer [`Histogram`] (compacted keeping gaps of up to two empty
//!   buckets, as Prometheus does), others a [`FloatHistogram`] (only populated buckets kept).
//!
//! Errors are sticky: once a bucket breaks a rule (NaN bound, negative or decreasing cumulative
//! count), every later call and the conversion report that error.
//!
//! ```
//! use vigil_model::histogram::{ClassicHistogram, Nhcb};
//! let mut c = ClassicHistogram::new();
//! c.set_bucket(f64::INFINITY, 5.0).unwrap();
//! c.set_bucket(1.0, 2.0).unwrap();
//! c.set_sum(3.5);
//! let h = c.convert().unwrap().into_float();
//! assert_eq!(h.to_string(), "{{schema:-53 count:5 sum:3.5 custom_values:[1] buckets:[2 3]}}");
//! ```

use super::validate::invalid;
use super::{CUSTOM_BUCKETS_SCHEMA, FloatHistogram, Histogram, Span, delta_encode};
use crate::Result;

/// The buckets, count and sum of one classic histogram at one timestamp, collected before
/// conversion.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClassicHistogram {
    /// `(le, cumulative count)`, sorted by `le`, without duplicate bounds.
    buckets: Vec<(f64, f64)>,
    count: Option<f64>,
    sum: f64,
    /// The first rule broken, reported by every later call.
    error: Option<String>,
}

/// A converted classic histogram: integer when every count is a whole number.
#[derive(Debug, Clone, PartialEq)]
pub enum Nhcb {
    /// All counts were whole numbers.
    Integer(Histogram),
    /// Some count had a fractional part.
    Float(FloatHistogram),
}

impl Nhcb {
    /// The float histogram with the same observations.
    pub fn into_float(self) -> FloatHistogram {
        match self {
            Nhcb::Integer(h) => h.to_float(),
            Nhcb::Float(h) => h,
        }
    }
}

impl ClassicHistogram {
    /// An empty classic histogram.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the cumulative count of the bucket with upper bound `le`. A bound seen before
    /// is ignored (a duplicate series, e.g. `le="0.2"` and `le="2e-1"`).
    pub fn set_bucket(&mut self, le: f64, cumulative: f64) -> Result<()> {
        self.sticky()?;
        if le.is_nan() {
            return self.fail("bucket boundary must not be NaN".into());
        }
        if cumulative < 0.0 {
            return self.fail(format!("bucket count must be non-negative: le={le}, count={cumulative}"));
        }
        let i = self.buckets.partition_point(|b| b.0 < le);
        if self.buckets.get(i).is_some_and(|b| b.0 == le) {
            return Ok(());
        }
        if let Some(&(_, below)) = i.checked_sub(1).and_then(|j| self.buckets.get(j))
            && cumulative < below
        {
            return self.fail(format!("count is not cumulative: {cumulative} < {below}"));
        }
        if let Some(&(_, above)) = self.buckets.get(i)
            && cumulative > above
        {
            return self.fail(format!("count is not cumulative: {cumulative} > {above}"));
        }
        self.buckets.insert(i, (le, cumulative));
        Ok(())
    }

    /// Records the `_count` sample.
    pub fn set_count(&mut self, count: f64) -> Result<()> {
        self.sticky()?;
        if count < 0.0 {
            return self.fail(format!("count must be non-negative: count={count}"));
        }
        self.count = Some(count);
        Ok(())
    }

    /// Records the `_sum` sample.
    pub fn set_sum(&mut self, sum: f64) {
        self.sum = sum;
    }

    /// The native histogram with custom buckets (see the module documentation for the rules).
    pub fn convert(&self) -> Result<Nhcb> {
        self.sticky()?;
        let mut buckets = self.buckets.clone();
        let count = match (self.count, buckets.last()) {
            (Some(c), _) => c,
            (None, Some(&(_, c))) => c,
            (None, None) => return Err(invalid("count must be provided when no buckets are present")),
        };
        if buckets.last().is_none_or(|b| b.0 != f64::INFINITY) {
            buckets.push((f64::INFINITY, count));
        }
        let top = buckets.last().map_or(count, |b| b.1);
        // `!=` rather than a tolerance: Prometheus compares exactly (a NaN count never matches).
        if count != top {
            return Err(invalid(format!("count mismatch: count={count} != le=+Inf count={top}")));
        }
        let custom_values: Vec<f64> = buckets.iter().filter(|b| b.0 != f64::INFINITY).map(|b| b.0).collect();
        let mut below = 0.0;
        let counts: Vec<f64> = buckets
            .iter()
            .map(|&(_, c)| {
                let n = c - below;
                below = c;
                n
            })
            .collect();
        let float = FloatHistogram {
            schema: CUSTOM_BUCKETS_SCHEMA,
            count,
            sum: self.sum,
            positive_spans: vec![Span { offset: 0, length: counts.len() as u32 }],
            positive_buckets: counts,
            custom_values,
            ..FloatHistogram::default()
        };
        let whole = |c: f64| c.is_finite() && c.fract() == 0.0 && c.abs() < 9.0e15;
        if whole(count) && buckets.iter().all(|b| whole(b.1)) {
            return Ok(Nhcb::Integer(to_integer(&float.compact(2))));
        }
        Ok(Nhcb::Float(float.compact(0)))
    }

    fn sticky(&self) -> Result<()> {
        match &self.error {
            Some(e) => Err(invalid(e.clone())),
            None => Ok(()),
        }
    }

    fn fail(&mut self, message: String) -> Result<()> {
        let e = invalid(message.clone());
        self.error = Some(message);
        Err(e)
    }
}

/// The integer form of a float histogram whose counts are all whole numbers.
fn to_integer(h: &FloatHistogram) -> Histogram {
    // Whole numbers below 2^53 convert exactly.
    let counts: Vec<i64> = h.positive_buckets.iter().map(|&c| c as i64).collect();
    Histogram {
        counter_reset_hint: h.counter_reset_hint,
        schema: h.schema,
        zero_threshold: h.zero_threshold,
        zero_count: 0,
        count: h.count as u64,
        sum: h.sum,
        positive_spans: h.positive_spans.clone(),
        negative_spans: Vec::new(),
        positive_buckets: delta_encode(&counts),
        negative_buckets: Vec::new(),
        custom_values: h.custom_values.clone(),
    }
}

#[cfg(test)]
mod tests;
