//! Series read one chunk at a time: what a querier hands out when the caller wants at most one
//! decoded chunk per series in memory, and the adapters between chunks and samples.

use super::cursor::Cursor;
use super::{Point, SampleIterator, SampleValue};
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
    ///
    /// A chunk holds one kind of sample (a series that switches between floats and histograms
    /// starts a new chunk), but implementations may fill both of `out`'s arrays; they must
    /// clear the one they do not fill. The budget charge of a chunk is [`Samples::cost`].
    fn next_chunk(&mut self, out: &mut Samples) -> Result<bool>;

    /// Appends the next chunk's samples to the ends of `out`'s arrays, as [`Self::next_chunk`]
    /// would yield them, for consumers that gather a whole series into one reused buffer.
    /// `scratch` is working space (its contents are unspecified afterwards). The default reads
    /// the chunk into `scratch` and copies it; implementations that decode may write into `out`
    /// directly. The budget charge is that of the appended samples.
    fn append_chunk(&mut self, out: &mut Samples, scratch: &mut Samples) -> Result<bool> {
        if !self.next_chunk(scratch)? {
            return Ok(false);
        }
        out.extend_from(scratch);
        Ok(true)
    }
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
    at: Cursor,
}

impl<'a> ChunkSamples<'a> {
    /// Iterates the samples of `chunks`.
    pub fn new(chunks: Box<dyn ChunkIterator + 'a>) -> Self {
        Self { chunks, buf: Samples::default(), at: Cursor::default() }
    }

    /// Makes the cursor point at a sample (a float one when `floats_only`), loading chunks as
    /// needed; false when exhausted. Histogram chunks are still decoded on the float-only path
    /// (and charged), since a chunk's kind is known only once it is read.
    fn fill(&mut self, floats_only: bool) -> Result<bool> {
        loop {
            let done = if floats_only { self.at.floats_exhausted(&self.buf) } else { self.at.exhausted(&self.buf) };
            if !done {
                return Ok(true);
            }
            if !self.chunks.next_chunk(&mut self.buf)? {
                return Ok(false);
            }
            self.at = Cursor::default();
        }
    }
}

impl SampleIterator for ChunkSamples<'_> {
    fn next(&mut self) -> Result<Option<Point>> {
        if !self.fill(true)? {
            return Ok(None);
        }
        Ok(self.at.next_float(&self.buf))
    }

    fn seek(&mut self, t: Timestamp) -> Result<Option<Point>> {
        loop {
            if !self.fill(true)? {
                return Ok(None);
            }
            // Whole chunks that end before `t` are skipped without a per-sample walk.
            self.at.skip_before(&self.buf, t);
            if !self.at.floats_exhausted(&self.buf) {
                return self.next();
            }
        }
    }

    fn next_value(&mut self) -> Result<Option<(Timestamp, SampleValue)>> {
        if !self.fill(false)? {
            return Ok(None);
        }
        Ok(self.at.next_value(&self.buf))
    }

    fn seek_value(&mut self, t: Timestamp) -> Result<Option<(Timestamp, SampleValue)>> {
        loop {
            if !self.fill(false)? {
                return Ok(None);
            }
            self.at.skip_before(&self.buf, t);
            if !self.at.exhausted(&self.buf) {
                return self.next_value();
            }
        }
    }
}
