//! Aggregations (`sum`, `avg`, `topk`, `quantile`, `count_values`, ...) over groups of series,
//! accumulated per step into flat `[group][step]` arrays.

use super::math::{Mean, format_go_float, kahan_inc, quantile};
use super::{Ctx, Grid, SAMPLE_BYTES, Series, Val, dense_cost, parallel, vector_cost};
use crate::{Error, Result};
use std::collections::HashMap;
use vigil_model::{Labels, METRIC_NAME};
use vigil_promql_syntax::{AggregateExpr, AggregateOp, Grouping};

/// The labels a series is grouped by.
fn group_labels(l: &Labels, g: &Grouping) -> Labels {
    if g.without {
        let mut drop: Vec<&str> = g.labels.iter().map(String::as_str).collect();
        drop.push(METRIC_NAME);
        l.without(&drop)
    } else {
        let keep: Vec<&str> = g.labels.iter().map(String::as_str).collect();
        l.keep_only(&keep)
    }
}

/// Assigns each series a group index; returns (group labels, index per series).
fn assign_groups(vs: &[Series], grouping: &Grouping) -> (Vec<Labels>, Vec<usize>) {
    let mut keys = Vec::new();
    let mut index: HashMap<Labels, usize> = HashMap::new();
    let mut of = Vec::with_capacity(vs.len());
    for s in vs {
        let key = group_labels(&s.labels, grouping);
        let gi = *index.entry(key.clone()).or_insert_with(|| {
            keys.push(key);
            keys.len() - 1
        });
        of.push(gi);
    }
    (keys, of)
}

