//! Writes a whole block: chunks, index, tombstones and `meta.json` under a temporary directory,
//! every file fsynced, then renamed into place (`docs/format/blocks.md`, "Block lifecycle").

use super::ChunkMeta;
use super::chunks::ChunkWriter;
use super::index_writer::write_index;
use super::meta::{BlockMeta, BlockStats, Compaction, VigilMeta};
use super::tombstones::{Tombstones, write_tombstones};
use crate::wal::sync_dir;
use crate::{Error, Result};
use std::collections::BTreeSet;
use std::path::Path;
use vigil_model::Labels;

/// One encoded chunk of a series for [`write_block`].
#[derive(Debug, Clone)]
pub struct BlockChunk {
    /// Time of its first sample.
    pub mint: i64,
    /// Time of its last sample.
    pub maxt: i64,
    /// Chunk encoding byte (1 XOR, 2 histogram, 3 float histogram).
    pub encoding: u8,
    /// The encoded chunk, as the head holds it.
    pub data: Vec<u8>,
}

/// A series and its chunks, sorted by time and not overlapping.
#[derive(Debug, Clone)]
pub struct BlockSeries {
    /// The series' labels.
    pub labels: Labels,
    /// Its chunks.
    pub chunks: Vec<BlockChunk>,
}

/// Writes a level-`level` block covering `[min_time, max_time)` into `parent/<ulid>` and returns
/// its metadata. `sources` are the level-1 ancestors (none for a block cut from the head, which is
/// its own source). Series without chunks are left out.
pub fn write_block(
    parent: &Path,
    mut series: Vec<BlockSeries>,
    min_time: i64,
    max_time: i64,
    level: u32,
    sources: Vec<String>,
) -> Result<BlockMeta> {
    series.retain(|s| !s.chunks.is_empty());
    series.sort_by(|a, b| a.labels.cmp(&b.labels));
    if let Some(w) = series.windows(2).find(|w| w[0].labels == w[1].labels) {
        return Err(Error::Options(format!("series {} given twice", w[0].labels)));
    }
    let ulid = ulid::Ulid::generate().to_string();
    let tmp = parent.join(format!("{ulid}.tmp-for-creation"));
    std::fs::create_dir_all(&tmp).map_err(|e| Error::io(format!("creating {}", tmp.display()), e))?;
    let written = write_contents(&tmp, &ulid, series, min_time, max_time, level, sources);
    let meta = match written {
        Ok(m) => m,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    sync_dir(&tmp.join("chunks"))?;
    sync_dir(&tmp)?;
    let dir = parent.join(&ulid);
    std::fs::rename(&tmp, &dir).map_err(|e| Error::io(format!("renaming {} into place", tmp.display()), e))?;
    sync_dir(parent)?;
    Ok(meta)
}

fn write_contents(
    dir: &Path,
    ulid: &str,
    series: Vec<BlockSeries>,
    min_time: i64,
    max_time: i64,
    level: u32,
    sources: Vec<String>,
) -> Result<BlockMeta> {
    let mut chunks = ChunkWriter::new(&dir.join("chunks"))?;
    let mut stats = BlockStats { num_series: series.len() as u64, ..BlockStats::default() };
    let mut encodings = BTreeSet::new();
    let mut index = Vec::with_capacity(series.len());
    for s in series {
        let mut metas = Vec::with_capacity(s.chunks.len());
        for c in &s.chunks {
            if c.mint < min_time || c.maxt >= max_time || c.mint > c.maxt {
                return Err(Error::Options(format!(
                    "chunk [{}, {}] of {} is outside the block's [{min_time}, {max_time})",
                    c.mint, c.maxt, s.labels
                )));
            }
            let samples = c.data.get(..2).map_or(0, |b| u64::from(u16::from_be_bytes([b[0], b[1]])));
            stats.num_samples += samples;
            if crate::chunk::is_histogram_encoding(c.encoding) {
                stats.num_histogram_samples += samples;
            } else {
                stats.num_float_samples += samples;
            }
            stats.num_chunks += 1;
            encodings.insert(c.encoding);
            metas.push(ChunkMeta { mint: c.mint, maxt: c.maxt, chunk_ref: chunks.write(c.encoding, &c.data)? });
        }
        index.push((s.labels, metas));
    }
    chunks.finish()?;
    write_index(&dir.join("index"), &index)?;
    write_tombstones(dir, &Tombstones::default())?;
    let sources = if sources.is_empty() { vec![ulid.to_owned()] } else { sources };
    let meta = BlockMeta {
        ulid: ulid.to_owned(),
        min_time,
        max_time,
        stats,
        compaction: Compaction { level, sources, parents: Vec::new(), deletable: false },
        version: 1,
        vigil: Some(VigilMeta { encodings: encodings.into_iter().collect() }),
    };
    meta.write(dir)?;
    Ok(meta)
}
