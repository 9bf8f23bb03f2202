//! Native histograms through the whole tsdb: append, chunk cuts (type switches, counter resets,
//! layout changes, size), WAL replay, checkpoints, retention, lazy selects and the budget.

use super::*;
use std::sync::Arc;
use vigil_model::FloatHistogram;
use vigil_model::histogram::CounterResetHint;
use vigil_storage::{ChunkSamples, SampleBudget, SampleIterator, SampleValue};

/// A counter-like histogram with `n` observations in bucket 0.
pub(super) fn counter(n: f64) -> Arc<FloatHistogram> {
    Arc::new(FloatHistogram {
        count: n,
        sum: n,
        positive_spans: vec![vigil_model::histogram::Span { offset: 0, length: 1 }],
        positive_buckets: vec![n],
        ..FloatHistogram::default()
    })
}

fn parse(text: &str) -> Arc<FloatHistogram> {
    Arc::new(text.parse().unwrap())
}

/// One series' samples in order, as (t, "f"/"h", value or count).
fn walk(db: &Db, name: &str) -> Vec<(i64, &'static str, f64)> {
    let set = select(db, &[Matcher::equal("__name__", name)]);
    let mut it = vigil_storage::SamplesIterator::new(set.into_iter().next().map(|s| s.samples).unwrap_or_default());
    let mut out = Vec::new();
    while let Some((t, v)) = it.next_value().unwrap() {
        out.push(match v {
            SampleValue::Float(v) => (t, "f", v),
            SampleValue::Histogram(h) if h.is_stale() => (t, "stale", 0.0),
            SampleValue::Histogram(h) => (t, "h", h.count),
        });
    }
    out
}

fn append_h(db: &Db, name: &str, samples: &[(i64, Arc<FloatHistogram>)]) {
    let mut app = db.appender();
    for (t, h) in samples {
        app.append(0, &labels(name, 0), Sample::FloatHistogram { t: *t, h: h.clone() }).unwrap();
    }
    app.commit().unwrap();
}

#[test]
fn a_series_switches_between_floats_and_histograms_and_survives_reopen_and_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), opts()).unwrap();
    append(&db, &[(labels("m", 0), 1_000, 1.0), (labels("m", 0), 2_000, 2.0)]);
    append_h(&db, "m", &[(3_000, counter(1.0)), (4_000, counter(2.0))]);
    // Integer histograms are logged as such and read back as float histograms.
    let int = vigil_model::Histogram {
        count: 3,
        sum: 3.0,
        positive_spans: vec![vigil_model::histogram::Span { offset: 0, length: 1 }],
        positive_buckets: vec![3],
        ..vigil_model::Histogram::default()
    };
    let mut app = db.appender();
    app.append(0, &labels("m", 0), Sample::Histogram { t: 5_000, h: Arc::new(int.clone()) }).unwrap();
    // The same histogram again at the same time is a no-op; a different one is a conflict.
    app.commit().unwrap();
    let mut app = db.appender();
    let dup = app.append(0, &labels("m", 0), Sample::Histogram { t: 5_000, h: Arc::new(int.clone()) });
    assert!(dup.is_ok(), "{dup:?}");
    let conflict = app.append(0, &labels("m", 0), Sample::FloatHistogram { t: 5_000, h: counter(4.0) });
    assert!(matches!(conflict, Err(vigil_storage::Error::DuplicateSample)));
    // As in Prometheus, the float form of the last integer histogram is not a duplicate of it.
    let other_kind = app.append(0, &labels("m", 0), Sample::FloatHistogram { t: 5_000, h: counter(3.0) });
    assert!(matches!(other_kind, Err(vigil_storage::Error::DuplicateSample)));
    let old = app.append(0, &labels("m", 0), Sample::FloatHistogram { t: 10, h: counter(4.0) });
    assert!(matches!(old, Err(vigil_storage::Error::OutOfOrder)));
    let bad = app.append(0, &labels("m", 0), Sample::FloatHistogram { t: 6_000, h: parse("{{buckets:[-1]}}") });
    assert!(matches!(bad, Err(vigil_storage::Error::InvalidSample(_))));
    // A stale float after histograms is stored as a stale histogram.
    app.append(0, &labels("m", 0), Sample::Float { t: 6_000, v: STALE_NAN }).unwrap();
    app.append(0, &labels("m", 0), Sample::Float { t: 7_000, v: 7.0 }).unwrap();
    app.commit().unwrap();
    let want = vec![
        (1_000, "f", 1.0),
        (2_000, "f", 2.0),
        (3_000, "h", 1.0),
        (4_000, "h", 2.0),
        (5_000, "h", 3.0),
        (6_000, "stale", 0.0),
        (7_000, "f", 7.0),
    ];
    assert_eq!(walk(&db, "m"), want);
    db.close().unwrap();
    let db = Db::open(dir.path(), opts()).unwrap();
    assert_eq!(walk(&db, "m"), want, "after WAL replay");
    db.checkpoint().unwrap();
    drop(db);
    let db = Db::open(dir.path(), opts()).unwrap();
    assert_eq!(walk(&db, "m"), want, "after a checkpoint");
}

