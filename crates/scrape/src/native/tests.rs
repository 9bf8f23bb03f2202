//! Schema caps and bucket limits, with Prometheus' `pickSchema` values.

use super::*;
use vigil_model::histogram::{FloatHistogram, Histogram, Span};

#[test]
fn pick_schema_matches_prometheus() {
    for (factor, want) in
        [(0.0, 8), (1.0, 8), (1.0001, 8), (1.003, 7), (1.1, 2), (1.5, 0), (2.0, 0), (4.0, -1), (1e6, -4)]
    {
        assert_eq!(pick_schema(factor), want, "factor {factor}");
    }
}

fn wide(schema: i32, n: u32) -> Histogram {
    Histogram {
        schema,
        count: u64::from(n),
        sum: 1.0,
        positive_spans: vec![Span { offset: 0, length: n }],
        positive_buckets: (0..n).map(|i| i64::from(i == 0)).collect(),
        ..Histogram::default()
    }
}

#[test]
fn bucket_limit_lowers_the_schema_until_the_buckets_fit() {
    // 16 buckets at schema 3 → 8 at 2 → 4 at 1 (each step halves the span, give or take one).
    let out = limit(NativeSample::Int(wide(3, 16)), 8, 5).unwrap();
    let NativeSample::Int(h) = out else { panic!("stays integer") };
    assert!(h.schema < 3 && h.positive_buckets.len() <= 5, "{h:?}");
    assert_eq!(h.to_float().count, 16.0);
    h.validate().unwrap();
}

#[test]
fn impossible_limits_and_custom_buckets_fail() {
    let err = limit(NativeSample::Int(wide(-4, 3)), 8, 2).unwrap_err();
    assert_eq!(err.to_string(), "histogram bucket limit exceeded");
    let custom = FloatHistogram {
        schema: vigil_model::histogram::CUSTOM_BUCKETS_SCHEMA,
        count: 3.0,
        positive_spans: vec![Span { offset: 0, length: 3 }],
        positive_buckets: vec![1.0, 1.0, 1.0],
        custom_values: vec![1.0, 2.0],
        ..FloatHistogram::default()
    };
    assert!(limit(NativeSample::Float(custom.clone()), 8, 2).is_err());
    assert!(limit(NativeSample::Float(custom), 8, 3).is_ok());
}

#[test]
fn min_bucket_factor_caps_the_schema() {
    let NativeSample::Int(h) = limit(NativeSample::Int(wide(5, 8)), pick_schema(1.1), 0).unwrap() else {
        panic!("stays integer")
    };
    assert_eq!(h.schema, 2);
}
