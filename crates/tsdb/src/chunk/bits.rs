//! A big-endian bit reader over a byte slice.

use crate::{Error, Result};

/// Reads bits most-significant first; reading past the end is a corruption error.
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

    /// Reads `n` bits (0 ≤ n ≤ 64) as the low bits of the result.
    #[inline]
    pub fn read_bits(&mut self, mut n: u8) -> Result<u64> {
        if self.pos + usize::from(n) > self.buf.len() * 8 {
            return Err(Error::corrupt("xor chunk", format!("bit stream ends at bit {}", self.pos)));
        }
        let mut out = 0u64;
        while n > 0 {
            let byte = self.buf[self.pos / 8];
            let avail = 8 - (self.pos % 8) as u8;
            let take = n.min(avail);
            let bits = (byte >> (avail - take)) & ((1u16 << take) - 1) as u8;
            out = (out << take) | u64::from(bits);
            self.pos += usize::from(take);
            n -= take;
        }
        Ok(out)
    }
}
