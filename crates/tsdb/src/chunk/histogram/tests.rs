//! Round trips, cost and corruption of the interim float histogram chunk.

use super::*;

fn h(text: &str) -> Arc<FloatHistogram> {
    Arc::new(text.parse().unwrap())
}

#[test]
fn samples_round_trip_with_hints_from_the_header() {
    let first = h("{{schema:1 count:4 sum:3 z_bucket:1 z_bucket_w:0.01 buckets:[1 2] n_buckets:[0] n_offset:-2}}");
    let mut c = HistogramChunk::new(1_000, first.clone(), CounterResetHint::CounterReset);
    assert_eq!(c.bytes()[2], 0b1000_0000, "Prometheus' header bits for a counter reset");
    let second = h("{{schema:1 count:6 sum:5 z_bucket:1 z_bucket_w:0.01 buckets:[2 3] n_buckets:[0] n_offset:-2}}");
    assert!(c.fits(&second));
    c.append(16_000, second.clone()).unwrap();
    assert!(!c.fits(&h("{{schema:1 count:6 buckets:[2 3 1]}}")), "a new bucket changes the layout");
    assert!(c.fits(&FloatHistogram::stale()), "a stale marker always fits");
    c.append(31_000, Arc::new(FloatHistogram::stale())).unwrap();
    assert!(c.append(31_000, second.clone()).is_err(), "time must increase");
    assert_eq!((c.num_samples(), c.first_t(), c.last_t()), (3, Some(1_000), 31_000));

    let mut out = Vec::new();
    decode_histograms_into(c.bytes(), i64::MIN, i64::MAX, &mut out).unwrap();
    assert_eq!(out.iter().map(|p| p.0).collect::<Vec<_>>(), vec![1_000, 16_000, 31_000]);
    assert!(out[0].1.equals(&first) && out[1].1.equals(&second));
    assert_eq!(out[0].1.counter_reset_hint, CounterResetHint::CounterReset);
    assert_eq!(out[1].1.counter_reset_hint, CounterResetHint::NotCounterReset);
    assert!(out[2].1.is_stale());
    // Every decoded sample costs what the header-only estimate charged.
    let cost: u64 = out.iter().map(|p| p.1.sample_cost()).sum();
    assert_eq!(histogram_chunk_cost(c.bytes()), cost);
    let mut window = Vec::new();
    decode_histograms_into(c.bytes(), 2_000, 16_000, &mut window).unwrap();
    assert_eq!(window.len(), 1);
}

#[test]
fn gauge_chunks_keep_the_gauge_hint_and_custom_bounds_survive() {
    let g = h("{{schema:-53 custom_values:[1 10] count:2 sum:3 buckets:[1 1] counter_reset_hint:gauge}}");
    let mut c = HistogramChunk::new(0, g.clone(), CounterResetHint::Gauge);
    assert_eq!(c.bytes()[2], 0b1100_0000);
    c.append(1, g.clone()).unwrap();
    let mut out = Vec::new();
    decode_histograms_into(c.bytes(), 0, 10, &mut out).unwrap();
    assert!(out.iter().all(|p| p.1.counter_reset_hint == CounterResetHint::Gauge && p.1.equals(&g)));
}

#[test]
fn corrupt_chunks_are_errors() {
    let c = HistogramChunk::new(5, h("{{count:1 buckets:[1]}}"), CounterResetHint::Unknown);
    for len in 0..c.bytes().len() {
        assert!(decode_histograms_into(&c.bytes()[..len], 0, 10, &mut Vec::new()).is_err(), "cut at {len}");
    }
    let mut huge = c.bytes().to_vec();
    huge[12] = 0x7f; // The positive spans' count: header 3, schema 1, zero threshold 8 bytes.
    assert!(decode_histograms_into(&huge, 0, 10, &mut Vec::new()).is_err());
    assert_eq!(histogram_chunk_cost(&huge), 0);
}
