//! Lazy sample iteration: the shape every source (head, blocks, remote read, object storage) hands
//! to the engine, so a query holds at most one decoded chunk per series and source.
//!
//! [`SampleIterator`] yields float samples in increasing time order with `next` and `seek`;
//! [`ChunkIterator`] yields them a chunk at a time (what [`crate::Querier::select_lazy`] hands
//! out), and [`ChunkSamples`] turns the latter into the former.
//! [`MergeIterator`] combines several sources' iterators of the same series; when their chunks
//! overlap, samples are ordered by timestamp and a timestamp present in several sources is yielded
//! once, from the first source that has it (sources are passed in priority order).

mod chunks;
mod merge;
#[cfg(test)]
mod tests;

pub use chunks::{ChunkIterator, ChunkSamples, InMemoryChunks, LazySeries};
pub use merge::MergeIterator;

use crate::{Result, Samples};
use vigil_model::Timestamp;

/// One float sample: timestamp in milliseconds and value.
pub type Point = (Timestamp, f64);

/// A forward-only cursor over one series' samples, in strictly increasing time order.
///
/// Errors (corrupt chunk, exhausted [`crate::SampleBudget`], [`crate::Cancel`]) end the
/// iteration; callers stop at the first `Err`.
pub trait SampleIterator: Send {
    /// The next sample, or `None` when exhausted.
    fn next(&mut self) -> Result<Option<Point>>;

    /// Advances to the first sample with timestamp `>= t` and returns it. Never moves backwards:
    /// if the current position is already past `t`, the next sample is returned.
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
    pos: usize,
}

impl SamplesIterator {
    /// Iterates `samples` from the start.
    pub fn new(samples: Samples) -> Self {
        Self { samples, pos: 0 }
    }
}

impl SampleIterator for SamplesIterator {
    fn next(&mut self) -> Result<Option<Point>> {
        let p = self.samples.timestamps.get(self.pos).zip(self.samples.values.get(self.pos));
        self.pos += 1;
        Ok(p.map(|(t, v)| (*t, *v)))
    }

    fn seek(&mut self, t: Timestamp) -> Result<Option<Point>> {
        // Binary search from the current position: the slice is sorted.
        let rest = self.samples.timestamps.get(self.pos..).unwrap_or_default();
        self.pos += rest.partition_point(|&x| x < t);
        self.next()
    }
}

/// Drains an iterator into flat arrays (for consumers that want the whole window at once).
pub fn collect(it: &mut dyn SampleIterator) -> Result<Samples> {
    let mut out = Samples::default();
    while let Some((t, v)) = it.next()? {
        out.push(t, v);
    }
    Ok(out)
}
