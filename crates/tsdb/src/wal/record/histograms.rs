//! Histogram sample records (types 6 and 7, `docs/format/wal.md`): the float samples record's
//! prefix and per-sample header, each followed by one histogram.
//!
//! The integer and float forms differ only in how counts and buckets are written, so one codec
//! is generic over [`Counts`].

use crate::encoding::{DecodeError, Reader, put_uvarint, put_varint};
use vigil_model::histogram::{CounterResetHint, HistogramOf, Span};
use vigil_model::{FloatHistogram, Histogram, Timestamp};

/// How one histogram form writes its overall counts (`C`) and bucket entries (`B`).
pub trait Counts: Sized {
    /// Overall count type (count, zero count).
    type C;
    /// Bucket entry type.
    type B;
    /// Writes an overall count.
    fn put_c(buf: &mut Vec<u8>, c: &Self::C);
    /// Writes a bucket entry.
    fn put_b(buf: &mut Vec<u8>, b: &Self::B);
    /// Reads an overall count.
    fn get_c(r: &mut Reader<'_>) -> Result<Self::C, DecodeError>;
    /// Reads a bucket entry.
    fn get_b(r: &mut Reader<'_>) -> Result<Self::B, DecodeError>;
}

/// Integer histograms: `uvarint` counts, `varint` bucket deltas.
#[derive(Debug)]
pub struct IntCounts;

/// Float histograms: little-endian `f64` counts and buckets.
#[derive(Debug)]
pub struct FloatCounts;

impl Counts for IntCounts {
    type C = u64;
    type B = i64;
    fn put_c(buf: &mut Vec<u8>, c: &u64) {
        put_uvarint(buf, *c);
    }
    fn put_b(buf: &mut Vec<u8>, b: &i64) {
        put_varint(buf, *b);
    }
    fn get_c(r: &mut Reader<'_>) -> Result<u64, DecodeError> {
        r.uvarint()
    }
    fn get_b(r: &mut Reader<'_>) -> Result<i64, DecodeError> {
        r.varint()
    }
}

impl Counts for FloatCounts {
    type C = f64;
    type B = f64;
    fn put_c(buf: &mut Vec<u8>, c: &f64) {
        put_f64(buf, *c);
    }
    fn put_b(buf: &mut Vec<u8>, b: &f64) {
        put_f64(buf, *b);
    }
    fn get_c(r: &mut Reader<'_>) -> Result<f64, DecodeError> {
        get_f64(r)
    }
    fn get_b(r: &mut Reader<'_>) -> Result<f64, DecodeError> {
        get_f64(r)
    }
}

fn put_f64(buf: &mut Vec<u8>, v: f64) {
    buf.extend_from_slice(&v.to_bits().to_le_bytes());
}

fn get_f64(r: &mut Reader<'_>) -> Result<f64, DecodeError> {
    Ok(f64::from_bits(r.u64_le()?))
}

/// A histogram of the form `K` (integer or float).
pub type HistogramFor<K> = HistogramOf<<K as Counts>::C, <K as Counts>::B>;

/// Builds a histogram samples payload incrementally (like `SamplesEncoder`).
#[derive(Debug, Default, Clone, Copy)]
pub struct HistogramsEncoder {
    base: Option<(u32, Timestamp)>,
}

impl HistogramsEncoder {
    /// Appends one integer histogram sample (record type 6).
    pub fn push_int(&mut self, buf: &mut Vec<u8>, id: u32, t: Timestamp, h: &Histogram) {
        self.header(buf, id, t);
        put_histogram::<IntCounts>(buf, h);
    }

    /// Appends one float histogram sample (record type 7).
    pub fn push_float(&mut self, buf: &mut Vec<u8>, id: u32, t: Timestamp, h: &FloatHistogram) {
        self.header(buf, id, t);
        put_histogram::<FloatCounts>(buf, h);
    }

    fn header(&mut self, buf: &mut Vec<u8>, id: u32, t: Timestamp) {
        let (bid, bt) = *self.base.get_or_insert_with(|| {
            put_uvarint(buf, u64::from(id));
            put_varint(buf, t);
            (id, t)
        });
        put_varint(buf, i64::from(id) - i64::from(bid));
        put_varint(buf, t.wrapping_sub(bt));
    }

    /// Whether no sample was pushed.
    pub fn is_empty(&self) -> bool {
        self.base.is_none()
    }
}

/// Writes one histogram in the record's field order.
pub fn put_histogram<K: Counts>(buf: &mut Vec<u8>, h: &HistogramFor<K>) {
    buf.push(h.counter_reset_hint as u8);
    put_varint(buf, i64::from(h.schema));
    put_f64(buf, h.zero_threshold);
    K::put_c(buf, &h.zero_count);
    K::put_c(buf, &h.count);
    put_f64(buf, h.sum);
    for spans in [&h.positive_spans, &h.negative_spans] {
        put_uvarint(buf, spans.len() as u64);
        for s in spans {
            put_varint(buf, i64::from(s.offset));
            put_uvarint(buf, u64::from(s.length));
        }
    }
    for buckets in [&h.positive_buckets, &h.negative_buckets] {
        put_uvarint(buf, buckets.len() as u64);
        for b in buckets {
            K::put_b(buf, b);
        }
    }
    put_uvarint(buf, h.custom_values.len() as u64);
    for &v in &h.custom_values {
        put_f64(buf, v);
    }
}

/// Decodes a histogram samples payload (type 6 with [`IntCounts`], type 7 with [`FloatCounts`])
/// into `out` as (id, t, histogram).
pub fn decode_histograms<K: Counts>(
    payload: &[u8],
    out: &mut Vec<(u32, Timestamp, HistogramFor<K>)>,
) -> Result<(), String> {
    let mut r = Reader::new(payload);
    let err = |e: String, r: &Reader<'_>| format!("histogram samples record at payload byte {}: {e}", r.offset());
    let base_id = r.uvarint().map_err(|e| err(e.to_string(), &r))?;
    let base_t = r.varint().map_err(|e| err(e.to_string(), &r))?;
    while !r.is_empty() {
        let d = r.varint().map_err(|e| err(e.to_string(), &r))?;
        let dt = r.varint().map_err(|e| err(e.to_string(), &r))?;
        let id = (base_id as i64).wrapping_add(d);
        let id = u32::try_from(id).map_err(|_| format!("histogram sample series id {id} out of range"))?;
        let h = get_histogram::<K>(&mut r).map_err(|e| err(e, &r))?;
        out.push((id, base_t.wrapping_add(dt), h));
    }
    Ok(())
}

/// Reads one histogram written by [`put_histogram`].
pub fn get_histogram<K: Counts>(r: &mut Reader<'_>) -> Result<HistogramFor<K>, String> {
    let e = |e: DecodeError| e.to_string();
    let hint = r.u8().map_err(e)?;
    let counter_reset_hint =
        CounterResetHint::from_u8(hint).ok_or_else(|| format!("unknown counter reset hint {hint}"))?;
    let schema = r.varint().map_err(e)?;
    let schema = i32::try_from(schema).map_err(|_| format!("schema {schema} out of range"))?;
    let zero_threshold = get_f64(r).map_err(e)?;
    let zero_count = K::get_c(r).map_err(e)?;
    let count = K::get_c(r).map_err(e)?;
    let sum = get_f64(r).map_err(e)?;
    let mut spans = [Vec::new(), Vec::new()];
    for side in &mut spans {
        for _ in 0..list_len(r)? {
            let offset = r.varint().map_err(e)?;
            let length = r.uvarint().map_err(e)?;
            side.push(Span {
                offset: i32::try_from(offset).map_err(|_| format!("span offset {offset} out of range"))?,
                length: u32::try_from(length).map_err(|_| format!("span length {length} out of range"))?,
            });
        }
    }
    let mut buckets = [Vec::new(), Vec::new()];
    for side in &mut buckets {
        for _ in 0..list_len(r)? {
            side.push(K::get_b(r).map_err(e)?);
        }
    }
    let mut custom_values = Vec::new();
    for _ in 0..list_len(r)? {
        custom_values.push(get_f64(r).map_err(e)?);
    }
    let [positive_spans, negative_spans] = spans;
    let [positive_buckets, negative_buckets] = buckets;
    Ok(HistogramOf {
        counter_reset_hint,
        schema,
        zero_threshold,
        zero_count,
        count,
        sum,
        positive_spans,
        negative_spans,
        positive_buckets,
        negative_buckets,
        custom_values,
    })
}

/// A list length, refused when the payload cannot hold that many entries of at least one byte.
fn list_len(r: &mut Reader<'_>) -> Result<usize, String> {
    let at = r.offset();
    let n = r.uvarint().map_err(|e| e.to_string())?;
    let left = r.remaining();
    match usize::try_from(n) {
        Ok(n) if n <= left => Ok(n),
        _ => Err(format!("list at byte {at} claims {n} entries but only {left} bytes are left")),
    }
}

#[cfg(test)]
mod tests;
