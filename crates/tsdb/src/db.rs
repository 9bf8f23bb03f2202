//! [`Db`]: opening (lock, replay), committing, maintenance (retention, checkpoints) and closing.

mod appender;
mod block_read;
mod blocks;
mod querier;
mod stats;

pub use stats::Stats;

use crate::chunk::HistSample;
use crate::head::chunk_store::ChunkStore;
use crate::head::{Head, HeadOptions};
use crate::wal::checkpoint::{CheckpointWriter, delete_covered};
use crate::wal::record::{
    CHUNK, FLOAT_HISTOGRAM_SAMPLES, FloatCounts, HISTOGRAM_SAMPLES, IntCounts, SAMPLES, SERIES, decode_chunk,
    decode_histograms, decode_samples, decode_series,
};
use crate::wal::{self, WalWriter};
use crate::{Error, Options, Result};
use blocks::Blocks;
use parking_lot::{Mutex, RwLock};
use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use vigil_model::Timestamp;

/// The database: a head over a WAL in one data directory. `Send + Sync`; share it in an `Arc`.
///
/// Implements [`vigil_storage::Appendable`] and [`vigil_storage::Queryable`].
#[derive(Debug)]
pub struct Db {
    inner: Arc<Inner>,
    maintenance: Mutex<Option<(mpsc::Sender<()>, JoinHandle<()>)>>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    dir: PathBuf,
    wal_dir: PathBuf,
    blocks: Blocks,
    opts: Options,
    head: Head,
    wal: Mutex<WalWriter>,
    /// Commits hold it shared from their WAL write until their samples are applied; a checkpoint
    /// takes it exclusively to rotate at a point where every logged record is applied.
    gate: RwLock<()>,
    /// No commit may hold a sample older than this: raised (under `gate`) before a block is cut,
    /// so a commit from an appender made earlier cannot land in a range already exported.
    append_floor: AtomicI64,
    maintenance_lock: Mutex<()>,
    closed: AtomicBool,
    wal_corruptions: AtomicU64,
    wal_truncations: AtomicU64,
    checkpoints: AtomicU64,
    _lock: File,
}

/// Takes the `lock` file of `dir`.
fn lock_dir(dir: &Path) -> Result<File> {
    let path = dir.join("lock");
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(Error::Locked { path }),
        Err(TryLockError::Error(e)) => Err(Error::io(format!("locking {}", path.display()), e)),
    }
}

impl Db {
    /// Opens (creating if needed) the database in `dir`, replaying its WAL.
    pub fn open(dir: &Path, opts: Options) -> Result<Db> {
        opts.validate()?;
        fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        let lock = lock_dir(dir)?;
        let wal_dir = dir.join("wal");
        fs::create_dir_all(&wal_dir).map_err(|e| Error::io(format!("creating {}", wal_dir.display()), e))?;
        let chunks = ChunkStore::open(&dir.join("chunks_head"), opts.chunk_file_size)?;
        let head = Head::new(
            chunks,
            HeadOptions { samples_per_chunk: opts.samples_per_chunk, chunk_range_ms: opts.chunk_range_ms },
        );
        let blocks = Blocks::load(dir)?;
        // Samples older than the newest block are in the blocks: replay leaves them out.
        let cutoff = blocks.max_time().map_or(retention_cutoff(&opts), |m| m.max(retention_cutoff(&opts)));
        let started = std::time::Instant::now();
        let report = replay_into(&head, &wal_dir, cutoff)?;
        head.truncate(cutoff)?;
        let next = report.last_segment.map_or(0, |s| s + 1);
        let writer = WalWriter::create(&wal_dir, next, opts.wal_segment_size)?;
        tracing::info!(records = report.records, corruptions = report.corruptions, checkpoint = ?report.checkpoint,
            segment = next, blocks = blocks.len(), elapsed_ms = started.elapsed().as_millis() as u64, "Replayed the WAL.");
        let interval = opts.maintenance_interval;
        let inner = Arc::new(Inner {
            dir: dir.to_owned(),
            wal_dir,
            blocks,
            opts,
            head,
            wal: Mutex::new(writer),
            gate: RwLock::new(()),
            append_floor: AtomicI64::new(Timestamp::MIN),
            maintenance_lock: Mutex::new(()),
            closed: AtomicBool::new(false),
            wal_corruptions: AtomicU64::new(report.corruptions),
            wal_truncations: AtomicU64::new(0),
            checkpoints: AtomicU64::new(0),
            _lock: lock,
        });
        let maintenance = interval.map(|every| spawn_maintenance(inner.clone(), every)).transpose()?;
        Ok(Db { inner, maintenance: Mutex::new(maintenance) })
    }

