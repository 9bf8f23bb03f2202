//! The per-target scrape cache: what each raw series line became last time.
//!
//! Keyed by a 128-bit hash of the series text as written (`name{labels}`, before value and
//! timestamp), an entry holds the storage's series ref and the final labels (scraped labels merged
//! with the target's, after `metric_relabel_configs`), or the fact that relabeling dropped it. A
//! steady target therefore costs one hash and one map lookup per sample: no label parsing, no
//! relabeling, no allocation.
//!
//! The cache also carries staleness: an entry records the scrape iterations that appended it, so
//! "in the previous successful scrape but not in this one" is a scan over the map rather than a
//! second set of label sets per scrape. Entries unused for two scrapes are dropped.

use hashbrown::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use vigil_model::Labels;
use vigil_storage::SeriesRef;

/// Keys are already uniformly distributed hashes; hashing them again is wasted work.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct PassThroughHasher(u64);

impl Hasher for PassThroughHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.0 = self.0.rotate_left(5) ^ u64::from_le_bytes(b);
        }
    }

    fn write_u128(&mut self, v: u128) {
        self.0 = (v as u64) ^ ((v >> 64) as u64);
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

pub(crate) type PassThroughMap<K, V> = HashMap<K, V, BuildHasherDefault<PassThroughHasher>>;

/// A series known to the cache.
#[derive(Debug)]
pub(crate) struct SeriesEntry {
    pub series_ref: SeriesRef,
    pub labels: Labels,
    /// `labels.hash_xxh64()`, to tell apart two raw lines that relabel to the same series.
    pub labels_hash: u64,
    /// Last iteration that looked this entry up.
    pub used_iter: u32,
    /// Last iteration that appended a sample without an explicit timestamp (tracked for staleness).
    pub seen_iter: u32,
    /// The value `seen_iter` had before the current iteration touched it (for rolled-back scrapes).
    pub prev_seen_iter: u32,
}

/// What a raw series line became.
#[derive(Debug)]
pub(crate) enum CacheEntry {
    Series(SeriesEntry),
    /// Dropped by `metric_relabel_configs`.
    Dropped {
        used_iter: u32,
    },
}

impl CacheEntry {
    fn used_iter(&self) -> u32 {
        match self {
            CacheEntry::Series(s) => s.used_iter,
            CacheEntry::Dropped { used_iter } => *used_iter,
        }
    }
}

/// Per-target cache of series refs and labels; see the module docs.
#[derive(Debug, Default)]
pub(crate) struct SeriesCache {
    pub entries: PassThroughMap<u128, CacheEntry>,
    /// Current iteration; starts at 1 so that 0 means "never".
    pub iter: u32,
    /// Iteration of the last successful scrape, whose series go stale if they disappear.
    pub last_ok_iter: Option<u32>,
}

impl SeriesCache {
    /// Starts a scrape iteration.
    pub fn begin(&mut self) {
        self.iter = self.iter.wrapping_add(1).max(1);
    }

    /// Marks `e` as appended in this iteration (for staleness tracking).
    #[inline]
    pub fn touch(iter: u32, e: &mut SeriesEntry) {
        if e.seen_iter != iter {
            e.prev_seen_iter = e.seen_iter;
            e.seen_iter = iter;
        }
    }

    /// Series of the last successful scrape that this (successful) iteration did not append.
    pub fn disappeared(&self) -> Vec<(SeriesRef, &Labels)> {
        let Some(prev) = self.last_ok_iter else { return Vec::new() };
        if prev == self.iter {
            return Vec::new();
        }
        let mut out: Vec<&SeriesEntry> = self.series().filter(|e| e.seen_iter == prev).collect();
        if !out.is_empty() {
            // Two raw lines can relabel into one series; it is not stale if either is still there.
            let current: hashbrown::HashSet<u64> =
                self.series().filter(|e| e.seen_iter == self.iter).map(|e| e.labels_hash).collect();
            out.retain(|e| !current.contains(&e.labels_hash));
        }
        out.into_iter().map(|e| (e.series_ref, &e.labels)).collect()
    }

    /// Series of the last successful scrape, when this iteration failed and was rolled back.
    pub fn all_previous(&self) -> Vec<(SeriesRef, &Labels)> {
        let Some(prev) = self.last_ok_iter else { return Vec::new() };
        self.series()
            .filter(|e| e.seen_iter == prev || (e.seen_iter == self.iter && e.prev_seen_iter == prev))
            .map(|e| (e.series_ref, &e.labels))
            .collect()
    }

    /// Ends an iteration: remembers whether it succeeded and forgets entries unused for two.
    pub fn end(&mut self, ok: bool) {
        self.last_ok_iter = ok.then_some(self.iter);
        let iter = self.iter;
        self.entries.retain(|_, e| iter.wrapping_sub(e.used_iter()) < 2);
    }

    fn series(&self) -> impl Iterator<Item = &SeriesEntry> {
        self.entries.values().filter_map(|e| match e {
            CacheEntry::Series(s) => Some(s),
            CacheEntry::Dropped { .. } => None,
        })
    }
}
