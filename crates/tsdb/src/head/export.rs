//! Copying one time range of the head out as block series: the input of a block cut
//! (`docs/format/blocks.md`, "Block lifecycle").
//!
//! A chunk wholly inside the range that follows its predecessor is copied byte for byte; a chunk
//! that straddles a range boundary, or overlaps the chunk before it, is re-encoded with only its
//! samples inside the range and after the previous chunk's last sample.

use super::read::{Sealed, Snap};
use super::{Head, ReadLimits};
use crate::Result;
use crate::block::{BlockChunk, BlockSeries};
use crate::chunk::{ENCODING_XOR, HistIter, HistogramChunk, XorChunk, XorIter, is_histogram_encoding};
use std::sync::atomic::AtomicU64;
use vigil_model::Timestamp;
use vigil_model::histogram::CounterResetHint;
use vigil_storage::{Cancel, SampleBudget};

impl Head {
    /// Every series with committed samples in `[mint, maxt)`, with its chunks clipped to that
    /// range, oldest first.
    pub fn export_range(&self, mint: Timestamp, maxt: Timestamp) -> Result<Vec<BlockSeries>> {
        let (budget, cancel, decoded) = (SampleBudget::unlimited(), Cancel::never(), AtomicU64::new(0));
        let read = ReadLimits { view: None, budget: &budget, cancel: &cancel, decoded: &decoded };
        let last = maxt.saturating_sub(1);
        let Some(snaps) = self.sorted_snapshot(&[], mint, last, false, &read)? else { return Ok(Vec::new()) };
        let sealed = self.read_sealed(&snaps, mint, last)?;
        let mut out = Vec::with_capacity(snaps.len());
        for (snap, sealed) in snaps.into_iter().zip(sealed) {
            let chunks = series_chunks(&snap, &sealed, mint, maxt)?;
            if !chunks.is_empty() {
                out.push(BlockSeries { labels: snap.labels, chunks });
            }
        }
        Ok(out)
    }
}

/// One series' chunks in `[mint, maxt)`, copied or re-encoded.
fn series_chunks(snap: &Snap, sealed: &Sealed, mint: Timestamp, maxt: Timestamp) -> Result<Vec<BlockChunk>> {
    let open = (!snap.open.is_empty()).then_some((snap.open.as_slice(), snap.open_encoding));
    let sealed_chunks =
        sealed.spans.iter().zip(&sealed.encodings).rev().map(|(span, &e)| (&sealed.bytes[span.clone()], e));
    let mut out = Vec::new();
    let mut last = Timestamp::MIN;
    for (data, encoding) in sealed_chunks.chain(open) {
        let from = mint.max(last.saturating_add(1));
        let before = out.len();
        if is_histogram_encoding(encoding) {
            recode_histograms(encoding, data, from, maxt, &mut out)?;
        } else {
            recode_floats(data, from, maxt, &mut out)?;
        }
        if let Some(c) = out[before..].last() {
            last = c.maxt;
        }
    }
    Ok(out)
}

/// Adds the float samples of XOR chunk `data` in `[from, maxt)` as one chunk: the original bytes
/// when all its samples are inside.
fn recode_floats(data: &[u8], from: Timestamp, maxt: Timestamp, out: &mut Vec<BlockChunk>) -> Result<()> {
    let mut all = true;
    let mut chunk = XorChunk::new();
    for s in XorIter::new(data)? {
        let (t, v) = s?;
        if t < from || t >= maxt {
            all = false;
            continue;
        }
        chunk.append(t, v)?;
    }
    let Some(first) = chunk.first_t() else { return Ok(()) };
    let bytes = if all { data.to_vec() } else { chunk.take_bytes() };
    out.push(BlockChunk { mint: first, maxt: chunk.last_t(), encoding: ENCODING_XOR, data: bytes });
    Ok(())
}

/// Adds the histogram samples of chunk `data` in `[from, maxt)`: the original bytes when all its
/// samples are inside, else re-encoded (into more than one chunk if the encoder asks for it).
fn recode_histograms(
    encoding: u8,
    data: &[u8],
    from: Timestamp,
    maxt: Timestamp,
    out: &mut Vec<BlockChunk>,
) -> Result<()> {
    let mut it = HistIter::new(encoding, data)?;
    let mut samples = Vec::with_capacity(usize::from(it.len_hint()));
    let mut all = true;
    while let Some(s) = it.next_native() {
        let (t, h) = s?;
        if t < from || t >= maxt {
            all = false;
        } else {
            samples.push((t, h));
        }
    }
    let (Some(first), Some(last)) = (samples.first(), samples.last()) else { return Ok(()) };
    if all {
        out.push(BlockChunk { mint: first.0, maxt: last.0, encoding, data: data.to_vec() });
        return Ok(());
    }
    let mut open: Option<HistogramChunk> = None;
    for (t, h) in samples {
        let header = match open.as_mut() {
            Some(c) => match c.check(&h) {
                Ok(plan) => {
                    if c.append(t, h.clone(), plan).is_ok() {
                        continue;
                    }
                    if c.header() == CounterResetHint::Gauge {
                        CounterResetHint::Gauge
                    } else {
                        CounterResetHint::NotCounterReset
                    }
                }
                Err(header) => header,
            },
            None => h.hint(),
        };
        if let Some(c) = open.take() {
            out.push(finish_histogram(&c));
        }
        open = Some(HistogramChunk::new(t, h, header));
    }
    if let Some(c) = open {
        out.push(finish_histogram(&c));
    }
    Ok(())
}

fn finish_histogram(c: &HistogramChunk) -> BlockChunk {
    let mint = c.first_t().unwrap_or(Timestamp::MIN);
    BlockChunk { mint, maxt: c.last_t(), encoding: c.encoding(), data: c.bytes().to_vec() }
}
