//! Per-query statistics as Prometheus reports them (`stats` API parameter, query log): phase
//! timings and sample counts.
//!
//! `total_queryable_samples` counts, for every evaluation step, the samples that step could see:
//! one per series an instant selector found, and every sample inside a range selector's window
//! (a sample seen by several overlapping windows counts once per window); what a subquery's inner
//! steps read is not counted, the points of its output inside the outer windows are, as in
//! Prometheus. `peak_samples` is the most samples the engine held in memory at once, the number
//! `--query.max-samples` bounds.

use std::time::Duration;
use vigil_model::Timestamp;

/// How much detail a query collects about the samples it touches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StatsLevel {
    /// Timings, peak samples and the samples instant selectors found; range windows are not
    /// counted (that costs a walk over every window).
    #[default]
    Basic,
    /// Also the samples inside every range window (`stats=true`, query log).
    Totals,
    /// Totals plus the queryable samples of every step (`stats=all`).
    PerStep,
}

/// Wall-clock time spent per phase, as Prometheus' `timings` object names them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timings {
    /// Preparation plus inner evaluation plus result sorting.
    pub eval_total: Duration,
    /// Sorting and shaping the result.
    pub result_sort: Duration,
    /// Parsing, type-checking and opening the querier.
    pub query_preparation: Duration,
    /// Evaluating the expression tree.
    pub inner_eval: Duration,
    /// Waiting for a concurrency slot (filled in by the caller that queued the query).
    pub exec_queue: Duration,
    /// Queue wait plus total evaluation.
    pub exec_total: Duration,
}

/// Statistics of one query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryStats {
    /// Time per phase.
    pub timings: Timings,
    /// Samples every step could see, summed over steps.
    pub total_queryable_samples: u64,
    /// `(step timestamp ms, samples)` for every step of the top-level grid, with
    /// [`StatsLevel::PerStep`]; empty otherwise.
    pub per_step: Vec<(Timestamp, u64)>,
    /// The most samples held in memory at once.
    pub peak_samples: u64,
}

/// Sample counting during evaluation; per-step counts only when asked for.
#[derive(Debug, Default)]
pub(crate) struct SampleCounter {
    pub level: StatsLevel,
    pub total: u64,
    /// One slot per step of the top-level grid when per-step counts are collected.
    pub per_step: Option<Vec<u64>>,
    /// Nesting of subqueries being evaluated. As in Prometheus, what a subquery's inner steps
    /// read is not counted; the points of its output that the outer windows hold are.
    pub subquery_depth: usize,
}

impl SampleCounter {
    pub fn new(level: StatsLevel, steps: usize) -> Self {
        Self { level, total: 0, per_step: (level == StatsLevel::PerStep).then(|| vec![0; steps]), subquery_depth: 0 }
    }

    /// Whether range windows are to be counted here.
    pub fn counts_windows(&self) -> bool {
        self.level != StatsLevel::Basic && self.subquery_depth == 0
    }

    /// Adds `n` samples to the total, unless inside a subquery.
    pub fn add_total(&mut self, n: u64) {
        if self.subquery_depth == 0 {
            self.total += n;
        }
    }

    /// The per-step slots to add to, if per-step counts are collected here.
    pub fn steps_mut(&mut self) -> Option<&mut [u64]> {
        if self.subquery_depth > 0 { None } else { self.per_step.as_deref_mut() }
    }
}
