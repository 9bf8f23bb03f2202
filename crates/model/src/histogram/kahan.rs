//! [`HistogramSum`]: a running sum of float histograms with a Kahan–Neumaier compensation for
//! every count, the sum and every bucket, as Prometheus' `sum` and `avg` aggregations add
//! histograms (so `1e100 + x - 1e100` keeps `x`, as it does for floats).
//!
//! The compensation is a histogram of the running sum's schema, zero bucket and custom bounds,
//! whose layout follows the sum's: every change of layout (coarser schema, wider zero bucket,
//! reconciled custom bounds) is applied to both. Custom-bucket histograms with different bounds
//! are added over the bounds they share (Prometheus reconciles them the same way).

use super::arith::check_compatible;
use super::validate::invalid;
use super::{CounterResetHint, FloatHistogram};
use crate::Result;

/// A compensated running sum of histograms; see the module documentation.
#[derive(Debug, Clone)]
pub struct HistogramSum {
    sum: FloatHistogram,
    comp: FloatHistogram,
    reconciled: bool,
}

impl HistogramSum {
    /// A sum holding `first` alone.
    pub fn new(first: &FloatHistogram) -> Self {
        let comp = FloatHistogram {
            schema: first.schema,
            zero_threshold: first.zero_threshold,
            custom_values: first.custom_values.clone(),
            ..FloatHistogram::default()
        };
        Self { sum: first.clone(), comp, reconciled: false }
    }

    /// Adds `h`. Fails, leaving the sum unchanged, when `h` cannot be added (exponential with
    /// custom buckets, a NaN zero threshold).
    pub fn add(&mut self, h: &FloatHistogram) -> Result<()> {
        let mut h = h.clone();
        if self.sum.uses_custom_buckets() && h.uses_custom_buckets() && self.sum.custom_values != h.custom_values {
            let common = super::reconcile::shared_bounds(&self.sum.custom_values, &h.custom_values);
            self.sum.rebucket_custom(&common);
            self.comp.rebucket_custom(&common);
            h.rebucket_custom(&common);
            self.reconciled = true;
        }
        check_compatible(&self.sum, &h)?;
        if self.sum.zero_threshold.is_nan() || h.zero_threshold.is_nan() {
            return Err(invalid("cannot combine histograms with a NaN zero threshold"));
        }
        let schema = self.sum.schema.min(h.schema);
        if schema != self.sum.schema {
            self.sum = self.sum.reduce_resolution(schema)?;
            self.comp = self.comp.reduce_resolution(schema)?;
        }
        if schema != h.schema {
            h = h.reduce_resolution(schema)?;
        }
        if !h.uses_custom_buckets() {
            // As in `add`: each round moves at least one bucket into a zero bucket, so this ends.
            while self.sum.zero_threshold.to_bits() != h.zero_threshold.to_bits() {
                if self.sum.zero_threshold < h.zero_threshold {
                    self.sum.widen_zero_bucket(h.zero_threshold);
                } else {
                    h.widen_zero_bucket(self.sum.zero_threshold);
                }
            }
            self.comp.widen_zero_bucket(self.sum.zero_threshold);
        }
        let (s, c) = (&mut self.sum, &mut self.comp);
        (s.count, c.count) = kahan_inc(h.count, s.count, c.count);
        (s.sum, c.sum) = kahan_inc(h.sum, s.sum, c.sum);
        (s.zero_count, c.zero_count) = kahan_inc(h.zero_count, s.zero_count, c.zero_count);
        let (sp, cp) = kahan_pairs(&s.positive_pairs(), &c.positive_pairs(), &h.positive_pairs());
        let (sn, cn) = kahan_pairs(&s.negative_pairs(), &c.negative_pairs(), &h.negative_pairs());
        s.set_pairs(&sp, &sn);
        c.set_pairs(&cp, &cn);
        s.counter_reset_hint = CounterResetHint::combine(s.counter_reset_hint, h.counter_reset_hint).0;
        Ok(())
    }

    /// Multiplies the sum and its compensation by `factor` (for an incremental mean).
    pub fn scale(&mut self, factor: f64) {
        self.sum = self.sum.mul(factor);
        self.comp = self.comp.mul(factor);
    }

