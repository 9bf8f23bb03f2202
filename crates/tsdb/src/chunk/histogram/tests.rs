//! Prometheus' histogram chunks: golden bytes derived by hand from `docs/format/chunks.md`,
//! the appendable rules, random round trips and corruption.

use super::varbit::{
    BitWriter, put_varbit_int, put_varbit_uint, put_zero_threshold, read_varbit_int, read_varbit_uint,
    read_zero_threshold,
};
use super::*;
use crate::chunk::bits::BitReader;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect::<Vec<_>>().join(" ")
}

fn int(text: &str) -> HistSample {
    // The notation parses float histograms; integer ones are built from their absolute counts.
    let f: FloatHistogram = text.parse().unwrap();
    HistSample::Int(Arc::new(to_int(&f)))
}

fn to_int(f: &FloatHistogram) -> Histogram {
    let d = |v: &[f64]| layout::deltas(&v.iter().map(|&x| x as i64).collect::<Vec<_>>());
    Histogram {
        counter_reset_hint: f.counter_reset_hint,
        schema: f.schema,
        zero_threshold: f.zero_threshold,
        zero_count: f.zero_count as u64,
        count: f.count as u64,
        sum: f.sum,
        positive_spans: f.positive_spans.clone(),
        negative_spans: f.negative_spans.clone(),
        positive_buckets: d(&f.positive_buckets),
        negative_buckets: d(&f.negative_buckets),
        custom_values: f.custom_values.clone(),
    }
}

fn float(text: &str) -> HistSample {
    HistSample::Float(Arc::new(text.parse().unwrap()))
}

fn decode(c: &HistogramChunk) -> Vec<(Timestamp, Arc<FloatHistogram>)> {
    let mut out = Vec::new();
    decode_histograms_into(c.encoding(), c.bytes(), i64::MIN, i64::MAX, &mut out).unwrap();
    out
}

/// Appends with the check's plan, panicking if the chunk refuses.
fn push(c: &mut HistogramChunk, t: Timestamp, h: HistSample) {
    let plan = c.check(&h).unwrap();
    c.append(t, h, plan).unwrap();
}

#[test]
fn integer_chunk_golden_bytes() {
    // Fields, by hand: zero threshold byte 0; schema 0 "0"; 1 positive span "10 001" of
    // length 2 "10 010" at offset 0 "0"; no negative spans "0"; t 0 "0"; count 2 "10 010";
    // zero count "0"; sum 1.0 in 64 bits; bucket deltas 1 "10 001" and 0 "0". Second sample:
    // t dod 15 "110 001111"; count dod 2 "10 010"; zero count dod "0"; sum 2.0 XOR 1.0 = new
    // window "11 00001 001011" + 11 ones; bucket dods 1 "10 001" and 0 "0"; zero padding.
    let mut c = HistogramChunk::new(0, int("{{count:2 sum:1 buckets:[1 1]}}"), CounterResetHint::Unknown);
    push(&mut c, 15, int("{{count:4 sum:2 buckets:[2 2]}}"));
    assert_eq!(c.encoding(), 2);
    assert_eq!(hex(c.bytes()), "00 02 00 00 46 42 43 ff 00 00 00 00 00 00 08 b1 f2 61 2f ff c4");
}

#[test]
fn float_chunk_with_custom_bounds_golden_bytes() {
    // Schema -53 "1110" + 9-bit two's complement 111001011; bounds count 2 "10 010"; bound 0.5
    // as uvarbit 501 "1110 111110101", bound 1 as 1001 "11110 001111101001"; first sample raw:
    // t "0", count 3, zero count 0, sum 2.5, buckets 1 and 2, each 64 bits. Second sample:
    // t dod 60000 "111110" + 18 bits; count 4 XOR 3 = 0x0018… "11 01011 000010 11"; zero count
    // and sum unchanged "0" "0"; bucket 1→2 "11 00001 001011" + 11 ones; bucket unchanged "0".
    let h = |c: u32, b: u32| {
        float(&format!(
            "{{{{schema:-53 custom_values:[0.5 1] count:{c} sum:2.5 buckets:[{b} 2] counter_reset_hint:gauge}}}}"
        ))
    };
    let mut c = HistogramChunk::new(0, h(3, 1), CounterResetHint::Gauge);
    push(&mut c, 60_000, h(4, 2));
    assert_eq!(c.encoding(), 3);
    assert_eq!(
        hex(c.bytes()),
        "00 02 c0 00 ee 5c 64 4b be be 3e 92 00 40 00 00 00 00 00 00 00 00 00 00 00 00 00 02 00 20 00 00 00 00 00 01 \
         ff 80 00 00 00 00 00 02 00 00 00 00 00 00 00 07 c7 53 06 b0 b3 09 7f fc"
    );
    let out = decode(&c);
    assert!(out.iter().all(|p| p.1.counter_reset_hint == CounterResetHint::Gauge));
    assert_eq!(out[1].1.custom_values, vec![0.5, 1.0]);
}

