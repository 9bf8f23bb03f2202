//! Read-path guarantees: commit isolation under concurrency, rollback leaves nothing visible,
//! index-only answers decode no chunk, and the sample budget and cancellation stop a select.

use super::*;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use vigil_storage::{Cancel, SampleBudget};

const GAUGES: usize = 20_000;

fn decoded(db: &Db) -> u64 {
    db.inner.head.counters.chunks_decoded.load(Ordering::Relaxed)
}

/// Every select sees each writer's commits whole: all 20,000 gauges of a metric carry the same
/// latest value, although commits and selects run concurrently.
#[test]
fn selects_never_see_part_of_a_commit() {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(Db::open(dir.path(), opts()).unwrap());
    let done = Arc::new(AtomicBool::new(false));
    let names = ["iso_a", "iso_b"];
    let writers: Vec<_> = names
        .iter()
        .map(|&name| {
            let db = db.clone();
            std::thread::spawn(move || {
                let all: Vec<Labels> = (0..GAUGES).map(|i| labels(name, i)).collect();
                for step in 1..=8i64 {
                    let mut app = db.appender();
                    for l in &all {
                        app.append(0, l, Sample::Float { t: step * 1000, v: step as f64 }).unwrap();
                    }
                    app.commit().unwrap();
                }
            })
        })
        .collect();
    let readers: Vec<_> = (0..2)
        .map(|r| {
            let (db, done) = (db.clone(), done.clone());
            std::thread::spawn(move || {
                let mut checked = 0;
                while !done.load(Ordering::Relaxed) || checked == 0 {
                    let set = select(&db, &[Matcher::equal("__name__", names[r])]);
                    if set.is_empty() {
                        continue;
                    }
                    assert_eq!(set.len(), GAUGES, "a snapshot holds all series of the first commit or none");
                    let last: Vec<f64> = set.iter().map(|s| *s.samples.values.last().unwrap()).collect();
                    let (lo, hi) = last.iter().fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
                    assert_eq!(hi - lo, 0.0, "max - min of the latest values");
                    checked += 1;
                }
                checked
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    done.store(true, Ordering::Relaxed);
    for r in readers {
        assert!(r.join().unwrap() > 0);
    }
}

#[test]
fn rolled_back_series_are_invisible() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), opts()).unwrap();
    append(&db, &[(labels("kept", 0), 10, 1.0)]);
    let ghost = Labels::from_pairs(&[("__name__", "ghost"), ("only_on_ghost", "x")]);
    let mut app = db.appender();
    app.append(0, &ghost, Sample::Float { t: 20, v: 1.0 }).unwrap();
    app.rollback().unwrap();
    let mut app = db.appender();
    app.append(0, &Labels::from_pairs(&[("__name__", "ghost2")]), Sample::Float { t: 20, v: 1.0 }).unwrap();
    drop(app);
    let q = db.querier(i64::MIN, i64::MAX).unwrap();
    assert_eq!(q.label_values("__name__", &[]).unwrap(), vec!["kept"]);
    assert!(!q.label_names(&[]).unwrap().contains(&"only_on_ghost".to_string()));
    assert!(q.select(&SelectHints::default(), &[Matcher::equal("__name__", "ghost")]).unwrap().is_empty());
    let hints = SelectHints { labels_only: true, ..SelectHints::default() };
    assert!(q.select(&hints, &[Matcher::equal("__name__", "ghost")]).unwrap().is_empty());
}

#[test]
fn index_only_answers_decode_no_chunk() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), opts()).unwrap();
    for t in 0..300 {
        append(&db, &[(labels("up", 0), t * 10, 1.0), (labels("up", 1), t * 10, 2.0)]);
    }
    let q = db.querier(0, 10_000).unwrap();
    let before = decoded(&db);
    let hints = SelectHints { labels_only: true, ..SelectHints::default() };
    assert_eq!(q.select(&hints, &[Matcher::equal("__name__", "up")]).unwrap().len(), 2);
    assert_eq!(q.label_names(&[]).unwrap(), vec!["__name__", "instance", "job"]);
    assert_eq!(q.label_values("instance", &[Matcher::equal("__name__", "up")]).unwrap(), vec!["host-0", "host-1"]);
    assert_eq!(decoded(&db), before, "series, labels and label values read the index only");
    assert_eq!(select(&db, &[Matcher::equal("__name__", "up")]).len(), 2);
    assert!(decoded(&db) > before);
}

#[test]
fn budget_and_cancel_stop_before_decoding() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), opts()).unwrap();
    for t in 0..10 {
        append(&db, &[(labels("up", 0), t, 1.0), (labels("up", 1), t, 1.0)]);
    }
    let q = db.querier(i64::MIN, i64::MAX).unwrap();
    let m = [Matcher::equal("__name__", "up")];
    let before = decoded(&db);
    let hints = SelectHints { budget: SampleBudget::new(15), ..SelectHints::default() };
    assert!(matches!(q.select(&hints, &m), Err(vigil_storage::Error::TooManySamples)));
    assert_eq!(decoded(&db) - before, 1, "the second series is refused before its chunk is decoded");
    let hints = SelectHints { budget: SampleBudget::new(20), ..SelectHints::default() };
    assert_eq!(q.select(&hints, &m).unwrap().len(), 2);
    let hints =
        SelectHints { cancel: Cancel::new(Some(Arc::new(AtomicBool::new(true))), None), ..SelectHints::default() };
    assert!(matches!(q.select(&hints, &m), Err(vigil_storage::Error::Cancelled)));
}
