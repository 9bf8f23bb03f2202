//! The deepest queries the parser's default limits accept, of every shape, evaluate on a thread
//! with exactly [`QUERY_STACK_SIZE`] of stack; one level more is a positioned parse error. This is
//! what keeps a hostile query from overflowing the stack (which aborts the whole process).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use vigil_model::{Labels, Sample};
use vigil_promql::{Engine, EngineOptions, QueryOptions};
use vigil_promql_syntax::{DEFAULT_MAX_BINARY_OPS, DEFAULT_MAX_DEPTH, QUERY_STACK_SIZE};
use vigil_storage::{Appendable, MemStorage};

fn storage() -> MemStorage {
    let s = MemStorage::new();
    let mut app = s.appender();
    for t in 0..20 {
        let labels = Labels::from_pairs(&[("__name__", "up"), ("job", "a")]);
        app.append(0, &labels, Sample::Float { t: t * 15_000, v: 1.0 }).unwrap();
    }
    app.commit().unwrap();
    s
}

/// `levels` nestings of `open … close` around `inner`.
fn nest(open: &str, inner: &str, close: &str, levels: usize) -> String {
    format!("{}{inner}{}", open.repeat(levels), close.repeat(levels))
}

fn chain(term: &str, op: &str, ops: usize) -> String {
    let mut q = term.to_owned();
    for _ in 0..ops {
        q.push_str(op);
        q.push_str(term);
    }
    q
}

/// Builds a query of a shape nested `levels` deep.
type MakeQuery = Box<dyn Fn(usize) -> String>;

/// Each shape as (name, levels → query, most levels accepted).
fn shapes() -> Vec<(&'static str, MakeQuery, usize)> {
    let d = DEFAULT_MAX_DEPTH;
    vec![
        ("parentheses", Box::new(|n| nest("(", "up", ")", n)), d),
        ("function calls", Box::new(|n| nest("abs(", "up", ")", n)), d),
        ("unary minus", Box::new(|n| format!("{}up", "-".repeat(n))), d),
        ("aggregations", Box::new(|n| nest("sum(", "up", ")", n)), d),
        ("aggregations with a parameter", Box::new(|n| nest("topk(1, ", "up", ")", n)), d),
        // The innermost `[` is one level below the innermost call's `(`.
        ("subqueries", Box::new(|n| nest("max_over_time(", "up", "[1m:15s])", n)), d - 1),
        ("right operands", Box::new(|n| nest("up + (", "up", ")", n)), d),
    ]
}

fn on_query_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(QUERY_STACK_SIZE).spawn(f).unwrap().join().unwrap()
}

#[test]
fn deepest_accepted_queries_evaluate_on_the_query_stack() {
    on_query_stack(|| {
        let db = storage();
        let engine = Engine::new(EngineOptions::default());
        let opts = QueryOptions::default();
        for (name, make, levels) in shapes() {
            let q = make(levels);
            engine.instant(&db, &q, 300_000, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
            engine.range(&db, &q, 0, 300_000, 60_000, &opts).unwrap_or_else(|e| panic!("{name} (range): {e}"));
        }
        for (name, op) in [("+", " + "), ("and", " and "), ("or", " or "), ("^", " ^ "), ("/ on()", " / on() ")] {
            let q = chain("up", op, DEFAULT_MAX_BINARY_OPS);
            engine.instant(&db, &q, 300_000, &opts).unwrap_or_else(|e| panic!("chain of {name}: {e}"));
        }
        let q = chain("1", " + ", DEFAULT_MAX_BINARY_OPS);
        let r = engine.instant(&db, &q, 300_000, &opts).unwrap();
        assert_eq!(format!("{:?}", r.value), format!("{:?}", vigil_promql::Value::Scalar(300_000, 4097.0)));
    });
}

#[test]
fn one_level_more_is_a_positioned_error() {
    on_query_stack(|| {
        let db = storage();
        let engine = Engine::new(EngineOptions::default());
        let opts = QueryOptions::default();
        for (name, make, levels) in shapes() {
            let q = make(levels + 1);
            let err = engine.instant(&db, &q, 300_000, &opts).expect_err(name).to_string();
            assert!(err.contains("parse error: expression nesting too deep (more than 256 levels)"), "{name}: {err}");
        }
        let err = engine.instant(&db, &chain("1", "+", DEFAULT_MAX_BINARY_OPS + 1), 0, &opts).unwrap_err().to_string();
        assert!(err.contains("too many binary operators (more than 4096)"), "{err}");
        // The position is the first token over the limit: 1 + 4096 × "+1" puts it at column 8,194.
        assert!(err.contains("1:8194: parse error"), "{err}");
    });
}
