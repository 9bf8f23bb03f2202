//! Addition, subtraction and schema reduction of float histograms, with Prometheus' rules for
//! combining different layouts: the coarser schema wins (the finer operand's buckets are merged),
//! the wider zero bucket wins (buckets it covers move into it), custom-bucket histograms combine
//! only with identical bounds.

use super::bounds::{bucket_bounds, inside_zero_bucket};
use super::validate::invalid;
use super::{CounterResetHint, FloatHistogram, is_exponential_schema, layout};
use crate::Result;

impl FloatHistogram {
    /// `self + other`. The result has the coarser of the two schemas, the wider zero bucket and
    /// the union of both layouts; its hint follows [`CounterResetHint::combine`].
    pub fn add(&self, other: &Self) -> Result<Self> {
        self.combine(other, 1.0)
    }

    /// `self - other`, with the layout rules of [`Self::add`].
    pub fn sub(&self, other: &Self) -> Result<Self> {
        self.combine(other, -1.0)
    }

    fn combine(&self, other: &Self, sign: f64) -> Result<Self> {
        check_compatible(self, other)?;
        let schema = self.schema.min(other.schema);
        let mut a = self.reduce_resolution(schema)?;
        let mut b = other.reduce_resolution(schema)?;
        if a.zero_threshold.is_nan() || b.zero_threshold.is_nan() {
            return Err(invalid("cannot combine histograms with a NaN zero threshold"));
        }
        if !a.uses_custom_buckets() {
            // Widening one side can straddle a bucket of the other and widen it further; each
            // round removes at least one bucket, so this ends.
            while a.zero_threshold.to_bits() != b.zero_threshold.to_bits() {
                if a.zero_threshold < b.zero_threshold {
                    a.widen_zero_bucket(b.zero_threshold);
                } else {
                    b.widen_zero_bucket(a.zero_threshold);
                }
            }
        }
        let both = |x: f64, y: f64| x + sign * y;
        let only_b = |y: f64| sign * y;
        let positive = layout::merge_pairs(&a.positive_pairs(), &b.positive_pairs(), both, only_b);
        let negative = layout::merge_pairs(&a.negative_pairs(), &b.negative_pairs(), both, only_b);
        let (hint, _) = CounterResetHint::combine(self.counter_reset_hint, other.counter_reset_hint);
        let mut out = FloatHistogram {
            counter_reset_hint: hint,
            schema,
            zero_threshold: a.zero_threshold,
            zero_count: both(a.zero_count, b.zero_count),
            count: both(a.count, b.count),
            sum: both(a.sum, b.sum),
            custom_values: a.custom_values,
            ..FloatHistogram::default()
        };
        out.set_pairs(&positive, &negative);
        Ok(out)
    }

    /// The same observations at the coarser exponential schema `target` (buckets that merge are
    /// added up). Asking for the current schema returns a copy; asking for a finer schema, or any
    /// change of a custom-buckets histogram, is an error.
    pub fn reduce_resolution(&self, target: i32) -> Result<Self> {
        if target == self.schema {
            return Ok(self.clone());
        }
        if !is_exponential_schema(self.schema) || !is_exponential_schema(target) {
            return Err(invalid(format!("cannot convert schema {} to schema {target}", self.schema)));
        }
        if target > self.schema {
            return Err(invalid(format!("cannot increase the resolution from schema {} to {target}", self.schema)));
        }
        let add = |x: f64, y: f64| x + y;
        let positive = layout::reduce_pairs(&self.positive_pairs(), self.schema, target, add);
        let negative = layout::reduce_pairs(&self.negative_pairs(), self.schema, target, add);
        let mut out = Self { schema: target, ..self.clone() };
        out.set_pairs(&positive, &negative);
        Ok(out)
    }

    /// Widens the zero bucket to at least `threshold`, moving the buckets it then covers into the
    /// zero count. A bucket that straddles the new threshold widens it to that bucket's upper
    /// bound (so no bucket is split), as Prometheus does.
    pub(crate) fn widen_zero_bucket(&mut self, threshold: f64) {
        // A NaN threshold would never settle the widening loop below.
        if threshold.is_nan() || threshold <= self.zero_threshold || self.uses_custom_buckets() {
            return;
        }
        let mut zt = threshold;
        let (mut positive, mut negative) = (self.positive_pairs(), self.negative_pairs());
        let mut moved = 0.0;
        loop {
            let before = zt;
            for side in [&mut positive, &mut negative] {
                let mut keep = 0;
                for &(i, c) in side.iter() {
                    let (lower, upper) = bucket_bounds(self.schema, i, &[]);
                    if lower >= zt {
                        break;
                    }
                    if !inside_zero_bucket(self.schema, i, zt) {
                        zt = upper;
                    }
                    moved += c;
                    keep += 1;
                }
                side.drain(..keep);
            }
            if zt.to_bits() == before.to_bits() {
                break;
            }
        }
        self.zero_threshold = zt;
        self.zero_count += moved;
        self.set_pairs(&positive, &negative);
    }
}

/// Exponential and custom-bucket histograms never combine, nor do custom-bucket histograms with
/// different bounds.
pub(crate) fn check_compatible(a: &FloatHistogram, b: &FloatHistogram) -> Result<()> {
    if a.uses_custom_buckets() != b.uses_custom_buckets() {
        return Err(invalid("cannot combine histograms with exponential and custom bucket schemas"));
    }
    if a.uses_custom_buckets() && a.custom_values != b.custom_values {
        return Err(invalid("cannot combine histograms with different custom bucket bounds"));
    }
    Ok(())
}

impl FloatHistogram {
    /// The custom bucket bounds `self` and `other` share: what two custom-bucket histograms with
    /// different bounds are reconciled to before combining (Prometheus 3.x).
    pub fn common_custom_bounds(&self, other: &Self) -> Vec<f64> {
        super::reconcile::shared_bounds(&self.custom_values, &other.custom_values)
    }

    /// This custom-bucket histogram over the coarser `bounds`, a subset of its own: each bucket
    /// moves into the new bucket that contains it. Bounds that are not its own are an error.
    pub fn with_custom_bounds(&self, bounds: &[f64]) -> Result<Self> {
        if !self.uses_custom_buckets() || bounds.iter().any(|b| !self.custom_values.contains(b)) {
            return Err(invalid("custom bounds are not a subset of the histogram's own"));
        }
        let out = self.onto_custom_bounds(bounds);
        Ok(out)
    }
}
