//! Functions over range vectors (`rate`, `*_over_time`, ...), evaluated for all steps with two
//! pointers over each series' samples.

use super::math::{Mean, kahan_inc, kahan_sum, quantile, variance};
use super::parallel::{self, Interrupt};
use super::selector::{RangeSource, storage_error};
use super::series::hist_cost;
use super::{Ctx, Grid, RangeSeries, Series};
use crate::{Error, Result};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use vigil_model::{Labels, Timestamp};
use vigil_promql_syntax::{Expr, VectorSelector};

pub(super) mod hist;
mod starts;

use hist::{HWindow, Notes, SeriesNotes, Value, apply_mixed};

/// A range function, resolved once before the step loop.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum RangeFn {
    Rate,
    Increase,
    Delta,
    Irate,
    Idelta,
    Deriv,
    PredictLinear,
    Changes,
    Resets,
    Avg,
    Min,
    Max,
    Sum,
    Count,
    Last,
    First,
    Present,
    Quantile,
    Stddev,
    Stdvar,
    Mad,
    Smoothing,
    TsFirst,
    TsLast,
    TsMax,
    TsMin,
}

impl RangeFn {
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "rate" => Self::Rate,
            "increase" => Self::Increase,
            "delta" => Self::Delta,
            "irate" => Self::Irate,
            "idelta" => Self::Idelta,
            "deriv" => Self::Deriv,
            "predict_linear" => Self::PredictLinear,
            "changes" => Self::Changes,
            "resets" => Self::Resets,
            "avg_over_time" => Self::Avg,
            "min_over_time" => Self::Min,
            "max_over_time" => Self::Max,
            "sum_over_time" => Self::Sum,
            "count_over_time" => Self::Count,
            "last_over_time" => Self::Last,
            "first_over_time" => Self::First,
            "present_over_time" => Self::Present,
            "quantile_over_time" => Self::Quantile,
            "stddev_over_time" => Self::Stddev,
            "stdvar_over_time" => Self::Stdvar,
            "mad_over_time" => Self::Mad,
            "double_exponential_smoothing" | "holt_winters" => Self::Smoothing,
            "ts_of_first_over_time" => Self::TsFirst,
            "ts_of_last_over_time" => Self::TsLast,
            "ts_of_max_over_time" => Self::TsMax,
            "ts_of_min_over_time" => Self::TsMin,
            _ => return None,
        })
    }

    /// Whether the result keeps `__name__` (Prometheus 3 keeps it for these two only).
    fn keeps_name(self) -> bool {
        matches!(self, Self::Last | Self::First)
    }
}

/// One window of one series at one step.
struct Window<'a> {
    ts: &'a [Timestamp],
    vals: &'a [f64],
    /// Start timestamps of the samples, or empty when the series has none.
    sts: &'a [Timestamp],
    /// Exclusive start and inclusive end of the window (ms).
    start: Timestamp,
    end: Timestamp,
    range_ms: i64,
    /// Counter resets inside the window (for the rate family's fast path).
    resets: usize,
    /// The step's evaluation time (ms).
    t: Timestamp,
    p0: f64,
    p1: f64,
}

