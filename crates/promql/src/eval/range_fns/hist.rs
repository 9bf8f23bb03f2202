//! Range functions over windows that hold native histograms, as Prometheus 3.x computes them.
//!
//! A window's floats and histograms come as two sorted slices (like Prometheus'
//! `Series.Floats`/`Series.Histograms`). Series without histograms never get here: the float
//! sweeps of `range_fns` handle them unchanged, so this file only has to be right, not fast.
//! Functions that only know floats compute over the floats and report the ignored histograms;
//! the rate family and the sums refuse windows that mix both kinds.

use super::starts::{from_start_factor, overlaps, reset_at, started_inside};
use super::{RangeFn, Window, apply, extrapolation_factor};
use crate::Result;
use std::sync::{Arc, Mutex, PoisonError};
use vigil_model::histogram::{CounterResetHint, HistogramSum};
use vigil_model::{FloatHistogram, Labels, METRIC_NAME, Timestamp};
use vigil_storage::HPoint;

/// An annotation a histogram window can raise, reported once per metric name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Note {
    MixedFloatsHistograms,
    NotCounter,
    NotGauge,
    MixedExponentialCustom,
    IgnoredInMixedRange,
    CounterResetCollision,
    ReconciledSub,
    ReconciledAdd,
    ReconciledAgg,
    StartOverlap,
}

impl Note {
    /// Whether this is a warning (otherwise an info) and its text for metric `name`.
    pub(crate) fn render(self, name: &str) -> (bool, String) {
        match self {
            Self::MixedFloatsHistograms => {
                (true, format!("PromQL warning: encountered a mix of histograms and floats for metric name {name:?}"))
            }
            Self::NotCounter => {
                (true, format!("PromQL warning: this native histogram metric is not a counter: {name:?}"))
            }
            Self::NotGauge => (true, format!("PromQL warning: this native histogram metric is not a gauge: {name:?}")),
            Self::MixedExponentialCustom => (
                true,
                format!(
                    "PromQL warning: vector contains a mix of histograms with exponential and custom buckets schemas for metric name {name:?}"
                ),
            ),
            Self::IgnoredInMixedRange => (
                false,
                format!(
                    "PromQL info: ignored histograms in a range containing both floats and histograms for metric name {name:?}"
                ),
            ),
            Self::CounterResetCollision => {
                (true, "PromQL warning: conflicting counter resets during histogram aggregation".to_owned())
            }
            Self::ReconciledSub => {
                (false, "PromQL info: mismatched custom buckets were reconciled during subtraction".to_owned())
            }
            Self::ReconciledAdd => {
                (false, "PromQL info: mismatched custom buckets were reconciled during addition".to_owned())
            }
            Self::ReconciledAgg => {
                (false, "PromQL info: mismatched custom buckets were reconciled during aggregation".to_owned())
            }
            Self::StartOverlap => (
                true,
                format!(
                    "PromQL warning: sample has start time that overlaps with previous sample timestamp for metric {name:?}"
                ),
            ),
        }
    }
}

/// Annotations raised by the series of one call, collected from worker threads.
#[derive(Default)]
pub(crate) struct Notes(Mutex<Vec<(Note, String)>>);

impl Notes {
    /// Records the notes of one series (few, and only for series with histograms).
    fn add(&self, notes: &[Note], labels: &Labels) {
        if notes.is_empty() {
            return;
        }
        let name = labels.get(METRIC_NAME).unwrap_or("");
        let mut all = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        for &n in notes {
            if !all.iter().any(|(m, s)| *m == n && s == name) {
                all.push((n, name.to_owned()));
            }
        }
    }

    /// The collected notes, in the order first raised.
    pub(crate) fn take(self) -> Vec<(Note, String)> {
        self.0.into_inner().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What one window of a series gives.
pub(super) enum Value {
    Float(f64),
    Hist(Arc<FloatHistogram>),
}

/// One window of a series that has histograms.
pub(super) struct HWindow<'a> {
    /// The floats in the window, as the float functions see them.
    pub floats: Window<'a>,
    pub hists: &'a [HPoint],
    /// Start timestamps of the histograms, or empty when the series has none.
    pub hsts: &'a [Timestamp],
}

/// A per-series sink for notes, kept free of duplicates.
#[derive(Default)]
pub(crate) struct SeriesNotes(Vec<Note>);

impl SeriesNotes {
    pub(crate) fn add(&mut self, n: Note) {
        if !self.0.contains(&n) {
            self.0.push(n);
        }
    }

