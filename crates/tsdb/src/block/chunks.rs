//! A block's chunk files, `chunks/000001` … (`docs/format/chunks.md`, "Block chunk files"):
//! Prometheus' layout, so head chunks are copied into blocks byte for byte.

use super::map::FileBytes;
use super::section::bad;
use crate::encoding::{Reader, put_uvarint};
use crate::{Error, Result};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Magic number of a block chunk file.
pub const CHUNKS_MAGIC: u32 = 0x85BD_40DD;
/// A file is cut before it would pass this size.
pub const MAX_FILE_SIZE: u64 = 512 << 20;
const HEADER_LEN: u64 = 8;

/// Writes chunks into numbered files under a block's `chunks/` directory.
#[derive(Debug)]
pub struct ChunkWriter {
    dir: PathBuf,
    file: Option<BufWriter<File>>,
    /// 0-based position of the current file (`000001` is 0).
    position: u32,
    size: u64,
    scratch: Vec<u8>,
}

impl ChunkWriter {
    /// A writer into `dir`, which it creates.
    pub fn new(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        Ok(Self { dir: dir.to_owned(), file: None, position: 0, size: 0, scratch: Vec::new() })
    }

    /// Appends a chunk and returns its reference.
    pub fn write(&mut self, encoding: u8, data: &[u8]) -> Result<u64> {
        self.scratch.clear();
        put_uvarint(&mut self.scratch, data.len() as u64);
        let len_bytes = self.scratch.len();
        self.scratch.push(encoding);
        self.scratch.extend_from_slice(data);
        let crc = crc32c::crc32c(&self.scratch[len_bytes..]);
        self.scratch.extend_from_slice(&crc.to_be_bytes());
        let need = self.scratch.len() as u64;
        if self.file.is_none() || (self.size + need > MAX_FILE_SIZE && self.size > HEADER_LEN) {
            self.cut()?;
        }
        let offset = self.size;
        if offset > u64::from(u32::MAX) {
            return Err(Error::Options(format!("chunk of {need} bytes does not fit a chunk file")));
        }
        let path = self.path();
        let f = self.file.as_mut().ok_or_else(|| Error::Options("chunk writer has no file".to_owned()))?;
        f.write_all(&self.scratch).map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
        self.size += need;
        Ok(u64::from(self.position) << 32 | offset)
    }

    fn path(&self) -> PathBuf {
        self.dir.join(format!("{:06}", self.position + 1))
    }

    /// Finishes the current file and starts the next one.
    fn cut(&mut self) -> Result<()> {
        if self.file.is_some() {
            self.finish_file()?;
            self.position += 1;
        }
        let path = self.path();
        let f = File::create(&path).map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
        let mut w = BufWriter::with_capacity(1 << 20, f);
        let mut header = CHUNKS_MAGIC.to_be_bytes().to_vec();
        header.extend_from_slice(&[1, 0, 0, 0]);
        w.write_all(&header).map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
        self.file = Some(w);
        self.size = HEADER_LEN;
        Ok(())
    }

    fn finish_file(&mut self) -> Result<()> {
        let path = self.path();
        if let Some(w) = self.file.take() {
            let f = w.into_inner().map_err(|e| Error::io(format!("flushing {}", path.display()), e.into_error()))?;
            f.sync_all().map_err(|e| Error::io(format!("syncing {}", path.display()), e))?;
        }
        Ok(())
    }

    /// Flushes and fsyncs the last file.
    pub fn finish(mut self) -> Result<()> {
        self.finish_file()
    }
}

/// Reads chunks of a block's `chunks/` directory.
#[derive(Debug)]
pub struct ChunkReader {
    files: Vec<(String, FileBytes)>,
}

impl ChunkReader {
    /// Maps every chunk file of `dir` (files named by number, in order) and checks their headers.
    pub fn open(dir: &Path) -> Result<Self> {
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(format!("listing {}", dir.display()), e))?;
        let mut numbered = Vec::new();
        for e in entries {
            let e = e.map_err(|e| Error::io(format!("listing {}", dir.display()), e))?;
            let name = e.file_name().to_string_lossy().into_owned();
            if let Ok(n) = name.parse::<u64>() {
                numbered.push((n, e.path()));
            }
        }
        numbered.sort();
        let mut files = Vec::with_capacity(numbered.len());
        for (_, path) in numbered {
            let name = path.display().to_string();
            let bytes = FileBytes::open(&path)?;
            if bytes.len() < HEADER_LEN as usize {
                return Err(bad(&name, 0, "chunk file shorter than its header"));
            }
            let magic = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
            if magic != CHUNKS_MAGIC || bytes[4] != 1 {
                return Err(bad(
                    &name,
                    0,
                    format!("bad chunk file header (magic {magic:#010x}, version {})", bytes[4]),
                ));
            }
            files.push((name, bytes));
        }
        Ok(Self { files })
    }

    /// The encoding and bytes of the chunk at `chunk_ref`, checksum verified.
    pub fn chunk(&self, chunk_ref: u64) -> Result<(u8, &[u8])> {
        let (position, offset) = ((chunk_ref >> 32) as usize, chunk_ref & 0xFFFF_FFFF);
        let Some((name, bytes)) = self.files.get(position) else {
            return Err(Error::corrupt("chunks", format!("chunk reference {chunk_ref:#x} names file {position}")));
        };
        let err = |m: &str| bad(name, offset, m);
        if offset < HEADER_LEN {
            return Err(err("chunk reference inside the file header"));
        }
        let mut r = Reader::new(bytes.get(offset as usize..).unwrap_or_default());
        let len = r.uvarint().map_err(|_| err("chunk length truncated"))?;
        let len = usize::try_from(len).map_err(|_| err("chunk length overflows"))?;
        let body = r.bytes(len.saturating_add(1)).map_err(|_| err("chunk runs past the end of its file"))?;
        let crc = r.bytes(4).map_err(|_| err("chunk checksum missing"))?;
        if crc32c::crc32c(body) != u32::from_be_bytes([crc[0], crc[1], crc[2], crc[3]]) {
            return Err(err("chunk checksum mismatch"));
        }
        Ok((body[0], &body[1..]))
    }

    /// Total bytes of the chunk files.
    pub fn size(&self) -> u64 {
        self.files.iter().map(|(_, b)| b.len() as u64).sum()
    }
}
