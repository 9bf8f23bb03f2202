//! The bit-level fields of Prometheus' histogram chunks (`docs/format/chunks.md`): a growing bit
//! writer, the varbit integers, the XOR float field, the one-byte zero threshold and the custom
//! bucket bounds, each with its reader over [`BitReader`].

use crate::chunk::bits::BitReader;
use crate::{Error, Result};

/// Appends bits most significant first to a byte vector that grows in small steps (thousands of
/// open chunks live at once; doubling would waste up to half of each).
#[derive(Debug, Clone, Default)]
pub struct BitWriter {
    pub(super) bytes: Vec<u8>,
    /// Unused low bits of the last byte (0 when it is full).
    free: u8,
}

impl BitWriter {
    /// A writer whose stream starts with `header` (whole bytes).
    pub fn with_header(header: &[u8]) -> Self {
        let mut bytes = Vec::with_capacity(32);
        bytes.extend_from_slice(header);
        Self { bytes, free: 0 }
    }

    fn push_byte(&mut self, b: u8) {
        if self.bytes.len() == self.bytes.capacity() {
            let step = if self.bytes.capacity() < 128 { 32 } else { 64 };
            self.bytes.reserve_exact(step);
        }
        self.bytes.push(b);
    }

    /// Writes the low `n` bits of `v` (0 ≤ n ≤ 64).
    pub fn write_bits(&mut self, v: u64, mut n: u8) {
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

    /// Heap bytes held.
    pub fn capacity(&self) -> usize {
        self.bytes.capacity()
    }
}

/// Whether `x` fits an `n`-bit varbit bucket: `-(2^(n-1) - 1) ..= 2^(n-1)`, as in Prometheus.
fn fits(x: i64, n: u8) -> bool {
    -((1i64 << (n - 1)) - 1) <= x && x <= 1i64 << (n - 1)
}

/// Payload widths after a prefix of 1..=8 one bits (a 0 bit alone is the value 0).
const WIDTHS: [u8; 8] = [3, 6, 9, 12, 18, 25, 56, 64];

/// Writes a signed varbit integer.
pub fn put_varbit_int(w: &mut BitWriter, x: i64) {
    if x == 0 {
        w.write_bits(0, 1);
        return;
    }
    for (k, &n) in WIDTHS.iter().enumerate() {
        if n == 64 || fits(x, n) {
            write_prefix(w, k);
            w.write_bits(x as u64, n);
            return;
        }
    }
}

/// Writes an unsigned varbit integer (same prefixes, no sign).
pub fn put_varbit_uint(w: &mut BitWriter, x: u64) {
    if x == 0 {
        w.write_bits(0, 1);
        return;
    }
    for (k, &n) in WIDTHS.iter().enumerate() {
        if n == 64 || x >> n == 0 {
            write_prefix(w, k);
            w.write_bits(x, n);
            return;
        }
    }
}

/// `k + 1` one bits, then a terminating zero unless the prefix is the 8-bit all-ones one.
fn write_prefix(w: &mut BitWriter, k: usize) {
    if k == 7 {
        w.write_bits(0xff, 8);
    } else {
        let ones = (k + 1) as u8;
        w.write_bits(((1u64 << ones) - 1) << 1, ones + 1);
    }
}

fn read_width(r: &mut BitReader<'_>) -> Result<u8> {
    Ok(match r.read_unary(8)? {
        0 => 0,
        k => WIDTHS[usize::from(k) - 1],
    })
}

/// Reads a signed varbit integer.
pub fn read_varbit_int(r: &mut BitReader<'_>) -> Result<i64> {
    let n = read_width(r)?;
    let mut bits = r.read_bits(n)?;
    if n > 0 && n < 64 && bits > 1 << (n - 1) {
        bits = bits.wrapping_sub(1 << n);
    }
    Ok(bits as i64)
}

/// Reads an unsigned varbit integer.
pub fn read_varbit_uint(r: &mut BitReader<'_>) -> Result<u64> {
    let n = read_width(r)?;
    r.read_bits(n)
}

/// The XOR state of one float field: the previous value's bits and the current window
/// (`leading == 0xff`: no window yet).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct XorField {
    pub(super) bits: u64,
    leading: u8,
    trailing: u8,
}

impl XorField {
    /// The state after a raw first value (writer side: no window yet).
    pub fn new(v: f64) -> Self {
        Self { bits: v.to_bits(), leading: 0xff, trailing: 0 }
    }