    /// Takes the notes out, leaving this sink empty.
    pub(crate) fn take(&mut self) -> Vec<Note> {
        std::mem::take(&mut self.0)
    }

    /// Hands the notes to the call's collection and empties this sink.
    pub(super) fn flush(&mut self, to: &Notes, labels: &Labels) {
        to.add(&self.0, labels);
        self.0.clear();
    }
}

/// `f` over a window that may hold histograms (floats-only windows included: a series whose
/// histograms are elsewhere in its range).
pub(super) fn apply_mixed(
    f: RangeFn,
    w: &HWindow<'_>,
    scratch: &mut Vec<f64>,
    notes: &mut SeriesNotes,
) -> Result<Option<Value>> {
    let (fl, hs) = (&w.floats, w.hists);
    if matches!(f, RangeFn::Rate | RangeFn::Increase) && (overlaps(fl.ts, fl.sts) || hist_overlaps(hs, w.hsts)) {
        notes.add(Note::StartOverlap);
    }
    if hs.is_empty() {
        return floats(f, fl, scratch);
    }
    let n_floats = fl.vals.len();
    Ok(match f {
        RangeFn::Rate | RangeFn::Increase | RangeFn::Delta => {
            if n_floats > 0 {
                notes.add(Note::MixedFloatsHistograms);
                return Ok(None);
            }
            let is_counter = f != RangeFn::Delta;
            histogram_extrapolated_rate(fl, hs, w.hsts, is_counter, f == RangeFn::Rate, notes).map(Value::Hist)
        }
        RangeFn::Irate | RangeFn::Idelta => instant_value(f, fl, hs, w.hsts, scratch, notes)?,
        RangeFn::Changes | RangeFn::Resets => {
            Some(Value::Float(changes_or_resets(f == RangeFn::Resets, fl, hs, w.hsts)))
        }
        RangeFn::Sum | RangeFn::Avg => {
            if n_floats > 0 {
                notes.add(Note::MixedFloatsHistograms);
                return Ok(None);
            }
            sum_histograms(hs, f == RangeFn::Avg, notes).map(Value::Hist)
        }
        RangeFn::Count => Some(Value::Float((n_floats + hs.len()) as f64)),
        RangeFn::Present => Some(Value::Float(1.0)),
        RangeFn::Last => match fl.ts.last() {
            Some(&t) if t > hs[hs.len() - 1].0 => Some(Value::Float(fl.vals[n_floats - 1])),
            _ => Some(Value::Hist(hs[hs.len() - 1].1.clone())),
        },
        RangeFn::First => match fl.ts.first() {
            Some(&t) if t < hs[0].0 => Some(Value::Float(fl.vals[0])),
            _ => Some(Value::Hist(hs[0].1.clone())),
        },
        RangeFn::TsFirst => {
            let t = fl.ts.first().map_or(hs[0].0, |&t| t.min(hs[0].0));
            Some(Value::Float(t as f64 / 1000.0))
        }
        RangeFn::TsLast => {
            let last = hs[hs.len() - 1].0;
            let t = fl.ts.last().map_or(last, |&t| t.max(last));
            Some(Value::Float(t as f64 / 1000.0))
        }
        // Float-only functions that need two floats: one float beside histograms is reported.
        RangeFn::Deriv | RangeFn::PredictLinear | RangeFn::Smoothing => {
            if n_floats >= 1 {
                notes.add(Note::IgnoredInMixedRange);
            }
            if n_floats < 2 { None } else { floats(f, fl, scratch)? }
        }
        // Float-only functions over any number of floats.
        RangeFn::Quantile
        | RangeFn::Stddev
        | RangeFn::Stdvar
        | RangeFn::Mad
        | RangeFn::Min
        | RangeFn::Max
        | RangeFn::TsMax
        | RangeFn::TsMin => {
            if n_floats == 0 {
                return Ok(None);
            }
            notes.add(Note::IgnoredInMixedRange);
            floats(f, fl, scratch)?
        }
    })
}

/// [`overlaps`] for histogram samples (no copy of their times when they have no starts).
fn hist_overlaps(hs: &[HPoint], hsts: &[Timestamp]) -> bool {
    !hsts.is_empty() && overlaps(&hs.iter().map(|h| h.0).collect::<Vec<_>>(), hsts)
}

/// The float function over the window's floats, if it has any.
fn floats(f: RangeFn, fl: &Window<'_>, scratch: &mut Vec<f64>) -> Result<Option<Value>> {
    if fl.vals.is_empty() {
        return Ok(None);
    }
    Ok(apply(f, fl, scratch)?.map(Value::Float))
}

/// `rate`, `increase` (counters) and `delta` (gauges) over a window of histograms only.
/// `hsts` are their start timestamps (empty: none): a counter that started inside the window
/// counts from an empty histogram at its start, and is not extrapolated towards the window's.
fn histogram_extrapolated_rate(
    fl: &Window<'_>,
    hs: &[HPoint],
    hsts: &[Timestamp],
    is_counter: bool,
    is_rate: bool,
    notes: &mut SeriesNotes,
) -> Option<Arc<FloatHistogram>> {
    let (first_t, last_t) = (hs[0].0, hs[hs.len() - 1].0);
    let from = if is_counter { started_inside(fl, first_t, hsts.first().copied()) } else { None };
    if hs.len() < 2 && from.is_none() {
        return None;
    }
    let result = histogram_rate(hs, hsts, is_counter, from.is_some(), notes)?;
    let factor = match from {
        Some(st) => from_start_factor(fl, st, first_t, last_t, hs.len() - 1, is_rate),
        None => {
            let first_count = hs[0].1.count;
            // A counter's zero point is extrapolated from the observation count.
            let zero = (is_counter && result.count > 0.0 && first_count >= 0.0).then_some((first_count, result.count));
            extrapolation_factor(fl, first_t, last_t, hs.len() - 1, is_counter, is_rate, zero)
        }
    };
    Some(Arc::new(result.mul(factor)))
}

/// The increase (or, for gauges, the difference) between the first and last histograms of a
/// window, before extrapolation: counter resets (by the histograms or by their start timestamps
/// `hsts`) add back the histogram before them, the result has the window's lowest schema and is
/// a gauge. `from_zero` counts the first histogram whole, as after a reset.
fn histogram_rate(
    hs: &[HPoint],
    hsts: &[Timestamp],
    is_counter: bool,
    from_zero: bool,
    notes: &mut SeriesNotes,
) -> Option<FloatHistogram> {
    let first = &hs[0].1;
    let last = &hs[hs.len() - 1].1;
    let gauge = |h: &FloatHistogram| h.counter_reset_hint == CounterResetHint::Gauge;
    if is_counter && (gauge(first) || gauge(last)) {
        notes.add(Note::NotCounter);
    }
    let ts: Vec<Timestamp> = if hsts.is_empty() { Vec::new() } else { hs.iter().map(|h| h.0).collect() };
    let reset =
        |i: usize, cur: &FloatHistogram, prev: &FloatHistogram| reset_at(&ts, hsts, i) || detect_reset(cur, prev);
    // After a reset between the first two samples the first one does not count, nor does its
    // layout: start from an empty histogram shaped like the second.
    let reset_first;
    let mut prev: &FloatHistogram = first;
    if is_counter && hs.len() > 1 && reset(1, &hs[1].1, first) {
        reset_first = FloatHistogram {
            schema: hs[1].1.schema,
            custom_values: hs[1].1.custom_values.clone(),
            ..FloatHistogram::default()
        };
        prev = &reset_first;
    }
    let custom = prev.uses_custom_buckets();
    if last.uses_custom_buckets() != custom {
        notes.add(Note::MixedExponentialCustom);
        return None;
    }
    let mut min_schema = last.schema.min(prev.schema);
    if is_counter {
        for (_, h) in &hs[1..hs.len().saturating_sub(1).max(1)] {
            if gauge(h) {
                notes.add(Note::NotCounter);
            }
            min_schema = min_schema.min(h.schema);
            if h.uses_custom_buckets() != custom {
                notes.add(Note::MixedExponentialCustom);
                return None;
            }
        }
    }
    let Ok(h) = last.reduce_resolution(min_schema) else {
        notes.add(Note::MixedExponentialCustom);
        return None;
    };
    let mut h = combine(&h, prev, false, Note::ReconciledSub, notes)?;
    if is_counter {
        for (i, (_, cur)) in hs.iter().enumerate().skip(1) {
            if reset(i, cur, prev) {
                h = combine(&h, prev, true, Note::ReconciledAdd, notes)?;
            }
            prev = cur;
        }
        if from_zero {
            h = combine(&h, first, true, Note::ReconciledAdd, notes)?;
        }
    } else if !gauge(first) || !gauge(last) {
        notes.add(Note::NotGauge);
    }
    h.counter_reset_hint = CounterResetHint::Gauge;
    Some(h.compact(0))
}

/// Whether `cur` follows a counter reset after `prev`. Custom-bucket histograms with
/// different bounds are first brought to the bounds they share, as Prometheus 3.x does.
pub(crate) fn detect_reset(cur: &FloatHistogram, prev: &FloatHistogram) -> bool {
    if cur.counter_reset_hint == CounterResetHint::Unknown
        && cur.uses_custom_buckets()
        && prev.uses_custom_buckets()
        && cur.custom_values != prev.custom_values
    {
        let bounds = cur.common_custom_bounds(prev);
        if let (Ok(c), Ok(p)) = (cur.with_custom_bounds(&bounds), prev.with_custom_bounds(&bounds)) {
            return c.detect_reset(&p);
        }
    }
    cur.detect_reset(prev)
}

/// `a + b` or `a - b`, reconciling different custom bounds (noted as `reconciled`); histograms
/// that cannot be combined give `None` with the mixed-schemas warning.
pub(crate) fn combine(
    a: &FloatHistogram,
    b: &FloatHistogram,
    add: bool,
    reconciled: Note,
    notes: &mut SeriesNotes,
) -> Option<FloatHistogram> {
    let op = |x: &FloatHistogram, y: &FloatHistogram| if add { x.add(y) } else { x.sub(y) };
    if a.uses_custom_buckets() && b.uses_custom_buckets() && a.custom_values != b.custom_values {
        let bounds = a.common_custom_bounds(b);
        let (x, y) = (a.with_custom_bounds(&bounds).ok()?, b.with_custom_bounds(&bounds).ok()?);
        notes.add(reconciled);
        return op(&x, &y).ok();
    }
    match op(a, b) {
        Ok(h) => Some(h),
        Err(_) => {
            notes.add(Note::MixedExponentialCustom);
            None
        }
    }
}

/// `irate`/`idelta`: the last two samples of the window, whichever their kinds.
fn instant_value(
    f: RangeFn,
    fl: &Window<'_>,
    hs: &[HPoint],
    hsts: &[Timestamp],
    scratch: &mut Vec<f64>,
    notes: &mut SeriesNotes,
) -> Result<Option<Value>> {
    let n_floats = fl.vals.len();
    if n_floats + hs.len() < 2 {
        return Ok(None);
    }
    // The timestamps of the last two samples and whether each is a histogram.
    let mut last: Vec<(Timestamp, bool)> = Vec::with_capacity(4);
    last.extend(fl.ts[n_floats.saturating_sub(2)..].iter().map(|&t| (t, false)));
    last.extend(hs[hs.len().saturating_sub(2)..].iter().map(|h| (h.0, true)));
    last.sort_by_key(|&(t, _)| t);
    let (t0, h0) = last[last.len() - 2];
    let (t1, h1) = last[last.len() - 1];
    if t1 == t0 {
        return Ok(None);
    }
    Ok(match (h0, h1) {
        (false, false) => apply(f, fl, scratch)?.map(Value::Float),
        (true, true) => {
            let (prev, cur) = (&hs[hs.len() - 2].1, &hs[hs.len() - 1].1);
            let gauge = |h: &FloatHistogram| h.counter_reset_hint == CounterResetHint::Gauge;
            let is_rate = f == RangeFn::Irate;
            if is_rate && (gauge(prev) || gauge(cur)) {
                notes.add(Note::NotCounter);
            }
            if !is_rate && (!gauge(prev) || !gauge(cur)) {
                notes.add(Note::NotGauge);
            }
            let i = hs.len() - 1;
            let start_reset = i < hsts.len() && super::starts::start_reset(hsts[i - 1], t0, hsts[i], t1);
            let mut h = if is_rate && (start_reset || detect_reset(cur, prev)) {
                FloatHistogram::clone(cur)
            } else {
                match combine(cur, prev, false, Note::ReconciledSub, notes) {
                    Some(h) => h,
                    None => return Ok(None),
                }
            };
            h.counter_reset_hint = CounterResetHint::Gauge;
            h = h.compact(0);
            if is_rate {
                h = h.div((t1 - t0) as f64 / 1000.0);
            }
            Some(Value::Hist(Arc::new(h)))
        }
        _ => {
            notes.add(Note::MixedFloatsHistograms);
            None
        }
    })
}

/// `changes` or `resets` over floats and histograms merged in time order; a change of kind
/// counts as both. `resets` also counts resets by start timestamp (`fl.sts`, `hsts`).
fn changes_or_resets(resets: bool, fl: &Window<'_>, hs: &[HPoint], hsts: &[Timestamp]) -> f64 {
    let (mut i, mut j) = (0, 0);
    // The previous sample: its value (float or histogram), time and start.
    type Seen<'h> = ((Option<f64>, Option<&'h FloatHistogram>), Timestamp, Timestamp);
    let mut prev: Option<Seen<'_>> = None;
    let mut n = 0u64;
    while i < fl.ts.len() || j < hs.len() {
        let (cur, t, st) = if j >= hs.len() || (i < fl.ts.len() && fl.ts[i] < hs[j].0) {
            i += 1;
            ((Some(fl.vals[i - 1]), None), fl.ts[i - 1], fl.sts.get(i - 1).copied().unwrap_or(0))
        } else {
            j += 1;
            ((None, Some(&*hs[j - 1].1)), hs[j - 1].0, hsts.get(j - 1).copied().unwrap_or(0))
        };
        if let Some((p, prev_t, prev_st)) = prev {
            let by_start = resets && super::starts::start_reset(prev_st, prev_t, st, t);
            let counted = match (p, cur) {
                ((Some(a), _), (Some(b), _)) => {
                    if resets {
                        b < a || by_start
                    } else {
                        b != a && !(a.is_nan() && b.is_nan())
                    }
                }
                ((_, Some(a)), (_, Some(b))) => {
                    if resets {
                        by_start || detect_reset(b, a)
                    } else {
                        !b.equals(a)
                    }
                }
                _ => true,
            };
            n += u64::from(counted);
        }
        prev = Some((cur, t, st));
    }
    n as f64
}

