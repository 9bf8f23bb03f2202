//! Writes a block's `index` in Prometheus' index format v2 (`docs/format/index.md`).
//!
//! The index is built in memory and written with one `write_all` (a few tens of bytes per series
//! and per label pair, so a 2 h block of a million series takes well under a GiB); streaming it
//! is possible later without changing the format.

use super::ChunkMeta;
use super::section::{pad_to, write_section};
use crate::encoding::{put_uvarint, put_varint};
use crate::{Error, Result};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::Path;
use vigil_model::Labels;

/// The index file's magic number.
pub const INDEX_MAGIC: u32 = 0xBAAA_D700;
/// Index format version 2.
pub const INDEX_VERSION: u8 = 2;

/// Writes `<path>` (normally `<block>/index`) for `series`, which must be sorted by labels and
/// hold at least one chunk each, chunks sorted by time. Returns the file's size.
pub fn write_index(path: &Path, series: &[(Labels, Vec<ChunkMeta>)]) -> Result<u64> {
    let buf = encode_index(series)?;
    let mut f = std::fs::File::create(path).map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
    f.write_all(&buf).and_then(|()| f.sync_all()).map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
    Ok(buf.len() as u64)
}

/// The bytes of an index for `series` (see [`write_index`]).
pub fn encode_index(series: &[(Labels, Vec<ChunkMeta>)]) -> Result<Vec<u8>> {
    if let Some(w) = series.windows(2).find(|w| w[0].0 >= w[1].0) {
        return Err(Error::Options(format!("index series are not sorted and unique at {}", w[1].0)));
    }
    let mut buf = Vec::with_capacity(64 + series.len() * 64);
    buf.extend_from_slice(&INDEX_MAGIC.to_be_bytes());
    buf.push(INDEX_VERSION);

    // Symbols: every name and value, sorted; a reference is the position.
    let symbols: BTreeSet<&str> =
        series.iter().flat_map(|(l, _)| l.iter().flat_map(|l| [l.name.as_str(), l.value.as_str()])).collect();
    let refs: HashMap<&str, u32> = symbols.iter().enumerate().map(|(i, s)| (*s, i as u32)).collect();
    let symbols_at = buf.len() as u64;
    write_section(&mut buf, |b| {
        b.extend_from_slice(&(symbols.len() as u32).to_be_bytes());
        for s in &symbols {
            put_uvarint(b, s.len() as u64);
            b.extend_from_slice(s.as_bytes());
        }
    });

    // Series, 16-byte aligned; the id is the offset / 16.
    let mut postings: BTreeMap<(&str, &str), Vec<u32>> = BTreeMap::new();
    let mut all = Vec::with_capacity(series.len());
    let mut entry = Vec::new();
    pad_to(&mut buf, 16);
    let series_at = buf.len() as u64;
    for (labels, chunks) in series {
        if chunks.is_empty() {
            return Err(Error::Options(format!("series {labels} has no chunks")));
        }
        pad_to(&mut buf, 16);
        let id = u32::try_from(buf.len() / 16)
            .map_err(|_| Error::Options("index series section beyond 64 GiB".to_owned()))?;
        all.push(id);
        entry.clear();
        put_uvarint(&mut entry, labels.len() as u64);
        for l in labels.iter() {
            put_uvarint(&mut entry, u64::from(refs[l.name.as_str()]));
            put_uvarint(&mut entry, u64::from(refs[l.value.as_str()]));
            postings.entry((l.name.as_str(), l.value.as_str())).or_default().push(id);
        }
        encode_chunks(&mut entry, chunks);
        put_uvarint(&mut buf, entry.len() as u64);
        buf.extend_from_slice(&entry);
        buf.extend_from_slice(&crc32c::crc32c(&entry).to_be_bytes());
    }

    // Label indices (legacy): one per name, listing its values.
    let mut names: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for (name, value) in postings.keys() {
        names.entry(name).or_default().push(refs[value]);
    }
    let mut label_index_at = Vec::with_capacity(names.len());
    for (name, values) in &names {
        pad_to(&mut buf, 4);
        label_index_at.push((*name, buf.len() as u64));
        write_section(&mut buf, |b| {
            b.extend_from_slice(&1u32.to_be_bytes());
            b.extend_from_slice(&(values.len() as u32).to_be_bytes());
            for v in values {
                b.extend_from_slice(&v.to_be_bytes());
            }
        });
    }
    let first_label_index = label_index_at.first().map_or(0, |p| p.1);

    // Postings: the all-series list under ("", ""), then each pair; 4-byte aligned.
    let mut postings_at = Vec::with_capacity(postings.len() + 1);
    let lists = std::iter::once((("", ""), &all)).chain(postings.iter().map(|(k, v)| (*k, v)));
    for ((name, value), ids) in lists {
        pad_to(&mut buf, 4);
        postings_at.push((name, value, buf.len() as u64));
        write_section(&mut buf, |b| {
            b.extend_from_slice(&(ids.len() as u32).to_be_bytes());
            for id in ids {
                b.extend_from_slice(&id.to_be_bytes());
            }
        });
    }
    let first_postings = postings_at.first().map_or(0, |p| p.2);

    let label_table_at = buf.len() as u64;
    write_section(&mut buf, |b| {
        b.extend_from_slice(&(label_index_at.len() as u32).to_be_bytes());
        for (name, at) in &label_index_at {
            put_uvarint(b, 1);
            put_str(b, name);
            put_uvarint(b, *at);
        }
    });
    let postings_table_at = buf.len() as u64;
    write_section(&mut buf, |b| {
        b.extend_from_slice(&(postings_at.len() as u32).to_be_bytes());
        for (name, value, at) in &postings_at {
            put_uvarint(b, 2);
            put_str(b, name);
            put_str(b, value);
            put_uvarint(b, *at);
        }
    });

    let toc_at = buf.len();
    for at in [symbols_at, series_at, first_label_index, label_table_at, first_postings, postings_table_at] {
        buf.extend_from_slice(&at.to_be_bytes());
    }
    let crc = crc32c::crc32c(&buf[toc_at..]);
    buf.extend_from_slice(&crc.to_be_bytes());
    Ok(buf)
}

/// A series entry's chunk list: the first chunk absolute, later ones as deltas.
fn encode_chunks(entry: &mut Vec<u8>, chunks: &[ChunkMeta]) {
    put_uvarint(entry, chunks.len() as u64);
    let first = chunks[0];
    put_varint(entry, first.mint);
    put_uvarint(entry, first.maxt.wrapping_sub(first.mint) as u64);
    put_uvarint(entry, first.chunk_ref);
    let mut prev = first;
    for c in &chunks[1..] {
        put_uvarint(entry, c.mint.wrapping_sub(prev.maxt) as u64);
        put_uvarint(entry, c.maxt.wrapping_sub(c.mint) as u64);
        put_varint(entry, c.chunk_ref.wrapping_sub(prev.chunk_ref) as i64);
        prev = *c;
    }
}

fn put_str(b: &mut Vec<u8>, s: &str) {
    put_uvarint(b, s.len() as u64);
    b.extend_from_slice(s.as_bytes());
}
