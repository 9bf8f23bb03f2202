//! Head chunk files (`docs/format/chunks.md`): sealed chunks leave RAM and are read back with
//! `pread`. Written with plain positioned writes and never fsynced: they are rebuilt from the WAL
//! on open.

use crate::{Error, Result};
use parking_lot::{Mutex, RwLock};
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use vigil_model::Timestamp;

/// File magic, `"VGHC"`.
pub const MAGIC: u32 = 0x5647_4843;
const FILE_HEADER: [u8; 8] = [0x56, 0x47, 0x48, 0x43, 1, 0, 0, 0];
/// prev_ref 8 + series 4 + mint 8 + maxt 8 + encoding 1 + len 2.
pub const CHUNK_HEADER: usize = 31;
/// A first read that holds most chunks whole (header, up to 256 data bytes, CRC).
pub const MIN_CHUNK_READ: usize = CHUNK_HEADER + 256 + 4;

/// The file sequence number and byte offset of chunk reference `r`.
#[inline]
pub fn split_ref(r: u64) -> (u32, u64) {
    ((r >> 32) as u32, r & 0xffff_ffff)
}

/// A sealed chunk read back from disk.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredChunk {
    /// The previous chunk of the same series (0 if none).
    pub prev: u64,
    /// The owning series.
    pub series: u32,
    /// First sample time.
    pub mint: Timestamp,
    /// Last sample time.
    pub maxt: Timestamp,
    /// Encoding byte.
    pub encoding: u8,
    /// Encoded chunk.
    pub data: Vec<u8>,
}

/// The header of a sealed chunk read by [`ChunkStore::read_into`].
#[derive(Debug, Clone, PartialEq)]
pub struct ChunkHeader {
    /// The previous chunk of the same series (0 if none).
    pub prev: u64,
    /// The owning series.
    pub series: u32,
    /// First sample time.
    pub mint: Timestamp,
    /// Last sample time.
    pub maxt: Timestamp,
    /// Encoding byte.
    pub encoding: u8,
    /// Where the encoded chunk sits in the read buffer.
    pub data: std::ops::Range<usize>,
}

#[derive(Debug)]
struct FileMeta {
    maxt: Timestamp,
    chunks: u64,
}

#[derive(Debug)]
struct Writer {
    seq: u32,
    file: Arc<File>,
    size: u64,
    meta: BTreeMap<u32, FileMeta>,
    scratch: Vec<u8>,
}

/// The set of head chunk files.
#[derive(Debug)]
pub struct ChunkStore {
    dir: PathBuf,
    max_file_size: u64,
    files: RwLock<BTreeMap<u32, Arc<File>>>,
    writer: Mutex<Writer>,
}

fn file_path(dir: &Path, seq: u32) -> PathBuf {
    dir.join(format!("{seq:06}"))
}

fn create_file(dir: &Path, seq: u32) -> Result<Arc<File>> {
    let path = file_path(dir, seq);
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .map_err(|e| Error::io(format!("creating head chunk file {}", path.display()), e))?;
    f.write_all_at(&FILE_HEADER, 0).map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
    Ok(Arc::new(f))
}

impl ChunkStore {
    /// Empties `dir` (the files are a cache of the WAL) and starts file 1.
    pub fn open(dir: &Path, max_file_size: u64) -> Result<Self> {
        crate::wal::remove_path(dir)?;
        fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        let file = create_file(dir, 1)?;
        let mut files = BTreeMap::new();
        files.insert(1, file.clone());
        let mut meta = BTreeMap::new();
        meta.insert(1, FileMeta { maxt: Timestamp::MIN, chunks: 0 });
        Ok(Self {
            dir: dir.to_owned(),
            max_file_size: max_file_size.max(4096),
            files: RwLock::new(files),
            writer: Mutex::new(Writer { seq: 1, file, size: FILE_HEADER.len() as u64, meta, scratch: Vec::new() }),
        })
    }

