//! Lazy sample iteration: the shape every source (head, blocks, remote read, object storage) hands
//! to the engine, so a query holds at most one decoded chunk per series and source.
//!
//! [`SampleIterator`] yields float samples in increasing time order with `next` and `seek`, and
//! samples of every kind (floats and native histograms) with `next_value` and `seek_value`;
//! [`ChunkIterator`] yields them a chunk at a time (what [`crate::Querier::select_lazy`] hands
//! out), and [`ChunkSamples`] turns the latter into the former.
//! [`MergeIterator`] combines several sources' iterators of the same series; when their chunks
//! overlap, samples are ordered by timestamp and a timestamp present in several sources is yielded
//! once, from the first source that has it (sources are passed in priority order).

mod chunks;
mod cursor;
mod merge;
#[cfg(test)]
mod tests;

pub use chunks::{ChunkIterator, ChunkSamples, InMemoryChunks, LazySeries};
pub use merge::MergeIterator;

use crate::{Result, Samples};
use cursor::Cursor;
use std::sync::Arc;
use vigil_model::{FloatHistogram, Timestamp};

/// One float sample: timestamp in milliseconds and value.
pub type Point = (Timestamp, f64);

/// The value of one sample of any kind.
#[derive(Debug, Clone, PartialEq)]
pub enum SampleValue {
    /// A float (possibly the stale marker).
    Float(f64),
    /// A native histogram (integer histograms are converted when decoded; a stale marker is
    /// [`FloatHistogram::is_stale`]).
    Histogram(Arc<FloatHistogram>),
}

/// A forward-only cursor over one series' samples, in strictly increasing time order.
///
/// Two ways to walk it, sharing one position (so they may be mixed):
/// - the float-only path, [`Self::next`] and [`Self::seek`], yields float samples and silently
///   passes over native histogram samples, as if the series had no sample at their timestamps
///   (so float-only consumers keep working on series that switch to histograms);
/// - the value-typed path, [`Self::next_value`] and [`Self::seek_value`], yields every sample.
///
/// The defaults of the value-typed methods build on the float-only ones, so an iterator over a
/// source without histograms implements only `next` (and, for speed, `seek`).
///
/// Errors (corrupt chunk, exhausted [`crate::SampleBudget`], [`crate::Cancel`]) end the
/// iteration; callers stop at the first `Err`.
pub trait SampleIterator: Send {
    /// The next float sample, or `None` when exhausted; histogram samples are passed over.
    fn next(&mut self) -> Result<Option<Point>>;

    /// The next sample of any kind, or `None` when exhausted.
    fn next_value(&mut self) -> Result<Option<(Timestamp, SampleValue)>> {
        Ok(self.next()?.map(|(t, v)| (t, SampleValue::Float(v))))
    }

    /// Advances to the first sample of any kind with timestamp `>= t` and returns it. Never
    /// moves backwards, like [`Self::seek`].
    fn seek_value(&mut self, t: Timestamp) -> Result<Option<(Timestamp, SampleValue)>> {
        while let Some(p) = self.next_value()? {
            if p.0 >= t {
                return Ok(Some(p));
            }
        }
        Ok(None)
    }

    /// Advances to the first float sample with timestamp `>= t` and returns it. Never moves
    /// backwards: if the current position is already past `t`, the next float is returned.
    fn seek(&mut self, t: Timestamp) -> Result<Option<Point>> {
        while let Some(p) = self.next()? {
            if p.0 >= t {
                return Ok(Some(p));
            }
        }
        Ok(None)
    }
}

/// An iterator over samples already in memory (tests, `MemStorage`, small sources).
#[derive(Debug, Clone, Default)]
pub struct SamplesIterator {
    samples: Samples,
    at: Cursor,
}

impl SamplesIterator {
    /// Iterates `samples` from the start.
    pub fn new(samples: Samples) -> Self {
        Self { samples, at: Cursor::default() }
    }
}

impl SampleIterator for SamplesIterator {
    fn next(&mut self) -> Result<Option<Point>> {
        Ok(self.at.next_float(&self.samples))
    }

    fn seek(&mut self, t: Timestamp) -> Result<Option<Point>> {
        // Binary search from the current position: the arrays are sorted.
        self.at.skip_before(&self.samples, t);
        self.next()
    }

    fn next_value(&mut self) -> Result<Option<(Timestamp, SampleValue)>> {
        Ok(self.at.next_value(&self.samples))
    }

    fn seek_value(&mut self, t: Timestamp) -> Result<Option<(Timestamp, SampleValue)>> {
        self.at.skip_before(&self.samples, t);
        self.next_value()
    }
}

/// Drains an iterator into flat arrays (for consumers that want the whole window at once),
/// histogram samples included.
pub fn collect(it: &mut dyn SampleIterator) -> Result<Samples> {
    let mut out = Samples::default();
    while let Some((t, v)) = it.next_value()? {
        match v {
            SampleValue::Float(v) => out.push(t, v),
            SampleValue::Histogram(h) => out.push_histogram(t, h),
        }
    }
    Ok(out)
}