    /// Adds the `count`th histogram (counting from 1) to a mean: a running sum divided at the
    /// end while it stays finite, else, from the histogram that would overflow it on, a running
    /// mean, as Prometheus' `avg` and `avg_over_time` do. `incremental` records the switch; the
    /// final divisor is `count` while it is false, 1 once it is true.
    pub fn add_to_mean(&mut self, h: &FloatHistogram, count: f64, incremental: &mut bool) -> Result<()> {
        if !*incremental {
            let mut next = self.clone();
            next.add(h)?;
            if !next.has_overflow() {
                *self = next;
                return Ok(());
            }
            *incremental = true;
            self.scale(1.0 / (count - 1.0));
        }
        self.scale((count - 1.0) / count);
        self.add(&h.div(count))
    }

    /// Whether some count, the sum or a bucket of the running sum is infinite.
    pub fn has_overflow(&self) -> bool {
        let s = &self.sum;
        [s.count, s.sum, s.zero_count]
            .iter()
            .chain(&s.positive_buckets)
            .chain(&s.negative_buckets)
            .any(|v| v.is_infinite())
    }

    /// Whether adding had to reconcile different custom bounds.
    pub fn reconciled(&self) -> bool {
        self.reconciled
    }

    /// The compensated sum divided by `divisor` (1 for the sum itself), compacted; each value
    /// and its compensation are divided before they are added, as Prometheus' `avg` does.
    pub fn finish(&self, divisor: f64) -> FloatHistogram {
        let fold = |v: f64, c: f64| if v.is_finite() { v / divisor + c / divisor } else { v / divisor };
        let (s, c) = (&self.sum, &self.comp);
        let side = |sp: Vec<(i32, f64)>, cp: Vec<(i32, f64)>| {
            let mut out = Vec::with_capacity(sp.len());
            let mut ci = cp.iter().peekable();
            for (i, v) in sp {
                // The compensation's layout is the sum's (or part of it).
                while ci.next_if(|&&(j, _)| j < i).is_some() {}
                let comp = ci.next_if(|&&(j, _)| j == i).map_or(0.0, |p| p.1);
                out.push((i, fold(v, comp)));
            }
            out
        };
        let positive = side(s.positive_pairs(), c.positive_pairs());
        let negative = side(s.negative_pairs(), c.negative_pairs());
        let mut out = FloatHistogram {
            count: fold(s.count, c.count),
            sum: fold(s.sum, c.sum),
            zero_count: fold(s.zero_count, c.zero_count),
            ..s.clone()
        };
        out.set_pairs(&positive, &negative);
        out.compact(0)
    }
}

/// A bucket index and its count.
type Pair = (i32, f64);

/// One Kahan–Neumaier step: `sum + inc` and the updated compensation `c` (reset when the sum
/// overflows, as Prometheus' `kahanSumInc` does).
#[inline]
pub fn kahan_inc(inc: f64, sum: f64, c: f64) -> (f64, f64) {
    let t = sum + inc;
    let c = if t.is_infinite() {
        0.0
    } else if sum.abs() >= inc.abs() {
        c + ((sum - t) + inc)
    } else {
        c + ((inc - t) + sum)
    };
    (t, c)
}

/// Adds the sorted pairs `h` into the sorted pairs `s` with compensations `c`; returns the new
/// sum's and compensation's pairs, both over the union of the indexes.
fn kahan_pairs(s: &[Pair], c: &[Pair], h: &[Pair]) -> (Vec<Pair>, Vec<Pair>) {
    let n = s.len().max(h.len());
    let (mut out_s, mut out_c) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut x, mut y, mut z) = (0, 0, 0);
    loop {
        let next = [s.get(x), c.get(y), h.get(z)].into_iter().flatten().map(|p| p.0).min();
        let Some(i) = next else { break };
        let take = |pairs: &[(i32, f64)], at: &mut usize| match pairs.get(*at) {
            Some(&(j, v)) if j == i => {
                *at += 1;
                v
            }
            _ => 0.0,
        };
        let (sv, cv, hv) = (take(s, &mut x), take(c, &mut y), take(h, &mut z));
        let (t, nc) = kahan_inc(hv, sv, cv);
        out_s.push((i, t));
        out_c.push((i, nc));
    }
    (out_s, out_c)
}

impl FloatHistogram {
    /// Moves a custom-bucket histogram onto `bounds`, a subset of its own bounds: each bucket
    /// goes to the new bucket with the smallest upper bound at or above its own.
    fn rebucket_custom(&mut self, bounds: &[f64]) {
        *self = self.onto_custom_bounds(bounds);
    }
}
