//! The histogram functions: `histogram_quantile`, `histogram_quantiles` and
//! `histogram_fraction` over classic histograms (series of cumulative `le` buckets) and native
//! histograms alike, and `histogram_count`/`_sum`/`_avg`/`_stddev`/`_stdvar`, which read native
//! histograms only (float samples are ignored).
//!
//! Buckets are grouped by their labels without `le` (the metric name included, so two
//! histograms that differ only by name stay apart and their results, whose name is dropped,
//! collide with Prometheus' error). Float series without a parseable `le` are skipped with a
//! warning. A native histogram whose labels equal a bucket group's, at a step where the group
//! has buckets, is a conflict: both are dropped there with Prometheus' "mix of classic and
//! native histograms" warning. The estimates over one native histogram live in `native`.

mod native;

use super::math::{format_go_float, format_openmetrics_float};
use super::{Ctx, Grid, Series, union_span};
use crate::Result;
use native::NanEffect;
use std::collections::HashMap;
use vigil_model::{FloatHistogram, Labels, METRIC_NAME};
use vigil_promql_syntax::Call;

/// Relative tolerance under which a decrease between buckets is treated as float noise.
const SMALL_DELTA_TOLERANCE: f64 = 1e-12;

/// The bucket series of one histogram: its labels without `le`, (upper bound, series index), and
/// the native histogram series with the same labels, if any.
struct Group {
    labels: Labels,
    members: Vec<(f64, usize)>,
    rival: Option<usize>,
}

/// A function's input vector split into classic bucket groups and native histogram series.
struct Split {
    groups: Vec<Group>,
    /// Series holding native histograms, with the bucket group of the same labels, if any.
    natives: Vec<(usize, Option<usize>)>,
}

impl Split {
    /// Whether native series `i` (rival of group `gi`) conflicts with its group at step `k`.
    fn group_has_buckets(&self, gi: Option<usize>, vs: &[Series], k: usize) -> bool {
        gi.is_some_and(|gi| self.groups[gi].members.iter().any(|&(_, m)| vs[m].has(k)))
    }
}

/// Result series keyed by labels, so classic and native results of one labelset share a series.
#[derive(Default)]
struct Outputs {
    out: Vec<Series>,
    index: HashMap<Labels, usize>,
}

impl Outputs {
    fn set(&mut self, labels: &Labels, k: usize, v: f64) -> Result<()> {
        let oi = match self.index.get(labels) {
            Some(&oi) => oi,
            None => {
                let mut s = Series::new(labels.clone());
                s.drop_name = true;
                self.out.push(s);
                self.index.insert(labels.clone(), self.out.len() - 1);
                self.out.len() - 1
            }
        };
        if self.out[oi].has(k) {
            return Err(crate::Error::Execution("vector cannot contain metrics with the same labelset".into()));
        }
        self.out[oi].set(k, v);
        Ok(())
    }
}

/// Annotations collected while a histogram function walks its input, emitted once at the end.
#[derive(Default)]
struct Notes {
    /// Metric names of bucket groups whose monotonicity had to be forced.
    forced: Vec<String>,
    /// Metric names with classic and native histograms at one step.
    mixed: Vec<String>,
    /// Metric names whose NaN observations made a quantile NaN, or skewed it.
    nan_result: Vec<String>,
    nan_skew: Vec<String>,
    /// Metric names whose NaN observations were left out of a fraction.
    nan_fraction: Vec<String>,
}

impl Notes {
    fn quantile_effect(&mut self, effect: Option<NanEffect>, labels: &Labels) {
        let name = || labels.get(METRIC_NAME).unwrap_or("").to_owned();
        match effect {
            Some(NanEffect::NanResult) => push_once(&mut self.nan_result, name()),
            Some(NanEffect::SkewedHigher) => push_once(&mut self.nan_skew, name()),
            None => {}
        }
    }
}

fn push_once(v: &mut Vec<String>, name: String) {
    if !v.contains(&name) {
        v.push(name);
    }
}

