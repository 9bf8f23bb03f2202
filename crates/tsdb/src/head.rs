//! The head: every series in memory, sharded by series id, with its open XOR chunk in RAM and its
//! sealed chunks in head chunk files.
//!
//! Layout, chosen for ≤ 600 B RSS per active series (`research/storage-engine.md` §4):
//! - series ids are dense `u32`s, `local << SHARD_BITS | shard`, and the shard is chosen by the
//!   labels hash, so the hash table, the series and their labels for one id live behind one lock;
//! - labels are interned symbols ([`symbols::Symbols`]), stored per series as a varint run in the
//!   shard's byte arena;
//! - postings ([`index::Index`]) are sorted `Vec<u32>` per label pair;
//! - per series RAM is one [`MemSeries`]: the open chunk (encoder state + bytes), the newest sealed
//!   chunk's reference and max time, the label offset and the labels hash;
//! - native histogram samples go to an open [`HistogramChunk`] instead (boxed, so float-only
//!   series pay one pointer); a series has at most one open chunk of either kind, and switching
//!   kinds seals the open one (`head/histograms.rs` has the cut rules).
//!
//! Lock order: shard → symbols (read) → WAL; index is taken alone (or after symbols when queried).

pub mod chunk_store;
mod export;
mod histograms;
pub mod index;
mod isolation;
mod lazy_read;
pub(crate) mod postings;
mod read;

pub use read::{Cardinality, HeadStatsRaw, ReadLimits};
pub(crate) use read::{chunk_cost, decode_chunk};
pub mod symbols;

use crate::chunk::{ENCODING_XOR, HistogramChunk, XorChunk};
use crate::encoding::{Reader, put_uvarint};
use chunk_store::ChunkStore;
use hashbrown::HashTable;
use index::Index;
use isolation::{CommitMark, Isolation};
use parking_lot::{Mutex, RwLock};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use symbols::Symbols;
use vigil_model::{Label, Labels, Timestamp, is_stale_nan};

/// Log2 of the number of shards.
pub const SHARD_BITS: u32 = 6;
const SHARDS: usize = 1 << SHARD_BITS;
const SHARD_MASK: u32 = (1 << SHARD_BITS) - 1;
const DEAD: u32 = u32::MAX;

/// One series' in-memory state.
#[derive(Debug)]
pub(crate) struct MemSeries {
    chunk: XorChunk,
    /// The open histogram chunk; `chunk` is empty while this is set.
    hist: Option<Box<HistogramChunk>>,
    hash: u64,
    sealed_ref: u64,
    sealed_maxt: Timestamp,
    /// Time of the oldest sample held (raised by retention); meaningful only while
    /// [`Self::last_t`] is `Some`. Lets label queries skip series outside a range without
    /// reading chunks.
    min_t: Timestamp,
    labels_off: u32,
    /// Set when retention found the series empty once; removed on the next pass (so a series
    /// created by an appender that has not committed yet is not removed under its feet).
    empty_seen: bool,
}

impl MemSeries {
    fn dead() -> Self {
        Self {
            chunk: XorChunk::new(),
            hist: None,
            hash: 0,
            sealed_ref: 0,
            sealed_maxt: 0,
            min_t: 0,
            labels_off: DEAD,
            empty_seen: false,
        }
    }

    fn alive(&self) -> bool {
        self.labels_off != DEAD
    }

    /// Time of the first sample of the open chunk, of either kind.
    fn open_first_t(&self) -> Option<Timestamp> {
        match &self.hist {
            Some(h) => h.first_t(),
            None => self.chunk.first_t(),
        }
    }

    /// Whether there is an open chunk of either kind.
    fn has_open(&self) -> bool {
        self.hist.is_some() || !self.chunk.is_empty()
    }

    fn last_t(&self) -> Option<Timestamp> {
        if let Some(h) = &self.hist {
            Some(h.last_t())
        } else if !self.chunk.is_empty() {
            Some(self.chunk.last_t())
        } else if self.sealed_ref != 0 {
            Some(self.sealed_maxt)
        } else {
            None
        }
    }
}

