//! `anchored` and `smoothed` over series that hold native histograms.
//!
//! A series' floats and histograms are merged into one time-ordered list; each step picks its
//! samples from it as the float code does. A window of floats only (in a series whose histograms
//! are elsewhere) is left to the float code; a window mixing both kinds gives nothing and a
//! warning. Interpolating a counter across a reset models it as restarting from zero, and the
//! reset corrections count each reset once, including those the interpolated edges cross.

use super::super::range_fns::hist::{Note, SeriesNotes, combine, detect_reset};
use std::sync::Arc;
use vigil_model::histogram::CounterResetHint;
use vigil_model::{FloatHistogram, Timestamp};
use vigil_storage::HPoint;

/// One sample of either kind.
#[derive(Clone)]
pub(super) enum Val {
    F(f64),
    H(Arc<FloatHistogram>),
}

impl Val {
    fn hist(&self) -> Option<&FloatHistogram> {
        match self {
            Self::H(h) => Some(h),
            Self::F(_) => None,
        }
    }
}

/// A series' samples of both kinds, in time order.
pub(super) struct Merged {
    ts: Vec<Timestamp>,
    vs: Vec<Val>,
}

/// What a step gives.
pub(super) enum Out {
    F(f64),
    H(FloatHistogram),
    /// Only floats are involved: the float code answers.
    Floats,
}

impl Merged {
    /// Merges sorted floats (stale markers removed) and histograms (stale ones removed).
    pub(super) fn new(ts: &[Timestamp], vals: &[f64], hists: &[HPoint]) -> Self {
        let (mut out_ts, mut out_vs) = (Vec::with_capacity(ts.len() + hists.len()), Vec::new());
        let (mut i, mut j) = (0, 0);
        while i < ts.len() || j < hists.len() {
            if j >= hists.len() || (i < ts.len() && ts[i] < hists[j].0) {
                out_ts.push(ts[i]);
                out_vs.push(Val::F(vals[i]));
                i += 1;
            } else {
                out_ts.push(hists[j].0);
                out_vs.push(Val::H(hists[j].1.clone()));
                j += 1;
            }
        }
        Self { ts: out_ts, vs: out_vs }
    }

    fn at_or_before(&self, t: Timestamp, lookback: i64) -> Option<usize> {
        let i = self.ts.partition_point(|&x| x <= t).checked_sub(1)?;
        (self.ts[i] > t - lookback).then_some(i)
    }

    fn after(&self, t: Timestamp, limit: Timestamp) -> Option<usize> {
        let i = self.ts.partition_point(|&x| x <= t);
        (i < self.ts.len() && self.ts[i] <= limit).then_some(i)
    }

    /// The histograms at `idx`, or `None` when some is a float (noting a mix of both kinds).
    fn hists<'a>(&'a self, idx: &[usize], notes: &mut SeriesNotes) -> Option<Vec<&'a FloatHistogram>> {
        let hs: Vec<&FloatHistogram> = idx.iter().filter_map(|&i| self.vs[i].hist()).collect();
        if hs.len() < idx.len() {
            notes.add(Note::MixedFloatsHistograms);
            return None;
        }
        let custom = hs.first().is_some_and(|h| h.uses_custom_buckets());
        if hs.iter().any(|h| h.uses_custom_buckets() != custom) {
            notes.add(Note::MixedExponentialCustom);
            return None;
        }
        Some(hs)
    }

    fn all_floats(&self, idx: impl IntoIterator<Item = usize>) -> bool {
        idx.into_iter().all(|i| matches!(self.vs[i], Val::F(_)))
    }
}

/// `changes` or `resets` over the anchor and the window `(start, end]`, across both kinds.
pub(super) fn anchored_count(resets: bool, m: &Merged, start: Timestamp, end: Timestamp, lookback: i64) -> Option<f64> {
    let first_in = m.ts.partition_point(|&t| t <= start);
    let last_in = m.ts.partition_point(|&t| t <= end);
    if first_in >= last_in {
        return None;
    }
    let from = m.at_or_before(start, lookback).unwrap_or(first_in);
    let mut n = 0u64;
    for w in m.vs[from..last_in].windows(2) {
        let counted = match (&w[0], &w[1]) {
            (Val::F(a), Val::F(b)) => {
                if resets {
                    b < a
                } else {
                    b != a && !(a.is_nan() && b.is_nan())
                }
            }
            (Val::H(a), Val::H(b)) => {
                if resets {
                    detect_reset(b, a)
                } else {
                    !b.equals(a)
                }
            }
            _ => true,
        };
        n += u64::from(counted);
    }
    Some(n as f64)
}

/// `delta`, `increase` or `rate` (before dividing) over the anchor and the window.
pub(super) fn anchored_rate(
    counter: bool,
    m: &Merged,
    start: Timestamp,
    end: Timestamp,
    lookback: i64,
    notes: &mut SeriesNotes,
) -> Option<Out> {
    let first_in = m.ts.partition_point(|&t| t <= start);
    let last_in = m.ts.partition_point(|&t| t <= end);
    if first_in >= last_in {
        return None;
    }
    let from = m.at_or_before(start, lookback).unwrap_or(first_in);
    if m.all_floats(from..last_in) {
        return Some(Out::Floats);
    }
    let idx: Vec<usize> = (from..last_in).collect();
    let hs = m.hists(&idx, notes)?;
    let (first, last) = (hs[0], hs[hs.len() - 1]);
    check_hints(counter, &hs, notes);
    let min_schema = hs.iter().map(|h| h.schema).min().unwrap_or(last.schema);
    let mut h = combine(&last.reduce_resolution(min_schema).ok()?, first, false, Note::ReconciledSub, notes)?;
    if counter {
        for w in hs.windows(2) {
            if detect_reset(w[1], w[0]) {
                h = combine(&h, w[0], true, Note::ReconciledAdd, notes)?;
            }
        }
    }
    Some(Out::H(finish(h)))
}

