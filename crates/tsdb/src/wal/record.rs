//! Record payloads: series, float samples, histogram samples and chunks (`docs/format/wal.md`).

mod histograms;

pub use histograms::{FloatCounts, HistogramsEncoder, IntCounts, decode_histograms};

use crate::encoding::{DecodeError, Reader, put_uvarint, put_varint};
use vigil_model::{Label, Labels, Timestamp};

/// Record type: one series' id and labels.
pub const SERIES: u8 = 1;
/// Record type: float samples of one commit.
pub const SAMPLES: u8 = 2;
/// Record type (reserved): tombstones.
pub const TOMBSTONES: u8 = 3;
/// Record type (reserved): exemplars.
pub const EXEMPLARS: u8 = 4;
/// Record type (reserved): metadata.
pub const METADATA: u8 = 5;
/// Record type: integer native histogram samples of one commit (codec only; not written yet).
pub const HISTOGRAM_SAMPLES: u8 = 6;
/// Record type: float native histogram samples of one commit (codec only; not written yet).
pub const FLOAT_HISTOGRAM_SAMPLES: u8 = 7;
/// Record type: one XOR chunk of one series (checkpoints).
pub const CHUNK: u8 = 8;

/// Appends a series payload.
pub fn put_series(buf: &mut Vec<u8>, id: u32, labels: &Labels) {
    put_uvarint(buf, u64::from(id));
    put_uvarint(buf, labels.len() as u64);
    for l in labels {
        put_uvarint(buf, l.name.len() as u64);
        buf.extend_from_slice(l.name.as_bytes());
        put_uvarint(buf, l.value.len() as u64);
        buf.extend_from_slice(l.value.as_bytes());
    }
}

/// Decodes a series payload.
pub fn decode_series(payload: &[u8]) -> Result<(u32, Labels), String> {
    let mut r = Reader::new(payload);
    let err = |e: DecodeError, r: &Reader<'_>| format!("series record at payload byte {}: {e}", r.offset());
    let id = r.uvarint().map_err(|e| err(e, &r))?;
    let id = u32::try_from(id).map_err(|_| format!("series id {id} out of range"))?;
    let n = r.uvarint().map_err(|e| err(e, &r))?;
    if n > payload.len() as u64 {
        return Err(format!("series record claims {n} labels"));
    }
    let mut labels = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let name = r.string().map_err(|e| err(e, &r))?;
        let value = r.string().map_err(|e| err(e, &r))?;
        labels.push(Label { name: name.to_owned(), value: value.to_owned() });
    }
    if !r.is_empty() {
        return Err("trailing bytes after series record".into());
    }
    let sorted = labels.windows(2).all(|w| w[0].name < w[1].name) && labels.iter().all(|l| !l.value.is_empty());
    if labels.is_empty() || !sorted {
        return Err("series labels are empty, unsorted, duplicated or have empty values".into());
    }
    Ok((id, Labels::from_sorted(labels)))
}

/// Builds a samples payload incrementally.
#[derive(Debug, Default, Clone, Copy)]
pub struct SamplesEncoder {
    base: Option<(u32, Timestamp)>,
}

impl SamplesEncoder {
    /// Appends one sample; the first one also writes the base.
    #[inline]
    pub fn push(&mut self, buf: &mut Vec<u8>, id: u32, t: Timestamp, v: f64) {
        let (bid, bt) = match self.base {
            Some(b) => b,
            None => {
                put_uvarint(buf, u64::from(id));
                put_varint(buf, t);
                self.base = Some((id, t));
                (id, t)
            }
        };
        put_varint(buf, i64::from(id) - i64::from(bid));
        put_varint(buf, t.wrapping_sub(bt));
        buf.extend_from_slice(&v.to_bits().to_le_bytes());
    }

    /// Whether no sample was pushed.
    pub fn is_empty(&self) -> bool {
        self.base.is_none()
    }
}

/// Decodes a samples payload into `out` as (id, t, v).
pub fn decode_samples(payload: &[u8], out: &mut Vec<(u32, Timestamp, f64)>) -> Result<(), String> {
    let mut r = Reader::new(payload);
    let err = |e: DecodeError, r: &Reader<'_>| format!("samples record at payload byte {}: {e}", r.offset());
    let base_id = r.uvarint().map_err(|e| err(e, &r))?;
    let base_t = r.varint().map_err(|e| err(e, &r))?;
    while !r.is_empty() {
        let d = r.varint().map_err(|e| err(e, &r))?;
        let dt = r.varint().map_err(|e| err(e, &r))?;
        let v = f64::from_bits(r.u64_le().map_err(|e| err(e, &r))?);
        let id = (base_id as i64).wrapping_add(d);
        let id = u32::try_from(id).map_err(|_| format!("sample series id {id} out of range"))?;
        out.push((id, base_t.wrapping_add(dt), v));
    }
    Ok(())
}

/// Appends a chunk payload.
pub fn put_chunk(buf: &mut Vec<u8>, id: u32, encoding: u8, data: &[u8]) {
    put_uvarint(buf, u64::from(id));
    buf.push(encoding);
    put_uvarint(buf, data.len() as u64);
    buf.extend_from_slice(data);
}

/// Decodes a chunk payload into (id, encoding, data).
pub fn decode_chunk(payload: &[u8]) -> Result<(u32, u8, &[u8]), String> {
    let mut r = Reader::new(payload);
    let err = |e: DecodeError| format!("chunk record: {e}");
    let id = r.uvarint().map_err(err)?;
    let id = u32::try_from(id).map_err(|_| format!("chunk series id {id} out of range"))?;
    let enc = r.u8().map_err(err)?;
    let len = r.uvarint().map_err(err)?;
    let data = r.bytes(usize::try_from(len).map_err(|_| "chunk length out of range".to_owned())?).map_err(err)?;
    if !r.is_empty() {
        return Err("trailing bytes after chunk record".into());
    }
    Ok((id, enc, data))
}
