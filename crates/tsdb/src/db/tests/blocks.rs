//! Blocks in the database: cutting the head into blocks gives the same query results, a restart
//! keeps everything once, a corrupted block is moved aside, retention deletes whole blocks (while
//! a querier that holds one can still read it).

use super::histograms::counter;
use super::*;
use std::sync::atomic::AtomicI64;
use vigil_model::{Matcher, STALE_NAN, Sample};
use vigil_storage::{Appendable, LabelHints, Queryable, SelectHints};

const HOUR: i64 = 3_600_000;

/// Options over a clock the test moves.
fn opts_at(now: &Arc<AtomicI64>) -> Options {
    let now = now.clone();
    Options {
        retention_ms: 0,
        maintenance_interval: None,
        clock: Arc::new(move || now.load(Ordering::SeqCst)),
        ..Options::default()
    }
}

/// 4 h of 15 s samples: float series (one with stale markers) and a histogram series.
fn load_4h(db: &Db, from: i64, to: i64) {
    for k in (from / 15_000)..(to / 15_000) {
        let t = k * 15_000;
        let mut app = db.appender();
        for i in 0..5 {
            let v = match i {
                0 => k as f64,
                1 => (k as f64 * 0.37).sin(),
                2 if k % 100 == 99 => STALE_NAN,
                _ => 42.0 + i as f64,
            };
            app.append(0, &labels(if i % 2 == 0 { "a" } else { "b" }, i), Sample::Float { t, v }).unwrap();
        }
        let h = if k % 200 == 150 { vigil_model::FloatHistogram::stale().into() } else { counter(k as f64) };
        app.append(0, &labels("h", 0), Sample::FloatHistogram { t, h }).unwrap();
        app.commit().unwrap();
    }
}

/// Everything a set of queries returns, as comparable text (NaN bit patterns, histograms in
/// full).
fn dump(db: &Db) -> Vec<String> {
    let mut out = Vec::new();
    let all = [Matcher::new(vigil_model::MatchOp::Regex, "__name__", ".+").unwrap()];
    let ranges = [(i64::MIN, i64::MAX), (HOUR, 3 * HOUR), (2 * HOUR - 1, 2 * HOUR), (2 * HOUR, 2 * HOUR + 60_000)];
    for (mint, maxt) in ranges {
        let q = db.querier(mint, maxt).unwrap();
        for m in [&all[..], &[Matcher::equal("__name__", "a")], &[Matcher::equal("__name__", "h")]] {
            for s in q.select(&SelectHints::default(), m).unwrap() {
                out.push(format!("{mint} {maxt} {} {:?}", s.labels, series_text(&s.samples)));
            }
            for mut s in q.select_lazy(&SelectHints::default(), m).unwrap() {
                let mut all = vigil_storage::Samples::default();
                let mut one = vigil_storage::Samples::default();
                while s.chunks.next_chunk(&mut one).unwrap() {
                    all.timestamps.extend_from_slice(&one.timestamps);
                    all.values.extend_from_slice(&one.values);
                    all.histograms.extend_from_slice(&one.histograms);
                }
                out.push(format!("lazy {mint} {maxt} {} {:?}", s.labels, series_text(&all)));
            }
        }
        let hints =
            SelectHints { start: Some(mint.max(0) + 30_000), end: Some(maxt.min(5 * HOUR)), ..Default::default() };
        for s in q.select(&hints, &all).unwrap() {
            out.push(format!("hints {mint} {maxt} {} {:?}", s.labels, series_text(&s.samples)));
        }
        let lh = LabelHints::default();
        out.push(format!("names {:?}", q.label_names(&lh, &[]).unwrap()));
        out.push(format!("values {:?}", q.label_values(&lh, "instance", &[]).unwrap()));
    }
    out
}

fn series_text(s: &vigil_storage::Samples) -> (Vec<i64>, Vec<u64>, Vec<String>) {
    (
        s.timestamps.clone(),
        s.values.iter().map(|v| v.to_bits()).collect(),
        s.histograms.iter().map(|(t, h)| format!("{t} {h:?}")).collect(),
    )
}

fn block_dirs(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| ulid::Ulid::from_string(n).is_ok())
        .collect();
    v.sort();
    v
}

/// `dump` with histograms' counter-reset hints left out.
fn without_hints(d: Vec<String>) -> Vec<String> {
    d.into_iter()
        .map(|s| {
            ["NotCounterReset", "Unknown", "CounterReset"]
                .iter()
                .fold(s, |s, h| s.replace(&format!("counter_reset_hint: {h},"), ""))
        })
        .collect()
}

