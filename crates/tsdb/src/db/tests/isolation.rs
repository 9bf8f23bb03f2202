//! Read-path guarantees: commit isolation under concurrency (per select and per querier),
//! rollback leaves nothing visible,
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

/// One querier, several selects: every select sees the state the querier was created on, so a
/// query such as `max(x) - min(x)` (two selects of `x`) is 0 while commits keep changing `x`.
#[test]
fn a_querier_sees_one_state_across_all_its_selects() {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(Db::open(dir.path(), opts()).unwrap());
    let all: Arc<Vec<Labels>> = Arc::new((0..GAUGES).map(|i| labels("iso_q", i)).collect());
    let commit = move |db: &Db, step: i64| {
        let mut app = db.appender();
        for l in all.iter() {
            app.append(0, l, Sample::Float { t: step * 1000, v: step as f64 }).unwrap();
        }
        app.commit().unwrap();
    };
    commit(&db, 1);
    let done = Arc::new(AtomicBool::new(false));
    let writer = {
        let (db, done, commit) = (db.clone(), done.clone(), commit.clone());
        std::thread::spawn(move || {
            let mut step = 2;
            while !done.load(Ordering::Relaxed) {
                commit(&db, step);
                step += 1;
            }
            step
        })
    };
    let m = [Matcher::equal("__name__", "iso_q")];
    let latest = |set: &[Series]| -> Vec<f64> { set.iter().map(|s| *s.samples.values.last().unwrap()).collect() };
    let mut queries = 0;
    let mut saw_commits_between = 0;
    while queries < 40 {
        let q = db.querier(i64::MIN, i64::MAX).unwrap();
        let first = q.select(&SelectHints::default(), &m).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = q.select(&SelectHints::default(), &m).unwrap();
        assert_eq!(first.len(), GAUGES);
        let (a, b) = (latest(&first), latest(&second));
        let (lo, hi) = a.iter().chain(&b).fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        assert_eq!(hi - lo, 0.0, "max - min over two selects of one querier");
        drop(q);
        let now = latest(&select(&db, &m));
        if now[0] > a[0] {
            saw_commits_between += 1;
        }
        queries += 1;
    }
    done.store(true, Ordering::Relaxed);
    let steps = writer.join().unwrap();
    assert!(steps > 3 && saw_commits_between > 0, "the writer must have committed during the queries ({steps})");
}

/// Series, label names and values, index-only selects: nothing created or extended after the
/// querier was opened shows through it; a new querier sees it all.
#[test]
fn later_commits_stay_invisible_to_an_open_querier() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), opts()).unwrap();
    append(&db, &[(labels("old", 0), 10, 1.0)]);
    let q = db.querier(i64::MIN, i64::MAX).unwrap();
    append(&db, &[(labels("old", 0), 20, 2.0), (labels("new", 0), 20, 1.0)]);
    let fresh = Labels::from_pairs(&[("__name__", "new"), ("only_on_new", "x")]);
    append(&db, &[(fresh, 30, 1.0), (labels("old", 0), 30, 3.0)]);
    let old = q.select(&SelectHints::default(), &[Matcher::equal("__name__", "old")]).unwrap();
    assert_eq!(old.len(), 1);
    assert_eq!((old[0].samples.timestamps.clone(), old[0].samples.values.clone()), (vec![10], vec![1.0]));
    assert!(q.select(&SelectHints::default(), &[Matcher::equal("__name__", "new")]).unwrap().is_empty());
    let hints = SelectHints { labels_only: true, ..SelectHints::default() };
    assert!(q.select(&hints, &[Matcher::equal("__name__", "new")]).unwrap().is_empty());
    assert_eq!(q.label_values(&LabelHints::default(), "__name__", &[]).unwrap(), vec!["old"]);
    assert!(!q.label_names(&LabelHints::default(), &[]).unwrap().contains(&"only_on_new".to_string()));
    drop(q);
    let q = db.querier(i64::MIN, i64::MAX).unwrap();
    assert_eq!(q.label_values(&LabelHints::default(), "__name__", &[]).unwrap(), vec!["new", "old"]);
    let old = q.select(&SelectHints::default(), &[Matcher::equal("__name__", "old")]).unwrap();
    assert_eq!(old[0].samples.values, vec![1.0, 2.0, 3.0]);
    // Several queriers at once, each on its own state; marks go once the last one closes.
    let q2 = db.querier(i64::MIN, i64::MAX).unwrap();
    append(&db, &[(labels("old", 0), 40, 4.0)]);
    let q3 = db.querier(i64::MIN, i64::MAX).unwrap();
    append(&db, &[(labels("old", 0), 50, 5.0)]);
    let values = |q: &dyn vigil_storage::Querier| {
        q.select(&SelectHints::default(), &[Matcher::equal("__name__", "old")]).unwrap()[0].samples.values.clone()
    };
    assert_eq!(values(q.as_ref()), vec![1.0, 2.0, 3.0]);
    assert_eq!(values(q3.as_ref()), vec![1.0, 2.0, 3.0, 4.0]);
    drop((q, q2, q3));
    assert_eq!(select(&db, &[Matcher::equal("__name__", "old")])[0].samples.values.len(), 5);
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
    assert_eq!(q.label_values(&LabelHints::default(), "__name__", &[]).unwrap(), vec!["kept"]);
    assert!(!q.label_names(&LabelHints::default(), &[]).unwrap().contains(&"only_on_ghost".to_string()));
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
    assert_eq!(q.label_names(&LabelHints::default(), &[]).unwrap(), vec!["__name__", "instance", "job"]);
    assert_eq!(
        q.label_values(&LabelHints::default(), "instance", &[Matcher::equal("__name__", "up")]).unwrap(),
        vec!["host-0", "host-1"]
    );
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