/// A shard: series whose id ends in this shard's bits.
#[derive(Debug, Default)]
pub(crate) struct Shard {
    series: Vec<MemSeries>,
    by_hash: HashTable<u32>,
    labels: Vec<u8>,
    garbage: usize,
    /// Per local series id, the commits that open read views must not see (see
    /// [`isolation`]); empty while no view is open.
    marks: hashbrown::HashMap<u32, Vec<CommitMark>>,
}

impl Shard {
    fn find(&self, hash: u64, enc: &[u8]) -> Option<u32> {
        self.by_hash
            .find(hash, |&local| {
                let s = &self.series[local as usize];
                let off = s.labels_off as usize;
                s.hash == hash && self.labels.get(off..off + enc.len()) == Some(enc)
            })
            .copied()
    }

    fn insert(&mut self, local: u32, hash: u64, enc: &[u8]) {
        let off = self.labels.len() as u32;
        self.labels.extend_from_slice(enc);
        let slot = MemSeries { labels_off: off, hash, ..MemSeries::dead() };
        let idx = local as usize;
        while self.series.len() <= idx {
            self.series.push(MemSeries::dead());
        }
        self.series[idx] = slot;
        let series = &self.series;
        self.by_hash.insert_unique(hash, local, |&l| series[l as usize].hash);
    }

    /// Rewrites the label arena without removed series' bytes.
    fn compact_labels(&mut self) {
        let mut arena = Vec::with_capacity(self.labels.len() - self.garbage);
        for s in self.series.iter_mut().filter(|s| s.alive()) {
            let off = s.labels_off as usize;
            let len = encoded_len(&self.labels[off..]);
            s.labels_off = arena.len() as u32;
            arena.extend_from_slice(&self.labels[off..off + len]);
        }
        self.labels = arena;
        self.garbage = 0;
    }
}

/// Length of one encoded label run at the start of `b`.
fn encoded_len(b: &[u8]) -> usize {
    let mut r = Reader::new(b);
    let n = r.uvarint().unwrap_or(0);
    for _ in 0..n * 2 {
        if r.uvarint().is_err() {
            break;
        }
    }
    r.offset()
}

fn decode_pairs(b: &[u8], out: &mut Vec<(u32, u32)>) {
    let mut r = Reader::new(b);
    let n = r.uvarint().unwrap_or(0);
    for _ in 0..n {
        match (r.uvarint(), r.uvarint()) {
            (Ok(a), Ok(v)) => out.push((a as u32, v as u32)),
            _ => break,
        }
    }
}

fn decode_labels(b: &[u8], symbols: &Symbols) -> Labels {
    let mut pairs = Vec::new();
    decode_pairs(b, &mut pairs);
    Labels::from_sorted(
        pairs
            .into_iter()
            .map(|(n, v)| Label { name: symbols.resolve(n).to_owned(), value: symbols.resolve(v).to_owned() })
            .collect(),
    )
}

/// Chunk cutting parameters.
#[derive(Debug, Clone, Copy)]
pub struct HeadOptions {
    /// Cut a chunk after this many samples.
    pub samples_per_chunk: u16,
    /// Chunks never cross a multiple of this many milliseconds.
    pub chunk_range_ms: i64,
}

/// Monotonic counters, read by `Db::stats`.
#[derive(Debug, Default)]
pub struct HeadCounters {
    /// Samples added to chunks.
    pub samples_appended: AtomicU64,
    /// Series created.
    pub series_created: AtomicU64,
    /// Series removed by retention.
    pub series_removed: AtomicU64,
    /// Samples dropped at commit because another commit got ahead (out of order or duplicate).
    pub out_of_order_dropped: AtomicU64,
    /// Samples for unknown series ids seen in WAL replay.
    pub unknown_series_samples: AtomicU64,
    /// Failed writes of sealed chunks (the samples stay in the WAL).
    pub chunk_write_errors: AtomicU64,
    /// Chunks decoded by selects. Index-only answers (series, label names and values) leave it
    /// unchanged; tests rely on that.
    pub chunks_decoded: AtomicU64,
}

