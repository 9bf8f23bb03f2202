//! Reading the head: selecting series, label names and values, checkpoint contents, statistics.

use super::chunk_store::{MIN_CHUNK_READ, split_ref};
use super::{Head, MemSeries, ReadView, SHARD_MASK, SHARDS, Shard, decode_labels, decode_pairs, encoded_len, split};
use crate::Result;
use crate::chunk::{ENCODING_XOR, decode_histograms_into, decode_into, histogram_chunk_cost, is_histogram_encoding};
use crate::wal::checkpoint::CheckpointWriter;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use vigil_model::{Labels, METRIC_NAME, Matcher, Timestamp};
use vigil_storage::{Cancel, CancelEvery, SampleBudget, Samples, Series, SeriesSet};

/// What is copied out of a shard under its lock for one series.
pub(super) struct Snap {
    pub(super) id: u32,
    pub(super) labels: Labels,
    pub(super) open: Vec<u8>,
    /// Encoding of `open` (XOR or float histogram).
    pub(super) open_encoding: u8,
    pub(super) sealed_ref: u64,
    /// The newest time to return: the select's end, or earlier where the read view stops.
    pub(super) maxt: Timestamp,
}

/// The sealed chunks of one series read by [`Head::read_sealed`]: their bytes back to back,
/// newest first.
#[derive(Default)]
pub(super) struct Sealed {
    pub(super) bytes: Vec<u8>,
    pub(super) spans: Vec<std::ops::Range<usize>>,
    /// The encoding of each chunk of `spans`.
    pub(super) encodings: Vec<u8>,
}

/// Reads that would leave at most this many unneeded bytes between two chunks are merged.
const MERGE_GAP: u64 = 8 * 1024;
/// The largest merged read.
const MAX_WINDOW: u64 = 1 << 20;

/// The sample count in the header of an encoded chunk (both encodings start with it).
pub(super) fn chunk_samples(c: &[u8]) -> usize {
    c.get(..2).map_or(0, |h| usize::from(u16::from_be_bytes([h[0], h[1]])))
}

/// What a chunk costs against the sample budget, from its header: its sample count for floats,
/// samples × the layout's histogram cost for histograms.
pub(crate) fn chunk_cost(encoding: u8, c: &[u8]) -> u64 {
    if is_histogram_encoding(encoding) { histogram_chunk_cost(encoding, c) } else { chunk_samples(c) as u64 }
}

/// Decodes the samples of one chunk with `mint <= t <= maxt` into `out`, by encoding.
pub(crate) fn decode_chunk(encoding: u8, c: &[u8], mint: Timestamp, maxt: Timestamp, out: &mut Samples) -> Result<()> {
    if is_histogram_encoding(encoding) {
        decode_histograms_into(encoding, c, mint, maxt, &mut out.histograms)
    } else {
        decode_into(c, mint, maxt, &mut out.timestamps, &mut out.values)
    }
}

/// Whether the chunk store may hold chunks of `encoding`.
fn known_encoding(encoding: u8) -> bool {
    encoding == ENCODING_XOR || is_histogram_encoding(encoding)
}

impl Sealed {
    /// Budget cost of all the chunks, and how many of their samples are floats.
    fn cost(&self) -> (u64, usize) {
        let chunks = self.spans.iter().zip(&self.encodings);
        let cost = chunks.clone().map(|(s, &e)| chunk_cost(e, &self.bytes[s.clone()])).sum();
        let floats =
            chunks.filter(|(_, e)| **e == ENCODING_XOR).map(|(s, _)| chunk_samples(&self.bytes[s.clone()])).sum();
        (cost, floats)
    }
}

