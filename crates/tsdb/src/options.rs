//! Options for [`crate::Db::open`].

use std::sync::Arc;
use std::time::Duration;
use vigil_model::Timestamp;

/// The current time in milliseconds since the epoch. Injected so tests control retention.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The wall clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    })
}

/// How the database behaves. `Options::default()` matches Prometheus' defaults.
#[derive(Clone)]
pub struct Options {
    /// Drop data older than `now - retention_ms` (`--storage.tsdb.retention.time`); 0 keeps all.
    pub retention_ms: i64,
    /// Maximum WAL segment size in bytes.
    pub wal_segment_size: u64,
    /// Maximum head chunk file size in bytes.
    pub chunk_file_size: u64,
    /// Cut a chunk after this many samples (Prometheus: 120).
    pub samples_per_chunk: u16,
    /// Chunks never cross a multiple of this (ms); the future block length.
    pub chunk_range_ms: i64,
    /// Length of a level-1 block cut from the head (ms, `--storage.tsdb.min-block-duration`):
    /// the oldest such range is written as a block once the head spans 1.5 of them.
    pub block_range_ms: i64,
    /// Time source for retention and for rejecting too-old samples.
    pub clock: Clock,
    /// How often the background thread syncs the WAL, applies retention and checkpoints; `None`
    /// runs no thread (call [`crate::Db::run_maintenance`] yourself).
    pub maintenance_interval: Option<Duration>,
    /// Checkpoint once this many closed WAL segments follow the last checkpoint.
    pub checkpoint_after_segments: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            retention_ms: 15 * 24 * 3600 * 1000,
            wal_segment_size: 128 << 20,
            chunk_file_size: 512 << 20,
            samples_per_chunk: 120,
            chunk_range_ms: 2 * 3600 * 1000,
            block_range_ms: 2 * 3600 * 1000,
            clock: system_clock(),
            maintenance_interval: Some(Duration::from_secs(60)),
            checkpoint_after_segments: 2,
        }
    }
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("retention_ms", &self.retention_ms)
            .field("wal_segment_size", &self.wal_segment_size)
            .field("chunk_file_size", &self.chunk_file_size)
            .field("samples_per_chunk", &self.samples_per_chunk)
            .field("chunk_range_ms", &self.chunk_range_ms)
            .field("block_range_ms", &self.block_range_ms)
            .field("maintenance_interval", &self.maintenance_interval)
            .field("checkpoint_after_segments", &self.checkpoint_after_segments)
            .finish_non_exhaustive()
    }
}

impl Options {
    pub(crate) fn validate(&self) -> crate::Result<()> {
        let bad = |m: &str| Err(crate::Error::Options(m.to_owned()));
        if self.retention_ms < 0 {
            return bad("retention must not be negative");
        }
        if self.wal_segment_size < 64 * 1024 {
            return bad("wal_segment_size must be at least 64 KiB");
        }
        if self.samples_per_chunk == 0 || self.samples_per_chunk == u16::MAX {
            return bad("samples_per_chunk must be between 1 and 65534");
        }
        if self.chunk_range_ms <= 0 {
            return bad("chunk_range_ms must be positive");
        }
        if self.block_range_ms <= 0 || self.block_range_ms > i64::MAX / 4 {
            return bad("block_range_ms must be positive and at most i64::MAX / 4");
        }
        Ok(())
    }
}
