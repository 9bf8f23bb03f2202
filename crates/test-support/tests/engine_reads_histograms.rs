//! The engine over both storages holding native histograms: selectors return histogram samples
//! as they were stored (from the head's histogram chunks for the tsdb), a series that switches
//! from floats to histograms yields both kinds in order, and float series next to them are
//! unaffected.
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

fn instant(db: &dyn Queryable, query: &str, t: i64) -> Vec<vigil_promql::VectorSample> {
    let engine = Engine::new(EngineOptions::default());
    match engine.instant(db, query, t, &QueryOptions::default()).unwrap().value {
        Value::Vector(v) => v,
        other => panic!("{query}: {other:?}"),
    }
}

fn check(db: &dyn Queryable) {
    let at = 19 * 15_000;
    let h = instant(db, "h", at);
    assert_eq!(h.len(), 1);
    let want: FloatHistogram = "{{count:19 sum:19 buckets:[19]}}".parse().unwrap();
    assert!(h[0].h.as_deref().is_some_and(|h| h.equals(&want)), "the newest histogram, as stored: {h:?}");
    let mixed = instant(db, "mixed", 9 * 15_000);
    assert_eq!((mixed.len(), mixed[0].v, mixed[0].h.is_none()), (1, 9.0, true), "floats before the switch");
    assert_eq!(instant(db, "count_over_time(f[5m])", at)[0].v, 20.0);
    assert_eq!(instant(db, "f", at)[0].v, 19.0);
    assert_eq!(instant(db, "sum(rate(f[5m]))", at).len(), 1);
    let engine = Engine::new(EngineOptions::default());
    let range = engine.range(db, "mixed", 0, at, 15_000, &QueryOptions::default()).unwrap();
    let Value::Matrix(m) = range.value else { panic!("not a matrix") };
    assert_eq!(m.len(), 1);
    assert_eq!((m[0].points.len(), m[0].histograms.len()), (10, 10));
    assert_eq!(m[0].histograms[0].0, 10 * 15_000);
    assert_eq!(m[0].histograms[0].1.count, 10.0);
    // A range vector keeps both kinds, in their own arrays.
    let Value::Matrix(raw) = engine.instant(db, "mixed[1h]", at, &QueryOptions::default()).unwrap().value else {
        panic!("not a matrix")
    };
    assert_eq!((raw[0].points.len(), raw[0].histograms.len()), (10, 10));
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
