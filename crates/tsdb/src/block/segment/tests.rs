//! Property-style round trips over generated series (values of every kind, timestamps regular,
//! jittered and with gaps) and hostile bytes.

use super::*;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

const STALE_NAN: u64 = 0x7FF0_0000_0000_0002;

fn round_trip(ts: &[i64], vs: &[f64]) -> usize {
    let data = encode_segment(ts, vs).unwrap();
    let (mut t2, mut v2) = (Vec::new(), Vec::new());
    decode_segment_into(&data, &mut t2, &mut v2).unwrap();
    assert_eq!(t2, ts);
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&v2), bits(vs));
    data.len()
}

fn timestamps(rng: &mut SmallRng, n: usize, kind: u32) -> Vec<i64> {
    let mut t = 1_733_000_000_000i64 + rng.random_range(0..15_000);
    (0..n)
        .map(|_| {
            t += match kind {
                0 => 15_000,
                1 => 15_000 + rng.random_range(-20..=20),
                2 if rng.random_bool(0.02) => 15_000 * rng.random_range(2..40),
                2 => 15_000,
                _ => rng.random_range(1..100_000),
            };
            t
        })
        .collect()
}

fn values(rng: &mut SmallRng, n: usize, kind: u32) -> Vec<f64> {
    let mut acc = 0.0f64;
    (0..n)
        .map(|i| match kind {
            0 => {
                acc += rng.random_range(0..50) as f64;
                acc
            }
            1 => (rng.random_range(0..10_000) as f64) / 100.0,
            2 => {
                acc += rng.random::<f64>() - 0.5;
                acc
            }
            3 => match i % 7 {
                0 => f64::from_bits(STALE_NAN),
                1 => f64::INFINITY,
                2 => f64::NEG_INFINITY,
                3 => -0.0,
                4 => f64::NAN,
                _ => i as f64,
            },
            4 => f64::from_bits(rng.random::<u64>()),
            _ => 42.5,
        })
        .collect()
}

#[test]
fn every_kind_of_series_round_trips_bit_for_bit() {
    let mut rng = SmallRng::seed_from_u64(7);
    for n in [1, 2, 3, 119, 120, 1_000, 5_760] {
        for tk in 0..4 {
            for vk in 0..6 {
                let ts = timestamps(&mut rng, n, tk);
                let vs = values(&mut rng, n, vk);
                round_trip(&ts, &vs);
            }
        }
    }
}

#[test]
fn regular_counters_take_a_fraction_of_a_byte_per_sample() {
    let mut rng = SmallRng::seed_from_u64(1);
    let n = 5_760; // 24 h at 15 s
    let ts = timestamps(&mut rng, n, 0);
    let vs = values(&mut rng, n, 0);
    let bytes = round_trip(&ts, &vs);
    assert!((bytes as f64 / n as f64) < 1.0, "{bytes} bytes for {n} counter samples");
    let constant = round_trip(&ts, &vec![1.0; n]);
    assert!(constant < 40, "{constant} bytes for a constant series");
}

#[test]
fn hostile_segments_are_errors_not_panics() {
    let mut rng = SmallRng::seed_from_u64(3);
    let ts = timestamps(&mut rng, 300, 1);
    let vs = values(&mut rng, 300, 1);
    let good = encode_segment(&ts, &vs).unwrap();
    let (mut t, mut v) = (Vec::new(), Vec::new());
    for at in 0..good.len() {
        for flip in [0x01u8, 0x80, 0xFF] {
            let mut bad = good.clone();
            bad[at] ^= flip;
            let _ = decode_segment_into(&bad, &mut t, &mut v);
        }
    }
    for len in 0..good.len() {
        assert!(decode_segment_into(&good[..len], &mut t, &mut v).is_err());
    }
    // A huge claimed count is refused before anything is allocated.
    let mut huge = Vec::new();
    put_uvarint(&mut huge, u64::MAX);
    assert!(decode_segment_into(&huge, &mut t, &mut v).is_err());
    assert!(encode_segment(&[2, 1], &[0.0, 0.0]).is_err());
    assert!(encode_segment(&[], &[]).is_err());
}
