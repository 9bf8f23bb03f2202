//! Functions over classic histograms (series of cumulative `le` buckets): `histogram_quantile`,
//! `histogram_quantiles` and `histogram_fraction`.
//!
//! Buckets are grouped by their labels without `le` (the metric name included, so two
//! histograms that differ only by name stay apart and their results, whose name is dropped,
//! collide with Prometheus' error). Series without a parseable `le` are skipped with a warning.

use super::math::{format_go_float, format_openmetrics_float};
use super::{Ctx, Grid, Series, union_span};
use crate::Result;
use std::collections::HashMap;
use vigil_model::{Labels, METRIC_NAME};
use vigil_promql_syntax::Call;

/// Relative tolerance under which a decrease between buckets is treated as float noise.
const SMALL_DELTA_TOLERANCE: f64 = 1e-12;

/// The bucket series of one histogram: its labels without `le`, and (upper bound, series index).
struct Group {
    labels: Labels,
    members: Vec<(f64, usize)>,
}

impl Ctx<'_> {
    /// `histogram_quantile(q, v)`.
    pub(crate) fn histogram_quantile(&mut self, c: &Call, g: &Grid) -> Result<Vec<Series>> {
        let q = self.eval_scalar(&c.args[0], g)?;
        self.warn_bad_quantiles(&q, c.arg_offsets.get(0));
        let vs = self.eval_vector(&c.args[1], g)?;
        let groups = self.bucket_groups(&vs, c.arg_offsets.get(1));
        let mut out = Vec::with_capacity(groups.len());
        let mut forced = Vec::new();
        for group in groups {
            self.check("histogram_quantile")?;
            let mut s = Series::new(group.labels.clone());
            s.drop_name = true;
            let mut was_forced = false;
            for_each_step(&group, &vs, |k, buckets| {
                s.set(k, bucket_quantile(q[k], buckets, &mut was_forced));
            });
            if was_forced {
                forced.push(group.labels.get(METRIC_NAME).unwrap_or("").to_owned());
            }
            if !s.is_empty() {
                out.push(s);
            }
        }
        self.info_forced_monotonicity(&forced, c.arg_offsets.get(1));
        Ok(out)
    }

    /// `histogram_quantiles(v, "label", q1, q2, ...)`: one result per quantile, told apart by
    /// `label`.
    pub(crate) fn histogram_quantiles(&mut self, c: &Call, g: &Grid) -> Result<Vec<Series>> {
        let vs = self.eval_vector(&c.args[0], g)?;
        let label = self.eval_string(&c.args[1], g)?;
        let mut qs = Vec::with_capacity(c.args.len().saturating_sub(2));
        for (i, a) in c.args.iter().enumerate().skip(2) {
            let q = self.eval_scalar(a, g)?;
            self.warn_bad_quantiles(&q, c.arg_offsets.get(i));
            qs.push(q);
        }
        let groups = self.bucket_groups(&vs, c.arg_offsets.get(0));
        let mut out: Vec<Series> = Vec::new();
        let mut index: HashMap<Labels, usize> = HashMap::new();
        let mut forced = Vec::new();
        for group in groups {
            self.check("histogram_quantiles")?;
            let mut was_forced = false;
            let mut results: Vec<(usize, String, f64)> = Vec::new();
            for_each_step(&group, &vs, |k, buckets| {
                // The first call normalises the buckets in place; the next find them normalised.
                for q in &qs {
                    let v = bucket_quantile(q[k], buckets, &mut was_forced);
                    results.push((k, format_openmetrics_float(q[k]), v));
                }
            });
            if was_forced {
                forced.push(group.labels.get(METRIC_NAME).unwrap_or("").to_owned());
            }
            for (k, q, v) in results {
                let mut b = group.labels.builder();
                b.set(&label, &q);
                let labels = b.build();
                let oi = *index.entry(labels.clone()).or_insert_with(|| {
                    let mut s = Series::new(labels);
                    s.drop_name = true;
                    out.push(s);
                    out.len() - 1
                });
                if out[oi].has(k) {
                    return Err(crate::Error::Execution("vector cannot contain metrics with the same labelset".into()));
                }
                out[oi].set(k, v);
            }
        }
        self.info_forced_monotonicity(&forced, c.arg_offsets.get(0));
        Ok(out)
    }

    /// `histogram_fraction(lower, upper, v)`.
    pub(crate) fn histogram_fraction(&mut self, c: &Call, g: &Grid) -> Result<Vec<Series>> {
        let lower = self.eval_scalar(&c.args[0], g)?;
        let upper = self.eval_scalar(&c.args[1], g)?;
        let vs = self.eval_vector(&c.args[2], g)?;
        let groups = self.bucket_groups(&vs, c.arg_offsets.get(2));
        let mut out = Vec::with_capacity(groups.len());
        for group in groups {
            self.check("histogram_fraction")?;
            let mut s = Series::new(group.labels.clone());
            s.drop_name = true;
            for_each_step(&group, &vs, |k, buckets| {
                s.set(k, bucket_fraction(lower[k], upper[k], buckets));
            });
            if !s.is_empty() {
                out.push(s);
            }
        }
        Ok(out)
    }

    /// Groups bucket series into histograms, warning (at `offset`) about series without a
    /// usable `le`.
    fn bucket_groups(&mut self, vs: &[Series], offset: usize) -> Vec<Group> {
        let mut groups: Vec<Group> = Vec::new();
        let mut index: HashMap<Labels, usize> = HashMap::new();
        for (i, s) in vs.iter().enumerate() {
            let le = s.labels.get("le");
            let Some(upper) = le.and_then(parse_le) else {
                self.warn_at_offset(
                    &format!(
                        "PromQL warning: bucket label \"le\" is missing or has a malformed value of {:?} for metric name {:?}",
                        le.unwrap_or(""),
                        s.labels.get(METRIC_NAME).unwrap_or("")
                    ),
                    offset,
                );
                continue;
            };
            let key = s.labels.without(&["le"]);
            let gi = *index.entry(key.clone()).or_insert_with(|| {
                groups.push(Group { labels: key, members: Vec::new() });
                groups.len() - 1
            });
            groups[gi].members.push((upper, i));
        }
        groups
    }

    fn warn_bad_quantiles(&mut self, q: &[f64], offset: usize) {
        let mut seen: Vec<u64> = Vec::new();
        for &v in q {
            if !(0.0..=1.0).contains(&v) && !seen.contains(&v.to_bits()) {
                seen.push(v.to_bits());
                self.warn_at_offset(
                    &format!("PromQL warning: quantile value should be between 0 and 1, got {}", format_go_float(v)),
                    offset,
                );
            }
        }
    }

    fn info_forced_monotonicity(&mut self, names: &[String], offset: usize) {
        for name in names {
            self.info_at_offset(
                &format!(
                    "PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name {name:?}"
                ),
                offset,
            );
        }
    }
}

