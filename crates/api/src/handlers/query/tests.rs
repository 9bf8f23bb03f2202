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
    let v = vec![
        VectorSample { labels: up("a"), t: 1000, v: f64::NAN },
        VectorSample { labels: up("b"), t: 1000, v: f64::NEG_INFINITY },
    ];
    check(
        Value::Vector(v),
        0,
        r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"a"},"value":[1,"NaN"]},{"metric":{"__name__":"up","job":"b"},"value":[1,"-Inf"]}]}}"#,
    );
}

#[test]
fn matrix_and_limit_warning() {
    let m = vec![
        MatrixSeries { labels: up("a"), points: vec![(0, 1.0), (15_000, 1e-7)] },
        MatrixSeries { labels: up("b"), points: vec![(0, 2.0)] },
    ];
    check(
        Value::Matrix(m),
        1,
        r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","job":"a"},"values":[[0,"1"],[15,"1e-07"]]}]},"warnings":["results truncated due to limit"]}"#,
    );
    check(Value::Matrix(vec![]), 0, r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#);
}
