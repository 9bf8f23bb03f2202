//! An opened block: its metadata, index, chunk files and tombstones, read through memory maps.

use super::ChunkMeta;
use super::chunks::ChunkReader;
use super::index_reader::IndexReader;
use super::meta::BlockMeta;
use super::tombstones::{Tombstones, read_tombstones};
use crate::Result;
use std::path::{Path, PathBuf};
use vigil_model::{Labels, Matcher};

/// An immutable block directory, opened and verified.
#[derive(Debug)]
pub struct Block {
    dir: PathBuf,
    meta: BlockMeta,
    index: IndexReader,
    chunks: ChunkReader,
    tombstones: Tombstones,
}

impl Block {
    /// Opens the block in `dir`: parses `meta.json`, maps and verifies the index and the chunk
    /// file headers, reads the tombstones.
    pub fn open(dir: &Path) -> Result<Self> {
        let meta = BlockMeta::read(dir)?;
        let index = IndexReader::open(&dir.join("index"))?;
        let chunks = ChunkReader::open(&dir.join("chunks"))?;
        let tombstones = read_tombstones(dir)?;
        Ok(Self { dir: dir.to_owned(), meta, index, chunks, tombstones })
    }

    /// The block's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Its `meta.json`.
    pub fn meta(&self) -> &BlockMeta {
        &self.meta
    }

    /// Its index.
    pub fn index(&self) -> &IndexReader {
        &self.index
    }

    /// Its deleted intervals.
    pub fn tombstones(&self) -> &Tombstones {
        &self.tombstones
    }

    /// Series matching every matcher, with their chunks that overlap `[mint, maxt]`; series with
    /// no such chunk are left out. Ids are the index's, for [`Tombstones::is_deleted`].
    pub fn select(&self, matchers: &[Matcher], mint: i64, maxt: i64) -> Result<Vec<(u32, Labels, Vec<ChunkMeta>)>> {
        if maxt < self.meta.min_time || mint >= self.meta.max_time {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for id in self.index.select(matchers)? {
            let (labels, mut chunks) = self.index.series(id)?;
            chunks.retain(|c| c.maxt >= mint && c.mint <= maxt);
            if !chunks.is_empty() {
                out.push((id, labels, chunks));
            }
        }
        Ok(out)
    }

    /// The encoding and bytes of a chunk.
    pub fn chunk(&self, c: &ChunkMeta) -> Result<(u8, &[u8])> {
        self.chunks.chunk(c.chunk_ref)
    }

    /// Bytes of the chunk files.
    pub fn chunks_size(&self) -> u64 {
        self.chunks.size()
    }

    /// Checks every postings list and series entry of the index against its checksum.
    /// [`Self::open`] checks only the table of contents and the symbols; start-up calls this too
    /// so that a damaged index is moved aside instead of failing queries later. Chunks are not
    /// read here (that would read the whole block); each is checked when a query reads it.
    pub fn verify(&self) -> Result<()> {
        let names: Vec<&str> = self.index.label_names().collect();
        for name in names {
            for value in self.index.label_values(name) {
                self.index.postings(name, value)?;
            }
        }
        for id in self.index.all_postings()? {
            self.index.series(id)?;
        }
        Ok(())
    }
}
