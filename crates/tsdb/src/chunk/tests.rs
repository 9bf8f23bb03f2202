//! XOR chunk tests: a hand-computed byte string, round trips over generated series, edge values.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic.

use super::*;
use vigil_model::STALE_NAN;

/// Deterministic PRNG (splitmix64) so generated cases are reproducible.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Encodes `samples`, decodes them back and checks bit-exact equality; returns the bytes.
fn check(samples: &[(i64, f64)]) -> Vec<u8> {
    let mut c = XorChunk::new();
    for &(t, v) in samples {
        c.append(t, v).unwrap();
    }
    let got: Vec<(i64, u64)> =
        XorIter::new(c.bytes()).unwrap().map(|s| s.map(|(t, v)| (t, v.to_bits())).unwrap()).collect();
    let want: Vec<(i64, u64)> = samples.iter().map(|&(t, v)| (t, v.to_bits())).collect();
    assert_eq!(got, want);
    // The query path's decoder agrees, also when appending after earlier samples.
    let (mut ts, mut vs) = (Vec::new(), Vec::new());
    decode_into(c.bytes(), i64::MIN, i64::MAX, &mut ts, &mut vs).unwrap();
    let fast: Vec<(i64, u64)> = ts.iter().zip(&vs).map(|(&t, v)| (t, v.to_bits())).collect();
    assert_eq!(fast, want);
    // Re-opening the bytes and appending more must give the same bytes as appending in one go.
    if samples.len() > 1 {
        let (head, tail) = samples.split_at(samples.len() / 2);
        let mut a = XorChunk::new();
        for &(t, v) in head {
            a.append(t, v).unwrap();
        }
        let mut b = XorChunk::from_bytes(a.bytes().to_vec()).unwrap();
        for &(t, v) in tail {
            b.append(t, v).unwrap();
        }
        assert_eq!(b.bytes(), c.bytes());
    }
    c.bytes().to_vec()
}

#[test]
fn known_series_bytes() {
    // Hand-derived from the format description in docs/format/chunks.md.
    let bytes = check(&[(1000, 1.0), (2000, 2.0), (3000, 2.0)]);
    let want: &[u8] = &[
        0x00, 0x03, // samples
        0xd0, 0x0f, // varint(1000)
        0x3f, 0xf0, 0, 0, 0, 0, 0, 0, // 1.0
        0xe8, 0x07, // uvarint(1000)
        0xc2, 0x5f, 0xff, 0x00, // 11 00001 001011 11111111111 | 0 | 0 | pad
    ];
    assert_eq!(bytes, want);
}

#[test]
fn known_dod_buckets() {
    // Sample 3 has dod = +8192 (the top of the 14-bit bucket), value unchanged.
    let bytes = check(&[(0, 0.0), (10, 0.0), (8212, 0.0)]);
    // 00 03 | 00 | 64 bits 0 | 0a | '0' | '10' + 14 bits of 8192 (10 0000 0000 0000) + '0' (value)
    let want: &[u8] = &[0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a, 0b0101_0000, 0b0000_0000, 0b0000_0000];
    assert_eq!(bytes, want);
}

#[test]
fn special_values_are_bit_exact() {
    let weird_nan = f64::from_bits(0x7ff8_dead_beef_0001);
    check(&[
        (1, f64::NAN),
        (2, STALE_NAN),
        (3, f64::INFINITY),
        (4, f64::NEG_INFINITY),
        (5, -0.0),
        (6, 0.0),
        (7, weird_nan),
        (8, STALE_NAN),
        (9, f64::MIN_POSITIVE),
        (10, f64::MAX),
    ]);
}

#[test]
fn equal_or_older_timestamps_are_rejected() {
    let mut c = XorChunk::new();
    c.append(10, 1.0).unwrap();
    assert!(matches!(c.append(10, 1.0), Err(Error::ChunkOutOfOrder { t: 10, last: 10 })));
    assert!(matches!(c.append(9, 1.0), Err(Error::ChunkOutOfOrder { .. })));
    assert_eq!(c.num_samples(), 1);
    c.append(11, 2.0).unwrap();
    assert_eq!(c.num_samples(), 2);
}

