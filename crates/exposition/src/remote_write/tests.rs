//! The hand-written reader against requests that `prost` encodes, and against broken ones.

use super::prompb::{self, BucketSpan, Count, TimeSeries, ZeroCount};
use super::*;
use vigil_model::histogram::{CounterResetHint, Span};

fn label(name: &str, value: &str) -> prompb::Label {
    prompb::Label { name: name.into(), value: value.into() }
}

fn request() -> prompb::WriteRequest {
    let series = |name: &str, n: i64| TimeSeries {
        labels: vec![label("__name__", name), label("job", "api"), label("instance", "h:9100")],
        samples: (0..n)
            .map(|i| prompb::Sample { value: i as f64 * 0.5, timestamp: 1_700_000_000_000 + i * 15_000 })
            .collect(),
        exemplars: vec![prompb::Exemplar { labels: vec![label("trace_id", "abc")], value: 1.0, timestamp: 5 }],
        histograms: Vec::new(),
    };
    let int_hist = prompb::Histogram {
        count: Some(Count::CountInt(9)),
        sum: 18.5,
        schema: -1,
        zero_threshold: 0.001,
        zero_count: Some(ZeroCount::ZeroCountInt(1)),
        negative_spans: vec![BucketSpan { offset: -2, length: 1 }],
        negative_deltas: vec![2],
        positive_spans: vec![BucketSpan { offset: 0, length: 2 }, BucketSpan { offset: 3, length: 1 }],
        positive_deltas: vec![3, -1, -1],
        reset_hint: 2,
        timestamp: -5,
        ..Default::default()
    };
    let float_hist = prompb::Histogram {
        count: Some(Count::CountFloat(4.5)),
        sum: 1.25,
        schema: -53,
        positive_spans: vec![BucketSpan { offset: 0, length: 2 }],
        positive_counts: vec![1.5, 3.0],
        custom_values: vec![0.1, 1.0],
        reset_hint: 3,
        timestamp: 1_700_000_000_000,
        ..Default::default()
    };
    let mut h = series("latency", 0);
    h.histograms = vec![int_hist, float_hist];
    prompb::WriteRequest {
        timeseries: vec![series("up", 3), series("é", 1), h],
        metadata: vec![prompb::MetricMetadata {
            r#type: 1,
            metric_family_name: "up".into(),
            help: "x".into(),
            unit: String::new(),
        }],
    }
}

/// A series read back, owned: labels, samples, histograms.
type Owned = (Vec<(String, String)>, Vec<(i64, f64)>, Vec<(i64, NativeSample)>);

/// Every series of `body`, owned.
fn read_all(body: &[u8]) -> Result<Vec<Owned>> {
    let mut r = WriteRequestReader::new(body);
    let mut out = Vec::new();
    while let Some(s) = r.next_series()? {
        let labels = s.labels.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        out.push((labels, s.samples.clone(), s.histograms.clone()));
    }
    Ok(out)
}

#[test]
fn a_prost_encoded_request_reads_back_whole() {
    let req = request();
    let body = decompress(&prompb::encode_request(&req), 1 << 20).unwrap();
    let got = read_all(&body).unwrap();
    assert_eq!(got.len(), 3);
    assert_eq!(got[0].0[0], ("__name__".to_string(), "up".to_string()));
    assert_eq!(got[0].0.len(), 3);
    assert_eq!(got[0].1, vec![(1_700_000_000_000, 0.0), (1_700_000_015_000, 0.5), (1_700_000_030_000, 1.0)]);
    assert_eq!(got[1].0[0].1, "é");
    let (t, NativeSample::Int(h)) = &got[2].2[0] else { panic!("integer histogram expected: {:?}", got[2].2) };
    assert_eq!(*t, -5, "negative timestamps are two's complement varints");
    assert_eq!((h.count, h.zero_count, h.sum, h.schema, h.zero_threshold), (9, 1, 18.5, -1, 0.001));
    assert_eq!(h.positive_spans, vec![Span { offset: 0, length: 2 }, Span { offset: 3, length: 1 }]);
    assert_eq!(h.positive_buckets, vec![3, -1, -1]);
    assert_eq!(h.negative_spans, vec![Span { offset: -2, length: 1 }]);
    assert_eq!(h.negative_buckets, vec![2]);
    assert_eq!(h.counter_reset_hint, CounterResetHint::NotCounterReset);
    h.validate().unwrap();
    let (_, NativeSample::Float(f)) = &got[2].2[1] else { panic!("float histogram expected") };
    assert_eq!((f.count, f.sum, f.schema), (4.5, 1.25, -53));
    assert_eq!(f.positive_buckets, vec![1.5, 3.0]);
    assert_eq!(f.custom_values, vec![0.1, 1.0]);
    assert_eq!(f.counter_reset_hint, CounterResetHint::Gauge);
    f.validate().unwrap();
}

