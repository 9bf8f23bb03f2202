//! Reads a block's `index` (Prometheus index format v2, `docs/format/index.md`).
//!
//! Opening verifies the magic, version, table of contents, symbol table and postings offset table
//! (their checksums included) and keeps in memory every 32nd symbol's offset and the whole
//! postings offset table (one entry per label pair); series entries and postings lists are read,
//! bounds- and checksum-checked, when used.

use super::ChunkMeta;
use super::index_writer::{INDEX_MAGIC, INDEX_VERSION};
use super::map::FileBytes;
use super::section::{bad, be32, be64, read_section};
use crate::Result;
use crate::encoding::{DecodeError, Reader};
use crate::head::postings::{intersect, subtract, union};
use std::collections::BTreeMap;
use std::path::Path;
use vigil_model::{Label, Labels, Matcher};

/// Size of the table of contents at the end of the file.
const TOC_LEN: usize = 6 * 8 + 4;
/// One symbol offset is kept per this many symbols.
const SYMBOL_STRIDE: usize = 32;

/// An opened index.
#[derive(Debug)]
pub struct IndexReader {
    data: FileBytes,
    name: String,
    /// Offset of symbol `i * SYMBOL_STRIDE`.
    symbol_offsets: Vec<usize>,
    symbol_count: u32,
    /// Label name → sorted (value, postings list offset).
    postings: BTreeMap<String, Vec<(String, u64)>>,
}

impl IndexReader {
    /// Opens and verifies `path`.
    pub fn open(path: &Path) -> Result<Self> {
        Self::from_bytes(FileBytes::open(path)?, path.display().to_string())
    }

    /// Verifies an index held in `data`; `name` is used in errors.
    pub fn from_bytes(data: FileBytes, name: String) -> Result<Self> {
        let d: &[u8] = &data;
        if d.len() < 5 + TOC_LEN {
            return Err(bad(&name, 0, format!("index too short ({} bytes)", d.len())));
        }
        let magic = u32::from_be_bytes([d[0], d[1], d[2], d[3]]);
        if magic != INDEX_MAGIC {
            return Err(bad(&name, 0, format!("bad magic {magic:#010x}")));
        }
        if d[4] != INDEX_VERSION {
            return Err(bad(&name, 4, format!("unsupported index version {}", d[4])));
        }
        let toc_at = d.len() - TOC_LEN;
        let toc = &d[toc_at..toc_at + 48];
        let crc = &d[toc_at + 48..];
        if crc32c::crc32c(toc) != u32::from_be_bytes([crc[0], crc[1], crc[2], crc[3]]) {
            return Err(bad(&name, toc_at as u64, "table of contents checksum mismatch"));
        }
        let mut r = Reader::new(toc);
        let mut next = || be64(&mut r).map_err(|e| bad(&name, toc_at as u64, e));
        let (symbols_at, _series, _label_indices, _label_table, _postings, postings_table_at) =
            (next()?, next()?, next()?, next()?, next()?, next()?);

        let (symbol_offsets, symbol_count) = read_symbols(d, symbols_at, &name)?;
        let postings =
            if postings_table_at == 0 { BTreeMap::new() } else { read_postings_table(d, postings_table_at, &name)? };
        Ok(Self { data, name, symbol_offsets, symbol_count, postings })
    }

    /// The symbol with reference `r`.
    pub fn symbol(&self, r: u32) -> Result<&str> {
        if r >= self.symbol_count {
            return Err(bad(&self.name, 0, format!("symbol reference {r} out of {} symbols", self.symbol_count)));
        }
        let at = self.symbol_offsets[r as usize / SYMBOL_STRIDE];
        let mut rd = Reader::new(self.data.get(at..).unwrap_or_default());
        for _ in 0..r as usize % SYMBOL_STRIDE {
            rd.string().map_err(|e| bad(&self.name, at as u64, e))?;
        }
        rd.string().map_err(|e| bad(&self.name, at as u64, e))
    }

    /// Label names with at least one series, sorted.
    pub fn label_names(&self) -> impl Iterator<Item = &str> {
        self.postings.keys().map(String::as_str).filter(|n| !n.is_empty())
    }

