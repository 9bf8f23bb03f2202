//! Counter-reset detection between two consecutive samples of a histogram series, by
//! Prometheus' rules.

use super::{CounterResetHint, FloatHistogram, layout};

impl FloatHistogram {
    /// Whether `self` follows a counter reset, given the series' `previous` sample.
    ///
    /// An explicit hint decides (`CounterReset` → yes; `NotCounterReset` and `Gauge` → no).
    /// With an unknown hint it is a reset when: the count decreased; the schema changed between
    /// exponential and custom buckets, or the custom bounds changed; the schema increased (a
    /// finer schema cannot come from the same counter); the zero threshold shrank; or the zero
    /// bucket or any bucket decreased (a bucket present before and missing now counts as 0),
    /// comparing after bringing `previous` to `self`'s schema and zero bucket.
    pub fn detect_reset(&self, previous: &FloatHistogram) -> bool {
        match self.counter_reset_hint {
            CounterResetHint::CounterReset => return true,
            CounterResetHint::NotCounterReset | CounterResetHint::Gauge => return false,
            CounterResetHint::Unknown => {}
        }
        if self.count < previous.count {
            return true;
        }
        if self.uses_custom_buckets() != previous.uses_custom_buckets() {
            return true;
        }
        if self.uses_custom_buckets() && self.custom_values != previous.custom_values {
            return true;
        }
        if self.schema > previous.schema || self.zero_threshold < previous.zero_threshold {
            return true;
        }
        let Ok(mut prev) = previous.reduce_resolution(self.schema) else { return true };
        prev.widen_zero_bucket(self.zero_threshold);
        // Widening can go past our own threshold when a previous bucket straddled it: then the
        // layouts are incomparable, and Prometheus treats that as a reset too.
        if prev.zero_threshold > self.zero_threshold {
            return true;
        }
        if self.zero_count < prev.zero_count {
            return true;
        }
        decreased(&prev.positive_pairs(), &self.positive_pairs())
            || decreased(&prev.negative_pairs(), &self.negative_pairs())
    }
}

/// Whether any bucket of `before` has a larger count than the same bucket in `after`.
fn decreased(before: &[(i32, f64)], after: &[(i32, f64)]) -> bool {
    let merged = layout::merge_pairs(before, after, |b, a| if a < b { f64::NAN } else { 0.0 }, |_| 0.0);
    // Buckets only in `before` keep their count: a positive count there vanished.
    merged.iter().any(|&(_, v)| v.is_nan() || v > 0.0)
}