impl Ctx<'_> {
    /// Evaluates a range function call over the grid.
    ///
    /// The raw samples of the whole grid's range are decoded at once; when they do not fit the
    /// sample budget although the windows would (`rate(x[5m])` over 24 h of many series), the
    /// grid is split in halves, each selecting only its own span, and the halves are joined.
    /// Prometheus counts only the windows, so such queries must not fail here.
    ///
    /// `offset` is where the call's first argument starts in the query, for annotations.
    pub(crate) fn eval_range_fn(&mut self, f: RangeFn, args: &[Expr], offset: usize, g: &Grid) -> Result<Vec<Series>> {
        let held = self.samples;
        self.select_over_budget = false;
        let notes = Notes::default();
        let result = self.eval_range_fn_whole(f, args, g, &notes);
        for (note, name) in notes.take() {
            match note.render(&name) {
                (true, msg) => self.warn_at_offset(&msg, offset),
                (false, msg) => self.info_at_offset(&msg, offset),
            }
        }
        match result {
            Err(Error::TooManySamples) if self.select_over_budget && g.n > 1 && splits_shrink(args) => {
                self.select_over_budget = false;
                self.samples = held;
                let half = g.n / 2;
                let left = self.eval_range_fn(f, args, offset, &Grid { start: g.start, step: g.step, n: half })?;
                let right =
                    self.eval_range_fn(f, args, offset, &Grid { start: g.ts(half), step: g.step, n: g.n - half })?;
                Ok(join_halves(left, right, half))
            }
            other => other,
        }
    }

    fn eval_range_fn_whole(&mut self, f: RangeFn, args: &[Expr], g: &Grid, notes: &Notes) -> Result<Vec<Series>> {
        // Scalar parameters per step, and which argument is the range vector.
        let (mat_idx, p0, p1) = match f {
            RangeFn::Quantile => {
                let q = self.eval_scalar(&args[0], g)?;
                if let Some(bad) = q.iter().find(|q| !(0.0..=1.0).contains(*q)) {
                    self.warn_at(
                        &format!(
                            "PromQL warning: quantile value should be between 0 and 1, got {}",
                            super::math::format_go_float(*bad)
                        ),
                        "quantile_over_time",
                    );
                }
                (1, Some(q), None)
            }
            RangeFn::PredictLinear => (0, Some(self.eval_scalar(&args[1], g)?), None),
            RangeFn::Smoothing => (0, Some(self.eval_scalar(&args[1], g)?), Some(self.eval_scalar(&args[2], g)?)),
            _ => (0, None, None),
        };
        let (p0, p1) = (p0.as_deref(), p1.as_deref());
        let results = match args[mat_idx].unparen() {
            Expr::MatrixSelector { vs, range_ms } if vs.extended.is_none() => {
                self.range_fn_series_by_series(f, vs, *range_ms, g, (p0, p1), notes)?
            }
            e => {
                let src = self.range_source(e, g)?;
                if self.counter.counts_windows() {
                    self.count_windows(&src, g);
                }
                let stop = self.stop.clone();
                let job = Job { f, src: &src, g, p0, p1, stop: &stop, notes };
                let work = src.series.iter().map(|s| s.ts.len()).sum::<usize>() + src.series.len() * g.n;
                // Each output series is charged as it is made, so a call over many sparse series
                // stops with at most one series per thread beyond the budget.
                let charge = self.shared_charge();
                parallel::map_ordered(&src.series, work, Scratch::default, |scratch, s| {
                    stop.check("range function")?;
                    let (series, max_window) = job.run(s, scratch)?;
                    if let Some(s) = &series {
                        charge.add(s.cost())?;
                    }
                    Ok((series, max_window))
                })?
            }
        };
        let mut out = Vec::with_capacity(results.len());
        let mut held = 0;
        for (series, max_window) in results {
            held += max_window;
            self.add_samples(max_window)?;
            out.extend(series);
        }
        self.release_samples(held);
        self.add_samples(super::vector_cost(&out))?;
        Ok(out)
    }
}

