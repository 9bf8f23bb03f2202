//! The receiver's decoding, refusals and header checks, through [`ingest::run`] on a storage
//! that refuses what the TSDB refuses.

use super::*;
use crate::handlers::strict_storage::Strict;
use crate::state::RemoteWriteOptions;
use axum::http::HeaderValue;
use vigil_exposition::remote_write::prompb::{self, Count, TimeSeries, encode_request};
use vigil_model::Matcher;
use vigil_storage::{Queryable, SelectHints};

fn opts() -> RemoteWriteOptions {
    RemoteWriteOptions { enabled: true, batch_samples: 3, ..RemoteWriteOptions::default() }
}

fn series(labels: &[(&str, &str)], samples: &[(i64, f64)]) -> TimeSeries {
    TimeSeries {
        labels: labels.iter().map(|(n, v)| prompb::Label { name: (*n).into(), value: (*v).into() }).collect(),
        samples: samples.iter().map(|&(timestamp, value)| prompb::Sample { value, timestamp }).collect(),
        ..Default::default()
    }
}

fn body(ts: Vec<TimeSeries>) -> Vec<u8> {
    encode_request(&prompb::WriteRequest { timeseries: ts, metadata: Vec::new() })
}

fn stored(db: &Strict, name: &str) -> Vec<(String, Vec<i64>, usize)> {
    let q = db.db.querier(i64::MIN / 2, i64::MAX / 2).unwrap();
    q.select(&SelectHints::default(), &[Matcher::equal("__name__", name)])
        .unwrap()
        .into_iter()
        .map(|s| (s.labels.to_string(), s.samples.timestamps, s.samples.histograms.len()))
        .collect()
}

#[test]
fn samples_and_histograms_are_stored_in_bounded_commits() {
    let db = Strict::default();
    let mut h = series(&[("__name__", "lat"), ("job", "a")], &[]);
    h.histograms = vec![prompb::Histogram {
        count: Some(Count::CountInt(2)),
        sum: 3.0,
        positive_spans: vec![prompb::BucketSpan { offset: 0, length: 1 }],
        positive_deltas: vec![2],
        timestamp: 7_000,
        ..Default::default()
    }];
    // Unsorted labels and an empty value, as careless senders send them.
    let up = series(
        &[("job", "a"), ("__name__", "up"), ("zone", "")],
        &[(1_000, 1.0), (2_000, 1.0), (3_000, 0.0), (4_000, 1.0)],
    );
    let out = ingest::run(&db, &body(vec![up, h]), &opts()).unwrap();
    assert_eq!((out.stored, out.refused, out.invalid_series), (5, 0, 0));
    assert_eq!(
        stored(&db, "up"),
        vec![("{__name__=\"up\", job=\"a\"}".to_string(), vec![1_000, 2_000, 3_000, 4_000], 0)]
    );
    assert_eq!(stored(&db, "lat")[0].2, 1);
    assert_eq!(db.commits.load(std::sync::atomic::Ordering::Relaxed), 2, "batches of 3: 3 + 2");
    assert_eq!(out.into_response().status(), StatusCode::NO_CONTENT);
}

#[test]
fn refused_samples_answer_400_and_the_rest_is_kept() {
    let db = Strict::default();
    let a = series(&[("__name__", "a")], &[(5_000, 1.0), (4_000, 2.0), (5_000, 3.0), (6_000, 4.0)]);
    let out = ingest::run(&db, &body(vec![a]), &opts()).unwrap();
    assert_eq!((out.stored, out.refused), (2, 2));
    assert_eq!(stored(&db, "a")[0].1, vec![5_000, 6_000]);
    let r = out.into_response();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[test]
fn series_with_invalid_labels_are_skipped() {
    let db = Strict::default();
    let dup = series(&[("__name__", "x"), ("a", "1"), ("a", "2")], &[(1, 1.0)]);
    let empty_name = series(&[("__name__", "x"), ("", "v")], &[(1, 1.0)]);
    let none = series(&[("job", "")], &[(1, 1.0)]);
    let ok = series(&[("__name__", "x")], &[(1, 1.0)]);
    let out = ingest::run(&db, &body(vec![dup, empty_name, none, ok]), &opts()).unwrap();
    assert_eq!((out.stored, out.invalid_series), (1, 3));
    assert!(out.first_invalid.as_deref().unwrap().contains("the label \"a\" twice"));
    assert_eq!(out.into_response().status(), StatusCode::NO_CONTENT, "as Prometheus: skipped, not failed");
}

#[test]
fn undecodable_bodies_are_bad_data_and_keep_the_series_before() {
    let db = Strict::default();
    assert!(matches!(ingest::run(&db, b"not snappy at all", &opts()), Err(Error::BadData(_))));
    let raw = prost::Message::encode_to_vec(&prompb::WriteRequest {
        timeseries: vec![series(&[("__name__", "first")], &[(1, 1.0)]), series(&[("__name__", "second")], &[(1, 1.0)])],
        metadata: Vec::new(),
    });
    let cut = snap::raw::Encoder::new().compress_vec(&raw[..raw.len() - 3]).unwrap();
    let Err(Error::BadData(msg)) = ingest::run(&db, &cut, &opts()) else { panic!("a cut body must fail") };
    assert!(msg.contains("1 samples of the series before it were stored"), "{msg}");
    assert_eq!(stored(&db, "first").len(), 1);
    // A body claiming to decompress past the limit is refused before allocating.
    let big = snap::raw::Encoder::new().compress_vec(&vec![0u8; 4 << 20]).unwrap();
    let small = RemoteWriteOptions { max_decoded_bytes: 1 << 20, ..opts() };
    let Err(Error::BadData(msg)) = ingest::run(&db, &big, &small) else { panic!("over the limit") };
    assert!(msg.contains("more than the 1048576-byte limit"), "{msg}");
}

#[test]
fn headers_select_remote_write_1_0() {
    let h = |pairs: &[(&str, &str)]| {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap());
        }
        m
    };
    assert!(check_headers(&h(&[])).is_ok());
    assert!(check_headers(&h(&[("content-type", "application/x-protobuf"), ("content-encoding", "snappy")])).is_ok());
    assert!(check_headers(&h(&[("content-type", "application/x-protobuf;proto=prometheus.WriteRequest")])).is_ok());
    let v2 = check_headers(&h(&[("content-type", "application/x-protobuf;proto=io.prometheus.write.v2.Request")]));
    assert!(v2.unwrap_err().contains("only Remote-Write 1.0"));
    assert!(check_headers(&h(&[("content-type", "application/json")])).is_err());
    assert!(check_headers(&h(&[("content-encoding", "gzip")])).is_err());
}
