//! The XOR (Gorilla) float chunk, bit-compatible with Prometheus' `XORChunk`, and the histogram
//! chunks (`histogram`).
//!
//! See `docs/format/chunks.md` for the layout. [`XorChunk`] is appendable in place: the head keeps
//! one per series as its open chunk. [`XorIter`] decodes any chunk's bytes, from memory or disk.

mod bits;
mod histogram;

pub use histogram::{
    ENCODING_FLOAT_HISTOGRAM, ENCODING_HISTOGRAM, ENCODING_LEGACY_FLOAT_HISTOGRAM, HistIter, HistSample,
    HistogramChunk, MAX_HISTOGRAM_CHUNK_BYTES, Plan, decode_histograms_into, histogram_chunk_cost, read_hint,
};

/// Whether `encoding` is one of the histogram chunk encodings.
pub fn is_histogram_encoding(encoding: u8) -> bool {
    matches!(encoding, ENCODING_HISTOGRAM | ENCODING_FLOAT_HISTOGRAM | ENCODING_LEGACY_FLOAT_HISTOGRAM)
}

use crate::{Error, Result};
use bits::BitReader;
use vigil_model::Timestamp;

/// Encoding byte of XOR chunks (same value as Prometheus' `EncXOR`).
pub const ENCODING_XOR: u8 = 1;

/// An appendable XOR chunk: the encoded bytes plus the encoder's state.
///
/// An empty chunk owns no heap memory. Growth is in small steps because thousands of open chunks
/// live at once and doubling would waste up to half of each.
#[derive(Debug, Clone)]
pub struct XorChunk {
    bytes: Vec<u8>,
    t: i64,
    t_delta: u64,
    v: u64,
    leading: u8,
    trailing: u8,
    /// Unused low bits of the last byte (0 when it is full).
    free: u8,
    num: u16,
}

impl Default for XorChunk {
    fn default() -> Self {
        // `leading == 0xff` means "no value window yet", as in Prometheus.
        Self { bytes: Vec::new(), t: 0, t_delta: 0, v: 0, leading: 0xff, trailing: 0, free: 0, num: 0 }
    }
}

