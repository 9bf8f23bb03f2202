//! End-to-end tests of [`Db`]: appends, queries, reopen, torn WAL tails, retention, locking,
//! concurrency and a `kill -9` crash test.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic.

use super::*;
use std::sync::atomic::AtomicI64;
use vigil_model::{Labels, MatchOp, Matcher, STALE_NAN, Sample};
use vigil_storage::{Appendable, Cancel, LabelHints, Queryable, SelectHints, Series};

fn opts() -> Options {
    Options { retention_ms: 0, maintenance_interval: None, ..Options::default() }
}

fn labels(name: &str, i: usize) -> Labels {
    Labels::from_pairs(&[("__name__", name), ("instance", &format!("host-{i}")), ("job", "node")])
}

fn append(db: &Db, batch: &[(Labels, i64, f64)]) {
    let mut app = db.appender();
    for (l, t, v) in batch {
        app.append(0, l, Sample::Float { t: *t, v: *v }).unwrap();
    }
    app.commit().unwrap();
}

fn select(db: &Db, matchers: &[Matcher]) -> Vec<Series> {
    db.querier(i64::MIN, i64::MAX).unwrap().select(&SelectHints::default(), matchers).unwrap()
}

/// Bit patterns, so NaNs compare.
fn bits(set: &[Series]) -> Vec<(String, Vec<i64>, Vec<u64>)> {
    set.iter()
        .map(|s| {
            (s.labels.to_string(), s.samples.timestamps.clone(), s.samples.values.iter().map(|v| v.to_bits()).collect())
        })
        .collect()
}

fn check(db: &Db, matchers: &[Matcher], want: &[(&str, &[(i64, f64)])]) {
    let got = select(db, matchers);
    let want: Vec<(String, Vec<i64>, Vec<u64>)> = want
        .iter()
        .map(|(l, s)| (l.to_string(), s.iter().map(|x| x.0).collect(), s.iter().map(|x| x.1.to_bits()).collect()))
        .collect();
    assert_eq!(bits(&got), want, "{matchers:?}");
}

/// Loads `n` series × `m` samples with counters, gauges, constants and stale markers.
fn load(db: &Db, n: usize, m: i64) {
    for k in 0..m {
        let batch: Vec<_> = (0..n)
            .map(|i| {
                let v = match i % 4 {
                    0 => (k * (i as i64 + 1)) as f64,
                    1 => (k as f64 * 0.37).sin(),
                    2 => 42.0,
                    _ if k % 50 == 49 => STALE_NAN,
                    _ => k as f64,
                };
                (labels(if i % 2 == 0 { "a" } else { "b" }, i), 1_000_000 + k * 15_000, v)
            })
            .collect();
        append(db, &batch);
    }
}

