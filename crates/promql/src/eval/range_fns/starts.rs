//! Start timestamps in the counter functions (`rate`, `increase`, `irate`, `resets`), as
//! Prometheus 3.x reads them: a sample whose counter started after the previous sample is a
//! reset even when its value went up, and a counter that started inside the window is
//! extrapolated from zero at its start instead of towards the window's start.
//!
//! Only series that carry start timestamps get here; the others keep the plain float loops.

use super::{Window, extrapolation_factor};
use vigil_model::Timestamp;

/// Whether the sample at `cur_t`, whose counter started at `cur_st`, follows a reset after the
/// sample at `prev_t` (started at `prev_st`). `0` is an unknown start; a start at or after its
/// own sample is invalid and ignored. A start equal to the previous sample's time is a reset for
/// deltas (the previous sample's start is known and before it) but not for a cumulative counter
/// whose first sample had no known start (or started at its own time, or had an invalid one).
#[inline]
pub(crate) fn start_reset(prev_st: Timestamp, prev_t: Timestamp, cur_st: Timestamp, cur_t: Timestamp) -> bool {
    if cur_st == 0 || cur_st >= cur_t || cur_st < prev_t {
        return false;
    }
    if cur_st > prev_t {
        return true;
    }
    prev_st != 0 && prev_st < prev_t
}

/// Whether a sample claims a start before the previous sample's time while not sharing its
/// start: two counters overlapping in one series, which Prometheus warns about.
pub(super) fn overlaps(ts: &[Timestamp], sts: &[Timestamp]) -> bool {
    (1..sts.len().min(ts.len())).any(|i| sts[i] != 0 && sts[i] < ts[i - 1] && sts[i] != sts[i - 1])
}

/// Whether sample `i` of `ts` follows a reset by its start timestamp (`sts` empty: never).
#[inline]
pub(super) fn reset_at(ts: &[Timestamp], sts: &[Timestamp], i: usize) -> bool {
    i > 0 && i < sts.len() && start_reset(sts[i - 1], ts[i - 1], sts[i], ts[i])
}

/// The start of the window's first counter when it lies inside the window and before the first
/// sample: the counter is then known to have been zero there.
pub(super) fn started_inside(w: &Window<'_>, first_t: Timestamp, first_st: Option<Timestamp>) -> Option<Timestamp> {
    first_st.filter(|&st| st != 0 && st > w.start && st < first_t)
}

/// `rate` or `increase` of a float counter with start timestamps.
pub(super) fn counter_rate(w: &Window<'_>, is_rate: bool) -> Option<f64> {
    let n = w.vals.len();
    let from = started_inside(w, w.ts[0], w.sts.first().copied());
    if n < 2 && from.is_none() {
        return None;
    }
    let first = w.vals[0];
    let mut result = w.vals[n - 1] - first;
    for i in 1..n {
        if w.vals[i] < w.vals[i - 1] || reset_at(w.ts, w.sts, i) {
            result += w.vals[i - 1];
        }
    }
    let (first_t, last_t) = (w.ts[0], w.ts[n - 1]);
    let factor = match from {
        Some(st) => {
            result += first;
            from_start_factor(w, st, first_t, last_t, n - 1, is_rate)
        }
        None => {
            let zero = (result > 0.0 && first >= 0.0).then_some((first, result));
            extrapolation_factor(w, first_t, last_t, n - 1, true, is_rate, zero)
        }
    };
    Some(result * factor)
}

/// The extrapolation factor of a counter known to start from zero at `st` inside the window:
/// nothing is extrapolated towards the window's start, the end is extrapolated by Prometheus'
/// usual rule (judged on the samples' own spacing), and a lone sample is not extrapolated.
pub(super) fn from_start_factor(
    w: &Window<'_>,
    st: Timestamp,
    first_t: Timestamp,
    last_t: Timestamp,
    intervals: usize,
    is_rate: bool,
) -> f64 {
    let sampled = (last_t - st) as f64 / 1000.0;
    let mut to_end = 0.0;
    if intervals > 0 {
        let avg_step = (last_t - first_t) as f64 / 1000.0 / intervals as f64;
        to_end = (w.end - last_t) as f64 / 1000.0;
        if to_end >= avg_step * 1.1 {
            to_end = avg_step / 2.0;
        }
    }
    let mut factor = (sampled + to_end) / sampled;
    if is_rate {
        factor /= w.range_ms as f64 / 1000.0;
    }
    factor
}