impl XorChunk {
    /// An empty chunk.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuilds an appendable chunk from encoded bytes by decoding them once.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self> {
        let mut it = XorIter::new(&bytes)?;
        for s in it.by_ref() {
            s?;
        }
        let (t, t_delta, v, leading, trailing, bit_pos) = it.state();
        let num = it.num;
        let used = bit_pos % 8;
        let free = if used == 0 { 0 } else { (8 - used) as u8 };
        if num > 0 && bytes.len() != 2 + bit_pos.div_ceil(8) {
            return Err(Error::corrupt("xor chunk", "trailing bytes after the last sample"));
        }
        let bytes = if num == 0 { Vec::new() } else { bytes };
        Ok(Self { bytes, t, t_delta, v, leading, trailing, free, num })
    }

    /// Number of samples.
    pub fn num_samples(&self) -> u16 {
        self.num
    }

    /// Whether the chunk has no samples.
    pub fn is_empty(&self) -> bool {
        self.num == 0
    }

    /// The encoded bytes (empty for an empty chunk; otherwise header included).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Takes the encoded bytes, leaving an empty chunk.
    pub fn take_bytes(&mut self) -> Vec<u8> {
        let b = std::mem::take(&mut self.bytes);
        *self = Self::default();
        b
    }

    /// Timestamp of the last sample (meaningless when empty).
    pub fn last_t(&self) -> Timestamp {
        self.t
    }

    /// Value of the last sample (meaningless when empty).
    pub fn last_v(&self) -> f64 {
        f64::from_bits(self.v)
    }

    /// Timestamp of the first sample, decoded from the header varint.
    pub fn first_t(&self) -> Option<Timestamp> {
        first_timestamp(&self.bytes)
    }

    /// Heap bytes held.
    pub fn capacity(&self) -> usize {
        self.bytes.capacity()
    }

    /// Appends a sample. `t` must be after the last sample's timestamp.
    pub fn append(&mut self, t: Timestamp, v: f64) -> Result<()> {
        let vb = v.to_bits();
        match self.num {
            0 => {
                self.push_byte(0);
                self.push_byte(0);
                let mut tmp = [0u8; 10];
                let n = varint_bytes(&mut tmp, ((t << 1) ^ (t >> 63)) as u64);
                for &b in &tmp[..n] {
                    self.write_bits(u64::from(b), 8);
                }
                self.write_bits(vb, 64);
            }
            u16::MAX => return Err(Error::ChunkFull),
            n => {
                if t <= self.t {
                    return Err(Error::ChunkOutOfOrder { t, last: self.t });
                }
                let t_delta = t.wrapping_sub(self.t) as u64;
                if n == 1 {
                    let mut tmp = [0u8; 10];
                    let len = varint_bytes(&mut tmp, t_delta);
                    for &b in &tmp[..len] {
                        self.write_bits(u64::from(b), 8);
                    }
                } else {
                    let dod = t_delta.wrapping_sub(self.t_delta) as i64;
                    if dod == 0 {
                        self.write_bits(0, 1);
                    } else if bit_range(dod, 14) {
                        self.write_bits(0b10, 2);
                        self.write_bits(dod as u64, 14);
                    } else if bit_range(dod, 17) {
                        self.write_bits(0b110, 3);
                        self.write_bits(dod as u64, 17);
                    } else if bit_range(dod, 20) {
                        self.write_bits(0b1110, 4);
                        self.write_bits(dod as u64, 20);
                    } else {
                        self.write_bits(0b1111, 4);
                        self.write_bits(dod as u64, 64);
                    }
                }
                self.t_delta = t_delta;
                self.write_value(vb);
            }
        }
        self.t = t;
        self.v = vb;
        self.num += 1;
        self.bytes[..2].copy_from_slice(&self.num.to_be_bytes());
        Ok(())
    }

    fn write_value(&mut self, vb: u64) {
        let x = vb ^ self.v;
        if x == 0 {
            self.write_bits(0, 1);
            return;
        }
        let leading = (x.leading_zeros() as u8).min(31);
        let trailing = x.trailing_zeros() as u8;
        if self.leading != 0xff && leading >= self.leading && trailing >= self.trailing {
            // The current window still covers the changed bits.
            self.write_bits(0b10, 2);
            self.write_bits(x >> self.trailing, 64 - self.leading - self.trailing);
            return;
        }
        self.leading = leading;
        self.trailing = trailing;
        let sig = 64 - leading - trailing;
        self.write_bits(0b11, 2);
        self.write_bits(u64::from(leading), 5);
        // 64 significant bits does not fit in 6 bits; it is written as 0 (x == 0 never gets here).
        self.write_bits(u64::from(sig & 0x3f), 6);
        self.write_bits(x >> trailing, sig);
    }

    #[inline]
    fn push_byte(&mut self, b: u8) {
        if self.bytes.len() == self.bytes.capacity() {
            let step = if self.bytes.capacity() < 32 { 16 } else { 32 };
            self.bytes.reserve_exact(step);
        }
        self.bytes.push(b);
    }

    /// Writes the low `n` bits of `v` (1 ≤ n ≤ 64), most significant first.
    #[inline]
    fn write_bits(&mut self, v: u64, mut n: u8) {
        while n > 0 {
            if self.free == 0 {
                self.push_byte(0);
                self.free = 8;
            }
            let take = n.min(self.free);
            let bits = ((v >> (n - take)) & ((1u64 << take) - 1)) as u8;
            if let Some(last) = self.bytes.last_mut() {
                *last |= bits << (self.free - take);
            }
            self.free -= take;
            n -= take;
        }
    }
}

/// Whether `x` fits the `nbits` delta-of-delta bucket (asymmetric, as in Prometheus).
#[inline]
fn bit_range(x: i64, nbits: u8) -> bool {
    -((1i64 << (nbits - 1)) - 1) <= x && x <= 1i64 << (nbits - 1)
}

fn varint_bytes(buf: &mut [u8; 10], mut x: u64) -> usize {
    let mut i = 0;
    while x >= 0x80 {
        buf[i] = (x as u8) | 0x80;
        x >>= 7;
        i += 1;
    }
    buf[i] = x as u8;
    i + 1
}

/// The first timestamp of an encoded chunk, if it has one.
pub fn first_timestamp(bytes: &[u8]) -> Option<Timestamp> {
    if bytes.len() < 3 || bytes[..2] == [0, 0] {
        return None;
    }
    crate::encoding::Reader::new(&bytes[2..]).varint().ok()
}

/// Decodes an XOR chunk's samples in order. Yields an error (then stops) on corrupt data.
#[derive(Debug)]
pub struct XorIter<'a> {
    r: BitReader<'a>,
    num: u16,
    read: u16,
    t: i64,
    t_delta: u64,
    v: u64,
    leading: u8,
    trailing: u8,
    failed: bool,
}

impl<'a> XorIter<'a> {
    /// An iterator over `bytes` (an empty slice is an empty chunk).
    pub fn new(bytes: &'a [u8]) -> Result<Self> {
        let (num, stream) = match bytes {
            [] => (0, &[][..]),
            [a, b, rest @ ..] => (u16::from_be_bytes([*a, *b]), rest),
            _ => return Err(Error::corrupt("xor chunk", "shorter than its 2-byte header")),
        };
        Ok(Self {
            r: BitReader::new(stream),
            num,
            read: 0,
            t: 0,
            t_delta: 0,
            v: 0,
            leading: 0xff,
            trailing: 0,
            failed: false,
        })
    }

