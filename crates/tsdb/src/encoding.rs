//! Varints and a bounds-checked byte reader shared by the WAL and chunk formats.
//!
//! Varints follow Go's `encoding/binary` (`PutUvarint`, `PutVarint` with zig-zag), because the XOR
//! chunk format is defined in those terms.

/// Appends `x` as an unsigned LEB128 varint.
#[inline]
pub fn put_uvarint(buf: &mut Vec<u8>, mut x: u64) {
    while x >= 0x80 {
        buf.push((x as u8) | 0x80);
        x >>= 7;
    }
    buf.push(x as u8);
}

/// Appends `x` zig-zag encoded as a varint.
#[inline]
pub fn put_varint(buf: &mut Vec<u8>, x: i64) {
    put_uvarint(buf, ((x << 1) ^ (x >> 63)) as u64);
}

/// Why a read failed; callers add the location.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// The input ended in the middle of a value.
    Truncated,
    /// A varint is longer than 10 bytes or overflows 64 bits.
    Overflow,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Truncated => f.write_str("unexpected end of data"),
            DecodeError::Overflow => f.write_str("varint overflows 64 bits"),
        }
    }
}

/// Reads values from a byte slice, tracking the offset for error messages.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Bytes consumed so far.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// Whether everything was consumed.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    /// Bytes not consumed yet.
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// Reads an unsigned varint.
    pub fn uvarint(&mut self) -> Result<u64, DecodeError> {
        let mut x: u64 = 0;
        let mut shift = 0u32;
        for i in 0..10 {
            let b = *self.buf.get(self.pos).ok_or(DecodeError::Truncated)?;
            self.pos += 1;
            if b < 0x80 {
                if i == 9 && b > 1 {
                    return Err(DecodeError::Overflow);
                }
                return Ok(x | (u64::from(b) << shift));
            }
            x |= u64::from(b & 0x7f) << shift;
            shift += 7;
        }
        Err(DecodeError::Overflow)
    }

    /// Reads a zig-zag varint.
    pub fn varint(&mut self) -> Result<i64, DecodeError> {
        let ux = self.uvarint()?;
        Ok(((ux >> 1) as i64) ^ -((ux & 1) as i64))
    }

    /// Reads `n` raw bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).ok_or(DecodeError::Truncated)?;
        let s = self.buf.get(self.pos..end).ok_or(DecodeError::Truncated)?;
        self.pos = end;
        Ok(s)
    }

    /// Reads one byte.
    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.bytes(1)?[0])
    }

    /// Reads a little-endian u64.
    pub fn u64_le(&mut self) -> Result<u64, DecodeError> {
        let b = self.bytes(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    /// Reads a length-prefixed UTF-8 string.
    pub fn string(&mut self) -> Result<&'a str, DecodeError> {
        let n = self.uvarint()?;
        let n = usize::try_from(n).map_err(|_| DecodeError::Truncated)?;
        let b = self.bytes(n)?;
        // Invalid UTF-8 can only come from corruption that slipped past the CRC; treat it alike.
        std::str::from_utf8(b).map_err(|_| DecodeError::Truncated)
    }
}

#[cfg(test)]
mod tests;