#[test]
fn append_and_select() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), opts()).unwrap();
    let up1 = Labels::from_pairs(&[("__name__", "up"), ("job", "b")]);
    let up2 = Labels::from_pairs(&[("__name__", "up"), ("job", "a"), ("env", "x")]);
    append(&db, &[(up1.clone(), 10, 1.0), (up2.clone(), 10, 0.0)]);
    append(&db, &[(up1.clone(), 20, 2.0), (up2.clone(), 20, STALE_NAN)]);
    check(
        &db,
        &[Matcher::equal("__name__", "up")],
        &[
            (r#"{__name__="up", env="x", job="a"}"#, &[(10, 0.0), (20, STALE_NAN)]),
            (r#"{__name__="up", job="b"}"#, &[(10, 1.0), (20, 2.0)]),
        ],
    );
    check(
        &db,
        &[Matcher::equal("__name__", "up"), Matcher::equal("env", "")],
        &[(r#"{__name__="up", job="b"}"#, &[(10, 1.0), (20, 2.0)])],
    );
    let q = db.querier(15, 20).unwrap();
    let set = q.select(&SelectHints::default(), &[Matcher::new(MatchOp::Regex, "job", "b").unwrap()]).unwrap();
    assert_eq!(set[0].samples.timestamps, vec![20]);
    let set = q
        .select(
            &SelectHints { labels_only: true, limit: 1, ..SelectHints::default() },
            &[Matcher::equal("__name__", "up")],
        )
        .unwrap();
    assert_eq!(set.len(), 1);
    assert!(set[0].samples.is_empty());
    assert_eq!(set[0].labels, up2);
    assert!(matches!(
        q.select(&SelectHints::default(), &[Matcher::equal("job", "")]),
        Err(vigil_storage::Error::EmptyMatchers)
    ));
    assert_eq!(q.label_names(&LabelHints::default(), &[]).unwrap(), vec!["__name__", "env", "job"]);
    assert_eq!(q.label_names(&LabelHints::default(), &[Matcher::equal("job", "b")]).unwrap(), vec!["__name__", "job"]);
    assert_eq!(q.label_values(&LabelHints::default(), "job", &[]).unwrap(), vec!["a", "b"]);
    assert_eq!(q.label_values(&LabelHints::default(), "job", &[Matcher::equal("env", "x")]).unwrap(), vec!["a"]);
    assert_eq!(q.label_values(&LabelHints::default(), "nope", &[]).unwrap(), Vec::<String>::new());
}

#[test]
fn out_of_order_and_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), opts()).unwrap();
    let l = labels("a", 0);
    append(&db, &[(l.clone(), 100, 1.0)]);
    let mut app = db.appender();
    let f = |t, v| Sample::Float { t, v };
    assert!(app.append(0, &l, f(100, 1.0)).is_ok(), "same timestamp and value is accepted");
    assert!(matches!(app.append(0, &l, f(100, 2.0)), Err(vigil_storage::Error::DuplicateSample)));
    assert!(matches!(app.append(0, &l, f(99, 2.0)), Err(vigil_storage::Error::OutOfOrder)));
    assert!(matches!(app.append(0, &Labels::empty(), f(1, 2.0)), Err(vigil_storage::Error::InvalidLabels(_))));
    let r = app.append(0, &l, f(200, 2.0)).unwrap();
    // The returned ref is a valid hint even with different (ignored) labels.
    assert_eq!(app.append(r, &l, f(300, 3.0)).unwrap(), r);
    app.commit().unwrap();
    check(&db, &[Matcher::equal("__name__", "a")], &[(&l.to_string(), &[(100, 1.0), (200, 2.0), (300, 3.0)])]);
    // Rolled back samples never appear.
    let mut app = db.appender();
    app.append(0, &l, f(400, 4.0)).unwrap();
    app.rollback().unwrap();
    assert_eq!(select(&db, &[Matcher::equal("__name__", "a")])[0].samples.len(), 3);
}

#[test]
fn reopen_gives_identical_results() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), opts()).unwrap();
    load(&db, 40, 300);
    let all = [Matcher::new(MatchOp::Regex, "__name__", ".+").unwrap()];
    let before = bits(&select(&db, &all));
    assert_eq!(before.len(), 40);
    assert_eq!(before[0].1.len(), 300);
    assert!(db.stats().head_chunks > 40, "chunks were cut and sealed");
    db.close().unwrap();
    let db = Db::open(dir.path(), opts()).unwrap();
    assert_eq!(bits(&select(&db, &all)), before);
    // And once more after a checkpoint replaced the segments.
    db.checkpoint().unwrap();
    drop(db);
    let db = Db::open(dir.path(), opts()).unwrap();
    assert_eq!(bits(&select(&db, &all)), before);
    let st = db.stats();
    assert_eq!(st.head_series, 40);
    let card = db.cardinality();
    assert_eq!(card.series_count_by_metric_name, vec![("a".to_owned(), 20), ("b".to_owned(), 20)]);
    assert_eq!(card.label_value_count_by_label_name[0], ("instance".to_owned(), 40));
}

#[test]
fn rolled_back_series_then_used_by_another_appender_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), opts()).unwrap();
    let l = labels("a", 1);
    let mut a = db.appender();
    a.append(0, &l, Sample::Float { t: 1, v: 1.0 }).unwrap();
    let mut b = db.appender();
    b.append(0, &l, Sample::Float { t: 2, v: 2.0 }).unwrap();
    b.commit().unwrap();
    a.rollback().unwrap();
    drop(db);
    let db = Db::open(dir.path(), opts()).unwrap();
    check(&db, &[Matcher::equal("__name__", "a")], &[(&l.to_string(), &[(2, 2.0)])]);
}

