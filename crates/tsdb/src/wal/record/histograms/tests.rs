//! Round trips and corruption handling of histogram sample records.

use super::*;
use vigil_model::STALE_NAN_BITS;

fn float(text: &str) -> FloatHistogram {
    text.parse().unwrap()
}

fn int() -> Histogram {
    Histogram {
        counter_reset_hint: CounterResetHint::NotCounterReset,
        schema: 3,
        zero_threshold: 0.001,
        zero_count: 2,
        count: 9,
        sum: 12.5,
        positive_spans: vec![Span { offset: -2, length: 2 }, Span { offset: 3, length: 1 }],
        negative_spans: vec![Span { offset: 1, length: 1 }],
        positive_buckets: vec![3, -2, 1],
        negative_buckets: vec![2],
        custom_values: vec![],
    }
}

#[test]
fn integer_histograms_round_trip_with_the_samples_prefix() {
    let mut buf = Vec::new();
    let mut enc = HistogramsEncoder::default();
    assert!(enc.is_empty());
    let stale = Histogram::stale();
    enc.push_int(&mut buf, 7, 1_000, &int());
    enc.push_int(&mut buf, 5, 2_000, &stale);
    enc.push_int(&mut buf, 9, 500, &Histogram { count: u64::MAX, ..int() });
    let mut out = Vec::new();
    decode_histograms::<IntCounts>(&buf, &mut out).unwrap();
    assert_eq!(out.len(), 3);
    assert_eq!((out[0].0, out[0].1, &out[0].2), (7, 1_000, &int()));
    assert_eq!((out[1].0, out[1].1), (5, 2_000));
    assert_eq!(out[1].2.sum.to_bits(), STALE_NAN_BITS, "the stale marker survives bit for bit");
    assert_eq!((out[2].0, out[2].1, out[2].2.count), (9, 500, u64::MAX));
}

#[test]
fn float_histograms_round_trip_custom_bounds_and_hints() {
    let samples = [
        float("{{schema:-53 count:3 sum:4 custom_values:[0.5 1 2.5] buckets:[1 0 2] counter_reset_hint:reset}}"),
        float(
            "{{schema:-2 count:1.5 sum:NaN z_bucket:0.5 z_bucket_w:1e-9 buckets:[1] n_buckets:[0 0.25] n_offset:-4 counter_reset_hint:gauge}}",
        ),
        float("{{}}"),
    ];
    let mut buf = Vec::new();
    let mut enc = HistogramsEncoder::default();
    for (k, h) in samples.iter().enumerate() {
        enc.push_float(&mut buf, 1, k as i64 * 15_000, h);
    }
    let mut out = Vec::new();
    decode_histograms::<FloatCounts>(&buf, &mut out).unwrap();
    for ((_, t, got), (k, want)) in out.iter().zip(samples.iter().enumerate()) {
        assert_eq!(*t, k as i64 * 15_000);
        assert!(got.equals(want), "{got} != {want}");
        assert_eq!(got.counter_reset_hint, want.counter_reset_hint);
    }
}

#[test]
fn corrupt_payloads_are_errors_not_panics_or_allocations() {
    let mut buf = Vec::new();
    HistogramsEncoder::default().push_int(&mut buf, 1, 0, &int());
    // Every truncation inside the sample fails cleanly (the 2-byte prefix alone is an empty
    // record, which is valid).
    for len in 3..buf.len() {
        assert!(decode_histograms::<IntCounts>(&buf[..len], &mut Vec::new()).is_err(), "cut at {len}");
    }
    assert!(decode_histograms::<IntCounts>(&buf[..1], &mut Vec::new()).is_err());
    // A huge list length is refused before anything is allocated.
    let mut huge = Vec::new();
    put_uvarint(&mut huge, 1);
    put_varint(&mut huge, 0);
    put_varint(&mut huge, 0);
    put_varint(&mut huge, 0);
    huge.extend_from_slice(&[0, 0]); // hint, schema
    huge.extend_from_slice(&[0; 8]); // zero threshold
    huge.extend_from_slice(&[0, 0]); // zero count, count
    huge.extend_from_slice(&[0; 8]); // sum
    put_uvarint(&mut huge, u64::MAX >> 1);
    let err = decode_histograms::<IntCounts>(&huge, &mut Vec::new()).unwrap_err();
    assert!(err.contains("claims"), "{err}");
    // An unknown hint byte is rejected.
    let mut bad = buf.clone();
    let hint_at = 4; // base id, base t, id delta, t delta: one byte each here.
    bad[hint_at] = 9;
    let err = decode_histograms::<IntCounts>(&bad, &mut Vec::new()).unwrap_err();
    assert!(err.contains("counter reset hint 9"), "{err}");
}
