//! Statistics for self-metrics ([`Stats`]) and `/api/v1/status/tsdb` ([`Db::cardinality`]).

use super::{Db, Inner};
use crate::head::Cardinality;
use std::sync::atomic::Ordering;
use vigil_model::Timestamp;

/// A point-in-time view of the database's counters. Cheap: read on every self-metrics render.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    /// Live head series (`prometheus_tsdb_head_series`).
    pub head_series: u64,
    /// Head chunks, open and sealed (`prometheus_tsdb_head_chunks`).
    pub head_chunks: u64,
    /// Oldest sample time in the head, if any.
    pub min_time: Option<Timestamp>,
    /// Newest sample time in the head, if any.
    pub max_time: Option<Timestamp>,
    /// Samples appended since open, replay included (`prometheus_tsdb_head_samples_appended_total`).
    pub samples_appended: u64,
    /// Series created since open (`prometheus_tsdb_head_series_created_total`).
    pub series_created: u64,
    /// Series removed by retention (`prometheus_tsdb_head_series_removed_total`).
    pub series_removed: u64,
    /// Samples dropped at commit as out of order or conflicting duplicates.
    pub out_of_order_dropped: u64,
    /// WAL samples for series ids that do not exist.
    pub unknown_series_samples: u64,
    /// Sealed chunks that could not be written (their samples stay in the WAL).
    pub chunk_write_errors: u64,
    /// WAL corruptions repaired (`prometheus_tsdb_wal_corruptions_total`).
    pub wal_corruptions: u64,
    /// WAL truncations after checkpoints (`prometheus_tsdb_wal_truncations_total`).
    pub wal_truncations: u64,
    /// Checkpoints written (`prometheus_tsdb_checkpoint_creations_total`).
    pub checkpoints: u64,
    /// The WAL segment being written.
    pub wal_segment: u32,
    /// Bytes held by open chunks.
    pub open_chunk_bytes: u64,
    /// Approximate heap bytes of symbols and postings.
    pub index_bytes: u64,
}

impl Db {
    /// Alias of [`Db::stats`], named after Prometheus' `Head.Stats`.
    pub fn head_stats(&self) -> Stats {
        self.stats()
    }

    /// Label cardinality top lists of the head (walks every label pair; for the status API).
    pub fn cardinality(&self) -> Cardinality {
        self.inner.head.cardinality()
    }
}

impl Inner {
    pub(super) fn stats(&self) -> Stats {
        let raw = self.head.stats();
        let c = &self.head.counters;
        let range = self.head.time_range();
        Stats {
            head_series: raw.num_series,
            head_chunks: raw.num_chunks,
            min_time: range.map(|r| r.0),
            max_time: range.map(|r| r.1),
            samples_appended: c.samples_appended.load(Ordering::Relaxed),
            series_created: c.series_created.load(Ordering::Relaxed),
            series_removed: c.series_removed.load(Ordering::Relaxed),
            out_of_order_dropped: c.out_of_order_dropped.load(Ordering::Relaxed),
            unknown_series_samples: c.unknown_series_samples.load(Ordering::Relaxed),
            chunk_write_errors: c.chunk_write_errors.load(Ordering::Relaxed),
            wal_corruptions: self.wal_corruptions.load(Ordering::Relaxed),
            wal_truncations: self.wal_truncations.load(Ordering::Relaxed),
            checkpoints: self.checkpoints.load(Ordering::Relaxed),
            wal_segment: self.wal.lock().segment(),
            open_chunk_bytes: raw.open_chunk_bytes,
            index_bytes: raw.index_bytes,
        }
    }
}
