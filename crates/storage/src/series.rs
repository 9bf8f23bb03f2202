//! Query results: series with their samples decoded into flat arrays.
//!
//! Queries decode each series once into `timestamps`/`values` arrays; the PromQL engine then walks
//! them with two pointers per step. This is cheaper than iterator chains over chunks and is the
//! shape the evaluator wants anyway.
//!
//! Native histogram samples of the same series sit in a second array, `histograms`, as in
//! Prometheus' `promql.Series` (`Floats` and `Histograms`): a series may switch between floats and
//! histograms over time, but never holds both at one timestamp, so merging the two arrays by time
//! gives the series.

use std::sync::Arc;
use vigil_model::{FloatHistogram, Labels, Timestamp};

/// One histogram sample: timestamp in milliseconds and the histogram (shared, so engines can
/// hold it in their vectors without copying buckets).
pub type HPoint = (Timestamp, Arc<FloatHistogram>);

/// Decoded samples of one series, in increasing time order.
///
/// Float-only consumers read `timestamps`/`values` and never see histogram samples: they behave
/// as if the series had no sample at those times.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Samples {
    /// Timestamps of the float samples in milliseconds, strictly increasing.
    pub timestamps: Vec<Timestamp>,
    /// Float values, same length as `timestamps`; may contain stale markers.
    pub values: Vec<f64>,
    /// Histogram samples, strictly increasing in time, at timestamps that have no float sample.
    /// Integer histograms are converted to float ones when decoded. A stale histogram is marked
    /// by [`FloatHistogram::is_stale`].
    pub histograms: Vec<HPoint>,
}

impl Samples {
    /// Number of float samples (histogram samples are counted by [`Self::histogram_len`]).
    pub fn len(&self) -> usize {
        self.timestamps.len()
    }

    /// Number of histogram samples.
    pub fn histogram_len(&self) -> usize {
        self.histograms.len()
    }

    /// Whether there is no sample of either kind.
    pub fn is_empty(&self) -> bool {
        self.timestamps.is_empty() && self.histograms.is_empty()
    }

    /// What these samples cost against a [`crate::SampleBudget`]: one per float, and
    /// [`FloatHistogram::sample_cost`] per histogram, as Prometheus counts `max_samples`.
    pub fn cost(&self) -> u64 {
        self.timestamps.len() as u64 + self.histograms.iter().map(|(_, h)| h.sample_cost()).sum::<u64>()
    }

    /// Removes every sample, keeping the allocations.
    pub fn clear(&mut self) {
        self.timestamps.clear();
        self.values.clear();
        self.histograms.clear();
    }

    /// Appends one histogram sample (caller keeps time order).
    pub fn push_histogram(&mut self, t: Timestamp, h: Arc<FloatHistogram>) {
        self.histograms.push((t, h));
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