/// A consistent view of the head's commits, from [`Head::open_view`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadView {
    upto: u64,
}

/// Whether a sample should be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Add it.
    Append,
    /// Same timestamp and bit-identical value as the last sample: accepted, nothing to add.
    Duplicate,
}

/// What retention removed.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct TruncateReport {
    /// Series removed.
    pub series_removed: usize,
    /// Open chunks dropped.
    pub open_chunks_dropped: usize,
    /// Head chunk files deleted.
    pub files_deleted: usize,
}

/// The in-memory head.
#[derive(Debug)]
pub struct Head {
    shards: Box<[Mutex<Shard>]>,
    symbols: RwLock<Symbols>,
    index: RwLock<Index>,
    chunks: ChunkStore,
    opts: HeadOptions,
    min_valid: AtomicI64,
    min_time: AtomicI64,
    max_time: AtomicI64,
    /// Commit isolation. Commits hold it shared while they apply a batch (commits still run in
    /// parallel); reads take it exclusively only while they copy series state out of the shards,
    /// so every copy is taken between commits: it holds all of a commit or none of it.
    visibility: RwLock<()>,
    /// Commit sequence numbers and open read views.
    isolation: Isolation,
    /// Counters.
    pub counters: HeadCounters,
}

/// The shard and in-shard index of `id`.
#[inline]
fn split(id: u32) -> (usize, usize) {
    ((id & SHARD_MASK) as usize, (id >> SHARD_BITS) as usize)
}