/// Calls `f` for every step where some bucket of `group` has a value, with the buckets there
/// as (upper bound, cumulative count).
fn for_each_step(group: &Group, vs: &[Series], mut f: impl FnMut(usize, &mut Vec<(f64, f64)>)) {
    let mut buckets = Vec::with_capacity(group.members.len());
    for k in union_span(group.members.iter().map(|&(_, i)| &vs[i])) {
        buckets.clear();
        buckets.extend(group.members.iter().filter_map(|&(u, i)| Some((u, vs[i].get(k)?))));
        if !buckets.is_empty() {
            f(k, &mut buckets);
        }
    }
}

fn parse_le(s: &str) -> Option<f64> {
    match s {
        "+Inf" | "Inf" | "+inf" | "inf" => Some(f64::INFINITY),
        "-Inf" | "-inf" => Some(f64::NEG_INFINITY),
        _ => s.trim().parse().ok().filter(|v: &f64| !v.is_nan()),
    }
}

/// Sorts the buckets, merges equal upper bounds and makes the counts monotonic (tiny decreases
/// are float noise; others set `forced`). `None` without a `+Inf` bucket.
fn normalize(b: &mut Vec<(f64, f64)>, forced: &mut bool) -> Option<()> {
    b.sort_by(|x, y| x.0.total_cmp(&y.0));
    if b.last().is_none_or(|l| l.0 != f64::INFINITY) {
        return None;
    }
    let mut w = 0;
    for r in 1..b.len() {
        if b[r].0 == b[w].0 {
            b[w].1 += b[r].1;
        } else {
            w += 1;
            b[w] = b[r];
        }
    }
    b.truncate(w + 1);
    let mut max = f64::NAN;
    for bk in b.iter_mut() {
        if max.is_nan() || bk.1 > max {
            max = bk.1;
        } else if bk.1 < max {
            if (max - bk.1) > max.abs() * SMALL_DELTA_TOLERANCE {
                *forced = true;
            }
            bk.1 = max;
        }
    }
    Some(())
}