/// Cuts the last WAL segment at every byte of the last commit's records.
#[test]
fn torn_tail_keeps_earlier_commits() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), opts()).unwrap();
    load(&db, 3, 5);
    let before = bits(&select(&db, &[Matcher::equal("job", "node")]));
    let seg = dir.path().join("wal").join(wal::segment_name(db.stats().wal_segment));
    let good = fs::metadata(&seg).unwrap().len();
    append(&db, &[(labels("c", 9), 2_000_000, 1.0), (labels("a", 0), 2_000_000, 7.0)]);
    db.close().unwrap();
    let full = fs::read(&seg).unwrap();
    let good = good as usize;
    // The new series' record, then the samples record: cutting between them is clean.
    let series_end = good + 8 + u32::from_le_bytes(full[good..good + 4].try_into().unwrap()) as usize;
    for cut in good..full.len() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir(d.path().join("wal")).unwrap();
        fs::write(d.path().join("wal").join(wal::segment_name(0)), &full[..cut]).unwrap();
        let db = Db::open(d.path(), opts()).unwrap();
        assert_eq!(bits(&select(&db, &[Matcher::equal("job", "node")]))[..3], before[..], "cut at {cut}");
        assert_eq!(db.stats().wal_corruptions, u64::from(cut != good && cut != series_end), "cut at {cut}");
    }
}

#[test]
fn corrupt_crc_in_tail_is_repaired() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), opts()).unwrap();
    load(&db, 2, 3);
    let seg = dir.path().join("wal").join(wal::segment_name(0));
    db.close().unwrap();
    let mut bytes = fs::read(&seg).unwrap();
    let n = bytes.len();
    bytes[n - 2] ^= 1;
    fs::write(&seg, &bytes).unwrap();
    let db = Db::open(dir.path(), opts()).unwrap();
    assert_eq!(db.stats().wal_corruptions, 1);
    let got = select(&db, &[Matcher::equal("job", "node")]);
    assert_eq!(got.iter().map(|s| s.samples.len()).collect::<Vec<_>>(), vec![2, 2], "last commit dropped");
}

#[test]
fn retention_drops_old_data_and_checkpoints_shrink_the_wal() {
    let dir = tempfile::tempdir().unwrap();
    let now = Arc::new(AtomicI64::new(1_000_000));
    let clock_now = now.clone();
    let o = Options {
        retention_ms: 3_600_000,
        wal_segment_size: 64 * 1024,
        clock: Arc::new(move || clock_now.load(Ordering::SeqCst)),
        ..opts()
    };
    let db = Db::open(dir.path(), o.clone()).unwrap();
    load(&db, 60, 400); // 100 minutes of data from t = 1_000_000
    let wal_size = || fs::read_dir(dir.path().join("wal")).unwrap().count();
    let segments_before = wal_size();
    assert!(segments_before > 3);
    // Series "gone" only has old data.
    append(&db, &[(labels("gone", 0), 1_000_000 + 10 * 15_000, 1.0)]);
    now.store(1_000_000 + 399 * 15_000 + 1, Ordering::SeqCst);
    let mut app = db.appender();
    assert!(matches!(
        app.append(0, &labels("a", 0), Sample::Float { t: 0, v: 0.0 }),
        Err(vigil_storage::Error::OutOfBounds { .. })
    ));
    drop(app);
    // Move the clock so that everything older than 40 minutes ago is out.
    let cutoff = 1_000_000 + 60 * 60_000;
    now.store(cutoff + 3_600_000, Ordering::SeqCst);
    db.run_maintenance().unwrap();
    db.run_maintenance().unwrap(); // the second pass removes series found empty by the first
    let st = db.stats();
    assert_eq!(st.head_series, 60, "series 'gone' was removed");
    assert_eq!(st.series_removed, 1);
    assert!(st.checkpoints >= 1);
    assert!(st.wal_truncations >= 1);
    assert!(wal_size() < segments_before, "{} segments remain", wal_size());
    let got = select(&db, &[Matcher::equal("job", "node")]);
    assert!(got.iter().all(|s| s.samples.timestamps[0] >= cutoff));
    assert_eq!(got[0].samples.timestamps.last(), Some(&(1_000_000 + 399 * 15_000)));
    assert!(
        db.querier(0, i64::MAX).unwrap().label_values(&LabelHints::default(), "__name__", &[]).unwrap()
            == vec!["a", "b"]
    );
    let before = bits(&got);
    drop(db);
    let db = Db::open(dir.path(), o).unwrap();
    assert_eq!(bits(&select(&db, &[Matcher::equal("job", "node")])), before);
}