#[test]
fn lazy_selects_decode_only_the_chunks_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), opts()).unwrap();
    // 2 series × 600 samples: several sealed chunks each, then the open one.
    for t in 0..600 {
        append(&db, &[(labels("up", 0), t * 1000, t as f64), (labels("up", 1), t * 1000, 1.0)]);
    }
    let q = db.querier(i64::MIN, i64::MAX).unwrap();
    let m = [Matcher::equal("__name__", "up")];
    let before = decoded(&db);
    let mut set = q.select_lazy(&SelectHints::default(), &m).unwrap();
    assert_eq!(set.len(), 2);
    assert_eq!(decoded(&db), before, "selecting decodes nothing");
    let mut chunk = vigil_storage::Samples::default();
    assert!(set[0].chunks.next_chunk(&mut chunk).unwrap());
    assert_eq!(decoded(&db) - before, 1, "one chunk asked for, one decoded");
    assert_eq!(chunk.timestamps.first(), Some(&0), "oldest chunk first");
    assert!(chunk.len() < 600, "a chunk, not the whole series");
    // The budget is charged for the chunk a series holds, before decoding it: one series walks
    // all its chunks within one chunk's budget, a second series cannot hold one at the same
    // time, and dropping the first returns its charge.
    let full = chunk.len() as u64;
    let budget = SampleBudget::new(full);
    let hints = SelectHints { budget: budget.clone(), ..SelectHints::default() };
    let mut set = q.select_lazy(&hints, &m).unwrap();
    let mut walked = 0;
    while set[0].chunks.next_chunk(&mut chunk).unwrap() {
        walked += chunk.len();
    }
    assert_eq!(walked, 600, "the whole series, one chunk held at a time");
    let mut second = set.pop().unwrap();
    let mut other = vigil_storage::Samples::default();
    assert!(matches!(second.chunks.next_chunk(&mut other), Err(vigil_storage::Error::TooManySamples)));
    drop(set);
    assert_eq!(budget.remaining(), full);
    assert!(second.chunks.next_chunk(&mut other).unwrap());
    let flag = Arc::new(AtomicBool::new(false));
    let hints = SelectHints { cancel: Cancel::new(Some(flag.clone()), None), ..SelectHints::default() };
    let mut set = q.select_lazy(&hints, &m).unwrap();
    assert!(set[1].chunks.next_chunk(&mut chunk).unwrap());
    flag.store(true, Ordering::Relaxed);
    assert!(matches!(set[1].chunks.next_chunk(&mut chunk), Err(vigil_storage::Error::Cancelled)));
}