/// Quantile from cumulative (upper bound, count) buckets, with Prometheus' edge cases.
pub(crate) fn bucket_quantile(q: f64, b: &mut Vec<(f64, f64)>, forced: &mut bool) -> f64 {
    if q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    if normalize(b, forced).is_none() || b.len() < 2 {
        return f64::NAN;
    }
    let n = b.len();
    let observations = b[n - 1].1;
    if observations == 0.0 || observations.is_nan() {
        return f64::NAN;
    }
    let mut rank = q * observations;
    let idx = b.partition_point(|x| x.1 < rank);
    if idx == n - 1 {
        return b[n - 2].0;
    }
    if idx == 0 && b[0].0 <= 0.0 {
        return b[0].0;
    }
    let mut start = 0.0;
    let end = b[idx].0;
    let mut count = b[idx].1;
    if idx > 0 {
        start = b[idx - 1].0;
        count -= b[idx - 1].1;
        rank -= b[idx - 1].1;
    }
    start + (end - start) * (rank / count)
}

/// The fraction of observations between `lower` and `upper`, interpolating linearly inside a
/// bucket. The lowest bucket starts at 0 when its upper bound is positive, else at -Inf;
/// inside a bucket of infinite width, observations count as lying at its finite edge.
pub(crate) fn bucket_fraction(lower: f64, upper: f64, b: &mut Vec<(f64, f64)>) -> f64 {
    if normalize(b, &mut false).is_none() || lower.is_nan() || upper.is_nan() {
        return f64::NAN;
    }
    let total = b[b.len() - 1].1;
    if total == 0.0 || total.is_nan() {
        return f64::NAN;
    }
    if lower >= upper {
        return 0.0;
    }
    // The rank (observations below) at `x`.
    let rank_at = |x: f64| {
        let mut below = 0.0;
        let mut lo = if b[0].0 > 0.0 { 0.0 } else { f64::NEG_INFINITY };
        for &(hi, cumulative) in b.iter() {
            let count = cumulative - below;
            if x <= lo {
                return below;
            }
            if x < hi {
                return below
                    + if lo == f64::NEG_INFINITY {
                        count
                    } else if hi == f64::INFINITY {
                        0.0
                    } else {
                        count * (x - lo) / (hi - lo)
                    };
            }
            below = cumulative;
            lo = hi;
        }
        total
    };
    (rank_at(upper).min(total) - rank_at(lower).min(total)) / total
}

#[cfg(test)]
mod tests {
    use super::bucket_fraction;

    #[test]
    fn fractions_interpolate_inside_buckets_and_not_inside_infinite_ones() {
        let b = || vec![(1.0, 1.0), (2.0, 3.0), (3.0, 6.0), (f64::INFINITY, 100.0)];
        let neg = || vec![(-3.0, 10.0), (-2.0, 12.0), (-1.0, 15.0), (f64::INFINITY, 100.0)];
        let close = |a: f64, e: f64| (a - e).abs() < 1e-12 || (a.is_nan() && e.is_nan());
        for (lo, hi, buckets, want) in [
            (0.0, 1.5, b(), 0.02),
            (-4.0, -2.0, neg(), 0.02),
            (f64::NEG_INFINITY, -1.5, neg(), 0.135),
            (f64::NEG_INFINITY, f64::INFINITY, b(), 1.0),
            (4.0, 5.0, b(), 0.0),
            (0.0, 1.0, neg(), 0.0),
            (2.0, 5.0, b(), 0.03),
            (400.0, f64::INFINITY, b(), 0.94),
            (2.0, 2.0, b(), 0.0),
            (3.0, 2.0, b(), 0.0),
            (0.5, 2.0, b(), 0.025),
            (f64::NAN, 1.0, b(), f64::NAN),
        ] {
            let got = bucket_fraction(lo, hi, &mut buckets.clone());
            assert!(close(got, want), "({lo}, {hi}): {got} want {want}");
        }
        assert!(bucket_fraction(0.0, 1.0, &mut vec![(1.0, 1.0)]).is_nan(), "no +Inf bucket");
    }
}
