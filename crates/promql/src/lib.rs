//! PromQL evaluation engine: instant and range queries over the storage traits.
//!
//! API contract (relied upon by `vigil-api`, `vigil-test-support` and later `vigil-rules`):
//! [`Engine::instant`] and [`Engine::range`] take any [`Queryable`], a query string and times in
//! milliseconds, and return a [`Value`] or an [`Error`] whose variant tells the HTTP layer which
//! Prometheus `errorType` to answer with.
#![deny(missing_docs)]

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};
use vigil_model::{Labels, Timestamp};
use vigil_promql_syntax::{Expr, ValueType};

mod bounds;
mod eval;
use vigil_storage::Queryable;

/// Most steps a range query may have beyond its first, as Prometheus' API allows (11,000).
pub const MAX_POINTS_PER_SERIES: i64 = 11_000;

/// Engine-wide settings (from `--query.*` flags).
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// `--query.lookback-delta` in milliseconds (default 5m).
    pub lookback_delta_ms: i64,
    /// `--query.timeout` (default 2m).
    pub timeout: Duration,
    /// `--query.max-samples` (default 50,000,000).
    pub max_samples: usize,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self { lookback_delta_ms: 5 * 60 * 1000, timeout: Duration::from_secs(120), max_samples: 50_000_000 }
    }
}

/// Per-query settings.
#[derive(Debug, Clone, Default)]
pub struct QueryOptions {
    /// Overrides the engine's lookback delta for this query (`lookback_delta` API parameter).
    pub lookback_delta_ms: Option<i64>,
    /// Overrides the engine's timeout (`timeout` API parameter), never above the engine's.
    pub timeout: Option<Duration>,
    /// Set to true from another thread to cancel the query (client went away).
    pub cancel: Option<Arc<AtomicBool>>,
}

/// One sample of an instant vector.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorSample {
    /// Series labels.
    pub labels: Labels,
    /// Evaluation timestamp (ms).
    pub t: Timestamp,
    /// Value.
    pub v: f64,
}

/// One series of a range vector or range-query result.
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixSeries {
    /// Series labels.
    pub labels: Labels,
    /// (timestamp ms, value) in increasing time order.
    pub points: Vec<(Timestamp, f64)>,
}

/// A query result, in Prometheus' four result types.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `scalar`
    Scalar(Timestamp, f64),
    /// `string`
    String(Timestamp, String),
    /// `vector`
    Vector(Vec<VectorSample>),
    /// `matrix` (range queries always return this; series sorted by labels)
    Matrix(Vec<MatrixSeries>),
}

/// A successful result plus annotations (Prometheus `warnings` and `infos`).
#[derive(Debug, Clone, PartialEq)]
pub struct QueryResult {
    /// The value.
    pub value: Value,
    /// Warnings to report alongside the data.
    pub warnings: Vec<String>,
    /// Informational annotations.
    pub infos: Vec<String>,
}

