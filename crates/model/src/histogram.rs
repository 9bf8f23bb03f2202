//! Native histograms: the integer form a scrape produces and the float form PromQL computes on.
//!
//! A native histogram has a *schema* that fixes its bucket boundaries:
//!
//! - exponential schemas `-4..=8`: bucket `i` covers `(2^((i-1)·2^-schema), 2^(i·2^-schema)]`, so
//!   each schema step up splits every bucket in two; a zero bucket `[-zero_threshold,
//!   zero_threshold]` holds observations too close to zero, and negative observations have their
//!   own mirrored buckets;
//! - schema [`CUSTOM_BUCKETS_SCHEMA`] (`-53`): explicit upper bounds in `custom_values` (`+Inf`
//!   implied), no zero bucket and no negative buckets (classic histograms converted to native).
//!
//! Populated buckets are described by [`Span`]s (`offset` from the end of the previous span, or
//! the absolute index of the first bucket for the first span, and `length`) plus one count per
//! bucket. [`Histogram`] stores counts as integers, delta-encoded bucket by bucket exactly as in
//! Prometheus' exposition; [`FloatHistogram`] stores absolute float counts.
//!
//! The arithmetic PromQL needs lives on [`FloatHistogram`] (`add`, `sub`, `mul`, `div`, `neg`,
//! `reduce_resolution`, `compact`, `detect_reset`, `equals`, `trim_upper`, `trim_lower`);
//! [`notation`] reads and writes the `{{schema:0 count:4 buckets:[1 2 1]}}` literals of the
//! PromQL test files.
//!
//! ```
//! use vigil_model::histogram::FloatHistogram;
//! let a: FloatHistogram = "{{schema:0 sum:5 count:4 buckets:[1 2 1]}}".parse().unwrap();
//! let b = a.add(&a).unwrap();
//! assert_eq!(b.count, 8.0);
//! assert_eq!(b.to_string(), "{{count:8 sum:10 buckets:[2 4 2]}}");
//! ```

mod arith;
mod base;
mod bounds;
mod float;
mod int;
mod kahan;
mod layout;
mod nhcb;
pub mod notation;
#[cfg(test)]
mod props;
mod reconcile;
mod reset;
#[cfg(test)]
mod tests;
mod trim;
mod validate;

pub use base::HistogramOf;
pub use bounds::{Bucket, BucketIter, bucket_bounds};
pub use float::FloatHistogram;
pub use int::{Histogram, delta_encode};
pub use kahan::{HistogramSum, kahan_inc};
pub use nhcb::{ClassicHistogram, Nhcb};

/// The schema of histograms with custom bucket bounds (`custom_values`).
pub const CUSTOM_BUCKETS_SCHEMA: i32 = -53;
/// The coarsest exponential schema (each bucket spans a factor of 2^16).
pub const MIN_EXPONENTIAL_SCHEMA: i32 = -4;
/// The finest exponential schema (each bucket spans a factor of 2^(1/256)).
pub const MAX_EXPONENTIAL_SCHEMA: i32 = 8;

/// Whether `schema` is an exponential schema (`-4..=8`).
pub fn is_exponential_schema(schema: i32) -> bool {
    (MIN_EXPONENTIAL_SCHEMA..=MAX_EXPONENTIAL_SCHEMA).contains(&schema)
}

/// Whether `schema` is the custom-buckets schema.
pub fn is_custom_buckets_schema(schema: i32) -> bool {
    schema == CUSTOM_BUCKETS_SCHEMA
}

/// A run of consecutive buckets. For the first span `offset` is the index of its first bucket;
/// for later spans it is the number of buckets skipped since the end of the previous span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// Gap (or, for the first span, absolute index).
    pub offset: i32,
    /// Number of buckets in the span.
    pub length: u32,
}

/// What the producer knows about a counter reset at this sample (Prometheus' `CounterResetHint`).
///
/// The numeric values are those of Prometheus' chunk and WAL encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum CounterResetHint {
    /// Nothing is known; a reader compares with the previous sample.
    #[default]
    Unknown = 0,
    /// This sample starts after a counter reset.
    CounterReset = 1,
    /// This sample is known not to follow a counter reset.
    NotCounterReset = 2,
    /// The histogram is a gauge: its counts go up and down, and resets do not apply.
    Gauge = 3,
}

impl CounterResetHint {
    /// The hint with numeric value `v` (as stored on disk), if any.
    pub fn from_u8(v: u8) -> Option<Self> {
        Some(match v {
            0 => Self::Unknown,
            1 => Self::CounterReset,
            2 => Self::NotCounterReset,
            3 => Self::Gauge,
            _ => return None,
        })
    }

    /// The hint of `a + b` and whether the two hints contradict each other (one says "reset",
    /// the other "not reset"), which PromQL reports as a conflicting-counter-resets annotation.
    ///
    /// A gauge operand makes the result a gauge; an unknown operand makes it unknown.
    pub fn combine(a: Self, b: Self) -> (Self, bool) {
        use CounterResetHint::*;
        match (a, b) {
            _ if a == b => (a, false),
            (Gauge, _) | (_, Gauge) => (Gauge, false),
            (Unknown, _) | (_, Unknown) => (Unknown, false),
            // CounterReset with NotCounterReset.
            _ => (Unknown, true),
        }
    }
}