    /// Number of samples the header announces.
    pub fn len_hint(&self) -> u16 {
        self.num
    }

    fn state(&self) -> (i64, u64, u64, u8, u8, usize) {
        (self.t, self.t_delta, self.v, self.leading, self.trailing, self.r.bit_pos())
    }

    fn read_varint_bytes(&mut self) -> Result<u64> {
        let mut x = 0u64;
        let mut shift = 0;
        for _ in 0..10 {
            let b = self.r.read_bits(8)?;
            if b < 0x80 {
                return Ok(x | (b << shift));
            }
            x |= (b & 0x7f) << shift;
            shift += 7;
        }
        Err(Error::corrupt("xor chunk", "varint overflows 64 bits"))
    }

    fn next_sample(&mut self) -> Result<(i64, f64)> {
        match self.read {
            0 => {
                let ux = self.read_varint_bytes()?;
                self.t = ((ux >> 1) as i64) ^ -((ux & 1) as i64);
                self.v = self.r.read_bits(64)?;
            }
            1 => {
                self.t_delta = self.read_varint_bytes()?;
                self.t = self.t.wrapping_add(self.t_delta as i64);
                self.read_value()?;
            }
            _ => {
                let size = match self.r.read_unary(4)? {
                    0 => 0,
                    1 => 14,
                    2 => 17,
                    3 => 20,
                    _ => 64,
                };
                let dod = if size == 0 {
                    0
                } else {
                    let mut bits = self.r.read_bits(size)?;
                    if size < 64 && bits > (1 << (size - 1)) {
                        bits = bits.wrapping_sub(1 << size);
                    }
                    bits as i64
                };
                self.t_delta = self.t_delta.wrapping_add(dod as u64);
                self.t = self.t.wrapping_add(self.t_delta as i64);
                self.read_value()?;
            }
        }
        self.read += 1;
        Ok((self.t, f64::from_bits(self.v)))
    }

    fn read_value(&mut self) -> Result<()> {
        if self.r.read_bits(1)? == 0 {
            return Ok(());
        }
        if self.r.read_bits(1)? == 1 {
            let leading = self.r.read_bits(5)? as u8;
            let mut sig = self.r.read_bits(6)? as u8;
            if sig == 0 {
                sig = 64;
            }
            if u32::from(leading) + u32::from(sig) > 64 {
                return Err(Error::corrupt("xor chunk", "value window wider than 64 bits"));
            }
            self.leading = leading;
            self.trailing = 64 - leading - sig;
        } else if self.leading == 0xff {
            return Err(Error::corrupt("xor chunk", "value reuses a window before one was set"));
        }
        let sig = 64 - self.leading - self.trailing;
        let bits = self.r.read_bits(sig)?;
        self.v ^= bits << self.trailing;
        Ok(())
    }
}

/// Decodes the samples of chunk `bytes` with `mint <= t <= maxt` and `t` after the last
/// timestamp already in `ts` onto the ends of `ts` and `vs`. Stops at the first sample after
/// `maxt`. This is the query path: one tight loop over a zero-padded copy of the stream, with
/// the bounds checked once per sample instead of once per field.
pub fn decode_into(
    bytes: &[u8],
    mint: Timestamp,
    maxt: Timestamp,
    ts: &mut Vec<Timestamp>,
    vs: &mut Vec<f64>,
) -> Result<()> {
    let (num, stream) = match bytes {
        [] => return Ok(()),
        [a, b, rest @ ..] => (u16::from_be_bytes([*a, *b]), rest),
        _ => return Err(Error::corrupt("xor chunk", "shorter than its 2-byte header")),
    };
    let n = usize::from(num);
    if n == 0 {
        return Ok(());
    }
    // One sample reads at most 4 + 64 + 2 + 5 + 6 + 64 bits (< 19 bytes) past a valid position,
    // and a peek loads 9 bytes from there.
    const PAD: usize = 32;
    let mut stack = [0u8; 1024];
    let heap;
    let padded: &[u8] = if stream.len() + PAD <= stack.len() {
        stack[..stream.len()].copy_from_slice(stream);
        &stack[..stream.len() + PAD]
    } else {
        let mut v = Vec::with_capacity(stream.len() + PAD);
        v.extend_from_slice(stream);
        v.resize(stream.len() + PAD, 0);
        heap = v;
        &heap
    };
    // The outputs are grown once and written by index (no capacity check per sample), then cut
    // to what was kept.
    let base = ts.len();
    let mut last = ts.last().copied().unwrap_or(Timestamp::MIN);
    ts.resize(base + n, 0);
    vs.resize(base + n, 0.0);
    let mut kept = base;
    let result = decode_stream(padded, stream.len() * 8, n, |t, v| {
        if t > maxt {
            return false;
        }
        if t >= mint && t > last {
            ts[kept] = t;
            vs[kept] = f64::from_bits(v);
            kept += 1;
            last = t;
        }
        true
    });
    ts.truncate(kept);
    vs.truncate(kept);
    result
}

