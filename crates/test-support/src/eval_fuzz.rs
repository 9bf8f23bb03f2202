//! Evaluator fuzzing: turns arbitrary bytes into a small dataset and a well-typed PromQL query,
//! then runs the query through [`vigil_promql::Engine`] as an instant and a range query under
//! tight limits. Used by the cargo-fuzz target `promql_eval` and replayed deterministically by
//! the `eval_fuzz` test, so CI exercises the same path without a nightly toolchain.
//!
//! The generator is type-directed (it asks for a vector, a range vector or a scalar and picks a
//! construct of that type), so most inputs reach evaluation instead of dying in the type checker.

use vigil_model::{Labels, Sample};
use vigil_promql::{Engine, EngineOptions, QueryOptions, Value};
use vigil_promql_syntax::{FUNCTIONS, ValueType};
use vigil_storage::{Appendable, MemStorage};

/// Limits the fuzzed queries run under: small enough that one case stays within megabytes.
pub const MAX_SAMPLES: usize = 200_000;
/// Deepest expression the generator builds.
const MAX_GEN_DEPTH: u32 = 6;

/// What one case did (for statistics in the replay test; every outcome is acceptable, a panic
/// or a limit breach is not).
#[derive(Debug, Default, Clone, Copy)]
pub struct Outcome {
    /// Queries that evaluated successfully.
    pub ok: usize,
    /// Queries that returned an error.
    pub err: usize,
}

/// Reads generator decisions from the input, then zeros once it runs out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }

    fn below(&mut self, n: usize) -> usize {
        usize::from(self.byte()) % n.max(1)
    }

    fn pick<'s, T>(&mut self, items: &'s [T]) -> &'s T {
        &items[self.below(items.len())]
    }
}

const METRICS: &[&str] = &["a", "b", "c_total", "d_bucket"];
const JOBS: &[&str] = &["x", "y", "z"];
const VALUES: &[f64] =
    &[0.0, 1.0, -1.0, 0.5, 2.0, 100.0, 1e300, -1e300, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, 3.0, 42.0];
const LES: &[&str] = &["0.1", "1", "10", "+Inf"];
const DURATIONS: &[&str] = &["1m", "5m", "30s", "1h", "15s", "2m", "1s", "10m"];
const STEPS: &[&str] = &["", "1m", "30s", "15s", "5m"];
const BINOPS: &[&str] = &["+", "-", "*", "/", "%", "^", "atan2", "==", "!=", ">", "<", ">=", "<=", "> bool", "== bool"];
const SETOPS: &[&str] = &["and", "or", "unless"];
/// Histogram trims need a vector on the left, so they are generated only as `vector op scalar`.
const TRIMS: &[&str] = &["</", ">/"];
const MATCHINGS: &[&str] = &[
    "",
    " on(job)",
    " ignoring(instance)",
    " on(job) group_left",
    " ignoring(le) group_right",
    " fill(0)",
    " on(job) group_left fill_right(1)",
    " ignoring(le) group_right fill_left(NaN) fill_right(-1)",
];
const AGGS: &[&str] = &["sum", "avg", "min", "max", "count", "group", "stddev", "stdvar"];
const PARAM_AGGS: &[&str] = &["topk", "bottomk", "quantile", "limitk", "limit_ratio"];
const GROUPINGS: &[&str] = &["", " by (job)", " without (instance)", " by (le)", " by ()", " without ()"];
const SCALARS: &[&str] = &["1", "0", "-1", "2", "0.5", "1e18", "-1e18", "NaN", "Inf", "3", "100", "0.99"];

/// Loads the dataset the input describes: up to 12 series of up to 40 samples, 15 s apart.
fn load(b: &mut Bytes<'_>, storage: &MemStorage) {
    let mut app = storage.appender();
    for i in 0..1 + b.below(12) {
        let name = *b.pick(METRICS);
        let instance = format!("i{i}");
        let mut pairs = vec![("__name__", name), ("job", *b.pick(JOBS)), ("instance", instance.as_str())];
        if name.ends_with("_bucket") {
            pairs.push(("le", *b.pick(LES)));
        }
        let labels = Labels::from_pairs(&pairs);
        let counter = name.ends_with("_total") || name.ends_with("_bucket");
        let mut v = 0.0;
        let mut t = i64::from(b.byte()) * 1000;
        for _ in 0..b.below(40) {
            v = if counter { v + f64::from(b.byte() % 8) } else { *b.pick(VALUES) };
            t += 15_000 * (1 + i64::from(b.byte() % 3));
            // A reset now and then.
            if counter && b.below(16) == 0 {
                v = 0.0;
            }
            let _ = app.append(0, &labels, Sample::Float { t, v });
        }
    }
    let _ = app.commit();
}

fn selector(b: &mut Bytes<'_>) -> String {
    let name = *b.pick(METRICS);
    match b.below(5) {
        0 => name.to_owned(),
        1 => format!("{name}{{job=\"{}\"}}", b.pick(JOBS)),
        2 => format!("{name}{{job=~\"{}|y\"}}", b.pick(JOBS)),
        3 => format!("{{__name__=~\"{}.*\", job!=\"{}\"}}", &name[..1], b.pick(JOBS)),
        _ => format!("{name} offset {}", b.pick(DURATIONS)),
    }
}

fn gen_matrix(b: &mut Bytes<'_>, depth: u32) -> String {
    if depth >= MAX_GEN_DEPTH || b.below(3) != 0 {
        // `x offset 5m[1m]` is not PromQL: the range goes before the offset.
        let sel = selector(b);
        let range = *b.pick(DURATIONS);
        return match sel.split_once(" offset ") {
            Some((s, o)) => format!("{s}[{range}] offset {o}"),
            None => format!("{sel}[{range}]"),
        };
    }
    format!("({})[{}:{}]", expr(b, ValueType::Vector, depth + 1), b.pick(DURATIONS), b.pick(STEPS))
}

