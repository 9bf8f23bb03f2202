//! Persistent blocks in Prometheus' block format (`docs/format/blocks.md`): a directory per time
//! range with `meta.json`, an `index` (symbols, series, postings), `chunks/` segment files and
//! `tombstones`, immutable once renamed into place.
//!
//! - [`write_block`] writes a block from series and their encoded chunks (the head's chunks are
//!   copied byte for byte) and returns its [`BlockMeta`].
//! - [`Block::open`] maps a block's files and verifies their headers and checksums; [`Block::select`]
//!   resolves matchers through the postings, [`Block::chunk`] returns a chunk's bytes.
//!
//! A block is untrusted input (it may come from an import, a restore or a damaged disk): every
//! length and reference is checked before use and failures are [`crate::Error::Corruption`] naming
//! the file and byte offset.

mod chunks;
mod index_reader;
mod index_writer;
mod map;
mod meta;
mod reader;
mod section;
pub mod segment;
mod tombstones;
mod writer;

pub use chunks::{ChunkReader, ChunkWriter};
pub use index_reader::IndexReader;
pub use index_writer::write_index;
pub use meta::{BlockDesc, BlockMeta, BlockStats, Compaction, VigilMeta};
pub use reader::Block;
pub use tombstones::{Tombstones, read_tombstones, write_tombstones};
pub use writer::{BlockChunk, BlockSeries, write_block};

/// Where one chunk of a series lies, as the index records it: first and last sample time (both
/// inclusive) and the chunk's reference into `chunks/` (`file position << 32 | offset`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkMeta {
    /// Time of the chunk's first sample.
    pub mint: i64,
    /// Time of the chunk's last sample.
    pub maxt: i64,
    /// Reference into the block's chunk files.
    pub chunk_ref: u64,
}

#[cfg(test)]
mod tests;
