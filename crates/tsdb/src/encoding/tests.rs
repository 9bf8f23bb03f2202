//! Varint round trips and error cases.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic.

use super::*;

fn check(values: &[i64]) {
    let mut buf = Vec::new();
    for &v in values {
        put_varint(&mut buf, v);
        put_uvarint(&mut buf, v as u64);
    }
    let mut r = Reader::new(&buf);
    for &v in values {
        assert_eq!(r.varint(), Ok(v));
        assert_eq!(r.uvarint(), Ok(v as u64));
    }
    assert!(r.is_empty());
}

#[test]
fn round_trips() {
    check(&[0, 1, -1, 63, -64, 64, 1000, -1000, i64::MAX, i64::MIN, 1 << 35]);
}

#[test]
fn go_compatible_bytes() {
    let mut buf = Vec::new();
    put_varint(&mut buf, 1000);
    assert_eq!(buf, [0xd0, 0x0f]);
    buf.clear();
    put_uvarint(&mut buf, 1000);
    assert_eq!(buf, [0xe8, 0x07]);
}

#[test]
fn truncated_and_overflow() {
    assert_eq!(Reader::new(&[0x80]).uvarint(), Err(DecodeError::Truncated));
    assert_eq!(Reader::new(&[0xff; 11]).uvarint(), Err(DecodeError::Overflow));
    assert_eq!(Reader::new(&[0x05, b'a']).string(), Err(DecodeError::Truncated));
}
