//! Binary operations with a native histogram on at least one side, as Prometheus'
//! `vectorElemBinop`: `h + h`, `h - h` (custom bounds reconciled), `h * f`, `f * h`, `h / f`,
//! `h == h`, `h != h`, and the trims `h </ f`, `h >/ f`; every other combination gives no
//! sample and an info annotation.
//! Annotations are gathered in [`Notes`] while a loop runs and emitted once after it.

use super::super::Ctx;
use std::sync::Arc;
use vigil_model::FloatHistogram;
use vigil_model::histogram::CounterResetHint;
use vigil_promql_syntax::{BinaryExpr, BinaryOp};

/// One sample value of either kind.
#[derive(Debug, Clone)]
pub(super) enum Elem {
    F(f64),
    H(Arc<FloatHistogram>),
}

impl Elem {
    fn kind(&self) -> &'static str {
        match self {
            Elem::F(_) => "float",
            Elem::H(_) => "histogram",
        }
    }
}

/// What the operations of one binary expression had to report.
#[derive(Debug, Default)]
pub(super) struct Notes {
    /// Type pairs (`lhs`, `rhs`) the operator does not apply to.
    incompatible: Vec<(&'static str, &'static str)>,
    /// Histograms whose layouts cannot combine (exponential with custom buckets).
    layout: bool,
    /// Custom bounds that had to be reconciled.
    reconciled: bool,
    /// A counter reset hint contradicting the other operand's.
    collision: bool,
}

impl Notes {
    pub(super) fn incompatible(&mut self, l: &'static str, r: &'static str) {
        if !self.incompatible.contains(&(l, r)) {
            self.incompatible.push((l, r));
        }
    }

    /// Emits the annotations, positioned at the start of the binary expression.
    pub(super) fn emit(self, ctx: &mut Ctx<'_>, b: &BinaryExpr) {
        let at = b.offsets.get(0);
        let op = b.op.as_str();
        for (l, r) in self.incompatible {
            ctx.info_at_offset(
                &format!("PromQL info: incompatible sample types encountered for binary operator {op:?}: {l} {op} {r}"),
                at,
            );
        }
        if self.layout {
            ctx.warn_at_offset(
                &format!("PromQL warning: incompatible bucket layout encountered for binary operator {op}"),
                at,
            );
        }
        let what = if b.op == BinaryOp::Sub { "subtraction" } else { "addition" };
        if self.collision {
            ctx.warn_at_offset(&format!("PromQL warning: conflicting counter resets during histogram {what}"), at);
        }
        if self.reconciled {
            ctx.info_at_offset(&format!("PromQL info: mismatched custom buckets were reconciled during {what}"), at);
        }
    }
}

/// `l op r` where at least one side is a histogram; `None` drops the sample. Comparisons give
/// the left histogram (kept or not) or, with `bool`, 1 or 0.
pub(super) fn apply(op: BinaryOp, return_bool: bool, l: &Elem, r: &Elem, notes: &mut Notes) -> Option<Elem> {
    let out = match (l, r) {
        (Elem::F(f), Elem::H(h)) if op == BinaryOp::Mul => h.mul(*f).compact(0),
        (Elem::H(h), Elem::F(f)) if op == BinaryOp::Mul => h.mul(*f).compact(0),
        (Elem::H(h), Elem::F(f)) if op == BinaryOp::Div => divide(h, *f),
        (Elem::H(h), Elem::F(f)) if op == BinaryOp::TrimUpper => h.trim_upper(*f).compact(0),
        (Elem::H(h), Elem::F(f)) if op == BinaryOp::TrimLower => h.trim_lower(*f).compact(0),
        (Elem::H(a), Elem::H(b)) if matches!(op, BinaryOp::Add | BinaryOp::Sub) => {
            let res = if op == BinaryOp::Add { a.add_reconciling(b) } else { a.sub_reconciling(b) };
            let Ok((mut h, reconciled)) = res else {
                notes.layout = true;
                return None;
            };
            notes.reconciled |= reconciled;
            notes.collision |= CounterResetHint::combine(a.counter_reset_hint, b.counter_reset_hint).1;
            if op == BinaryOp::Sub {
                // A difference of histograms is a gauge whatever its operands were.
                h.counter_reset_hint = CounterResetHint::Gauge;
            }
            h.compact(0)
        }
        (Elem::H(a), Elem::H(b)) if matches!(op, BinaryOp::Eq | BinaryOp::Ne) => {
            let keep = a.equals(b) == (op == BinaryOp::Eq);
            return match (return_bool, keep) {
                (true, _) => Some(Elem::F(if keep { 1.0 } else { 0.0 })),
                (false, true) => Some(Elem::H(a.clone())),
                (false, false) => None,
            };
        }
        _ => {
            notes.incompatible(l.kind(), r.kind());
            return None;
        }
    };
    Some(Elem::H(Arc::new(out)))
}

/// `h / f`; dividing by zero leaves no buckets (their counts are meaningless), as in Prometheus.
fn divide(h: &FloatHistogram, f: f64) -> FloatHistogram {
    let mut out = h.div(f);
    if f == 0.0 {
        out.positive_spans.clear();
        out.positive_buckets.clear();
        out.negative_spans.clear();
        out.negative_buckets.clear();
    }
    out
}