#[test]
fn a_locked_directory_cannot_be_opened_twice() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), opts()).unwrap();
    let err = Db::open(dir.path(), opts()).unwrap_err();
    assert!(matches!(err, Error::Locked { .. }));
    assert!(err.to_string().contains("locked"), "{err}");
    db.close().unwrap();
    Db::open(dir.path(), opts()).unwrap();
}

#[test]
fn concurrent_appends_and_queries() {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(Db::open(dir.path(), opts()).unwrap());
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let db = db.clone();
            std::thread::spawn(move || {
                let mut refs = vec![0u64; 50];
                for k in 0..200i64 {
                    let mut app = db.appender();
                    for (i, r) in refs.iter_mut().enumerate() {
                        *r = app.append(*r, &labels(&format!("w{w}"), i), Sample::Float { t: k, v: k as f64 }).unwrap();
                    }
                    app.commit().unwrap();
                }
            })
        })
        .collect();
    let reader = {
        let db = db.clone();
        std::thread::spawn(move || {
            for _ in 0..50 {
                let set = select(&db, &[Matcher::equal("job", "node")]);
                for s in &set {
                    assert!(s.samples.timestamps.windows(2).all(|w| w[0] < w[1]));
                }
            }
        })
    };
    for w in writers {
        w.join().unwrap();
    }
    reader.join().unwrap();
    let set = select(&db, &[Matcher::equal("job", "node")]);
    assert_eq!(set.len(), 200);
    assert!(set.iter().all(|s| s.samples.len() == 200));
    assert_eq!(db.stats().samples_appended, 200 * 200);
}

const CHILD_ENV: &str = "VIGIL_TSDB_CRASH_CHILD_DIR";