impl Ctx<'_> {
    /// A range function over a matrix selector, one series at a time: each series' range is
    /// decoded from its chunks, walked by the job and dropped before the next, so the call holds
    /// one series' raw samples per thread instead of every series' (charged while held, chunk by
    /// chunk before it is appended).
    fn range_fn_series_by_series(
        &mut self,
        f: RangeFn,
        vs: &VectorSelector,
        range_ms: i64,
        g: &Grid,
        (p0, p1): (Option<&[f64]>, Option<&[f64]>),
        notes: &Notes,
    ) -> Result<Vec<(Option<Series>, usize)>> {
        let at = self.resolve_at(vs.at);
        let first_end = at.unwrap_or(g.start) - vs.offset_ms;
        let last_end = at.unwrap_or(g.end()) - vs.offset_ms;
        let set = self.select_lazy(vs, first_end - range_ms + 1, last_end).inspect_err(|e| {
            self.select_over_budget |= matches!(e, Error::TooManySamples);
        })?;
        let src = RangeSource { series: Vec::new(), range_ms, offset_ms: vs.offset_ms, at };
        let stop = self.stop.clone();
        let job = Job { f, src: &src, g, p0, p1, stop: &stop, notes };
        // Samples are not known before decoding: estimate a few chunks' worth per series.
        let work = set.len() * (g.n + 256);
        let charge = self.shared_charge();
        // Set when the raw samples of the series in flight did not fit, so that evaluating
        // halves of the grid can help (see `eval_range_fn`).
        let input_over = AtomicBool::new(false);
        // Window statistics (`stats=all`, the query log), counted as each series passes.
        let counting = self.counter.counts_windows();
        let per_step = if counting { self.counter.steps_mut().map(|_| WindowCounts::new(g.n)) } else { None };
        let total = AtomicU64::new(0);
        let stats = self.stats_selectors.contains(vs);
        let results = parallel::map_owned(set, work, Scratch::default, |scratch, s| {
            stop.check("range function")?;
            let mut chunks = s.chunks;
            // The series is gathered into this thread's buffers, reused from series to series:
            // chunks are decoded straight onto their ends, nothing is allocated per series.
            let mut buf = std::mem::take(&mut scratch.series);
            buf.clear();
            let mut held = 0;
            let decoded = loop {
                let (f0, h0) = (buf.timestamps.len(), buf.histograms.len());
                match chunks.append_chunk(&mut buf, &mut scratch.chunk) {
                    Ok(true) => {}
                    Ok(false) => break Ok(()),
                    Err(e) => break Err(storage_error(&stop, e)),
                }
                let hists: usize = buf.histograms[h0..].iter().map(|(_, h)| hist_cost(h)).sum();
                let n = buf.timestamps.len() - f0 + hists;
                if let Err(e) = charge.add(n) {
                    input_over.store(true, Ordering::Relaxed);
                    break Err(e);
                }
                held += n;
            };
            drop(chunks);
            if stats {
                super::stats_hints::ResetHints::default().apply(&mut buf.histograms);
            }
            let mut rs = RangeSeries::from_samples(s.labels, false, buf);
            let result = decoded.and_then(|()| {
                rs.drop_stale();
                if counting {
                    total.fetch_add(window_counts(&rs.ts, &src, g, per_step.as_ref()), Ordering::Relaxed);
                }
                job.run(&rs, scratch)
            });
            scratch.series = rs.into_buffers();
            charge.release(held);
            let (series, max_window) = result?;
            if let Some(s) = &series {
                charge.add(s.cost())?;
            }
            Ok((series, max_window))
        });
        if input_over.load(Ordering::Relaxed) {
            self.select_over_budget = true;
        }
        // A failed attempt counts nothing: the halves of a split grid count their own windows.
        if counting && results.is_ok() {
            self.add_window_counts(total.into_inner(), per_step);
        }
        results
    }

    /// Adds the samples inside every step's window to the query statistics: two pointers per
    /// series, walked only when statistics or the query log ask for it.
    fn count_windows(&mut self, src: &RangeSource, g: &Grid) {
        let per_step = self.counter.steps_mut().map(|_| WindowCounts::new(g.n));
        let mut total = 0u64;
        for s in &src.series {
            total += window_counts(&s.ts, src, g, per_step.as_ref());
        }
        self.add_window_counts(total, per_step);
    }

    fn add_window_counts(&mut self, total: u64, per_step: Option<WindowCounts>) {
        self.counter.add_total(total);
        if let (Some(p), Some(steps)) = (per_step, self.counter.steps_mut()) {
            steps.iter_mut().zip(p.0).for_each(|(a, b)| *a += b.into_inner());
        }
    }
}

/// Per-step window sample counts, added to from worker threads.
struct WindowCounts(Vec<AtomicU64>);

impl WindowCounts {
    fn new(n: usize) -> Self {
        Self((0..n).map(|_| AtomicU64::new(0)).collect())
    }
}