/// Decodes one series' samples in `[mint, snap.maxt]` into `out`: its sealed chunks oldest
/// first, then the open chunk.
/// Cancellation is checked before every chunk; `decoded` counts the chunks.
fn decode_snap(snap: &Snap, sealed: &Sealed, mint: Timestamp, out: &mut Samples, read: &ReadLimits<'_>) -> Result<()> {
    let open = (!snap.open.is_empty()).then_some((snap.open.as_slice(), snap.open_encoding));
    let sealed_chunks =
        sealed.spans.iter().zip(&sealed.encodings).rev().map(|(span, &e)| (&sealed.bytes[span.clone()], e));
    for (chunk, encoding) in sealed_chunks.chain(open) {
        read.cancel.check()?;
        read.decoded.fetch_add(1, Ordering::Relaxed);
        decode_chunk(encoding, chunk, mint, snap.maxt, out)?;
    }
    Ok(())
}

/// The newest sample time of series `s` (local id `local` of `shard`) that `view` may see, or
/// `None` if it sees none of its samples.
fn visible_last(shard: &Shard, local: usize, s: &MemSeries, view: Option<ReadView>) -> Option<Timestamp> {
    let last = s.last_t()?;
    let Some(cut) = view.and_then(|v| super::isolation::visible_until(shard.marks.get(&(local as u32))?, v.upto))
    else {
        return Some(last);
    };
    // Samples are appended in time order, so what the view sees is a prefix; retention may have
    // dropped all of it.
    Some(last.min(cut)).filter(|&l| l >= s.min_t)
}

/// What a select must respect while reading: the read view it sees commits through, the query's
/// sample budget and cancellation, and the counter of decoded chunks.
pub struct ReadLimits<'a> {
    /// Commits after this view are invisible; `None` reads everything committed.
    pub view: Option<ReadView>,
    /// Charged per series by its chunks' sample counts before anything is decoded.
    pub budget: &'a SampleBudget,
    /// Checked before every chunk.
    pub cancel: &'a Cancel,
    /// Incremented per decoded chunk.
    pub decoded: &'a AtomicU64,
}

/// A sealed chunk read back for series `id` must belong to it and have a known encoding.
fn check_chunk(r: u64, series: u32, encoding: u8, id: u32) -> Result<()> {
    if series != id || !known_encoding(encoding) {
        return Err(crate::Error::corrupt(
            format!("head chunk {r:#x}"),
            format!("belongs to series {series} (encoding {encoding}), expected {id}"),
        ));
    }
    Ok(())
}

/// Whether decoding is worth spreading over threads (roughly 50k samples or more).
fn worth_parallel(snaps: &[Snap], sealed: &[Sealed]) -> bool {
    if snaps.len() < 16 || rayon::current_num_threads() < 2 {
        return false;
    }
    let bytes: usize =
        snaps.iter().map(|s| s.open.len()).sum::<usize>() + sealed.iter().map(|s| s.bytes.len()).sum::<usize>();
    bytes >= 64 * 1024
}

/// Head counts computed on demand (one pass over the shards; no allocation per series).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct HeadStatsRaw {
    /// Live series.
    pub num_series: u64,
    /// Non-empty open chunks plus sealed chunks in live files.
    pub num_chunks: u64,
    /// Bytes held by open chunks.
    pub open_chunk_bytes: u64,
    /// Heap bytes of symbols and postings (approximate).
    pub index_bytes: u64,
}

/// Label cardinality of the head, for `/api/v1/status/tsdb`. Walks every label pair, so it is
/// computed only when asked for, never on the self-metrics path.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Cardinality {
    /// Distinct label pairs.
    pub num_label_pairs: u64,
    /// Top 10 metric names by series count (`seriesCountByMetricName`).
    pub series_count_by_metric_name: Vec<(String, u64)>,
    /// Top 10 label names by distinct values (`labelValueCountByLabelName`).
    pub label_value_count_by_label_name: Vec<(String, u64)>,
    /// Top 10 label names by Σ value length × series (`memoryInBytesByLabelName`).
    pub memory_in_bytes_by_label_name: Vec<(String, u64)>,
    /// Top 10 `name=value` pairs by series count (`seriesCountByLabelValuePair`).
    pub series_count_by_label_value_pair: Vec<(String, u64)>,
}

