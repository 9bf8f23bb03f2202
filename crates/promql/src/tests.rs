//! Engine tests for tricky semantics, each against a hand-computed expectation.

use crate::*;
use vigil_model::{Labels, STALE_NAN, Sample};
use vigil_storage::{Appendable, MemStorage};

/// Labels as pairs and samples as (t ms, v).
type SeriesDef<'a> = (&'a [(&'a str, &'a str)], &'a [(i64, f64)]);

/// Loads `series` into a fresh storage.
fn storage(series: &[SeriesDef<'_>]) -> MemStorage {
    let db = MemStorage::new();
    let mut app = db.appender();
    for (labels, samples) in series {
        let l = Labels::from_pairs(labels);
        for &(t, v) in *samples {
            app.append(0, &l, Sample::Float { t, v }).unwrap();
        }
    }
    app.commit().unwrap();
    db
}

/// Runs an instant query and renders the result as sorted `labels value` lines (or the error).
fn check(db: &MemStorage, q: &str, t: i64, expected: &str) {
    let got = match Engine::default().instant(db, q, t, &QueryOptions::default()) {
        Ok(r) => match r.value {
            Value::Vector(v) => {
                let mut lines: Vec<String> = v.iter().map(|s| format!("{} {}", s.labels, s.v)).collect();
                lines.sort();
                lines.join("\n")
            }
            Value::Scalar(_, v) => format!("scalar {v}"),
            other => format!("{other:?}"),
        },
        Err(e) => format!("ERR {e}"),
    };
    assert_eq!(got, expected, "query {q:?} at {t}");
}

#[test]
fn rate_extrapolation_hand_computed() {
    // Counter 0,10,20,30 at 0s,15s,30s,45s; window (0s, 60s] holds 10,20,30 at 15..45s.
    // increase = 20 over 30s sampled; to_start = 15s (< 1.1*15 → extrapolate fully, but the
    // zero point is 30*(10/20)=15s away, same), to_end = 15s → factor (30+15+15)/30 = 2 → 40.
    let db = storage(&[(&[("__name__", "c")], &[(0, 0.0), (15_000, 10.0), (30_000, 20.0), (45_000, 30.0)])]);
    check(&db, "increase(c[1m])", 60_000, "{} 40");
    check(&db, "rate(c[1m])", 60_000, &format!("{{}} {}", 40.0 / 60.0));
    // Window (-30s, 30s]: 0,10,20 at 0..30s; to_start = 30s ≥ 16.5 → 7.5; zero point 0s away → 0.
    // to_end = 0 → factor 30/30 → 20.
    check(&db, "increase(c[1m])", 30_000, "{} 20");
}

#[test]
fn counter_reset_is_corrected() {
    let db = storage(&[(&[("__name__", "c")], &[(10_000, 5.0), (20_000, 8.0), (30_000, 2.0), (40_000, 4.0)])]);
    // raw delta 4-5 = -1, plus 8 at the reset = 7 over 30s; to_start = 10s < 11, zero point
    // 30*(5/7) > 10 → keep 10; to_end = 10s < 11 → keep; factor (30+10+10)/30 = 5/3.
    check(&db, "increase(c[50s])", 50_000, &format!("{{}} {}", 7.0 * (50.0 / 30.0)));
    check(&db, "resets(c[50s])", 50_000, "{} 1");
}

#[test]
fn lookback_and_staleness() {
    let db = storage(&[
        (&[("__name__", "a")], &[(0, 1.0), (60_000, 2.0), (120_000, STALE_NAN)]),
        (&[("__name__", "b")], &[(0, 7.0)]),
    ]);
    check(&db, "a", 60_000, r#"{__name__="a"} 2"#);
    check(&db, "a", 119_999, r#"{__name__="a"} 2"#);
    check(&db, "a", 120_000, "");
    // Left-open lookback: a sample exactly 5m old is not selected.
    check(&db, "b", 299_999, r#"{__name__="b"} 7"#);
    check(&db, "b", 300_000, "");
    check(&db, "b offset 1m", 60_000, r#"{__name__="b"} 7"#);
    check(&db, "b @ 0", 1_000_000, r#"{__name__="b"} 7"#);
}

#[test]
fn many_to_many_is_an_error() {
    let db = storage(&[
        (&[("__name__", "l"), ("j", "x"), ("i", "1")], &[(0, 1.0)]),
        (&[("__name__", "r"), ("j", "x"), ("k", "1")], &[(0, 1.0)]),
        (&[("__name__", "r"), ("j", "x"), ("k", "2")], &[(0, 1.0)]),
    ]);
    let err = Engine::default().instant(&db, "l + on(j) r", 0, &QueryOptions::default()).unwrap_err();
    assert!(err.to_string().contains("many-to-many matching not allowed"), "{err}");
    let err = Engine::default().instant(&db, "r + on(j) l", 0, &QueryOptions::default()).unwrap_err();
    assert!(err.to_string().contains("multiple matches for labels"), "{err}");
}

#[test]
fn group_left_copies_labels() {
    let db = storage(&[
        (&[("__name__", "m"), ("j", "x"), ("i", "1")], &[(0, 2.0)]),
        (&[("__name__", "m"), ("j", "x"), ("i", "2")], &[(0, 3.0)]),
        (&[("__name__", "info"), ("j", "x"), ("version", "v1")], &[(0, 10.0)]),
    ]);
    check(
        &db,
        "m * on(j) group_left(version) info",
        0,
        "{i=\"1\", j=\"x\", version=\"v1\"} 20\n{i=\"2\", j=\"x\", version=\"v1\"} 30",
    );
}

#[test]
fn topk_orders_and_breaks_ties_by_input_order() {
    let db = storage(&[
        (&[("__name__", "m"), ("i", "a")], &[(0, 1.0)]),
        (&[("__name__", "m"), ("i", "b")], &[(0, 5.0)]),
        (&[("__name__", "m"), ("i", "c")], &[(0, 5.0)]),
        (&[("__name__", "m"), ("i", "d")], &[(0, 3.0)]),
    ]);
    let r = Engine::default().instant(&db, "topk(3, m)", 0, &QueryOptions::default()).unwrap();
    let Value::Vector(v) = r.value else { panic!("not a vector") };
    let order: Vec<&str> = v.iter().map(|s| s.labels.get("i").unwrap()).collect();
    assert_eq!(order, ["b", "c", "d"]);
}

#[test]
fn range_query_steps_and_limits() {
    let db = storage(&[(&[("__name__", "a")], &[(0, 1.0), (30_000, 2.0)])]);
    let r = Engine::default().range(&db, "a", 0, 65_000, 20_000, &QueryOptions::default()).unwrap();
    let Value::Matrix(m) = r.value else { panic!("not a matrix") };
    assert_eq!(m[0].points, vec![(0, 1.0), (20_000, 1.0), (40_000, 2.0), (60_000, 2.0)]);
    let small = Engine::new(EngineOptions { max_samples: 2, ..EngineOptions::default() });
    let err = small.range(&db, "a", 0, 65_000, 20_000, &QueryOptions::default()).unwrap_err();
    assert!(matches!(err, Error::TooManySamples));
    let cancel = Arc::new(AtomicBool::new(true));
    let opts = QueryOptions { cancel: Some(cancel), ..QueryOptions::default() };
    assert!(matches!(Engine::default().instant(&db, "a", 0, &opts), Err(Error::Canceled(_))));
    assert!(matches!(Engine::default().range(&db, "a", 0, 10, 0, &QueryOptions::default()), Err(Error::BadData(_))));
}

#[test]
fn histogram_quantile_interpolates() {
    let db = storage(&[
        (&[("__name__", "h_bucket"), ("le", "1")], &[(0, 10.0)]),
        (&[("__name__", "h_bucket"), ("le", "2")], &[(0, 20.0)]),
        (&[("__name__", "h_bucket"), ("le", "+Inf")], &[(0, 20.0)]),
    ]);
    // rank 10 lands exactly at the end of the first bucket.
    check(&db, "histogram_quantile(0.5, h_bucket)", 0, "{} 1");
    check(&db, "histogram_quantile(0.75, h_bucket)", 0, "{} 1.5");
    check(&db, "histogram_quantile(1, h_bucket)", 0, "{} 2");
}

/// Deterministic pseudo-random numbers for the generated-data tests.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// 60 series `m{i, g}` with 15 s samples over 2 h: ties, ±0, NaNs, stale markers and gaps.
fn generated_storage() -> MemStorage {
    let db = MemStorage::new();
    let mut app = db.appender();
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    for i in 0..60 {
        let l =
            Labels::from_pairs(&[("__name__", "m".to_owned()), ("i", format!("{i:02}")), ("g", format!("{}", i % 4))]);
        let mut t = 0;
        while t <= 7_200_000 {
            let r = xorshift(&mut rng);
            let v = match r % 20 {
                0 => f64::NAN,
                1 => -0.0,
                2 => 0.0,
                3 => STALE_NAN,
                _ => (r % 7) as f64 - 3.0,
            };
            if !r.is_multiple_of(31) {
                app.append(0, &l, Sample::Float { t, v }).unwrap();
            }
            t += if i % 5 == 0 { 60_000 } else { 15_000 };
        }
    }
    app.commit().unwrap();
    db
}

/// `(labels, value bits)` of every point of a range query, keyed by step.
fn range_points(db: &MemStorage, q: &str, start: i64, end: i64, step: i64) -> Vec<(i64, String, u64)> {
    let r = Engine::default().range(db, q, start, end, step, &QueryOptions::default()).unwrap();
    let Value::Matrix(m) = r.value else { panic!("not a matrix") };
    let mut out: Vec<(i64, String, u64)> =
        m.iter().flat_map(|s| s.points.iter().map(move |&(t, v)| (t, s.labels.to_string(), v.to_bits()))).collect();
    out.sort();
    out
}

/// The same points from one instant query per step.
fn instant_points(db: &MemStorage, q: &str, start: i64, end: i64, step: i64) -> Vec<(i64, String, u64)> {
    let mut out = Vec::new();
    let mut t = start;
    while t <= end {
        let r = Engine::default().instant(db, q, t, &QueryOptions::default()).unwrap();
        let Value::Vector(v) = r.value else { panic!("not a vector") };
        out.extend(v.iter().map(|s| (t, s.labels.to_string(), s.v.to_bits())));
        t += step;
    }
    out.sort();
    out
}

#[test]
fn range_queries_match_instant_queries_per_step() {
    // Large enough (60 series x 1,801 steps) for the parallel paths; each step must equal the
    // instant query at that time bit for bit, whatever the thread split.
    let db = generated_storage();
    for q in [
        "max_over_time(m[5m])",
        "max_over_time((-m)[2m:10s])",
        "max_over_time(m[1h])",
        "sum by (g) (m)",
        "avg by (g) (m)",
        "min(m)",
        "max by (g) (m)",
        "count(m)",
        "stddev by (g) (m)",
        "sum by (g) (rate(m[5m]))",
        "m",
    ] {
        let range = range_points(&db, q, 0, 7_200_000, 4_000);
        assert!(!range.is_empty(), "{q}: no points");
        // Comparing every step is slow in debug builds; every 7th step covers all phases.
        let inst = instant_points(&db, q, 0, 7_200_000, 28_000);
        let range_sampled: Vec<_> = range.iter().filter(|p| p.0 % 28_000 == 0).cloned().collect();
        assert_eq!(range_sampled, inst, "{q}");
    }
}

#[test]
fn max_over_time_matches_a_plain_scan() {
    // NaN only when the window holds nothing else; among equal values (0 and -0) the earliest.
    let db = storage(&[(
        &[("__name__", "x")],
        &[(0, f64::NAN), (10_000, -0.0), (20_000, 0.0), (30_000, f64::NAN), (40_000, -1.0), (50_000, f64::NAN)],
    )]);
    let got = range_points(&db, "max_over_time(x[15s])", 0, 60_000, 5_000);
    let want = [
        (0, "NaN"),
        (5_000, "NaN"),
        (10_000, "-0"),
        (15_000, "-0"),
        (20_000, "-0"),
        (25_000, "0"),
        (30_000, "0"),
        (35_000, "NaN"),
        (40_000, "-1"),
        (45_000, "-1"),
        (50_000, "-1"),
        (55_000, "NaN"),
        (60_000, "NaN"),
    ];
    let render = |bits: u64| {
        let v = f64::from_bits(bits);
        if v.is_nan() {
            "NaN".to_owned()
        } else if v == 0.0 && v.is_sign_negative() {
            "-0".to_owned()
        } else {
            v.to_string()
        }
    };
    let got: Vec<(i64, String)> = got.into_iter().map(|(t, _, b)| (t, render(b))).collect();
    let want: Vec<(i64, String)> = want.iter().map(|&(t, v)| (t, v.to_owned())).collect();
    assert_eq!(got, want);
}

#[test]
fn stats_count_queryable_samples_per_step() {
    // Two series sampled every 10s from 0 to 60s.
    let pts: Vec<(i64, f64)> = (0..=6).map(|i| (i * 10_000, i as f64)).collect();
    let db = storage(&[(&[("__name__", "x"), ("i", "1")], &pts), (&[("__name__", "x"), ("i", "2")], &pts)]);
    let opts = QueryOptions { stats: StatsLevel::PerStep, ..QueryOptions::default() };
    // An instant selector sees one sample per series per step.
    let r = Engine::default().range(&db, "x", 0, 60_000, 20_000, &opts).unwrap();
    assert_eq!(r.stats.total_queryable_samples, 8);
    assert_eq!(r.stats.per_step, vec![(0, 2), (20_000, 2), (40_000, 2), (60_000, 2)]);
    assert!(r.stats.peak_samples >= 8, "peak {}", r.stats.peak_samples);
    // A range window (t-25s, t] holds the samples at t-20s..t: 1 at t=0, 3 from t=20s on.
    let r = Engine::default().range(&db, "rate(x[25s])", 0, 60_000, 20_000, &opts).unwrap();
    assert_eq!(r.stats.per_step, vec![(0, 2), (20_000, 6), (40_000, 6), (60_000, 6)]);
    assert_eq!(r.stats.total_queryable_samples, 20);
    // `@` pins every window to the same samples.
    let r = Engine::default().range(&db, "count_over_time(x[25s] @ 60)", 0, 60_000, 20_000, &opts).unwrap();
    assert_eq!(r.stats.per_step, vec![(0, 6), (20_000, 6), (40_000, 6), (60_000, 6)]);
    // What a subquery's inner steps read is not counted; its output points at 40s, 50s and 60s
    // inside the outer window are.
    let r = Engine::default().instant(&db, "max_over_time(x[30s:10s])", 60_000, &opts).unwrap();
    assert_eq!(r.stats.per_step, vec![(60_000, 6)]);
    assert_eq!(r.stats.total_queryable_samples, 6);
    // Without a level asking for windows, only instant selectors count, and no per-step list.
    let r = Engine::default().range(&db, "rate(x[25s])", 0, 60_000, 20_000, &QueryOptions::default()).unwrap();
    assert_eq!(r.stats.total_queryable_samples, 0);
    assert!(r.stats.per_step.is_empty());
    let t = r.stats.timings;
    assert!(t.eval_total >= t.inner_eval && t.exec_total >= t.eval_total, "{t:?}");
}

/// What the recorder keeps of a log entry: query, step, error, queryable samples.
type LoggedQuery = (String, i64, Option<String>, u64);

/// A logger that keeps what it was given.
#[derive(Debug, Default)]
struct Recorder(std::sync::Mutex<Vec<LoggedQuery>>);

impl QueryLogger for Recorder {
    fn enabled(&self) -> bool {
        true
    }
    fn log(&self, e: &QueryLogEntry<'_>) {
        let row = (e.query.to_owned(), e.step_ms, e.error.clone(), e.stats.total_queryable_samples);
        self.0.lock().unwrap().push(row);
    }
}

#[test]
fn query_logger_sees_successes_and_failures_with_window_counts() {
    let pts: Vec<(i64, f64)> = (0..=6).map(|i| (i * 10_000, i as f64)).collect();
    let db = storage(&[(&[("__name__", "x")], &pts)]);
    let rec = Arc::new(Recorder::default());
    let engine =
        Engine::new(EngineOptions { max_samples: 5, ..EngineOptions::default() }).with_query_logger(rec.clone());
    engine.range(&db, "rate(x[25s])", 20_000, 40_000, 20_000, &QueryOptions::default()).unwrap();
    engine.instant(&db, "x[1m]", 60_000, &QueryOptions::default()).unwrap_err();
    let rows = rec.0.lock().unwrap().clone();
    assert_eq!(rows.len(), 2, "{rows:?}");
    // The log asks for window counts even though the caller did not.
    assert_eq!(rows[0], ("rate(x[25s])".to_owned(), 20_000, None, 6));
    assert_eq!(rows[1].0, "x[1m]");
    assert_eq!(rows[1].1, 0);
    assert!(rows[1].2.as_deref().is_some_and(|e| e.contains("too many samples")), "{:?}", rows[1].2);
}

/// A storage whose lazy selects cut every series into chunks of 0 to 3 samples, to drive the
/// chunk-by-chunk path of instant selectors that `MemStorage` (one chunk per series) does not.
struct Chunky(MemStorage, std::sync::atomic::AtomicUsize);

impl Chunky {
    fn new(db: MemStorage) -> Self {
        Self(db, std::sync::atomic::AtomicUsize::new(0))
    }
    /// Selects (eager or lazy) made so far.
    fn selects(&self) -> usize {
        self.1.load(std::sync::atomic::Ordering::Relaxed)
    }
}

struct ChunkyQuerier<'a>(Box<dyn vigil_storage::Querier + 'a>, &'a std::sync::atomic::AtomicUsize);

/// Chunks of sizes 0, 1, 2, 3, 0, 1, ..., each charged to the select's budget while held.
struct Cut {
    samples: vigil_storage::Samples,
    pos: usize,
    size: usize,
    held: vigil_storage::HeldChunk,
}

impl vigil_storage::ChunkIterator for Cut {
    fn next_chunk(&mut self, out: &mut vigil_storage::Samples) -> vigil_storage::Result<bool> {
        if self.pos >= self.samples.len() {
            return Ok(false);
        }
        let end = (self.pos + self.size).min(self.samples.len());
        self.held.replace((end - self.pos) as u64)?;
        out.timestamps = self.samples.timestamps[self.pos..end].to_vec();
        out.values = self.samples.values[self.pos..end].to_vec();
        self.pos = end;
        self.size = (self.size + 1) % 4;
        Ok(true)
    }
}

impl vigil_storage::Queryable for Chunky {
    fn querier(&self, mint: i64, maxt: i64) -> vigil_storage::Result<Box<dyn vigil_storage::Querier + '_>> {
        Ok(Box::new(ChunkyQuerier(self.0.querier(mint, maxt)?, &self.1)))
    }
}

impl vigil_storage::Querier for ChunkyQuerier<'_> {
    fn select(
        &self,
        hints: &vigil_storage::SelectHints,
        m: &[vigil_model::Matcher],
    ) -> vigil_storage::Result<vigil_storage::SeriesSet> {
        self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.0.select(hints, m)
    }

    fn select_lazy<'a>(
        &'a self,
        hints: &vigil_storage::SelectHints,
        m: &[vigil_model::Matcher],
    ) -> vigil_storage::Result<Vec<vigil_storage::LazySeries<'a>>> {
        self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // The samples stand for chunks on disk: only the one handed out is charged.
        let unlimited =
            vigil_storage::SelectHints { budget: vigil_storage::SampleBudget::unlimited(), ..hints.clone() };
        Ok(self
            .0
            .select(&unlimited, m)?
            .into_iter()
            .map(|s| vigil_storage::LazySeries {
                labels: s.labels,
                chunks: Box::new(Cut {
                    samples: s.samples,
                    pos: 0,
                    size: 0,
                    held: vigil_storage::HeldChunk::new(hints.budget.clone()),
                }),
            })
            .collect())
    }

    fn label_names(
        &self,
        hints: &vigil_storage::LabelHints,
        m: &[vigil_model::Matcher],
    ) -> vigil_storage::Result<Vec<String>> {
        self.0.label_names(hints, m)
    }

    fn label_values(
        &self,
        hints: &vigil_storage::LabelHints,
        name: &str,
        m: &[vigil_model::Matcher],
    ) -> vigil_storage::Result<Vec<String>> {
        self.0.label_values(hints, name, m)
    }
}

#[test]
fn instant_selectors_give_the_same_answer_whatever_the_chunking() {
    // Irregular samples with gaps longer than the lookback and stale markers.
    let mut series = Vec::new();
    for i in 0..6usize {
        let mut pts = Vec::new();
        let mut t = (i as i64) * 7_000;
        for k in 0..400i64 {
            t += 3_000 + (k * 7_919 + i as i64 * 104_729) % 40_000 + if k % 97 == 0 { 400_000 } else { 0 };
            pts.push((t, if k % 53 == 52 { STALE_NAN } else { (k as f64 * 0.7).sin() }));
        }
        series.push((format!("{i}"), pts));
    }
    let label_sets: Vec<[(&str, &str); 2]> =
        series.iter().map(|(i, _)| [("__name__", "x"), ("i", i.as_str())]).collect();
    let defs: Vec<SeriesDef<'_>> = label_sets.iter().zip(&series).map(|(l, (_, p))| (&l[..], p.as_slice())).collect();
    let mem = storage(&defs);
    let chunky = Chunky::new(storage(&defs));
    let engine = Engine::default();
    let opts = QueryOptions::default();
    for q in ["x", "timestamp(x)", "x offset 1m", "x offset -2m", "x @ 5000", "sum(x)", "x @ end()"] {
        for (start, end, step) in [(0, 9_000_000, 15_000), (100_000, 8_000_000, 333_333), (300_000, 1_000_000, 1_000)] {
            let want = engine.range(&mem, q, start, end, step, &opts).map(|r| format!("{:?}", r.value));
            assert!(want.as_ref().is_ok_and(|w| w.len() > 500), "{q} {start}..{end}/{step}: {want:?}");
            let got = engine.range(&chunky, q, start, end, step, &opts).map(|r| format!("{:?}", r.value));
            assert_eq!(got.map_err(|e| e.to_string()), want.map_err(|e| e.to_string()), "{q} {start}..{end}/{step}");
        }
    }
}

#[test]
fn instant_selectors_are_charged_for_what_they_hold_not_for_what_they_read() {
    // 50 series × 400 samples at 15 s: 20,000 raw samples, 1,000 picked at a 5 m step.
    let pts: Vec<(i64, f64)> = (0..400).map(|i| (i * 15_000, i as f64)).collect();
    let names: Vec<String> = (0..50).map(|i| i.to_string()).collect();
    let label_sets: Vec<[(&str, &str); 2]> = names.iter().map(|i| [("__name__", "x"), ("i", i.as_str())]).collect();
    let defs: Vec<SeriesDef<'_>> = label_sets.iter().map(|l| (&l[..], pts.as_slice())).collect();
    let chunky = Chunky::new(storage(&defs));
    let opts = QueryOptions::default();
    let run = |max_samples: usize, q: &str| {
        Engine::new(EngineOptions { max_samples, ..EngineOptions::default() })
            .range(&chunky, q, 0, 5_985_000, 300_000, &opts)
            .map(|r| format!("{:?}", r.value))
            .map_err(|e| e.to_string())
    };
    for q in ["x", "sum(x)", "max by (i) (x)"] {
        assert_eq!(run(4_000, q), run(usize::MAX, q), "{q}");
    }
    // What the answer itself holds still counts.
    assert_eq!(run(800, "x"), Err(Error::TooManySamples.to_string()));
    // Range functions over a selector hold one series' range per thread, not every series':
    // one select, where the whole raw range (20,000) would have split the grid many times.
    for q in ["rate(x[5m])", "max_over_time(x[10m])", "sum(increase(x[5m]))"] {
        let before = chunky.selects();
        assert_eq!(run(4_000, q), run(usize::MAX, q), "{q}");
        assert_eq!(chunky.selects() - before, 2, "{q}: one select per run");
    }
    // A single series whose range does not fit still splits the grid, and gives the same answer.
    assert_eq!(run(300, "count_over_time(x{i=\"1\"}[1h])"), run(usize::MAX, "count_over_time(x{i=\"1\"}[1h])"));
}

#[test]
fn range_functions_split_the_grid_when_the_raw_range_exceeds_the_budget() {
    // Two counters over 50 minutes at 15 s: 400 raw samples, but a 1 m window holds 4 per series.
    let pts: Vec<(i64, f64)> = (0..200).map(|i| (i * 15_000, (i * 3) as f64)).collect();
    let db = storage(&[(&[("__name__", "c"), ("i", "0")], &pts), (&[("__name__", "c"), ("i", "1")], &pts)]);
    let opts = QueryOptions::default();
    let run = |e: &Engine, q: &str| e.range(&db, q, 60_000, 2_940_000, 60_000, &opts).map(|r| format!("{:?}", r.value));
    let small = Engine::new(EngineOptions { max_samples: 250, ..EngineOptions::default() });
    for q in ["rate(c[1m])", "increase(c[2m])", "max_over_time(c[1m])"] {
        let want = run(&Engine::default(), q).unwrap();
        assert_eq!(run(&small, q).map_err(|e| e.to_string()), Ok(want), "{q}");
    }
    // Pinned by `@`, a half selects as much as the whole: refused, not split forever.
    let pinned = run(&small, "rate(c[50m] @ 3000)").map_err(|e| e.to_string());
    assert_eq!(pinned, Err(Error::TooManySamples.to_string()));
    // Windows that exceed the budget on their own still fail.
    let tiny = Engine::new(EngineOptions { max_samples: 3, ..EngineOptions::default() });
    assert!(matches!(tiny.range(&db, "rate(c[5m])", 60_000, 2_940_000, 60_000, &opts), Err(Error::TooManySamples)));
}

#[test]
fn short_lived_series_are_charged_for_their_values_and_spread_ones_for_their_spans() {
    let db = storage(&[]);
    let opts = QueryOptions::default();
    // 2,000 steps: `count_values` over a value that changes every step makes 2,000 series of
    // one value each: charged about one sample each, as Prometheus counts them.
    let run = |max_samples: usize, q: &str| {
        Engine::new(EngineOptions { max_samples, ..EngineOptions::default() })
            .range(&db, q, 0, 1_999_000, 1_000, &opts)
            .map(|r| match r.value {
                Value::Matrix(m) => m.len(),
                other => panic!("{other:?}"),
            })
    };
    let per_step = r#"count_values("v", vector(time()))"#;
    // Matching with one-side labels that change every step: one output series per step.
    let churn = format!("vector(1) * on() group_left(v) {per_step}");
    // Aggregation over many groups of one value each.
    let groups = format!("sum by (v) ({per_step})");
    // Range functions over short-lived inputs.
    let windows = format!("count_over_time(({per_step})[10s:1s])");
    let filtered = format!("{per_step} and on(v) {per_step}");
    for (q, want) in [(per_step, 2_000), (&churn, 2_000), (&groups, 2_000), (&windows, 2_009), (&filtered, 2_000)] {
        assert_eq!(run(usize::MAX, q).unwrap(), want, "{q}");
        // The windows query holds 10 values per output series: 22,000 samples in Prometheus too.
        assert_eq!(run(30_000, q).unwrap(), want, "{q} within a budget of 15 samples per step");
        assert!(matches!(run(1_000, q), Err(Error::TooManySamples)), "{q}");
    }
    // A value that recurs 1,000 steps later holds the span between: 1,000 series of 1,001 steps
    // (9 bytes each) are charged 563 samples each, not their 2 values.
    let spread = r#"count_values("v", vector(time() % 1000))"#;
    assert_eq!(run(1_000_000, spread).unwrap(), 1_000);
    assert!(matches!(run(100_000, spread), Err(Error::TooManySamples)));
}

#[test]
fn end_is_the_requested_end_of_a_range_query_not_its_last_step() {
    // Samples every 500 ms; the range [0, 10.5 s] at a 1 s step has its last step at 10 s.
    let pts: Vec<(i64, f64)> = (0..=40).map(|i| (i * 500, i as f64 * 0.5)).collect();
    let db = storage(&[(&[("__name__", "x")], &pts)]);
    let engine = Engine::default();
    let points = |q: &str| match engine.range(&db, q, 0, 10_500, 1_000, &QueryOptions::default()).unwrap().value {
        Value::Matrix(m) => m[0].points.clone(),
        other => panic!("{other:?}"),
    };
    let at_end = points("x @ end()");
    assert_eq!(at_end.len(), 11);
    assert!(at_end.iter().all(|&(_, v)| v == 10.5), "{at_end:?}");
    let at_start = points("x @ start()");
    assert!(at_start.iter().all(|&(_, v)| v == 0.0), "{at_start:?}");
}

#[test]
fn trim_operators_cut_histograms_and_drop_floats_with_an_info() {
    let db = MemStorage::new();
    let mut app = db.appender();
    let hist: vigil_model::FloatHistogram =
        "{{schema:-53 sum:172.5 count:15 custom_values:[5 10 15 20] buckets:[1 6 4 3 1]}}".parse().unwrap();
    let h = std::sync::Arc::new(hist);
    for (labels, sample) in [
        (Labels::from_pairs(&[("__name__", "m"), ("k", "h")]), Sample::FloatHistogram { t: 0, h }),
        (Labels::from_pairs(&[("__name__", "m"), ("k", "f")]), Sample::Float { t: 0, v: 3.0 }),
        (Labels::from_pairs(&[("__name__", "bound"), ("k", "h")]), Sample::Float { t: 0, v: 13.0 }),
    ] {
        app.append(0, &labels, sample).unwrap();
    }
    app.commit().unwrap();
    let run = |q: &str| {
        let r = Engine::default().instant(&db, q, 0, &QueryOptions::default()).unwrap();
        let Value::Vector(v) = r.value else { panic!("{q}: not a vector") };
        let got: Vec<String> = v
            .iter()
            .map(|s| format!("{} {}", s.labels, s.h.as_deref().map_or(s.v.to_string(), |h| h.to_string())))
            .collect();
        (got, r.infos)
    };
    // The histogram keeps its name; the float goes, with Prometheus' info.
    let (got, infos) = run("m </ 13");
    assert_eq!(
        got,
        [r#"{__name__="m", k="h"} {{schema:-53 count:9.4 sum:75.1 custom_values:[5 10 15 20] buckets:[1 6 2.4]}}"#]
    );
    assert_eq!(
        infos,
        [r#"PromQL info: incompatible sample types encountered for binary operator "</": float </ float (1:1)"#]
    );
    // A vector of bounds, matched one-to-one; the name stays here too.
    let (got, infos) = run("m >/ bound");
    assert_eq!(
        got,
        [
            r#"{__name__="m", k="h"} {{schema:-53 count:5.6 sum:94.9 custom_values:[5 10 15 20] offset:2 buckets:[1.6 3 1]}}"#
        ]
    );
    assert!(infos.is_empty(), "{infos:?}");
    let (got, infos) = run("bound >/ on(k) m");
    assert!(got.is_empty(), "{got:?}");
    assert_eq!(
        infos,
        [r#"PromQL info: incompatible sample types encountered for binary operator ">/": float >/ histogram (1:1)"#]
    );
}
