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
    /// Start timestamps (ms; `0` = unknown) of the float samples: empty when the storage has none
    /// for these samples, else as long as `timestamps`. See [`Self::float_start`].
    pub start_timestamps: Vec<Timestamp>,
    /// Start timestamps of the histogram samples: empty or as long as `histograms`.
    pub histogram_start_timestamps: Vec<Timestamp>,
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
        self.start_timestamps.clear();
        self.histogram_start_timestamps.clear();
    }

    /// Whether any sample carries start timestamps.
    pub fn has_start_timestamps(&self) -> bool {
        !self.start_timestamps.is_empty() || !self.histogram_start_timestamps.is_empty()
    }

    /// The start timestamp of float sample `i`; `0` (unknown) when these samples have none.
    #[inline]
    pub fn float_start(&self, i: usize) -> Timestamp {
        start_at(&self.start_timestamps, self.timestamps.len(), i)
    }

    /// The start timestamp of histogram sample `i`; `0` (unknown) when these samples have none.
    #[inline]
    pub fn histogram_start(&self, i: usize) -> Timestamp {
        start_at(&self.histogram_start_timestamps, self.histograms.len(), i)
    }

    /// Appends `other`'s samples (all after ours), start timestamps included: the arrays of a
    /// kind get start timestamps as soon as either side has them, `0` for the samples without.
    pub fn extend_from(&mut self, other: &Samples) {
        extend_starts(&mut self.start_timestamps, self.timestamps.len(), &other.start_timestamps, other.len());
        extend_starts(
            &mut self.histogram_start_timestamps,
            self.histograms.len(),
            &other.histogram_start_timestamps,
            other.histogram_len(),
        );
        self.timestamps.extend_from_slice(&other.timestamps);
        self.values.extend_from_slice(&other.values);
        self.histograms.extend_from_slice(&other.histograms);
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

/// Entry `i` of a start-timestamp array meant to be `len` long; `0` when it is not that long
/// (a storage without start timestamps leaves it empty).
#[inline]
fn start_at(starts: &[Timestamp], len: usize, i: usize) -> Timestamp {
    if starts.len() == len { starts.get(i).copied().unwrap_or(0) } else { 0 }
}

/// Extends `ours` (for `len` samples) with `theirs` (for `n` samples), keeping it empty when
/// neither side has start timestamps.
fn extend_starts(ours: &mut Vec<Timestamp>, len: usize, theirs: &[Timestamp], n: usize) {
    let ours_known = !ours.is_empty() && ours.len() == len;
    let theirs_known = n > 0 && theirs.len() == n;
    if !ours_known {
        ours.clear();
        if !theirs_known {
            return;
        }
        ours.resize(len, 0);
    }
    if theirs_known {
        ours.extend_from_slice(theirs);
    } else {
        ours.resize(len + n, 0);
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

#[cfg(test)]
mod tests {
    use super::Samples;

    fn floats(ts: &[i64], sts: &[i64]) -> Samples {
        Samples {
            timestamps: ts.to_vec(),
            values: vec![1.0; ts.len()],
            start_timestamps: sts.to_vec(),
            ..Samples::default()
        }
    }

    #[test]
    fn extend_from_keeps_start_timestamps_in_step() {
        // Neither side has any: none afterwards.
        let mut a = floats(&[1, 2], &[]);
        a.extend_from(&floats(&[3], &[]));
        assert!(a.start_timestamps.is_empty());
        // Only the new chunk has them: earlier samples get 0 (unknown).
        a.extend_from(&floats(&[4, 5], &[3, 4]));
        assert_eq!(a.start_timestamps, [0, 0, 0, 3, 4]);
        assert_eq!((a.float_start(3), a.float_start(0)), (3, 0));
        // Only the old side has them: the new samples get 0.
        a.extend_from(&floats(&[6], &[]));
        assert_eq!(a.start_timestamps, [0, 0, 0, 3, 4, 0]);
        // A stale array of the wrong length reads as unknown, never as another sample's start.
        let odd = floats(&[1, 2], &[5]);
        assert_eq!(odd.float_start(0), 0);
    }
}
