//! The import's request shape (encoding, extra labels) and, through [`ingest::run`] on a
//! `MemStorage`, its streaming parser: chunk boundaries, positions, limits, batches.

use super::ingest;
use super::*;
use crate::handlers::strict_storage::Strict;
use crate::state::ImportOptions;
use std::io::{Read, Write};
use std::sync::atomic::Ordering;
use vigil_model::{Labels, Matcher};
use vigil_storage::{Appendable, MemStorage, Queryable, SelectHints};

fn opts() -> ImportOptions {
    ImportOptions { enabled: true, ..ImportOptions::default() }
}

/// A reader that hands out at most `step` bytes per call, to put chunk boundaries everywhere.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.step).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn samples(db: &MemStorage, name: &str) -> Vec<(Labels, Vec<i64>, Vec<f64>)> {
    let q = db.querier(i64::MIN / 2, i64::MAX / 2).unwrap();
    q.select(&SelectHints::default(), &[Matcher::equal("__name__", name)])
        .unwrap()
        .into_iter()
        .map(|s| (s.labels, s.samples.timestamps, s.samples.values))
        .collect()
}

fn import(db: &dyn Appendable, body: &[u8], step: usize, o: &ImportOptions) -> Result<ingest::Outcome, Error> {
    ingest::run(db, Trickle { data: body, step }, false, &[], 5_000, o)
}

const BODY: &[u8] = b"# HELP up whether\n# TYPE up gauge\nup{job=\"a\"} 1 1000\nup{job=\"a\"} 0 2000\n\
up{job=\"b\"} 1\n\nother 2.5e3 1500\n# a comment\nup{job=\"a\"} 1 3000";

#[test]
fn imports_every_sample_whatever_the_chunk_boundaries() {
    for step in [1, 2, 3, 7, 64, 1 << 20] {
        let db = MemStorage::new();
        let out = import(&db, BODY, step, &opts()).unwrap();
        assert_eq!((out.samples, out.lines, out.rejected), (5, 9, 0), "step {step}");
        let up = samples(&db, "up");
        assert_eq!(up.len(), 2);
        assert_eq!(up[0].0, Labels::from_pairs(&[("__name__", "up"), ("job", "a")]));
        assert_eq!((up[0].1.clone(), up[0].2.clone()), (vec![1000, 2000, 3000], vec![1.0, 0.0, 1.0]));
        // No timestamp: the request's "now".
        assert_eq!((up[1].1.clone(), up[1].2.clone()), (vec![5000], vec![1.0]));
        assert_eq!(samples(&db, "other")[0].2, vec![2500.0]);
    }
}

#[test]
fn extra_labels_are_added_and_override() {
    let db = Strict::default();
    let extra = [("job".to_owned(), "imported".to_owned()), ("dc".to_owned(), "x".to_owned())];
    ingest::run(&db, &b"up{job=\"a\"} 1 1000\nup 2 1000\n"[..], false, &extra, 0, &opts()).unwrap();
    let up = samples(&db.db, "up");
    assert_eq!(up.len(), 1, "both lines land in one series: {up:?}");
    assert_eq!(up[0].0, Labels::from_pairs(&[("__name__", "up"), ("dc", "x"), ("job", "imported")]));
    // The second sample has the same timestamp and another value: refused, not fatal.
    assert_eq!(up[0].2, vec![1.0]);
}

#[test]
fn parse_errors_name_the_body_line_and_keep_what_came_before() {
    let mut body = Vec::new();
    for i in 0..1000 {
        writeln!(body, "m{{i=\"{i}\"}} {i} {}", 1000 + i).unwrap();
    }
    body.extend_from_slice(b"m{i=\"x\" 1 1\n");
    for step in [5, 4096] {
        let db = MemStorage::new();
        let err = import(&db, &body, step, &opts()).unwrap_err().to_string();
        assert!(err.starts_with("cannot parse line 1001:"), "{err}");
        assert!(err.ends_with("; 1000 samples of the lines before it were imported"), "{err}");
        assert_eq!(samples(&db, "m").len(), 1000);
    }
}

