//! Vigil's interim float histogram chunk (encoding `0x83`, `docs/format/chunks.md`): one bucket
//! layout per chunk, then each sample's timestamp and counts as plain little-endian floats.
//!
//! Not Prometheus' encoding yet (see the format document for why); the cut rules are
//! Prometheus' already, so switching the byte encoding later changes no chunk boundary.
//! [`HistogramChunk`] is appendable in place; [`decode_histograms_into`] decodes any chunk's
//! bytes; [`histogram_chunk_cost`] reads only the header and layout.

use crate::encoding::{DecodeError, Reader, put_uvarint, put_varint};
use crate::{Error, Result};
use std::sync::Arc;
use vigil_model::histogram::{CounterResetHint, Span};
use vigil_model::{FloatHistogram, Timestamp};

/// Encoding byte of Vigil's interim float histogram chunks (high bit set: not a Prometheus value).
pub const ENCODING_FLOAT_HISTOGRAM: u8 = 0x83;

/// Prometheus' histogram chunks are cut at about this size; so are ours.
pub const MAX_HISTOGRAM_CHUNK_BYTES: usize = 1024;

/// An appendable float histogram chunk and the last sample (for reset detection and duplicates).
#[derive(Debug, Clone)]
pub struct HistogramChunk {
    bytes: Vec<u8>,
    num: u16,
    header: CounterResetHint,
    first_t: Timestamp,
    last_t: Timestamp,
    last: Arc<FloatHistogram>,
    /// The layout every sample is written with (the first sample's).
    layout: Arc<FloatHistogram>,
}

impl HistogramChunk {
    /// A chunk whose first sample is `h` at `t`, with counter-reset header `header`.
    pub fn new(t: Timestamp, h: Arc<FloatHistogram>, header: CounterResetHint) -> Self {
        let mut bytes = vec![0, 1, header_bits(header)];
        put_varint(&mut bytes, i64::from(h.schema));
        bytes.extend_from_slice(&h.zero_threshold.to_bits().to_le_bytes());
        for spans in [&h.positive_spans, &h.negative_spans] {
            put_uvarint(&mut bytes, spans.len() as u64);
            for s in spans {
                put_varint(&mut bytes, i64::from(s.offset));
                put_uvarint(&mut bytes, u64::from(s.length));
            }
        }
        put_uvarint(&mut bytes, h.custom_values.len() as u64);
        for v in &h.custom_values {
            bytes.extend_from_slice(&v.to_bits().to_le_bytes());
        }
        put_varint(&mut bytes, t);
        put_counts(&mut bytes, &h, &h);
        Self { bytes, num: 1, header, first_t: t, last_t: t, last: h.clone(), layout: h }
    }

    /// Whether `h` can be written with this chunk's layout: same schema, zero threshold, custom
    /// bounds and bucket layout (after normalising spans). A stale marker always fits.
    pub fn fits(&self, h: &FloatHistogram) -> bool {
        h.is_stale() || same_layout(&self.layout, h)
    }

    /// Appends `h` at `t` (after the last sample, with a layout that [`Self::fits`]).
    pub fn append(&mut self, t: Timestamp, h: Arc<FloatHistogram>) -> Result<()> {
        if t <= self.last_t {
            return Err(Error::ChunkOutOfOrder { t, last: self.last_t });
        }
        if self.num == u16::MAX {
            return Err(Error::ChunkFull);
        }
        put_varint(&mut self.bytes, t.wrapping_sub(self.last_t));
        put_counts(&mut self.bytes, &self.layout, &h);
        self.num += 1;
        self.bytes[..2].copy_from_slice(&self.num.to_be_bytes());
        self.last_t = t;
        self.last = h;
        Ok(())
    }

    /// Number of samples.
    pub fn num_samples(&self) -> u16 {
        self.num
    }

    /// The encoded bytes, header included.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The chunk's counter-reset header.
    pub fn header(&self) -> CounterResetHint {
        self.header
    }

    /// Timestamp of the first sample (a chunk is never empty; `Option` to match `XorChunk`).
    pub fn first_t(&self) -> Option<Timestamp> {
        Some(self.first_t)
    }

    /// Timestamp of the last sample.
    pub fn last_t(&self) -> Timestamp {
        self.last_t
    }

    /// The last sample as appended.
    pub fn last(&self) -> &Arc<FloatHistogram> {
        &self.last
    }

    /// Heap bytes held (approximate).
    pub fn capacity(&self) -> usize {
        self.bytes.capacity() + 2 * std::mem::size_of::<FloatHistogram>()
    }
}

/// Writes `h`'s counts in the bucket order of `layout` (a stale marker with another layout gets
/// empty buckets).
fn put_counts(buf: &mut Vec<u8>, layout: &FloatHistogram, h: &FloatHistogram) {
    let same = std::ptr::eq(layout, h) || same_layout(layout, h);
    for v in [h.count, h.zero_count, h.sum] {
        buf.extend_from_slice(&v.to_bits().to_le_bytes());
    }
    for (mine, theirs) in
        [(&layout.positive_buckets, &h.positive_buckets), (&layout.negative_buckets, &h.negative_buckets)]
    {
        for k in 0..mine.len() {
            let v = if same { theirs.get(k).copied().unwrap_or(0.0) } else { 0.0 };
            buf.extend_from_slice(&v.to_bits().to_le_bytes());
        }
    }
}

/// The flags byte for a counter-reset header: Prometheus' bits (`10` reset, `01` not a reset,
/// `11` gauge, `00` unknown) in the two high bits.
fn header_bits(h: CounterResetHint) -> u8 {
    match h {
        CounterResetHint::Unknown => 0b0000_0000,
        CounterResetHint::CounterReset => 0b1000_0000,
        CounterResetHint::NotCounterReset => 0b0100_0000,
        CounterResetHint::Gauge => 0b1100_0000,
    }
}

