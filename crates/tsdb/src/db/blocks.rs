//! The database's persistent blocks (`docs/format/blocks.md`): loading them at start-up, cutting
//! the oldest range of the head into a new one, and deleting whole blocks by retention.
//!
//! The open blocks are a list of `Arc`s: a querier clones the ones it reads, so a block that
//! retention removes from the list stays mapped and readable until its last querier ends; its
//! directory is deleted when the last `Arc` goes.

use super::Inner;
use crate::block::{Block, write_block};
use crate::{Error, Result};
use parking_lot::{Mutex, RwLock};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use vigil_model::Timestamp;

/// Suffix of a block being written; such directories are deleted at start-up.
const CREATING: &str = ".tmp-for-creation";
/// Suffix of a block being deleted; such directories are deleted at start-up.
const DELETING: &str = ".tmp-for-deletion";

/// An open block of the database.
#[derive(Debug)]
pub(crate) struct DbBlock {
    pub(crate) block: Block,
    /// Set when retention removed the block: the directory to delete once nobody reads it.
    doomed: Mutex<Option<PathBuf>>,
}

impl Drop for DbBlock {
    fn drop(&mut self) {
        if let Some(dir) = self.doomed.get_mut().take()
            && let Err(e) = fs::remove_dir_all(&dir)
        {
            tracing::warn!(error = %e, dir = %dir.display(), "Failed to delete a block removed by retention.");
        }
    }
}

/// The open blocks, ordered by min time.
#[derive(Debug, Default)]
pub(crate) struct Blocks {
    list: RwLock<Vec<Arc<DbBlock>>>,
}

impl Blocks {
    /// The blocks overlapping `[mint, maxt]` (maxt inclusive), oldest first.
    pub(crate) fn overlapping(&self, mint: Timestamp, maxt: Timestamp) -> Vec<Arc<DbBlock>> {
        let list = self.list.read();
        list.iter().filter(|b| b.block.meta().min_time <= maxt && b.block.meta().max_time > mint).cloned().collect()
    }

    /// The newest block's max time (exclusive), if there is a block.
    pub(crate) fn max_time(&self) -> Option<Timestamp> {
        self.list.read().iter().map(|b| b.block.meta().max_time).max()
    }

    /// How many blocks are open.
    pub(crate) fn len(&self) -> usize {
        self.list.read().len()
    }

    fn add(&self, block: Block) {
        let mut list = self.list.write();
        list.push(Arc::new(DbBlock { block, doomed: Mutex::new(None) }));
        list.sort_by_key(|b| b.block.meta().min_time);
    }