    /// Writes a sealed chunk and returns its reference.
    pub fn write(
        &self,
        prev: u64,
        series: u32,
        mint: Timestamp,
        maxt: Timestamp,
        encoding: u8,
        data: &[u8],
    ) -> Result<u64> {
        let len = u16::try_from(data.len())
            .map_err(|_| Error::corrupt("head chunk", format!("chunk of {} bytes is too large", data.len())))?;
        let mut w = self.writer.lock();
        let w = &mut *w;
        let need = (CHUNK_HEADER + data.len() + 4) as u64;
        if w.size + need > self.max_file_size && w.size > FILE_HEADER.len() as u64 {
            let seq = w.seq + 1;
            let file = create_file(&self.dir, seq)?;
            self.files.write().insert(seq, file.clone());
            w.meta.insert(seq, FileMeta { maxt: Timestamp::MIN, chunks: 0 });
            w.seq = seq;
            w.file = file;
            w.size = FILE_HEADER.len() as u64;
        }
        let buf = &mut w.scratch;
        buf.clear();
        buf.extend_from_slice(&prev.to_be_bytes());
        buf.extend_from_slice(&series.to_be_bytes());
        buf.extend_from_slice(&mint.to_be_bytes());
        buf.extend_from_slice(&maxt.to_be_bytes());
        buf.push(encoding);
        buf.extend_from_slice(&len.to_be_bytes());
        buf.extend_from_slice(data);
        let crc = crc32c::crc32c(buf);
        buf.extend_from_slice(&crc.to_be_bytes());
        let offset = w.size;
        if let Err(e) = w.file.write_all_at(buf, offset) {
            let _ = w.file.set_len(offset);
            return Err(Error::io(format!("writing head chunk file {}", file_path(&self.dir, w.seq).display()), e));
        }
        w.size += buf.len() as u64;
        if let Some(m) = w.meta.get_mut(&w.seq) {
            m.maxt = m.maxt.max(maxt);
            m.chunks += 1;
        }
        Ok(u64::from(w.seq) << 32 | offset)
    }

    /// Reads the chunk at `r`; `Ok(None)` if its file was deleted by retention.
    pub fn read(&self, r: u64) -> Result<Option<StoredChunk>> {
        let mut buf = Vec::new();
        Ok(self.read_into(r, &mut buf)?.map(|h| StoredChunk {
            prev: h.prev,
            series: h.series,
            mint: h.mint,
            maxt: h.maxt,
            encoding: h.encoding,
            data: buf[h.data.clone()].to_vec(),
        }))
    }

    /// Reads the chunk at `r` into `buf` (reused between calls, so the query path allocates
    /// nothing per chunk) and returns its header; the encoded chunk is `buf[header.data]`.
    /// `Ok(None)` if its file was deleted by retention.
    pub fn read_into(&self, r: u64, buf: &mut Vec<u8>) -> Result<Option<ChunkHeader>> {
        let (seq, offset) = split_ref(r);
        if !self.read_raw(seq, offset, MIN_CHUNK_READ, buf)? {
            return Ok(None);
        }
        match self.parse_chunk(r, buf)? {
            Ok(h) => Ok(Some(h)),
            Err(need) => {
                if !self.read_raw(seq, offset, need, buf)? {
                    return Ok(None);
                }
                self.parse_chunk(r, buf)?
                    .map(Some)
                    .map_err(|_| Error::corrupt(self.location(r), "chunk data beyond end of file"))
            }
        }
    }

    /// Reads up to `len` bytes of file `seq` at `offset` into `buf` (fewer at the end of the
    /// file). `Ok(false)` if the file was deleted by retention.
    pub fn read_raw(&self, seq: u32, offset: u64, len: usize, buf: &mut Vec<u8>) -> Result<bool> {
        let Some(file) = self.files.read().get(&seq).cloned() else { return Ok(false) };
        buf.clear();
        buf.resize(len, 0);
        let n = read_at_most(&file, buf, offset).map_err(|e| {
            Error::io(format!("head chunk file {} at offset {offset}", file_path(&self.dir, seq).display()), e)
        })?;
        buf.truncate(n);
        Ok(true)
    }