/// The samples in every step's window of one series' sorted timestamps `ts`, in total, also
/// added per step to `per_step`.
fn window_counts(ts: &[Timestamp], src: &RangeSource, g: &Grid, per_step: Option<&WindowCounts>) -> u64 {
    let (mut lo, mut hi) = (0, 0);
    let mut total = 0;
    for k in 0..g.n {
        let end = src.window_end(g.ts(k));
        let start = end - src.range_ms;
        // Windows move forward with the steps unless `@` pins them; both pointers only advance,
        // so a pinned window is found at the first step and kept.
        while hi < ts.len() && ts[hi] <= end {
            hi += 1;
        }
        while lo < hi && ts[lo] <= start {
            lo += 1;
        }
        let n = (hi - lo) as u64;
        total += n;
        if let Some(p) = per_step
            && n > 0
        {
            p.0[k].fetch_add(n, Ordering::Relaxed);
        }
    }
    total
}

/// Per-thread scratch space of [`Job::run`].
#[derive(Default)]
struct Scratch {
    /// Working space of [`vigil_storage::ChunkIterator::append_chunk`].
    chunk: vigil_storage::Samples,
    /// The series being gathered by series-by-series evaluation.
    series: vigil_storage::Samples,
    resets: Vec<u32>,
    vals: Vec<f64>,
    deque: VecDeque<usize>,
}

/// One range function call, evaluated series by series (possibly on several threads).
struct Job<'a> {
    f: RangeFn,
    src: &'a RangeSource,
    g: &'a Grid,
    p0: Option<&'a [f64]>,
    p1: Option<&'a [f64]>,
    /// Checked every [`CHECK_EVERY`] samples of window work: one series over a long range can
    /// take seconds (`quantile_over_time(0.5, x[3d:1s])` over 10,000 steps).
    stop: &'a Interrupt,
    /// Annotations raised by series with histograms.
    notes: &'a Notes,
}

/// Window samples walked between two deadline and cancellation checks (a check costs one
/// `Instant::now()`, tens of nanoseconds; 64k samples take well under a millisecond).
const CHECK_EVERY: usize = 1 << 16;

