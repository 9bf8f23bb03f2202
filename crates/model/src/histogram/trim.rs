//! Trimming a histogram at a bound, behind PromQL's `</` ([`FloatHistogram::trim_upper`]: keep
//! the observations below the bound) and `>/` ([`FloatHistogram::trim_lower`]: keep those above
//! it), with Prometheus 3.x's estimates:
//!
//! - a bucket the bound falls into keeps the share of its observations on the kept side,
//!   interpolated on a log scale in exponential buckets and linearly in the zero bucket and in
//!   custom buckets, as `histogram_fraction` does;
//! - the zero bucket spans `[0, threshold]` when the histogram has only positive buckets,
//!   `[-threshold, 0]` with only negative ones, `[-threshold, threshold]` otherwise;
//! - custom buckets: the lowest bucket `(-Inf, u]` holds observations in `[0, u]` when `u > 0`
//!   and observations at `-Inf` otherwise; the highest bucket `(l, +Inf]` holds observations at
//!   `+Inf`; the one bucket `(-Inf, +Inf]` of a histogram without bounds goes at any finite
//!   bound. One quirk of Prometheus' implementation is kept, as its tests pin it: a negative
//!   finite bound given to `trim_lower` drops the lowest bucket even when that bucket is `[0, u]`;
//! - when anything was cut, the count becomes the total of what is left and the sum is
//!   re-estimated from it: each bucket's observations at the geometric mean (exponential
//!   buckets) or the midpoint (zero and custom buckets) of the range they still span, those of
//!   the open-ended custom buckets at their finite edge. A histogram with nothing cut comes
//!   back unchanged, its sum included.
//!
//! ```
//! use vigil_model::histogram::FloatHistogram;
//! let h: FloatHistogram = "{{schema:-53 sum:50 count:7 custom_values:[5 10] buckets:[1 6]}}".parse().unwrap();
//! // Bucket (5, 10] is cut in its middle: half of it stays; its rest sits at 6.25 now.
//! let below = h.trim_upper(7.5);
//! assert_eq!((below.positive_buckets.clone(), below.count, below.sum), (vec![1.0, 3.0], 4.0, 21.25));
//! assert_eq!(h.trim_lower(f64::NEG_INFINITY), h);
//! ```

use super::{FloatHistogram, bucket_bounds, layout};

/// Which side of the bound survives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// Observations at or below the bound (`</`).
    Below,
    /// Observations at or above the bound (`>/`).
    Above,
}

/// How observations are assumed to be spread inside a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Evenly on a log scale (exponential buckets; both bounds of one sign, neither zero).
    Exponential,
    /// Evenly on a linear scale (zero bucket, finite custom buckets).
    Linear,
    /// The lowest custom bucket `(-Inf, u]` with `u <= 0`: observations at `-Inf`.
    AtMinusInf,
    /// The lowest custom bucket with `u > 0`: observations evenly in `[0, u]`.
    FromZero,
    /// The highest custom bucket `(l, +Inf]`: observations at `+Inf`.
    AtPlusInf,
}

/// What is left of a bucket: its count and the range its observations still span.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Part {
    count: f64,
    lo: f64,
    hi: f64,
}

impl Part {
    const GONE: Part = Part { count: 0.0, lo: 0.0, hi: 0.0 };

    /// Where this part's observations are taken to be when the sum is re-estimated.
    fn representative(self, shape: Shape) -> f64 {
        match shape {
            Shape::Exponential => {
                let g = (self.lo * self.hi).sqrt();
                if self.hi < 0.0 { -g } else { g }
            }
            Shape::Linear | Shape::FromZero => (self.lo + self.hi) / 2.0,
            Shape::AtMinusInf => self.hi,
            Shape::AtPlusInf => self.lo,
        }
    }
}

/// The share of a bucket `[lo, hi]` of `shape` below `bound`, for `lo < bound < hi`.
fn share_below(shape: Shape, lo: f64, hi: f64, bound: f64) -> f64 {
    if shape == Shape::Exponential {
        let (l, h, b) = (lo.abs().log2(), hi.abs().log2(), bound.abs().log2());
        return (b - l) / (h - l);
    }
    (bound - lo) / (hi - lo)
}

/// Cuts the bucket `[lo, hi]` (bounds as the shape reads them) holding `count` observations.
fn cut(shape: Shape, lo: f64, hi: f64, count: f64, bound: f64, keep: Keep) -> Part {
    let whole = Part { count, lo, hi };
    match (shape, keep) {
        _ if bound.is_nan() => whole,
        (Shape::AtMinusInf, Keep::Below) if bound >= hi => whole,
        (Shape::AtMinusInf, Keep::Below) if bound > lo => Part { hi: bound, ..whole },
        (Shape::AtMinusInf, Keep::Above) if bound <= lo => whole,
        (Shape::AtMinusInf, _) => Part::GONE,
        (Shape::AtPlusInf, Keep::Above) if bound <= lo => whole,
        (Shape::AtPlusInf, Keep::Above) if bound < hi => Part { lo: bound, ..whole },
        (Shape::AtPlusInf, Keep::Below) if bound >= hi => whole,
        (Shape::AtPlusInf, _) => Part::GONE,
        // Prometheus' quirk: below zero, the bucket counts as one of observations at -Inf.
        (Shape::FromZero, Keep::Above) if bound < lo => {
            if bound == f64::NEG_INFINITY {
                whole
            } else {
                Part::GONE
            }
        }
        (_, Keep::Below) if bound >= hi => whole,
        (_, Keep::Below) if bound <= lo => Part::GONE,
        (_, Keep::Above) if bound <= lo => whole,
        (_, Keep::Above) if bound >= hi => Part::GONE,
        // The bound is inside; an unbounded `[0, +Inf]` has no share to give.
        _ if hi == f64::INFINITY => Part::GONE,
        (_, Keep::Below) => Part { count: count * share_below(shape, lo, hi, bound), hi: bound, ..whole },
        (_, Keep::Above) => Part { count: count * (1.0 - share_below(shape, lo, hi, bound)), lo: bound, ..whole },
    }
}

