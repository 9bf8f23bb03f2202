//! Vigil's dense chunk encoding `0x84` for float series in merged blocks (`docs/format/segments.md`):
//! timestamps as a regular step, residuals from a scrape grid or deltas, and values as one
//! constant, exact decimals (integers at one power of ten, with raw-bit exceptions) or raw floats,
//! every integer stream entropy-coded by `pco`. Lossless: every value decodes to the same bits.

use crate::encoding::{Reader, put_uvarint, put_varint};
use crate::{Error, Result};

/// The chunk encoding byte of a segment.
pub const ENCODING_SEGMENT: u8 = 0x84;
/// Most samples one segment holds.
pub const MAX_SEGMENT_SAMPLES: usize = 1 << 20;
/// A decimal exponent covers a segment when at least this share of its values fit it.
const DECIMAL_COVERAGE: f64 = 0.99;
const MAX_EXPONENT: u32 = 17;
/// Largest integer magnitude a double holds exactly.
const EXACT_INT: f64 = 9_007_199_254_740_992.0;

const TS_REGULAR: u8 = 0;
const TS_GRID: u8 = 1;
const TS_DELTAS: u8 = 2;
const V_CONSTANT: u8 = 0;
const V_DECIMAL: u8 = 1;
const V_RAW: u8 = 2;

/// Encodes one series' samples (timestamps strictly increasing) as a segment's chunk data.
pub fn encode_segment(ts: &[i64], vs: &[f64]) -> Result<Vec<u8>> {
    if ts.is_empty() || ts.len() != vs.len() || ts.len() > MAX_SEGMENT_SAMPLES {
        return Err(Error::Options(format!("a segment holds 1 to {MAX_SEGMENT_SAMPLES} samples, not {}", ts.len())));
    }
    if ts.windows(2).any(|w| w[0] >= w[1]) {
        return Err(Error::Options("segment timestamps are not strictly increasing".to_owned()));
    }
    let mut out = Vec::with_capacity(16 + ts.len() / 2);
    put_uvarint(&mut out, ts.len() as u64);
    let ts_body = encode_timestamps(ts)?;
    let v_body = encode_values(vs)?;
    out.push(ts_body.0);
    out.push(v_body.0);
    out.extend_from_slice(&ts_body.1);
    out.extend_from_slice(&v_body.1);
    Ok(out)
}

/// Decodes a segment into `ts` and `vs` (cleared first), reusing their allocations.
pub fn decode_segment_into(data: &[u8], ts: &mut Vec<i64>, vs: &mut Vec<f64>) -> Result<()> {
    ts.clear();
    vs.clear();
    let mut r = Reader::new(data);
    let n = r.uvarint().map_err(|e| bad(0, e))?;
    let n = usize::try_from(n).ok().filter(|&n| (1..=MAX_SEGMENT_SAMPLES).contains(&n));
    let n = n.ok_or_else(|| bad(0, "sample count out of range"))?;
    let ts_mode = r.u8().map_err(|e| bad(r.offset(), e))?;
    let v_mode = r.u8().map_err(|e| bad(r.offset(), e))?;
    decode_timestamps(&mut r, ts_mode, n, ts)?;
    decode_values(&mut r, v_mode, n, vs)?;
    if !r.is_empty() {
        return Err(bad(r.offset(), "trailing bytes"));
    }
    Ok(())
}

fn encode_timestamps(ts: &[i64]) -> Result<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    put_varint(&mut out, ts[0]);
    let deltas: Vec<i64> = ts.windows(2).map(|w| w[1].wrapping_sub(w[0])).collect();
    if deltas.iter().all(|&d| d == deltas.first().copied().unwrap_or(0)) {
        put_uvarint(&mut out, deltas.first().copied().unwrap_or(0) as u64);
        return Ok((TS_REGULAR, out));
    }
    let mut sorted = deltas.clone();
    sorted.sort_unstable();
    let step = sorted[sorted.len() / 2];
    let residuals: Vec<i64> = ts
        .iter()
        .enumerate()
        .map(|(i, &t)| t.wrapping_sub(ts[0].wrapping_add((i as i64).wrapping_mul(step))))
        .collect();
    let grid = compress(&residuals)?;
    let plain = compress(&deltas)?;
    if grid.len() + 10 < plain.len() {
        put_uvarint(&mut out, step as u64);
        put_page(&mut out, &grid);
        Ok((TS_GRID, out))
    } else {
        put_page(&mut out, &plain);
        Ok((TS_DELTAS, out))
    }
}

fn decode_timestamps(r: &mut Reader<'_>, mode: u8, n: usize, ts: &mut Vec<i64>) -> Result<()> {
    let t0 = r.varint().map_err(|e| bad(r.offset(), e))?;
    match mode {
        TS_REGULAR => {
            let step = r.uvarint().map_err(|e| bad(r.offset(), e))? as i64;
            ts.extend((0..n).map(|i| t0.wrapping_add((i as i64).wrapping_mul(step))));
        }
        TS_GRID => {
            let step = r.uvarint().map_err(|e| bad(r.offset(), e))? as i64;
            let residuals: Vec<i64> = decompress(r, n)?;
            ts.extend(
                residuals
                    .iter()
                    .enumerate()
                    .map(|(i, &x)| t0.wrapping_add((i as i64).wrapping_mul(step)).wrapping_add(x)),
            );
        }
        TS_DELTAS => {
            let deltas: Vec<i64> = decompress(r, n - 1)?;
            ts.push(t0);
            let mut t = t0;
            for d in deltas {
                t = t.wrapping_add(d);
                ts.push(t);
            }
        }
        other => return Err(bad(r.offset(), format!("unknown timestamp mode {other}"))),
    }
    if ts.windows(2).any(|w| w[0] >= w[1]) {
        return Err(bad(r.offset(), "decoded timestamps are not increasing"));
    }
    Ok(())
}