impl Job<'_> {
    /// The function over every step for one series: the output series (if any step has a value)
    /// and the most samples held in one window.
    fn run(&self, s: &RangeSeries, scratch: &mut Scratch) -> Result<(Option<Series>, usize)> {
        if !s.hists.is_empty() || s.has_starts() {
            return self.run_with_hists(s, scratch);
        }
        if s.ts.is_empty() {
            return Ok((None, 0));
        }
        let (f, g, src) = (self.f, self.g, self.src);
        // Dense arrays in the step loop, trimmed to the span once done.
        let mut out = Dense { vals: vec![0.0; g.n], has: vec![false; g.n], count: 0 };
        let max_window = match f {
            RangeFn::Min | RangeFn::Max => self.run_extremum(s, &mut out, &mut scratch.deque)?,
            _ => {
                let needs_resets = matches!(f, RangeFn::Rate | RangeFn::Increase);
                let resets = &mut scratch.resets;
                if needs_resets {
                    resets.clear();
                    let mut n = 0u32;
                    resets.push(0);
                    for w in s.vals.windows(2) {
                        if w[1] < w[0] {
                            n += 1;
                        }
                        resets.push(n);
                    }
                }
                let (mut lo, mut hi) = (0usize, 0usize);
                let mut max_window = 0;
                let mut since_check = 0;
                for k in 0..g.n {
                    let t = g.ts(k);
                    let end = src.window_end(t);
                    let start = end - src.range_ms;
                    while hi < s.ts.len() && s.ts[hi] <= end {
                        hi += 1;
                    }
                    while lo < hi && s.ts[lo] <= start {
                        lo += 1;
                    }
                    if lo >= hi {
                        continue;
                    }
                    max_window = max_window.max(hi - lo);
                    since_check += hi - lo;
                    if since_check >= CHECK_EVERY {
                        since_check = 0;
                        self.stop.check("range function")?;
                    }
                    let w = Window {
                        ts: &s.ts[lo..hi],
                        vals: &s.vals[lo..hi],
                        sts: &[],
                        start,
                        end,
                        range_ms: src.range_ms,
                        resets: if needs_resets { (resets[hi - 1] - resets[lo]) as usize } else { 0 },
                        t,
                        p0: self.p0.map_or(0.0, |p| p[k]),
                        p1: self.p1.map_or(0.0, |p| p[k]),
                    };
                    if let Some(v) = apply(f, &w, &mut scratch.vals)? {
                        out.set(k, v);
                    }
                }
                max_window
            }
        };
        if out.count == 0 {
            return Ok((None, max_window));
        }
        let mut series = Series::from_dense(s.labels.clone(), out.vals, out.has, out.count);
        series.drop_name = s.drop_name || !f.keeps_name();
        Ok((Some(series), max_window))
    }

    /// The function over every step for a series with histograms: two pointers per kind, each
    /// window given to [`apply_mixed`]; the most held in one window counts histograms by cost.
    fn run_with_hists(&self, s: &RangeSeries, scratch: &mut Scratch) -> Result<(Option<Series>, usize)> {
        let (f, g, src) = (self.f, self.g, self.src);
        let mut out = Dense { vals: vec![0.0; g.n], has: vec![false; g.n], count: 0 };
        let mut hists = Vec::new();
        let mut notes = SeriesNotes::default();
        // Costs of the histograms before each one, for the cost of a window in O(1).
        let mut before = Vec::with_capacity(s.hists.len() + 1);
        before.push(0usize);
        for (_, h) in &s.hists {
            before.push(before[before.len() - 1] + hist_cost(h));
        }
        let (mut lo, mut hi, mut hlo, mut hhi) = (0usize, 0usize, 0usize, 0usize);
        let (mut max_window, mut since_check) = (0, 0);
        for k in 0..g.n {
            let t = g.ts(k);
            let end = src.window_end(t);
            let start = end - src.range_ms;
            while hi < s.ts.len() && s.ts[hi] <= end {
                hi += 1;
            }
            while lo < hi && s.ts[lo] <= start {
                lo += 1;
            }
            while hhi < s.hists.len() && s.hists[hhi].0 <= end {
                hhi += 1;
            }
            while hlo < hhi && s.hists[hlo].0 <= start {
                hlo += 1;
            }
            if lo >= hi && hlo >= hhi {
                continue;
            }
            max_window = max_window.max(hi - lo + before[hhi] - before[hlo]);
            since_check += hi - lo + hhi - hlo;
            if since_check >= CHECK_EVERY {
                since_check = 0;
                self.stop.check("range function")?;
            }
            let w = HWindow {
                floats: Window {
                    ts: &s.ts[lo..hi],
                    vals: &s.vals[lo..hi],
                    sts: if s.sts.is_empty() { &[] } else { &s.sts[lo..hi] },
                    start,
                    end,
                    range_ms: src.range_ms,
                    // Makes the rate family check every pair for resets.
                    resets: 1,
                    t,
                    p0: self.p0.map_or(0.0, |p| p[k]),
                    p1: self.p1.map_or(0.0, |p| p[k]),
                },
                hists: &s.hists[hlo..hhi],
                hsts: if s.hsts.is_empty() { &[] } else { &s.hsts[hlo..hhi] },
            };
            match apply_mixed(f, &w, &mut scratch.vals, &mut notes)? {
                Some(Value::Float(v)) => out.set(k, v),
                Some(Value::Hist(h)) => hists.push((k, h)),
                None => {}
            }
        }
        notes.flush(self.notes, &s.labels);
        if out.count == 0 && hists.is_empty() {
            return Ok((None, max_window));
        }
        let mut series = if out.count > 0 {
            Series::from_dense(s.labels.clone(), out.vals, out.has, out.count)
        } else {
            Series::new(s.labels.clone())
        };
        for (k, h) in hists {
            series.set_hist(k, h);
        }
        series.drop_name = s.drop_name || !f.keeps_name();
        Ok((Some(series), max_window))
    }

    /// `min_over_time`/`max_over_time` in O(1) amortized per step: a monotonic deque of the
    /// window's non-NaN samples, earliest first among equals (the sample Prometheus' scan keeps).
    /// A window of only NaNs gives NaN, as the scan does.
    fn run_extremum(&self, s: &RangeSeries, out: &mut Dense, deque: &mut VecDeque<usize>) -> Result<usize> {
        let (g, src) = (self.g, self.src);
        let is_max = self.f == RangeFn::Max;
        // Whether `a` (earlier) is dominated by the newer `b`.
        let dominated = |a: f64, b: f64| if is_max { a < b } else { a > b };
        deque.clear();
        let (mut lo, mut hi) = (0usize, 0usize);
        let mut max_window = 0;
        for k in 0..g.n {
            // O(1) amortized per step: count steps, not window samples.
            if k % CHECK_EVERY == CHECK_EVERY - 1 {
                self.stop.check("range function")?;
            }
            let end = src.window_end(g.ts(k));
            let start = end - src.range_ms;
            while hi < s.ts.len() && s.ts[hi] <= end {
                let v = s.vals[hi];
                if !v.is_nan() {
                    while deque.back().is_some_and(|&b| dominated(s.vals[b], v)) {
                        deque.pop_back();
                    }
                    deque.push_back(hi);
                }
                hi += 1;
            }
            while lo < hi && s.ts[lo] <= start {
                lo += 1;
            }
            while deque.front().is_some_and(|&i| i < lo) {
                deque.pop_front();
            }
            if lo >= hi {
                continue;
            }
            max_window = max_window.max(hi - lo);
            out.set(k, deque.front().map_or(f64::NAN, |&i| s.vals[i]));
        }
        Ok(max_window)
    }
}