    /// Like [`Self::read_raw`] for a buffer reused across reads: `buf` only grows (so its bytes
    /// are zeroed once, not on every read) and the bytes read are `buf[..n]`, `Some(n)`; `None`
    /// if the file was deleted by retention.
    pub fn read_window(&self, seq: u32, offset: u64, len: usize, buf: &mut Vec<u8>) -> Result<Option<usize>> {
        let Some(file) = self.files.read().get(&seq).cloned() else { return Ok(None) };
        if buf.len() < len {
            buf.resize(len, 0);
        }
        let n = read_at_most(&file, &mut buf[..len], offset).map_err(|e| {
            Error::io(format!("head chunk file {} at offset {offset}", file_path(&self.dir, seq).display()), e)
        })?;
        Ok(Some(n))
    }

    /// Parses and checks the chunk at the start of `b`, the bytes at reference `r` (for error
    /// messages). `Ok(Err(n))` when `b` is too short: the chunk needs `n` bytes.
    pub fn parse_chunk(&self, r: u64, b: &[u8]) -> Result<Result<ChunkHeader, usize>> {
        if b.len() < CHUNK_HEADER {
            return Ok(Err(MIN_CHUNK_READ));
        }
        let be64 = |b: &[u8]| {
            let mut a = [0u8; 8];
            a.copy_from_slice(&b[..8]);
            u64::from_be_bytes(a)
        };
        let len = usize::from(u16::from_be_bytes([b[29], b[30]]));
        let total = CHUNK_HEADER + len + 4;
        if b.len() < total {
            return Ok(Err(total));
        }
        let crc = u32::from_be_bytes([b[total - 4], b[total - 3], b[total - 2], b[total - 1]]);
        if crc32c::crc32c(&b[..total - 4]) != crc {
            return Err(Error::corrupt(self.location(r), "chunk checksum mismatch"));
        }
        Ok(Ok(ChunkHeader {
            prev: be64(&b[0..]),
            series: u32::from_be_bytes([b[8], b[9], b[10], b[11]]),
            mint: be64(&b[12..]) as i64,
            maxt: be64(&b[20..]) as i64,
            encoding: b[28],
            data: CHUNK_HEADER..CHUNK_HEADER + len,
        }))
    }

    /// `file at offset` of a chunk reference, for errors.
    pub fn location(&self, r: u64) -> String {
        let (seq, offset) = split_ref(r);
        format!("head chunk file {} at offset {offset}", file_path(&self.dir, seq).display())
    }

    /// Deletes files (except the active one) whose chunks all end before `cutoff`.
    /// Returns (files deleted, chunks in them).
    pub fn delete_before(&self, cutoff: Timestamp) -> Result<(usize, u64)> {
        let mut w = self.writer.lock();
        let active = w.seq;
        let dead: Vec<u32> = w.meta.iter().filter(|(s, m)| **s != active && m.maxt < cutoff).map(|(s, _)| *s).collect();
        let mut chunks = 0;
        for seq in &dead {
            self.files.write().remove(seq);
            chunks += w.meta.remove(seq).map_or(0, |m| m.chunks);
            crate::wal::remove_path(&file_path(&self.dir, *seq))?;
        }
        Ok((dead.len(), chunks))
    }

    /// Number of chunks in live files.
    pub fn num_chunks(&self) -> u64 {
        self.writer.lock().meta.values().map(|m| m.chunks).sum()
    }

    /// Bytes in live files.
    pub fn files(&self) -> usize {
        self.files.read().len()
    }
}

fn read_at_most(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read_at(&mut buf[n..], offset + n as u64) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}
