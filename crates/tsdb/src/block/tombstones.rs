//! A block's `tombstones` file: deleted time intervals per series (`docs/format/tombstones.md`),
//! byte-compatible with Prometheus'.

use super::map::FileBytes;
use super::section::bad;
use crate::encoding::{Reader, put_uvarint, put_varint};
use crate::{Error, Result};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// The file name inside a block directory.
pub const TOMBSTONES_FILE: &str = "tombstones";
const MAGIC: u32 = 0x0130_BA30;
const FORMAT: u8 = 1;

/// Deleted intervals per series id: sorted, merged, closed `[mint, maxt]` intervals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tombstones {
    by_series: BTreeMap<u32, Vec<(i64, i64)>>,
}

impl Tombstones {
    /// Adds `[mint, maxt]` for `series`, merging it with intervals it overlaps or touches.
    pub fn add(&mut self, series: u32, mint: i64, maxt: i64) {
        let list = self.by_series.entry(series).or_default();
        list.push((mint, maxt));
        list.sort_unstable();
        let mut merged: Vec<(i64, i64)> = Vec::with_capacity(list.len());
        for &(a, b) in list.iter() {
            match merged.last_mut() {
                Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        *list = merged;
    }

    /// The deleted intervals of `series`.
    pub fn intervals(&self, series: u32) -> &[(i64, i64)] {
        self.by_series.get(&series).map_or(&[], Vec::as_slice)
    }

    /// Whether the sample of `series` at `t` is deleted.
    pub fn is_deleted(&self, series: u32, t: i64) -> bool {
        self.intervals(series).iter().any(|&(a, b)| a <= t && t <= b)
    }

    /// Number of intervals.
    pub fn len(&self) -> usize {
        self.by_series.values().map(Vec::len).sum()
    }

    /// Whether nothing is deleted.
    pub fn is_empty(&self) -> bool {
        self.by_series.is_empty()
    }
}

/// Writes `<dir>/tombstones` atomically.
pub fn write_tombstones(dir: &Path, t: &Tombstones) -> Result<()> {
    let mut records = Vec::new();
    for (series, intervals) in &t.by_series {
        for &(a, b) in intervals {
            put_uvarint(&mut records, u64::from(*series));
            put_varint(&mut records, a);
            put_varint(&mut records, b);
        }
    }
    let mut buf = MAGIC.to_be_bytes().to_vec();
    buf.push(FORMAT);
    buf.extend_from_slice(&records);
    buf.extend_from_slice(&crc32c::crc32c(&records).to_be_bytes());
    let (path, tmp) = (dir.join(TOMBSTONES_FILE), dir.join(format!("{TOMBSTONES_FILE}.tmp")));
    let mut f = std::fs::File::create(&tmp).map_err(|e| Error::io(format!("creating {}", tmp.display()), e))?;
    f.write_all(&buf).and_then(|()| f.sync_all()).map_err(|e| Error::io(format!("writing {}", tmp.display()), e))?;
    std::fs::rename(&tmp, &path).map_err(|e| Error::io(format!("renaming {}", tmp.display()), e))
}

/// Reads `<dir>/tombstones`; a missing file means no deletions.
pub fn read_tombstones(dir: &Path) -> Result<Tombstones> {
    let path = dir.join(TOMBSTONES_FILE);
    if !path.exists() {
        return Ok(Tombstones::default());
    }
    let name = path.display().to_string();
    let b = FileBytes::open(&path)?;
    if b.len() < 9 {
        return Err(bad(&name, 0, "tombstones file shorter than its header and checksum"));
    }
    if u32::from_be_bytes([b[0], b[1], b[2], b[3]]) != MAGIC || b[4] != FORMAT {
        return Err(bad(&name, 0, "bad tombstones header"));
    }
    let (records, crc) = b[5..].split_at(b.len() - 9);
    if crc32c::crc32c(records) != u32::from_be_bytes([crc[0], crc[1], crc[2], crc[3]]) {
        return Err(bad(&name, 5, "tombstones checksum mismatch"));
    }
    let mut out = Tombstones::default();
    let mut r = Reader::new(records);
    while !r.is_empty() {
        let at = 5 + r.offset() as u64;
        let err = |e| bad(&name, at, e);
        let series = u32::try_from(r.uvarint().map_err(err)?).map_err(|_| bad(&name, at, "series id overflows"))?;
        let (a, z) = (r.varint().map_err(err)?, r.varint().map_err(err)?);
        out.add(series, a, z);
    }
    Ok(out)
}
