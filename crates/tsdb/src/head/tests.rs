//! Head tests: chunk cutting by count and by time window, and sealed-chunk chains on disk.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic.

use super::*;
use vigil_model::Labels;

fn head(dir: &std::path::Path, samples_per_chunk: u16) -> Head {
    let store = ChunkStore::open(&dir.join("chunks_head"), 1 << 20).unwrap();
    Head::new(store, HeadOptions { samples_per_chunk, chunk_range_ms: 1000 })
}

/// Appends `ts` to one series and returns (chunks on disk, samples read back).
fn check(samples_per_chunk: u16, ts: &[i64]) -> (u64, Vec<i64>) {
    let dir = tempfile::tempdir().unwrap();
    let h = head(dir.path(), samples_per_chunk);
    let l = Labels::from_pairs(&[("__name__", "x")]);
    let id = h.get_or_create(&l, l.hash_xxh64(), &mut Vec::new(), |_| {});
    let mut batch: Vec<_> = ts.iter().map(|&t| (id, t, t as f64)).collect();
    assert_eq!(h.append_batch(&mut batch), ts.len());
    let set = h.select(&[], i64::MIN, i64::MAX, false, 0, &no_limits()).unwrap();
    (h.chunks.num_chunks(), set[0].samples.timestamps.clone())
}

#[test]
fn cuts_by_count() {
    let ts: Vec<i64> = (0..25).collect();
    assert_eq!(check(10, &ts), (2, ts));
}

#[test]
fn cuts_at_time_window_boundaries() {
    let ts = vec![10, 500, 999, 1000, 1500, 2999, 3000];
    // Windows [0,1000), [1000,2000), [2000,3000), [3000,…): three sealed chunks.
    assert_eq!(check(120, &ts), (3, ts));
}

#[test]
fn lookup_and_truncate_remove_empty_series() {
    let dir = tempfile::tempdir().unwrap();
    let h = head(dir.path(), 5);
    let l = Labels::from_pairs(&[("__name__", "x"), ("a", "1")]);
    let mut enc = Vec::new();
    assert_eq!(h.lookup(&l, l.hash_xxh64(), &mut enc), None);
    let id = h.get_or_create(&l, l.hash_xxh64(), &mut enc, |_| {});
    assert_eq!(h.lookup(&l, l.hash_xxh64(), &mut enc), Some(id));
    let mut batch: Vec<_> = (0..20).map(|t| (id, t * 100, 1.0)).collect();
    h.append_batch(&mut batch);
    h.truncate(1000).unwrap();
    let set = h.select(&[], i64::MIN, i64::MAX, false, 0, &no_limits()).unwrap();
    assert_eq!(set[0].samples.timestamps.first(), Some(&1000));
    h.truncate(10_000).unwrap();
    h.truncate(10_000).unwrap();
    assert_eq!(h.lookup(&l, l.hash_xxh64(), &mut enc), None);
    assert!(h.series_ids(&[]).is_empty());
    assert_eq!(h.stats().num_series, 0);
}

#[test]
fn with_data_in_follows_retention() {
    let dir = tempfile::tempdir().unwrap();
    let h = head(dir.path(), 5);
    let l = Labels::from_pairs(&[("__name__", "x")]);
    let id = h.get_or_create(&l, l.hash_xxh64(), &mut Vec::new(), |_| {});
    // 0..=400 sealed, 500 open.
    let mut batch: Vec<_> = (0..6).map(|k| (id, k * 100, 1.0)).collect();
    h.append_batch(&mut batch);
    let check = |lo, hi, want: &[u32]| {
        assert_eq!(h.with_data_in(&[id], lo, hi, &vigil_storage::Cancel::never()).unwrap(), want, "{lo}..={hi}")
    };
    check(0, 0, &[id]);
    check(450, 480, &[id]); // Between samples, inside the series' span.
    check(501, 900, &[]);
    h.truncate(450).unwrap();
    // Only the open chunk is left: the series now starts at 500.
    check(0, 449, &[]);
    check(450, 480, &[]);
    check(500, 500, &[id]);
}

#[test]
fn label_walks_stop_when_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let h = head(dir.path(), 120);
    let mut enc = Vec::new();
    // Enough series (and postings) to reach the periodic check several times.
    let mut batch: Vec<_> = (0..3_000)
        .map(|i| {
            let l = Labels::from_pairs(&[("__name__", "up"), ("instance", &format!("host-{i}"))]);
            (h.get_or_create(&l, l.hash_xxh64(), &mut enc, |_| {}), 10, 1.0)
        })
        .collect();
    assert_eq!(h.append_batch(&mut batch), 3_000);
    let ids = h.series_ids(&[]);
    let never = vigil_storage::Cancel::never();
    let cancelled =
        vigil_storage::Cancel::new(Some(std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true))), None);
    let is_cancelled =
        |r: crate::Result<Vec<String>>| matches!(r, Err(crate::Error::Storage(vigil_storage::Error::Cancelled)));
    assert!(is_cancelled(h.label_names(Some(&ids), &cancelled)));
    assert!(is_cancelled(h.label_values("instance", Some(&ids), &cancelled)));
    assert!(is_cancelled(h.label_values("instance", None, &cancelled)));
    assert!(matches!(
        h.with_data_in(&ids, 0, 100, &cancelled),
        Err(crate::Error::Storage(vigil_storage::Error::Cancelled))
    ));
    assert_eq!(h.label_names(Some(&ids), &never).unwrap(), vec!["__name__", "instance"]);
    assert_eq!(h.label_values("instance", Some(&ids[..2]), &never).unwrap().len(), 2);
    assert_eq!(h.label_values("instance", None, &never).unwrap().len(), 3_000);
    assert_eq!(h.with_data_in(&ids, 0, 100, &never).unwrap().len(), 3_000);
}

fn no_limits() -> ReadLimits<'static> {
    static BUDGET: std::sync::LazyLock<vigil_storage::SampleBudget> =
        std::sync::LazyLock::new(vigil_storage::SampleBudget::unlimited);
    static CANCEL: std::sync::LazyLock<vigil_storage::Cancel> = std::sync::LazyLock::new(vigil_storage::Cancel::never);
    static DECODED: AtomicU64 = AtomicU64::new(0);
    ReadLimits { view: None, budget: &BUDGET, cancel: &CANCEL, decoded: &DECODED }
}
