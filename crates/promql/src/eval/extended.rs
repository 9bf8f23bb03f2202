//! The extended range selectors of Prometheus 3.x (`promql-extended-range-selectors`).
//!
//! * `x[r] anchored` for `changes`, `delta`, `increase`, `rate`, `resets`: the window
//!   `(t - r, t]` also takes the newest sample at or before its start (no older than the
//!   lookback delta) as its first point, and nothing is extrapolated; one sample is enough.
//! * `x[r] smoothed` for `delta`, `increase`, `rate`: the values at both edges of the window are
//!   interpolated linearly between the samples around them (counters first corrected for
//!   resets), and the result is their difference (over `r` for `rate`).
//! * `x smoothed`: the value at each step interpolated between the newest sample at or before
//!   it and the next one.
//!
//! Each step is answered by binary searches over the series' samples: these modifiers are rare
//! enough that the two-pointer sweeps of `range_fns` are not worth duplicating for them.

use super::range_fns::hist::{Note, SeriesNotes};
use super::{Ctx, Grid, Series};
use crate::Result;
use hist::{Merged, Out};
use std::sync::Arc;
use vigil_model::{METRIC_NAME, Timestamp, is_stale_nan};
use vigil_promql_syntax::{Extended, VectorSelector};

mod hist;

/// One series' non-stale samples.
struct Points {
    ts: Vec<Timestamp>,
    vs: Vec<f64>,
    /// Histogram samples, when the series has any (then `merged` holds both kinds).
    merged: Option<Merged>,
}

impl Points {
    /// Index of the newest sample at or before `t` that is newer than `t - lookback`.
    fn at_or_before(&self, t: Timestamp, lookback: i64) -> Option<usize> {
        let i = self.ts.partition_point(|&x| x <= t).checked_sub(1)?;
        (self.ts[i] > t - lookback).then_some(i)
    }

    /// Index of the oldest sample after `t`, if not later than `limit`.
    fn after(&self, t: Timestamp, limit: Timestamp) -> Option<usize> {
        let i = self.ts.partition_point(|&x| x <= t);
        (i < self.ts.len() && self.ts[i] <= limit).then_some(i)
    }

    /// The value at `t` interpolated between samples `a` (at or before `t`) and `b` (after it).
    fn interpolate(&self, vals: &[f64], a: usize, b: usize, t: Timestamp) -> f64 {
        let (ta, tb) = (self.ts[a] as f64, self.ts[b] as f64);
        vals[a] + (vals[b] - vals[a]) * (t as f64 - ta) / (tb - ta)
    }
}

/// Counter values corrected for resets: each drop adds the value before it to what follows.
fn reset_corrected(vs: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(vs.len());
    let mut correction = 0.0;
    for (i, &v) in vs.iter().enumerate() {
        if i > 0 && v < vs[i - 1] {
            correction += vs[i - 1];
        }
        out.push(v + correction);
    }
    out
}

