//! The protobuf wire format, as far as Remote-Write needs it: a reader of fields over a byte
//! slice that knows its offset in the whole body, so errors can say where.

use crate::{Error, Result};

/// A field's payload by wire type.
#[derive(Debug, Clone, Copy)]
pub(super) enum Field<'a> {
    Varint(u64),
    Fixed64(u64),
    /// A 32-bit field; no field Remote-Write reads has this type, so the value is skipped.
    Fixed32,
    /// Length-delimited: a string, bytes, a sub-message or a packed repeated field.
    Bytes(Reader<'a>),
}

impl Field<'_> {
    fn wire_name(&self) -> &'static str {
        match self {
            Field::Varint(_) => "varint",
            Field::Fixed64(_) => "64-bit",
            Field::Fixed32 => "32-bit",
            Field::Bytes(_) => "length-delimited",
        }
    }
}

/// Fields of one message, read in order.
#[derive(Debug, Clone, Copy)]
pub(super) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Offset of `buf[0]` in the body.
    base: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8], base: usize) -> Self {
        Self { buf, pos: 0, base }
    }

    /// Offset of this message's first byte in the body.
    pub fn base(&self) -> usize {
        self.base
    }

    fn error(&self, at: usize, message: impl Into<String>) -> Error {
        Error::Protobuf { offset: self.base + at, message: message.into() }
    }

    /// The error for field `number` sent with the wrong wire type.
    pub fn wrong_type(&self, number: u32, f: Field<'_>) -> Error {
        self.error(self.pos, format!("field {number} has the wrong wire type ({})", f.wire_name()))
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.buf.len()
    }

    pub fn varint(&mut self) -> Result<u64> {
        let start = self.pos;
        let mut v = 0u64;
        for i in 0..10 {
            let Some(&b) = self.buf.get(self.pos) else {
                return Err(self.error(start, "truncated varint"));
            };
            self.pos += 1;
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(self.error(start, "varint longer than 10 bytes"))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let start = self.pos;
        let end = start
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| self.error(start, format!("field of {n} bytes runs past the end of its message")))?;
        self.pos = end;
        Ok(&self.buf[start..end])
    }

    pub fn fixed64(&mut self) -> Result<u64> {
        let b = self.take(8)?;
        Ok(u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
    }

    /// The next field's number and payload, or `None` at the end of the message.
    pub fn field(&mut self) -> Result<Option<(u32, Field<'a>)>> {
        if self.at_end() {
            return Ok(None);
        }
        let at = self.pos;
        let key = self.varint()?;
        let number = u32::try_from(key >> 3)
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| self.error(at, format!("invalid field number {}", key >> 3)))?;
        let field = match key & 7 {
            0 => Field::Varint(self.varint()?),
            1 => Field::Fixed64(self.fixed64()?),
            2 => {
                let len = self.varint()?;
                let len = usize::try_from(len).map_err(|_| self.error(at, "field length overflows"))?;
                let base = self.base + self.pos;
                Field::Bytes(Reader::new(self.take(len)?, base))
            }
            5 => {
                self.take(4)?;
                Field::Fixed32
            }
            t => return Err(self.error(at, format!("unsupported wire type {t} for field {number}"))),
        };
        Ok(Some((number, field)))
    }

    /// The whole message as UTF-8 text (a `string` field).
    pub fn utf8(&self) -> Result<&'a str> {
        std::str::from_utf8(self.buf).map_err(|e| self.error(e.valid_up_to(), "string field is not valid UTF-8"))
    }
}

/// Zigzag decoding of `sint32`/`sint64`.
pub(super) fn zigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Appends the values of a repeated varint field, packed or not.
pub(super) fn push_varints(r: &Reader<'_>, number: u32, f: Field<'_>, out: &mut Vec<u64>) -> Result<()> {
    match f {
        Field::Varint(v) => out.push(v),
        Field::Bytes(mut p) => {
            while !p.at_end() {
                out.push(p.varint()?);
            }
        }
        f => return Err(r.wrong_type(number, f)),
    }
    Ok(())
}

/// Appends the values of a repeated `double` field, packed or not.
pub(super) fn push_doubles(r: &Reader<'_>, number: u32, f: Field<'_>, out: &mut Vec<f64>) -> Result<()> {
    match f {
        Field::Fixed64(bits) => out.push(f64::from_bits(bits)),
        Field::Bytes(mut p) => {
            while !p.at_end() {
                out.push(f64::from_bits(p.fixed64()?));
            }
        }
        f => return Err(r.wrong_type(number, f)),
    }
    Ok(())
}