/// The smallest exponent `k` with `round(v · 10^k) / 10^k == v` bit for bit, if any.
fn decimal_exponent(v: f64) -> Option<u32> {
    if !v.is_finite() || (v == 0.0 && v.is_sign_negative()) {
        return None;
    }
    (0..=MAX_EXPONENT).find(|&k| {
        let p = 10f64.powi(k as i32);
        let m = (v * p).round();
        m.abs() < EXACT_INT && (m / p).to_bits() == v.to_bits()
    })
}

fn encode_values(vs: &[f64]) -> Result<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    if vs.iter().all(|v| v.to_bits() == vs[0].to_bits()) {
        out.extend_from_slice(&vs[0].to_bits().to_le_bytes());
        return Ok((V_CONSTANT, out));
    }
    // Exponent histogram: the smallest k that covers DECIMAL_COVERAGE of the values.
    let exps: Vec<Option<u32>> = vs.iter().map(|&v| decimal_exponent(v)).collect();
    let mut counts = [0usize; MAX_EXPONENT as usize + 1];
    exps.iter().flatten().for_each(|&k| counts[k as usize] += 1);
    let need = (vs.len() as f64 * DECIMAL_COVERAGE).ceil() as usize;
    let mut covered = 0;
    let k = counts.iter().position(|&c| {
        covered += c;
        covered >= need
    });
    let Some(k) = k else {
        put_page(&mut out, &compress(vs)?);
        return Ok((V_RAW, out));
    };
    let p = 10f64.powi(k as i32);
    let mut ints = Vec::with_capacity(vs.len());
    let mut exceptions = Vec::new();
    let mut prev = 0i64;
    for (i, (&v, e)) in vs.iter().zip(&exps).enumerate() {
        let m = (v * p).round();
        // `e <= k` means exact at k too: m / 10^k is the same real number as the value's own
        // decimal, and division rounds correctly; the bit check below guards it anyway.
        if e.is_some_and(|e| e <= k as u32) && m.abs() < EXACT_INT && (m / p).to_bits() == v.to_bits() {
            prev = m as i64;
        } else {
            exceptions.push((i, v.to_bits()));
        }
        ints.push(prev);
    }
    out.push(k as u8);
    put_page(&mut out, &compress(&ints)?);
    put_uvarint(&mut out, exceptions.len() as u64);
    let mut last = 0;
    for (i, bits) in exceptions {
        put_uvarint(&mut out, (i - last) as u64);
        out.extend_from_slice(&bits.to_le_bytes());
        last = i;
    }
    Ok((V_DECIMAL, out))
}

fn decode_values(r: &mut Reader<'_>, mode: u8, n: usize, vs: &mut Vec<f64>) -> Result<()> {
    match mode {
        V_CONSTANT => {
            let v = f64::from_bits(r.u64_le().map_err(|e| bad(r.offset(), e))?);
            vs.resize(n, v);
        }
        V_RAW => vs.extend(decompress::<f64>(r, n)?),
        V_DECIMAL => {
            let k = r.u8().map_err(|e| bad(r.offset(), e))?;
            if u32::from(k) > MAX_EXPONENT {
                return Err(bad(r.offset(), format!("decimal exponent {k} out of range")));
            }
            let p = 10f64.powi(i32::from(k));
            let ints: Vec<i64> = decompress(r, n)?;
            vs.extend(ints.iter().map(|&m| m as f64 / p));
            let count = r.uvarint().map_err(|e| bad(r.offset(), e))?;
            if count > n as u64 {
                return Err(bad(r.offset(), format!("{count} exceptions for {n} values")));
            }
            let mut at = 0usize;
            for i in 0..count {
                let d = r.uvarint().map_err(|e| bad(r.offset(), e))?;
                at = at.saturating_add(usize::try_from(d).unwrap_or(usize::MAX));
                if (i > 0 && d == 0) || at >= n {
                    return Err(bad(r.offset(), "exception index out of order or range"));
                }
                vs[at] = f64::from_bits(r.u64_le().map_err(|e| bad(r.offset(), e))?);
            }
        }
        other => return Err(bad(r.offset(), format!("unknown value mode {other}"))),
    }
    Ok(())
}

fn compress<T: pco::data_types::Number>(nums: &[T]) -> Result<Vec<u8>> {
    pco::standalone::simple_compress(nums, &pco::ChunkConfig::default())
        .map_err(|e| Error::Options(format!("pco compression failed: {e}")))
}

fn put_page(out: &mut Vec<u8>, page: &[u8]) {
    put_uvarint(out, page.len() as u64);
    out.extend_from_slice(page);
}

/// Reads a length-prefixed pco page holding exactly `n` numbers.
fn decompress<T: pco::data_types::Number + Default>(r: &mut Reader<'_>, n: usize) -> Result<Vec<T>> {
    let at = r.offset();
    let len = r.uvarint().map_err(|e| bad(at, e))?;
    let page = r.bytes(usize::try_from(len).unwrap_or(usize::MAX)).map_err(|e| bad(at, e))?;
    let mut dst = vec![T::default(); n];
    let progress = pco::standalone::simple_decompress_into(page, &mut dst).map_err(|e| bad(at, e))?;
    if progress.n_processed != n || !progress.finished {
        return Err(bad(at, format!("pco page holds {} numbers, expected {n}", progress.n_processed)));
    }
    Ok(dst)
}

fn bad(offset: usize, message: impl std::fmt::Display) -> Error {
    Error::corrupt(format!("segment chunk at byte {offset}"), message.to_string())
}

#[cfg(test)]
mod tests;