#[test]
fn a_line_longer_than_the_limit_is_refused_without_buffering_it() {
    let o = ImportOptions { max_line_bytes: 1000, ..opts() };
    let db = MemStorage::new();
    // An endless line: the reader would never stop, so the limit is what ends it.
    let endless = std::io::repeat(b'a');
    let err = ingest::run(&db, endless, false, &[], 0, &o).unwrap_err().to_string();
    assert!(err.starts_with("line 1 is longer than 1000 bytes"), "{err}");
    let body = b"ok 1 1\nok 2 2\n".iter().copied().chain(std::iter::repeat_n(b'x', 5000)).collect::<Vec<_>>();
    let err = import(&db, &body, 100, &o).unwrap_err().to_string();
    assert!(err.starts_with("line 3 is longer than 1000 bytes"), "{err}");
    assert_eq!(samples(&db, "ok")[0].2, vec![1.0, 2.0]);
}

#[test]
fn body_and_sample_limits_stop_the_request() {
    let db = Strict::default();
    let body = "x 1 1\n".repeat(100);
    let o = ImportOptions { max_samples: 10, ..opts() };
    let err = import(&db, body.as_bytes(), 7, &o).unwrap_err().to_string();
    assert!(err.contains("more than 10 samples") && err.ends_with("; 1 samples of the lines before it were imported"));
    let o = ImportOptions { max_body_bytes: 300, ..opts() };
    let big = (0..200).map(|i| format!("y {i} {i}\n")).collect::<String>();
    let err = import(&db, big.as_bytes(), 1 << 20, &o).unwrap_err().to_string();
    assert!(err.starts_with("the request body exceeds 300 bytes"), "{err}");
}

#[test]
fn gzip_bodies_are_decoded_and_bombs_hit_the_body_limit() {
    let gz = |data: &[u8]| {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    };
    let db = MemStorage::new();
    let out = ingest::run(&db, &gz(BODY)[..], true, &[], 0, &opts()).unwrap();
    assert_eq!(out.samples, 5);
    // 64 MiB of newlines in ~64 KiB: decoding stops at the 1 MiB limit.
    let bomb = gz(&vec![b'\n'; 64 << 20]);
    assert!(bomb.len() < 256 << 10, "{}", bomb.len());
    let o = ImportOptions { max_body_bytes: 1 << 20, ..opts() };
    let err = ingest::run(&db, &bomb[..], true, &[], 0, &o).unwrap_err().to_string();
    assert!(err.starts_with("the request body exceeds 1048576 bytes"), "{err}");
    let err = ingest::run(&db, &b"\x1f\x8bnot gzip"[..], true, &[], 0, &o).unwrap_err().to_string();
    assert!(err.starts_with("cannot decompress the gzip body"), "{err}");
}

#[test]
fn samples_are_committed_in_batches_and_refusals_are_counted() {
    let db = Strict::default();
    let o = ImportOptions { batch_samples: 10, ..opts() };
    let body = (0..95).map(|i| format!("z {i} {}\n", 1000 + i)).collect::<String>() + "z 0 5\n";
    let out = import(&db, body.as_bytes(), 13, &o).unwrap();
    assert_eq!((out.samples, out.rejected), (95, 1));
    assert!(out.first_rejection.unwrap().starts_with("z: out of order"));
    assert_eq!(db.commits.load(Ordering::Relaxed), 10, "nine full batches and the rest");
    assert_eq!(samples(&db.db, "z")[0].1.len(), 95);
}

#[test]
fn request_shape_content_encoding_and_extra_label() {
    let mut h = HeaderMap::new();
    assert!(!gzip_encoded(&h).unwrap());
    h.insert(CONTENT_ENCODING, "gzip".parse().unwrap());
    assert!(gzip_encoded(&h).unwrap());
    h.insert(CONTENT_ENCODING, "zstd".parse().unwrap());
    assert!(gzip_encoded(&h).unwrap_err().to_string().contains("unsupported Content-Encoding \"zstd\""));
    let uri: Uri = "/api/v1/import/prometheus?extra_label=a%3Db&extra_label=c=d%20e&x=1".parse().unwrap();
    assert_eq!(extra_labels(&uri).unwrap(), [("a".to_owned(), "b".to_owned()), ("c".to_owned(), "d e".to_owned())]);
    for bad in ["extra_label=novalue", "extra_label=1a=b", "extra_label=__name__=x"] {
        let uri: Uri = format!("/x?{bad}").parse().unwrap();
        assert!(extra_labels(&uri).unwrap_err().to_string().starts_with("invalid parameter \"extra_label\""), "{bad}");
    }
}
