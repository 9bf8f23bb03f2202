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
use vigil_model::{FloatHistogram, Labels, Timestamp};
pub use vigil_promql_syntax::Features;
use vigil_promql_syntax::{Expr, ParseOptions, ValueType};

mod bounds;
mod eval;
mod query_log;
mod stats;

pub use query_log::{QueryLogEntry, QueryLogger, QueryOrigin};
pub use stats::{QueryStats, StatsLevel, Timings};
use vigil_storage::{HPoint, Queryable};

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
    /// The experimental language features `--enable-feature` turned on (default: none).
    pub features: Features,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            lookback_delta_ms: 5 * 60 * 1000,
            timeout: Duration::from_secs(120),
            max_samples: 50_000_000,
            features: Features::default(),
        }
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
    /// How much detail [`QueryResult::stats`] gets.
    pub stats: StatsLevel,
    /// Time the caller already spent queueing the query (reported as `execQueueTime`).
    pub queue_wait: Duration,
    /// Who asked, for the query log.
    pub origin: Option<QueryOrigin>,
}

/// One sample of an instant vector: a float, or a native histogram.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorSample {
    /// Series labels.
    pub labels: Labels,
    /// Evaluation timestamp (ms).
    pub t: Timestamp,
    /// Value (0 when the sample is a histogram).
    pub v: f64,
    /// The native histogram, when the sample is one.
    pub h: Option<Arc<FloatHistogram>>,
}

impl VectorSample {
    /// A float sample.
    pub fn float(labels: Labels, t: Timestamp, v: f64) -> Self {
        Self { labels, t, v, h: None }
    }
}

/// One series of a range vector or range-query result.
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixSeries {
    /// Series labels.
    pub labels: Labels,
    /// (timestamp ms, value) in increasing time order.
    pub points: Vec<(Timestamp, f64)>,
    /// (timestamp ms, histogram) in increasing time order, at timestamps without a float point.
    pub histograms: Vec<HPoint>,
}

impl MatrixSeries {
    /// A series of float points.
    pub fn floats(labels: Labels, points: Vec<(Timestamp, f64)>) -> Self {
        Self { labels, points, histograms: Vec::new() }
    }
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
    /// Timings and sample counts.
    pub stats: QueryStats,
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
    logger: Option<Arc<dyn QueryLogger>>,
    evaluation_interval: EvaluationInterval,
}

/// The configured `evaluation_interval`, the step of subqueries written without one
/// (`x[5m:]`); shared with the configuration reloader, which updates it as Prometheus does.
#[derive(Debug, Clone)]
pub struct EvaluationInterval(Arc<std::sync::atomic::AtomicI64>);

impl Default for EvaluationInterval {
    fn default() -> Self {
        Self(Arc::new(std::sync::atomic::AtomicI64::new(eval::DEFAULT_SUBQUERY_STEP_MS)))
    }
}

impl EvaluationInterval {
    /// Sets the interval; zero or less keeps Prometheus' default of one minute.
    pub fn set(&self, interval: Duration) {
        let ms = i64::try_from(interval.as_millis()).unwrap_or(i64::MAX);
        let ms = if ms > 0 { ms } else { eval::DEFAULT_SUBQUERY_STEP_MS };
        self.0.store(ms, std::sync::atomic::Ordering::Relaxed);
    }

