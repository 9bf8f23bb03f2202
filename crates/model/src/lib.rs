//! Vigil's domain vocabulary, shared by every other crate.
//!
//! This crate is pure: no I/O, no async, no clock. It defines
//!
//! - [`Labels`] and [`Label`]: a sorted, duplicate-free label set, hashed with XXH64 like Prometheus'
//!   `labels.Hash()` so hashes agree across restarts and processes;
//! - [`Matcher`]: `=`, `!=`, `=~`, `!~` with Prometheus' fully-anchored RE2 semantics;
//! - [`Sample`]: what an appender accepts (floats and native histograms; exemplars and metadata
//!   are added as variants, never as side interfaces);
//! - native histograms ([`histogram`]): the integer [`Histogram`] and the [`FloatHistogram`]
//!   PromQL computes on, their validation, arithmetic and test notation;
//! - timestamps as `i64` milliseconds since the Unix epoch ([`Timestamp`]) and the stale marker
//!   ([`STALE_NAN`], [`is_stale_nan`]);
//! - Prometheus durations ([`duration`]);
//! - relabeling ([`relabel`]) and target groups ([`TargetGroup`]).
//!
//! ```
//! use vigil_model::{Labels, Matcher};
//! let l = Labels::from_pairs(&[("job", "api"), ("__name__", "up")]);
//! assert_eq!(l.get("__name__"), Some("up"));
//! let m = Matcher::regex("job", "a.*").unwrap();
//! assert!(m.matches(l.get("job").unwrap_or("")));
//! ```
#![deny(missing_docs)]

pub mod duration;
mod error;
pub mod histogram;
mod labels;
mod matcher;
pub mod relabel;
mod sample;
mod target;

pub use error::{Error, Result};
pub use histogram::{FloatHistogram, Histogram};
pub use labels::{Label, Labels, LabelsBuilder, METRIC_NAME};
pub use matcher::{MatchOp, Matcher, compile_anchored};
pub use sample::{STALE_NAN, STALE_NAN_BITS, Sample, Timestamp, is_stale_nan};
pub use target::TargetGroup;
