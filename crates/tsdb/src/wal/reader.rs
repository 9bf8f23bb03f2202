//! Reads one segment's records, stopping at the first torn or corrupt one.

use super::{MAX_RECORD_LEN, RECORD_HEADER_LEN, SEGMENT_HEADER_LEN, segment_header};
use crate::{Error, Result};
use std::fs::File;
use std::io::{BufReader, ErrorKind, Read};
use std::path::Path;

/// Where and why reading stopped early.
#[derive(Debug, Clone, PartialEq)]
pub struct Corruption {
    /// Byte offset of the first bad record (the segment is valid up to here).
    pub offset: u64,
    /// What is wrong.
    pub reason: String,
}

/// The result of reading a segment.
#[derive(Debug, Default)]
pub struct SegmentOutcome {
    /// Records handed to the handler.
    pub records: u64,
    /// Set when reading stopped before the end of the file.
    pub corruption: Option<Corruption>,
}

/// Calls `handle(type, payload)` for each intact record of the segment at `path`.
pub fn read_segment(path: &Path, handle: &mut impl FnMut(u8, &[u8]) -> Result<(), String>) -> Result<SegmentOutcome> {
    let file = File::open(path).map_err(|e| Error::io(format!("opening WAL segment {}", path.display()), e))?;
    let mut r = BufReader::with_capacity(1 << 20, file);
    let mut out = SegmentOutcome::default();
    let ctx = |e| Error::io(format!("reading WAL segment {}", path.display()), e);

    let mut header = [0u8; SEGMENT_HEADER_LEN as usize];
    match read_full(&mut r, &mut header).map_err(ctx)? {
        n if n == header.len() && header == segment_header() => {}
        0 => {
            out.corruption = Some(Corruption { offset: 0, reason: "empty segment file".into() });
            return Ok(out);
        }
        _ => {
            out.corruption = Some(Corruption { offset: 0, reason: "bad segment header".into() });
            return Ok(out);
        }
    }
    let mut offset = SEGMENT_HEADER_LEN;
    let mut payload = Vec::new();
    loop {
        let mut rh = [0u8; RECORD_HEADER_LEN];
        let n = read_full(&mut r, &mut rh).map_err(ctx)?;
        if n == 0 {
            return Ok(out);
        }
        let bad = |reason: String| Some(Corruption { offset, reason });
        if n < RECORD_HEADER_LEN {
            out.corruption = bad(format!("torn record header ({n} of {RECORD_HEADER_LEN} bytes)"));
            return Ok(out);
        }
        let len = u32::from_le_bytes([rh[0], rh[1], rh[2], rh[3]]);
        let crc = u32::from_le_bytes([rh[4], rh[5], rh[6], rh[7]]);
        if len == 0 || len > MAX_RECORD_LEN {
            out.corruption = bad(format!("invalid record length {len}"));
            return Ok(out);
        }
        payload.resize(len as usize, 0);
        let got = read_full(&mut r, &mut payload).map_err(ctx)?;
        if got < payload.len() {
            out.corruption = bad(format!("torn record: {got} of {len} bytes"));
            return Ok(out);
        }
        if crc32c::crc32c(&payload) != crc {
            out.corruption = bad("record checksum mismatch".into());
            return Ok(out);
        }
        if let Err(reason) = handle(payload[0], &payload[1..]) {
            out.corruption = bad(format!("record does not decode: {reason}"));
            return Ok(out);
        }
        out.records += 1;
        offset += (RECORD_HEADER_LEN + payload.len()) as u64;
    }
}

/// Reads until `buf` is full or EOF; returns the bytes read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}