fn gen_call(b: &mut Bytes<'_>, want: ValueType, depth: u32) -> Option<String> {
    let candidates: Vec<_> = FUNCTIONS.iter().filter(|f| f.return_type == want).collect();
    let f = *b.pick(&candidates);
    let n = if f.variadic > 0 {
        f.arg_types.len() - b.below(usize::try_from(f.variadic).unwrap_or(0) + 1)
    } else {
        f.arg_types.len()
    };
    let mut args = Vec::with_capacity(n);
    for &t in &f.arg_types[..n] {
        args.push(match t {
            ValueType::String => match f.name {
                "label_replace" | "label_join" => format!("\"{}\"", b.pick(&["job", "dst", "instance", "__name__"])),
                _ => format!("\"{}\"", b.pick(&["job", "(.*)", "$1", ",", ""])),
            },
            t => expr(b, t, depth + 1),
        });
    }
    Some(format!("{}({})", f.name, args.join(", ")))
}

fn expr(b: &mut Bytes<'_>, want: ValueType, depth: u32) -> String {
    let leaf = depth >= MAX_GEN_DEPTH;
    match want {
        ValueType::Matrix => gen_matrix(b, depth),
        ValueType::String => "\"s\"".to_owned(),
        ValueType::Scalar => match if leaf { 0 } else { b.below(5) } {
            0 | 1 => (*b.pick(SCALARS)).to_owned(),
            2 => format!("scalar({})", expr(b, ValueType::Vector, depth + 1)),
            3 => format!("({} {} {})", expr(b, want, depth + 1), b.pick(BINOPS), expr(b, want, depth + 1)),
            _ => gen_call(b, want, depth).unwrap_or_else(|| "time()".to_owned()),
        },
        ValueType::Vector => match if leaf { 0 } else { b.below(9) } {
            0 | 1 => selector(b),
            2 => gen_call(b, want, depth).unwrap_or_else(|| selector(b)),
            3 => {
                let op = *b.pick(BINOPS);
                let m = if op.contains("bool") { "" } else { *b.pick(MATCHINGS) };
                format!("({} {op}{m} {})", expr(b, want, depth + 1), expr(b, want, depth + 1))
            }
            4 => format!("({} {} {})", expr(b, want, depth + 1), b.pick(SETOPS), expr(b, want, depth + 1)),
            5 => {
                let op = if b.below(8) == 0 { *b.pick(TRIMS) } else { *b.pick(BINOPS) };
                format!("({} {op} {})", expr(b, want, depth + 1), expr(b, ValueType::Scalar, depth + 1))
            }
            6 => format!("{}{}({})", b.pick(AGGS), b.pick(GROUPINGS), expr(b, want, depth + 1)),
            7 => format!(
                "{}{}({}, {})",
                b.pick(PARAM_AGGS),
                b.pick(GROUPINGS),
                expr(b, ValueType::Scalar, depth + 1),
                expr(b, want, depth + 1)
            ),
            _ => format!("-({})", expr(b, want, depth + 1)),
        },
    }
}

/// The query is generated from the first half of the input and the data from the second, so
/// that a long dataset never starves the query generator.
fn split(data: &[u8]) -> (Bytes<'_>, Bytes<'_>) {
    let (q, d) = data.split_at(data.len() / 2);
    (Bytes(q), Bytes(d))
}

/// Generates the query for `data` , for reporting a failing case.
pub fn query_for(data: &[u8]) -> String {
    let (mut b, _) = split(data);
    let want = if b.below(4) == 0 { ValueType::Scalar } else { ValueType::Vector };
    expr(&mut b, want, 0)
}

/// Runs one fuzz case: loads the data, evaluates the query instant and range, and checks that
/// results respect the limits. Panics (the fuzzer's signal) only on a broken invariant.
pub fn run_case(data: &[u8]) -> Outcome {
    let storage = MemStorage::new();
    let (mut b, mut d) = split(data);
    load(&mut d, &storage);
    let want = if b.below(4) == 0 { ValueType::Scalar } else { ValueType::Vector };
    let query = expr(&mut b, want, 0);
    let engine = Engine::new(EngineOptions {
        max_samples: MAX_SAMPLES,
        features: vigil_promql::Features::all(),
        ..EngineOptions::default()
    });
    let opts = QueryOptions::default();
    let mut out = Outcome::default();
    let t = 600_000 + i64::from(b.byte()) * 1000;
    match engine.instant(&storage, &query, t, &opts) {
        Ok(r) => {
            out.ok += 1;
            if let Value::Vector(v) = &r.value {
                assert!(v.len() <= MAX_SAMPLES, "{query}: {} samples over the limit", v.len());
            }
        }
        Err(_) => out.err += 1,
    }
    let step = 15_000 * (1 + i64::from(b.byte() % 8));
    match engine.range(&storage, &query, 0, 900_000, step, &opts) {
        Ok(r) => {
            out.ok += 1;
            let Value::Matrix(m) = &r.value else { panic!("{query}: range query did not return a matrix") };
            let points: usize = m.iter().map(|s| s.points.len()).sum();
            assert!(points <= MAX_SAMPLES, "{query}: {points} points over the limit");
            for s in m {
                assert!(
                    s.points.windows(2).all(|w| w[0].0 < w[1].0),
                    "{query}: range result timestamps not increasing for {:?}",
                    s.labels
                );
                assert!(
                    s.points.iter().all(|p| p.0 >= 0 && p.0 <= 900_000 && p.0 % step == 0),
                    "{query}: range result point off the grid"
                );
            }
        }
        Err(_) => out.err += 1,
    }
    out
}