/// Running totals of what survives.
#[derive(Debug, Default)]
struct Totals {
    count: f64,
    sum: f64,
    /// Whether some populated bucket lost observations or range.
    cut: bool,
}

impl Totals {
    /// Cuts one bucket and returns its new count.
    fn bucket(&mut self, shape: Shape, lo: f64, hi: f64, count: f64, bound: f64, keep: Keep) -> f64 {
        let part = cut(shape, lo, hi, count, bound, keep);
        if count != 0.0 && part != (Part { count, lo, hi }) {
            self.cut = true;
        }
        if part.count != 0.0 {
            self.count += part.count;
            self.sum += part.count * part.representative(shape);
        }
        part.count
    }
}

/// The shape and `(lo, hi)` of custom bucket `index` as the trim reads it.
fn custom_bucket(index: i32, bounds: &[f64]) -> (Shape, f64, f64) {
    let (lo, hi) = bucket_bounds(super::CUSTOM_BUCKETS_SCHEMA, index, bounds);
    match (lo == f64::NEG_INFINITY, hi == f64::INFINITY) {
        (true, _) if hi > 0.0 => (Shape::FromZero, 0.0, hi),
        (true, _) => (Shape::AtMinusInf, lo, hi),
        (false, true) => (Shape::AtPlusInf, lo, hi),
        (false, false) => (Shape::Linear, lo, hi),
    }
}

/// The shape and `(lo, hi)` of exponential bucket `index` on the positive side (`sign` 1) or
/// the negative side (`sign` -1), cut at the zero bucket's edge as `histogram_fraction` cuts it.
fn exponential_bucket(schema: i32, index: i32, threshold: f64, sign: f64) -> (Shape, f64, f64) {
    let (mut lo, hi) = bucket_bounds(schema, index, &[]);
    if lo > 0.0 && lo < threshold {
        lo = threshold;
    }
    // A lower bound that underflowed to zero leaves no log scale: spread linearly instead.
    let shape = if lo > 0.0 && hi.is_finite() { Shape::Exponential } else { Shape::Linear };
    if sign < 0.0 { (shape, -hi, -lo) } else { (shape, lo, hi) }
}

fn trim(h: &FloatHistogram, bound: f64, keep: Keep) -> FloatHistogram {
    let mut out = h.clone();
    let mut totals = Totals::default();
    if h.uses_custom_buckets() {
        for (i, c) in layout::indexes(&h.positive_spans).zip(out.positive_buckets.iter_mut()) {
            let (shape, lo, hi) = custom_bucket(i, &h.custom_values);
            *c = totals.bucket(shape, lo, hi, *c, bound, keep);
        }
    } else {
        let z = h.zero_threshold;
        for (i, c) in layout::indexes(&h.negative_spans).zip(out.negative_buckets.iter_mut()) {
            let (shape, lo, hi) = exponential_bucket(h.schema, i, z, -1.0);
            *c = totals.bucket(shape, lo, hi, *c, bound, keep);
        }
        let (only_positive, only_negative) = (
            h.negative_buckets.is_empty() && !h.positive_buckets.is_empty(),
            h.positive_buckets.is_empty() && !h.negative_buckets.is_empty(),
        );
        let lo = if only_positive { 0.0 } else { -z };
        let hi = if only_negative { 0.0 } else { z };
        out.zero_count = totals.bucket(Shape::Linear, lo, hi, h.zero_count, bound, keep);
        for (i, c) in layout::indexes(&h.positive_spans).zip(out.positive_buckets.iter_mut()) {
            let (shape, lo, hi) = exponential_bucket(h.schema, i, z, 1.0);
            *c = totals.bucket(shape, lo, hi, *c, bound, keep);
        }
    }
    if !totals.cut {
        return h.clone();
    }
    out.count = totals.count;
    out.sum = totals.sum;
    out
}

impl FloatHistogram {
    /// The part of the histogram at or below `bound` (PromQL's `</`); see the module docs for
    /// the estimates. A NaN bound cuts nothing.
    pub fn trim_upper(&self, bound: f64) -> Self {
        trim(self, bound, Keep::Below)
    }

    /// The part of the histogram at or above `bound` (PromQL's `>/`); see the module docs for
    /// the estimates. A NaN bound cuts nothing.
    pub fn trim_lower(&self, bound: f64) -> Self {
        trim(self, bound, Keep::Above)
    }
}

#[cfg(test)]
mod tests;
