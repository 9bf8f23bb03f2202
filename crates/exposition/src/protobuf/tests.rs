//! Protobuf decoding: well-formed families, native versus classic histograms, bad bodies at their
//! offset, and mutated bodies that must never panic.

use super::wire::{self, MetricType as T};
use super::*;
use vigil_model::histogram::FloatHistogram;

fn label(name: &str, value: &str) -> wire::LabelPair {
    wire::LabelPair { name: name.into(), value: value.into() }
}

fn delimited(families: &[wire::MetricFamily]) -> Vec<u8> {
    let mut out = Vec::new();
    for f in families {
        f.encode_length_delimited(&mut out).unwrap();
    }
    out
}

fn fam(name: &str, kind: T, metric: Vec<wire::Metric>) -> wire::MetricFamily {
    wire::MetricFamily { name: name.into(), help: "h".into(), r#type: kind as i32, metric, unit: String::new() }
}

fn classic_histogram() -> wire::Histogram {
    wire::Histogram {
        sample_count: 10,
        sample_sum: 4.5,
        bucket: vec![
            wire::Bucket { cumulative_count: 3, upper_bound: 0.1, ..Default::default() },
            wire::Bucket { cumulative_count: 8, upper_bound: 1.0, ..Default::default() },
        ],
        ..Default::default()
    }
}

#[test]
fn families_decode_and_flatten_as_prometheus_stores_them() {
    let counter = wire::Metric {
        label: vec![label("code", "200")],
        counter: Some(wire::Counter { value: 42.0, ..Default::default() }),
        timestamp_ms: Some(1_700_000_000_000),
        ..Default::default()
    };
    let summary = wire::Metric {
        summary: Some(wire::Summary {
            sample_count: 5,
            sample_sum: 2.0,
            quantile: vec![wire::Quantile { quantile: 0.5, value: 0.3 }, wire::Quantile { quantile: 1.0, value: 0.9 }],
            created_timestamp: None,
        }),
        ..Default::default()
    };
    let hist = wire::Metric { histogram: Some(classic_histogram()), ..Default::default() };
    let body = delimited(&[
        fam("requests_total", T::Counter, vec![counter]),
        fam("latency", T::Summary, vec![summary]),
        fam("duration_seconds", T::Histogram, vec![hist]),
    ]);
    let families = decode(&body).unwrap();
    assert_eq!(families.len(), 3);
    assert_eq!(families[0].kind, MetricType::Counter);
    let mut flat = Vec::new();
    for f in &families {
        f.flat_samples(false, &mut flat);
    }
    let lines: Vec<String> = flat
        .iter()
        .map(|s| {
            let labels: Vec<String> = s.labels.iter().map(|(n, v)| format!("{n}={v}")).collect();
            format!("{}{{{}}} {} {:?}", s.name, labels.join(","), s.value, s.timestamp_ms)
        })
        .collect();
    assert_eq!(
        lines,
        [
            "requests_total{code=200} 42 Some(1700000000000)",
            "latency{quantile=0.5} 0.3 None",
            "latency{quantile=1.0} 0.9 None",
            "latency_sum{} 2 None",
            "latency_count{} 5 None",
            "duration_seconds_bucket{le=0.1} 3 None",
            "duration_seconds_bucket{le=1.0} 8 None",
            "duration_seconds_bucket{le=+Inf} 10 None",
            "duration_seconds_sum{} 4.5 None",
            "duration_seconds_count{} 10 None",
        ]
    );
}

#[test]
fn native_histograms_are_told_apart_from_classic_ones() {
    let mut native = classic_histogram();
    native.schema = 3;
    native.zero_threshold = 1e-128;
    native.positive_span = vec![wire::BucketSpan { offset: -2, length: 3 }];
    native.positive_delta = vec![1, 2, -1];
    let empty_native =
        wire::Histogram { positive_span: vec![wire::BucketSpan { offset: 0, length: 0 }], ..Default::default() };
    let metrics = vec![
        wire::Metric { histogram: Some(native), ..Default::default() },
        wire::Metric { histogram: Some(empty_native), ..Default::default() },
        wire::Metric { histogram: Some(classic_histogram()), ..Default::default() },
    ];
    let families = decode(&delimited(&[fam("d", T::Histogram, metrics)])).unwrap();
    let m = &families[0].metrics;
    let n = m[0].native().expect("native");
    assert_eq!(
        (n.schema, n.float, n.positive_spans.clone(), n.positive_deltas.clone()),
        (3, false, vec![(-2, 3)], vec![1, 2, -1])
    );
    assert!(m[1].native().is_some(), "a no-op span marks an empty native histogram");
    assert!(m[2].native().is_none());
    let (mut only_classic, mut both) = (Vec::new(), Vec::new());
    families[0].flat_samples(false, &mut only_classic);
    families[0].flat_samples(true, &mut both);
    assert_eq!(only_classic.len(), 5, "the classic histogram's buckets, sum and count only");
    assert_eq!(both.len(), 5 + 3 + 5, "with classic_too, the native ones' classic series as well");
}

#[test]
fn bad_bodies_are_errors_at_the_offending_message() {
    let good = delimited(&[fam("a", T::Gauge, vec![])]);
    let mut body = good.clone();
    body.extend_from_slice(&[0x05, 0x0a, 0x03]); // claims 5 bytes, has 2
    let e = decode(&body).unwrap_err();
    assert_eq!(e.position().offset, good.len(), "{e}");
    assert!(e.to_string().contains("runs past the end"), "{e}");
    // Garbage inside a message.
    let e = decode(&[0x02, 0xff, 0xff]).unwrap_err();
    assert!(e.to_string().starts_with("byte 0: invalid MetricFamily message"), "{e}");
    // A length prefix that never ends, and a huge one.
    assert!(decode(&[0xff; 11]).unwrap_err().to_string().contains("truncated message length"));
    let e = decode(&[0xff, 0xff, 0xff, 0xff, 0x7f]).unwrap_err();
    assert!(e.to_string().contains("limit"), "{e}");
    // No name, unknown type.
    assert!(decode(&delimited(&[fam("", T::Gauge, vec![])])).unwrap_err().to_string().contains("without a name"));
    let mut f = fam("x", T::Gauge, vec![]);
    f.r#type = 9;
    assert!(decode(&delimited(&[f])).unwrap_err().to_string().contains("unknown metric type 9"));
    // Invalid UTF-8 in a label value.
    let mut bytes = Vec::new();
    let m = fam("x", T::Gauge, vec![wire::Metric { label: vec![label("a", "é")], ..Default::default() }]);
    m.encode_length_delimited(&mut bytes).unwrap();
    let at = bytes.windows(2).position(|w| w == "é".as_bytes()).unwrap();
    bytes[at] = 0xff;
    assert!(decode(&bytes).is_err());
    assert!(decode(&[]).unwrap().is_empty());
}

#[test]
fn floats_are_written_like_openmetrics() {
    for (v, want) in
        [(1.0, "1.0"), (0.25, "0.25"), (1e6, "1e+06"), (123456.0, "123456.0"), (1e-5, "1e-05"), (f64::INFINITY, "+Inf")]
    {
        assert_eq!(format_float(v), want);
    }
}

#[test]
fn mutated_bodies_never_panic() {
    let mut hist = classic_histogram();
    hist.positive_span = vec![wire::BucketSpan { offset: 1, length: 2 }];
    hist.positive_delta = vec![3, -1];
    let metric = |h| wire::Metric { label: vec![label("a", "b")], histogram: Some(h), ..Default::default() };
    let good = delimited(&[
        fam("h", T::Histogram, vec![metric(hist), metric(classic_histogram())]),
        fam("c", T::Counter, vec![wire::Metric { counter: Some(wire::Counter::default()), ..Default::default() }]),
    ]);
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut ok, mut err) = (0, 0);
    for _ in 0..20_000 {
        let mut body = good.clone();
        for _ in 0..1 + next() % 4 {
            let i = (next() as usize) % body.len();
            body[i] = next() as u8;
        }
        body.truncate(body.len() - (next() as usize % 3));
        match decode(&body) {
            Ok(families) => {
                let mut flat = Vec::new();
                families.iter().for_each(|f| f.flat_samples(true, &mut flat));
                ok += 1;
            }
            Err(e) => {
                assert!(e.position().offset < body.len().max(1), "{e}");
                err += 1;
            }
        }
    }
    assert!(ok > 0 && err > 0, "{ok} decoded, {err} refused");
}