    /// Values of label `name`, sorted.
    pub fn label_values(&self, name: &str) -> impl Iterator<Item = &str> {
        self.postings.get(name).into_iter().flatten().map(|(v, _)| v.as_str())
    }

    /// The ids of series with label `name` = `value` (every series for `("", "")`).
    pub fn postings(&self, name: &str, value: &str) -> Result<Vec<u32>> {
        let Some(values) = self.postings.get(name) else { return Ok(Vec::new()) };
        match values.binary_search_by(|(v, _)| v.as_str().cmp(value)) {
            Ok(i) => self.postings_at(values[i].1),
            Err(_) => Ok(Vec::new()),
        }
    }

    /// Every series id.
    pub fn all_postings(&self) -> Result<Vec<u32>> {
        self.postings("", "")
    }

    fn postings_at(&self, offset: u64) -> Result<Vec<u32>> {
        let body = read_section(&self.data, offset, &self.name)?;
        let mut r = Reader::new(body);
        let err = |e: DecodeError| bad(&self.name, offset, e);
        let n = be32(&mut r).map_err(err)? as usize;
        if n.saturating_mul(4) != r.remaining() {
            return Err(bad(&self.name, offset, format!("postings list says {n} entries in {} bytes", r.remaining())));
        }
        let mut ids = Vec::with_capacity(n);
        for _ in 0..n {
            ids.push(be32(&mut r).map_err(err)?);
        }
        if ids.windows(2).any(|w| w[0] >= w[1]) {
            return Err(bad(&self.name, offset, "postings list is not strictly increasing"));
        }
        Ok(ids)
    }

    /// The ids of series matching every matcher (all series for none), sorted.
    pub fn select(&self, matchers: &[Matcher]) -> Result<Vec<u32>> {
        // As the head's index: positive matchers intersect, matchers that accept the empty value
        // can only remove the series whose value they reject.
        let mut result: Option<Vec<u32>> = None;
        let mut exclude = Vec::new();
        for m in matchers {
            if m.matches_empty() {
                exclude.push(self.values_where(m, false)?);
            } else {
                let ids = self.values_where(m, true)?;
                let r = match result {
                    None => ids,
                    Some(r) => intersect(&r, &ids),
                };
                if r.is_empty() {
                    return Ok(r);
                }
                result = Some(r);
            }
        }
        let mut r = match result {
            Some(r) => r,
            None => self.all_postings()?,
        };
        for ex in exclude {
            r = subtract(&r, &ex);
        }
        Ok(r)
    }

    /// Union of the postings of `m.name`'s values that match (`want`) or do not match `m`.
    fn values_where(&self, m: &Matcher, want: bool) -> Result<Vec<u32>> {
        let Some(values) = self.postings.get(&m.name) else { return Ok(Vec::new()) };
        let mut lists = Vec::new();
        for (v, at) in values {
            if m.matches(v) == want {
                lists.push(self.postings_at(*at)?);
            }
        }
        let refs: Vec<&[u32]> = lists.iter().map(Vec::as_slice).collect();
        Ok(union(&refs))
    }

    /// The labels and chunk list of series `id`.
    pub fn series(&self, id: u32) -> Result<(Labels, Vec<ChunkMeta>)> {
        let at = u64::from(id) * 16;
        let err = |e: DecodeError| bad(&self.name, at, e);
        let start = usize::try_from(at).map_err(|_| bad(&self.name, at, "series offset out of range"))?;
        let mut r = Reader::new(self.data.get(start..).unwrap_or_default());
        let len = usize::try_from(r.uvarint().map_err(err)?).map_err(|_| bad(&self.name, at, "series too long"))?;
        let body = r.bytes(len).map_err(err)?;
        let crc = be32(&mut r).map_err(err)?;
        if crc32c::crc32c(body) != crc {
            return Err(bad(&self.name, at, "series checksum mismatch"));
        }
        let mut r = Reader::new(body);
        let n = r.uvarint().map_err(err)?;
        if n > body.len() as u64 {
            return Err(bad(&self.name, at, format!("series claims {n} labels")));
        }
        let mut labels = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let name = self.symbol_ref(&mut r, at)?;
            let value = self.symbol_ref(&mut r, at)?;
            labels.push(Label { name: name.to_owned(), value: value.to_owned() });
        }
        if labels.windows(2).any(|w| w[0].name >= w[1].name) || labels.iter().any(|l| l.value.is_empty()) {
            return Err(bad(&self.name, at, "series labels are not sorted, unique and non-empty"));
        }
        let chunks = decode_chunks(&mut r, body.len()).map_err(err)?;
        Ok((Labels::from_sorted(labels), chunks))
    }

    fn symbol_ref(&self, r: &mut Reader<'_>, at: u64) -> Result<&str> {
        let s = r.uvarint().map_err(|e| bad(&self.name, at, e))?;
        self.symbol(u32::try_from(s).map_err(|_| bad(&self.name, at, "symbol reference overflows"))?)
    }
}

