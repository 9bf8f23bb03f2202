//! The evaluator: every expression is evaluated over a whole grid of steps at once, so each series
//! is decoded once and range functions walk their samples with two pointers over all steps.
//!
//! Intermediate vectors hold each series over the steps from its first value to its last
//! ([`Series`]). `__name__` removal is delayed (a flag on the series) until the end of the query, as
//! Prometheus 3 does with `EnableDelayedNameRemoval`.

// Steps index several parallel arrays (values, presence, parameters) at once.
#![allow(clippy::needless_range_loop)]

mod aggregate;
mod binary;
mod extended;
mod functions;
mod histogram;
mod info;
pub(crate) mod math;
pub(crate) mod parallel;
mod range_fns;
mod range_series;
mod selector;
mod series;
mod stats_hints;

pub(crate) use series::{HStep, SAMPLE_BYTES, Series, StepSet, hist_cost, span_cost, union_span, vector_cost};
pub(crate) use stats_hints::StatsSelectors;

use crate::{Error, Result};
use vigil_model::{Labels, Timestamp};
use vigil_promql_syntax::{At, Expr};
use vigil_storage::Querier;

/// Default step of subqueries written without one (`x[5m:]`) until a configuration sets
/// `evaluation_interval`: Prometheus' default evaluation interval.
pub(crate) const DEFAULT_SUBQUERY_STEP_MS: i64 = 60_000;

/// The evaluation timestamps `start + k*step`, `k < n`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Grid {
    pub start: Timestamp,
    pub step: i64,
    pub n: usize,
}

impl Grid {
    #[inline]
    pub fn ts(&self, k: usize) -> Timestamp {
        self.start + k as i64 * self.step
    }
    pub fn end(&self) -> Timestamp {
        self.ts(self.n.saturating_sub(1))
    }
}

/// A sample charge shared by worker threads, which add each result's cost as they make it:
/// a parallel step over the budget stops with at most one result per thread beyond it.
pub(crate) struct SharedCharge {
    used: std::sync::atomic::AtomicUsize,
    room: usize,
}

impl SharedCharge {
    /// Adds `n`; fails once the total passes what the query had left when the step began.
    pub fn add(&self, n: usize) -> Result<()> {
        let before = self.used.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        if before.saturating_add(n) > self.room {
            return Err(Error::TooManySamples);
        }
        Ok(())
    }

    /// Returns `n` that is no longer held.
    pub fn release(&self, n: usize) {
        self.used.fetch_sub(n, std::sync::atomic::Ordering::Relaxed);
    }
}

/// A series of raw samples (range vectors): floats and native histograms in two arrays, as
/// Prometheus' `Series` has `Floats` and `Histograms`; never both at one timestamp.
#[derive(Debug, Clone)]
pub(crate) struct RangeSeries {
    pub labels: Labels,
    pub drop_name: bool,
    pub ts: Vec<Timestamp>,
    pub vals: Vec<f64>,
    pub hists: Vec<vigil_storage::HPoint>,
    /// Start timestamps of the floats (`0` = unknown): empty, or as long as `ts`. Only matrix
    /// selectors over a storage that keeps them fill these; subqueries never do.
    pub sts: Vec<Timestamp>,
    /// Start timestamps of the histograms: empty, or as long as `hists`.
    pub hsts: Vec<Timestamp>,
}

#[cfg(test)]
impl RangeSeries {
    /// A series of float samples only.
    pub fn floats(labels: Labels, drop_name: bool, ts: Vec<Timestamp>, vals: Vec<f64>) -> Self {
        Self { labels, drop_name, ts, vals, hists: Vec::new(), sts: Vec::new(), hsts: Vec::new() }
    }
}

/// An evaluated expression.
#[derive(Debug)]
pub(crate) enum Val {
    Scalar(Vec<f64>),
    Str(String),
    Vector(Vec<Series>),
    /// Only produced for top-level range-vector expressions of instant queries.
    Matrix(Vec<RangeSeries>),
}