/// `delta`, `increase` or `rate` (before dividing) between the values interpolated at both edges
/// of the window.
pub(super) fn smoothed_rate(
    counter: bool,
    m: &Merged,
    start: Timestamp,
    end: Timestamp,
    lookback: i64,
    notes: &mut SeriesNotes,
) -> Option<Out> {
    // The left edge: an exact sample or an interpolation; the reset chain starts at `lo`.
    let (left_a, lo) = match (m.at_or_before(start, lookback), m.after(start, Timestamp::MAX)) {
        (Some(a), Some(_)) if m.ts[a] == start => (None, a),
        (Some(a), Some(b)) => (Some(a), b),
        (None, Some(b)) if m.ts[b] <= end => (None, b),
        _ => return None,
    };
    let hi = m.at_or_before(end, lookback)?;
    let right_b = m.after(end, end + lookback).filter(|_| m.ts[hi] < end);
    let mut idx: Vec<usize> = left_a.into_iter().collect();
    idx.extend(lo.min(hi + 1)..=hi);
    if lo > hi {
        idx.push(lo);
    }
    idx.extend(right_b);
    idx.dedup();
    if m.all_floats(idx.iter().copied()) {
        return Some(Out::Floats);
    }
    let hs = m.hists(&idx, notes)?;
    check_hints(counter, &hs, notes);
    let hist = |i: usize| m.vs[i].hist();
    let left = match left_a {
        Some(a) => interpolate(hist(a)?, hist(lo)?, m.ts[a], m.ts[lo], start, counter, notes)?.0,
        None => hist(lo)?.clone(),
    };
    let (right, right_reset) = match right_b {
        Some(b) => interpolate(hist(hi)?, hist(b)?, m.ts[hi], m.ts[b], end, counter, notes)?,
        None => (hist(hi)?.clone(), false),
    };
    let mut h = combine(&right, &left, false, Note::ReconciledSub, notes)?;
    // No sample inside the window: both edges interpolate in one gap, which holds any reset.
    if counter && lo <= hi {
        for i in lo..hi {
            if detect_reset(hist(i + 1)?, hist(i)?) {
                h = combine(&h, hist(i)?, true, Note::ReconciledAdd, notes)?;
            }
        }
        if right_reset {
            h = combine(&h, hist(hi)?, true, Note::ReconciledAdd, notes)?;
        }
    }
    Some(Out::H(finish(h)))
}

/// `x smoothed` at `r`: the sample at or before `r` or the interpolation towards the next one.
pub(super) fn smoothed_value(m: &Merged, r: Timestamp, lookback: i64, notes: &mut SeriesNotes) -> Option<Out> {
    let a = m.at_or_before(r, lookback)?;
    match m.after(r, r + lookback) {
        Some(b) if m.ts[a] < r => {
            if m.all_floats([a, b]) {
                return Some(Out::Floats);
            }
            let hs = m.hists(&[a, b], notes)?;
            let counter = hs[1].counter_reset_hint != CounterResetHint::Gauge;
            Some(Out::H(interpolate(hs[0], hs[1], m.ts[a], m.ts[b], r, counter, notes)?.0))
        }
        _ => match &m.vs[a] {
            Val::F(_) => Some(Out::Floats),
            Val::H(h) => Some(Out::H(FloatHistogram::clone(h))),
        },
    }
}

/// The histogram at `t` between `a` (at `ta`) and `b` (at `tb`), and whether it was modelled as a
/// counter restarting from zero after a reset between them.
fn interpolate(
    a: &FloatHistogram,
    b: &FloatHistogram,
    ta: Timestamp,
    tb: Timestamp,
    t: Timestamp,
    counter: bool,
    notes: &mut SeriesNotes,
) -> Option<(FloatHistogram, bool)> {
    let fraction = (t - ta) as f64 / (tb - ta) as f64;
    if counter && detect_reset(b, a) {
        return Some((b.mul(fraction), true));
    }
    let step = combine(b, a, false, Note::ReconciledSub, notes)?;
    Some((combine(a, &step.mul(fraction), true, Note::ReconciledAdd, notes)?, false))
}

/// The type annotations: counters should carry no gauge hint, gauges should at both edges.
fn check_hints(counter: bool, hs: &[&FloatHistogram], notes: &mut SeriesNotes) {
    let gauge = |h: &FloatHistogram| h.counter_reset_hint == CounterResetHint::Gauge;
    if counter && hs.iter().any(|h| gauge(h)) {
        notes.add(Note::NotCounter);
    }
    if !counter && (!gauge(hs[0]) || !gauge(hs[hs.len() - 1])) {
        notes.add(Note::NotGauge);
    }
}

/// A difference of histograms is a gauge, without empty buckets.
fn finish(mut h: FloatHistogram) -> FloatHistogram {
    h.counter_reset_hint = CounterResetHint::Gauge;
    h.compact(0)
}
