//! Aggregations (`sum`, `avg`, `topk`, `quantile`, `count_values`, ...) over groups of series,
//! accumulated per step into flat arrays of cells over each group's span. Vectors that hold
//! native histograms take the same float paths plus the passes of [`hist`].

mod hist;

use super::math::{Mean, format_go_float, kahan_inc, quantile};
use super::{Ctx, Grid, SAMPLE_BYTES, Series, Val, parallel, span_cost, union_span, vector_cost};
use crate::{Error, Result};
use std::collections::HashMap;
use std::ops::Range;
use vigil_model::histogram::notation::format_go_float as go_g;
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
        let (mut num_param, str_param) = match (&a.param, a.op) {
            (Some(p), AggregateOp::CountValues) => (None, Some(self.eval_string(p, g)?)),
            (Some(p), _) => (Some(self.eval_scalar(p, g)?), None),
            (None, _) => (None, None),
        };
        if let Some(p) = &mut num_param {
            match a.op {
                AggregateOp::Topk | AggregateOp::Bottomk | AggregateOp::Limitk if p.iter().any(|v| v.is_nan()) => {
                    return Err(Error::Execution("Parameter value is NaN".into()));
                }
                AggregateOp::LimitRatio if p.iter().any(|v| v.is_nan()) => {
                    return Err(Error::Execution("Ratio value is NaN".into()));
                }
                AggregateOp::LimitRatio => {
                    for r in p.iter_mut().filter(|r| !(-1.0..=1.0).contains(*r)) {
                        let capped = r.clamp(-1.0, 1.0);
                        self.warn_at_offset(
                            &format!(
                                "PromQL warning: ratio value should be between -1 and 1, got {}, capping to {}",
                                go_g(*r),
                                go_g(capped)
                            ),
                            a.offsets.get(2),
                        );
                        *r = capped;
                    }
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
        let mut vs = self.eval_vector(&a.expr, g)?;
        let (keys, of) = assign_groups(&vs, &a.grouping);
        // Decided once: vectors without histograms take the float paths alone.
        let has_hists = vs.iter().any(Series::has_hists);
        if has_hists {
            let ignored = match a.op {
                AggregateOp::Topk | AggregateOp::Bottomk => {
                    // Dropped before selecting, so they take no rank (their steps stay unused).
                    let mut any = false;
                    for s in &mut vs {
                        any |= s.clear_hists();
                    }
                    any.then_some(a.offsets.get(0))
                }
                AggregateOp::Min
                | AggregateOp::Max
                | AggregateOp::Stddev
                | AggregateOp::Stdvar
                | AggregateOp::Quantile => Some(a.offsets.get(1)),
                _ => None,
            };
            if let Some(at) = ignored {
                self.info_at_offset(
                    &format!("PromQL info: ignored histogram in {} aggregation", hist::op_name(a.op)),
                    at,
                );
            }
        }
        let out = match a.op {
            AggregateOp::Topk | AggregateOp::Bottomk | AggregateOp::Limitk | AggregateOp::LimitRatio => {
                self.select_members(a.op, vs, &of, keys.len(), num_param.as_deref().unwrap_or(&[]))?
            }
            AggregateOp::Quantile => {
                let q = num_param.unwrap_or_default();
                // Each group's result lies within its members' spans: no bigger than the input.
                let members = group_members(&of, keys.len());
                let mut out = Vec::with_capacity(keys.len());
                let mut buf = Vec::new();
                for (labels, m) in keys.into_iter().zip(&members) {
                    self.check("aggregation")?;
                    let mut s = Series::new(labels);
                    s.drop_name = m.iter().any(|&i| vs[i].drop_name);
                    for k in union_span(m.iter().map(|&i| &vs[i])) {
                        buf.clear();
                        buf.extend(m.iter().filter_map(|&i| vs[i].get(k)));
                        if !buf.is_empty() {
                            s.set(k, quantile(q[k], &mut buf));
                        }
                    }
                    out.push(s);
                }
                out
            }
            AggregateOp::CountValues => {
                let label = str_param.unwrap_or_default();
                // Prometheus 3 checks the name by the UTF-8 scheme: any text, not bytes.
                if label.is_empty() || label.chars().any(|c| vigil_promql_syntax::raw_byte(c).is_some()) {
                    return Err(Error::Execution(format!(
                        "invalid label name {}",
                        vigil_promql_syntax::go_quote(&label)
                    )));
                }
                let mut out: Vec<Series> = Vec::new();
                let mut index: HashMap<(usize, String), usize> = HashMap::new();
                // Groups that differ only in `label` meet once it is overwritten.
                let mut by_labels: HashMap<Labels, usize> = HashMap::new();
                let drops_label = a.grouping.without && a.grouping.labels.contains(&label);
                // One series per distinct value, spanning the steps from the value's first to its
                // last occurrence: values that recur far apart make long spans, so the spans are
                // checked against the budget as they grow.
                let room = self.room();
                let mut made = 0usize;
                let drop_names = group_drop_names(&vs, &of, keys.len());
                for (i, s) in vs.iter().enumerate() {
                    let floats = s.points().map(|(k, v)| (k, format_go_float(v)));
                    let hists = s.hists().iter().map(|(k, h)| (*k, hist::label_value(h)));
                    for (k, value) in floats.chain(hists) {
                        let oi = match index.get(&(of[i], value.clone())) {
                            Some(&oi) => oi,
                            None => {
                                let mut b = keys[of[i]].builder();
                                if !drops_label {
                                    b.set(&label, &value);
                                }
                                let labels = b.build();
                                let oi = match by_labels.get(&labels) {
                                    Some(&oi) => oi,
                                    None => {
                                        by_labels.insert(labels.clone(), out.len());
                                        out.push(Series::new(labels));
                                        out.len() - 1
                                    }
                                };
                                out[oi].drop_name |= drop_names[of[i]];
                                index.insert((of[i], value), oi);
                                oi
                            }
                        };
                        let count = out[oi].get(k).unwrap_or(0.0) + 1.0;
                        made = made.saturating_add(out[oi].set(k, count));
                        if span_cost(made) > room {
                            return Err(Error::TooManySamples);
                        }
                    }
                }
                out
            }
            op => {
                let mut out = self.accumulate(op, &vs, &of, keys, g)?;
                if has_hists {
                    let members = group_members(&of, out.len());
                    match op {
                        AggregateOp::Sum | AggregateOp::Avg => {
                            self.aggregate_hists(op, &vs, &members, &mut out, a.offsets.get(1))?;
                        }
                        AggregateOp::Count | AggregateOp::Group => self.count_hists(op, &vs, &members, &mut out)?,
                        _ => {}
                    }
                }
                out
            }
        };
        let out: Vec<Series> = out.into_iter().filter(|s| !s.is_empty()).collect();
        self.add_samples(vector_cost(&out))?;
        Ok(Val::Vector(out))
    }

    /// Streaming aggregations with O(1) state per group and step.
    ///
    /// Each group has cells over its members' union span, laid out group after group; a group's
    /// cells are cut into pieces of consecutive steps that threads fill independently. Within a
    /// cell, series are always added in input order, so results do not depend on the number of
    /// threads.
    fn accumulate(
        &mut self,
        op: AggregateOp,
        vs: &[Series],
        of: &[usize],
        keys: Vec<Labels>,
        g: &Grid,
    ) -> Result<Vec<Series>> {
        self.check("aggregation")?;
        let members = group_members(of, keys.len());
        let spans: Vec<Range<usize>> = members.iter().map(|m| union_span(m.iter().map(|&i| &vs[i]))).collect();
        let total = spans.iter().map(Range::len).sum::<usize>();
        // The cells exist only during the call, but all at once.
        let is_avg = op == AggregateOp::Avg;
        let cell_bytes = 3 * size_of::<f64>() + if is_avg { size_of::<Mean>() } else { 0 };
        let cells = total.saturating_mul(cell_bytes).div_ceil(SAMPLE_BYTES);
        let results = spans.iter().map(|r| span_cost(r.len())).fold(0, usize::saturating_add);
        self.ensure_room(cells.saturating_add(results))?;
        // `val` is the result (Welford's M2 for stddev), `aux` the Kahan compensation (running mean
        // for stddev), `cnt` the number of values (0 means absent).
        let mut val = vec![0.0f64; total];
        let mut aux = vec![0.0f64; total];
        let mut cnt = vec![0.0f64; total];
        let mut means: Vec<Mean> = if is_avg { vec![Mean::default(); total] } else { Vec::new() };
        let work = vs.iter().map(|s| s.span().len()).sum::<usize>();
        let per = parallel::steps_per_part(g.n, work);
        let mut parts = Vec::new();
        let (mut rv, mut ra, mut rc, mut rm) = (&mut val[..], &mut aux[..], &mut cnt[..], &mut means[..]);
        for (gi, span) in spans.iter().enumerate() {
            let mut k0 = span.start;
            while k0 < span.end {
                let len = per.min(span.end - k0);
                let v = split_off(&mut rv, len);
                let a = split_off(&mut ra, len);
                let c = split_off(&mut rc, len);
                let m = if is_avg { split_off(&mut rm, len) } else { &mut [][..] };
                parts.push(Cells { group: gi, k0, val: v, aux: a, cnt: c, means: m });
                k0 += len;
            }
        }
        let fill = |p: Cells<'_>| {
            let k1 = p.k0 + p.cnt.len();
            for &i in &members[p.group] {
                let (start, vals, has) = vs[i].slices();
                let (lo, hi) = (p.k0.max(start), k1.min(start + vals.len()));
                if lo < hi {
                    let (src, dst) = (lo - start..hi - start, lo - p.k0..hi - p.k0);
                    let means = if is_avg { &mut p.means[dst.clone()] } else { &mut [][..] };
                    accumulate_series(
                        op,
                        &vals[src.clone()],
                        &has[src],
                        &mut p.val[dst.clone()],
                        &mut p.aux[dst.clone()],
                        &mut p.cnt[dst],
                        means,
                    );
                }
            }
        };
        if per >= g.n {
            // Too little work to share: one thread, no task per group.
            parts.into_iter().for_each(fill);
        } else {
            parallel::for_parts(parts, fill);
        }
        let mut out = Vec::with_capacity(keys.len());
        let mut offset = 0;
        let drop_names = group_drop_names(vs, of, keys.len());
        for ((labels, span), drop_name) in keys.into_iter().zip(spans).zip(drop_names) {
            let mut dst = Series::with_span(labels, span.clone());
            dst.drop_name = drop_name;
            for (i, k) in span.clone().enumerate() {
                let cell = offset + i;
                let c = cnt[cell];
                if c == 0.0 {
                    continue;
                }
                let v = val[cell];
                dst.set(
                    k,
                    match op {
                        AggregateOp::Sum if !v.is_infinite() => v + aux[cell],
                        AggregateOp::Avg => means[cell].get(),
                        AggregateOp::Count => c,
                        AggregateOp::Group => 1.0,
                        AggregateOp::Stdvar => v / c,
                        AggregateOp::Stddev => (v / c).sqrt(),
                        _ => v,
                    },
                );
            }
            offset += span.len();
            dst.trim();
            out.push(dst);
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
    ) -> Result<Vec<Series>> {
        let members = group_members(of, ngroups);
        // Which steps of each input series' span are kept.
        // Histograms count as values (`limitk`, `limit_ratio`; `topk`/`bottomk` dropped them).
        let spans: Vec<Range<usize>> = vs.iter().map(hist::value_span).collect();
        let mut keep: Vec<Vec<bool>> = spans.iter().map(|r| vec![false; r.len()]).collect();
        // For instant queries, the output order: per group, by rank.
        let mut order: Vec<usize> = Vec::new();
        let mut buf: Vec<usize> = Vec::new();
        for m in &members {
            self.check("aggregation")?;
            let span = m.iter().map(|&i| spans[i].clone()).reduce(|a, b| a.start.min(b.start)..a.end.max(b.end));
            for k in span.unwrap_or(0..0) {
                let p = param.get(k).copied().unwrap_or(0.0);
                if p.is_nan() && op != AggregateOp::LimitRatio {
                    return Err(Error::Execution("Parameter value is NaN".into()));
                }
                buf.clear();
                buf.extend(m.iter().copied().filter(|&i| vs[i].has_any(k)));
                match op {
                    AggregateOp::LimitRatio => {
                        buf.retain(|&i| ratio_keeps(p, &vs[i].labels));
                    }
                    _ => {
                        let kk = if p >= 1.0 { (p.min(9.0e15) as usize).min(buf.len()) } else { 0 };
                        if op != AggregateOp::Limitk {
                            let top = op == AggregateOp::Topk;
                            buf.sort_by(|&a, &b| {
                                let (x, y) = (vs[a].get(k).unwrap_or(f64::NAN), vs[b].get(k).unwrap_or(f64::NAN));
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
                    keep[i][k - spans[i].start] = true;
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
                let (start, keep) = (spans[i].start, &keep[i]);
                s.filter_map_values(|k, v| keep[k - start].then_some(v));
                if s.has_hists() {
                    s.filter_map_hists(|k, h| keep[k - start].then(|| h.clone()));
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

/// Whether each group's result is to lose `__name__` at the end of the query: when any of its
/// members was (with delayed name removal, `by (__name__)` keeps the name until then).
fn group_drop_names(vs: &[Series], of: &[usize], ngroups: usize) -> Vec<bool> {
    let mut drop = vec![false; ngroups];
    for (s, &gi) in vs.iter().zip(of) {
        drop[gi] |= s.drop_name;
    }
    drop
}

/// The members of a group (input series indices, in input order) for each group.
fn group_members(of: &[usize], ngroups: usize) -> Vec<Vec<usize>> {
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); ngroups];
    for (i, &gi) in of.iter().enumerate() {
        members[gi].push(i);
    }
    members
}

/// One piece of a group's cells: steps `k0..k0 + cnt.len()`.
struct Cells<'a> {
    group: usize,
    k0: usize,
    val: &'a mut [f64],
    aux: &'a mut [f64],
    cnt: &'a mut [f64],
    means: &'a mut [Mean],
}

/// Cuts the first `len` items off `rest`.
fn split_off<'a, T>(rest: &mut &'a mut [T], len: usize) -> &'a mut [T] {
    let (head, tail) = std::mem::take(rest).split_at_mut(len);
    *rest = tail;
    head
}

/// Adds one series' values over a range of steps into the cells of the same steps.
fn accumulate_series(
    op: AggregateOp,
    vals: &[f64],
    has: &[bool],
    val: &mut [f64],
    aux: &mut [f64],
    cnt: &mut [f64],
    means: &mut [Mean],
) {
    // One loop per operator keeps the match out of the inner loop.
    let cells = (0..vals.len()).filter(|&k| has[k]);
    match op {
        AggregateOp::Sum => {
            for c in cells {
                (val[c], aux[c]) = kahan_inc(vals[c], val[c], aux[c]);
                cnt[c] += 1.0;
            }
        }
        AggregateOp::Avg => {
            for c in cells {
                means[c].add(vals[c]);
                cnt[c] += 1.0;
            }
        }
        AggregateOp::Count | AggregateOp::Group => {
            for c in cells {
                cnt[c] += 1.0;
            }
        }
        AggregateOp::Min | AggregateOp::Max => {
            let is_max = op == AggregateOp::Max;
            for c in cells {
                let (v, cur) = (vals[c], val[c]);
                if cnt[c] == 0.0 || cur.is_nan() || (is_max && cur < v) || (!is_max && cur > v) {
                    val[c] = v;
                }
                cnt[c] += 1.0;
            }
        }
        AggregateOp::Stddev | AggregateOp::Stdvar => {
            for c in cells {
                let v = vals[c];
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