impl Head {
    /// An empty head whose sealed chunks go to `chunks`.
    pub fn new(chunks: ChunkStore, opts: HeadOptions) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            symbols: RwLock::new(Symbols::default()),
            index: RwLock::new(Index::default()),
            visibility: RwLock::new(()),
            isolation: Isolation::default(),
            chunks,
            opts,
            min_valid: AtomicI64::new(Timestamp::MIN),
            min_time: AtomicI64::new(Timestamp::MAX),
            max_time: AtomicI64::new(Timestamp::MIN),
            counters: HeadCounters::default(),
        }
    }

    /// Encodes `labels` with existing symbols into `enc`; false if a symbol is unknown (then the
    /// series cannot exist).
    fn encode_known(&self, labels: &Labels, enc: &mut Vec<u8>) -> bool {
        enc.clear();
        put_uvarint(enc, labels.len() as u64);
        let sy = self.symbols.read();
        for l in labels {
            match (sy.get(&l.name), sy.get(&l.value)) {
                (Some(n), Some(v)) => {
                    put_uvarint(enc, u64::from(n));
                    put_uvarint(enc, u64::from(v));
                }
                _ => return false,
            }
        }
        true
    }

    /// The id of the series with `labels` (whose XXH64 is `hash`), if it exists.
    pub fn lookup(&self, labels: &Labels, hash: u64, enc: &mut Vec<u8>) -> Option<u32> {
        if !self.encode_known(labels, enc) {
            return None;
        }
        let shard = (hash as u32 & SHARD_MASK) as usize;
        let local = self.shards[shard].lock().find(hash, enc)?;
        Some(local << SHARD_BITS | shard as u32)
    }

    /// The id of the series with `labels`, creating it if needed. `on_create(id)` runs under the
    /// shard lock before anyone else can find the new series (the WAL queues its record there).
    pub fn get_or_create(&self, labels: &Labels, hash: u64, enc: &mut Vec<u8>, on_create: impl FnOnce(u32)) -> u32 {
        if let Some(id) = self.lookup(labels, hash, enc) {
            return id;
        }
        let mut pairs = Vec::with_capacity(labels.len());
        self.intern(labels, enc, &mut pairs);
        let shard_no = (hash as u32 & SHARD_MASK) as usize;
        let id = {
            let mut shard = self.shards[shard_no].lock();
            if let Some(local) = shard.find(hash, enc) {
                return local << SHARD_BITS | shard_no as u32;
            }
            let local = shard.series.len() as u32;
            shard.insert(local, hash, enc);
            let id = local << SHARD_BITS | shard_no as u32;
            on_create(id);
            id
        };
        self.index.write().add(id, &pairs);
        self.counters.series_created.fetch_add(1, Ordering::Relaxed);
        id
    }

    fn intern(&self, labels: &Labels, enc: &mut Vec<u8>, pairs: &mut Vec<(u32, u32)>) {
        enc.clear();
        put_uvarint(enc, labels.len() as u64);
        let mut sy = self.symbols.write();
        for l in labels {
            let (n, v) = (sy.intern(&l.name), sy.intern(&l.value));
            put_uvarint(enc, u64::from(n));
            put_uvarint(enc, u64::from(v));
            pairs.push((n, v));
        }
    }

    /// Recreates series `id` from a WAL series record. Returns false if the id is taken by a
    /// series with other labels.
    pub fn replay_series(&self, id: u32, labels: &Labels) -> bool {
        let hash = labels.hash_xxh64();
        let (shard_no, local) = split(id);
        if hash as u32 & SHARD_MASK != shard_no as u32 {
            return false;
        }
        let mut enc = Vec::new();
        let mut pairs = Vec::new();
        self.intern(labels, &mut enc, &mut pairs);
        {
            let mut shard = self.shards[shard_no].lock();
            if let Some(existing) = shard.series.get(local).filter(|s| s.alive()) {
                let off = existing.labels_off as usize;
                return shard.labels.get(off..off + enc.len()) == Some(&enc[..]);
            }
            if shard.find(hash, &enc).is_some() {
                return false;
            }
            shard.insert(local as u32, hash, &enc);
        }
        self.index.write().add(id, &pairs);
        self.counters.series_created.fetch_add(1, Ordering::Relaxed);
        true
    }

    /// Checks a sample against series `id`'s committed state. `None` if the series does not exist.
    pub fn check(&self, id: u32, t: Timestamp, v: f64) -> Option<Result<Verdict, vigil_storage::Error>> {
        let (shard_no, local) = split(id);
        let shard = self.shards.get(shard_no)?.lock();
        let s = shard.series.get(local).filter(|s| s.alive())?;
        Some(verdict(s, t, v))
    }

    /// Adds committed samples `(id, t, v)`; samples that are now out of order are dropped and
    /// counted. Reorders `samples` (stable per series). Returns the number added.
    pub fn append_batch(&self, samples: &mut [(u32, Timestamp, f64)]) -> usize {
        self.apply_batch(samples, |s| (s.0, s.1), |head, shard, &(id, t, v)| head.append_one(shard, id, t, v))
    }

    /// Applies one commit's samples of any kind: `key` gives a sample's series id and time,
    /// `apply` adds it to its series (returning the series' newest time before it, or `None`
    /// if it was dropped). Reorders `samples` by shard (stable per series).
    fn apply_batch<S>(
        &self,
        samples: &mut [S],
        key: impl Fn(&S) -> (u32, Timestamp),
        apply: impl Fn(&Self, &mut Shard, &S) -> Option<Timestamp>,
    ) -> usize {
        samples.sort_by_key(|s| key(s).0 & SHARD_MASK);
        let _visible_at_once = self.visibility.read();
        let (seq, track) = self.isolation.begin_commit();
        let mark = track.then(|| (seq, self.isolation.low()));
        let mut added = 0;
        let (mut lo, mut hi) = (Timestamp::MAX, Timestamp::MIN);
        let mut i = 0;
        while i < samples.len() {
            let shard_no = (key(&samples[i]).0 & SHARD_MASK) as usize;
            let mut shard = self.shards[shard_no].lock();
            if mark.is_none() && !shard.marks.is_empty() {
                shard.marks = hashbrown::HashMap::new();
            }
            while i < samples.len() && (key(&samples[i]).0 & SHARD_MASK) as usize == shard_no {
                let (id, t) = key(&samples[i]);
                let applied = apply(self, &mut shard, &samples[i]);
                i += 1;
                if let Some(before) = applied {
                    if let Some((seq, low)) = mark {
                        isolation::record(shard.marks.entry(split(id).1 as u32).or_default(), seq, before, low);
                    }
                    added += 1;
                    lo = lo.min(t);
                    hi = hi.max(t);
                }
            }
        }
        if added > 0 {
            self.min_time.fetch_min(lo, Ordering::Relaxed);
            self.max_time.fetch_max(hi, Ordering::Relaxed);
            self.counters.samples_appended.fetch_add(added as u64, Ordering::Relaxed);
        }
        added
    }

    /// Adds one sample; on success returns the series' newest time before it
    /// (`Timestamp::MIN` if it had none), which read views use to cut it.
    fn append_one(&self, shard: &mut Shard, id: u32, t: Timestamp, v: f64) -> Option<Timestamp> {
        if is_stale_nan(v)
            && let Some(marker) =
                shard.series.get(split(id).1).and_then(|s| s.hist.as_ref()).map(|c| c.last().stale_like())
        {
            // A stale float after histograms becomes a stale histogram of the open chunk's kind,
            // as in Prometheus.
            return self.append_one_histogram(shard, id, t, &marker);
        }
        let s = self.admit(shard, id, |s| verdict(s, t, v))?;
        let before = s.last_t().unwrap_or(Timestamp::MIN);
        if s.hist.is_some() {
            self.seal_histograms(s, id);
        }
        if !s.chunk.is_empty() {
            let first = s.chunk.first_t().unwrap_or(t);
            let range = self.opts.chunk_range_ms.max(1);
            let window_end = (first.div_euclid(range) + 1).saturating_mul(range);
            if s.chunk.num_samples() >= self.opts.samples_per_chunk || t >= window_end {
                self.seal(s, id);
            }
        }
        if s.last_t().is_none() {
            s.min_t = t;
        }
        s.empty_seen = false;
        s.chunk.append(t, v).is_ok().then_some(before)
    }

    /// The live series `id` of `shard` when `verdict` says its sample is to be added; counts
    /// samples of unknown series and samples a concurrent commit made out of order.
    fn admit<'s>(
        &self,
        shard: &'s mut Shard,
        id: u32,
        verdict: impl FnOnce(&MemSeries) -> Result<Verdict, vigil_storage::Error>,
    ) -> Option<&'s mut MemSeries> {
        let Some(s) = shard.series.get_mut(split(id).1).filter(|s| s.alive()) else {
            self.counters.unknown_series_samples.fetch_add(1, Ordering::Relaxed);
            return None;
        };
        match verdict(s) {
            Ok(Verdict::Append) => Some(s),
            Ok(Verdict::Duplicate) => None,
            Err(_) => {
                self.counters.out_of_order_dropped.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }

    fn seal(&self, s: &mut MemSeries, id: u32) {
        let mint = s.chunk.first_t().unwrap_or(Timestamp::MIN);
        let maxt = s.chunk.last_t();
        let bytes = s.chunk.take_bytes();
        self.write_sealed(s, id, (mint, maxt), ENCODING_XOR, &bytes);
    }

    /// Writes a sealed chunk to the chunk files and links it into the series' chain.
    fn write_sealed(
        &self,
        s: &mut MemSeries,
        id: u32,
        (mint, maxt): (Timestamp, Timestamp),
        encoding: u8,
        bytes: &[u8],
    ) {
        match self.chunks.write(s.sealed_ref, id, mint, maxt, encoding, bytes) {
            Ok(r) => {
                s.sealed_ref = r;
                s.sealed_maxt = maxt;
            }
            Err(e) => {
                self.counters.chunk_write_errors.fetch_add(1, Ordering::Relaxed);
                tracing::error!(error = %e, series = id, "Failed to write a sealed head chunk; its samples stay in the WAL.");
            }
        }
    }

    /// Drops chunks ending before `cutoff` and series left without data.
    pub fn truncate(&self, cutoff: Timestamp) -> crate::Result<TruncateReport> {
        self.min_valid.fetch_max(cutoff, Ordering::Relaxed);
        let mut report = TruncateReport::default();
        let mut removed_ids = Vec::new();
        let mut removed_pairs = Vec::new();
        for (shard_no, shard) in self.shards.iter().enumerate() {
            let mut shard = shard.lock();
            let shard = &mut *shard;
            for local in 0..shard.series.len() {
                let s = &mut shard.series[local];
                if !s.alive() {
                    continue;
                }
                if !s.chunk.is_empty() && s.chunk.last_t() < cutoff {
                    s.chunk = XorChunk::new();
                    report.open_chunks_dropped += 1;
                }
                if s.hist.as_ref().is_some_and(|h| h.last_t() < cutoff) {
                    s.hist = None;
                    report.open_chunks_dropped += 1;
                }
                if s.sealed_ref != 0 && s.sealed_maxt < cutoff {
                    s.sealed_ref = 0;
                }
                s.min_t = match s.open_first_t() {
                    Some(first) if s.sealed_ref == 0 => first,
                    _ => s.min_t.max(cutoff),
                };
                if s.has_open() || s.sealed_ref != 0 {
                    s.empty_seen = false;
                    continue;
                }
                if !s.empty_seen {
                    s.empty_seen = true;
                    continue;
                }
                let (hash, off) = (s.hash, s.labels_off as usize);
                *s = MemSeries::dead();
                shard.marks.remove(&(local as u32));
                if let Ok(e) = shard.by_hash.find_entry(hash, |&l| l as usize == local) {
                    e.remove();
                }
                let len = encoded_len(&shard.labels[off..]);
                decode_pairs(&shard.labels[off..off + len], &mut removed_pairs);
                shard.garbage += len;
                removed_ids.push((local as u32) << SHARD_BITS | shard_no as u32);
            }
            if shard.garbage > 4096 && shard.garbage * 2 > shard.labels.len() {
                shard.compact_labels();
            }
        }
        removed_ids.sort_unstable();
        self.index.write().remove(&removed_ids, &removed_pairs);
        report.series_removed = removed_ids.len();
        self.counters.series_removed.fetch_add(removed_ids.len() as u64, Ordering::Relaxed);
        report.files_deleted = self.chunks.delete_before(cutoff)?.0;
        self.min_time.fetch_max(cutoff, Ordering::Relaxed);
        Ok(report)
    }

    /// Opens a read view on every commit finished so far: selects made with it see those
    /// commits and nothing of later ones. Close it with [`Self::close_view`].
    pub fn open_view(&self) -> ReadView {
        let _between_commits = self.visibility.write();
        ReadView { upto: self.isolation.open_view() }
    }

    /// Closes a view from [`Self::open_view`].
    pub fn close_view(&self, view: ReadView) {
        self.isolation.close_view(view.upto);
    }

    /// The oldest timestamp queries may return (the last retention cutoff).
    pub fn min_valid(&self) -> Timestamp {
        self.min_valid.load(Ordering::Relaxed)
    }

    /// Smallest and largest sample time appended (after retention), if any.
    pub fn time_range(&self) -> Option<(Timestamp, Timestamp)> {
        let (lo, hi) = (self.min_time.load(Ordering::Relaxed), self.max_time.load(Ordering::Relaxed));
        (lo <= hi).then_some((lo, hi))
    }
}

fn verdict(s: &MemSeries, t: Timestamp, v: f64) -> Result<Verdict, vigil_storage::Error> {
    match s.last_t() {
        Some(last) if t < last => Err(vigil_storage::Error::OutOfOrder),
        Some(last) if t == last => {
            if !s.chunk.is_empty() && s.chunk.last_v().to_bits() == v.to_bits() {
                Ok(Verdict::Duplicate)
            } else {
                Err(vigil_storage::Error::DuplicateSample)
            }
        }
        _ => Ok(Verdict::Append),
    }
}

#[cfg(test)]
mod tests;
