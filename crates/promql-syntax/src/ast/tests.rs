//! Tests for the iterative tree helpers: they must not recurse over long binary spines.

use crate::{BinaryExpr, BinaryOp, Expr, ValueType, parse};

/// Builds `1 + 1 + ... + 1` with `n` operators without going through the parser.
fn chain(n: usize) -> Expr {
    let mut e = Expr::Number(1.0);
    for _ in 0..n {
        e = Expr::Binary(BinaryExpr {
            op: BinaryOp::Add,
            lhs: Box::new(e),
            rhs: Box::new(Expr::Number(1.0)),
            return_bool: false,
            matching: None,
            offsets: Default::default(),
        });
    }
    e
}

#[test]
fn value_type_and_walk_of_long_chain_use_no_stack() {
    let result = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let e = chain(200_000);
            let vt = e.value_type();
            let mut nodes = 0;
            e.walk(&mut |_| nodes += 1);
            let depth = e.nesting_depth();
            // Dropping the chain itself still recurses (derived drop glue); leak it here until
            // `Expr` gets an iterative `Drop`.
            std::mem::forget(e);
            (vt, nodes, depth)
        })
        .map(|h| h.join());
    let (vt, nodes, depth) = match result {
        Ok(Ok(r)) => r,
        _ => panic!("thread failed"),
    };
    assert_eq!(vt, ValueType::Scalar);
    assert_eq!(nodes, 400_001);
    assert_eq!(depth, 200_001);
}

#[test]
fn value_type_mixed() {
    let check = |q: &str, vt: ValueType| assert_eq!(parse(q).map(|e| e.value_type()), Ok(vt), "{q}");
    check("1 + 2 * -(3)", ValueType::Scalar);
    check("1 + 2 * -(up)", ValueType::Vector);
    check("(up[5m])", ValueType::Matrix);
    check("\"s\"", ValueType::String);
    check("((time()))", ValueType::Scalar);
}

#[test]
fn walk_order_is_pre_order_source_order() {
    let e = parse("topk(3, a + b)").map_err(|e| e.to_string());
    let e = match e {
        Ok(e) => e,
        Err(m) => panic!("{m}"),
    };
    let mut seen = Vec::new();
    e.walk(&mut |n| {
        seen.push(match n {
            Expr::Aggregate(_) => "agg".to_string(),
            Expr::Number(x) => x.to_string(),
            Expr::Binary(_) => "+".to_string(),
            Expr::VectorSelector(v) => v.name.clone().unwrap_or_default(),
            _ => "?".to_string(),
        })
    });
    assert_eq!(seen, ["agg", "3", "+", "a", "b"]);
    assert_eq!(e.unparen().children().len(), 2);
}
