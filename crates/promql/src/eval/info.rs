//! `info(v, {selector})`: adds the data labels of info series (`target_info` by default) to the
//! series of `v` that share their identifying labels (`instance`, `job`).
//!
//! Per step, each info metric contributes the newest of its series that the step's lookback
//! sees and that has the base series' identifying labels. The info series are read as of the
//! same time as the base series: the `@` and `offset` of the first selector in `v` (and of the
//! subqueries around it) move the reference time of every step.
//!
//! Base series that are info series themselves (their name matches every `__name__` matcher of
//! the selector, or `target_info` without any, or `.+_info` as well with negative ones only)
//! pass through unchanged. A step where no info series matches keeps the base
//! sample unchanged, unless a data-label matcher of the selector needs a non-empty value, in
//! which case the sample is dropped.

use super::selector::Mode;
use super::{Ctx, Grid, Series};
use crate::{Error, Result};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use vigil_model::{Labels, METRIC_NAME, MatchOp, Matcher, Timestamp};
use vigil_promql_syntax::{At, Expr, VectorSelector};

/// The labels that tie a series to its info series.
const IDENTIFYING: [&str; 2] = ["instance", "job"];

/// The info metric `info()` reads without a `__name__` matcher.
const TARGET_INFO: &str = "target_info";

/// The info metrics `info()` reads when the selector has only negative `__name__` matchers.
const INFO_NAME_PATTERN: &str = ".+_info";

impl Ctx<'_> {
    pub(crate) fn eval_info(&mut self, args: &[Expr], g: &Grid) -> Result<Vec<Series>> {
        let base = self.eval_vector(&args[0], g)?;
        let selector: &[Matcher] = match args.get(1) {
            Some(Expr::VectorSelector(vs)) => &vs.matchers,
            _ => &[],
        };
        let (name_matchers, data_matchers): (Vec<&Matcher>, Vec<&Matcher>) =
            selector.iter().partition(|m| m.name == METRIC_NAME);
        // Which metrics are info metrics: the selector's `__name__` matchers, with at least one
        // positive among them (`{__name__!~"build_info"}` alone would take every other metric).
        let mut info_names: Vec<Matcher> = name_matchers.iter().map(|m| (*m).clone()).collect();
        if !info_names.iter().any(|m| matches!(m.op, MatchOp::Equal | MatchOp::Regex)) {
            info_names.push(if info_names.is_empty() {
                Matcher::equal(METRIC_NAME, TARGET_INFO)
            } else {
                Matcher::new(MatchOp::Regex, METRIC_NAME, INFO_NAME_PATTERN)
                    .map_err(|e| Error::Execution(e.to_string()))?
            });
        }
        let is_info = |s: &Series| {
            let name = s.labels.get(METRIC_NAME).unwrap_or("");
            info_names.iter().all(|m| m.matches(name))
        };
        let ignored: Vec<bool> = base.iter().map(is_info).collect();

        // The identifying values of the series to enrich, as selectors of their info series.
        let mut ids: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for s in base.iter().zip(&ignored).filter(|(_, i)| !**i).map(|(s, _)| s) {
            for name in IDENTIFYING {
                if let Some(v) = s.labels.get(name).filter(|v| !v.is_empty()) {
                    ids.entry(name).or_default().insert(v);
                }
            }
        }
        let info = if ids.is_empty() {
            Vec::new()
        } else {
            let mut matchers = info_names.clone();
            for (name, values) in &ids {
                let alternation: Vec<String> = values.iter().map(|v| regex::escape(v)).collect();
                matchers.push(
                    Matcher::new(MatchOp::Regex, *name, alternation.join("|"))
                        .map_err(|e| Error::Execution(e.to_string()))?,
                );
            }
            matchers.extend(data_matchers.iter().map(|m| (*m).clone()));
            let (at, offset_ms) = reference_of(&args[0], |a| self.resolve_at(a));
            let vs = VectorSelector {
                name: None,
                matchers,
                offset_ms,
                at: at.map(At::Timestamp),
                extended: None,
                durations: None,
            };
            // Each info sample's value is its timestamp: the newest wins a conflict.
            let info = self.eval_vector_selector(&vs, g, Mode::FloatTimestamp)?;
            if let Some(s) = info.iter().find(|s| s.has_hists()) {
                return Err(Error::Execution(format!(
                    "this should be an info metric, with float samples: {}",
                    s.labels
                )));
            }
            info
        };
        let data_names: BTreeSet<&str> = data_matchers.iter().map(|m| m.name.as_str()).collect();
        let drop_unmatched = data_matchers.iter().any(|m| !m.matches_empty());
        let join = Join::new(&info, data_names);
        let mut out = Output::default();
        for (i, s) in base.into_iter().enumerate() {
            if i % 256 == 0 {
                self.check("info")?;
            }
            if ignored[i] {
                out.put_series(s)?;
                continue;
            }
            join.enrich(&s, drop_unmatched, &mut out)?;
        }
        let series = out.series;
        self.add_samples(super::vector_cost(&series))?;
        Ok(series)
    }
}