    /// The reader's state after a raw first value (Prometheus' readers start with a zero
    /// window, which only matters for streams that reuse a window before setting one).
    pub fn new_reading(bits: u64) -> Self {
        Self { bits, leading: 0, trailing: 0 }
    }

    /// The current value.
    pub fn value(&self) -> f64 {
        f64::from_bits(self.bits)
    }

    /// Writes `v` XORed with the previous value, as the XOR chunk writes values.
    pub fn write(&mut self, w: &mut BitWriter, v: f64) {
        let x = v.to_bits() ^ self.bits;
        self.bits = v.to_bits();
        if x == 0 {
            w.write_bits(0, 1);
            return;
        }
        let leading = (x.leading_zeros() as u8).min(31);
        let trailing = x.trailing_zeros() as u8;
        if self.leading != 0xff && leading >= self.leading && trailing >= self.trailing {
            w.write_bits(0b10, 2);
            w.write_bits(x >> self.trailing, 64 - self.leading - self.trailing);
            return;
        }
        self.leading = leading;
        self.trailing = trailing;
        let sig = 64 - leading - trailing;
        w.write_bits(0b11, 2);
        w.write_bits(u64::from(leading), 5);
        // 64 significant bits are written as 0 in the 6-bit field.
        w.write_bits(u64::from(sig & 0x3f), 6);
        w.write_bits(x >> trailing, sig);
    }

    /// Reads the next value of this field.
    pub fn read(&mut self, r: &mut BitReader<'_>) -> Result<()> {
        if r.read_bits(1)? == 0 {
            return Ok(());
        }
        if r.read_bits(1)? == 1 {
            let leading = r.read_bits(5)? as u8;
            let sig = match r.read_bits(6)? as u8 {
                0 => 64,
                s => s,
            };
            if leading + sig > 64 {
                return Err(Error::corrupt("histogram chunk", "value window wider than 64 bits"));
            }
            self.leading = leading;
            self.trailing = 64 - leading - sig;
        }
        let sig = 64u8.saturating_sub(self.leading).saturating_sub(self.trailing);
        let bits = r.read_bits(sig)?;
        self.bits ^= bits.checked_shl(u32::from(self.trailing)).unwrap_or(0);
        Ok(())
    }
}

/// Writes the zero threshold: byte 0 for 0, byte `e + 243` for a power of two `0.5 × 2^e` with
/// `-242 ≤ e ≤ 11`, otherwise byte 255 and the 64 raw bits.
pub fn put_zero_threshold(w: &mut BitWriter, zt: f64) {
    if zt == 0.0 {
        w.write_bits(0, 8);
        return;
    }
    let bits = zt.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    // A positive normal power of two has no mantissa bits; as 0.5 × 2^e its e is biased − 1022.
    let power_of_two = zt > 0.0 && biased != 0 && biased != 0x7ff && bits & ((1 << 52) - 1) == 0;
    let e = biased - 1022;
    if power_of_two && (-242..=11).contains(&e) {
        w.write_bits((e + 243) as u64, 8);
    } else {
        w.write_bits(0xff, 8);
        w.write_bits(bits, 64);
    }
}

/// Reads a zero threshold written by [`put_zero_threshold`].
pub fn read_zero_threshold(r: &mut BitReader<'_>) -> Result<f64> {
    Ok(match r.read_bits(8)? {
        0 => 0.0,
        255 => f64::from_bits(r.read_bits(64)?),
        // 0.5 × 2^(b − 243) = 2^(b − 244), a normal number for every b in 1..=254.
        b => f64::from_bits(((b as i64 - 244 + 1023) as u64) << 52),
    })
}

/// Writes a custom bucket bound: a multiple of 0.001 in `[0, 33554.43]` as the unsigned varbit
/// of `bound × 1000 + 1` (never 0), anything else as a 0 bit and the 64 raw bits.
pub fn put_custom_bound(w: &mut BitWriter, bound: f64) {
    let scaled = bound * 1000.0;
    let whole = ((scaled.round() as u64) as f64) / 1000.0 == bound;
    if !(0.0..=33_554_430.0).contains(&scaled) || !whole {
        w.write_bits(0, 1);
        w.write_bits(bound.to_bits(), 64);
    } else {
        put_varbit_uint(w, scaled.round() as u64 + 1);
    }
}

/// Reads a custom bound written by [`put_custom_bound`].
pub fn read_custom_bound(r: &mut BitReader<'_>) -> Result<f64> {
    Ok(match read_varbit_uint(r)? {
        0 => f64::from_bits(r.read_bits(64)?),
        v => (v - 1) as f64 / 1000.0,
    })
}
