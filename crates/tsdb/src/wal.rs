//! The write-ahead log: numbered segment files of CRC-framed records (`docs/format/wal.md`).
//!
//! [`WalWriter`] appends batches at the end of the current segment with one positioned write each,
//! rotating (and fsyncing) segments by size. [`replay`] reads the newest checkpoint and the segments
//! after it, repairing a torn or corrupt tail instead of failing.

pub mod checkpoint;
pub mod reader;
pub mod record;

use crate::{Error, Result};
use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Segment magic, `"VGLW"`.
pub const SEGMENT_MAGIC: u32 = 0x5647_4C57;
/// Segment format version.
pub const SEGMENT_VERSION: u8 = 1;
/// Bytes before the first record of a segment.
pub const SEGMENT_HEADER_LEN: u64 = 8;
/// Bytes of a record's framing (length + CRC).
pub const RECORD_HEADER_LEN: usize = 8;
/// Largest accepted record (type byte + payload).
pub const MAX_RECORD_LEN: u32 = 256 << 20;

/// The 8-byte segment header.
pub fn segment_header() -> [u8; 8] {
    let m = SEGMENT_MAGIC.to_be_bytes();
    [m[0], m[1], m[2], m[3], SEGMENT_VERSION, 0, 0, 0]
}

/// The file name of segment `n`.
pub fn segment_name(n: u32) -> String {
    format!("{n:08}")
}

/// Builds framed records into a byte buffer.
#[derive(Debug, Default)]
pub struct RecordBuf {
    /// The framed records.
    pub buf: Vec<u8>,
    open: Option<usize>,
}

impl RecordBuf {
    /// An empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a record of type `ty`; write its payload into [`RecordBuf::buf`], then call
    /// [`RecordBuf::finish`]. Starting a record finishes the previous one.
    pub fn start(&mut self, ty: u8) {
        self.finish();
        self.open = Some(self.buf.len());
        self.buf.extend_from_slice(&[0; RECORD_HEADER_LEN]);
        self.buf.push(ty);
    }

    /// Whether a record is being written.
    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }

    /// Fills in the open record's header.
    pub fn finish(&mut self) {
        if let Some(start) = self.open.take() {
            let body = &self.buf[start + RECORD_HEADER_LEN..];
            let len = body.len() as u32;
            let crc = crc32c::crc32c(body);
            self.buf[start..start + 4].copy_from_slice(&len.to_le_bytes());
            self.buf[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
        }
    }

    /// Drops everything.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.open = None;
    }
}

/// What is in a WAL directory.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct WalDir {
    /// Segment numbers in increasing order.
    pub segments: Vec<u32>,
    /// The newest complete checkpoint: (last covered segment, path).
    pub checkpoint: Option<(u32, PathBuf)>,
    /// Older checkpoints and leftover temporary checkpoints.
    pub stale: Vec<PathBuf>,
}

/// Lists segments and checkpoints of `dir`.
pub fn list_dir(dir: &Path) -> Result<WalDir> {
    let mut out = WalDir::default();
    let mut checkpoints = Vec::new();
    let entries = fs::read_dir(dir).map_err(|e| Error::io(format!("listing {}", dir.display()), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(format!("listing {}", dir.display()), e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.len() == 8 && name.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(n) = name.parse() {
                out.segments.push(n);
            }
        } else if let Some(rest) = name.strip_prefix("checkpoint.") {
            match rest.parse::<u32>() {
                Ok(n) if rest.len() == 8 => checkpoints.push((n, entry.path())),
                _ => out.stale.push(entry.path()),
            }
        }
    }
    out.segments.sort_unstable();
    checkpoints.sort();
    out.checkpoint = checkpoints.pop();
    out.stale.extend(checkpoints.into_iter().map(|(_, p)| p));
    Ok(out)
}

/// Appends batches to the current segment and rotates by size.
#[derive(Debug)]
pub struct WalWriter {
    dir: PathBuf,
    segment: u32,
    file: File,
    size: u64,
    segment_size: u64,
    /// Series records created since the last write; written before the next batch.
    pending_series: RecordBuf,
}

impl WalWriter {
    /// Creates segment `segment` in `dir` and writes to it.
    pub fn create(dir: &Path, segment: u32, segment_size: u64) -> Result<Self> {
        let file = create_segment(dir, segment)?;
        Ok(Self {
            dir: dir.to_owned(),
            segment,
            file,
            size: SEGMENT_HEADER_LEN,
            segment_size,
            pending_series: RecordBuf::new(),
        })
    }

    /// The segment being written.
    pub fn segment(&self) -> u32 {
        self.segment
    }

    /// Where series records are queued until the next write.
    pub fn pending_series(&mut self) -> &mut RecordBuf {
        &mut self.pending_series
    }

    /// Writes queued series records, then `batch` (framed records), as one write.
    pub fn write_batch(&mut self, batch: &[u8]) -> Result<()> {
        self.pending_series.finish();
        let total = (self.pending_series.buf.len() + batch.len()) as u64;
        if total == 0 {
            return Ok(());
        }
        if self.size > SEGMENT_HEADER_LEN && self.size + total > self.segment_size {
            self.rotate()?;
        }
        if self.pending_series.buf.is_empty() {
            self.write_at_end(batch)
        } else {
            let mut data = std::mem::take(&mut self.pending_series.buf);
            data.extend_from_slice(batch);
            let r = self.write_at_end(&data);
            if r.is_ok() {
                data.clear();
            } else {
                data.truncate(data.len() - batch.len());
            }
            self.pending_series.buf = data;
            r
        }
    }

    fn write_at_end(&mut self, data: &[u8]) -> Result<()> {
        match self.file.write_all_at(data, self.size) {
            Ok(()) => {
                self.size += data.len() as u64;
                Ok(())
            }
            Err(e) => {
                // Cut off whatever part was written so no torn record sits before later ones.
                let _ = self.file.set_len(self.size);
                Err(Error::io(format!("writing WAL segment {}", self.path().display()), e))
            }
        }
    }

    fn path(&self) -> PathBuf {
        self.dir.join(segment_name(self.segment))
    }

    /// Fsyncs the current segment and starts the next one. Returns the closed segment's number.
    pub fn rotate(&mut self) -> Result<u32> {
        self.sync()?;
        let next = self.segment + 1;
        self.file = create_segment(&self.dir, next)?;
        let closed = self.segment;
        self.segment = next;
        self.size = SEGMENT_HEADER_LEN;
        Ok(closed)
    }

    /// Fsyncs the current segment.
    pub fn sync(&mut self) -> Result<()> {
        self.file.sync_data().map_err(|e| Error::io(format!("syncing {}", self.path().display()), e))
    }

    /// Writes queued series records and fsyncs.
    pub fn flush_and_sync(&mut self) -> Result<()> {
        self.write_batch(&[])?;
        self.sync()
    }
}

fn create_segment(dir: &Path, n: u32) -> Result<File> {
    let path = dir.join(segment_name(n));
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .map_err(|e| Error::io(format!("creating WAL segment {}", path.display()), e))?;
    file.write_all_at(&segment_header(), 0)
        .map_err(|e| Error::io(format!("writing header of {}", path.display()), e))?;
    sync_dir(dir)?;
    Ok(file)
}

/// Fsyncs a directory so created, renamed and deleted entries are durable.
pub fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| Error::io(format!("syncing directory {}", dir.display()), e))
}