    /// Applies retention, cuts blocks off the head, syncs the WAL and checkpoints if enough
    /// segments accumulated or a block now holds what the WAL held.
    pub fn run_maintenance(&self) -> Result<()> {
        self.inner.maintain()
    }

    /// Writes a checkpoint now and deletes the WAL segments it covers.
    pub fn checkpoint(&self) -> Result<()> {
        let _m = self.inner.maintenance_lock.lock();
        self.inner.checkpoint()
    }

    /// Statistics for `/api/v1/status/tsdb` and self-metrics.
    pub fn stats(&self) -> Stats {
        self.inner.stats()
    }

    /// Stops maintenance, writes pending records and fsyncs the WAL. Further commits fail.
    pub fn close(self) -> Result<()> {
        self.shutdown()
    }

    fn shutdown(&self) -> Result<()> {
        if let Some((stop, handle)) = self.maintenance.lock().take() {
            let _ = stop.send(());
            let _ = handle.join();
        }
        let _g = self.inner.gate.write();
        if self.inner.closed.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        self.inner.wal.lock().flush_and_sync()
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Err(e) = self.shutdown() {
            tracing::error!(error = %e, "Failed to sync the WAL while dropping the database.");
        }
    }
}

fn retention_cutoff(opts: &Options) -> Timestamp {
    if opts.retention_ms > 0 { (opts.clock)().saturating_sub(opts.retention_ms) } else { Timestamp::MIN }
}

fn spawn_maintenance(inner: Arc<Inner>, every: std::time::Duration) -> Result<(mpsc::Sender<()>, JoinHandle<()>)> {
    let (tx, rx) = mpsc::channel::<()>();
    let handle = std::thread::Builder::new()
        .name("tsdb-maintenance".into())
        .spawn(move || {
            while let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(every) {
                if let Err(e) = inner.maintain() {
                    tracing::error!(error = %e, "TSDB maintenance failed.");
                }
            }
        })
        .map_err(|e| Error::io("spawning the maintenance thread", e))?;
    Ok((tx, handle))
}

/// Replays checkpoint + segments into `head`, dropping samples before `cutoff`.
fn replay_into(head: &Head, wal_dir: &Path, cutoff: Timestamp) -> Result<wal::ReplayReport> {
    let mut buf: Vec<(u32, Timestamp, f64)> = Vec::new();
    let mut hists: Vec<(u32, Timestamp, HistSample)> = Vec::new();
    wal::replay(wal_dir, |ty, payload| {
        match ty {
            SERIES => {
                let (id, labels) = decode_series(payload)?;
                if !head.replay_series(id, &labels) {
                    tracing::warn!(id, labels = %labels, "WAL series record conflicts with an existing series; skipped.");
                }
            }
            SAMPLES => {
                buf.clear();
                decode_samples(payload, &mut buf)?;
                buf.retain(|s| s.1 >= cutoff);
                head.append_batch(&mut buf);
            }
            HISTOGRAM_SAMPLES => {
                let mut ints = Vec::new();
                decode_histograms::<IntCounts>(payload, &mut ints)?;
                hists.clear();
                hists.extend(
                    ints.into_iter().filter(|s| s.1 >= cutoff).map(|(id, t, h)| (id, t, HistSample::Int(h.into()))),
                );
                head.append_histograms(&mut hists);
            }
            FLOAT_HISTOGRAM_SAMPLES => {
                let mut floats = Vec::new();
                decode_histograms::<FloatCounts>(payload, &mut floats)?;
                hists.clear();
                hists.extend(
                    floats.into_iter().filter(|s| s.1 >= cutoff).map(|(id, t, h)| (id, t, HistSample::Float(h.into()))),
                );
                head.append_histograms(&mut hists);
            }
            CHUNK if crate::chunk::is_histogram_encoding(decode_chunk(payload)?.1) => {
                let (id, encoding, data) = decode_chunk(payload)?;
                hists.clear();
                replay_histogram_chunk(id, encoding, data, cutoff, &mut hists).map_err(|e| e.to_string())?;
                head.append_histograms(&mut hists);
            }
            CHUNK => {
                let (id, enc, data) = decode_chunk(payload)?;
                if enc != crate::chunk::ENCODING_XOR {
                    return Err(format!("unknown chunk encoding {enc}"));
                }
                buf.clear();
                for s in crate::chunk::XorIter::new(data).map_err(|e| e.to_string())? {
                    let (t, v) = s.map_err(|e| e.to_string())?;
                    if t >= cutoff {
                        buf.push((id, t, v));
                    }
                }
                head.append_batch(&mut buf);
            }
            other => tracing::debug!(record_type = other, "Skipping WAL record of a type this version does not use."),
        }
        Ok(())
    })
}

