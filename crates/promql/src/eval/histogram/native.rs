//! Estimates over one native histogram, by Prometheus' 3.x rules: the quantile and fraction
//! behind `histogram_quantile`/`histogram_fraction`, and the variance behind
//! `histogram_stddev`/`histogram_stdvar`.
//!
//! Observations are assumed spread inside a bucket so that, for exponential schemas, they would
//! evenly fill the buckets of a finer schema (interpolation on a log scale), and evenly (linear
//! interpolation) in custom buckets and in the zero bucket. The zero bucket starts (or ends) at 0
//! when the histogram has only positive (or only negative) buckets; the first custom bucket
//! starts at 0 unless its upper bound is not positive. NaN observations raise the count without
//! landing in a bucket (their sum is NaN); they are ranked above every bucket.

use super::super::math::kahan_inc;
use vigil_model::FloatHistogram;

/// A bucket as Prometheus' all-buckets iterator yields it.
#[derive(Debug, Clone, Copy, Default)]
struct Bucket {
    lower: f64,
    upper: f64,
    count: f64,
}

/// What NaN observations did to a quantile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NanEffect {
    /// The rank fell among the NaN observations: the result is NaN.
    NanResult,
    /// The rank fell in a bucket, but the NaN observations above it pushed it up.
    SkewedHigher,
}

/// The buckets in ascending order: negative, the zero bucket when populated, positive; bounds
/// that reach into the zero bucket are cut at its edge.
fn all_buckets(h: &FloatHistogram) -> Vec<Bucket> {
    let z = h.zero_threshold;
    // The zero bucket is the only one closed at both ends.
    let is_zero_bucket = |b: &vigil_model::histogram::Bucket| b.lower_inclusive && b.upper_inclusive;
    h.buckets()
        .filter(|b| !is_zero_bucket(b) || b.count > 0.0)
        .map(|b| {
            let mut out = Bucket { lower: b.lower, upper: b.upper, count: b.count };
            if !is_zero_bucket(&b) {
                if out.lower > 0.0 && out.lower < z {
                    out.lower = z;
                } else if out.upper < 0.0 && out.upper > -z {
                    out.upper = -z;
                }
            }
            out
        })
        .collect()
}

/// The φ-quantile `q` of `h`, and what NaN observations did to it.
pub(crate) fn quantile(q: f64, h: &FloatHistogram) -> (f64, Option<NanEffect>) {
    if q < 0.0 {
        return (f64::NEG_INFINITY, None);
    }
    if q > 1.0 {
        return (f64::INFINITY, None);
    }
    if h.count == 0.0 || q.is_nan() {
        return (f64::NAN, None);
    }
    let buckets = all_buckets(h);
    // NaN observations sit above every bucket, so a histogram with some is walked from below;
    // otherwise the walk starts at the nearer end.
    let forward = h.sum.is_nan() || q < 0.5;
    let mut rank = if forward { q * h.count } else { (1.0 - q) * h.count };
    let n = buckets.len();
    let mut bucket = Bucket::default();
    let mut count = 0.0;
    let mut visited = 0;
    for step in 0..n {
        visited += 1;
        bucket = buckets[if forward { step } else { n - 1 - step }];
        if bucket.count == 0.0 {
            continue;
        }
        count += bucket.count;
        if count >= rank {
            break;
        }
    }
    let custom = h.uses_custom_buckets();
    if !custom && bucket.lower < 0.0 && bucket.upper > 0.0 {
        if h.negative_buckets.is_empty() && !h.positive_buckets.is_empty() {
            bucket.lower = 0.0;
        } else if h.positive_buckets.is_empty() && !h.negative_buckets.is_empty() {
            bucket.upper = 0.0;
        }
    } else if custom {
        if bucket.lower == f64::NEG_INFINITY {
            if bucket.upper <= 0.0 {
                return (bucket.upper, None);
            }
            bucket.lower = 0.0;
        } else if bucket.upper == f64::INFINITY {
            return (bucket.lower, None);
        }
    }
    // Float rounding can carry the running count past the histogram's.
    count = count.min(h.count);
    if count < rank {
        if h.sum.is_nan() {
            return (f64::NAN, Some(NanEffect::NanResult));
        }
        return (bucket.upper, None);
    }
    rank = if forward { rank - (count - bucket.count) } else { count - rank };
    let mut effect = None;
    if h.sum.is_nan() {
        // A NaN sum with every observation in a bucket means +Inf and -Inf were observed, not NaN.
        let total = count + buckets[visited..].iter().map(|b| b.count).sum::<f64>();
        if total < h.count {
            effect = Some(NanEffect::SkewedHigher);
        }
    }
    let fraction = rank / bucket.count;
    if custom || (bucket.lower <= 0.0 && bucket.upper >= 0.0) {
        return (bucket.lower + (bucket.upper - bucket.lower) * fraction, effect);
    }
    let log_lower = bucket.lower.abs().log2();
    let log_upper = bucket.upper.abs().log2();
    let v = if bucket.lower > 0.0 {
        (log_lower + (log_upper - log_lower) * fraction).exp2()
    } else {
        -(log_upper + (log_lower - log_upper) * (1.0 - fraction)).exp2()
    };
    (v, effect)
}