#[test]
fn bucket_boundaries_and_large_deltas() {
    let mut t = -5_000_000_000i64;
    let mut s = vec![(t, 1.0)];
    let mut delta = 15_000i64;
    t += delta;
    s.push((t, 1.0));
    for dod in [0, 8192, -8191, 8193, -8192, 65536, -65535, 65537, 524288, -524287, 524289, 1 << 40, 7] {
        delta += dod;
        if delta <= 0 {
            delta = 1;
        }
        t += delta;
        s.push((t, t as f64));
    }
    check(&s);
    // Huge first timestamp and deltas near i64 limits.
    check(&[(i64::MIN + 1, 0.0), (0, 1.0), (i64::MAX - 1, 2.0), (i64::MAX, 3.0)]);
}

#[test]
fn generated_series_round_trip() {
    let mut rng = Rng::new(42);
    for case in 0..300 {
        let n = 1 + rng.below(300) as usize;
        let mut t = (rng.next() >> 20) as i64 - (1 << 42);
        let mut v = 0.0f64;
        let mut s = Vec::with_capacity(n);
        for _ in 0..n {
            t += match case % 4 {
                0 => 15_000,
                1 => 15_000 + rng.below(50) as i64 - 25,
                2 => 1 + rng.below(1 << 30) as i64,
                _ => 1 + rng.below(3) as i64,
            };
            v = match rng.below(10) {
                0 => f64::from_bits(rng.next()),
                1 => STALE_NAN,
                2 => v,
                3 => (rng.below(1000) as f64) / 7.0,
                _ => v + rng.below(100) as f64,
            };
            s.push((t, v));
        }
        check(&s);
    }
}

#[test]
fn corrupt_input_is_an_error_not_a_panic() {
    let mut c = XorChunk::new();
    for i in 0..50 {
        c.append(i * 1000, (i * i) as f64).unwrap();
    }
    let full = c.bytes().to_vec();
    for cut in 0..full.len() {
        let mut bytes = full[..cut].to_vec();
        if cut >= 2 {
            // Keep the header claiming 50 samples so truncation must be detected.
            bytes[..2].copy_from_slice(&50u16.to_be_bytes());
        }
        let res: Result<Vec<_>> = XorIter::new(&bytes).and_then(|it| it.collect());
        assert!(res.is_err() || cut < 2 && bytes.is_empty(), "cut at {cut}");
        let fast = decode_into(&bytes, i64::MIN, i64::MAX, &mut Vec::new(), &mut Vec::new());
        assert!(fast.is_err() || cut < 2 && bytes.is_empty(), "decode_into, cut at {cut}");
    }
    // Random garbage never panics.
    let mut rng = Rng::new(7);
    for _ in 0..5000 {
        let len = rng.below(700) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        if let Ok(it) = XorIter::new(&bytes) {
            let _ = it.count();
        }
        let _ = decode_into(&bytes, i64::MIN, i64::MAX, &mut Vec::new(), &mut Vec::new());
    }
}

#[test]
fn first_timestamp_and_capacity() {
    let mut c = XorChunk::new();
    assert_eq!(c.first_t(), None);
    assert_eq!(c.capacity(), 0);
    for i in 0..120 {
        c.append(1_700_000_000_000 + i * 15_000, i as f64).unwrap();
    }
    assert_eq!(c.first_t(), Some(1_700_000_000_000));
    assert!(c.capacity() - c.bytes().len() < 32);
}

#[test]
fn decode_into_keeps_the_range_and_skips_overlap() {
    let mut c = XorChunk::new();
    for i in 0..10 {
        c.append(i * 10, i as f64).unwrap();
    }
    let decode = |mint, maxt, ts: &mut Vec<i64>| {
        let mut vs = vec![0.0; ts.len()];
        decode_into(c.bytes(), mint, maxt, ts, &mut vs).unwrap();
        assert_eq!(ts.len(), vs.len());
        ts.clone()
    };
    assert_eq!(decode(25, 60, &mut Vec::new()), [30, 40, 50, 60]);
    assert_eq!(decode(0, -1, &mut Vec::new()), Vec::<i64>::new());
    // Samples at or before the last one already decoded (from an earlier chunk) are skipped.
    assert_eq!(decode(0, 30, &mut vec![15]), [15, 20, 30]);
    // A truncated chunk is an error.
    let mut bytes = c.bytes().to_vec();
    bytes.truncate(bytes.len() - 3);
    assert!(decode_into(&bytes, 0, 100, &mut Vec::new(), &mut Vec::new()).is_err());
}