/// In the child: append and commit forever, printing each acknowledged commit's timestamp.
#[test]
fn crash_child() {
    use std::io::Write;
    let Ok(dir) = std::env::var(CHILD_ENV) else { return };
    let db = Db::open(Path::new(&dir), opts()).unwrap();
    let mut out = std::io::stdout().lock();
    for k in 1.. {
        let mut app = db.appender();
        for i in 0..20 {
            app.append(0, &labels("crash", i), Sample::Float { t: k, v: k as f64 }).unwrap();
        }
        // Histograms in the same commits: their WAL records must be as durable.
        for i in 0..5 {
            let h = histograms::counter(k as f64);
            app.append(0, &labels("crash_h", i), Sample::FloatHistogram { t: k, h }).unwrap();
        }
        app.commit().unwrap();
        writeln!(out, "ack {k}").unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn acknowledged_commits_survive_kill_9() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut child = std::process::Command::new(exe)
        .args(["--exact", "db::tests::crash_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut acked = 0i64;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(k) = line.strip_prefix("ack ") {
            acked = k.parse().unwrap();
            if acked >= 2_000 {
                child.kill().unwrap(); // SIGKILL on Unix
                break;
            }
        }
    }
    child.wait().unwrap();
    assert!(acked >= 2_000);
    let db = Db::open(dir.path(), opts()).unwrap();
    let set = select(&db, &[Matcher::equal("__name__", "crash")]);
    assert_eq!(set.len(), 20);
    for s in &set {
        let n = s.samples.len() as i64;
        assert!(n >= acked, "{} has {n} samples, {acked} acknowledged", s.labels);
        assert_eq!(s.samples.timestamps[..acked as usize], (1..=acked).collect::<Vec<_>>()[..]);
    }
    let set = select(&db, &[Matcher::equal("__name__", "crash_h")]);
    assert_eq!(set.len(), 5);
    for s in &set {
        let h = &s.samples.histograms;
        assert!(h.len() as i64 >= acked, "{} has {} histograms, {acked} acknowledged", s.labels, h.len());
        for (k, (t, h)) in h.iter().take(acked as usize).enumerate() {
            assert_eq!((*t, h.count), (k as i64 + 1, k as f64 + 1.0));
        }
    }
}

#[test]
fn select_over_sealed_chunks_matches_the_appended_samples_for_every_range() {
    // One head chunk file, and many 4 KiB ones (reads cannot be merged across files).
    check_sealed_selects(opts());
    check_sealed_selects(Options { chunk_file_size: 4096, ..opts() });
}

fn check_sealed_selects(opts: Options) {
    // 64 series × 600 samples: five sealed chunks each plus the open one, decoded in parallel.
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), opts).unwrap();
    load(&db, 64, 600);
    let all = [Matcher::new(MatchOp::Regex, "__name__", ".+").unwrap()];
    let full = select(&db, &all);
    assert_eq!(full.len(), 64);
    assert!(full.iter().all(|s| s.samples.len() == 600));
    // Sorted by labels, whatever the decoding order.
    assert!(full.windows(2).all(|w| w[0].labels < w[1].labels));
    let first = 1_000_000;
    for (lo, hi) in [
        (first, first + 599 * 15_000),
        (first + 7_000, first + 3_000_000),
        (first + 1_800_000, first + 1_800_000),
        (0, first - 1),
    ] {
        let q = db.querier(lo, hi).unwrap();
        let got = q.select(&SelectHints::default(), &all).unwrap();
        // The lazy select yields the same samples, chunk by chunk (series it finds empty dropped).
        let lazy: Vec<Series> = q
            .select_lazy(&SelectHints::default(), &all)
            .unwrap()
            .into_iter()
            .map(|s| {
                let samples = vigil_storage::collect(&mut vigil_storage::ChunkSamples::new(s.chunks)).unwrap();
                Series { labels: s.labels, samples }
            })
            .filter(|s| !s.samples.is_empty())
            .collect();
        assert_eq!(bits(&lazy), bits(&got), "lazy select, range {lo}..={hi}");
        let want: Vec<(String, Vec<i64>, Vec<u64>)> = bits(&full)
            .into_iter()
            .map(|(l, ts, vs)| {
                let keep: Vec<usize> = (0..ts.len()).filter(|&i| ts[i] >= lo && ts[i] <= hi).collect();
                (l, keep.iter().map(|&i| ts[i]).collect(), keep.iter().map(|&i| vs[i]).collect())
            })
            .filter(|(_, ts, _): &(String, Vec<i64>, Vec<u64>)| !ts.is_empty())
            .collect();
        assert_eq!(bits(&got), want, "range {lo}..={hi}");
    }
    // Values are what `load` appended (series 0 is the counter k * 1).
    let s0 = full.iter().find(|s| s.labels.get("instance") == Some("host-0")).unwrap();
    assert_eq!(s0.samples.values[599], 599.0);
    assert_eq!(s0.samples.timestamps[599], first + 599 * 15_000);
}

#[test]
fn cancelled_label_queries_fail_and_limits_cut_the_sorted_result() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), opts()).unwrap();
    // More series than the reads walk between two cancellation checks.
    load(&db, 3_000, 1);
    let q = db.querier(i64::MIN, i64::MAX).unwrap();
    let flagged = Cancel::new(Some(Arc::new(AtomicBool::new(true))), None);
    let expired = Cancel::new(None, Some(std::time::Instant::now()));
    let node = [Matcher::equal("job", "node")];
    for cancel in [flagged, expired] {
        let hints = LabelHints { cancel, ..LabelHints::default() };
        for m in [&[][..], &node[..]] {
            assert!(matches!(q.label_names(&hints, m), Err(vigil_storage::Error::Cancelled)), "names {m:?}");
            let values = q.label_values(&hints, "instance", m);
            assert!(matches!(values, Err(vigil_storage::Error::Cancelled)), "values {m:?}");
        }
    }
    let all = LabelHints::default();
    assert_eq!(q.label_names(&all, &node).unwrap(), vec!["__name__", "instance", "job"]);
    assert_eq!(q.label_values(&all, "instance", &[]).unwrap().len(), 3_000);
    let two = LabelHints { limit: 2, ..LabelHints::default() };
    assert_eq!(q.label_names(&two, &[]).unwrap(), vec!["__name__", "instance"]);
    assert_eq!(q.label_values(&two, "instance", &node).unwrap(), vec!["host-0", "host-1"]);
}