/// The `@` time and total offset that the first selector of `e` (depth first, left to right) is
/// read with, through the subqueries around it: the reference time of a step at `t` is
/// `at.unwrap_or(t) - offset`.
fn reference_of(e: &Expr, resolve: impl Fn(Option<At>) -> Option<Timestamp>) -> (Option<Timestamp>, i64) {
    let (mut at, mut offset) = (None, 0i64);
    let mut shift = |node_at: Option<At>, node_offset: i64| {
        if let Some(t) = resolve(node_at) {
            at = Some(t);
            offset = node_offset;
        } else {
            offset += node_offset;
        }
    };
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match e {
            Expr::VectorSelector(vs) | Expr::MatrixSelector { vs, .. } => {
                shift(vs.at, vs.offset_ms);
                break;
            }
            Expr::Subquery(sq) => {
                shift(sq.at, sq.offset_ms);
                stack.clear();
                stack.push(&sq.expr);
            }
            Expr::Paren(inner) | Expr::Neg(inner) => stack.push(inner),
            Expr::Binary(b) => {
                stack.push(&b.rhs);
                stack.push(&b.lhs);
            }
            Expr::Aggregate(a) => {
                if let Some(p) = &a.param {
                    stack.push(p);
                }
                stack.push(&a.expr);
            }
            Expr::Call(c) => stack.extend(c.args.iter().rev()),
            Expr::Number(_) | Expr::String(_) => {}
        }
    }
    (at, offset)
}

/// The info series, grouped by metric name and identifying labels.
struct Join<'a> {
    info: &'a [Series],
    /// Info metric names, sorted (the order conflicts are reported in).
    names: Vec<String>,
    /// Info series by signature (metric name and identifying labels).
    by_signature: HashMap<Labels, Vec<usize>>,
    /// The data labels to copy; all when empty.
    data_names: BTreeSet<&'a str>,
}

impl<'a> Join<'a> {
    fn new(info: &'a [Series], data_names: BTreeSet<&'a str>) -> Self {
        let mut names = BTreeSet::new();
        let mut by_signature: HashMap<Labels, Vec<usize>> = HashMap::new();
        for (j, s) in info.iter().enumerate() {
            let name = s.labels.get(METRIC_NAME).unwrap_or("");
            names.insert(name.to_owned());
            by_signature.entry(signature(name, &s.labels)).or_default().push(j);
        }
        Self { info, names: names.into_iter().collect(), by_signature, data_names }
    }

    /// Adds `base` to `out` with the data labels of its info series at every step.
    fn enrich(&self, base: &Series, drop_unmatched: bool, out: &mut Output) -> Result<()> {
        let groups: Vec<&[usize]> = self
            .names
            .iter()
            .filter_map(|n| self.by_signature.get(&signature(n, &base.labels)).map(Vec::as_slice))
            .collect();
        // The info series chosen at the previous step, and the output series they made.
        let mut previous: Option<(Vec<usize>, Option<usize>)> = None;
        let mut chosen = Vec::with_capacity(groups.len());
        // Histogram samples are enriched like floats; the float-only path stays a plain walk.
        let values: Box<dyn Iterator<Item = (usize, Value)>> = if base.has_hists() {
            let mut all: Vec<(usize, Value)> = base.points().map(|(k, v)| (k, Value::F(v))).collect();
            all.extend(base.hists().iter().map(|(k, h)| (*k, Value::H(h.clone()))));
            all.sort_by_key(|e| e.0);
            Box::new(all.into_iter())
        } else {
            Box::new(base.points().map(|(k, v)| (k, Value::F(v))))
        };
        for (k, v) in values {
            chosen.clear();
            for members in &groups {
                if let Some(j) = self.newest(members, k)? {
                    chosen.push(j);
                }
            }
            let target = match &previous {
                Some((p, target)) if *p == chosen => *target,
                _ => {
                    let target = if chosen.is_empty() && drop_unmatched {
                        None
                    } else {
                        Some(out.index_of(self.labels_for(base, &chosen)?, base.drop_name))
                    };
                    previous = Some((chosen.clone(), target));
                    target
                }
            };
            if let Some(oi) = target {
                out.set(oi, k, v)?;
            }
        }
        Ok(())
    }