/// `sum_over_time` or `avg_over_time` of histograms, as Prometheus computes them: compensated
/// (Kahan) sums; the average divides the sum at the end unless the sum overflows, from where on
/// it keeps an incremental mean instead. Hints that disagree about counter resets are noted.
fn sum_histograms(hs: &[HPoint], avg: bool, notes: &mut SeriesNotes) -> Option<Arc<FloatHistogram>> {
    let (mut reset, mut not_reset) = (false, false);
    for (_, h) in hs {
        match h.counter_reset_hint {
            CounterResetHint::CounterReset => reset = true,
            CounterResetHint::NotCounterReset => not_reset = true,
            _ => {}
        }
    }
    if reset && not_reset {
        notes.add(Note::CounterResetCollision);
    }
    let mut acc = HistogramSum::new(&hs[0].1);
    let mut incremental = false;
    for (i, (_, h)) in hs.iter().enumerate().skip(1) {
        let added = if avg { acc.add_to_mean(h, (i + 1) as f64, &mut incremental) } else { acc.add(h) };
        if added.is_err() {
            notes.add(Note::MixedExponentialCustom);
            return None;
        }
    }
    if acc.reconciled() {
        notes.add(Note::ReconciledAgg);
    }
    let divisor = if avg && !incremental { hs.len() as f64 } else { 1.0 };
    let total = acc.finish(divisor);
    Some(Arc::new(total))
}