impl Ctx<'_> {
    /// `histogram_quantile(q, v)`.
    pub(crate) fn histogram_quantile(&mut self, c: &Call, g: &Grid) -> Result<Vec<Series>> {
        let q = self.eval_scalar(&c.args[0], g)?;
        self.warn_bad_quantiles(&q, c.arg_offsets.get(0));
        let vs = self.eval_vector(&c.args[1], g)?;
        let split = self.split_histograms(&vs, c.arg_offsets.get(1));
        let mut out = Outputs::default();
        let mut notes = Notes::default();
        for &(i, rival) in &split.natives {
            self.check("histogram_quantile")?;
            for (k, h) in vs[i].hists() {
                if split.group_has_buckets(rival, &vs, *k) {
                    continue;
                }
                let (v, effect) = native::quantile(q[*k], h);
                notes.quantile_effect(effect, &vs[i].labels);
                out.set(&vs[i].labels, *k, v)?;
            }
        }
        for group in &split.groups {
            self.check("histogram_quantile")?;
            let mut was_forced = false;
            let mut result = Ok(());
            for_each_step(group, &vs, &mut notes, |k, buckets| {
                if result.is_ok() {
                    result = out.set(&group.labels, k, bucket_quantile(q[k], buckets, &mut was_forced));
                }
            });
            result?;
            if was_forced {
                notes.forced.push(group.labels.get(METRIC_NAME).unwrap_or("").to_owned());
            }
        }
        self.emit_notes(&notes, c.arg_offsets.get(1));
        Ok(out.out)
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
        let split = self.split_histograms(&vs, c.arg_offsets.get(0));
        let mut out = Outputs::default();
        let mut notes = Notes::default();
        let with_quantile = |labels: &Labels, q: f64| {
            let mut b = labels.builder();
            b.set(&label, &format_openmetrics_float(q));
            b.build()
        };
        for &(i, rival) in &split.natives {
            self.check("histogram_quantiles")?;
            for (k, h) in vs[i].hists() {
                if split.group_has_buckets(rival, &vs, *k) {
                    continue;
                }
                for q in &qs {
                    let (v, effect) = native::quantile(q[*k], h);
                    notes.quantile_effect(effect, &vs[i].labels);
                    out.set(&with_quantile(&vs[i].labels, q[*k]), *k, v)?;
                }
            }
        }
        for group in &split.groups {
            self.check("histogram_quantiles")?;
            let mut was_forced = false;
            let mut results: Vec<(usize, f64, f64)> = Vec::new();
            for_each_step(group, &vs, &mut notes, |k, buckets| {
                // The first call normalises the buckets in place; the next find them normalised.
                for q in &qs {
                    results.push((k, q[k], bucket_quantile(q[k], buckets, &mut was_forced)));
                }
            });
            if was_forced {
                notes.forced.push(group.labels.get(METRIC_NAME).unwrap_or("").to_owned());
            }
            for (k, q, v) in results {
                out.set(&with_quantile(&group.labels, q), k, v)?;
            }
        }
        self.emit_notes(&notes, c.arg_offsets.get(0));
        Ok(out.out)
    }

    /// `histogram_fraction(lower, upper, v)`.
    pub(crate) fn histogram_fraction(&mut self, c: &Call, g: &Grid) -> Result<Vec<Series>> {
        let lower = self.eval_scalar(&c.args[0], g)?;
        let upper = self.eval_scalar(&c.args[1], g)?;
        let vs = self.eval_vector(&c.args[2], g)?;
        let split = self.split_histograms(&vs, c.arg_offsets.get(2));
        let mut out = Outputs::default();
        let mut notes = Notes::default();
        for &(i, rival) in &split.natives {
            self.check("histogram_fraction")?;
            for (k, h) in vs[i].hists() {
                if split.group_has_buckets(rival, &vs, *k) {
                    continue;
                }
                let (v, nans) = native::fraction(lower[*k], upper[*k], h);
                if nans {
                    push_once(&mut notes.nan_fraction, vs[i].labels.get(METRIC_NAME).unwrap_or("").to_owned());
                }
                out.set(&vs[i].labels, *k, v)?;
            }
        }
        for group in &split.groups {
            self.check("histogram_fraction")?;
            let mut result = Ok(());
            for_each_step(group, &vs, &mut notes, |k, buckets| {
                if result.is_ok() {
                    result = out.set(&group.labels, k, bucket_fraction(lower[k], upper[k], buckets));
                }
            });
            result?;
        }
        self.emit_notes(&notes, c.arg_offsets.get(2));
        Ok(out.out)
    }

    /// `histogram_count`, `histogram_sum`, `histogram_avg`, `histogram_stddev` and
    /// `histogram_stdvar`: a float per native histogram sample; float samples are ignored.
    pub(crate) fn histogram_stat(&mut self, c: &Call, g: &Grid) -> Result<Vec<Series>> {
        let f: fn(&FloatHistogram) -> f64 = match c.func.name {
            "histogram_count" => |h| h.count,
            "histogram_sum" => |h| h.sum,
            "histogram_avg" => |h| h.sum / h.count,
            "histogram_stddev" => |h| native::variance(h).sqrt(),
            _ => native::variance,
        };
        let vs = self.eval_vector(&c.args[0], g)?;
        let mut out = Vec::new();
        for s in vs.iter().filter(|s| s.has_hists()) {
            self.check(c.func.name)?;
            let mut o = Series::new(s.labels.clone());
            o.drop_name = true;
            for (k, h) in s.hists() {
                o.set(*k, f(h));
            }
            out.push(o);
        }
        Ok(out)
    }

    /// Splits `vs` into bucket groups (float series with a `le`, warning at `offset` about float
    /// series without a usable one) and native histogram series.
    fn split_histograms(&mut self, vs: &[Series], offset: usize) -> Split {
        let mut groups: Vec<Group> = Vec::new();
        let mut index: HashMap<Labels, usize> = HashMap::new();
        for (i, s) in vs.iter().enumerate() {
            if s.points().next().is_none() {
                continue;
            }
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
                groups.push(Group { labels: key, members: Vec::new(), rival: None });
                groups.len() - 1
            });
            groups[gi].members.push((upper, i));
        }
        let mut natives = Vec::new();
        for (i, s) in vs.iter().enumerate().filter(|(_, s)| s.has_hists()) {
            let gi = index.get(&s.labels).copied();
            if let Some(gi) = gi {
                groups[gi].rival = Some(i);
            }
            natives.push((i, gi));
        }
        Split { groups, natives }
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

    /// Emits the collected annotations, positioned at the histogram argument (`offset`).
    fn emit_notes(&mut self, notes: &Notes, offset: usize) {
        for name in &notes.mixed {
            self.warn_at_offset(
                &with_metric_name("PromQL warning: vector contains a mix of classic and native histograms", name),
                offset,
            );
        }
        for name in &notes.forced {
            self.info_at_offset(
                &format!(
                    "PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name {name:?}"
                ),
                offset,
            );
        }
        let infos = [
            (&notes.nan_result, "input to histogram_quantile has NaN observations, result is NaN"),
            (&notes.nan_skew, "input to histogram_quantile has NaN observations, result is skewed higher"),
            (
                &notes.nan_fraction,
                "input to histogram_fraction has NaN observations, which are excluded from all fractions",
            ),
        ];
        for (names, text) in infos {
            for name in names {
                self.info_at_offset(&with_metric_name(&format!("PromQL info: {text}"), name), offset);
            }
        }
    }
}

/// `text` with " for metric name \"name\"" appended when there is a name (Prometheus'
/// `maybeAddMetricName`).
fn with_metric_name(text: &str, name: &str) -> String {
    if name.is_empty() { text.to_owned() } else { format!("{text} for metric name {name:?}") }
}

/// Calls `f` for every step where some bucket of `group` has a value, with the buckets there
/// as (upper bound, cumulative count); steps where the group's rival native histogram has a
/// value are skipped and noted as a mix.
fn for_each_step(group: &Group, vs: &[Series], notes: &mut Notes, mut f: impl FnMut(usize, &mut Vec<(f64, f64)>)) {
    let mut buckets = Vec::with_capacity(group.members.len());
    for k in union_span(group.members.iter().map(|&(_, i)| &vs[i])) {
        buckets.clear();
        buckets.extend(group.members.iter().filter_map(|&(u, i)| Some((u, vs[i].get(k)?))));
        if buckets.is_empty() {
            continue;
        }
        if group.rival.is_some_and(|r| vs[r].hist(k).is_some()) {
            push_once(&mut notes.mixed, group.labels.get(METRIC_NAME).unwrap_or("").to_owned());
            continue;
        }
        f(k, &mut buckets);
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
