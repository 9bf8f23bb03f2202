//! Aggregations (`sum`, `avg`, `topk`, `quantile`, `count_values`, ...) over groups of series,
//! accumulated per step into flat `[group][step]` arrays.

use super::math::{Mean, format_go_float, kahan_inc, quantile};
use super::{Ctx, Grid, Series, Val};
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
                        self.warn_at(&format!("PromQL warning: quantile value should be between 0 and 1, got {}", format_go_float(*bad)), "quantile");
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
                for (i, s) in vs.iter().enumerate() {
                    for k in 0..g.n {
                        if !s.has[k] {
                            continue;
                        }
                        let value = format_go_float(s.vals[k]);
                        let oi = match index.get(&(of[i], value.clone())) {
                            Some(&oi) => oi,
                            None => {
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
        let points: usize = out.iter().map(|s| s.has.iter().filter(|&&h| h).count()).sum();
        self.add_samples(points)?;
        Ok(Val::Vector(out.into_iter().filter(|s| !s.is_empty()).collect()))
    }

    /// Streaming aggregations with O(1) state per group and step.
    fn accumulate(&mut self, op: AggregateOp, vs: &[Series], of: &[usize], keys: Vec<Labels>, g: &Grid) -> Result<Vec<Series>> {
        let n = g.n;
        let ng = keys.len();
        let mut out: Vec<Series> = keys.into_iter().map(|l| Series::empty(l, n)).collect();
        // Secondary per-cell state: Kahan compensation, Welford mean, or counts.
        let mut aux = vec![0.0f64; ng * n];
        let mut cnt = vec![0.0f64; ng * n];
        let mut means: Vec<Mean> = if op == AggregateOp::Avg { vec![Mean::default(); ng * n] } else { Vec::new() };
        for (i, s) in vs.iter().enumerate() {
            if i % 256 == 0 {
                self.check("aggregation")?;
            }
            let gi = of[i];
            let dst = &mut out[gi];
            let base = gi * n;
            for k in 0..n {
                if !s.has[k] {
                    continue;
                }
                let v = s.vals[k];
                let first = !dst.has[k];
                dst.has[k] = true;
                let cur = &mut dst.vals[k];
                let c = &mut aux[base + k];
                match op {
                    AggregateOp::Sum => (*cur, *c) = kahan_inc(v, if first { 0.0 } else { *cur }, if first { 0.0 } else { *c }),
                    AggregateOp::Avg => means[base + k].add(v),
                    AggregateOp::Count => *cur = if first { 1.0 } else { *cur + 1.0 },
                    AggregateOp::Group => *cur = 1.0,
                    AggregateOp::Min
                        if (first || *cur > v || cur.is_nan()) => {
                            *cur = v;
                        }
                    AggregateOp::Max
                        if (first || *cur < v || cur.is_nan()) => {
                            *cur = v;
                        }
                    AggregateOp::Stddev | AggregateOp::Stdvar => {
                        let count = &mut cnt[base + k];
                        if first {
                            *count = 1.0;
                            *c = v; // running mean
                            *cur = if v.is_finite() { 0.0 } else { f64::NAN };
                        } else {
                            *count += 1.0;
                            let delta = v - *c;
                            *c += delta / *count;
                            *cur += delta * (v - *c);
                        }
                    }
                    _ => {}
                }
            }
        }
        for (gi, dst) in out.iter_mut().enumerate() {
            for k in 0..n {
                if !dst.has[k] {
                    continue;
                }
                let cell = gi * n + k;
                match op {
                    AggregateOp::Sum
                        if !dst.vals[k].is_infinite() => {
                            dst.vals[k] += aux[cell];
                        }
                    AggregateOp::Avg => dst.vals[k] = means[cell].get(),
                    AggregateOp::Stdvar => dst.vals[k] /= cnt[cell],
                    AggregateOp::Stddev => dst.vals[k] = (dst.vals[k] / cnt[cell]).sqrt(),
                    _ => {}
                }
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
    !n.is_empty() && !n.starts_with(|c: char| c.is_ascii_digit()) && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}
