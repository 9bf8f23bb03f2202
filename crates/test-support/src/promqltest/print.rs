//! The `@`-modifier rewrite that upstream uses to check that an instant query gives the same
//! answer whatever the evaluation time. The rewritten tree is printed with
//! `vigil_promql_syntax`'s printer (`Expr`'s `Display`); the runner checks that the text parses
//! back and skips the step-invariance check for a query it cannot round-trip.

use vigil_promql_syntax::{At, BinaryExpr, Expr, VectorSelector};

/// Functions whose result depends on the evaluation time itself, so pinning selectors with `@`
/// changes the answer (upstream's `AtModifierUnsafeFunctions`).
const AT_UNSAFE_FUNCTIONS: &[&str] = &[
    "days_in_month",
    "day_of_month",
    "day_of_week",
    "day_of_year",
    "end",
    "hour",
    "minute",
    "month",
    "year",
    "predict_linear",
    "range",
    "start",
    "step",
    "time",
    "timestamp",
];

/// Whether `expr` calls a function whose value depends on the evaluation time.
pub fn calls_at_unsafe_function(expr: &Expr) -> bool {
    let mut found = false;
    walk(expr, &mut |e| {
        if let Expr::Call(c) = e {
            found |= AT_UNSAFE_FUNCTIONS.contains(&c.func.name);
        }
    });
    found
}

/// Calls `f` on `expr` and every expression below it, parents first.
pub fn walk(expr: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(expr);
    match expr {
        Expr::Number(_) | Expr::String(_) | Expr::VectorSelector(_) | Expr::MatrixSelector { .. } => {}
        Expr::Subquery(s) => walk(&s.expr, f),
        Expr::Neg(e) | Expr::Paren(e) => walk(e, f),
        Expr::Binary(b) => {
            walk(&b.lhs, f);
            walk(&b.rhs, f);
        }
        Expr::Aggregate(a) => {
            if let Some(p) = &a.param {
                walk(p, f);
            }
            walk(&a.expr, f);
        }
        Expr::Call(c) => c.args.iter().for_each(|a| walk(a, f)),
    }
}

/// Pins every selector and subquery without `@` to `@ t_ms`. Nothing under a subquery is
/// touched: the subquery's own `@` already fixes when its inner expression is evaluated.
pub fn pin_at(expr: &Expr, t_ms: i64) -> Expr {
    let pin = |at: &Option<At>| Some(at.unwrap_or(At::Timestamp(t_ms)));
    match expr {
        Expr::Number(_) | Expr::String(_) => expr.clone(),
        Expr::VectorSelector(vs) => Expr::VectorSelector(VectorSelector { at: pin(&vs.at), ..vs.clone() }),
        Expr::MatrixSelector { vs, range_ms } => {
            Expr::MatrixSelector { vs: VectorSelector { at: pin(&vs.at), ..vs.clone() }, range_ms: *range_ms }
        }
        Expr::Subquery(s) => {
            let mut s = s.clone();
            s.at = pin(&s.at);
            Expr::Subquery(s)
        }
        Expr::Neg(e) => Expr::Neg(Box::new(pin_at(e, t_ms))),
        Expr::Paren(e) => Expr::Paren(Box::new(pin_at(e, t_ms))),
        Expr::Binary(b) => Expr::Binary(BinaryExpr {
            lhs: Box::new(pin_at(&b.lhs, t_ms)),
            rhs: Box::new(pin_at(&b.rhs, t_ms)),
            ..b.clone()
        }),
        Expr::Aggregate(a) => {
            let mut a = a.clone();
            a.expr = Box::new(pin_at(&a.expr, t_ms));
            a.param = a.param.as_ref().map(|p| Box::new(pin_at(p, t_ms)));
            Expr::Aggregate(a)
        }
        Expr::Call(c) => {
            let mut c = c.clone();
            c.args = c.args.iter().map(|a| pin_at(a, t_ms)).collect();
            Expr::Call(c)
        }
    }
}

#[cfg(test)]
mod tests;