impl Ctx<'_> {
    /// Samples of `vs` in `[lo, hi]`, stale markers removed.
    fn points(
        &mut self,
        vs: &VectorSelector,
        lo: Timestamp,
        hi: Timestamp,
    ) -> Result<Vec<(vigil_model::Labels, Points)>> {
        let set = self.select(vs, lo, hi)?;
        Ok(set
            .into_iter()
            .map(|s| {
                let (mut ts, mut vals) = (Vec::new(), Vec::new());
                for (&t, &v) in s.samples.timestamps.iter().zip(&s.samples.values) {
                    if !is_stale_nan(v) {
                        ts.push(t);
                        vals.push(v);
                    }
                }
                let mut hists = s.samples.histograms;
                hists.retain(|(_, h)| !h.is_stale());
                let merged = (!hists.is_empty()).then(|| Merged::new(&ts, &vals, &hists));
                (s.labels, Points { ts, vs: vals, merged })
            })
            .collect())
    }

    /// `x smoothed`: per step, the value interpolated at the step's reference time.
    pub(crate) fn eval_smoothed_selector(&mut self, vs: &VectorSelector, g: &Grid) -> Result<Vec<Series>> {
        let at = self.resolve_at(vs.at);
        let reference = |k: usize| at.unwrap_or(g.ts(k)) - vs.offset_ms;
        let lookback = self.lookback;
        let all = self.points(vs, reference(0) - lookback + 1, reference(g.n.saturating_sub(1)) + lookback)?;
        let mut out = Vec::new();
        let mut notes = SeriesNotes::default();
        for (labels, p) in all {
            self.check("smoothed selector")?;
            let mut s = Series::new(labels);
            for k in 0..g.n {
                let r = reference(k);
                if let Some(m) = &p.merged {
                    match hist::smoothed_value(m, r, lookback, &mut notes) {
                        Some(Out::H(h)) => {
                            s.set_hist(k, Arc::new(h));
                            continue;
                        }
                        Some(Out::F(v)) => {
                            s.set(k, v);
                            continue;
                        }
                        Some(Out::Floats) => {}
                        None => continue,
                    }
                }
                let Some(a) = p.at_or_before(r, lookback) else { continue };
                s.set(
                    k,
                    match p.after(r, r + lookback) {
                        Some(b) if p.ts[a] < r => p.interpolate(&p.vs, a, b, r),
                        _ => p.vs[a],
                    },
                );
            }
            let name = s.labels.get(METRIC_NAME).unwrap_or("").to_owned();
            self.report(&mut notes, &name, None);
            if !s.is_empty() {
                self.add_samples(s.cost())?;
                out.push(s);
            }
        }
        Ok(out)
    }

    /// Adds the notes of one series for metric `name`, at `offset` or else at the first
    /// mention of the metric in the query.
    fn report(&mut self, notes: &mut SeriesNotes, name: &str, offset: Option<usize>) {
        for n in notes.take() {
            let (warn, msg) = Note::render(n, name);
            let at = offset.unwrap_or_else(|| self.query.find(name).unwrap_or(0));
            if warn {
                self.warn_at_offset(&msg, at);
            } else {
                self.info_at_offset(&msg, at);
            }
        }
    }

    /// `name(vs[range_ms] anchored|smoothed)` for the functions the modifiers allow.
    pub(crate) fn eval_extended_range_fn(
        &mut self,
        name: &str,
        vs: &VectorSelector,
        range_ms: i64,
        how: Extended,
        offset: usize,
        g: &Grid,
    ) -> Result<Vec<Series>> {
        let at = self.resolve_at(vs.at);
        let end = |k: usize| at.unwrap_or(g.ts(k)) - vs.offset_ms;
        let lookback = self.lookback;
        let after = if how == Extended::Smoothed { lookback } else { 0 };
        let first_start = end(0) - range_ms;
        let all = self.points(vs, first_start - lookback + 1, end(g.n.saturating_sub(1)) + after)?;
        let counter = matches!(name, "increase" | "rate");
        let range_s = range_ms as f64 / 1000.0;
        let mut out = Vec::new();
        let mut notes = SeriesNotes::default();
        for (labels, p) in all {
            self.check("extended range selector")?;
            let corrected = if counter && how == Extended::Smoothed { reset_corrected(&p.vs) } else { Vec::new() };
            let vals = if corrected.is_empty() { &p.vs } else { &corrected };
            let mut s = Series::new(labels);
            s.drop_name = true;
            for k in 0..g.n {
                let (r, start) = (end(k), end(k) - range_ms);
                if let Some(m) = &p.merged {
                    let got = match (name, how) {
                        ("changes" | "resets", _) => {
                            hist::anchored_count(name == "resets", m, start, r, lookback).map(Out::F)
                        }
                        (_, Extended::Anchored) => hist::anchored_rate(counter, m, start, r, lookback, &mut notes),
                        (_, Extended::Smoothed) => hist::smoothed_rate(counter, m, start, r, lookback, &mut notes),
                    };
                    match got {
                        Some(Out::H(h)) => {
                            s.set_hist(k, Arc::new(if name == "rate" { h.div(range_s) } else { h }));
                            continue;
                        }
                        Some(Out::F(v)) => {
                            s.set(k, v);
                            continue;
                        }
                        Some(Out::Floats) => {}
                        None => continue,
                    }
                }
                let v = match how {
                    Extended::Anchored => anchored(name, &p, start, r, lookback),
                    Extended::Smoothed => smoothed(&p, vals, start, r, lookback),
                };
                if let Some(v) = v {
                    s.set(k, if name == "rate" { v / range_s } else { v });
                }
            }
            let metric = s.labels.get(METRIC_NAME).unwrap_or("").to_owned();
            self.report(&mut notes, &metric, Some(offset));
            if !s.is_empty() {
                self.add_samples(s.cost())?;
                out.push(s);
            }
        }
        Ok(out)
    }
}

/// `changes`, `resets`, `delta`, `increase` or `rate` (before dividing) over the samples in
/// `(start, end]` preceded by the anchor: the newest sample at or before `start`.
fn anchored(name: &str, p: &Points, start: Timestamp, end: Timestamp, lookback: i64) -> Option<f64> {
    let first_in = p.ts.partition_point(|&t| t <= start);
    let last_in = p.ts.partition_point(|&t| t <= end);
    if first_in >= last_in {
        return None;
    }
    let from = p.at_or_before(start, lookback).unwrap_or(first_in);
    let w = &p.vs[from..last_in];
    let pairs = w.windows(2);
    Some(match name {
        "changes" => pairs.filter(|x| x[1] != x[0]).count() as f64,
        "resets" => pairs.filter(|x| x[1] < x[0]).count() as f64,
        "delta" => w[w.len() - 1] - w[0],
        // increase and rate: the rise with every reset's drop added back.
        _ => w[w.len() - 1] - w[0] + pairs.filter(|x| x[1] < x[0]).map(|x| x[0]).sum::<f64>(),
    })
}

/// The difference between the values interpolated at `end` and at `start`.
fn smoothed(p: &Points, vals: &[f64], start: Timestamp, end: Timestamp, lookback: i64) -> Option<f64> {
    let edge_start = match (p.at_or_before(start, lookback), p.after(start, Timestamp::MAX)) {
        (Some(a), Some(b)) => p.interpolate(vals, a, b, start),
        // Nothing before the window: its first sample, if it has one.
        (None, Some(b)) if p.ts[b] <= end => vals[b],
        _ => return None,
    };
    let a = p.at_or_before(end, lookback)?;
    let edge_end = match p.after(end, end + lookback) {
        Some(b) if p.ts[a] < end => p.interpolate(vals, a, b, end),
        _ => vals[a],
    };
    Some(edge_end - edge_start)
}
