//! Function calls: instant-vector math, label manipulation, sorting, time and date functions.
//! Range functions live in `range_fns`, `histogram_quantile` in `histogram`.

use super::math::{civil_from_days, days_in_month, go_max, go_min};
use super::range_fns::RangeFn;
use super::selector::Mode;
use super::{Ctx, Grid, Series, Val};
use crate::{Error, Result};
use vigil_model::{Labels, METRIC_NAME, MatchOp};
use vigil_promql_syntax::{Call, Expr};

impl Ctx<'_> {
    pub(crate) fn eval_call(&mut self, c: &Call, g: &Grid) -> Result<Val> {
        let name = c.func.name;
        for (i, a) in c.args.iter().enumerate() {
            let Expr::MatrixSelector { vs, range_ms } = a.unparen() else { continue };
            let Some(how) = vs.extended else { continue };
            if i > 0 || !how.functions().contains(&name) {
                return Err(Error::Execution(format!(
                    "{} modifier can only be used with: {} - not with {name}",
                    how.as_str(),
                    how.functions().join(", ")
                )));
            }
            return Ok(Val::Vector(self.eval_extended_range_fn(name, vs, *range_ms, how, c.arg_offsets.get(0), g)?));
        }
        if let Some(f) = RangeFn::from_name(name) {
            return Ok(Val::Vector(self.eval_range_fn(f, &c.args, c.arg_offsets.get(0), g)?));
        }
        let args = &c.args;
        Ok(match name {
            "time" => Val::Scalar((0..g.n).map(|k| g.ts(k) as f64 / 1000.0).collect()),
            "start" => Val::Scalar(vec![self.query_start as f64 / 1000.0; g.n]),
            "end" => Val::Scalar(vec![self.query_end as f64 / 1000.0; g.n]),
            "range" => Val::Scalar(vec![(self.query_end - self.query_start) as f64 / 1000.0; g.n]),
            "step" => Val::Scalar(vec![self.query_step as f64 / 1000.0; g.n]),
            "min_of" | "max_of" => {
                let a = self.eval_scalar(&args[0], g)?;
                let b = self.eval_scalar(&args[1], g)?;
                let f = if name == "min_of" { go_min } else { go_max };
                Val::Scalar(a.iter().zip(&b).map(|(&x, &y)| f(x, y)).collect())
            }
            "pi" => Val::Scalar(vec![std::f64::consts::PI; g.n]),
            "vector" => {
                let v = self.eval_scalar(&args[0], g)?;
                Val::Vector(vec![Series::full(Labels::empty(), v)])
            }
            "scalar" => {
                let vs = self.eval_vector(&args[0], g)?;
                // A step with exactly one value gives it; none or several give NaN.
                let mut out = vec![f64::NAN; g.n];
                let mut seen = vec![0u8; g.n];
                for s in &vs {
                    for (k, v) in s.points() {
                        seen[k] = seen[k].saturating_add(1);
                        out[k] = if seen[k] == 1 { v } else { f64::NAN };
                    }
                }
                Val::Scalar(out)
            }
            // Only a selector's samples have start timestamps; any other expression has none
            // to give, so it yields nothing, as in Prometheus.
            "start_timestamp" => match args[0].unparen() {
                Expr::VectorSelector(sel) => {
                    let mut vs = self.eval_vector_selector(sel, g, Mode::StartTimestamp)?;
                    vs.iter_mut().for_each(|s| s.drop_name = true);
                    Val::Vector(vs)
                }
                other => {
                    self.eval_vector(other, g)?;
                    Val::Vector(Vec::new())
                }
            },
            "timestamp" => {
                let vs = match args[0].unparen() {
                    Expr::VectorSelector(sel) => self.eval_vector_selector(sel, g, Mode::Timestamp)?,
                    _ => {
                        let mut vs = self.eval_vector(&args[0], g)?;
                        for s in &mut vs {
                            s.map_values(|k, _| g.ts(k) as f64 / 1000.0);
                            // A histogram sample has a timestamp too.
                            for (k, _) in s.take_hists() {
                                s.set(k, g.ts(k) as f64 / 1000.0);
                            }
                        }
                        vs
                    }
                };
                Val::Vector(
                    vs.into_iter()
                        .map(|mut s| {
                            s.drop_name = true;
                            s
                        })
                        .collect(),
                )
            }
            "absent" => Val::Vector(self.absent(&args[0], g)?),
            "absent_over_time" => Val::Vector(self.absent_over_time(&args[0], g)?),
            "histogram_quantile" => Val::Vector(self.histogram_quantile(c, g)?),
            "histogram_quantiles" => Val::Vector(self.histogram_quantiles(c, g)?),
            "histogram_fraction" => Val::Vector(self.histogram_fraction(c, g)?),
            "histogram_avg" | "histogram_count" | "histogram_sum" | "histogram_stddev" | "histogram_stdvar" => {
                Val::Vector(self.histogram_stat(c, g)?)
            }
            "info" => Val::Vector(self.eval_info(args, g)?),
            "label_replace" => Val::Vector(self.label_replace(args, g)?),
            "label_join" => Val::Vector(self.label_join(args, g)?),
            "sort" | "sort_desc" | "sort_by_label" | "sort_by_label_desc" if self.is_range => {
                self.warn_at(
                    "PromQL warning: sort is ineffective for range queries since results are always ordered by labels",
                    name,
                );
                let vs = self.eval_vector(&args[0], g)?;
                Val::Vector(if name.starts_with("sort_by_label") { vs } else { floats_only(vs) })
            }
            "sort" | "sort_desc" => {
                // Sorting by value leaves histogram samples out, as Prometheus does.
                let mut vs = floats_only(self.eval_vector(&args[0], g)?);
                // Only meaningful for instant queries: order by the (single) step's value.
                let desc = name == "sort_desc";
                vs.sort_by(|a, b| {
                    let (x, y) = (a.get(0).unwrap_or(f64::NAN), b.get(0).unwrap_or(f64::NAN));

                    match (x.is_nan(), y.is_nan()) {
                        (true, true) => std::cmp::Ordering::Equal,
                        (true, false) => std::cmp::Ordering::Greater,
                        (false, true) => std::cmp::Ordering::Less,
                        _ => {
                            if desc {
                                y.total_cmp(&x)
                            } else {
                                x.total_cmp(&y)
                            }
                        }
                    }
                });
                Val::Vector(vs)
            }
            "sort_by_label" | "sort_by_label_desc" => {
                let mut vs = self.eval_vector(&args[0], g)?;
                let mut names = Vec::new();
                for a in &args[1..] {
                    names.push(self.eval_string(a, g)?);
                }
                let desc = name == "sort_by_label_desc";
                vs.sort_by(|a, b| {
                    let mut ord = std::cmp::Ordering::Equal;
                    for n in &names {
                        ord = natural_cmp(a.labels.get(n).unwrap_or(""), b.labels.get(n).unwrap_or(""));
                        if ord.is_ne() {
                            break;
                        }
                    }
                    let ord = ord.then_with(|| a.labels.cmp(&b.labels));
                    if desc { ord.reverse() } else { ord }
                });
                Val::Vector(vs)
            }
            "round" => {
                let mut vs = self.eval_vector(&args[0], g)?;
                let to = match args.get(1) {
                    Some(e) => self.eval_scalar(e, g)?,
                    None => vec![1.0; g.n],
                };
                for s in &mut vs {
                    s.drop_name = true;
                    s.map_values(|k, v| {
                        let inv = 1.0 / to[k];
                        (v * inv + 0.5).floor() / inv
                    });
                }
                Val::Vector(floats_only(vs))
            }
            "clamp" | "clamp_min" | "clamp_max" => {
                let mut vs = floats_only(self.eval_vector(&args[0], g)?);
                let a = self.eval_scalar(&args[1], g)?;
                let b = match args.get(2) {
                    Some(e) => self.eval_scalar(e, g)?,
                    None => vec![0.0; g.n],
                };
                for s in &mut vs {
                    s.drop_name = true;
                    s.filter_map_values(|k, v| match name {
                        "clamp_min" => Some(go_max(a[k], v)),
                        "clamp_max" => Some(go_min(a[k], v)),
                        _ => (b[k] >= a[k] || b[k].is_nan() || a[k].is_nan()).then(|| go_max(a[k], go_min(b[k], v))),
                    });
                }
                Val::Vector(vs.into_iter().filter(|s| !s.is_empty()).collect())
            }
            "minute" | "hour" | "day_of_month" | "day_of_week" | "day_of_year" | "days_in_month" | "month" | "year" => {
                let vs = match args.first() {
                    Some(e) => self.eval_vector(e, g)?,
                    None => vec![Series::full(Labels::empty(), (0..g.n).map(|k| g.ts(k) as f64 / 1000.0).collect())],
                };
                map_values(vs, |v| date_part(name, v))
            }
            _ => match simple_math(name) {
                Some(f) => {
                    let vs = self.eval_vector(&args[0], g)?;
                    map_values(vs, f)
                }
                None => return Err(Error::Execution(format!("function {name:?} is not supported"))),
            },
        })
    }

    fn absent(&mut self, arg: &Expr, g: &Grid) -> Result<Vec<Series>> {
        let vs = self.eval_vector(arg, g)?;
        let mut present = vec![false; g.n];
        for x in &vs {
            x.points().for_each(|(k, _)| present[k] = true);
            x.hists().iter().for_each(|(k, _)| present[*k] = true);
        }
        let mut s = Series::new(absent_labels(arg));
        for (k, _) in present.iter().enumerate().filter(|(_, p)| !**p) {
            s.set(k, 1.0);
        }
        Ok(if s.is_empty() { Vec::new() } else { vec![s] })
    }

    fn absent_over_time(&mut self, arg: &Expr, g: &Grid) -> Result<Vec<Series>> {
        let src = self.range_source(arg, g)?;
        let mut s = Series::new(absent_labels(arg));
        for k in 0..g.n {
            let end = src.window_end(g.ts(k));
            let start = end - src.range_ms;
            let present = src.series.iter().any(|r| {
                let i = r.ts.partition_point(|&t| t <= start);
                let j = r.hists.partition_point(|h| h.0 <= start);
                (i < r.ts.len() && r.ts[i] <= end) || (j < r.hists.len() && r.hists[j].0 <= end)
            });
            if !present {
                s.set(k, 1.0);
            }
        }
        Ok(if s.is_empty() { Vec::new() } else { vec![s] })
    }

    fn label_replace(&mut self, args: &[Expr], g: &Grid) -> Result<Vec<Series>> {
        let mut vs = self.eval_vector(&args[0], g)?;
        let dst = self.eval_string(&args[1], g)?;
        let repl = self.eval_string(&args[2], g)?;
        let src = self.eval_string(&args[3], g)?;
        let re_src = self.eval_string(&args[4], g)?;
        let re = regex_anchored(&re_src)?;
        if !valid_label_name(&dst) {
            return Err(Error::Execution(format!("invalid destination label name in label_replace(): {dst}")));
        }
        for (i, s) in vs.iter_mut().enumerate() {
            if i % 1024 == 0 {
                self.stop.check("label_replace")?;
            }
            let value = s.labels.get(&src).unwrap_or("").to_owned();
            if let Some(caps) = re.captures(&value) {
                let mut out = String::new();
                caps.expand(&repl, &mut out);
                let mut b = s.labels.builder();
                b.set(&dst, &out);
                s.labels = b.build();
                if dst == METRIC_NAME {
                    s.drop_name = false;
                }
            }
        }
        check_duplicates(&vs)?;
        Ok(vs)
    }

    fn label_join(&mut self, args: &[Expr], g: &Grid) -> Result<Vec<Series>> {
        let mut vs = self.eval_vector(&args[0], g)?;
        let dst = self.eval_string(&args[1], g)?;
        let sep = self.eval_string(&args[2], g)?;
        let mut srcs = Vec::new();
        for a in &args[3..] {
            srcs.push(self.eval_string(a, g)?);
        }
        if !valid_label_name(&dst) {
            return Err(Error::Execution(format!("invalid destination label name in label_join(): {dst}")));
        }
        for (i, s) in vs.iter_mut().enumerate() {
            if i % 1024 == 0 {
                self.stop.check("label_join")?;
            }
            let joined: Vec<&str> = srcs.iter().map(|n| s.labels.get(n).unwrap_or("")).collect();
            let joined = joined.join(&sep);
            let mut b = s.labels.builder();
            b.set(&dst, &joined);
            s.labels = b.build();
            if dst == METRIC_NAME {
                s.drop_name = false;
            }
        }
        check_duplicates(&vs)?;
        Ok(vs)
    }
}

