//! A big-endian bit reader over a byte slice.

use crate::{Error, Result};

/// Reads bits most-significant first; reading past the end is a corruption error.
///
/// Each read loads the 8 (or 9) bytes around the position at once instead of looping per byte:
/// decoding is the inner loop of every query.
#[derive(Debug)]
pub struct BitReader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> BitReader<'a> {
    /// A reader at bit 0 of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Bits consumed so far.
    pub fn bit_pos(&self) -> usize {
        self.pos
    }

    /// The big-endian 64-bit word starting at byte `i`, zero-padded past the end.
    #[inline]
    fn word_at(&self, i: usize) -> u64 {
        match self.buf.get(i..i + 8) {
            Some(b) => {
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                u64::from_be_bytes(a)
            }
            None => {
                let mut a = [0u8; 8];
                let rest = self.buf.get(i..).unwrap_or(&[]);
                a[..rest.len()].copy_from_slice(rest);
                u64::from_be_bytes(a)
            }
        }
    }

    /// The next `n` bits (1 ≤ n ≤ 64) without consuming them; the caller checked the length.
    #[inline]
    fn peek_unchecked(&self, n: u8) -> u64 {
        let (byte, off) = (self.pos >> 3, (self.pos & 7) as u32);
        let mut w = self.word_at(byte) << off;
        if off + u32::from(n) > 64 {
            w |= u64::from(self.buf.get(byte + 8).copied().unwrap_or(0)) >> (8 - off);
        }
        w >> (64 - u32::from(n))
    }

    /// Bits left to read.
    #[inline]
    fn remaining(&self) -> usize {
        self.buf.len() * 8 - self.pos
    }

    /// Reads `n` bits (0 ≤ n ≤ 64) as the low bits of the result.
    #[inline]
    pub fn read_bits(&mut self, n: u8) -> Result<u64> {
        if usize::from(n) > self.remaining() {
            return Err(Error::corrupt("xor chunk", format!("bit stream ends at bit {}", self.pos)));
        }
        if n == 0 {
            return Ok(0);
        }
        let v = self.peek_unchecked(n);
        self.pos += usize::from(n);
        Ok(v)
    }

    /// Reads a run of up to `max` one bits ended by a zero bit (the zero is consumed; a run of
    /// `max` ones is not followed by one). Returns the number of ones.
    #[inline]
    pub fn read_unary(&mut self, max: u8) -> Result<u8> {
        if max == 0 {
            return Ok(0);
        }
        let avail = self.remaining().min(usize::from(max) + 1) as u8;
        if avail == 0 {
            return Err(Error::corrupt("xor chunk", format!("bit stream ends at bit {}", self.pos)));
        }
        let bits = self.peek_unchecked(avail) << (64 - u32::from(avail));
        let ones = (bits.leading_ones() as u8).min(max);
        if ones < max {
            if ones >= avail {
                return Err(Error::corrupt("xor chunk", format!("bit stream ends at bit {}", self.pos)));
            }
            self.pos += usize::from(ones) + 1;
        } else {
            self.pos += usize::from(max);
        }
        Ok(ones)
    }

    /// Bits left to read (for bounding list lengths read from untrusted bytes).
    pub fn remaining_bits(&self) -> usize {
        self.remaining()
    }
}

#[cfg(test)]
mod tests;