/// One output series over the whole grid while its steps are computed.
struct Dense {
    vals: Vec<f64>,
    has: Vec<bool>,
    count: usize,
}

impl Dense {
    /// Sets step `k`, which each step loop visits once.
    #[inline]
    fn set(&mut self, k: usize, v: f64) {
        self.vals[k] = v;
        self.has[k] = true;
        self.count += 1;
    }
}

fn apply(f: RangeFn, w: &Window<'_>, scratch: &mut Vec<f64>) -> Result<Option<f64>> {
    let n = w.vals.len();
    let last = w.vals[n - 1];
    Ok(match f {
        RangeFn::Rate | RangeFn::Increase if !w.sts.is_empty() => starts::counter_rate(w, f == RangeFn::Rate),
        RangeFn::Rate => extrapolated_rate(w, true, true),
        RangeFn::Increase => extrapolated_rate(w, true, false),
        RangeFn::Delta => extrapolated_rate(w, false, false),
        RangeFn::Irate | RangeFn::Idelta => {
            if n < 2 {
                return Ok(None);
            }
            let prev = w.vals[n - 2];
            let dt = (w.ts[n - 1] - w.ts[n - 2]) as f64 / 1000.0;
            if f == RangeFn::Idelta {
                Some(last - prev)
            } else if dt == 0.0 {
                None
            } else {
                let reset = last < prev || starts::reset_at(w.ts, w.sts, n - 1);
                let dv = if reset { last } else { last - prev };
                Some(dv / dt)
            }
        }
        RangeFn::Deriv => {
            if n < 2 {
                return Ok(None);
            }
            Some(linear_regression(w.ts, w.vals, w.ts[0]).0)
        }
        RangeFn::PredictLinear => {
            if n < 2 {
                return Ok(None);
            }
            let (slope, intercept) = linear_regression(w.ts, w.vals, w.t);
            Some(intercept + slope * w.p0)
        }
        RangeFn::Changes => {
            let mut c = 0.0;
            for p in w.vals.windows(2) {
                if p[1] != p[0] && !(p[1].is_nan() && p[0].is_nan()) {
                    c += 1.0;
                }
            }
            Some(c)
        }
        RangeFn::Resets => {
            Some((1..n).filter(|&i| w.vals[i] < w.vals[i - 1] || starts::reset_at(w.ts, w.sts, i)).count() as f64)
        }
        RangeFn::Avg => {
            let mut m = Mean::default();
            w.vals.iter().for_each(|&v| m.add(v));
            Some(m.get())
        }
        RangeFn::Min | RangeFn::Max => {
            let mut acc = w.vals[0];
            for &v in &w.vals[1..] {
                let better = if f == RangeFn::Min { v < acc } else { v > acc };
                if better || acc.is_nan() {
                    acc = v;
                }
            }
            Some(acc)
        }
        RangeFn::Sum => Some(kahan_sum(w.vals)),
        RangeFn::Count => Some(n as f64),
        RangeFn::Last => Some(last),
        RangeFn::First => Some(w.vals[0]),
        RangeFn::Present => Some(1.0),
        RangeFn::Quantile => {
            scratch.clear();
            scratch.extend_from_slice(w.vals);
            Some(quantile(w.p0, scratch))
        }
        RangeFn::Stdvar => Some(variance(w.vals)),
        RangeFn::Stddev => Some(variance(w.vals).sqrt()),
        RangeFn::Mad if w.vals.iter().any(|v| v.is_nan()) => Some(f64::NAN),
        RangeFn::Mad => {
            scratch.clear();
            scratch.extend_from_slice(w.vals);
            let median = quantile(0.5, scratch);
            scratch.iter_mut().for_each(|v| *v = (*v - median).abs());
            Some(quantile(0.5, scratch))
        }
        RangeFn::Smoothing => smoothing(w)?,
        RangeFn::TsFirst => Some(w.ts[0] as f64 / 1000.0),
        RangeFn::TsLast => Some(w.ts[n - 1] as f64 / 1000.0),
        RangeFn::TsMax | RangeFn::TsMin => {
            let mut best = 0;
            for i in 1..n {
                let (v, b) = (w.vals[i], w.vals[best]);
                let better = if f == RangeFn::TsMax { v >= b } else { v <= b };
                if better || b.is_nan() {
                    best = i;
                }
            }
            Some(w.ts[best] as f64 / 1000.0)
        }
    })
}