/// The samples at or after `cutoff` of a checkpointed histogram chunk, in their own kind
/// (chunks of the former interim encoding hold float histograms).
fn replay_histogram_chunk(
    id: u32,
    encoding: u8,
    data: &[u8],
    cutoff: Timestamp,
    out: &mut Vec<(u32, Timestamp, HistSample)>,
) -> Result<()> {
    if encoding == crate::chunk::ENCODING_LEGACY_FLOAT_HISTOGRAM {
        let mut decoded = Vec::new();
        crate::chunk::decode_histograms_into(encoding, data, cutoff, Timestamp::MAX, &mut decoded)?;
        out.extend(decoded.into_iter().map(|(t, h)| (id, t, HistSample::Float(h))));
        return Ok(());
    }
    let mut it = crate::chunk::HistIter::new(encoding, data)?;
    while let Some(s) = it.next_native() {
        let (t, h) = s?;
        if t >= cutoff {
            out.push((id, t, h));
        }
    }
    Ok(())
}

impl Inner {
    fn maintain(&self) -> Result<()> {
        let _m = self.maintenance_lock.lock();
        if self.closed.load(Ordering::SeqCst) {
            return Ok(());
        }
        let current = {
            let mut w = self.wal.lock();
            w.flush_and_sync()?;
            w.segment()
        };
        let mut removed = false;
        if self.opts.retention_ms > 0 {
            let r = self.head.truncate(retention_cutoff(&self.opts))?;
            removed = r.series_removed + r.open_chunks_dropped + r.files_deleted > 0;
        }
        let cut = self.maintain_blocks()?;
        let closed = wal::list_dir(&self.wal_dir)?.segments.iter().filter(|&&s| s < current).count();
        if cut || closed >= self.opts.checkpoint_after_segments.max(1) || (removed && closed >= 1) {
            self.checkpoint()?;
        }
        Ok(())
    }

    /// Caller holds `maintenance_lock`.
    fn checkpoint(&self) -> Result<()> {
        let n = {
            let _g = self.gate.write();
            if self.closed.load(Ordering::SeqCst) {
                return Err(vigil_storage::Error::Closed.into());
            }
            let mut w = self.wal.lock();
            w.flush_and_sync()?;
            w.rotate()?
        };
        let started = std::time::Instant::now();
        let mut cp = CheckpointWriter::begin(&self.wal_dir, n, self.opts.wal_segment_size)?;
        let series = self.head.write_checkpoint(&mut cp, self.head_cutoff())?;
        cp.finish()?;
        let deleted = delete_covered(&self.wal_dir, n)?;
        self.checkpoints.fetch_add(1, Ordering::Relaxed);
        self.wal_truncations.fetch_add(1, Ordering::Relaxed);
        tracing::info!(
            segment = n,
            series,
            deleted,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "WAL checkpoint written."
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests;
