//! Vigil's former interim float histogram chunk (encoding `0x83`), read only: checkpoints
//! written before Prometheus' encodings replaced it may still hold such chunks, and replaying
//! them must not lose data. Nothing writes this encoding any more (`docs/format/chunks.md`).

use crate::encoding::{DecodeError, Reader};
use crate::{Error, Result};
use std::sync::Arc;
use vigil_model::histogram::{CounterResetHint, Span};
use vigil_model::{FloatHistogram, Timestamp};

/// Encoding byte of the former interim chunks (high bit set: not a Prometheus value).
pub const ENCODING_LEGACY_FLOAT_HISTOGRAM: u8 = 0x83;

fn header_from_bits(flags: u8) -> CounterResetHint {
    match flags & 0b1100_0000 {
        0b1000_0000 => CounterResetHint::CounterReset,
        0b0100_0000 => CounterResetHint::NotCounterReset,
        0b1100_0000 => CounterResetHint::Gauge,
        _ => CounterResetHint::Unknown,
    }
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
pub fn chunk_cost(bytes: &[u8]) -> u64 {
    decode_layout(bytes).map_or(0, |(num, template, _, _)| u64::from(num) * template.sample_cost())
}

/// Decodes the samples with `mint <= t <= maxt` into `out`. The first sample carries the
/// chunk's counter-reset header as its hint; later ones `NotCounterReset` (`Gauge` in a gauge
/// chunk), as Prometheus' iterators report them.
pub fn decode_into(
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
