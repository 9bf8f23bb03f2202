//! Result encoding for each result type (independent of the engine).

use super::*;
use vigil_model::Labels;
use vigil_promql::{MatrixSeries, VectorSample};

fn check(value: Value, limit: usize, want: &str) {
    let got = encode_result(
        QueryResult { value, warnings: vec![], infos: vec![], stats: Default::default() },
        limit,
        StatsParam::None,
    );
    assert_eq!(got, want);
}

fn up(job: &str) -> Labels {
    Labels::from_pairs(&[("__name__", "up"), ("job", job)])
}

#[test]
fn scalar_and_string() {
    check(
        Value::Scalar(1_500_010, 1e21),
        0,
        r#"{"status":"success","data":{"resultType":"scalar","result":[1500.01,"1000000000000000000000"]}}"#,
    );
    check(
        Value::String(2000, "a".into()),
        0,
        r#"{"status":"success","data":{"resultType":"string","result":[2,"a"]}}"#,
    );
}

#[test]
fn vector_with_special_values() {
    let v = vec![VectorSample::float(up("a"), 1000, f64::NAN), VectorSample::float(up("b"), 1000, f64::NEG_INFINITY)];
    check(
        Value::Vector(v),
        0,
        r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"a"},"value":[1,"NaN"]},{"metric":{"__name__":"up","job":"b"},"value":[1,"-Inf"]}]}}"#,
    );
}

#[test]
fn matrix_and_limit_warning() {
    let m = vec![
        MatrixSeries::floats(up("a"), vec![(0, 1.0), (15_000, 1e-7)]),
        MatrixSeries::floats(up("b"), vec![(0, 2.0)]),
    ];
    check(
        Value::Matrix(m),
        1,
        r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","job":"a"},"values":[[0,"1"],[15,"1e-07"]]}]},"warnings":["results truncated due to limit"]}"#,
    );
    check(Value::Matrix(vec![]), 0, r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#);
}

/// A histogram with a zero bucket and two positive buckets of schema 0, one of them empty.
fn histogram() -> std::sync::Arc<vigil_model::FloatHistogram> {
    let h: vigil_model::FloatHistogram =
        "{{count:3 sum:5 z_bucket:1 z_bucket_w:0.001 buckets:[1 0 1] n_buckets:[0]}}".parse().unwrap();
    std::sync::Arc::new(h)
}

#[test]
fn histograms_are_encoded_as_prometheus_does() {
    let v = vec![VectorSample { labels: up("a"), t: 1500, v: 0.0, h: Some(histogram()) }];
    check(
        Value::Vector(v),
        0,
        r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"a"},"histogram":[1.500,{"count":"3","sum":"5","buckets":[[3,"-0.001","0.001","1"],[0,"0.5","1","1"],[0,"2","4","1"]]}]}]}}"#,
    );
    let m = vec![
        MatrixSeries { labels: up("a"), points: vec![], histograms: vec![(0, histogram())] },
        MatrixSeries { labels: up("b"), points: vec![(0, 1.0)], histograms: vec![(15_000, histogram())] },
    ];
    check(
        Value::Matrix(m),
        0,
        r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","job":"a"},"histograms":[[0,{"count":"3","sum":"5","buckets":[[3,"-0.001","0.001","1"],[0,"0.5","1","1"],[0,"2","4","1"]]}]]},{"metric":{"__name__":"up","job":"b"},"values":[[0,"1"]],"histograms":[[15,{"count":"3","sum":"5","buckets":[[3,"-0.001","0.001","1"],[0,"0.5","1","1"],[0,"2","4","1"]]}]]}]}}"#,
    );
    let empty: vigil_model::FloatHistogram = "{{count:0 sum:0}}".parse().unwrap();
    let mut out = String::new();
    crate::json::push_histogram(&mut out, &empty);
    assert_eq!(out, r#"{"count":"0","sum":"0"}"#);
}
