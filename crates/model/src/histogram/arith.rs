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

impl FloatHistogram {
    /// `self + other` with Kahan-Neumaier compensation, as Prometheus sums histograms over time:
    /// `comp` is the running compensation of `self` (none at the start). Returns the new sum
    /// and compensation, in one layout (coarsest schema, widest zero bucket); the final value is
    /// their sum. Layouts are combined as in [`Self::add`].
    pub fn kahan_add(&self, other: &Self, comp: Option<&Self>) -> Result<(Self, Self)> {
        check_compatible(self, other)?;
        let zero = Self { custom_values: self.custom_values.clone(), ..Self::default() };
        let comp = comp.unwrap_or(&zero);
        if self.uses_custom_buckets() && comp.custom_values != self.custom_values {
            return Err(invalid("the compensation has other custom bounds than the sum"));
        }
        let schema = if self.uses_custom_buckets() { self.schema } else { self.schema.min(other.schema) };
        let mut parts = [self.clone(), other.clone(), Self { schema: self.schema, ..comp.clone() }];
        for p in &mut parts {
            if !p.uses_custom_buckets() {
                *p = p.reduce_resolution(schema.min(p.schema))?;
            }
        }
        if !self.uses_custom_buckets() {
            if parts.iter().any(|p| p.zero_threshold.is_nan()) {
                return Err(invalid("cannot combine histograms with a NaN zero threshold"));
            }
            // Each round moves at least one bucket into a zero bucket, so this ends.
            loop {
                let widest = parts.iter().map(|p| p.zero_threshold).fold(0.0, f64::max);
                if parts.iter().all(|p| p.zero_threshold.to_bits() == widest.to_bits()) {
                    break;
                }
                parts.iter_mut().for_each(|p| p.widen_zero_bucket(widest));
            }
        }
        let [s, o, c] = parts;
        let inc = |(sum, c): (f64, f64), (x, _): (f64, f64)| super::kahan::kahan_inc(x, sum, c);
        let side = |s: Vec<(i32, f64)>, c: Vec<(i32, f64)>, o: Vec<(i32, f64)>| {
            let with_comp = |v: Vec<(i32, f64)>, first: bool| -> Vec<(i32, (f64, f64))> {
                v.into_iter().map(|(i, x)| (i, if first { (x, 0.0) } else { (0.0, x) })).collect()
            };
            let sc = layout::merge_pairs(&with_comp(s, true), &with_comp(c, false), |a, b| (a.0, b.1), |b| b);
            let all = layout::merge_pairs(&sc, &with_comp(o, true), inc, |b| b);
            let sums: Vec<(i32, f64)> = all.iter().map(|&(i, (x, _))| (i, x)).collect();
            let comps: Vec<(i32, f64)> = all.iter().map(|&(i, (_, y))| (i, y)).collect();
            (sums, comps)
        };
        let (pos, pos_c) = side(s.positive_pairs(), c.positive_pairs(), o.positive_pairs());
        let (neg, neg_c) = side(s.negative_pairs(), c.negative_pairs(), o.negative_pairs());
        let (hint, _) = CounterResetHint::combine(self.counter_reset_hint, other.counter_reset_hint);
        let (count, count_c) = super::kahan::kahan_inc(o.count, s.count, c.count);
        let (sum, sum_c) = super::kahan::kahan_inc(o.sum, s.sum, c.sum);
        let (zero_count, zero_c) = super::kahan::kahan_inc(o.zero_count, s.zero_count, c.zero_count);
        let mut total = Self { counter_reset_hint: hint, count, sum, zero_count, ..s.clone() };
        total.set_pairs(&pos, &neg);
        let mut compensation = Self { count: count_c, sum: sum_c, zero_count: zero_c, ..s };
        compensation.counter_reset_hint = CounterResetHint::Unknown;
        compensation.set_pairs(&pos_c, &neg_c);
        Ok((total, compensation))
    }

    /// Whether any count or the sum overflowed to an infinity.
    pub fn has_overflow(&self) -> bool {
        [self.count, self.sum, self.zero_count].iter().any(|v| v.is_infinite())
            || self.positive_buckets.iter().chain(&self.negative_buckets).any(|v| v.is_infinite())
    }
}