#[test]
fn encoded_families_decode_to_themselves_and_native_parts_become_model_histograms() {
    let native = wire::Metric {
        histogram: Some(wire::Histogram {
            sample_count: 6,
            sample_sum: 3.5,
            schema: 1,
            zero_threshold: 0.001,
            zero_count: 1,
            positive_span: vec![wire::BucketSpan { offset: -1, length: 2 }],
            positive_delta: vec![2, 1],
            negative_span: vec![wire::BucketSpan { offset: 0, length: 1 }],
            negative_delta: vec![0],
            bucket: vec![wire::Bucket { cumulative_count: 4, upper_bound: 1.0, ..Default::default() }],
            ..Default::default()
        }),
        ..Default::default()
    };
    let body = delimited(&[fam("rpc_seconds", T::Histogram, vec![native]), fam("up", T::Gauge, vec![])]);
    let families = decode(&body).unwrap();
    let mut again = Vec::new();
    encode(&families, &mut again);
    assert_eq!(decode(&again).unwrap(), families);
    let Value::Histogram(h) = &families[0].metrics[0].value else { panic!("not a histogram") };
    let Some(NativeSample::Int(int)) = h.native_sample(false) else { panic!("not an integer histogram") };
    assert_eq!((int.schema, int.count, int.zero_count, int.sum), (1, 6, 1, 3.5));
    assert_eq!(int.positive_buckets, vec![2, 1]);
    int.validate().unwrap();
    let float = int.to_float();
    let back = Histogram::from_float(&float);
    let mut enc = Vec::new();
    let fam = Family {
        name: "x".into(),
        help: String::new(),
        kind: MetricType::Histogram,
        unit: String::new(),
        metrics: vec![Metric { labels: vec![], timestamp_ms: Some(5), value: Value::Histogram(back) }],
    };
    encode(std::slice::from_ref(&fam), &mut enc);
    let decoded = decode(&enc).unwrap();
    let Value::Histogram(h) = &decoded[0].metrics[0].value else { panic!("not a histogram") };
    assert_eq!(
        h.native_sample(true),
        Some(NativeSample::Float(FloatHistogram {
            counter_reset_hint: vigil_model::histogram::CounterResetHint::Gauge,
            ..float
        }))
    );
}

#[test]
fn an_empty_float_histogram_stays_native_on_the_wire() {
    let empty = FloatHistogram::default();
    let h = Histogram::from_float(&empty);
    let fam = Family {
        name: "x".into(),
        help: String::new(),
        kind: MetricType::Histogram,
        unit: String::new(),
        metrics: vec![Metric { labels: vec![], timestamp_ms: None, value: Value::Histogram(h) }],
    };
    let mut enc = Vec::new();
    encode(&[fam], &mut enc);
    assert!(decode(&enc).unwrap()[0].metrics[0].native().is_some());
}