/// Per-query evaluation state.
pub(crate) struct Ctx<'a> {
    pub querier: &'a dyn Querier,
    pub lookback: i64,
    pub query_start: Timestamp,
    pub query_end: Timestamp,
    /// Step of the top-level query (0 for instant queries), for `step()`.
    pub query_step: i64,
    /// Step of subqueries written without one: the configured `evaluation_interval`.
    pub default_subquery_step_ms: i64,
    /// The query text, to give annotations a position.
    pub query: &'a str,
    /// Whether this is a range query.
    pub is_range: bool,
    /// Timeout and cancellation (also checked by worker threads).
    pub stop: parallel::Interrupt,
    pub max_samples: usize,
    /// Samples held in memory now, and the most held at once.
    pub samples: usize,
    pub peak_samples: usize,
    /// Set when a select failed because its raw samples exceeded the budget (rather than the
    /// samples the query holds), so range functions know that a smaller grid can succeed.
    pub select_over_budget: bool,
    /// Samples each step could see, for query statistics.
    pub counter: crate::stats::SampleCounter,
    pub infos: Vec<String>,
    pub warnings: Vec<String>,
    /// The selectors whose histograms get counter-reset hints decided on read.
    pub stats_selectors: StatsSelectors,
}

impl Ctx<'_> {
    /// Checks timeout and cancellation; called between series and steps.
    pub fn check(&mut self, what: &'static str) -> Result<()> {
        self.stop.check(what)
    }

    /// Accounts `n` more samples held in memory.
    pub fn add_samples(&mut self, n: usize) -> Result<()> {
        self.samples += n;
        self.peak_samples = self.peak_samples.max(self.samples);
        if self.samples > self.max_samples {
            return Err(Error::TooManySamples);
        }
        Ok(())
    }

    /// What the query may still hold before `--query.max-samples`.
    pub fn room(&self) -> usize {
        self.max_samples.saturating_sub(self.samples)
    }

    /// Fails when `n` more samples would not fit, without accounting them: checked before
    /// allocating something that is accounted once it exists.
    pub fn ensure_room(&self, n: usize) -> Result<()> {
        if n > self.room() {
            return Err(Error::TooManySamples);
        }
        Ok(())
    }

    /// A charge for worker threads against what the query has left.
    pub fn shared_charge(&self) -> SharedCharge {
        SharedCharge { used: std::sync::atomic::AtomicUsize::new(0), room: self.room() }
    }

    /// Releases `n` samples that are no longer held.
    pub fn release_samples(&mut self, n: usize) {
        self.samples = self.samples.saturating_sub(n);
    }

    /// Adds a warning annotation positioned at the first occurrence of `token` in the query.
    pub fn warn_at(&mut self, msg: &str, token: &str) {
        let off = self.query.find(token).unwrap_or(0);
        self.warn_at_offset(msg, off);
    }

    /// Adds a warning annotation positioned at byte `offset` of the query (once per text).
    pub fn warn_at_offset(&mut self, msg: &str, offset: usize) {
        let w = format!("{msg} ({})", self.position_of(offset));
        if !self.warnings.contains(&w) {
            self.warnings.push(w);
        }
    }

    /// Adds an info annotation positioned at byte `offset` of the query (once per text).
    pub fn info_at_offset(&mut self, msg: &str, offset: usize) {
        let i = format!("{msg} ({})", self.position_of(offset));
        if !self.infos.contains(&i) {
            self.infos.push(i);
        }
    }

    fn position_of(&self, offset: usize) -> String {
        let off = (0..=offset.min(self.query.len())).rev().find(|&o| self.query.is_char_boundary(o)).unwrap_or(0);
        let before = &self.query[..off];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("{line}:{col}")
    }

    pub fn resolve_at(&self, at: Option<At>) -> Option<Timestamp> {
        at.map(|a| match a {
            At::Timestamp(t) => t,
            At::Start => self.query_start,
            At::End => self.query_end,
        })
    }

    /// Evaluates `e` over the grid `g`.
    pub fn eval(&mut self, e: &Expr, g: &Grid) -> Result<Val> {
        self.check("query evaluation")?;
        match e {
            Expr::Number(v) => Ok(Val::Scalar(vec![*v; g.n])),
            Expr::String(s) => Ok(Val::Str(s.clone())),
            Expr::Paren(inner) => self.eval(inner, g),
            Expr::VectorSelector(vs) => Ok(Val::Vector(self.eval_vector_selector(vs, g, selector::Mode::Value)?)),
            Expr::MatrixSelector { .. } | Expr::Subquery(_) => Ok(Val::Matrix(self.eval_matrix_at_end(e, g)?)),
            Expr::Neg(inner) => match self.eval(inner, g)? {
                Val::Scalar(mut v) => {
                    v.iter_mut().for_each(|x| *x = -*x);
                    Ok(Val::Scalar(v))
                }
                Val::Vector(mut vs) => {
                    for s in &mut vs {
                        s.map_values(|_, x| -x);
                        if s.has_hists() {
                            s.filter_map_hists(|_, h| Some(std::sync::Arc::new(h.neg())));
                        }
                        s.drop_name = true;
                    }
                    Ok(Val::Vector(vs))
                }
                _ => Err(Error::Execution("unary minus on a non-numeric value".into())),
            },
            Expr::Binary(b) => self.eval_binary(b, g),
            Expr::Aggregate(a) => self.eval_aggregate(a, g),
            Expr::Call(c) => self.eval_call(c, g),
        }
    }

    /// Evaluates `e` to per-step scalars.
    pub fn eval_scalar(&mut self, e: &Expr, g: &Grid) -> Result<Vec<f64>> {
        match self.eval(e, g)? {
            Val::Scalar(v) => Ok(v),
            _ => Err(Error::Execution("expected a scalar".into())),
        }
    }

    /// Evaluates `e` to an instant vector.
    pub fn eval_vector(&mut self, e: &Expr, g: &Grid) -> Result<Vec<Series>> {
        match self.eval(e, g)? {
            Val::Vector(v) => Ok(v),
            _ => Err(Error::Execution("expected an instant vector".into())),
        }
    }

    /// Evaluates `e` to a string.
    pub fn eval_string(&mut self, e: &Expr, g: &Grid) -> Result<String> {
        match self.eval(e, g)? {
            Val::Str(s) => Ok(s),
            _ => Err(Error::Execution("expected a string".into())),
        }
    }
}

/// The labels that name a metric: dropped together when an operation drops the name
/// (`__type__` and `__unit__` are part of the name with Prometheus' type-and-unit labels).
const NAME_LABELS: [&str; 3] = [vigil_model::METRIC_NAME, "__type__", "__unit__"];

/// `labels` without the metric name and the labels that go with it.
pub(crate) fn without_name(labels: &Labels) -> Labels {
    labels.without(&NAME_LABELS)
}

/// Removes `__name__` where flagged and rejects label sets that collide at the same step.
pub(crate) fn finish_names(series: Vec<Series>) -> Result<Vec<Series>> {
    let mut out: Vec<Series> = Vec::with_capacity(series.len());
    let mut index: std::collections::HashMap<Labels, usize> = std::collections::HashMap::new();
    for mut s in series {
        if s.drop_name {
            s.labels = without_name(&s.labels);
            s.drop_name = false;
        }
        match index.get(&s.labels) {
            None => {
                index.insert(s.labels.clone(), out.len());
                out.push(s);
            }
            Some(&i) => {
                if out[i].merge(&s, 0) {
                    return Err(Error::Execution("vector cannot contain metrics with the same labelset".into()));
                }
            }
        }
    }
    Ok(out)
}