#[test]
fn stale_first_sample_golden_bytes() {
    // An emptied layout (zero threshold 0, schema "0", no spans "0" "0"), t 5 "110 000101"
    // (5 is outside the 3-bit range -3..=4), counts "0" "0", the stale NaN's 64 bits.
    let c = HistogramChunk::new(5, HistSample::Int(Arc::new(Histogram::stale())), CounterResetHint::CounterReset);
    assert_eq!(hex(c.bytes()), "00 01 80 00 18 51 ff c0 00 00 00 00 00 08");
    assert!(decode(&c)[0].1.is_stale());
}

#[test]
fn varbit_and_zero_threshold_fields() {
    let mut w = BitWriter::with_header(&[]);
    let ints =
        [0, 1, -3, 4, 5, -31, 32, 33, -255, 256, 2048, -2047, 131_072, 16_777_216, 1 << 55, i64::MIN, i64::MAX, -1];
    for &x in &ints {
        put_varbit_int(&mut w, x);
    }
    let uints = [0, 7, 8, 63, 64, 511, 4095, 262_143, 33_554_431, (1 << 56) - 1, 1 << 56, u64::MAX];
    for &x in &uints {
        put_varbit_uint(&mut w, x);
    }
    let zts = [0.0, 2f64.powi(-128), 0.001, 1024.0, 2048.0, 2f64.powi(-243), 2f64.powi(-244), f64::NAN, -1.0];
    for &z in &zts {
        put_zero_threshold(&mut w, z);
    }
    let bytes = w.bytes.clone();
    let mut r = BitReader::new(&bytes);
    for &x in &ints {
        assert_eq!(read_varbit_int(&mut r).unwrap(), x);
    }
    for &x in &uints {
        assert_eq!(read_varbit_uint(&mut r).unwrap(), x);
    }
    for &z in &zts {
        assert_eq!(read_zero_threshold(&mut r).unwrap().to_bits(), z.to_bits(), "{z}");
    }
    // The default zero threshold 2^-128 (0.5 × 2^-127) is the single byte 116.
    let mut w = BitWriter::with_header(&[]);
    put_zero_threshold(&mut w, 2f64.powi(-128));
    assert_eq!(w.bytes, vec![116]);
}

#[test]
fn new_buckets_recode_the_chunk_and_vanished_empty_buckets_are_kept() {
    let mut c = HistogramChunk::new(0, int("{{count:1 sum:1 buckets:[1]}}"), CounterResetHint::Unknown);
    push(&mut c, 1, int("{{count:3 sum:2 buckets:[1 2]}}"));
    assert_eq!(c.layout.positive, vec![Span { offset: 0, length: 2 }], "recoded to the wider layout");
    push(&mut c, 2, int("{{count:4 sum:3 offset:-1 buckets:[0 1 3]}}"));
    // Bucket -1 disappears while empty: filled in with 0, no new chunk.
    let gone = int("{{count:5 sum:4 buckets:[2 3]}}");
    assert!(matches!(c.check(&gone), Ok(Some(_))));
    push(&mut c, 3, gone);
    let out = decode(&c);
    assert_eq!(out.len(), 4);
    assert_eq!(out[0].1.positive_buckets, vec![0.0, 1.0, 0.0], "the first sample got both new buckets");
    assert_eq!(out[3].1.positive_buckets, vec![0.0, 2.0, 3.0]);
    assert!(out.iter().skip(1).all(|p| p.1.counter_reset_hint == CounterResetHint::NotCounterReset));
    // Bucket 1 (count 3) disappears: a reset.
    assert_eq!(c.check(&int("{{count:6 sum:4 buckets:[6]}}")), Err(CounterResetHint::CounterReset));
    assert_eq!(c.check(&int("{{count:4 sum:4 buckets:[1 3]}}")), Err(CounterResetHint::CounterReset), "count down");
    assert_eq!(c.check(&int("{{count:9 sum:4 buckets:[1 8]}}")), Err(CounterResetHint::CounterReset), "bucket down");
    assert_eq!(c.check(&int("{{schema:1 count:9 sum:4 buckets:[4 5]}}")), Err(CounterResetHint::Unknown));
    assert_eq!(c.check(&int("{{count:9 sum:4 z_bucket_w:0.5 buckets:[4 5]}}")), Err(CounterResetHint::Unknown));
    assert_eq!(c.check(&float("{{count:9 sum:4 buckets:[4 5]}}")), Err(CounterResetHint::Unknown), "kind switch");
    let gauge = int("{{count:1 sum:1 buckets:[1] counter_reset_hint:gauge}}");
    assert_eq!(c.check(&gauge), Err(CounterResetHint::Gauge));
    // A stale marker fits; only stale markers may follow it.
    push(&mut c, 4, HistSample::Int(Arc::new(Histogram::stale())));
    push(&mut c, 5, HistSample::Int(Arc::new(Histogram::stale())));
    assert_eq!(c.check(&int("{{count:9 sum:4 buckets:[4 5]}}")), Err(CounterResetHint::Unknown));
    assert!(decode(&c)[4..].iter().all(|p| p.1.is_stale()));
}

