//! `histogram_quantile` over classic `le` buckets.

use super::{Ctx, Grid, Series, union_span};
use crate::Result;
use std::collections::HashMap;
use vigil_model::Labels;
use vigil_promql_syntax::Expr;

/// Relative tolerance under which a decrease between buckets is treated as float noise.
const SMALL_DELTA_TOLERANCE: f64 = 1e-12;

impl Ctx<'_> {
    pub(crate) fn histogram_quantile(&mut self, args: &[Expr], g: &Grid) -> Result<Vec<Series>> {
        let q = self.eval_scalar(&args[0], g)?;
        let vs = self.eval_vector(&args[1], g)?;
        // Group bucket series by their labels without `le` and `__name__`.
        let mut groups: Vec<(Labels, Vec<(f64, usize)>)> = Vec::new();
        let mut index: HashMap<Labels, usize> = HashMap::new();
        for (i, s) in vs.iter().enumerate() {
            let Some(le) = s.labels.get("le") else { continue };
            let Some(upper) = parse_le(le) else { continue };
            let key = s.labels.without(&["le", vigil_model::METRIC_NAME]);
            let gi = *index.entry(key.clone()).or_insert_with(|| {
                groups.push((key, Vec::new()));
                groups.len() - 1
            });
            groups[gi].1.push((upper, i));
        }
        let mut out = Vec::with_capacity(groups.len());
        let mut buckets: Vec<(f64, f64)> = Vec::new();
        let mut forced = false;
        for (labels, members) in groups {
            self.check("histogram_quantile")?;
            let mut s = Series::new(labels);
            for k in union_span(members.iter().map(|&(_, i)| &vs[i])) {
                buckets.clear();
                buckets.extend(members.iter().filter_map(|&(u, i)| Some((u, vs[i].get(k)?))));
                if buckets.is_empty() {
                    continue;
                }
                s.set(k, bucket_quantile(q[k], &mut buckets, &mut forced));
            }
            if !s.is_empty() {
                out.push(s);
            }
        }
        if forced {
            self.infos.push("PromQL info: input to histogram_quantile needed to be fixed for monotonicity".into());
        }
        Ok(out)
    }
}

fn parse_le(s: &str) -> Option<f64> {
    match s {
        "+Inf" | "Inf" | "+inf" | "inf" => Some(f64::INFINITY),
        "-Inf" | "-inf" => Some(f64::NEG_INFINITY),
        _ => s.parse().ok(),
    }
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
    b.sort_by(|x, y| x.0.total_cmp(&y.0));
    if b.last().is_none_or(|l| l.0 != f64::INFINITY) {
        return f64::NAN;
    }
    // Merge buckets with the same upper bound.
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
    // Monotonicity fix: counts must not decrease; tiny decreases are float noise.
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
    if b.len() < 2 {
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
