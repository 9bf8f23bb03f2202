//! Bucket boundaries per schema and iteration over a histogram's buckets with their bounds.
//!
//! Exponential bucket `i` of schema `s` has the upper bound `2^(i·2^-s)` and the lower bound of
//! bucket `i-1`'s upper bound; it includes its upper bound and excludes its lower one. Negative
//! buckets mirror positive ones. Bounds overflow to `+Inf` and underflow to `0` as `f64` does.
//! Custom bucket `i` covers `(custom_values[i-1], custom_values[i]]`, the first bucket starting
//! at `-Inf` and the last one (index `len`) ending at `+Inf`.

use super::{FloatHistogram, is_custom_buckets_schema, layout};

/// One bucket with its bounds and count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
    /// Whether `lower` itself belongs to the bucket (only the zero bucket and negative buckets'
    /// lower ends).
    pub lower_inclusive: bool,
    /// Whether `upper` itself belongs to the bucket.
    pub upper_inclusive: bool,
    /// Observations in the bucket.
    pub count: f64,
    /// Bucket index within its schema (0 for the zero bucket).
    pub index: i32,
}

/// The `(lower, upper)` bounds of positive bucket `index` in `schema` (custom buckets read
/// `custom_values`; exponential schemas ignore it).
pub fn bucket_bounds(schema: i32, index: i32, custom_values: &[f64]) -> (f64, f64) {
    if is_custom_buckets_schema(schema) {
        let at = |i: i64| -> f64 {
            if i < 0 {
                f64::NEG_INFINITY
            } else {
                usize::try_from(i).ok().and_then(|i| custom_values.get(i)).copied().unwrap_or(f64::INFINITY)
            }
        };
        return (at(i64::from(index) - 1), at(i64::from(index)));
    }
    (exponential_upper(schema, i64::from(index) - 1), exponential_upper(schema, i64::from(index)))
}

/// `2^(index·2^-schema)`, exact for powers of two.
fn exponential_upper(schema: i32, index: i64) -> f64 {
    if schema <= 0 {
        // index · 2^-schema is an integer exponent.
        let exp = index.saturating_mul(1i64 << (-schema).clamp(0, 62));
        return pow2(exp);
    }
    let per_octave = 1i64 << schema.clamp(0, 30);
    let (octave, frac) = (index.div_euclid(per_octave), index.rem_euclid(per_octave));
    if frac == 0 {
        return pow2(octave);
    }
    pow2(octave) * (frac as f64 / per_octave as f64).exp2()
}

/// `2^exp` for integer exponents, saturating to `+Inf` and `0`.
fn pow2(exp: i64) -> f64 {
    if exp > 1023 {
        f64::INFINITY
    } else if exp < -1074 {
        0.0
    } else {
        (exp as f64).exp2()
    }
}

/// Iterates the buckets of a float histogram: negative buckets from the most negative up, the
/// zero bucket (exponential schemas only, even when empty), then positive buckets upwards.
#[derive(Debug)]
pub struct BucketIter<'a> {
    h: &'a FloatHistogram,
    negative: Vec<(i32, f64)>,
    positive: Vec<(i32, f64)>,
    /// 0: negative (reversed), 1: zero bucket, 2: positive, 3: done.
    phase: u8,
    pos: usize,
}

impl<'a> BucketIter<'a> {
    pub(crate) fn new(h: &'a FloatHistogram) -> Self {
        let negative = layout::pairs(&h.negative_spans, &h.negative_buckets);
        let positive = layout::pairs(&h.positive_spans, &h.positive_buckets);
        Self { pos: negative.len(), h, negative, positive, phase: 0 }
    }
}

impl Iterator for BucketIter<'_> {
    type Item = Bucket;

    fn next(&mut self) -> Option<Bucket> {
        let h = self.h;
        loop {
            match self.phase {
                0 if self.pos > 0 => {
                    self.pos -= 1;
                    let (index, count) = self.negative[self.pos];
                    let (lo, up) = bucket_bounds(h.schema, index, &h.custom_values);
                    return Some(Bucket {
                        lower: -up,
                        upper: -lo,
                        lower_inclusive: true,
                        upper_inclusive: false,
                        count,
                        index,
                    });
                }
                0 => self.phase = 1,
                1 => {
                    self.phase = 2;
                    self.pos = 0;
                    if !h.uses_custom_buckets() {
                        let z = h.zero_threshold;
                        return Some(Bucket {
                            lower: -z,
                            upper: z,
                            lower_inclusive: true,
                            upper_inclusive: true,
                            count: h.zero_count,
                            index: 0,
                        });
                    }
                }
                2 if self.pos < self.positive.len() => {
                    let (index, count) = self.positive[self.pos];
                    self.pos += 1;
                    let (lower, upper) = bucket_bounds(h.schema, index, &h.custom_values);
                    return Some(Bucket { lower, upper, lower_inclusive: false, upper_inclusive: true, count, index });
                }
                _ => {
                    self.phase = 3;
                    return None;
                }
            }
        }
    }
}

/// Whether exponential bucket `index` lies inside a zero bucket of width `threshold` (its upper
/// bound is at most the threshold). Used when zero buckets are widened.
pub(crate) fn inside_zero_bucket(schema: i32, index: i32, threshold: f64) -> bool {
    exponential_upper(schema, i64::from(index)) <= threshold
}
