//! The lazy select: series are copied out of the head as their compressed chunks, and each chunk
//! is decoded only when the consumer asks for it, so a query walking series one at a time holds
//! about 1–2 bytes per sample plus one decoded chunk, instead of 16 bytes per sample.

use super::read::{Sealed, chunk_cost, decode_chunk};
use super::{Head, ReadLimits};
use crate::Result;
use std::sync::atomic::{AtomicU64, Ordering};
use vigil_model::{Matcher, Timestamp};
use vigil_storage::{Cancel, ChunkIterator, HeldChunk, LazySeries, Samples};

impl Head {
    /// Series matching `matchers` with samples in `[mint, maxt]` as `read.view` sees them, sorted
    /// by labels, each decoded chunk by chunk on demand (see [`HeadChunks`]). Postings and
    /// series state are read between two commits, as [`Head::select`] does. Decoded chunks
    /// are counted in the head's own counter (`read.decoded` is not used).
    pub fn select_lazy<'a>(
        &'a self,
        matchers: &[Matcher],
        mint: Timestamp,
        maxt: Timestamp,
        read: &ReadLimits<'_>,
    ) -> Result<Vec<LazySeries<'a>>> {
        let mint = mint.max(self.min_valid());
        let Some(snaps) = self.sorted_snapshot(matchers, mint, maxt, false, read)? else {
            return Ok(Vec::new());
        };
        let sealed = self.read_sealed(&snaps, mint, maxt)?;
        Ok(snaps
            .into_iter()
            .zip(sealed)
            .map(|(snap, sealed)| {
                let chunks = HeadChunks {
                    next_sealed: sealed.spans.len(),
                    sealed,
                    open: (!snap.open.is_empty()).then_some((snap.open, snap.open_encoding)),
                    mint,
                    maxt: snap.maxt,
                    last: Timestamp::MIN,
                    budget: HeldChunk::new(read.budget.clone()),
                    cancel: read.cancel.clone(),
                    decoded: &self.counters.chunks_decoded,
                };
                LazySeries { labels: snap.labels, chunks: Box::new(chunks) }
            })
            .collect())
    }
}

/// One series' chunks, oldest first: its sealed chunks, then its open chunk.
struct HeadChunks<'a> {
    sealed: Sealed,
    /// How many sealed chunks are left; `sealed.spans` is newest first, so the next one is
    /// `spans[next_sealed - 1]`.
    next_sealed: usize,
    open: Option<(Vec<u8>, u8)>,
    mint: Timestamp,
    maxt: Timestamp,
    /// The newest timestamp handed out: a chunk overlapping earlier ones yields only later samples.
    last: Timestamp,
    /// The budget charge of the chunk in the consumer's buffer.
    budget: HeldChunk,
    cancel: Cancel,
    decoded: &'a AtomicU64,
}

impl HeadChunks<'_> {
    fn decode(&mut self, encoding: u8, chunk: &[u8], out: &mut Samples) -> Result<()> {
        self.cancel.check()?;
        // Charged before decoding, so an exhausted budget stops before the samples exist; the
        // consumer's buffer is overwritten, so the previous chunk's charge is returned.
        self.budget.replace(chunk_cost(encoding, chunk))?;
        self.decoded.fetch_add(1, Ordering::Relaxed);
        out.clear();
        decode_chunk(encoding, chunk, self.mint, self.maxt, out)?;
        let overlap = out.timestamps.partition_point(|&t| t <= self.last);
        if overlap > 0 {
            out.timestamps.drain(..overlap);
            out.values.drain(..overlap);
        }
        let overlap = out.histograms.partition_point(|h| h.0 <= self.last);
        if overlap > 0 {
            out.histograms.drain(..overlap);
        }
        let newest = out.timestamps.last().copied().into_iter().chain(out.histograms.last().map(|h| h.0)).max();
        if let Some(t) = newest {
            self.last = t;
        }
        Ok(())
    }
}

impl HeadChunks<'_> {
    /// Decodes `encoding`/`chunk` onto the ends of `out`'s arrays; what was there stays.
    fn decode_appending(&mut self, encoding: u8, chunk: &[u8], out: &mut Samples) -> Result<()> {
        self.cancel.check()?;
        // Charged before decoding, as `decode` does; the consumer keeps what it gathered and
        // charges it itself.
        self.budget.replace(chunk_cost(encoding, chunk))?;
        self.decoded.fetch_add(1, Ordering::Relaxed);
        let (f0, h0) = (out.timestamps.len(), out.histograms.len());
        decode_chunk(encoding, chunk, self.mint, self.maxt, out)?;
        let overlap = out.timestamps[f0..].partition_point(|&t| t <= self.last);
        if overlap > 0 {
            out.timestamps.drain(f0..f0 + overlap);
            out.values.drain(f0..f0 + overlap);
        }
        let overlap = out.histograms[h0..].partition_point(|h| h.0 <= self.last);
        if overlap > 0 {
            out.histograms.drain(h0..h0 + overlap);
        }
        let newest_float = out.timestamps[f0..].last().copied();
        let newest = newest_float.into_iter().chain(out.histograms[h0..].last().map(|h| h.0)).max();
        if let Some(t) = newest {
            self.last = t;
        }
        Ok(())
    }
}

impl HeadChunks<'_> {
    /// Hands the next chunk (oldest sealed first, then the open one) to `decode`; false once
    /// every chunk was handed out.
    fn next_with(
        &mut self,
        out: &mut Samples,
        decode: fn(&mut Self, u8, &[u8], &mut Samples) -> Result<()>,
    ) -> vigil_storage::Result<bool> {
        if self.next_sealed > 0 {
            self.next_sealed -= 1;
            let span = self.sealed.spans[self.next_sealed].clone();
            let encoding = self.sealed.encodings.get(self.next_sealed).copied().unwrap_or_default();
            let bytes = std::mem::take(&mut self.sealed.bytes);
            let result = decode(self, encoding, &bytes[span], out);
            self.sealed.bytes = bytes;
            result?;
            return Ok(true);
        }
        match self.open.take() {
            Some((open, encoding)) => {
                decode(self, encoding, &open, out)?;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

impl ChunkIterator for HeadChunks<'_> {
    fn append_chunk(&mut self, out: &mut Samples, _scratch: &mut Samples) -> vigil_storage::Result<bool> {
        self.next_with(out, Self::decode_appending)
    }

    fn next_chunk(&mut self, out: &mut Samples) -> vigil_storage::Result<bool> {
        self.next_with(out, Self::decode)
    }
}