    /// The interval in milliseconds.
    pub fn ms(&self) -> i64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Engine {
    /// A new engine.
    pub fn new(opts: EngineOptions) -> Self {
        Self { opts, logger: None, evaluation_interval: EvaluationInterval::default() }
    }

    /// The handle through which a configuration (re)load sets `evaluation_interval`.
    pub fn evaluation_interval(&self) -> EvaluationInterval {
        self.evaluation_interval.clone()
    }

    /// Reports every executed query to `logger` (Prometheus' query log).
    pub fn with_query_logger(mut self, logger: Arc<dyn QueryLogger>) -> Self {
        self.logger = Some(logger);
        self
    }

    /// The engine's options.
    pub fn options(&self) -> &EngineOptions {
        &self.opts
    }

    /// Parses `query` with the default limits and the engine's features.
    pub fn parse(&self, query: &str) -> Result<Expr> {
        let opts = ParseOptions { features: self.opts.features, ..ParseOptions::default() };
        Ok(vigil_promql_syntax::parse_with(query, &opts)?)
    }

    /// Evaluates `query` at time `t` (ms).
    pub fn instant(
        &self,
        storage: &dyn Queryable,
        query: &str,
        t: Timestamp,
        opts: &QueryOptions,
    ) -> Result<QueryResult> {
        let began = Instant::now();
        let mut expr = self.parse(query)?;
        // step() and range() are 0 for an instant query.
        expr.resolve_durations(0, 0).map_err(Error::BadData)?;
        let grid = eval::Grid { start: t, step: 1, n: 1 };
        self.run(&Prepared { storage, query, expr: &expr, grid, end: t, opts, range: false, began })
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
        let began = Instant::now();
        let mut expr = self.parse(query)?;
        expr.resolve_durations(step_ms, end - start).map_err(Error::BadData)?;
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
        let grid = eval::Grid { start, step: step_ms, n };
        self.run(&Prepared { storage, query, expr: &expr, grid, end, opts, range: true, began })
    }

    /// Evaluates a parsed query, fills in its statistics and reports it to the query log.
    fn run(&self, p: &Prepared<'_>) -> Result<QueryResult> {
        let Prepared { query, grid: g, end, opts, range, began, .. } = *p;
        let logger = self.logger.as_ref().filter(|l| l.enabled());
        // The log wants window counts even when the caller did not ask for statistics.
        let level = if logger.is_some() && opts.stats == StatsLevel::Basic { StatsLevel::Totals } else { opts.stats };
        let mut stats = QueryStats::default();
        let result = self.evaluate(p, level, &mut stats);
        stats.timings.exec_queue = opts.queue_wait;
        stats.timings.eval_total = began.elapsed();
        stats.timings.exec_total = opts.queue_wait + stats.timings.eval_total;
        if let Some(l) = logger {
            l.log(&QueryLogEntry {
                query,
                start: g.start,
                end,
                step_ms: if range { g.step } else { 0 },
                stats: &stats,
                error: result.as_ref().err().map(ToString::to_string),
                origin: opts.origin.as_ref(),
            });
        }
        let (value, warnings, infos) = result?;
        Ok(QueryResult { value, warnings, infos, stats })
    }

    /// Runs the evaluator; returns the value, warnings and infos.
    fn evaluate(
        &self,
        p: &Prepared<'_>,
        level: StatsLevel,
        stats: &mut QueryStats,
    ) -> Result<(Value, Vec<String>, Vec<String>)> {
        let Prepared { storage, query, expr, grid: g, end, opts, range, began } = *p;
        let lookback = opts.lookback_delta_ms.filter(|&l| l > 0).unwrap_or(self.opts.lookback_delta_ms);
        let timeout = opts.timeout.map_or(self.opts.timeout, |t| t.min(self.opts.timeout));
        let (mint, maxt) = bounds::data_bounds(expr, g.start, end, lookback);
        let querier = storage.querier(mint, maxt)?;
        let mut ctx = eval::Ctx {
            querier: querier.as_ref(),
            lookback,
            query_start: g.start,
            query_end: end,
            query_step: if range { g.step } else { 0 },
            default_subquery_step_ms: self.evaluation_interval.ms(),
            query,
            is_range: range,
            stop: eval::parallel::Interrupt { deadline: began + timeout, cancel: opts.cancel.clone() },
            max_samples: self.opts.max_samples,
            samples: 0,
            peak_samples: 0,
            select_over_budget: false,
            counter: stats::SampleCounter::new(level, g.n),
            infos: Vec::new(),
            warnings: Vec::new(),
            stats_selectors: eval::StatsSelectors::find(expr),
        };
        let inner_began = Instant::now();
        stats.timings.query_preparation = inner_began - began;
        let val = ctx.eval(expr, &g);
        let sort_began = Instant::now();
        stats.timings.inner_eval = sort_began - inner_began;
        stats.peak_samples = ctx.peak_samples as u64;
        stats.total_queryable_samples = ctx.counter.total;
        if let Some(per_step) = ctx.counter.per_step.take() {
            stats.per_step = per_step.into_iter().enumerate().map(|(k, n)| (g.ts(k), n)).collect();
        }
        let value = shape_result(val?, &g, range)?;
        stats.timings.result_sort = sort_began.elapsed();
        Ok((value, ctx.warnings, ctx.infos))
    }
}

/// A parsed query about to run, with its grid and options.
#[derive(Clone, Copy)]
struct Prepared<'a> {
    storage: &'a dyn Queryable,
    query: &'a str,
    expr: &'a Expr,
    grid: eval::Grid,
    /// The requested end, which `@ end()` and `end()` read: a range query's last step is at or
    /// before it.
    end: Timestamp,
    opts: &'a QueryOptions,
    /// A range query (the result is always a matrix).
    range: bool,
    /// When parsing began: the deadline and the timings count from here.
    began: Instant,
}

/// Turns the evaluator's value into the API's result shape, sorted as Prometheus sorts it.
fn shape_result(val: eval::Val, g: &eval::Grid, range: bool) -> Result<Value> {
    Ok(match val {
        eval::Val::Scalar(v) if range => Value::Matrix(vec![MatrixSeries::floats(
            Labels::empty(),
            v.iter().enumerate().map(|(k, &x)| (g.ts(k), x)).collect(),
        )]),
        eval::Val::Scalar(v) => Value::Scalar(g.start, v.first().copied().unwrap_or(f64::NAN)),
        eval::Val::Str(s) => Value::String(g.start, s),
        eval::Val::Vector(vs) => {
            let vs = eval::finish_names(vs)?;
            if range {
                let mut out: Vec<MatrixSeries> = vs
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .map(|s| MatrixSeries {
                        points: s.points().map(|(k, v)| (g.ts(k), v)).collect(),
                        histograms: s.hists().iter().map(|(k, h)| (g.ts(*k), h.clone())).collect(),
                        labels: s.labels,
                    })
                    .collect();
                out.sort_by(|a, b| a.labels.cmp(&b.labels));
                Value::Matrix(out)
            } else {
                Value::Vector(
                    vs.into_iter()
                        .filter_map(|s| match s.get(0) {
                            Some(v) => Some(VectorSample::float(s.labels, g.start, v)),
                            None => {
                                let h = s.hist(0)?.clone();
                                Some(VectorSample { labels: s.labels, t: g.start, v: 0.0, h: Some(h) })
                            }
                        })
                        .collect(),
                )
            }
        }
        eval::Val::Matrix(ms) => {
            let mut out: Vec<MatrixSeries> = ms
                .into_iter()
                .map(|s| MatrixSeries {
                    labels: if s.drop_name { eval::without_name(&s.labels) } else { s.labels },
                    points: s.ts.into_iter().zip(s.vals).collect(),
                    histograms: s.hists,
                })
                .collect();
            out.sort_by(|a, b| a.labels.cmp(&b.labels));
            Value::Matrix(out)
        }
    })
}

#[cfg(test)]
mod tests;
