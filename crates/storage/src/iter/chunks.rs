//! Series read one chunk at a time: what a querier hands out when the caller wants at most one
//! decoded chunk per series in memory, and the adapters between chunks and samples.

use super::{Point, SampleIterator};
use crate::{Result, Samples};
use vigil_model::{Labels, Timestamp};

/// A series whose samples are decoded on demand, chunk by chunk.
pub struct LazySeries<'a> {
    /// The series' labels.
    pub labels: Labels,
    /// Its samples in the selected range.
    pub chunks: Box<dyn ChunkIterator + 'a>,
}

/// A forward-only cursor over one series' chunks.
///
/// Implementations charge the select's [`crate::SampleBudget`] for each chunk before decoding
/// it, returning the previous chunk's charge ([`crate::HeldChunk`]), and check its
/// [`crate::Cancel`], so a consumer that stops early decodes nothing more.
pub trait ChunkIterator: Send {
    /// Replaces the contents of `out` with the next chunk's samples: in increasing time order,
    /// all after every sample of earlier chunks, maybe none. `Ok(false)` once exhausted.
    fn next_chunk(&mut self, out: &mut Samples) -> Result<bool>;
}

/// One "chunk" holding samples already in memory (the default for queriers without chunks).
pub struct InMemoryChunks {
    samples: Option<Samples>,
}

impl InMemoryChunks {
    /// Yields `samples` as a single chunk.
    pub fn new(samples: Samples) -> Self {
        Self { samples: Some(samples) }
    }
}

impl ChunkIterator for InMemoryChunks {
    fn next_chunk(&mut self, out: &mut Samples) -> Result<bool> {
        match self.samples.take() {
            Some(s) => {
                *out = s;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

/// Sample-by-sample iteration (`next`, `seek`) over a [`ChunkIterator`], holding one decoded
/// chunk at a time.
pub struct ChunkSamples<'a> {
    chunks: Box<dyn ChunkIterator + 'a>,
    buf: Samples,
    pos: usize,
}

impl<'a> ChunkSamples<'a> {
    /// Iterates the samples of `chunks`.
    pub fn new(chunks: Box<dyn ChunkIterator + 'a>) -> Self {
        Self { chunks, buf: Samples::default(), pos: 0 }
    }

    /// Makes `pos` point at a sample, loading chunks as needed; false when exhausted.
    fn fill(&mut self) -> Result<bool> {
        while self.pos >= self.buf.len() {
            if !self.chunks.next_chunk(&mut self.buf)? {
                return Ok(false);
            }
            self.pos = 0;
        }
        Ok(true)
    }
}

impl SampleIterator for ChunkSamples<'_> {
    fn next(&mut self) -> Result<Option<Point>> {
        if !self.fill()? {
            return Ok(None);
        }
        let p = (self.buf.timestamps[self.pos], self.buf.values[self.pos]);
        self.pos += 1;
        Ok(Some(p))
    }

    fn seek(&mut self, t: Timestamp) -> Result<Option<Point>> {
        loop {
            if !self.fill()? {
                return Ok(None);
            }
            // Whole chunks that end before `t` are skipped without a per-sample walk.
            let rest = &self.buf.timestamps[self.pos..];
            let skip = rest.partition_point(|&x| x < t);
            self.pos += skip;
            if self.pos < self.buf.len() {
                return self.next();
            }
        }
    }
}
