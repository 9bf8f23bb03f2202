//! Selectors: instant-vector lookback selection and the raw samples behind range vectors
//! (matrix selectors and subqueries).

use super::{Ctx, DEFAULT_SUBQUERY_STEP_MS, Grid, RangeSeries, Series, Val, parallel};
use crate::{Error, Result};
use vigil_model::{Timestamp, is_stale_nan};
use vigil_promql_syntax::{Expr, VectorSelector};
use vigil_storage::{Cancel, SampleBudget, SelectHints};

/// What an instant selector yields per step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Mode {
    /// The sample value.
    Value,
    /// The sample timestamp in seconds (for `timestamp()`).
    Timestamp,
}

/// The samples of a range-vector expression plus how to window them per step.
pub(crate) struct RangeSource {
    pub series: Vec<RangeSeries>,
    pub range_ms: i64,
    pub offset_ms: i64,
    pub at: Option<Timestamp>,
}

impl RangeSource {
    /// The end of the window (inclusive) for the step at `t`.
    #[inline]
    pub fn window_end(&self, t: Timestamp) -> Timestamp {
        self.at.unwrap_or(t) - self.offset_ms
    }
}

impl Ctx<'_> {
    fn select(&mut self, vs: &VectorSelector, mint: Timestamp, maxt: Timestamp) -> Result<vigil_storage::SeriesSet> {
        // The storage charges this budget per series before decoding, so one select can never
        // decode more than `max_samples` samples into memory; the engine still accounts what it
        // keeps with `add_samples`.
        let budget = SampleBudget::new(u64::try_from(self.max_samples).unwrap_or(u64::MAX));
        let cancel = Cancel::new(self.stop.cancel.clone(), Some(self.stop.deadline));
        let hints = SelectHints { start: Some(mint), end: Some(maxt), budget, cancel, ..SelectHints::default() };
        match self.querier.select(&hints, &vs.matchers) {
            Ok(set) => Ok(set),
            Err(vigil_storage::Error::TooManySamples) => Err(Error::TooManySamples),
            Err(vigil_storage::Error::Cancelled) => {
                // The storage does not say why; the engine's own check does.
                self.check("selector")?;
                Err(Error::Canceled("selector"))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The newest non-stale sample in `(ref - lookback, ref]` for every step.
    pub(crate) fn eval_vector_selector(&mut self, vs: &VectorSelector, g: &Grid, mode: Mode) -> Result<Vec<Series>> {
        let at = self.resolve_at(vs.at);
        let first_ref = at.unwrap_or(g.start) - vs.offset_ms;
        let last_ref = at.unwrap_or(g.end()) - vs.offset_ms;
        let set = self.select(vs, first_ref - self.lookback + 1, last_ref)?;
        let lookback = self.lookback;
        let offset = vs.offset_ms;
        let work = set.iter().map(|s| s.samples.len()).sum::<usize>() + set.len() * g.n;
        let stop = self.stop.clone();
        let picked = parallel::map_ordered(
            &set,
            work,
            || (),
            |(), s| {
                stop.check("vector selector")?;
                Ok(pick_lookback(s, g, at, offset, lookback, mode))
            },
        )?;
        let mut out = Vec::with_capacity(set.len());
        for (s, (vals, has, count)) in set.into_iter().zip(picked) {
            if count > 0 {
                self.add_samples(count)?;
                self.counter.add_total(count as u64);
                if let Some(steps) = self.counter.steps_mut() {
                    steps.iter_mut().zip(&has).for_each(|(n, &h)| *n += u64::from(h));
                }
                out.push(Series { labels: s.labels, drop_name: false, vals, has });
            }
        }
        Ok(out)
    }

    /// Resolves a range-vector expression (matrix selector or subquery, maybe parenthesised).
    pub(crate) fn range_source(&mut self, e: &Expr, g: &Grid) -> Result<RangeSource> {
        match e.unparen() {
            Expr::MatrixSelector { vs, range_ms } => {
                let at = self.resolve_at(vs.at);
                let first_end = at.unwrap_or(g.start) - vs.offset_ms;
                let last_end = at.unwrap_or(g.end()) - vs.offset_ms;
                let set = self.select(vs, first_end - range_ms + 1, last_end)?;
                self.check("matrix selector")?;
                // The decoded arrays become the range vector's as they are; only stale markers
                // are squeezed out, in place.
                let series = set
                    .into_iter()
                    .map(|s| {
                        let (mut ts, mut vals) = (s.samples.timestamps, s.samples.values);
                        drop_stale(&mut ts, &mut vals);
                        RangeSeries { labels: s.labels, drop_name: false, ts, vals }
                    })
                    .collect();
                Ok(RangeSource { series, range_ms: *range_ms, offset_ms: vs.offset_ms, at })
            }
            Expr::Subquery(sq) => {
                let at = self.resolve_at(sq.at);
                let step = sq.step_ms.filter(|&s| s > 0).unwrap_or(DEFAULT_SUBQUERY_STEP_MS);
                let first_end = at.unwrap_or(g.start) - sq.offset_ms;
                let last_end = at.unwrap_or(g.end()) - sq.offset_ms;
                let lo = first_end - sq.range_ms;
                // Align inner steps to multiples of the step; the window is left-open.
                let mut start = step * (lo / step);
                if start <= lo {
                    start += step;
                }
                if start > last_end {
                    return Ok(RangeSource { series: Vec::new(), range_ms: sq.range_ms, offset_ms: sq.offset_ms, at });
                }
                // Every inner step holds at least one value: count the steps as samples before
                // the inner grid is allocated, so `x[10y:1ms]` fails at once instead of growing.
                let n = usize::try_from((last_end - start) / step + 1).unwrap_or(usize::MAX);
                self.add_samples(n)?;
                let inner = Grid { start, step, n };
                self.counter.subquery_depth += 1;
                let val = self.eval(&sq.expr, &inner);
                self.counter.subquery_depth -= 1;
                self.release_samples(n);
                let val = val?;
                let dense = match val {
                    Val::Vector(v) => v,
                    Val::Scalar(v) => {
                        let mut s = Series::empty(vigil_model::Labels::empty(), n);
                        s.vals = v;
                        s.has = vec![true; n];
                        vec![s]
                    }
                    _ => return Err(Error::Execution("subquery is only allowed on instant vectors".into())),
                };
                let series = dense
                    .into_iter()
                    .map(|s| {
                        let mut rs =
                            RangeSeries { labels: s.labels, drop_name: s.drop_name, ts: Vec::new(), vals: Vec::new() };
                        for k in 0..n {
                            if s.has[k] {
                                rs.ts.push(inner.ts(k));
                                rs.vals.push(s.vals[k]);
                            }
                        }
                        rs
                    })
                    .collect();
                Ok(RangeSource { series, range_ms: sq.range_ms, offset_ms: sq.offset_ms, at })
            }
            _ => Err(Error::Execution("expected a range vector".into())),
        }
    }

    /// A range-vector expression evaluated at the last step of `g` (instant queries only).
    pub(crate) fn eval_matrix_at_end(&mut self, e: &Expr, g: &Grid) -> Result<Vec<RangeSeries>> {
        let src = self.range_source(e, g)?;
        let end = src.window_end(g.end());
        let start = end - src.range_ms;
        let mut out = Vec::new();
        for mut s in src.series {
            let lo = s.ts.partition_point(|&t| t <= start);
            let hi = s.ts.partition_point(|&t| t <= end);
            if lo < hi {
                self.add_samples(hi - lo)?;
                self.counter.add_total((hi - lo) as u64);
                if let Some(last) = self.counter.steps_mut().and_then(|s| s.last_mut()) {
                    *last += (hi - lo) as u64;
                }
                s.ts = s.ts[lo..hi].to_vec();
                s.vals = s.vals[lo..hi].to_vec();
                out.push(s);
            }
        }
        Ok(out)
    }
}

/// Removes stale markers from parallel sample arrays, keeping order.
fn drop_stale(ts: &mut Vec<Timestamp>, vals: &mut Vec<f64>) {
    let Some(first) = vals.iter().position(|&v| is_stale_nan(v)) else { return };
    let mut w = first;
    for r in first + 1..vals.len() {
        if !is_stale_nan(vals[r]) {
            ts[w] = ts[r];
            vals[w] = vals[r];
            w += 1;
        }
    }
    ts.truncate(w);
    vals.truncate(w);
}

/// The newest non-stale sample in `(ref - lookback, ref]` of `s` for every step of `g`, as
/// (values, presence, number present).
fn pick_lookback(
    s: &vigil_storage::Series,
    g: &Grid,
    at: Option<Timestamp>,
    offset: i64,
    lookback: i64,
    mode: Mode,
) -> (Vec<f64>, Vec<bool>, usize) {
    let (ts, vs) = (&s.samples.timestamps, &s.samples.values);
    let mut vals = vec![0.0; g.n];
    let mut has = vec![false; g.n];
    let mut j = 0;
    let mut count = 0;
    for k in 0..g.n {
        let r = at.unwrap_or(g.ts(k)) - offset;
        // A few linear steps, then binary search when steps are far apart compared to samples.
        let mut walked = 0;
        while walked < 8 && j < ts.len() && ts[j] <= r {
            j += 1;
            walked += 1;
        }
        if walked == 8 && j < ts.len() && ts[j] <= r {
            j += ts[j..].partition_point(|&t| t <= r);
        }
        if j > 0 && ts[j - 1] > r - lookback && !is_stale_nan(vs[j - 1]) {
            has[k] = true;
            vals[k] = match mode {
                Mode::Value => vs[j - 1],
                Mode::Timestamp => ts[j - 1] as f64 / 1000.0,
            };
            count += 1;
        }
    }
    (vals, has, count)
}
