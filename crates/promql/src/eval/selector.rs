//! Selectors: instant-vector lookback selection and the raw samples behind range vectors
//! (matrix selectors and subqueries).

use super::stats_hints::ResetHints;
use super::{Ctx, Grid, HStep, RangeSeries, Series, Val, parallel};
use crate::{Error, Result};
use std::sync::Arc;
use vigil_model::{FloatHistogram, Timestamp, is_stale_nan};
use vigil_promql_syntax::{Expr, VectorSelector};
use vigil_storage::{Cancel, ChunkIterator, SampleBudget, Samples, SelectHints};

/// What an instant selector yields per step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Mode {
    /// The sample value.
    Value,
    /// The sample timestamp in seconds (for `timestamp()`).
    Timestamp,
    /// The timestamp of float samples, histogram samples as they are: for `info()`, whose info
    /// series must be floats (it reports a histogram as an error).
    FloatTimestamp,
    /// The sample's start timestamp in seconds, `0` when unknown (for `start_timestamp()`).
    StartTimestamp,
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

impl<'a> Ctx<'a> {
    /// The series of `vs` with samples in `[mint, maxt]`, to be decoded chunk by chunk.
    pub(crate) fn select_lazy(
        &self,
        vs: &VectorSelector,
        mint: Timestamp,
        maxt: Timestamp,
    ) -> Result<Vec<vigil_storage::LazySeries<'a>>> {
        let hints = self.hints(mint, maxt);
        let querier: &'a dyn vigil_storage::Querier = self.querier;
        querier.select_lazy(&hints, &vs.matchers).map_err(|e| storage_error(&self.stop, e))
    }
}