/// Decodes `n` samples from the zero-padded bit stream `padded` (`end_bits` of them real),
/// handing each `(t, value bits)` to `emit` until it returns false.
#[inline(always)]
fn decode_stream(padded: &[u8], end_bits: usize, n: usize, mut emit: impl FnMut(i64, u64) -> bool) -> Result<()> {
    let truncated = |pos: usize| Error::corrupt("xor chunk", format!("bit stream ends at bit {pos}"));
    let overflow = || Error::corrupt("xor chunk", "varint overflows 64 bits");
    let mut r = PaddedBits { buf: padded, pos: 0 };
    let ux = r.varint().ok_or_else(overflow)?;
    let mut t = ((ux >> 1) as i64) ^ -((ux & 1) as i64);
    let mut v = r.read(64);
    if r.pos > end_bits {
        return Err(truncated(end_bits));
    }
    if !emit(t, v) || n == 1 {
        return Ok(());
    }
    let (mut leading, mut trailing) = (0xffu32, 0u32);
    let mut t_delta = r.varint().ok_or_else(overflow)?;
    for i in 1..n {
        if i > 1 {
            // Delta of delta: `0` (unchanged) is by far the most common case.
            let x = r.peek();
            if x >> 63 == 0 {
                r.pos += 1;
            } else {
                let ones = x.leading_ones().min(4);
                r.pos += ones as usize + usize::from(ones < 4);
                let size = [0, 14, 17, 20, 64][ones as usize];
                let mut dod = r.read(size);
                if size < 64 && dod > 1 << (size - 1) {
                    dod = dod.wrapping_sub(1 << size);
                }
                t_delta = t_delta.wrapping_add(dod);
            }
        }
        t = t.wrapping_add(t_delta as i64);
        let x = r.peek();
        match x >> 62 {
            0 | 1 => r.pos += 1, // Value unchanged.
            2 => {
                if leading == 0xff {
                    return Err(Error::corrupt("xor chunk", "value reuses a window before one was set"));
                }
                let sig = 64 - leading - trailing;
                if sig <= 62 {
                    r.pos += 2 + sig as usize;
                    v ^= (x << 2) >> (64 - sig) << trailing;
                } else {
                    r.pos += 2;
                    v ^= r.read(sig) << trailing;
                }
            }
            _ => {
                r.pos += 2;
                let lead = r.read(5) as u32;
                let sig = match r.read(6) as u32 {
                    0 => 64,
                    s => s,
                };
                if lead + sig > 64 {
                    return Err(Error::corrupt("xor chunk", "value window wider than 64 bits"));
                }
                leading = lead;
                trailing = 64 - lead - sig;
                v ^= r.read(sig) << trailing;
            }
        }
        if r.pos > end_bits {
            return Err(truncated(end_bits));
        }
        if !emit(t, v) {
            break;
        }
    }
    Ok(())
}

/// Bit reads over a stream followed by enough zero bytes that no read within one sample can run
/// off the end; the caller compares `pos` with the real length after each sample.
struct PaddedBits<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl PaddedBits<'_> {
    /// The next 64 bits, not consumed (zeros past the padding).
    #[inline(always)]
    fn peek(&self) -> u64 {
        let i = self.pos >> 3;
        let off = (self.pos & 7) as u32;
        match self.buf.get(i..i + 9) {
            Some(b) => {
                let w = u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
                // The ninth byte supplies the low `off` bits (none when `off` is 0).
                w << off | u64::from(b[8]) >> (8 - off)
            }
            None => 0,
        }
    }

    /// Reads `n` bits (0 ≤ n ≤ 64).
    #[inline(always)]
    fn read(&mut self, n: u32) -> u64 {
        if n == 0 {
            return 0;
        }
        let v = self.peek() >> (64 - n);
        self.pos += n as usize;
        v
    }

    /// A Go varint written as 8-bit groups; `None` if longer than 10 bytes.
    fn varint(&mut self) -> Option<u64> {
        let mut x = 0u64;
        for k in 0..10 {
            let b = self.read(8);
            if b < 0x80 {
                return Some(x | b << (7 * k));
            }
            x |= (b & 0x7f) << (7 * k);
        }
        None
    }
}

impl Iterator for XorIter<'_> {
    type Item = Result<(Timestamp, f64)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.read >= self.num {
            return None;
        }
        let r = self.next_sample();
        if r.is_err() {
            self.failed = true;
        }
        Some(r)
    }
}

#[cfg(test)]
mod tests;