/// `rate`, `increase` and `delta` with Prometheus' extrapolation to the window boundaries.
fn extrapolated_rate(w: &Window<'_>, is_counter: bool, is_rate: bool) -> Option<f64> {
    let n = w.vals.len();
    if n < 2 {
        return None;
    }
    let first = w.vals[0];
    let mut result = w.vals[n - 1] - first;
    if is_counter && w.resets > 0 {
        let mut prev = first;
        for &v in &w.vals[1..] {
            if v < prev {
                result += prev;
            }
            prev = v;
        }
    }
    let zero = (is_counter && result > 0.0 && first >= 0.0).then_some((first, result));
    Some(result * extrapolation_factor(w, w.ts[0], w.ts[n - 1], n - 1, is_counter, is_rate, zero))
}

/// The factor that extrapolates an increase between samples at `first_t` and `last_t` (with
/// `intervals` gaps between them) to the window's boundaries, by Prometheus' rules: to a
/// boundary when the samples reach close to it, else half an average gap; a counter stops at
/// its extrapolated zero point (`zero` is the first value and the increase, both positive).
///
/// Worked in milliseconds with two divisions on the common path (this runs at every step of
/// every series; chained divisions were most of its time): the result differs from Prometheus'
/// seconds-based arithmetic only in the last bits.
#[inline]
fn extrapolation_factor(
    w: &Window<'_>,
    first_t: Timestamp,
    last_t: Timestamp,
    intervals: usize,
    is_counter: bool,
    is_rate: bool,
    zero: Option<(f64, f64)>,
) -> f64 {
    let sampled = (last_t - first_t) as f64;
    let mut to_start = (first_t - w.start) as f64;
    let mut to_end = (w.end - last_t) as f64;
    let avg_step = sampled / intervals as f64;
    let threshold = avg_step * 1.1;
    if to_start >= threshold {
        to_start = avg_step / 2.0;
    }
    if is_counter
        && let Some((first, increase)) = zero
        && sampled * first < to_start * increase
    {
        // The zero point, `sampled * first / increase` before the first sample, is nearer.
        to_start = sampled * first / increase;
    }
    if to_end >= threshold {
        to_end = avg_step / 2.0;
    }
    let span = if is_rate { sampled * (w.range_ms as f64 / 1000.0) } else { sampled };
    (sampled + to_start + to_end) / span
}

