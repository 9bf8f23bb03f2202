//! WAL tests: record codecs, rotation, replay, torn tails and mid-log corruption.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic.

use super::record::*;
use super::*;
use vigil_model::{Labels, STALE_NAN};

fn series_batch(id: u32, name: &str) -> Vec<u8> {
    let mut b = RecordBuf::new();
    b.start(SERIES);
    put_series(&mut b.buf, id, &Labels::from_pairs(&[("__name__", name), ("job", "x")]));
    b.finish();
    b.buf
}

fn samples_batch(samples: &[(u32, i64, f64)]) -> Vec<u8> {
    let mut b = RecordBuf::new();
    b.start(SAMPLES);
    let mut enc = SamplesEncoder::default();
    for &(id, t, v) in samples {
        enc.push(&mut b.buf, id, t, v);
    }
    b.finish();
    b.buf
}

/// Replays `dir` and returns (type, payload) pairs and the report.
fn check_replay(dir: &Path) -> (Vec<(u8, Vec<u8>)>, ReplayReport) {
    let mut got = Vec::new();
    let report = replay(dir, |ty, p| {
        got.push((ty, p.to_vec()));
        Ok(())
    })
    .unwrap();
    (got, report)
}

#[test]
fn record_codecs_round_trip() {
    let labels = Labels::from_pairs(&[("__name__", "up"), ("instance", "a:1"), ("job", "é")]);
    let mut buf = Vec::new();
    put_series(&mut buf, 77, &labels);
    assert_eq!(decode_series(&buf).unwrap(), (77, labels));
    assert!(decode_series(&buf[..buf.len() - 1]).is_err());

    let samples = vec![(5u32, 1000i64, 1.5), (3, 1000, STALE_NAN), (900, -20, f64::INFINITY), (5, 1 << 50, -0.0)];
    let mut buf = Vec::new();
    let mut enc = SamplesEncoder::default();
    for &(id, t, v) in &samples {
        enc.push(&mut buf, id, t, v);
    }
    let mut out = Vec::new();
    decode_samples(&buf, &mut out).unwrap();
    let bits = |s: &[(u32, i64, f64)]| s.iter().map(|&(i, t, v)| (i, t, v.to_bits())).collect::<Vec<_>>();
    assert_eq!(bits(&out), bits(&samples));
    assert!(decode_samples(&buf[..buf.len() - 3], &mut Vec::new()).is_err());

    let mut buf = Vec::new();
    put_chunk(&mut buf, 9, 1, b"abc");
    assert_eq!(decode_chunk(&buf).unwrap(), (9, 1, &b"abc"[..]));
    assert!(decode_chunk(&buf[..4]).is_err());
}

#[test]
fn write_rotate_and_replay() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = WalWriter::create(dir.path(), 0, 200).unwrap();
    let mut want = Vec::new();
    for i in 0..20u32 {
        let b = samples_batch(&[(i, i64::from(i) * 10, f64::from(i))]);
        want.push(b.clone());
        w.write_batch(&b).unwrap();
    }
    w.pending_series().start(SERIES);
    put_series(&mut w.pending_series().buf, 1, &Labels::from_pairs(&[("a", "b")]));
    w.flush_and_sync().unwrap();
    assert!(w.segment() >= 2, "segments rotate by size");
    let (got, report) = check_replay(dir.path());
    assert_eq!(got.len(), 21);
    assert_eq!(report.corruptions, 0);
    assert_eq!(report.last_segment, Some(w.segment()));
    let mut out = Vec::new();
    decode_samples(&got[19].1, &mut out).unwrap();
    assert_eq!(out, vec![(19, 190, 19.0)]);
    assert_eq!(got[20].0, SERIES);
}