impl Ctx<'_> {
    pub(crate) fn eval_aggregate(&mut self, a: &AggregateExpr, g: &Grid) -> Result<Val> {
        let (num_param, str_param) = match (&a.param, a.op) {
            (Some(p), AggregateOp::CountValues) => (None, Some(self.eval_string(p, g)?)),
            (Some(p), _) => (Some(self.eval_scalar(p, g)?), None),
            (None, _) => (None, None),
        };
        if let Some(p) = &num_param {
            match a.op {
                AggregateOp::Topk | AggregateOp::Bottomk | AggregateOp::Limitk if p.iter().any(|v| v.is_nan()) => {
                    return Err(Error::Execution("Parameter value is NaN".into()));
                }
                AggregateOp::LimitRatio if p.iter().any(|v| v.is_nan()) => {
                    return Err(Error::Execution("Ratio value is NaN".into()));
                }
                AggregateOp::Quantile => {
                    if let Some(bad) = p.iter().find(|q| !(0.0..=1.0).contains(*q)) {
                        self.warn_at(
                            &format!(
                                "PromQL warning: quantile value should be between 0 and 1, got {}",
                                format_go_float(*bad)
                            ),
                            "quantile",
                        );
                    }
                }
                _ => {}
            }
        }
        let vs = self.eval_vector(&a.expr, g)?;
        let (keys, of) = assign_groups(&vs, &a.grouping);
        let out = match a.op {
            AggregateOp::Topk | AggregateOp::Bottomk | AggregateOp::Limitk | AggregateOp::LimitRatio => {
                self.select_members(a.op, vs, &of, keys.len(), num_param.as_deref().unwrap_or(&[]), g)?
            }
            AggregateOp::Quantile => {
                let q = num_param.unwrap_or_default();
                self.ensure_room(keys.len().saturating_mul(dense_cost(g.n)))?;
                let mut out: Vec<Series> = keys.into_iter().map(|l| Series::empty(l, g.n)).collect();
                let mut members: Vec<Vec<usize>> = vec![Vec::new(); out.len()];
                for (i, &gi) in of.iter().enumerate() {
                    members[gi].push(i);
                }
                let mut buf = Vec::new();
                for (gi, m) in members.iter().enumerate() {
                    self.check("aggregation")?;
                    for k in 0..g.n {
                        buf.clear();
                        buf.extend(m.iter().filter(|&&i| vs[i].has[k]).map(|&i| vs[i].vals[k]));
                        if !buf.is_empty() {
                            out[gi].has[k] = true;
                            out[gi].vals[k] = quantile(q[k], &mut buf);
                        }
                    }
                }
                out
            }
            AggregateOp::CountValues => {
                let label = str_param.unwrap_or_default();
                if !valid_label_name(&label) {
                    return Err(Error::Execution(format!("invalid label name {label:?}")));
                }
                let mut out: Vec<Series> = Vec::new();
                let mut index: HashMap<(usize, String), usize> = HashMap::new();
                // One series per distinct value: values that change every step make one series
                // per step, each dense over the grid, so each is checked before it is made.
                let room = self.room();
                for (i, s) in vs.iter().enumerate() {
                    for k in 0..g.n {
                        if !s.has[k] {
                            continue;
                        }
                        let value = format_go_float(s.vals[k]);
                        let oi = match index.get(&(of[i], value.clone())) {
                            Some(&oi) => oi,
                            None => {
                                if (out.len() + 1).saturating_mul(dense_cost(g.n)) > room {
                                    return Err(Error::TooManySamples);
                                }
                                let mut b = keys[of[i]].builder();
                                b.set(&label, &value);
                                out.push(Series::empty(b.build(), g.n));
                                index.insert((of[i], value), out.len() - 1);
                                out.len() - 1
                            }
                        };
                        out[oi].has[k] = true;
                        out[oi].vals[k] += 1.0;
                    }
                }
                out
            }
            op => self.accumulate(op, &vs, &of, keys, g)?,
        };
        let out: Vec<Series> = out.into_iter().filter(|s| !s.is_empty()).collect();
        self.add_samples(vector_cost(&out))?;
        Ok(Val::Vector(out))
    }

    /// Streaming aggregations with O(1) state per group and step.
    ///
    /// Cells are laid out `[step][group]`, so disjoint step ranges are disjoint slices that threads
    /// fill independently; within a cell, series are always added in input order, so results do
    /// not depend on the number of threads.
    fn accumulate(
        &mut self,
        op: AggregateOp,
        vs: &[Series],
        of: &[usize],
        keys: Vec<Labels>,
        g: &Grid,
    ) -> Result<Vec<Series>> {
        self.check("aggregation")?;
        let n = g.n;
        let ng = keys.len();
        // The cells exist only during the call, but all at once: `sum by (pod)` over a long
        // range of short-lived pods has many groups each present at a few steps.
        let cell_bytes = 3 * size_of::<f64>() + if op == AggregateOp::Avg { size_of::<Mean>() } else { 0 };
        let cells = ng.saturating_mul(n).saturating_mul(cell_bytes).div_ceil(SAMPLE_BYTES);
        self.ensure_room(cells.saturating_add(ng.saturating_mul(dense_cost(n))))?;
        // `val` is the result (Welford's M2 for stddev), `aux` the Kahan compensation (running mean
        // for stddev), `cnt` the number of values (0 means absent).
        let mut val = vec![0.0f64; ng * n];
        let mut aux = vec![0.0f64; ng * n];
        let mut cnt = vec![0.0f64; ng * n];
        let mut means: Vec<Mean> = if op == AggregateOp::Avg { vec![Mean::default(); ng * n] } else { Vec::new() };
        let per = parallel::steps_per_part(n, vs.len() * n) * ng.max(1);
        let mut mean_parts: Vec<&mut [Mean]> = means.chunks_mut(per).collect();
        let parts: Vec<_> = val
            .chunks_mut(per)
            .zip(aux.chunks_mut(per))
            .zip(cnt.chunks_mut(per))
            .enumerate()
            .map(|(p, ((v, a), c))| {
                let m = if mean_parts.is_empty() { &mut [][..] } else { std::mem::take(&mut mean_parts[p]) };
                (p * (per / ng.max(1)), v, a, c, m)
            })
            .collect();
        parallel::for_parts(parts, |(k0, val, aux, cnt, means)| {
            let steps = cnt.len() / ng.max(1);
            for (s, &gi) in vs.iter().zip(of) {
                let (vals, has) = (&s.vals[k0..k0 + steps], &s.has[k0..k0 + steps]);
                accumulate_series(op, vals, has, gi, ng, val, aux, cnt, means);
            }
        });
        let mut out: Vec<Series> = keys.into_iter().map(|l| Series::empty(l, n)).collect();
        for (gi, dst) in out.iter_mut().enumerate() {
            for k in 0..n {
                let cell = k * ng + gi;
                let c = cnt[cell];
                if c == 0.0 {
                    continue;
                }
                dst.has[k] = true;
                let v = val[cell];
                dst.vals[k] = match op {
                    AggregateOp::Sum if !v.is_infinite() => v + aux[cell],
                    AggregateOp::Avg => means[cell].get(),
                    AggregateOp::Count => c,
                    AggregateOp::Group => 1.0,
                    AggregateOp::Stdvar => v / c,
                    AggregateOp::Stddev => (v / c).sqrt(),
                    _ => v,
                };
            }
        }
        Ok(out)
    }

    /// `topk`, `bottomk`, `limitk`, `limit_ratio`: keep a subset of the input series per step.
    fn select_members(
        &mut self,
        op: AggregateOp,
        vs: Vec<Series>,
        of: &[usize],
        ngroups: usize,
        param: &[f64],
        g: &Grid,
    ) -> Result<Vec<Series>> {
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); ngroups];
        for (i, &gi) in of.iter().enumerate() {
            members[gi].push(i);
        }
        let mut keep = vec![vec![false; g.n]; vs.len()];
        // For instant queries, the output order: per group, by rank.
        let mut order: Vec<usize> = Vec::new();
        let mut buf: Vec<usize> = Vec::new();
        for m in &members {
            self.check("aggregation")?;
            for k in 0..g.n {
                let p = param.get(k).copied().unwrap_or(0.0);
                if p.is_nan() && op != AggregateOp::LimitRatio {
                    return Err(Error::Execution("Parameter value is NaN".into()));
                }
                buf.clear();
                buf.extend(m.iter().copied().filter(|&i| vs[i].has[k]));
                match op {
                    AggregateOp::LimitRatio => {
                        if !(-1.0..=1.0).contains(&p) {
                            return Err(Error::Execution(format!("Ratio value {p} is out of range [-1, 1]")));
                        }
                        buf.retain(|&i| ratio_keeps(p, &vs[i].labels));
                    }
                    _ => {
                        let kk = if p >= 1.0 { (p.min(9.0e15) as usize).min(buf.len()) } else { 0 };
                        if op != AggregateOp::Limitk {
                            let top = op == AggregateOp::Topk;
                            buf.sort_by(|&a, &b| {
                                let (x, y) = (vs[a].vals[k], vs[b].vals[k]);
                                match (x.is_nan(), y.is_nan()) {
                                    (true, true) => std::cmp::Ordering::Equal,
                                    (true, false) => std::cmp::Ordering::Greater,
                                    (false, true) => std::cmp::Ordering::Less,
                                    _ if top => y.total_cmp(&x),
                                    _ => x.total_cmp(&y),
                                }
                            });
                        }
                        buf.truncate(kk);
                    }
                }
                for &i in &buf {
                    keep[i][k] = true;
                }
                if k == 0 {
                    order.extend_from_slice(&buf);
                }
            }
        }
        let mut slots: Vec<Option<Series>> = vs.into_iter().map(Some).collect();
        let mut out = Vec::new();
        let mut take = |i: usize, out: &mut Vec<Series>| {
            if let Some(mut s) = slots[i].take() {
                for k in 0..g.n {
                    s.has[k] &= keep[i][k];
                }
                out.push(s);
            }
        };
        for &i in &order {
            take(i, &mut out);
        }
        for i in 0..keep.len() {
            take(i, &mut out);
        }
        Ok(out)
    }
}

