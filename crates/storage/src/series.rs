//! Query results: series with their samples decoded into flat arrays.
//!
//! Queries decode each series once into `timestamps`/`values` arrays; the PromQL engine then walks
//! them with two pointers per step. This is cheaper than iterator chains over chunks and is the
//! shape the evaluator wants anyway.

use vigil_model::{Labels, Timestamp};

/// Decoded float samples of one series, in increasing time order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Samples {
    /// Timestamps in milliseconds, strictly increasing.
    pub timestamps: Vec<Timestamp>,
    /// Values, same length as `timestamps`; may contain stale markers.
    pub values: Vec<f64>,
}

impl Samples {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.timestamps.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.timestamps.is_empty()
    }

    /// Appends one sample (caller keeps time order).
    pub fn push(&mut self, t: Timestamp, v: f64) {
        self.timestamps.push(t);
        self.values.push(v);
    }
}

/// A series and its samples within the selected range.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    /// The series' labels.
    pub labels: Labels,
    /// Its samples.
    pub samples: Samples,
}

/// The result of a select: series sorted by labels.
pub type SeriesSet = Vec<Series>;