/// Compares strings with runs of digits ordered by their numeric value (`cpu2 < cpu10`).
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, _) => return std::cmp::Ordering::Less,
            (_, None) => return std::cmp::Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let i = x.iter().take_while(|c| c.is_ascii_digit()).count();
                let j = y.iter().take_while(|c| c.is_ascii_digit()).count();
                let (nx, ny) = (trim_zeros(&x[..i]), trim_zeros(&y[..j]));
                let ord = nx.len().cmp(&ny.len()).then_with(|| nx.cmp(ny));
                if ord.is_ne() {
                    return ord;
                }
                x = &x[i..];
                y = &y[j..];
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(d);
                }
                x = &x[1..];
                y = &y[1..];
            }
        }
    }
}

fn trim_zeros(d: &[u8]) -> &[u8] {
    let z = d.iter().take_while(|&&c| c == b'0').count();
    &d[z.min(d.len().saturating_sub(1))..]
}

fn regex_anchored(p: &str) -> Result<regex::Regex> {
    vigil_model::compile_anchored(p).map_err(|e| {
        let e = match e {
            vigil_model::Error::Regex { message, .. } => message,
            other => other.to_string(),
        };
        Error::Execution(format!("invalid regular expression in label_replace(): {p}: {e}"))
    })
}

fn valid_label_name(n: &str) -> bool {
    !n.is_empty()
        && !n.starts_with(|c: char| c.is_ascii_digit())
        && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Two series of one vector may not end up with the same labels at the same step.
fn check_duplicates(vs: &[Series]) -> Result<()> {
    let mut seen = std::collections::HashMap::new();
    for (i, s) in vs.iter().enumerate() {
        if let Some(&j) = seen.get(&s.labels) {
            let other: &Series = &vs[j];
            if s.points().any(|(k, _)| other.has_any(k)) || s.hists().iter().any(|(k, _)| other.has_any(*k)) {
                return Err(Error::Execution("vector cannot contain metrics with the same labelset".into()));
            }
        }
        seen.insert(s.labels.clone(), i);
    }
    Ok(())
}

/// Applies a float function; histogram samples are left out, as Prometheus' float-only
/// functions do.
fn map_values(vs: Vec<Series>, f: impl Fn(f64) -> f64) -> Val {
    let mut vs = floats_only(vs);
    for s in &mut vs {
        s.drop_name = true;
        s.map_values(|_, v| f(v));
    }
    Val::Vector(vs)
}

/// `vs` without its histogram samples (and without the series that had nothing else); the
/// float path costs one check per series.
fn floats_only(mut vs: Vec<Series>) -> Vec<Series> {
    let mut emptied = false;
    for s in &mut vs {
        if s.has_hists() {
            s.clear_hists();
            emptied |= s.is_empty();
        }
    }
    if emptied {
        vs.retain(|s| !s.is_empty());
    }
    vs
}

/// Labels for `absent(...)`: the equality matchers of a plain selector argument.
fn absent_labels(arg: &Expr) -> Labels {
    let vs = match arg.unparen() {
        Expr::VectorSelector(vs) => vs,
        Expr::MatrixSelector { vs, .. } => vs,
        _ => return Labels::empty(),
    };
    let mut b = vigil_model::LabelsBuilder::new();
    let mut dup = Vec::new();
    for m in &vs.matchers {
        if m.name == METRIC_NAME {
            continue;
        }
        if vs.matchers.iter().filter(|o| o.name == m.name).count() > 1 {
            dup.push(m.name.clone());
        }
        if m.op == MatchOp::Equal {
            b.set(&m.name, &m.value);
        }
    }
    for d in dup {
        b.del(&d);
    }
    b.build()
}

fn simple_math(name: &str) -> Option<fn(f64) -> f64> {
    Some(match name {
        "abs" => f64::abs,
        "ceil" => f64::ceil,
        "floor" => f64::floor,
        "exp" => f64::exp,
        "ln" => f64::ln,
        "log2" => f64::log2,
        "log10" => f64::log10,
        "sqrt" => f64::sqrt,
        "sgn" => |v: f64| {
            if v > 0.0 {
                1.0
            } else if v < 0.0 {
                -1.0
            } else {
                v
            }
        },
        "sin" => f64::sin,
        "cos" => f64::cos,
        "tan" => f64::tan,
        "asin" => f64::asin,
        "acos" => f64::acos,
        "atan" => f64::atan,
        "sinh" => f64::sinh,
        "cosh" => f64::cosh,
        "tanh" => f64::tanh,
        "asinh" => f64::asinh,
        "acosh" => f64::acosh,
        "atanh" => f64::atanh,
        "deg" => |v: f64| v * 180.0 / std::f64::consts::PI,
        "rad" => |v: f64| v * std::f64::consts::PI / 180.0,
        _ => return None,
    })
}

fn date_part(name: &str, v: f64) -> f64 {
    if !v.is_finite() {
        return f64::NAN;
    }
    let secs = v.floor() as i64;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    match name {
        "minute" => ((sod / 60) % 60) as f64,
        "hour" => (sod / 3600) as f64,
        "day_of_month" => d as f64,
        "day_of_week" => (days + 4).rem_euclid(7) as f64,
        "day_of_year" => {
            let (y0, _, _) = (y, 1, 1);
            let start = days_before_year(y0);
            (days - start + 1) as f64
        }
        "days_in_month" => days_in_month(y, m) as f64,
        "month" => m as f64,
        _ => y as f64,
    }
}

/// Days from the epoch to January 1st of `y`.
fn days_before_year(y: i64) -> i64 {
    let y1 = y - 1;
    365 * (y - 1970) + (y1.div_euclid(4) - 1969 / 4) - (y1.div_euclid(100) - 1969 / 100)
        + (y1.div_euclid(400) - 1969 / 400)
}