/// Truncating the last record at every byte keeps all earlier records and repairs the file.
#[test]
fn torn_tail_at_every_offset() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = WalWriter::create(dir.path(), 0, 1 << 20).unwrap();
    w.write_batch(&series_batch(1, "a")).unwrap();
    w.write_batch(&samples_batch(&[(1, 10, 1.0)])).unwrap();
    let last = samples_batch(&[(1, 20, 2.0), (1, 30, 3.0)]);
    w.write_batch(&last).unwrap();
    drop(w);
    let path = dir.path().join(segment_name(0));
    let full = std::fs::read(&path).unwrap();
    let good_len = full.len() - last.len();
    for cut in good_len..full.len() {
        std::fs::write(&path, &full[..cut]).unwrap();
        let (got, report) = check_replay(dir.path());
        assert_eq!(got.len(), 2, "cut at {cut}");
        assert_eq!(report.corruptions, u64::from(cut != good_len), "cut at {cut}");
        assert_eq!(std::fs::metadata(&path).unwrap().len(), good_len as u64, "repaired at {cut}");
    }
}

#[test]
fn corrupt_crc_in_tail_is_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = WalWriter::create(dir.path(), 0, 1 << 20).unwrap();
    w.write_batch(&samples_batch(&[(1, 10, 1.0)])).unwrap();
    w.write_batch(&samples_batch(&[(1, 20, 2.0)])).unwrap();
    drop(w);
    let path = dir.path().join(segment_name(0));
    let mut bytes = std::fs::read(&path).unwrap();
    let n = bytes.len();
    bytes[n - 1] ^= 0x40;
    std::fs::write(&path, &bytes).unwrap();
    let (got, report) = check_replay(dir.path());
    assert_eq!(got.len(), 1);
    assert_eq!(report.corruptions, 1);
    // A second replay sees a clean log.
    let (got, report) = check_replay(dir.path());
    assert_eq!((got.len(), report.corruptions), (1, 0));
}

#[test]
fn corruption_in_older_segment_stops_and_repairs() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = WalWriter::create(dir.path(), 0, 1 << 20).unwrap();
    w.write_batch(&samples_batch(&[(1, 10, 1.0)])).unwrap();
    w.write_batch(&samples_batch(&[(1, 20, 2.0)])).unwrap();
    w.rotate().unwrap();
    w.write_batch(&samples_batch(&[(1, 30, 3.0)])).unwrap();
    drop(w);
    let path = dir.path().join(segment_name(0));
    let mut bytes = std::fs::read(&path).unwrap();
    let n = bytes.len();
    bytes[n - 10] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap();
    let (got, report) = check_replay(dir.path());
    assert_eq!(got.len(), 1);
    assert_eq!(report.corruptions, 1);
    assert!(!dir.path().join(segment_name(1)).exists(), "later segments are deleted");
}

#[test]
fn handler_errors_count_as_corruption() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = WalWriter::create(dir.path(), 0, 1 << 20).unwrap();
    w.write_batch(&samples_batch(&[(1, 10, 1.0)])).unwrap();
    w.write_batch(&samples_batch(&[(1, 20, 2.0)])).unwrap();
    drop(w);
    let mut seen = 0;
    let report = replay(dir.path(), |_, _| {
        seen += 1;
        if seen == 2 { Err("bad".into()) } else { Ok(()) }
    })
    .unwrap();
    assert_eq!(report.corruptions, 1);
    assert_eq!(report.records, 1);
}

#[test]
fn checkpoint_replaces_segments() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = WalWriter::create(dir.path(), 0, 1 << 20).unwrap();
    w.write_batch(&samples_batch(&[(1, 10, 1.0)])).unwrap();
    let closed = w.rotate().unwrap();
    w.write_batch(&samples_batch(&[(1, 20, 2.0)])).unwrap();
    let mut cp = checkpoint::CheckpointWriter::begin(dir.path(), closed, 1 << 20).unwrap();
    cp.series(1, &Labels::from_pairs(&[("a", "b")])).unwrap();
    cp.chunk(1, 1, b"xyz").unwrap();
    cp.finish().unwrap();
    assert_eq!(checkpoint::delete_covered(dir.path(), closed).unwrap(), 1);
    let (got, report) = check_replay(dir.path());
    assert_eq!(report.checkpoint, Some(0));
    assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), vec![SERIES, CHUNK, SAMPLES]);
    // A leftover temporary checkpoint is removed on replay.
    std::fs::create_dir(dir.path().join("checkpoint.00000005.tmp")).unwrap();
    check_replay(dir.path());
    assert!(!dir.path().join("checkpoint.00000005.tmp").exists());
}
