//! The word-at-a-time bit reader against a bit-by-bit reference on random streams.
#![allow(clippy::unwrap_used)] // Tests may panic.

use super::*;
use crate::chunk::tests::Rng;

/// Reference: bit `i` of `buf`, most significant first.
fn bit(buf: &[u8], i: usize) -> u64 {
    u64::from(buf[i / 8] >> (7 - i % 8) & 1)
}

/// Reads `widths` (0..=64 for plain reads, 100+k for `read_unary(k)`) from `buf` and checks each
/// result and error against the reference.
fn check(buf: &[u8], widths: &[u8]) {
    let mut r = BitReader::new(buf);
    let mut pos = 0;
    let total = buf.len() * 8;
    for &w in widths {
        if w >= 100 {
            let max = w - 100;
            let mut ones = 0;
            while ones < max && pos + usize::from(ones) < total && bit(buf, pos + usize::from(ones)) == 1 {
                ones += 1;
            }
            let need = usize::from(ones) + usize::from(ones < max);
            if pos + need > total {
                assert!(r.read_unary(max).is_err(), "unary at {pos}");
                return;
            }
            assert_eq!(r.read_unary(max).unwrap(), ones, "unary at {pos}");
            pos += need;
        } else {
            let n = usize::from(w);
            if pos + n > total {
                assert!(r.read_bits(w).is_err(), "{w} bits at {pos}");
                return;
            }
            let want = (0..n).fold(0u64, |acc, i| acc << 1 | bit(buf, pos + i));
            assert_eq!(r.read_bits(w).unwrap(), want, "{w} bits at {pos}");
            pos += n;
        }
        assert_eq!(r.bit_pos(), pos);
    }
}

#[test]
fn matches_bit_by_bit_reference() {
    let mut rng = Rng::new(3);
    for _ in 0..2000 {
        let len = rng.below(40) as usize;
        // Mostly-ones bytes exercise long unary runs.
        let dense = rng.below(2) == 0;
        let buf: Vec<u8> = (0..len).map(|_| if dense { rng.next() as u8 | 0xee } else { rng.next() as u8 }).collect();
        let widths: Vec<u8> =
            (0..60).map(|_| if rng.below(3) == 0 { 100 + rng.below(5) as u8 } else { rng.below(65) as u8 }).collect();
        check(&buf, &widths);
    }
}

#[test]
fn edges() {
    check(&[], &[0, 1]);
    check(&[], &[104]);
    check(&[0xff], &[104, 104]);
    check(&[0xf0], &[104, 100, 3]);
    check(&[0xab; 9], &[3, 64, 5]);
    check(&[0xab; 8], &[64, 1]);
}