impl Ctx<'_> {
    /// The samples of `vs` in `[mint, maxt]`, decoded at once (range vectors keep them all).
    pub(crate) fn select(
        &mut self,
        vs: &VectorSelector,
        mint: Timestamp,
        maxt: Timestamp,
    ) -> Result<vigil_storage::SeriesSet> {
        let hints = self.hints(mint, maxt);
        self.querier.select(&hints, &vs.matchers).map_err(|e| {
            self.select_over_budget |= matches!(e, vigil_storage::Error::TooManySamples);
            storage_error(&self.stop, e)
        })
    }

    fn hints(&self, mint: Timestamp, maxt: Timestamp) -> SelectHints {
        // The storage charges this budget per chunk before decoding, so a select can never
        // decode more than what the query has left of `max_samples` beside the samples it
        // already holds; the engine still accounts what it keeps with `add_samples`.
        let left = self.max_samples.saturating_sub(self.samples);
        let budget = SampleBudget::new(u64::try_from(left).unwrap_or(u64::MAX));
        let cancel = Cancel::new(self.stop.cancel.clone(), Some(self.stop.deadline));
        SelectHints { start: Some(mint), end: Some(maxt), budget, cancel, ..SelectHints::default() }
    }

    /// The newest non-stale sample in `(ref - lookback, ref]` for every step. Series are read
    /// lazily and consumed chunk by chunk, so only one decoded chunk per series being worked on
    /// is held, whatever the range of the query.
    pub(crate) fn eval_vector_selector(&mut self, vs: &VectorSelector, g: &Grid, mode: Mode) -> Result<Vec<Series>> {
        if vs.extended.is_some() && mode == Mode::Value {
            return self.eval_smoothed_selector(vs, g);
        }
        let at = self.resolve_at(vs.at);
        let first_ref = at.unwrap_or(g.start) - vs.offset_ms;
        let last_ref = at.unwrap_or(g.end()) - vs.offset_ms;
        let hints = self.hints(first_ref - self.lookback + 1, last_ref);
        let set = self.querier.select_lazy(&hints, &vs.matchers).map_err(|e| storage_error(&self.stop, e))?;
        let lookback = self.lookback;
        let offset = vs.offset_ms;
        // Samples are not known before decoding: estimate a few chunks' worth per series.
        let work = set.len() * (g.n + 256);
        let stop = self.stop.clone();
        // Samples are charged as each series is picked, not after all of them: a selection over
        // `--query.max-samples` stops with at most one series per thread beyond it allocated.
        let charge = self.shared_charge();
        let stats = self.stats_selectors.contains(vs);
        let picked = parallel::map_owned(set, work, Samples::default, |buf, s| {
            stop.check("vector selector")?;
            let mut chunks = s.chunks;
            let mut resets = stats.then(ResetHints::default);
            let (vals, has, count, hists) =
                pick_lookback(chunks.as_mut(), buf, g, (at, offset, lookback), mode, resets.as_mut())
                    .map_err(|e| storage_error(&stop, e))?;
            if count == 0 && hists.is_empty() {
                return Ok(None);
            }
            let mut picked = Series::from_dense(s.labels, vals, has, count);
            for (k, h) in hists {
                picked.set_hist(k, h);
            }
            charge.add(picked.cost())?;
            Ok(Some(picked))
        })?;
        let mut out = Vec::with_capacity(picked.len());
        for s in picked.into_iter().flatten() {
            self.add_samples(s.cost())?;
            self.counter.add_total(s.count() as u64);
            if let Some(steps) = self.counter.steps_mut() {
                s.points().for_each(|(k, _)| steps[k] += 1);
                s.hists().iter().for_each(|(k, _)| steps[*k] += 1);
            }
            out.push(s);
        }
        Ok(out)
    }

    /// Resolves a range-vector expression (matrix selector or subquery, maybe parenthesised).
    pub(crate) fn range_source(&mut self, e: &Expr, g: &Grid) -> Result<RangeSource> {
        match e.unparen() {
            Expr::MatrixSelector { vs, range_ms } => {
                if let Some(how) = vs.extended {
                    // Reached only outside the functions `eval_call` routes to `extended.rs`.
                    return Err(Error::Execution(format!(
                        "{} modifier can only be used with: {}",
                        how.as_str(),
                        how.functions().join(", ")
                    )));
                }
                let at = self.resolve_at(vs.at);
                let first_end = at.unwrap_or(g.start) - vs.offset_ms;
                let last_end = at.unwrap_or(g.end()) - vs.offset_ms;
                let set = self.select(vs, first_end - range_ms + 1, last_end)?;
                self.check("matrix selector")?;
                let stats = self.stats_selectors.contains(vs);
                // The decoded arrays become the range vector's as they are; only stale markers
                // are squeezed out, in place.
                let series = set
                    .into_iter()
                    .map(|mut s| {
                        if stats {
                            ResetHints::default().apply(&mut s.samples.histograms);
                        }
                        let mut rs = RangeSeries::from_samples(s.labels, false, s.samples);
                        rs.drop_stale();
                        rs
                    })
                    .collect();
                Ok(RangeSource { series, range_ms: *range_ms, offset_ms: vs.offset_ms, at })
            }
            Expr::Subquery(sq) => {
                let at = self.resolve_at(sq.at);
                let step = sq.step_ms.filter(|&s| s > 0).unwrap_or(self.default_subquery_step_ms);
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
                let inner_vector = match val {
                    Val::Vector(v) => v,
                    Val::Scalar(v) => vec![Series::full(vigil_model::Labels::empty(), v)],
                    _ => return Err(Error::Execution("subquery is only allowed on instant vectors".into())),
                };
                let series = inner_vector
                    .into_iter()
                    .map(|s| {
                        let (ts, vals) = s.points().map(|(k, v)| (inner.ts(k), v)).unzip();
                        let hists = s.hists().iter().map(|(k, h)| (inner.ts(*k), h.clone())).collect();
                        // Start timestamps do not survive a subquery, as in Prometheus.
                        RangeSeries {
                            labels: s.labels,
                            drop_name: s.drop_name,
                            ts,
                            vals,
                            hists,
                            sts: Vec::new(),
                            hsts: Vec::new(),
                        }
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
            let hlo = s.hists.partition_point(|h| h.0 <= start);
            let hhi = s.hists.partition_point(|h| h.0 <= end);
            if lo < hi || hlo < hhi {
                let cost: usize = s.hists[hlo..hhi].iter().map(|(_, h)| super::hist_cost(h)).sum();
                self.add_samples(hi - lo + cost)?;
                let n = (hi - lo + hhi - hlo) as u64;
                self.counter.add_total(n);
                if let Some(last) = self.counter.steps_mut().and_then(|s| s.last_mut()) {
                    *last += n;
                }
                s.retain_window(start, end);
                out.push(s);
            }
        }
        Ok(out)
    }
}

/// The engine's error for a storage error; a cancelled read says why through the engine's own
/// check (timeout or cancellation).
pub(crate) fn storage_error(stop: &parallel::Interrupt, e: vigil_storage::Error) -> Error {
    match e {
        vigil_storage::Error::TooManySamples => Error::TooManySamples,
        vigil_storage::Error::Cancelled => stop.check("selector").err().unwrap_or(Error::Canceled("selector")),
        e => e.into(),
    }
}

/// A sample value while the lookback walks: floats are copied, histograms shared.
#[derive(Clone)]
enum Picked {
    Float(f64),
    Hist(Arc<FloatHistogram>),
}

/// The values [`pick_lookback`] chose: dense floats (values, presence, number present) and the
/// histogram steps.
type Lookback = (Vec<f64>, Vec<bool>, usize, Vec<HStep>);

/// The newest non-stale sample in `(ref - lookback, ref]` of a series for every step of `g`,
/// reading its chunks in order into `buf` and stopping once every step is decided.
/// With `resets`, histograms get their counter-reset hints decided as they are read.
fn pick_lookback(
    chunks: &mut dyn ChunkIterator,
    buf: &mut Samples,
    g: &Grid,
    (at, offset, lookback): (Option<Timestamp>, i64, i64),
    mode: Mode,
    mut resets: Option<&mut ResetHints>,
) -> vigil_storage::Result<Lookback> {
    let mut vals = vec![0.0; g.n];
    let mut has = vec![false; g.n];
    let mut count = 0;
    let mut hists = Vec::new();
    let reference = |k: usize| at.unwrap_or(g.ts(k)) - offset;
    // The newest sample at or before the current step's reference time, over all chunks so far,
    // with its start timestamp.
    let mut prev: Option<(Timestamp, Picked, Timestamp)> = None;
    let mut decide = |k: usize, prev: &Option<(Timestamp, Picked, Timestamp)>| {
        let Some((t, v, st)) = prev else { return };
        if *t <= reference(k) - lookback {
            return;
        }
        match (v, mode) {
            (Picked::Float(v), _) if is_stale_nan(*v) => {}
            (Picked::Hist(h), _) if h.is_stale() => {}
            (Picked::Hist(h), Mode::FloatTimestamp) => hists.push((k, h.clone())),
            (_, Mode::StartTimestamp) => {
                has[k] = true;
                vals[k] = *st as f64 / 1000.0;
                count += 1;
            }
            (_, Mode::Timestamp | Mode::FloatTimestamp) => {
                has[k] = true;
                vals[k] = *t as f64 / 1000.0;
                count += 1;
            }
            (Picked::Float(v), Mode::Value) => {
                has[k] = true;
                vals[k] = *v;
                count += 1;
            }
            (Picked::Hist(h), Mode::Value) => hists.push((k, h.clone())),
        }
    };
    // Chunks holding histograms are walked over one merged list of both kinds.
    let mut merged: Merged = (Vec::new(), Vec::new(), Vec::new());
    let mut k = 0;
    'chunks: while k < g.n && chunks.next_chunk(buf)? {
        if let Some(r) = resets.as_deref_mut() {
            r.apply(&mut buf.histograms);
        }
        let ts: &[Timestamp] = if buf.histograms.is_empty() {
            &buf.timestamps
        } else {
            merge_kinds(buf, &mut merged);
            &merged.0
        };
        let value = |j: usize| {
            if buf.histograms.is_empty() { Picked::Float(buf.values[j]) } else { merged.1[j].clone() }
        };
        let start = |j: usize| if buf.histograms.is_empty() { buf.float_start(j) } else { merged.2[j] };
        let mut j = 0;
        while j < ts.len() {
            let r = reference(k);
            // A few linear steps, then binary search when steps are far apart compared to samples.
            let mut walked = 0;
            while walked < 8 && j < ts.len() && ts[j] <= r {
                j += 1;
                walked += 1;
            }
            if walked == 8 && j < ts.len() && ts[j] <= r {
                j += ts[j..].partition_point(|&t| t <= r);
            }
            if j > 0 && ts[j - 1] <= r {
                prev = Some((ts[j - 1], value(j - 1), start(j - 1)));
            }
            if j < ts.len() {
                // The next sample is after this step's reference: the step is decided.
                decide(k, &prev);
                k += 1;
                if k == g.n {
                    break 'chunks;
                }
            }
        }
    }
    for k in k..g.n {
        decide(k, &prev);
    }
    Ok((vals, has, count, hists))
}

/// Both kinds of samples of a chunk in time order: times, values, start timestamps.
type Merged = (Vec<Timestamp>, Vec<Picked>, Vec<Timestamp>);

/// The floats and histograms of `buf` in one time-ordered list.
fn merge_kinds(buf: &Samples, out: &mut Merged) {
    out.0.clear();
    out.1.clear();
    out.2.clear();
    let (mut f, mut h) = (0, 0);
    while f < buf.timestamps.len() || h < buf.histograms.len() {
        let float_first =
            h == buf.histograms.len() || (f < buf.timestamps.len() && buf.timestamps[f] <= buf.histograms[h].0);
        if float_first {
            out.0.push(buf.timestamps[f]);
            out.1.push(Picked::Float(buf.values[f]));
            out.2.push(buf.float_start(f));
            f += 1;
        } else {
            out.0.push(buf.histograms[h].0);
            out.1.push(Picked::Hist(buf.histograms[h].1.clone()));
            out.2.push(buf.histogram_start(h));
            h += 1;
        }
    }
}
