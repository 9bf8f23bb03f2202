//! The framing shared by the index's sections: a 4-byte big-endian length, the content, and a
//! CRC32-C of the content (`docs/format/index.md`).

use crate::encoding::{DecodeError, Reader};
use crate::{Error, Result};

/// Appends a section whose content `body` writes: reserves the length, lets `body` append, then
/// fills in the length and appends the checksum.
pub fn write_section(buf: &mut Vec<u8>, body: impl FnOnce(&mut Vec<u8>)) {
    let at = buf.len();
    buf.extend_from_slice(&[0; 4]);
    body(buf);
    let len = buf.len() - at - 4;
    let len32 = u32::try_from(len).unwrap_or(u32::MAX);
    buf[at..at + 4].copy_from_slice(&len32.to_be_bytes());
    let crc = crc32c::crc32c(&buf[at + 4..]);
    buf.extend_from_slice(&crc.to_be_bytes());
}

/// Pads `buf` with zeros to a multiple of `align` bytes.
pub fn pad_to(buf: &mut Vec<u8>, align: usize) {
    let rem = buf.len() % align;
    if rem != 0 {
        buf.resize(buf.len() + align - rem, 0);
    }
}

/// The content of the section at `offset` of `data`, checked against its length and checksum.
pub fn read_section<'a>(data: &'a [u8], offset: u64, file: &str) -> Result<&'a [u8]> {
    let at = usize::try_from(offset).map_err(|_| bad(file, offset, "offset beyond the address space"))?;
    let len = data.get(at..at.saturating_add(4)).ok_or_else(|| bad(file, offset, "section starts past the end"))?;
    let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
    let start = at + 4;
    let body =
        data.get(start..start.saturating_add(len)).ok_or_else(|| bad(file, offset, "section runs past the end"))?;
    let crc = data.get(start + len..start + len + 4).ok_or_else(|| bad(file, offset, "section checksum missing"))?;
    if crc32c::crc32c(body) != u32::from_be_bytes([crc[0], crc[1], crc[2], crc[3]]) {
        return Err(bad(file, offset, "section checksum mismatch"));
    }
    Ok(body)
}

/// Reads a big-endian u32.
pub fn be32(r: &mut Reader<'_>) -> Result<u32, DecodeError> {
    let b = r.bytes(4)?;
    Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// Reads a big-endian u64.
pub fn be64(r: &mut Reader<'_>) -> Result<u64, DecodeError> {
    let b = r.bytes(8)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(b);
    Ok(u64::from_be_bytes(a))
}

/// A corruption error at `offset` of `file`.
pub fn bad(file: &str, offset: u64, message: impl std::fmt::Display) -> Error {
    Error::corrupt(format!("{file} at byte {offset}"), message.to_string())
}
