//! The `promqltest` runner for Prometheus' PromQL acceptance files.
//!
//! Pipeline: [`parse_script`] turns a file into commands ([`script`]), series descriptions are
//! expanded by [`series`], [`run_source`] loads them into a `MemStorage` and evaluates through
//! `vigil_promql::Engine`, [`compare`] judges each result, and [`known_failures`] holds the
//! ratchet used by the `promql_conformance` test.
//!
//! `load_with_nhcb` blocks also load each classic histogram as a native histogram with custom
//! buckets ([`nhcb`]); `@st` lines give their samples start timestamps. One deliberate gap: the
//! `@`-modifier step-invariance re-runs are skipped for queries that [`print`] cannot print back
//! to an identical syntax tree.

pub mod compare;
pub mod known_failures;
pub mod nhcb;
pub mod number;
pub mod print;
pub mod run;
pub mod script;
pub mod series;

pub use known_failures::{KnownFailures, Ratchet, compare_known_failures, parse_known_failures, render_known_failures};
pub use run::{EvalOutcome, FileReport, RunConfig, run_file, run_source};
pub use script::{Command, Eval, Script, parse_script};