#[test]
fn unpacked_repeated_fields_read_like_packed_ones() {
    // Field 12 (positive_deltas, sint64) sent unpacked: key (12 << 3 | 0), zigzag(3) = 6, zigzag(-1) = 1.
    let hist = [0x08, 0x05, 0x5a, 0x04, 0x08, 0x00, 0x10, 0x02, 0x60, 0x06, 0x60, 0x01];
    let mut series = vec![0x22, hist.len() as u8];
    series.extend_from_slice(&hist);
    let mut body = vec![0x0a, series.len() as u8];
    body.extend_from_slice(&series);
    let got = read_all(&body).unwrap();
    let NativeSample::Int(h) = &got[0].2[0].1 else { panic!() };
    assert_eq!((h.count, h.positive_buckets.clone()), (5, vec![3, -1]));
}

#[test]
fn broken_requests_are_errors_that_say_where() {
    let body = decompress(&prompb::encode_request(&request()), 1 << 20).unwrap();
    // Cut inside the second series: the first is returned, then the error.
    let mut r = WriteRequestReader::new(&body[..body.len() / 2]);
    assert!(r.next_series().unwrap().is_some());
    let mut err = None;
    while err.is_none() {
        match r.next_series() {
            Ok(Some(_)) => {}
            Ok(None) => panic!("a truncated body must fail"),
            Err(e) => err = Some(e),
        }
    }
    let e = err.unwrap();
    assert!(e.to_string().contains("runs past the end"), "{e}");
    // A label value that is not UTF-8.
    let bad = [0x0a, 0x06, 0x0a, 0x04, 0x12, 0x02, 0xc3, 0x28];
    let e = read_all(&bad).unwrap_err();
    assert_eq!(e.to_string(), "byte 6: string field is not valid UTF-8");
    // A sample value with the wrong wire type.
    let bad = [0x0a, 0x04, 0x12, 0x02, 0x08, 0x01];
    assert!(read_all(&bad).unwrap_err().to_string().contains("field 1 has the wrong wire type (varint)"));
    // Groups (wire types 3 and 4) are refused.
    assert!(read_all(&[0x0b]).unwrap_err().to_string().contains("unsupported wire type 3"));
    // Snappy: garbage and a body that claims to be huge.
    assert!(decompress(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 1 << 20).is_err());
    let big = snap::raw::Encoder::new().compress_vec(&vec![0u8; 1 << 20]).unwrap();
    let e = decompress(&big, 1 << 10).unwrap_err();
    assert!(e.to_string().contains("decompresses to 1048576 bytes"), "{e}");
}

#[test]
fn mutated_requests_never_panic() {
    let body = decompress(&prompb::encode_request(&request()), 1 << 20).unwrap();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..20_000 {
        let mut b = body.clone();
        for _ in 0..1 + (x % 4) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let i = (x as usize) % b.len();
            b[i] = (x >> 32) as u8;
        }
        let _ = read_all(&b);
        let _ = read_all(&b[..(x as usize) % b.len()]);
    }
}
