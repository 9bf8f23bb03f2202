//! PromQL evaluation engine: instant and range queries over the storage traits.
//!
//! API contract (relied upon by `vigil-api`, `vigil-test-support` and later `vigil-rules`):
//! [`Engine::instant`] and [`Engine::range`] take any [`Queryable`], a query string and times in
//! milliseconds, and return a [`Value`] or an [`Error`] whose variant tells the HTTP layer which
//! Prometheus `errorType` to answer with.
#![deny(missing_docs)]

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;
use vigil_model::{Labels, Timestamp};
use vigil_storage::Queryable;

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
    pub fn instant(&self, _storage: &dyn Queryable, _query: &str, _t: Timestamp, _opts: &QueryOptions) -> Result<QueryResult> {
        Err(Error::Execution("engine not implemented yet".into()))
    }

    /// Evaluates `query` at `start, start+step, ... <= end` (ms); always returns a matrix.
    pub fn range(
        &self,
        _storage: &dyn Queryable,
        _query: &str,
        _start: Timestamp,
        _end: Timestamp,
        _step_ms: i64,
        _opts: &QueryOptions,
    ) -> Result<QueryResult> {
        Err(Error::Execution("engine not implemented yet".into()))
    }
}