/// Cuts `[0, 2h)` off 4 h of data and compares every query before and after the cut and a restart.
/// A restart replays a head chunk that straddled the boundary from its first sample at or after it,
/// which starts a new chunk: that sample's counter-reset hint becomes `Unknown` (as at any chunk
/// start), so with straddling chunks the hints are left out of the comparison after the restart.
fn cut_same_results(chunk_range_ms: i64) {
    let dir = tempfile::tempdir().unwrap();
    let now = Arc::new(AtomicI64::new(0));
    let opts = Options { chunk_range_ms, ..opts_at(&now) };
    let db = Db::open(dir.path(), opts.clone()).unwrap();
    load_4h(&db, 0, 4 * HOUR);
    let before = dump(&db);
    assert!(before.len() > 20);
    db.run_maintenance().unwrap();
    assert_eq!(block_dirs(dir.path()).len(), 1, "one block [0, 2h) cut");
    assert_eq!(db.inner.head.min_valid(), 2 * HOUR);
    assert_eq!(dump(&db), before, "same results after the cut");
    // Too old for the head now: refused as out of bounds.
    let mut app = db.appender();
    assert!(app.append(0, &labels("a", 0), Sample::Float { t: HOUR, v: 1.0 }).is_err());
    drop(app);
    db.close().unwrap();
    let db = Db::open(dir.path(), opts.clone()).unwrap();
    if chunk_range_ms == opts.block_range_ms {
        assert_eq!(dump(&db), before, "same results after a restart");
    } else {
        assert_eq!(without_hints(dump(&db)), without_hints(before.clone()), "same results after a restart");
    }
    load_4h(&db, 4 * HOUR, 6 * HOUR);
    db.run_maintenance().unwrap();
    assert_eq!(block_dirs(dir.path()).len(), 2);
    let after = select(&db, &[Matcher::equal("__name__", "a")]);
    for s in &after {
        assert!(s.samples.timestamps.windows(2).all(|w| w[0] < w[1]), "no duplicated timestamps");
        assert_eq!(s.samples.timestamps.len(), (6 * HOUR / 15_000) as usize);
    }
}

#[test]
fn cutting_a_block_keeps_query_results() {
    cut_same_results(2 * HOUR);
}

#[test]
fn cutting_reencodes_chunks_straddling_the_boundary() {
    cut_same_results(3 * HOUR);
}

#[test]
fn a_corrupted_block_is_moved_aside() {
    let dir = tempfile::tempdir().unwrap();
    let now = Arc::new(AtomicI64::new(0));
    let db = Db::open(dir.path(), opts_at(&now)).unwrap();
    load_4h(&db, 0, 4 * HOUR);
    db.run_maintenance().unwrap();
    db.close().unwrap();
    let ulid = block_dirs(dir.path()).pop().unwrap();
    let index = dir.path().join(&ulid).join("index");
    let mut bytes = fs::read(&index).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0xff;
    fs::write(&index, bytes).unwrap();
    fs::create_dir_all(dir.path().join("01ARZ3NDEKTSV4RRFFQ69G5FAV.tmp-for-creation")).unwrap();
    let db = Db::open(dir.path(), opts_at(&now)).unwrap();
    assert!(block_dirs(dir.path()).is_empty());
    assert!(dir.path().join("corrupted").join(&ulid).join("index").exists());
    assert!(!dir.path().join("01ARZ3NDEKTSV4RRFFQ69G5FAV.tmp-for-creation").exists());
    // The head's part is still there.
    let a = select(&db, &[Matcher::equal("__name__", "a"), Matcher::equal("instance", "host-0")]);
    assert_eq!(a[0].samples.timestamps.first(), Some(&(2 * HOUR)));
}

#[test]
fn retention_deletes_old_blocks_after_their_last_querier() {
    let dir = tempfile::tempdir().unwrap();
    let now = Arc::new(AtomicI64::new(0));
    let db = Db::open(dir.path(), opts_at(&now)).unwrap();
    load_4h(&db, 0, 10 * HOUR);
    db.run_maintenance().unwrap();
    assert_eq!(block_dirs(dir.path()).len(), 4, "[0,2h) … [6h,8h)");
    db.close().unwrap();
    now.store(10 * HOUR, Ordering::SeqCst);
    let db = Db::open(dir.path(), Options { retention_ms: 2 * HOUR, ..opts_at(&now) }).unwrap();
    let m = [Matcher::equal("__name__", "a"), Matcher::equal("instance", "host-0")];
    let q = db.querier(0, HOUR).unwrap();
    db.run_maintenance().unwrap();
    assert_eq!(block_dirs(dir.path()).len(), 1, "only [6h,8h) is kept");
    let held = q.select(&SelectHints::default(), &m).unwrap();
    assert_eq!(held[0].samples.timestamps.len(), (HOUR / 15_000 + 1) as usize, "a held block stays readable");
    drop(q);
    let names: Vec<String> =
        fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(!names.iter().any(|n| n.ends_with(".tmp-for-deletion")), "{names:?}");
    let a = select(&db, &m);
    assert_eq!(a[0].samples.timestamps.first(), Some(&(6 * HOUR)));
    let q = db.querier(6 * HOUR, 7 * HOUR).unwrap();
    assert!(!q.select(&SelectHints::default(), &m).unwrap().is_empty(), "the kept block is read");
}

#[test]
fn a_commit_into_a_range_cut_meanwhile_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let now = Arc::new(AtomicI64::new(0));
    let db = Db::open(dir.path(), opts_at(&now)).unwrap();
    load_4h(&db, 0, 4 * HOUR);
    // Made before the cut, so its appends pass the head's bound of the time.
    let mut app = db.appender();
    app.append(0, &labels("late", 0), Sample::Float { t: HOUR, v: 1.0 }).unwrap();
    db.run_maintenance().unwrap();
    assert_eq!(block_dirs(dir.path()).len(), 1);
    let err = app.commit().unwrap_err();
    assert!(
        matches!(err, vigil_storage::Error::OutOfBounds { t: HOUR, min_valid } if min_valid == 2 * HOUR),
        "{err:?}"
    );
    // Not in the head, so not silently lost at the next checkpoint: never acknowledged.
    assert!(select(&db, &[Matcher::equal("__name__", "late")]).is_empty());
    // Appends above the block still commit.
    let mut app = db.appender();
    app.append(0, &labels("late", 0), Sample::Float { t: 3 * HOUR, v: 1.0 }).unwrap();
    app.commit().unwrap();
    assert_eq!(select(&db, &[Matcher::equal("__name__", "late")]).len(), 1);
}