/// Least-squares fit with times in seconds relative to `intercept_t`; returns (slope, intercept).
pub(crate) fn linear_regression(ts: &[Timestamp], vals: &[f64], intercept_t: Timestamp) -> (f64, f64) {
    let (mut n, mut sx, mut cx, mut sy, mut cy, mut sxy, mut cxy, mut sx2, mut cx2) =
        (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    let init = vals[0];
    let mut constant = true;
    for (i, (&t, &v)) in ts.iter().zip(vals).enumerate() {
        if constant && i > 0 && v != init {
            constant = false;
        }
        n += 1.0;
        let x = (t - intercept_t) as f64 / 1000.0;
        (sx, cx) = kahan_inc(x, sx, cx);
        (sy, cy) = kahan_inc(v, sy, cy);
        (sxy, cxy) = kahan_inc(x * v, sxy, cxy);
        (sx2, cx2) = kahan_inc(x * x, sx2, cx2);
    }
    if constant {
        if init.is_infinite() {
            return (f64::NAN, f64::NAN);
        }
        return (0.0, init);
    }
    let (sx, sy, sxy, sx2) = (sx + cx, sy + cy, sxy + cxy, sx2 + cx2);
    let cov = sxy - sx * sy / n;
    let var = sx2 - sx * sx / n;
    let slope = cov / var;
    (slope, sy / n - slope * sx / n)
}

/// `double_exponential_smoothing` (formerly `holt_winters`).
fn smoothing(w: &Window<'_>) -> Result<Option<f64>> {
    let (sf, tf) = (w.p0, w.p1);
    if !(sf > 0.0 && sf < 1.0) {
        return Err(Error::Execution(format!("invalid smoothing factor. Expected: 0 < sf < 1, got: {sf}")));
    }
    if !(tf > 0.0 && tf < 1.0) {
        return Err(Error::Execution(format!("invalid trend factor. Expected: 0 < tf < 1, got: {tf}")));
    }
    let v = w.vals;
    if v.len() < 2 {
        return Ok(None);
    }
    let (mut s0, mut s1, mut b) = (0.0, v[0], v[1] - v[0]);
    for (i, &x) in v.iter().enumerate().skip(1) {
        let xs = sf * x;
        if i > 1 {
            b = tf * (s1 - s0) + (1.0 - tf) * b;
        }
        let y = (1.0 - sf) * (s1 + b);
        s0 = s1;
        s1 = xs + y;
    }
    Ok(Some(s1))
}

/// Whether evaluating a range function over part of the grid selects less: not when its range
/// argument is pinned by `@`.
fn splits_shrink(args: &[Expr]) -> bool {
    args.iter().all(|a| match a.unparen() {
        Expr::MatrixSelector { vs, .. } => vs.at.is_none(),
        Expr::Subquery(sq) => sq.at.is_none(),
        _ => true,
    })
}

/// Joins the results over the first `half` steps and over the rest.
fn join_halves(left: Vec<Series>, right: Vec<Series>, half: usize) -> Vec<Series> {
    let mut out: Vec<Series> = Vec::with_capacity(left.len().max(right.len()));
    let mut index: std::collections::HashMap<(Labels, bool), usize> = std::collections::HashMap::new();
    for (part, offset) in [(left, 0), (right, half)] {
        for s in part {
            let i = *index.entry((s.labels.clone(), s.drop_name)).or_insert_with(|| {
                let mut joined = Series::new(s.labels.clone());
                joined.drop_name = s.drop_name;
                out.push(joined);
                out.len() - 1
            });
            out[i].merge(&s, offset);
        }
    }
    out
}

#[cfg(test)]
mod tests;