    /// The newest of `members` with a value at step `k`.
    fn newest(&self, members: &[usize], k: usize) -> Result<Option<usize>> {
        let mut best: Option<(usize, f64)> = None;
        for &j in members {
            let Some(t) = self.info[j].get(k) else { continue };
            match best {
                Some((b, bt)) if bt == t => {
                    return Err(Error::Execution(format!(
                        "found duplicate series for info metric: existing {} @ {}, new {} @ {}",
                        self.info[b].labels,
                        (bt * 1000.0) as i64,
                        self.info[j].labels,
                        (t * 1000.0) as i64
                    )));
                }
                Some((_, bt)) if bt > t => {}
                _ => best = Some((j, t)),
            }
        }
        Ok(best.map(|(j, _)| j))
    }

    /// The base labels plus the data labels of the chosen info series.
    fn labels_for(&self, base: &Series, chosen: &[usize]) -> Result<Labels> {
        let mut added: BTreeMap<&str, &str> = BTreeMap::new();
        for &j in chosen {
            for l in self.info[j].labels.iter() {
                if l.name == METRIC_NAME || (!self.data_names.is_empty() && !self.data_names.contains(l.name.as_str()))
                {
                    continue;
                }
                if let Some(v) = added.get(l.name.as_str())
                    && *v != l.value
                {
                    return Err(Error::Execution(format!("conflicting label: {}", l.name)));
                }
                if base.labels.has(&l.name) {
                    continue;
                }
                added.insert(&l.name, &l.value);
            }
        }
        if added.is_empty() {
            return Ok(base.labels.clone());
        }
        let mut b = base.labels.builder();
        for (n, v) in added {
            b.set(n, v);
        }
        Ok(b.build())
    }
}

/// An info metric's name with the identifying labels `labels` has.
fn signature(name: &str, labels: &Labels) -> Labels {
    let mut b = labels.keep_only(&IDENTIFYING).builder();
    b.set(METRIC_NAME, name);
    b.build()
}

/// A base sample of either kind.
enum Value {
    F(f64),
    H(std::sync::Arc<vigil_model::FloatHistogram>),
}

/// The result series, by labels.
#[derive(Default)]
struct Output {
    series: Vec<Series>,
    index: HashMap<(Labels, bool), usize>,
}

impl Output {
    fn index_of(&mut self, labels: Labels, drop_name: bool) -> usize {
        let key = (labels, drop_name);
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        let mut s = Series::new(key.0.clone());
        s.drop_name = drop_name;
        self.series.push(s);
        self.index.insert(key, self.series.len() - 1);
        self.series.len() - 1
    }

    fn set(&mut self, oi: usize, k: usize, v: Value) -> Result<()> {
        if self.series[oi].has_any(k) {
            return Err(Error::Execution("vector cannot contain metrics with the same labelset".into()));
        }
        match v {
            Value::F(v) => self.series[oi].set(k, v),
            Value::H(h) => self.series[oi].set_hist(k, h),
        };
        Ok(())
    }

    /// Adds a series unchanged.
    fn put_series(&mut self, s: Series) -> Result<()> {
        let oi = self.index_of(s.labels.clone(), s.drop_name);
        if self.series[oi].merge(&s, 0) {
            return Err(Error::Execution("vector cannot contain metrics with the same labelset".into()));
        }
        Ok(())
    }
}