/// `limit_ratio`'s deterministic sampling by label hash.
fn ratio_keeps(ratio: f64, l: &Labels) -> bool {
    let off = l.hash_xxh64() as f64 / u64::MAX as f64;
    (ratio >= 0.0 && off < ratio) || (ratio < 0.0 && off >= 1.0 + ratio)
}

fn valid_label_name(n: &str) -> bool {
    !n.is_empty()
        && !n.starts_with(|c: char| c.is_ascii_digit())
        && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Adds one series' values over a range of steps into group `gi` of the `[step][group]` cells.
#[allow(clippy::too_many_arguments)]
fn accumulate_series(
    op: AggregateOp,
    vals: &[f64],
    has: &[bool],
    gi: usize,
    ng: usize,
    val: &mut [f64],
    aux: &mut [f64],
    cnt: &mut [f64],
    means: &mut [Mean],
) {
    // One loop per operator keeps the match out of the inner loop.
    let cells = (0..vals.len()).filter(|&k| has[k]).map(|k| (k, k * ng + gi));
    match op {
        AggregateOp::Sum => {
            for (k, c) in cells {
                (val[c], aux[c]) = kahan_inc(vals[k], val[c], aux[c]);
                cnt[c] += 1.0;
            }
        }
        AggregateOp::Avg => {
            for (k, c) in cells {
                means[c].add(vals[k]);
                cnt[c] += 1.0;
            }
        }
        AggregateOp::Count | AggregateOp::Group => {
            for (_, c) in cells {
                cnt[c] += 1.0;
            }
        }
        AggregateOp::Min | AggregateOp::Max => {
            let is_max = op == AggregateOp::Max;
            for (k, c) in cells {
                let (v, cur) = (vals[k], val[c]);
                if cnt[c] == 0.0 || cur.is_nan() || (is_max && cur < v) || (!is_max && cur > v) {
                    val[c] = v;
                }
                cnt[c] += 1.0;
            }
        }
        AggregateOp::Stddev | AggregateOp::Stdvar => {
            for (k, c) in cells {
                let v = vals[k];
                cnt[c] += 1.0;
                if cnt[c] == 1.0 {
                    aux[c] = v; // running mean
                    val[c] = if v.is_finite() { 0.0 } else { f64::NAN };
                } else {
                    let delta = v - aux[c];
                    aux[c] += delta / cnt[c];
                    val[c] += delta * (v - aux[c]);
                }
            }
        }
        _ => {}
    }
}