#[test]
fn chunks_are_cut_on_resets_layout_changes_and_size_and_carry_reset_headers() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), opts()).unwrap();
    let mut samples: Vec<(i64, Arc<FloatHistogram>)> = (0..300).map(|k| (k * 1_000, counter(k as f64 + 1.0))).collect();
    // A counter reset at 300 s, then a layout change (a second bucket) at 301 s.
    samples.push((300_000, counter(1.0)));
    samples.push((301_000, parse("{{count:3 sum:3 buckets:[1 2]}}")));
    append_h(&db, "c", &samples);
    let chunks_before = db.stats().head_chunks;
    // New buckets recode the open chunk instead of cutting one (as Prometheus does).
    assert_eq!(chunks_before, 4, "three 120-sample cuts and the reset");
    let set = select(&db, &[Matcher::equal("__name__", "c")]);
    let h = &set[0].samples.histograms;
    assert_eq!(h.len(), 302);
    let hint = |t: i64| h.iter().find(|p| p.0 == t).map(|p| p.1.counter_reset_hint);
    assert_eq!(hint(0), Some(CounterResetHint::Unknown), "the first chunk knows nothing");
    assert_eq!(hint(1_000), Some(CounterResetHint::NotCounterReset));
    // A chunk cut without a reset reports `Unknown` for its first sample, as Prometheus'
    // readers do: the previous chunk may be gone, so the engine must compare itself.
    assert_eq!(hint(120_000), Some(CounterResetHint::Unknown), "a size cut is no reset, but cannot vouch");
    assert_eq!(hint(300_000), Some(CounterResetHint::CounterReset));
    assert_eq!(hint(301_000), Some(CounterResetHint::NotCounterReset));
    // The recode gave the sample at 300 s the second (empty) bucket, as Prometheus' would.
    assert!(h.iter().zip(&samples).all(|(got, want)| got.0 == want.0 && got.1.compact(0).equals(&want.1.compact(0))));
    assert_eq!(h[300].1.positive_buckets, vec![1.0, 0.0]);
    // Lazy selects walk the same chunks.
    let q = db.querier(i64::MIN, i64::MAX).unwrap();
    let mut lazy = q.select_lazy(&SelectHints::default(), &[Matcher::equal("__name__", "c")]).unwrap();
    let mut it = ChunkSamples::new(lazy.remove(0).chunks);
    let mut n = 0;
    while let Some((t, v)) = it.next_value().unwrap() {
        assert!(matches!(v, SampleValue::Histogram(_)) && t == samples[n].0);
        n += 1;
    }
    assert_eq!(n, 302);
    assert_eq!(
        ChunkSamples::new(
            q.select_lazy(&SelectHints::default(), &[Matcher::equal("__name__", "c")]).unwrap().remove(0).chunks
        )
        .next()
        .unwrap(),
        None,
        "the float path sees no sample"
    );
}

#[test]
fn histograms_are_charged_by_size_and_label_queries_decode_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), opts()).unwrap();
    let samples: Vec<(i64, Arc<FloatHistogram>)> = (0..10).map(|k| (k * 1_000, counter(k as f64))).collect();
    append_h(&db, "b", &samples);
    // One span and one bucket: (168 + 16 + 8) / 16 = 12 per sample.
    let cost = 10 * counter(1.0).sample_cost();
    assert_eq!(cost, 120);
    let q = db.querier(i64::MIN, i64::MAX).unwrap();
    let m = [Matcher::equal("__name__", "b")];
    let short = SelectHints { budget: SampleBudget::new(cost - 1), ..SelectHints::default() };
    assert!(matches!(q.select(&short, &m), Err(vigil_storage::Error::TooManySamples)));
    let exact = SelectHints { budget: SampleBudget::new(cost), ..SelectHints::default() };
    assert_eq!(q.select(&exact, &m).unwrap()[0].samples.histograms.len(), 10);
    let lazy_short = SelectHints { budget: SampleBudget::new(cost - 1), ..SelectHints::default() };
    let mut lazy = q.select_lazy(&lazy_short, &m).unwrap();
    assert!(matches!(ChunkSamples::new(lazy.remove(0).chunks).next_value(), Err(vigil_storage::Error::TooManySamples)));
    let decoded = || db.inner.head.counters.chunks_decoded.load(Ordering::Relaxed);
    let before = decoded();
    let labels_only = SelectHints { labels_only: true, ..SelectHints::default() };
    assert_eq!(q.select(&labels_only, &m).unwrap().len(), 1);
    assert_eq!(q.label_values(&LabelHints::default(), "__name__", &[]).unwrap(), vec!["b"]);
    assert_eq!(decoded(), before, "index-only answers decode no chunk");
}