    /// Loads every block of `dir`, deleting unfinished ones and moving those that fail to open
    /// to `dir/corrupted/`.
    pub(crate) fn load(dir: &Path) -> Result<Self> {
        let blocks = Self::default();
        let entries = fs::read_dir(dir).map_err(|e| Error::io(format!("listing {}", dir.display()), e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(format!("listing {}", dir.display()), e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if !path.is_dir() {
                continue;
            }
            if name.ends_with(CREATING) || name.ends_with(DELETING) {
                tracing::info!(dir = %path.display(), "Deleting an unfinished block directory.");
                fs::remove_dir_all(&path).map_err(|e| Error::io(format!("deleting {}", path.display()), e))?;
                continue;
            }
            if ulid::Ulid::from_string(&name).is_err() {
                continue;
            }
            match Block::open(&path).and_then(|b| b.verify().map(|()| b)) {
                Ok(b) => blocks.add(b),
                Err(e) => move_aside(dir, &name, &e)?,
            }
        }
        Ok(blocks)
    }

    /// Removes the blocks whose max time is at least `retention_ms` before the newest block's
    /// (Prometheus' rule); their directories are renamed for deletion now and deleted when their
    /// last reader ends. Returns how many were removed.
    fn apply_retention(&self, retention_ms: i64) -> Result<usize> {
        let mut list = self.list.write();
        let Some(newest) = list.iter().map(|b| b.block.meta().max_time).max() else { return Ok(0) };
        let (gone, kept): (Vec<_>, Vec<_>) =
            list.drain(..).partition(|b| newest.saturating_sub(b.block.meta().max_time) >= retention_ms);
        *list = kept;
        drop(list);
        for b in &gone {
            let dir = b.block.dir();
            let doomed = dir.with_file_name(format!("{}{DELETING}", b.block.meta().ulid));
            fs::rename(dir, &doomed).map_err(|e| Error::io(format!("renaming {} for deletion", dir.display()), e))?;
            tracing::info!(ulid = %b.block.meta().ulid, "Deleting a block past retention.");
            *b.doomed.lock() = Some(doomed);
        }
        Ok(gone.len())
    }
}

/// Moves block directory `name` of `dir` that failed to open to `dir/corrupted/name`.
fn move_aside(dir: &Path, name: &str, err: &Error) -> Result<()> {
    let aside = dir.join("corrupted");
    fs::create_dir_all(&aside).map_err(|e| Error::io(format!("creating {}", aside.display()), e))?;
    let to = aside.join(name);
    if to.exists() {
        fs::remove_dir_all(&to).map_err(|e| Error::io(format!("deleting {}", to.display()), e))?;
    }
    fs::rename(dir.join(name), &to).map_err(|e| Error::io(format!("moving block {name} aside"), e))?;
    tracing::warn!(block = name, error = %err, to = %to.display(), "Block failed to open; moved aside.");
    Ok(())
}

impl Inner {
    /// Cuts level-1 blocks off the head while it spans more than 1.5 block ranges, then
    /// deletes blocks past retention. Returns whether anything changed (so a checkpoint should
    /// drop what the blocks now hold). Caller holds `maintenance_lock`.
    pub(super) fn maintain_blocks(&self) -> Result<bool> {
        let range = self.opts.block_range_ms;
        let mut changed = false;
        while let Some((lo, hi)) = self.head.time_range() {
            let lo = lo.max(self.head.min_valid());
            if hi.saturating_sub(lo) <= range.saturating_mul(3) / 2 {
                break;
            }
            let start = lo.div_euclid(range).saturating_mul(range);
            let end = start.saturating_add(range);
            self.cut_block(start, end)?;
            changed = true;
        }
        if self.opts.retention_ms > 0 && self.blocks.apply_retention(self.opts.retention_ms)? > 0 {
            changed = true;
        }
        Ok(changed)
    }

    /// Writes the head's `[start, end)` as a block, opens it, then truncates the head below `end`.
    /// Queries between the two see the range in both; their merge drops the duplicates.
    fn cut_block(&self, start: Timestamp, end: Timestamp) -> Result<()> {
        let started = std::time::Instant::now();
        {
            // Waits for commits in flight; later ones with samples before `end` are refused.
            let _g = self.gate.write();
            self.append_floor.fetch_max(end, std::sync::atomic::Ordering::SeqCst);
        }
        let series = self.head.export_range(start, end)?;
        if !series.is_empty() {
            let n = series.len();
            let meta = write_block(&self.dir, series, start, end, 1, Vec::new())?;
            self.blocks.add(Block::open(&self.dir.join(&meta.ulid))?);
            tracing::info!(ulid = %meta.ulid, min_time = start, max_time = end, series = n,
                elapsed_ms = started.elapsed().as_millis() as u64, "Block cut from the head.");
        }
        self.head.truncate(end)?;
        Ok(())
    }

    /// The oldest sample time the head and the WAL keep: the retention cutoff, raised to the
    /// newest block's max time (older samples are in blocks).
    pub(super) fn head_cutoff(&self) -> Timestamp {
        let retention = super::retention_cutoff(&self.opts);
        self.blocks.max_time().map_or(retention, |m| m.max(retention))
    }
}