/// The fraction of `h`'s observations between `lower` and `upper`, and whether NaN
/// observations were left out of it (they count in the denominator only).
pub(crate) fn fraction(lower: f64, upper: f64, h: &FloatHistogram) -> (f64, bool) {
    if h.count == 0.0 || lower.is_nan() || upper.is_nan() {
        return (f64::NAN, false);
    }
    if lower >= upper {
        return (0.0, false);
    }
    let buckets = all_buckets(h);
    let custom = h.uses_custom_buckets();
    let only_positive = h.negative_buckets.is_empty() && !h.positive_buckets.is_empty();
    let only_negative = h.positive_buckets.is_empty() && !h.negative_buckets.is_empty();
    let (mut rank, mut count) = (0.0, 0.0);
    let (mut lower_rank, mut upper_rank) = (None, None);
    let mut visited = 0;
    for &b in &buckets {
        visited += 1;
        count += b.count;
        let mut b = b;
        let zero_bucket = b.lower <= 0.0 && b.upper >= 0.0;
        if zero_bucket {
            if only_positive {
                b.lower = 0.0;
            } else if only_negative {
                b.upper = 0.0;
            }
        }
        // The rank at `v` inside this bucket.
        let interpolate = |v: f64| {
            if custom || zero_bucket {
                if b.lower == f64::NEG_INFINITY {
                    // No width to interpolate over: the whole bucket is below `v`.
                    return rank + b.count;
                }
                rank + b.count * (v - b.lower) / (b.upper - b.lower)
            } else {
                let (log_lower, log_upper, log_v) = (b.lower.abs().log2(), b.upper.abs().log2(), v.abs().log2());
                let f = if v > 0.0 {
                    (log_v - log_lower) / (log_upper - log_lower)
                } else {
                    1.0 - (log_v - log_upper) / (log_lower - log_upper)
                };
                rank + b.count * f
            }
        };
        if lower_rank.is_none() && b.lower >= lower {
            lower_rank = Some(rank);
        }
        if upper_rank.is_none() && b.lower >= upper {
            upper_rank = Some(rank);
        }
        if lower_rank.is_some() && upper_rank.is_some() {
            break;
        }
        if lower_rank.is_none() && b.lower < lower && b.upper > lower {
            lower_rank = Some(interpolate(lower));
        }
        if upper_rank.is_none() && b.lower < upper && b.upper > upper {
            upper_rank = Some(interpolate(upper));
        }
        if lower_rank.is_some() && upper_rank.is_some() {
            break;
        }
        rank += b.count;
    }
    let mut nan_observations = false;
    if h.sum.is_nan() {
        count += buckets[visited..].iter().map(|b| b.count).sum::<f64>();
        nan_observations = count < h.count;
    } else {
        count = h.count;
    }
    let clamp = |r: Option<f64>| r.filter(|&r| r <= count).unwrap_or(count);
    ((clamp(upper_rank) - clamp(lower_rank)) / h.count, nan_observations)
}

/// The variance of `h`'s observations, each bucket's observations placed at its geometric
/// mean (exponential buckets; 0 in the zero bucket) or arithmetic mean (custom buckets).
pub(crate) fn variance(h: &FloatHistogram) -> f64 {
    let mean = h.sum / h.count;
    let custom = h.uses_custom_buckets();
    let (mut sum, mut c) = (0.0, 0.0);
    for b in all_buckets(h) {
        if b.count == 0.0 {
            continue;
        }
        let v = if custom {
            (b.upper + b.lower) / 2.0
        } else if b.lower <= 0.0 && b.upper >= 0.0 {
            0.0
        } else {
            let g = (b.upper * b.lower).sqrt();
            if b.upper < 0.0 { -g } else { g }
        };
        let d = v - mean;
        (sum, c) = kahan_inc(b.count * d * d, sum, c);
    }
    (sum + c) / h.count
}

#[cfg(test)]
mod tests;