/// Offsets of every `SYMBOL_STRIDE`th symbol and the symbol count, after checking every entry.
fn read_symbols(d: &[u8], at: u64, name: &str) -> Result<(Vec<usize>, u32)> {
    let body = read_section(d, at, name)?;
    let base = at as usize + 4;
    let mut r = Reader::new(body);
    let err = |e: DecodeError| bad(name, at, e);
    let n = be32(&mut r).map_err(err)?;
    if n as usize > body.len() {
        return Err(bad(name, at, format!("symbol table claims {n} symbols in {} bytes", body.len())));
    }
    let mut offsets = Vec::with_capacity(n as usize / SYMBOL_STRIDE + 1);
    let mut prev: Option<&str> = None;
    for i in 0..n as usize {
        if i % SYMBOL_STRIDE == 0 {
            offsets.push(base + r.offset());
        }
        let s = r.string().map_err(err)?;
        if prev.is_some_and(|p| p >= s) {
            return Err(bad(name, at, format!("symbols not sorted at {i}")));
        }
        prev = Some(s);
    }
    Ok((offsets, n))
}

/// The postings offset table: label name → sorted (value, offset).
fn read_postings_table(d: &[u8], at: u64, name: &str) -> Result<BTreeMap<String, Vec<(String, u64)>>> {
    let body = read_section(d, at, name)?;
    let mut r = Reader::new(body);
    let err = |e: DecodeError| bad(name, at, e);
    let n = be32(&mut r).map_err(err)?;
    let mut table: BTreeMap<String, Vec<(String, u64)>> = BTreeMap::new();
    let mut prev: Option<(&str, &str)> = None;
    for _ in 0..n {
        if r.uvarint().map_err(err)? != 2 {
            return Err(bad(name, at, "postings offset entry does not have 2 keys"));
        }
        let (k, v) = (r.string().map_err(err)?, r.string().map_err(err)?);
        let off = r.uvarint().map_err(err)?;
        if prev.is_some_and(|p| p >= (k, v)) {
            return Err(bad(name, at, format!("postings offset table not sorted at {k}={v:?}")));
        }
        prev = Some((k, v));
        table.entry(k.to_owned()).or_default().push((v.to_owned(), off));
    }
    Ok(table)
}

/// A series entry's chunk list (see `index_writer::encode_chunks`).
fn decode_chunks(r: &mut Reader<'_>, limit: usize) -> Result<Vec<ChunkMeta>, DecodeError> {
    let n = r.uvarint()?;
    if n > limit as u64 {
        return Err(DecodeError::Truncated);
    }
    let mut out = Vec::with_capacity(n as usize);
    for i in 0..n {
        let c = if i == 0 {
            let mint = r.varint()?;
            let maxt = mint.wrapping_add(r.uvarint()? as i64);
            ChunkMeta { mint, maxt, chunk_ref: r.uvarint()? }
        } else {
            let prev: ChunkMeta = out[out.len() - 1];
            let mint = prev.maxt.wrapping_add(r.uvarint()? as i64);
            let maxt = mint.wrapping_add(r.uvarint()? as i64);
            ChunkMeta { mint, maxt, chunk_ref: prev.chunk_ref.wrapping_add(r.varint()? as u64) }
        };
        out.push(c);
    }
    Ok(out)
}
