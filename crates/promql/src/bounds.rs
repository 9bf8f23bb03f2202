//! The time range of raw data a query needs, to open the querier no wider than necessary.

use vigil_model::Timestamp;
use vigil_promql_syntax::{At, Expr};

/// `(mint, maxt)` in ms of the samples `e` reads when evaluated over `[start, end]`.
pub(crate) fn data_bounds(e: &Expr, start: Timestamp, end: Timestamp, lookback: i64) -> (Timestamp, Timestamp) {
    let mut acc = (Timestamp::MAX, Timestamp::MIN);
    walk(e, start, end, start, end, lookback, &mut acc);
    if acc.0 > acc.1 { (start, end) } else { acc }
}

fn resolve(at: Option<At>, qs: Timestamp, qe: Timestamp) -> Option<Timestamp> {
    at.map(|a| match a {
        At::Timestamp(t) => t,
        At::Start => qs,
        At::End => qe,
    })
}

fn walk(
    e: &Expr,
    start: Timestamp,
    end: Timestamp,
    qs: Timestamp,
    qe: Timestamp,
    lb: i64,
    acc: &mut (Timestamp, Timestamp),
) {
    let mut widen = |lo: Timestamp, hi: Timestamp| {
        acc.0 = acc.0.min(lo);
        acc.1 = acc.1.max(hi);
    };
    match e {
        Expr::VectorSelector(vs) => {
            let at = resolve(vs.at, qs, qe);
            // `smoothed` interpolates towards the first sample after the step, up to a lookback on.
            let after = if vs.extended.is_some() { lb } else { 0 };
            widen(at.unwrap_or(start) - vs.offset_ms - lb + 1, at.unwrap_or(end) - vs.offset_ms + after);
        }
        Expr::MatrixSelector { vs, range_ms } => {
            let at = resolve(vs.at, qs, qe);
            // `anchored` and `smoothed` also read a lookback before the window (the anchor) and
            // `smoothed` a lookback after it.
            let (before, after) = match vs.extended {
                None => (0, 0),
                Some(vigil_promql_syntax::Extended::Anchored) => (lb, 0),
                Some(vigil_promql_syntax::Extended::Smoothed) => (lb, lb),
            };
            widen(at.unwrap_or(start) - vs.offset_ms - range_ms + 1 - before, at.unwrap_or(end) - vs.offset_ms + after);
        }
        Expr::Subquery(sq) => {
            let at = resolve(sq.at, qs, qe);
            let lo = at.unwrap_or(start) - sq.offset_ms - sq.range_ms;
            let hi = at.unwrap_or(end) - sq.offset_ms;
            walk(&sq.expr, lo, hi, qs, qe, lb, acc);
        }
        Expr::Number(_) | Expr::String(_) => {}
        Expr::Neg(x) | Expr::Paren(x) => walk(x, start, end, qs, qe, lb, acc),
        Expr::Binary(b) => {
            walk(&b.lhs, start, end, qs, qe, lb, acc);
            walk(&b.rhs, start, end, qs, qe, lb, acc);
        }
        Expr::Aggregate(a) => {
            walk(&a.expr, start, end, qs, qe, lb, acc);
            if let Some(p) = &a.param {
                walk(p, start, end, qs, qe, lb, acc);
            }
        }
        Expr::Call(c) => c.args.iter().for_each(|a| walk(a, start, end, qs, qe, lb, acc)),
    }
}
