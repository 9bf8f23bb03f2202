//! Writing checkpoints (`docs/format/checkpoint.md`) and deleting what they replace.

use super::record::{CHUNK, SERIES, put_chunk, put_series};
use super::{RecordBuf, WalWriter, list_dir, remove_path, segment_name, sync_dir};
use crate::{Error, Result};
use std::fs;
use std::path::{Path, PathBuf};
use vigil_model::Labels;

/// Name of the checkpoint directory covering segments up to `n`.
pub fn checkpoint_name(n: u32) -> String {
    format!("checkpoint.{n:08}")
}

/// Writes a checkpoint into a temporary directory, then renames it into place.
#[derive(Debug)]
pub struct CheckpointWriter {
    tmp: PathBuf,
    dest: PathBuf,
    wal_dir: PathBuf,
    writer: WalWriter,
    buf: RecordBuf,
}

const FLUSH_AT: usize = 1 << 20;

impl CheckpointWriter {
    /// Starts checkpoint `n` in `wal_dir`.
    pub fn begin(wal_dir: &Path, n: u32, segment_size: u64) -> Result<Self> {
        let dest = wal_dir.join(checkpoint_name(n));
        let tmp = wal_dir.join(format!("{}.tmp", checkpoint_name(n)));
        remove_path(&tmp)?;
        fs::create_dir(&tmp).map_err(|e| Error::io(format!("creating {}", tmp.display()), e))?;
        let writer = WalWriter::create(&tmp, 0, segment_size)?;
        Ok(Self { tmp, dest, wal_dir: wal_dir.to_owned(), writer, buf: RecordBuf::new() })
    }

    /// Adds a series record.
    pub fn series(&mut self, id: u32, labels: &Labels) -> Result<()> {
        self.buf.start(SERIES);
        put_series(&mut self.buf.buf, id, labels);
        self.maybe_flush()
    }

    /// Adds a chunk record.
    pub fn chunk(&mut self, id: u32, encoding: u8, data: &[u8]) -> Result<()> {
        self.buf.start(CHUNK);
        put_chunk(&mut self.buf.buf, id, encoding, data);
        self.maybe_flush()
    }

    fn maybe_flush(&mut self) -> Result<()> {
        if self.buf.buf.len() >= FLUSH_AT {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        self.buf.finish();
        self.writer.write_batch(&self.buf.buf)?;
        self.buf.clear();
        Ok(())
    }

    /// Syncs and renames the checkpoint into place; returns its path.
    pub fn finish(mut self) -> Result<PathBuf> {
        self.flush()?;
        self.writer.sync()?;
        sync_dir(&self.tmp)?;
        remove_path(&self.dest)?;
        fs::rename(&self.tmp, &self.dest)
            .map_err(|e| Error::io(format!("renaming {} into place", self.tmp.display()), e))?;
        sync_dir(&self.wal_dir)?;
        Ok(self.dest)
    }
}

/// Deletes segments `<= n` and checkpoints older than `n`. Returns the number of files removed.
pub fn delete_covered(wal_dir: &Path, n: u32) -> Result<usize> {
    let listing = list_dir(wal_dir)?;
    let mut removed = 0;
    for seg in listing.segments.iter().filter(|&&s| s <= n) {
        remove_path(&wal_dir.join(segment_name(*seg)))?;
        removed += 1;
    }
    for stale in &listing.stale {
        remove_path(stale)?;
        removed += 1;
    }
    sync_dir(wal_dir)?;
    Ok(removed)
}