/// What replay found, for stats and logs.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ReplayReport {
    /// Records handed to the handler.
    pub records: u64,
    /// Corrupt or torn places repaired.
    pub corruptions: u64,
    /// The highest segment number seen (after repair), if any.
    pub last_segment: Option<u32>,
    /// The checkpoint replayed, if any.
    pub checkpoint: Option<u32>,
}

/// Replays the newest checkpoint and the segments after it, calling `handle(type, payload)` per
/// record. A handler error is treated as corruption of that record. Corruption is repaired: see
/// `docs/format/wal.md`.
pub fn replay(dir: &Path, mut handle: impl FnMut(u8, &[u8]) -> Result<(), String>) -> Result<ReplayReport> {
    let listing = list_dir(dir)?;
    for stale in &listing.stale {
        tracing::info!(path = %stale.display(), "Removing stale WAL checkpoint.");
        remove_path(stale)?;
    }
    let mut report = ReplayReport::default();
    if let Some((n, path)) = &listing.checkpoint {
        report.checkpoint = Some(*n);
        report.last_segment = Some(*n);
        let cp = list_dir(path)?;
        for &seg in &cp.segments {
            let seg_path = path.join(segment_name(seg));
            let outcome = reader::read_segment(&seg_path, &mut handle)?;
            report.records += outcome.records;
            if let Some(c) = outcome.corruption {
                // A checkpoint was complete when renamed; damage here is real corruption. Keep what
                // decoded and go on with the segments, which are newer.
                report.corruptions += 1;
                tracing::warn!(segment = %seg_path.display(), offset = c.offset, reason = %c.reason,
                    "Corrupt WAL checkpoint record; ignoring the rest of the checkpoint.");
                break;
            }
        }
    }
    let first = listing.checkpoint.as_ref().map_or(0, |(n, _)| n + 1);
    let segments: Vec<u32> = listing.segments.iter().copied().filter(|&s| s >= first).collect();
    for stale in listing.segments.iter().filter(|&&s| s < first) {
        remove_path(&dir.join(segment_name(*stale)))?;
    }
    let mut expected = segments.first().copied();
    for (i, &seg) in segments.iter().enumerate() {
        if expected != Some(seg) {
            tracing::warn!(segment = seg, "Gap in WAL segment numbers; replaying the segments that exist.");
        }
        expected = Some(seg + 1);
        let path = dir.join(segment_name(seg));
        let outcome = reader::read_segment(&path, &mut handle)?;
        report.records += outcome.records;
        report.last_segment = Some(seg);
        if let Some(c) = outcome.corruption {
            report.corruptions += 1;
            let last = i + 1 == segments.len();
            if last {
                tracing::warn!(segment = %path.display(), offset = c.offset, reason = %c.reason,
                    "Torn or corrupt record at the end of the WAL; truncating the segment.");
            } else {
                tracing::warn!(segment = %path.display(), offset = c.offset, reason = %c.reason,
                    later_segments = segments.len() - i - 1,
                    "Corrupt WAL record in an older segment; truncating it and deleting later segments.");
            }
            if c.offset == 0 {
                // Not even a header: a segment created just before a crash.
                remove_path(&path)?;
            } else {
                truncate_file(&path, c.offset)?;
            }
            for later in &segments[i + 1..] {
                remove_path(&dir.join(segment_name(*later)))?;
            }
            break;
        }
    }
    Ok(report)
}

fn truncate_file(path: &Path, len: u64) -> Result<()> {
    let f = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| Error::io(format!("opening {} for repair", path.display()), e))?;
    f.set_len(len)
        .and_then(|()| f.sync_all())
        .map_err(|e| Error::io(format!("truncating {} to {len} bytes", path.display()), e))
}

/// Removes a file or directory tree.
pub fn remove_path(path: &Path) -> Result<()> {
    let res = if path.is_dir() { fs::remove_dir_all(path) } else { fs::remove_file(path) };
    match res {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(format!("removing {}", path.display()), e)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
