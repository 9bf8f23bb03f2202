//! Reading blocks for the querier and merging them with the head: series with the same labels
//! are joined oldest source first, and a sample at or before the newest time already taken is
//! dropped (a range briefly in both a new block and the head is returned once).

use super::blocks::DbBlock;
use crate::block::ChunkMeta;
use crate::head::{chunk_cost, decode_chunk};
use std::collections::BTreeMap;
use std::sync::Arc;
use vigil_model::{Labels, Matcher, Timestamp};
use vigil_storage::{Cancel, ChunkIterator, HeldChunk, LazySeries, SampleBudget, Samples, Series, SeriesSet};

/// One block's chunks of one series overlapping a select's range.
pub(super) struct BlockPart {
    block: Arc<DbBlock>,
    chunks: Vec<ChunkMeta>,
}

/// The series of `blocks` matching `matchers` with chunks overlapping `[mint, maxt]`, by labels,
/// each with its chunks per block (oldest block first).
pub(super) fn block_series(
    blocks: &[Arc<DbBlock>],
    matchers: &[Matcher],
    mint: Timestamp,
    maxt: Timestamp,
    cancel: &Cancel,
) -> crate::Result<BTreeMap<Labels, Vec<BlockPart>>> {
    let mut out: BTreeMap<Labels, Vec<BlockPart>> = BTreeMap::new();
    for b in blocks {
        cancel.check()?;
        for (_, labels, chunks) in b.block.select(matchers, mint, maxt)? {
            out.entry(labels).or_default().push(BlockPart { block: b.clone(), chunks });
        }
    }
    Ok(out)
}

/// Newest timestamp of `s`, of either kind.
fn newest(s: &Samples) -> Option<Timestamp> {
    s.timestamps.last().copied().into_iter().chain(s.histograms.last().map(|h| h.0)).max()
}

/// Drops the samples of `s` at or before `last`.
fn drop_through(s: &mut Samples, last: Timestamp) {
    let n = s.timestamps.partition_point(|&t| t <= last);
    s.timestamps.drain(..n);
    s.values.drain(..n);
    let n = s.histograms.partition_point(|h| h.0 <= last);
    s.histograms.drain(..n);
}

/// Appends `src` after `dst`, without samples at or before `dst`'s newest.
fn append_after(dst: &mut Samples, mut src: Samples) {
    if let Some(last) = newest(dst) {
        drop_through(&mut src, last);
    }
    dst.timestamps.extend(src.timestamps);
    dst.values.extend(src.values);
    dst.histograms.extend(src.histograms);
}

/// Decodes one block chunk's samples in `[mint, maxt]` (clipped to the block) into `out`.
fn decode_part_chunk(
    block: &DbBlock,
    c: &ChunkMeta,
    mint: Timestamp,
    maxt: Timestamp,
    out: &mut Samples,
) -> crate::Result<u64> {
    let (encoding, data) = block.block.chunk(c)?;
    let maxt = maxt.min(block.block.meta().max_time.saturating_sub(1));
    decode_chunk(encoding, data, mint, maxt, out)?;
    Ok(chunk_cost(encoding, data))
}

/// The eager select over blocks and the head's result `head`: merged by labels, at most `limit`
/// series (0 = all). The blocks' chunks are charged to `budget` before decoding.
#[allow(clippy::too_many_arguments)]
pub(super) fn merge_select(
    parts: BTreeMap<Labels, Vec<BlockPart>>,
    head: SeriesSet,
    (mint, maxt): (Timestamp, Timestamp),
    labels_only: bool,
    limit: usize,
    budget: &SampleBudget,
    cancel: &Cancel,
) -> crate::Result<SeriesSet> {
    let mut head: BTreeMap<Labels, Samples> = head.into_iter().map(|s| (s.labels, s.samples)).collect();
    let mut labels: Vec<Labels> = parts.keys().chain(head.keys()).cloned().collect();
    labels.sort();
    labels.dedup();
    let mut parts = parts;
    let mut out = Vec::new();
    for l in labels {
        if limit > 0 && out.len() >= limit {
            break;
        }
        let mut samples = Samples::default();
        if !labels_only {
            for part in parts.remove(&l).unwrap_or_default() {
                for c in &part.chunks {
                    cancel.check()?;
                    let (encoding, data) = part.block.block.chunk(c)?;
                    budget.try_take(chunk_cost(encoding, data))?;
                    let mut one = Samples::default();
                    decode_part_chunk(&part.block, c, mint, maxt, &mut one)?;
                    append_after(&mut samples, one);
                }
            }
        }
        if let Some(h) = head.remove(&l) {
            append_after(&mut samples, h);
        }
        if labels_only || !samples.is_empty() {
            out.push(Series { labels: l, samples });
        }
    }
    Ok(out)
}

/// The lazy select over blocks and the head's lazy series: merged by labels.
pub(super) fn merge_lazy<'q>(
    parts: BTreeMap<Labels, Vec<BlockPart>>,
    head: Vec<LazySeries<'q>>,
    (mint, maxt): (Timestamp, Timestamp),
    budget: &SampleBudget,
    cancel: &Cancel,
) -> Vec<LazySeries<'q>> {
    let mut head: BTreeMap<Labels, Box<dyn ChunkIterator + 'q>> =
        head.into_iter().map(|s| (s.labels, s.chunks)).collect();
    let mut labels: Vec<Labels> = parts.keys().chain(head.keys()).cloned().collect();
    labels.sort();
    labels.dedup();
    let mut parts = parts;
    labels
        .into_iter()
        .map(|l| {
            let blocks: Vec<(Arc<DbBlock>, ChunkMeta)> = parts
                .remove(&l)
                .unwrap_or_default()
                .into_iter()
                .flat_map(|p| p.chunks.into_iter().map(move |c| (p.block.clone(), c)))
                .collect();
            let chunks = MergedChunks {
                blocks: blocks.into_iter(),
                head: head.remove(&l),
                mint,
                maxt,
                last: Timestamp::MIN,
                budget: HeldChunk::new(budget.clone()),
                cancel: cancel.clone(),
            };
            LazySeries { labels: l, chunks: Box::new(chunks) }
        })
        .collect()
}

/// One series' chunks: its block chunks oldest first, then the head's.
struct MergedChunks<'q> {
    blocks: std::vec::IntoIter<(Arc<DbBlock>, ChunkMeta)>,
    head: Option<Box<dyn ChunkIterator + 'q>>,
    mint: Timestamp,
    maxt: Timestamp,
    /// The newest timestamp handed out.
    last: Timestamp,
    /// The budget charge of the block chunk in the consumer's buffer.
    budget: HeldChunk,
    cancel: Cancel,
}

impl ChunkIterator for MergedChunks<'_> {
    fn next_chunk(&mut self, out: &mut Samples) -> vigil_storage::Result<bool> {
        if let Some((block, c)) = self.blocks.next() {
            self.cancel.check()?;
            let (encoding, data) = block.block.chunk(&c)?;
            self.budget.replace(chunk_cost(encoding, data))?;
            out.clear();
            decode_part_chunk(&block, &c, self.mint, self.maxt, out)?;
            drop_through(out, self.last);
            self.last = newest(out).unwrap_or(self.last).max(self.last);
            return Ok(true);
        }
        // Head chunks are charged by the head's iterator; the last block chunk's charge ends.
        self.budget.replace(0)?;
        let Some(head) = self.head.as_mut() else { return Ok(false) };
        if !head.next_chunk(out)? {
            return Ok(false);
        }
        drop_through(out, self.last);
        self.last = newest(out).unwrap_or(self.last).max(self.last);
        Ok(true)
    }
}