fn top10(mut v: Vec<(String, u64)>) -> Vec<(String, u64)> {
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(10);
    v
}

impl Head {
    /// Ids of series matching all `matchers` (every series for an empty list), sorted.
    pub fn series_ids(&self, matchers: &[Matcher]) -> Vec<u32> {
        let ix = self.index.read();
        let sy = self.symbols.read();
        ix.select(&sy, matchers)
    }

    /// Copies what a query needs out of the shards, grouped by shard to lock each once, as
    /// `view` sees it. The caller holds the visibility lock exclusively.
    pub(super) fn snapshot(
        &self,
        ids: &[u32],
        mint: Timestamp,
        maxt: Timestamp,
        with_open: bool,
        view: Option<ReadView>,
    ) -> Vec<Snap> {
        let mut by_shard: Vec<Vec<u32>> = vec![Vec::new(); SHARDS];
        for &id in ids {
            by_shard[(id & SHARD_MASK) as usize].push(id);
        }
        let mut out = Vec::with_capacity(ids.len());
        for (shard_no, ids) in by_shard.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
            let shard = self.shards[shard_no].lock();
            let sy = self.symbols.read();
            for &id in ids {
                let local = split(id).1;
                let Some(s) = shard.series.get(local).filter(|s| s.alive()) else { continue };
                let Some(last) = visible_last(&shard, local, s, view).filter(|&t| t >= mint) else { continue };
                let maxt = maxt.min(last);
                let first_open = s.open_first_t();
                let (open, open_encoding) = match (&s.hist, first_open) {
                    (Some(h), Some(first)) if with_open && first <= maxt => (h.bytes().to_vec(), h.encoding()),
                    (None, Some(first)) if with_open && first <= maxt => (s.chunk.bytes().to_vec(), ENCODING_XOR),
                    _ => (Vec::new(), ENCODING_XOR),
                };
                let need_sealed = s.sealed_ref != 0 && s.sealed_maxt >= mint && first_open.is_none_or(|f| f > mint);
                let off = s.labels_off as usize;
                let labels = decode_labels(&shard.labels[off..off + encoded_len(&shard.labels[off..])], &sy);
                let sealed_ref = if need_sealed { s.sealed_ref } else { 0 };
                out.push(Snap { id, labels, open, open_encoding, sealed_ref, maxt });
            }
        }
        out
    }

    /// Sealed chunks of a series overlapping `[mint, maxt]` with their encodings, oldest first.
    fn sealed_chunks(&self, id: u32, newest: u64, mint: Timestamp, maxt: Timestamp) -> Result<Vec<(u8, Vec<u8>)>> {
        let mut out = Vec::new();
        let mut buf = Vec::new();
        self.walk_sealed(id, newest, mint, maxt, &mut buf, |encoding, data| {
            out.push((encoding, data.to_vec()));
            Ok(())
        })?;
        out.reverse();
        Ok(out)
    }

    /// Calls `f` on each sealed chunk of series `id` overlapping `[mint, maxt]`, newest first,
    /// reading them through `buf`.
    fn walk_sealed(
        &self,
        id: u32,
        newest: u64,
        mint: Timestamp,
        maxt: Timestamp,
        buf: &mut Vec<u8>,
        mut f: impl FnMut(u8, &[u8]) -> Result<()>,
    ) -> Result<()> {
        let mut r = newest;
        while r != 0 {
            let Some(c) = self.chunks.read_into(r, buf)? else { break };
            check_chunk(r, c.series, c.encoding, id)?;
            if c.maxt < mint {
                break;
            }
            if c.mint <= maxt {
                f(c.encoding, &buf[c.data.clone()])?;
            }
            r = c.prev;
        }
        Ok(())
    }

    /// Reads the sealed chunks overlapping `[mint, maxt]` of every snapshot.
    ///
    /// The chains are walked time-major: each round follows one link of every chain, in file
    /// order, so chunks sealed together (neighbours in the file) are fetched by one read of up to
    /// [`MAX_WINDOW`] bytes instead of one `pread` each.
    pub(super) fn read_sealed(&self, snaps: &[Snap], mint: Timestamp, maxt: Timestamp) -> Result<Vec<Sealed>> {
        let mut out: Vec<Sealed> = (0..snaps.len()).map(|_| Sealed::default()).collect();
        let mut pending: Vec<(u64, usize)> =
            snaps.iter().enumerate().filter(|(_, s)| s.sealed_ref != 0).map(|(i, s)| (s.sealed_ref, i)).collect();
        // The bytes read are `window[..filled]`; the buffer keeps its size between reads.
        let mut window: Vec<u8> = Vec::new();
        let mut filled = 0;
        while !pending.is_empty() {
            pending.sort_unstable();
            let mut next = Vec::new();
            // The window holds file `win.0` from byte `win.1` on; reset each round.
            let mut win: Option<(u32, u64)> = None;
            for (pos, &(r, si)) in pending.iter().enumerate() {
                let (seq, off) = split_ref(r);
                let mut parsed = None;
                if let Some((_, wstart)) = win.filter(|&(ws, st)| ws == seq && off >= st) {
                    let at = (off - wstart) as usize;
                    if at < filled
                        && let Ok(h) = self.chunks.parse_chunk(r, &window[at..filled])?
                    {
                        parsed = Some((h, at));
                    }
                }
                if parsed.is_none() {
                    // Read through the following pending chunks of the same file while they are
                    // close together.
                    let mut end = off + MIN_CHUNK_READ as u64;
                    for &(r2, _) in &pending[pos + 1..] {
                        let (s2, o2) = split_ref(r2);
                        if s2 != seq || o2 > end + MERGE_GAP || o2 + MIN_CHUNK_READ as u64 - off > MAX_WINDOW {
                            break;
                        }
                        end = end.max(o2 + MIN_CHUNK_READ as u64);
                    }
                    let Some(n) = self.chunks.read_window(seq, off, (end - off) as usize, &mut window)? else {
                        continue; // The file was deleted by retention.
                    };
                    filled = n;
                    win = Some((seq, off));
                    let h = match self.chunks.parse_chunk(r, &window[..filled])? {
                        Ok(h) => h,
                        Err(need) => {
                            filled = self.chunks.read_window(seq, off, need, &mut window)?.unwrap_or(0);
                            self.chunks.parse_chunk(r, &window[..filled])?.map_err(|_| {
                                crate::Error::corrupt(self.chunks.location(r), "chunk data beyond end of file")
                            })?
                        }
                    };
                    parsed = Some((h, 0));
                }
                let Some((c, at)) = parsed else { continue };
                check_chunk(r, c.series, c.encoding, snaps[si].id)?;
                if c.maxt < mint {
                    continue;
                }
                if c.mint <= maxt {
                    let dst = &mut out[si];
                    let data = &window[at + c.data.start..at + c.data.end];
                    dst.spans.push(dst.bytes.len()..dst.bytes.len() + data.len());
                    dst.encodings.push(c.encoding);
                    dst.bytes.extend_from_slice(data);
                }
                if c.prev != 0 {
                    next.push((c.prev, si));
                }
            }
            pending = next;
        }
        Ok(out)
    }

    /// Series `ids` with samples in `[mint, maxt]`, sorted by labels, at most `limit` (0 = all).
    ///
    /// Sealed chunks are read first for all series at once ([`Self::read_sealed`]); series are
    /// then decoded in parallel (rayon) when there is enough work. The output is in label order
    /// either way.
    pub fn select(
        &self,
        matchers: &[Matcher],
        mint: Timestamp,
        maxt: Timestamp,
        labels_only: bool,
        limit: usize,
        read: &ReadLimits<'_>,
    ) -> Result<SeriesSet> {
        let mint = mint.max(self.min_valid());
        let Some(mut snaps) = self.sorted_snapshot(matchers, mint, maxt, labels_only, read)? else {
            return Ok(Vec::new());
        };
        if labels_only {
            // Index-only: labels plus each series' min/max time decided membership; nothing is
            // read from chunks.
            if limit > 0 {
                snaps.truncate(limit);
            }
            return Ok(snaps.into_iter().map(|s| Series { labels: s.labels, samples: Samples::default() }).collect());
        }
        let sealed = self.read_sealed(&snaps, mint, maxt)?;
        let parallel = limit == 0 && worth_parallel(&snaps, &sealed);
        let decode = |(snap, sealed, mut samples): (Snap, Sealed, Samples)| -> Result<Option<Series>> {
            decode_snap(&snap, &sealed, mint, &mut samples, read)?;
            Ok((!samples.is_empty()).then_some(Series { labels: snap.labels, samples }))
        };
        // The output arrays are allocated here, on the calling thread, sized from the chunk
        // headers: worker threads then only fill them (allocator arenas of short-lived pool
        // threads tend to hand memory back to the OS, and page faults do not run in parallel).
        // The budget is charged here, before the arrays are allocated: a query over its limit
        // stops without decoding (or allocating for) the chunk that would exceed it.
        let work = snaps.into_iter().zip(sealed).map(|(snap, sealed)| -> Result<(Snap, Sealed, Samples)> {
            let (sealed_cost, sealed_floats) = sealed.cost();
            read.budget.try_take(sealed_cost + chunk_cost(snap.open_encoding, &snap.open))?;
            let open_floats = if snap.open_encoding == ENCODING_XOR { chunk_samples(&snap.open) } else { 0 };
            let n = sealed_floats + open_floats;
            let samples =
                Samples { timestamps: Vec::with_capacity(n), values: Vec::with_capacity(n), ..Samples::default() };
            Ok((snap, sealed, samples))
        });
        if !parallel {
            let mut out = Vec::new();
            for item in work {
                if let Some(s) = decode(item?)? {
                    out.push(s);
                    if limit > 0 && out.len() >= limit {
                        break;
                    }
                }
            }
            return Ok(out);
        }
        use rayon::prelude::*;
        let items: Vec<(Snap, Sealed, Samples)> = work.collect::<Result<_>>()?;
        let decoded: Vec<Option<Series>> = items.into_par_iter().with_min_len(8).map(decode).collect::<Result<_>>()?;
        Ok(decoded.into_iter().flatten().collect())
    }

    /// The series matching `matchers` copied out for a select over `[mint, maxt]` (`None` if the
    /// range is empty), sorted by labels: with their open chunk, or for an index-only select
    /// only those whose min/max times overlap the range.
    pub(super) fn sorted_snapshot(
        &self,
        matchers: &[Matcher],
        mint: Timestamp,
        maxt: Timestamp,
        labels_only: bool,
        read: &ReadLimits<'_>,
    ) -> Result<Option<Vec<Snap>>> {
        if mint > maxt {
            return Ok(None);
        }
        read.cancel.check()?;
        let mut snaps = {
            // Postings and series state are read between two commits: a commit's series are all
            // created before it applies its samples, so the copy holds all of it or none of it.
            let _between_commits = self.visibility.write();
            let ids = self.series_ids(matchers);
            if labels_only {
                let ids = self.with_data_in_unlocked(&ids, mint, maxt, read.view, read.cancel)?;
                self.snapshot(&ids, mint, maxt, false, read.view)
            } else {
                self.snapshot(&ids, mint, maxt, true, read.view)
            }
        };
        read.cancel.check()?;
        snaps.sort_by(|a, b| a.labels.cmp(&b.labels));
        Ok(Some(snaps))
    }

    /// The series of `ids` (sorted) holding samples in `[mint, maxt]`, judged by their oldest and
    /// newest sample times alone (no chunk is read), in the same order. `cancel` is checked
    /// every 1,024 series.
    pub fn with_data_in(&self, ids: &[u32], mint: Timestamp, maxt: Timestamp, cancel: &Cancel) -> Result<Vec<u32>> {
        let _between_commits = self.visibility.write();
        self.with_data_in_unlocked(ids, mint, maxt, None, cancel)
    }

    /// Series matching `matchers` with samples in `[mint, maxt]` that `view` sees, postings and
    /// times read between two commits (see [`Self::select`]). `cancel` is checked every 1,024
    /// series.
    pub fn matching_with_data_in(
        &self,
        matchers: &[Matcher],
        mint: Timestamp,
        maxt: Timestamp,
        view: Option<ReadView>,
        cancel: &Cancel,
    ) -> Result<Vec<u32>> {
        let _between_commits = self.visibility.write();
        let ids = self.series_ids(matchers);
        self.with_data_in_unlocked(&ids, mint, maxt, view, cancel)
    }

    fn with_data_in_unlocked(
        &self,
        ids: &[u32],
        mint: Timestamp,
        maxt: Timestamp,
        view: Option<ReadView>,
        cancel: &Cancel,
    ) -> Result<Vec<u32>> {
        let mint = mint.max(self.min_valid());
        if mint > maxt {
            return Ok(Vec::new());
        }
        let mut every = CancelEvery::new(cancel);
        let mut keep = vec![false; ids.len()];
        let mut by_shard: Vec<Vec<usize>> = vec![Vec::new(); SHARDS];
        for (i, &id) in ids.iter().enumerate() {
            by_shard[(id & SHARD_MASK) as usize].push(i);
        }
        for (shard_no, idx) in by_shard.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
            let shard = self.shards[shard_no].lock();
            for &i in idx {
                every.tick(1)?;
                let local = split(ids[i]).1;
                keep[i] = shard
                    .series
                    .get(local)
                    .filter(|s| s.alive())
                    .and_then(|s| visible_last(&shard, local, s, view).map(|last| last >= mint && s.min_t <= maxt))
                    .unwrap_or(false);
            }
        }
        Ok(ids.iter().zip(keep).filter(|(_, k)| *k).map(|(&id, _)| id).collect())
    }

    /// Sorted label names of series `ids` (all series if `None`). `cancel` is checked every
    /// 1,024 series.
    pub fn label_names(&self, ids: Option<&[u32]>, cancel: &Cancel) -> Result<Vec<String>> {
        let names: BTreeSet<String> = match ids {
            None => {
                let ix = self.index.read();
                let sy = self.symbols.read();
                ix.names().map(|n| sy.resolve(n).to_owned()).collect()
            }
            Some(ids) => {
                let mut syms = BTreeSet::new();
                let mut pairs = Vec::new();
                let mut every = CancelEvery::new(cancel);
                for &id in ids {
                    every.tick(1)?;
                    let (shard_no, local) = split(id);
                    let shard = self.shards[shard_no].lock();
                    if let Some(s) = shard.series.get(local).filter(|s| s.alive()) {
                        pairs.clear();
                        decode_pairs(&shard.labels[s.labels_off as usize..], &mut pairs);
                        syms.extend(pairs.iter().map(|p| p.0));
                    }
                }
                let sy = self.symbols.read();
                syms.into_iter().map(|n| sy.resolve(n).to_owned()).collect()
            }
        };
        Ok(names.into_iter().collect())
    }

    /// Sorted values of label `name` on series `ids` (all series if `None`). `cancel` is checked
    /// every 1,024 values and postings visited.
    pub fn label_values(&self, name: &str, ids: Option<&[u32]>, cancel: &Cancel) -> Result<Vec<String>> {
        let ix = self.index.read();
        let sy = self.symbols.read();
        let Some(n) = sy.get(name) else { return Ok(Vec::new()) };
        let mut every = CancelEvery::new(cancel);
        let mut out = Vec::new();
        for (v, list) in ix.values(n) {
            every.tick(1 + if ids.is_some() { list.len() } else { 0 })?;
            if ids.is_none_or(|ids| !super::postings::intersect(list, ids).is_empty()) {
                out.push(sy.resolve(v).to_owned());
            }
        }
        out.sort_unstable();
        Ok(out)
    }

    /// Writes every live series and its chunks ending at or after `cutoff` to a checkpoint.
    pub fn write_checkpoint(&self, cp: &mut CheckpointWriter, cutoff: Timestamp) -> Result<usize> {
        let mut written = 0;
        for shard_no in 0..SHARDS {
            let ids: Vec<u32> = {
                let shard = self.shards[shard_no].lock();
                (0..shard.series.len())
                    .filter(|&l| shard.series[l].alive())
                    .map(|l| (l as u32) << super::SHARD_BITS | shard_no as u32)
                    .collect()
            };
            for snap in self.snapshot(&ids, Timestamp::MIN, Timestamp::MAX, true, None) {
                cp.series(snap.id, &snap.labels)?;
                if snap.sealed_ref != 0 {
                    for (encoding, c) in self.sealed_chunks(snap.id, snap.sealed_ref, cutoff, Timestamp::MAX)? {
                        cp.chunk(snap.id, encoding, &c)?;
                    }
                }
                if !snap.open.is_empty() {
                    cp.chunk(snap.id, snap.open_encoding, &snap.open)?;
                }
                written += 1;
            }
        }
        Ok(written)
    }

    /// Series and chunk counts.
    pub fn stats(&self) -> HeadStatsRaw {
        let mut st = HeadStatsRaw::default();
        for shard in self.shards.iter() {
            let shard = shard.lock();
            for s in shard.series.iter().filter(|s: &&MemSeries| s.alive()) {
                st.num_series += 1;
                if !s.chunk.is_empty() {
                    st.num_chunks += 1;
                    st.open_chunk_bytes += s.chunk.capacity() as u64;
                }
                if let Some(h) = &s.hist {
                    st.num_chunks += 1;
                    st.open_chunk_bytes += h.capacity() as u64;
                }
            }
        }
        st.num_chunks += self.chunks.num_chunks();
        let ix = self.index.read();
        let sy = self.symbols.read();
        st.index_bytes = (ix.memory_bytes() + sy.memory_bytes()) as u64;
        st
    }

    /// Label cardinality top lists.
    pub fn cardinality(&self) -> Cardinality {
        let mut st = Cardinality::default();
        let ix = self.index.read();
        let sy = self.symbols.read();
        let mut by_name = Vec::new();
        let mut value_counts = Vec::new();
        let mut memory = Vec::new();
        let mut pairs = Vec::new();
        for n in ix.names() {
            let name = sy.resolve(n);
            let (mut values, mut bytes) = (0u64, 0u64);
            for (v, list) in ix.values(n) {
                let value = sy.resolve(v);
                values += 1;
                bytes += (value.len() * list.len()) as u64;
                st.num_label_pairs += 1;
                pairs.push((format!("{name}={value}"), list.len() as u64));
                if name == METRIC_NAME {
                    by_name.push((value.to_owned(), list.len() as u64));
                }
            }
            value_counts.push((name.to_owned(), values));
            memory.push((name.to_owned(), bytes));
        }
        st.series_count_by_metric_name = top10(by_name);
        st.label_value_count_by_label_name = top10(value_counts);
        st.memory_in_bytes_by_label_name = top10(memory);
        st.series_count_by_label_value_pair = top10(pairs);
        st
    }
}