/// Label names and the values of `job` seen by a querier over `[lo, hi]` with `matchers`.
fn check_labels(db: &Db, (lo, hi): (i64, i64), matchers: &[Matcher], names: &[&str], jobs: &[&str]) {
    let q = db.querier(lo, hi).unwrap();
    assert_eq!(q.label_names(&LabelHints::default(), matchers).unwrap(), names, "names in {lo}..={hi} {matchers:?}");
    assert_eq!(
        q.label_values(&LabelHints::default(), "job", matchers).unwrap(),
        jobs,
        "jobs in {lo}..={hi} {matchers:?}"
    );
}

#[test]
fn label_names_and_values_honour_the_time_range() {
    let dir = tempfile::tempdir().unwrap();
    // Small chunks, so the old series' samples sit in sealed chunks on disk.
    let db = Db::open(dir.path(), Options { samples_per_chunk: 4, ..opts() }).unwrap();
    let old = Labels::from_pairs(&[("__name__", "up"), ("job", "old"), ("legacy", "yes")]);
    let new = Labels::from_pairs(&[("__name__", "up"), ("job", "new")]);
    let span = Labels::from_pairs(&[("__name__", "up"), ("job", "span"), ("zone", "z")]);
    for k in 0..10 {
        append(&db, &[(old.clone(), 1_000 + k * 100, 1.0), (span.clone(), 1_000 + k * 100, 1.0)]);
    }
    for k in 0..10 {
        append(&db, &[(new.clone(), 100_000 + k * 100, 1.0), (span.clone(), 100_000 + k * 100, 1.0)]);
    }
    let any = [Matcher::new(MatchOp::Regex, "job", ".+").unwrap()];
    // Covering the head: every series, with and without matchers.
    for m in [&[][..], &any[..]] {
        check_labels(&db, (i64::MIN, i64::MAX), m, &["__name__", "job", "legacy", "zone"], &["new", "old", "span"]);
        check_labels(&db, (1_000, 100_900), m, &["__name__", "job", "legacy", "zone"], &["new", "old", "span"]);
    }
    // Recent range: the old-only series is left out.
    check_labels(&db, (50_000, 200_000), &[], &["__name__", "job", "zone"], &["new", "span"]);
    check_labels(&db, (100_900, 100_900), &any, &["__name__", "job", "zone"], &["new", "span"]);
    // Old range: the new-only series is left out; bounds are inclusive.
    check_labels(&db, (0, 1_000), &[], &["__name__", "job", "legacy", "zone"], &["old", "span"]);
    check_labels(&db, (1_900, 1_950), &[], &["__name__", "job", "legacy", "zone"], &["old", "span"]);
    // Between the two: only the series with samples on both sides overlaps.
    check_labels(&db, (2_000, 99_999), &[], &["__name__", "job", "zone"], &["span"]);
    // Matchers still apply within the range.
    check_labels(&db, (0, 5_000), &[Matcher::equal("job", "old")], &["__name__", "job", "legacy"], &["old"]);
    check_labels(&db, (50_000, 200_000), &[Matcher::equal("job", "old")], &[], &[]);
    check_labels(
        &db,
        (50_000, 200_000),
        &[Matcher::equal("legacy", "")],
        &["__name__", "job", "zone"],
        &["new", "span"],
    );
    // No data at all in the range, or an empty range.
    check_labels(&db, (200_000, 300_000), &[], &[], &[]);
    check_labels(&db, (5_000, 1_000), &[], &[], &[]);
    // A fresh database has nothing in any range.
    let dir2 = tempfile::tempdir().unwrap();
    check_labels(&Db::open(dir2.path(), opts()).unwrap(), (0, 10), &[], &[], &[]);
}

mod blocks;
mod histograms;
mod isolation;
