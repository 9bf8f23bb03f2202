//! The float-only engine over storages holding native histograms: histogram samples are passed
//! over (as `SampleIterator::next` documents), so queries over mixed data neither fail nor see
//! them, and float series next to them are unaffected. Guards the read path until the engine
//! switches to `next_value`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic.

use std::sync::Arc;
use vigil_model::{FloatHistogram, Labels, Sample};
use vigil_promql::{Engine, EngineOptions, QueryOptions, Value};
use vigil_storage::{Appendable, MemStorage, Queryable};

fn load(db: &dyn Appendable) {
    let mut app = db.appender();
    let h = Labels::from_pairs(&[("__name__", "h")]);
    let mixed = Labels::from_pairs(&[("__name__", "mixed")]);
    let f = Labels::from_pairs(&[("__name__", "f")]);
    for k in 0..20i64 {
        let t = k * 15_000;
        let hist: FloatHistogram = format!("{{{{count:{k} sum:{k} buckets:[{k}]}}}}").parse().unwrap();
        let hist = Arc::new(hist);
        app.append(0, &h, Sample::FloatHistogram { t, h: hist.clone() }).unwrap();
        // Floats for the first half, histograms after.
        let sample = if k < 10 { Sample::Float { t, v: k as f64 } } else { Sample::FloatHistogram { t, h: hist } };
        app.append(0, &mixed, sample).unwrap();
        app.append(0, &f, Sample::Float { t, v: k as f64 }).unwrap();
    }
    app.commit().unwrap();
}

fn vector_len(db: &dyn Queryable, query: &str, t: i64) -> usize {
    let engine = Engine::new(EngineOptions::default());
    match engine.instant(db, query, t, &QueryOptions::default()).unwrap().value {
        Value::Vector(v) => v.len(),
        other => panic!("{query}: {other:?}"),
    }
}

fn check(db: &dyn Queryable) {
    let at = 19 * 15_000;
    assert_eq!(vector_len(db, "h", at), 0, "a histogram-only series has no float sample");
    assert_eq!(vector_len(db, "rate(h[5m])", at), 0);
    assert_eq!(vector_len(db, "mixed", 9 * 15_000), 1, "floats before the switch are seen");
    assert_eq!(vector_len(db, "count_over_time(mixed[5m])", at), 1);
    assert_eq!(vector_len(db, "f", at), 1);
    assert_eq!(vector_len(db, "sum(rate(f[5m]))", at), 1);
    let engine = Engine::new(EngineOptions::default());
    let range = engine.range(db, "mixed", 0, at, 15_000, &QueryOptions::default()).unwrap();
    let Value::Matrix(m) = range.value else { panic!("not a matrix") };
    assert_eq!(m.len(), 1);
}

#[test]
fn mem_storage() {
    let db = MemStorage::new();
    load(&db);
    check(&db);
}

#[test]
fn tsdb() {
    let dir = tempfile::tempdir().unwrap();
    let opts = vigil_tsdb::Options { retention_ms: 0, maintenance_interval: None, ..vigil_tsdb::Options::default() };
    let db = vigil_tsdb::Db::open(dir.path(), opts).unwrap();
    load(&db);
    check(&db);
}