#[test]
fn retention_drops_old_histogram_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let now = Arc::new(AtomicI64::new(0));
    let clock = now.clone();
    let opts = Options { retention_ms: 3_600_000, clock: Arc::new(move || clock.load(Ordering::Relaxed)), ..opts() };
    let db = Db::open(dir.path(), opts.clone()).unwrap();
    let samples: Vec<(i64, Arc<FloatHistogram>)> = (0..400).map(|k| (k * 15_000, counter(k as f64))).collect();
    append_h(&db, "r", &samples);
    now.store(400 * 15_000 + 1_800_000, Ordering::Relaxed);
    db.run_maintenance().unwrap();
    let got = walk(&db, "r");
    assert!(!got.is_empty() && got.len() < 400, "kept {} of 400", got.len());
    // Whole chunks (at most 120 samples) ending before the cutoff are gone.
    let cutoff = 400 * 15_000 + 1_800_000 - 3_600_000;
    assert!(got[0].0 >= cutoff - 120 * 15_000, "oldest kept sample {} for cutoff {cutoff}", got[0].0);
    drop(db);
    let db = Db::open(dir.path(), opts).unwrap();
    assert_eq!(walk(&db, "r").last().map(|p| p.0), Some(399 * 15_000));
}

#[test]
fn a_torn_histogram_record_loses_only_its_commit() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), opts()).unwrap();
    append_h(&db, "t", &[(1_000, counter(1.0)), (2_000, counter(2.0))]);
    let seg = dir.path().join("wal").join(wal::segment_name(db.stats().wal_segment));
    let good = fs::metadata(&seg).unwrap().len() as usize;
    // One commit with a float record and a histogram record after it.
    let mut app = db.appender();
    app.append(0, &labels("t", 1), Sample::Float { t: 3_000, v: 3.0 }).unwrap();
    app.append(0, &labels("t", 0), Sample::FloatHistogram { t: 3_000, h: counter(3.0) }).unwrap();
    app.commit().unwrap();
    db.close().unwrap();
    let full = fs::read(&seg).unwrap();
    for cut in good + 1..full.len() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir(d.path().join("wal")).unwrap();
        fs::write(d.path().join("wal").join(wal::segment_name(0)), &full[..cut]).unwrap();
        let db = Db::open(d.path(), opts()).unwrap();
        let got = walk(&db, "t");
        assert_eq!(got[..2], [(1_000, "h", 1.0), (2_000, "h", 2.0)], "cut at {cut}");
        assert_eq!(got.len(), 2, "cut at {cut}: the torn histogram record is dropped");
    }
    let db = Db::open(dir.path(), opts()).unwrap();
    assert_eq!(walk(&db, "t").len(), 3, "the whole file replays the commit");
}

#[test]
fn a_querier_never_sees_a_later_histogram_commit() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), opts()).unwrap();
    append_h(&db, "i", &[(1_000, counter(1.0))]);
    let early = db.querier(i64::MIN, i64::MAX).unwrap();
    append_h(&db, "i", &[(2_000, counter(2.0)), (3_000, counter(3.0))]);
    let m = [Matcher::equal("__name__", "i")];
    let seen =
        |q: &dyn vigil_storage::Querier| q.select(&SelectHints::default(), &m).unwrap()[0].samples.histograms.len();
    assert_eq!(seen(early.as_ref()), 1);
    let mut lazy = early.select_lazy(&SelectHints::default(), &m).unwrap();
    let mut it = ChunkSamples::new(lazy.remove(0).chunks);
    assert!(it.next_value().unwrap().is_some() && it.next_value().unwrap().is_none());
    assert_eq!(seen(db.querier(i64::MIN, i64::MAX).unwrap().as_ref()), 3);
}