/// Query failures, one variant per Prometheus `errorType`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The query does not parse or type-check (`bad_data`, HTTP 400).
    #[error("{0}")]
    Parse(#[from] vigil_promql_syntax::Error),
    /// Bad parameters such as a zero step (`bad_data`, HTTP 400).
    #[error("{0}")]
    BadData(String),
    /// Evaluation failed (`execution`, HTTP 422), e.g. many-to-many matching or duplicate series.
    #[error("{0}")]
    Execution(String),
    /// `--query.max-samples` exceeded (`execution`, HTTP 422).
    #[error("query processing would load too many samples into memory in query execution")]
    TooManySamples,
    /// The timeout elapsed (`timeout`, HTTP 503).
    #[error("query timed out in {0}")]
    Timeout(&'static str),
    /// Cancelled by the caller (`canceled`, HTTP 499).
    #[error("query was canceled in {0}")]
    Canceled(&'static str),
    /// The storage failed (`internal`, HTTP 500).
    #[error("{0}")]
    Storage(#[from] vigil_storage::Error),
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The PromQL engine. Cheap to clone; share one per process.
#[derive(Debug, Clone, Default)]
pub struct Engine {
    opts: EngineOptions,
}

impl Engine {
    /// A new engine.
    pub fn new(opts: EngineOptions) -> Self {
        Self { opts }
    }

    /// The engine's options.
    pub fn options(&self) -> &EngineOptions {
        &self.opts
    }

    /// Evaluates `query` at time `t` (ms).
    pub fn instant(
        &self,
        storage: &dyn Queryable,
        query: &str,
        t: Timestamp,
        opts: &QueryOptions,
    ) -> Result<QueryResult> {
        let expr = vigil_promql_syntax::parse(query)?;
        self.run(storage, query, &expr, eval::Grid { start: t, step: 1, n: 1 }, opts, false)
    }

    /// Evaluates `query` at `start, start+step, ... <= end` (ms); always returns a matrix.
    pub fn range(
        &self,
        storage: &dyn Queryable,
        query: &str,
        start: Timestamp,
        end: Timestamp,
        step_ms: i64,
        opts: &QueryOptions,
    ) -> Result<QueryResult> {
        if step_ms <= 0 {
            return Err(Error::BadData(
                "zero or negative query resolution step widths are not accepted. Try a positive integer".into(),
            ));
        }
        if end < start {
            return Err(Error::BadData("end timestamp must not be before start time".into()));
        }
        let expr = vigil_promql_syntax::parse(query)?;
        let t = expr.value_type();
        if t != ValueType::Scalar && t != ValueType::Vector {
            return Err(Error::BadData(format!(
                "invalid expression type {:?} for range query, must be Scalar or instant Vector",
                if t == ValueType::Matrix { "range vector" } else { t.as_str() }
            )));
        }
        // The API refuses these too; checking here keeps rules and other callers within it.
        if (end - start) / step_ms > MAX_POINTS_PER_SERIES {
            return Err(Error::BadData(
                "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"
                    .into(),
            ));
        }
        let n = usize::try_from((end - start) / step_ms + 1).map_err(|_| Error::BadData("too many steps".into()))?;
        self.run(storage, query, &expr, eval::Grid { start, step: step_ms, n }, opts, true)
    }

    fn run(
        &self,
        storage: &dyn Queryable,
        query: &str,
        expr: &Expr,
        g: eval::Grid,
        opts: &QueryOptions,
        range: bool,
    ) -> Result<QueryResult> {
        let lookback = opts.lookback_delta_ms.filter(|&l| l > 0).unwrap_or(self.opts.lookback_delta_ms);
        let timeout = opts.timeout.map_or(self.opts.timeout, |t| t.min(self.opts.timeout));
        let (mint, maxt) = bounds::data_bounds(expr, g.start, g.end(), lookback);
        let querier = storage.querier(mint, maxt)?;
        let mut ctx = eval::Ctx {
            querier: querier.as_ref(),
            lookback,
            query_start: g.start,
            query_end: g.end(),
            query_step: if range { g.step } else { 0 },
            query,
            is_range: range,
            stop: eval::parallel::Interrupt { deadline: Instant::now() + timeout, cancel: opts.cancel.clone() },
            max_samples: self.opts.max_samples,
            samples: 0,
            infos: Vec::new(),
            warnings: Vec::new(),
        };
        let val = ctx.eval(expr, &g)?;
        let value = match val {
            eval::Val::Scalar(v) if range => Value::Matrix(vec![MatrixSeries {
                labels: Labels::empty(),
                points: v.iter().enumerate().map(|(k, &x)| (g.ts(k), x)).collect(),
            }]),
            eval::Val::Scalar(v) => Value::Scalar(g.start, v.first().copied().unwrap_or(f64::NAN)),
            eval::Val::Str(s) => Value::String(g.start, s),
            eval::Val::Vector(vs) => {
                let vs = eval::finish_names(vs)?;
                if range {
                    let mut out: Vec<MatrixSeries> = vs
                        .into_iter()
                        .filter(|s| !s.is_empty())
                        .map(|s| MatrixSeries {
                            points: (0..g.n).filter(|&k| s.has[k]).map(|k| (g.ts(k), s.vals[k])).collect(),
                            labels: s.labels,
                        })
                        .collect();
                    out.sort_by(|a, b| a.labels.cmp(&b.labels));
                    Value::Matrix(out)
                } else {
                    Value::Vector(
                        vs.into_iter()
                            .filter(|s| s.has[0])
                            .map(|s| VectorSample { t: g.start, v: s.vals[0], labels: s.labels })
                            .collect(),
                    )
                }
            }
            eval::Val::Matrix(ms) => {
                let mut out: Vec<MatrixSeries> = ms
                    .into_iter()
                    .map(|s| MatrixSeries {
                        labels: if s.drop_name { s.labels.without_metric_name() } else { s.labels },
                        points: s.ts.into_iter().zip(s.vals).collect(),
                    })
                    .collect();
                out.sort_by(|a, b| a.labels.cmp(&b.labels));
                Value::Matrix(out)
            }
        };
        Ok(QueryResult { value, warnings: ctx.warnings, infos: ctx.infos })
    }
}

#[cfg(test)]
mod tests;