#[test]
fn gauge_chunks_merge_layouts_both_ways() {
    let g = |text: &str| float(&format!("{{{{{text} counter_reset_hint:gauge}}}}"));
    let mut c = HistogramChunk::new(0, g("count:5 sum:1 buckets:[5]"), CounterResetHint::Gauge);
    push(&mut c, 1, g("count:1 sum:1 offset:2 buckets:[1]"));
    push(&mut c, 2, g("count:0.5 sum:-1 n_buckets:[0.5]"));
    assert_eq!(c.check(&float("{{count:1 buckets:[1]}}")), Err(CounterResetHint::Unknown), "leaving gauge mode");
    let out = decode(&c);
    assert_eq!(out[0].1.positive_buckets, vec![5.0, 0.0]);
    assert_eq!(out[1].1.positive_buckets, vec![0.0, 1.0]);
    assert_eq!(out[2].1.negative_buckets, vec![0.5]);
    assert!(out.iter().all(|p| p.1.counter_reset_hint == CounterResetHint::Gauge));
}

#[test]
fn first_sample_hints_follow_prometheus_readers() {
    for (header, first) in [
        (CounterResetHint::Unknown, CounterResetHint::Unknown),
        (CounterResetHint::CounterReset, CounterResetHint::CounterReset),
        (CounterResetHint::NotCounterReset, CounterResetHint::Unknown),
    ] {
        let mut c = HistogramChunk::new(0, int("{{count:1 sum:1 buckets:[1]}}"), header);
        push(&mut c, 1, int("{{count:2 sum:1 buckets:[2]}}"));
        let out = decode(&c);
        assert_eq!(
            (out[0].1.counter_reset_hint, out[1].1.counter_reset_hint),
            (first, CounterResetHint::NotCounterReset)
        );
    }
}

#[test]
fn corrupt_chunks_are_errors() {
    let mut c = HistogramChunk::new(5, int("{{count:9 sum:1 buckets:[1 8]}}"), CounterResetHint::Unknown);
    push(&mut c, 9, int("{{count:10 sum:1 buckets:[1 9]}}"));
    for len in 0..c.bytes().len() - 1 {
        let r = decode_histograms_into(2, &c.bytes()[..len], 0, 10, &mut Vec::new());
        assert!(r.is_err(), "cut at {len}");
    }
    // A span count of 2^55 (prefix 11111110 and 56 bits) cannot make the reader allocate.
    let mut w = BitWriter::with_header(&[0, 1, 0]);
    put_zero_threshold(&mut w, 0.0);
    put_varbit_int(&mut w, 0);
    put_varbit_uint(&mut w, 1 << 55);
    assert!(decode_histograms_into(2, &w.bytes, 0, 10, &mut Vec::new()).is_err());
    assert_eq!(histogram_chunk_cost(2, &w.bytes), 0);
    assert!(decode_histograms_into(9, c.bytes(), 0, 10, &mut Vec::new()).is_err(), "unknown encoding");
}

#[test]
fn cost_is_what_decoding_charges() {
    let mut c =
        HistogramChunk::new(0, float("{{count:3 sum:1 buckets:[1 2] n_buckets:[0]}}"), CounterResetHint::Unknown);
    push(&mut c, 1, float("{{count:4 sum:2 buckets:[1 3] n_buckets:[0]}}"));
    let cost: u64 = decode(&c).iter().map(|p| p.1.sample_cost()).sum();
    assert_eq!(histogram_chunk_cost(3, c.bytes()), cost);
}

mod random;
