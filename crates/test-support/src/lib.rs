//! Test support for Vigil: the `promqltest` runner and the evaluator fuzz generator
//! ([`eval_fuzz`]).
//!
//! [`promqltest`] executes Prometheus' PromQL acceptance files (`*.test`, the DSL described in
//! `shared/conformance/promql/DSL.md`) unchanged against [`vigil_promql::Engine`] over a
//! [`vigil_storage::MemStorage`]. The binary `promqltest` prints per-file pass/fail counts, and the
//! `promql_conformance` integration test compares the failures with a checked-in known-failures
//! list so that regressions fail `cargo test` and fixed evals must be removed from the list.
//!
//! ```
//! use vigil_test_support::promqltest::{run_source, RunConfig};
//! let script = "load 1m\n  up{job=\"a\"} 1 2 3\n\neval instant at 2m up\n  up{job=\"a\"} 3\n";
//! let report = run_source("inline.test", script, &RunConfig::default());
//! assert_eq!(report.outcomes.len(), 1);
//! ```

mod error;
pub mod eval_fuzz;
pub mod promqltest;

pub use error::{Error, Result};