fn header_from_bits(flags: u8) -> CounterResetHint {
    match flags & 0b1100_0000 {
        0b1000_0000 => CounterResetHint::CounterReset,
        0b0100_0000 => CounterResetHint::NotCounterReset,
        0b1100_0000 => CounterResetHint::Gauge,
        _ => CounterResetHint::Unknown,
    }
}

fn same_layout(a: &FloatHistogram, b: &FloatHistogram) -> bool {
    // `equals` compares layouts after normalisation; compare the layouts alone.
    let shape = |h: &FloatHistogram| FloatHistogram {
        schema: h.schema,
        zero_threshold: h.zero_threshold,
        positive_spans: h.positive_spans.clone(),
        negative_spans: h.negative_spans.clone(),
        positive_buckets: vec![0.0; h.positive_buckets.len()],
        negative_buckets: vec![0.0; h.negative_buckets.len()],
        custom_values: h.custom_values.clone(),
        ..FloatHistogram::default()
    };
    shape(a).equals(&shape(b))
}

/// A chunk's header and layout: (samples, template histogram with empty counts, first sample
/// time, reader positioned at the first sample's counts).
fn decode_layout(bytes: &[u8]) -> Result<(u16, FloatHistogram, Timestamp, Reader<'_>)> {
    let corrupt = |e: DecodeError| Error::corrupt("float histogram chunk", e.to_string());
    let mut r = Reader::new(bytes);
    let num = u16::from_be_bytes([r.u8().map_err(corrupt)?, r.u8().map_err(corrupt)?]);
    let header = header_from_bits(r.u8().map_err(corrupt)?);
    let schema = i32::try_from(r.varint().map_err(corrupt)?)
        .map_err(|_| Error::corrupt("float histogram chunk", "schema out of range"))?;
    let zero_threshold = f64::from_bits(r.u64_le().map_err(corrupt)?);
    let mut spans = [Vec::new(), Vec::new()];
    for side in &mut spans {
        for _ in 0..list_len(&mut r)? {
            let offset = r.varint().map_err(corrupt)?;
            let length = r.uvarint().map_err(corrupt)?;
            side.push(Span {
                offset: i32::try_from(offset).map_err(|_| Error::corrupt("float histogram chunk", "span offset"))?,
                length: u32::try_from(length).map_err(|_| Error::corrupt("float histogram chunk", "span length"))?,
            });
        }
    }
    let mut custom_values = Vec::new();
    for _ in 0..list_len(&mut r)? {
        custom_values.push(f64::from_bits(r.u64_le().map_err(corrupt)?));
    }
    let total = |s: &[Span]| s.iter().map(|s| s.length as usize).sum::<usize>();
    let (np, nn) = (total(&spans[0]), total(&spans[1]));
    // Every sample needs 8 bytes per bucket: a corrupt span length cannot make us allocate.
    if (np + nn).saturating_mul(8) > r.remaining() {
        return Err(Error::corrupt("float histogram chunk", "bucket layout larger than the chunk"));
    }
    let [positive_spans, negative_spans] = spans;
    let template = FloatHistogram {
        counter_reset_hint: header,
        schema,
        zero_threshold,
        positive_spans,
        negative_spans,
        positive_buckets: vec![0.0; np],
        negative_buckets: vec![0.0; nn],
        custom_values,
        ..FloatHistogram::default()
    };
    let first_t = r.varint().map_err(corrupt)?;
    Ok((num, template, first_t, r))
}

fn list_len(r: &mut Reader<'_>) -> Result<usize> {
    let n = r.uvarint().map_err(|e| Error::corrupt("float histogram chunk", e.to_string()))?;
    usize::try_from(n)
        .ok()
        .filter(|&n| n <= r.remaining())
        .ok_or_else(|| Error::corrupt("float histogram chunk", format!("list of {n} entries is longer than the chunk")))
}

/// What decoding this chunk costs against the sample budget (samples × the layout's
/// [`FloatHistogram::sample_cost`]), read from the header and layout only.
pub fn histogram_chunk_cost(bytes: &[u8]) -> u64 {
    decode_layout(bytes).map_or(0, |(num, template, _, _)| u64::from(num) * template.sample_cost())
}

/// Decodes the samples with `mint <= t <= maxt` into `out`. The first sample carries the
/// chunk's counter-reset header as its hint; later ones `NotCounterReset` (`Gauge` in a gauge
/// chunk), as Prometheus' iterators report them.
pub fn decode_histograms_into(
    bytes: &[u8],
    mint: Timestamp,
    maxt: Timestamp,
    out: &mut Vec<(Timestamp, Arc<FloatHistogram>)>,
) -> Result<()> {
    let corrupt = |e: DecodeError| Error::corrupt("float histogram chunk", e.to_string());
    let (num, template, mut t, mut r) = decode_layout(bytes)?;
    let header = template.counter_reset_hint;
    let later = if header == CounterResetHint::Gauge { header } else { CounterResetHint::NotCounterReset };
    for k in 0..num {
        if k > 0 {
            t = t.wrapping_add(r.varint().map_err(corrupt)?);
        }
        let mut f = || r.u64_le().map(f64::from_bits).map_err(corrupt);
        let (count, zero_count, sum) = (f()?, f()?, f()?);
        let mut h = FloatHistogram { count, zero_count, sum, ..template.clone() };
        for b in h.positive_buckets.iter_mut().chain(h.negative_buckets.iter_mut()) {
            *b = f()?;
        }
        h.counter_reset_hint = if k == 0 { header } else { later };
        if t > maxt {
            break;
        }
        if t >= mint {
            out.push((t, Arc::new(h)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
