//! Printing a PromQL syntax tree back to text, and the `@`-modifier rewrite that upstream uses to
//! check that an instant query gives the same answer whatever the evaluation time.
//!
//! The printer only needs to round-trip through `vigil_promql_syntax::parse`; the runner checks
//! that it does and skips the step-invariance check for a query it cannot round-trip.

use std::fmt::Write as _;
use vigil_model::{METRIC_NAME, MatchOp, duration::format_duration_ms};
use vigil_promql_syntax::{At, BinaryExpr, Cardinality, Expr, VectorSelector};

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

/// Prints `expr` as PromQL.
pub fn print_expr(expr: &Expr) -> String {
    let mut out = String::new();
    write_expr(&mut out, expr);
    out
}

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

fn write_expr(out: &mut String, expr: &Expr) {
    match expr {
        Expr::Number(v) => write_number(out, *v),
        Expr::String(s) => write_string(out, s),
        Expr::VectorSelector(vs) => {
            write_selector(out, vs);
            write_modifiers(out, vs.at, vs.offset_ms);
        }
        Expr::MatrixSelector { vs, range_ms } => {
            write_selector(out, vs);
            let _ = write!(out, "[{}]", format_duration_ms(*range_ms));
            write_modifiers(out, vs.at, vs.offset_ms);
        }
        Expr::Subquery(s) => {
            write_expr(out, &s.expr);
            let step = s.step_ms.map(format_duration_ms).unwrap_or_default();
            let _ = write!(out, "[{}:{step}]", format_duration_ms(s.range_ms));
            write_modifiers(out, s.at, s.offset_ms);
        }
        Expr::Neg(e) => {
            out.push('-');
            write_expr(out, e);
        }
        Expr::Paren(e) => {
            out.push('(');
            write_expr(out, e);
            out.push(')');
        }
        Expr::Binary(b) => write_binary(out, b),
        Expr::Aggregate(a) => {
            out.push_str(aggregate_name(a.op));
            if a.grouping.without || !a.grouping.labels.is_empty() {
                out.push_str(if a.grouping.without { " without " } else { " by " });
                write_label_list(out, &a.grouping.labels);
            }
            out.push_str(" (");
            if let Some(p) = &a.param {
                write_expr(out, p);
                out.push_str(", ");
            }
            write_expr(out, &a.expr);
            out.push(')');
        }
        Expr::Call(c) => {
            out.push_str(c.func.name);
            out.push('(');
            for (i, a) in c.args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(out, a);
            }
            out.push(')');
        }
    }
}

fn aggregate_name(op: vigil_promql_syntax::AggregateOp) -> &'static str {
    use vigil_promql_syntax::AggregateOp as A;
    match op {
        A::Sum => "sum",
        A::Avg => "avg",
        A::Min => "min",
        A::Max => "max",
        A::Count => "count",
        A::Group => "group",
        A::Stddev => "stddev",
        A::Stdvar => "stdvar",
        A::Topk => "topk",
        A::Bottomk => "bottomk",
        A::Quantile => "quantile",
        A::CountValues => "count_values",
        A::Limitk => "limitk",
        A::LimitRatio => "limit_ratio",
    }
}

fn write_binary(out: &mut String, b: &BinaryExpr) {
    write_expr(out, &b.lhs);
    let _ = write!(out, " {}", b.op.as_str());
    if b.return_bool {
        out.push_str(" bool");
    }
    if let Some(m) = &b.matching {
        let grouped = matches!(m.card, Cardinality::ManyToOne | Cardinality::OneToMany);
        if m.on || !m.labels.is_empty() || grouped {
            out.push_str(if m.on { " on" } else { " ignoring" });
            write_label_list(out, &m.labels);
        }
        if grouped {
            out.push_str(if m.card == Cardinality::ManyToOne { " group_left" } else { " group_right" });
            write_label_list(out, &m.include);
        }
    }
    out.push(' ');
    write_expr(out, &b.rhs);
}

fn write_label_list(out: &mut String, labels: &[String]) {
    out.push('(');
    for (i, l) in labels.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_label_name(out, l);
    }
    out.push(')');
}

fn is_name(s: &str, colon: bool) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || (colon && c == ':'))
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || (colon && c == ':'))
}

fn write_label_name(out: &mut String, name: &str) {
    if is_name(name, false) { out.push_str(name) } else { write_string(out, name) }
}

fn write_selector(out: &mut String, vs: &VectorSelector) {
    let mut rest: Vec<_> = vs.matchers.iter().collect();
    let mut braces_name = None;
    if let Some(name) = &vs.name {
        if let Some(i) = rest.iter().position(|m| m.name == METRIC_NAME && m.op == MatchOp::Equal && &m.value == name) {
            rest.remove(i);
        }
        if is_name(name, true) {
            out.push_str(name);
        } else {
            braces_name = Some(name);
        }
    }
    if rest.is_empty() && braces_name.is_none() {
        return;
    }
    out.push('{');
    let mut first = true;
    if let Some(name) = braces_name {
        write_string(out, name);
        first = false;
    }
    for m in rest {
        if !first {
            out.push_str(", ");
        }
        first = false;
        write_label_name(out, &m.name);
        out.push_str(m.op.as_str());
        write_string(out, &m.value);
    }
    out.push('}');
}

fn write_modifiers(out: &mut String, at: Option<At>, offset_ms: i64) {
    match at {
        None => {}
        Some(At::Start) => out.push_str(" @ start()"),
        Some(At::End) => out.push_str(" @ end()"),
        Some(At::Timestamp(ms)) => {
            let sign = if ms < 0 { "-" } else { "" };
            let abs = ms.unsigned_abs();
            let _ = write!(out, " @ {sign}{}.{:03}", abs / 1000, abs % 1000);
        }
    }
    if offset_ms != 0 {
        let _ = write!(out, " offset {}", format_duration_ms(offset_ms));
    }
}

fn write_number(out: &mut String, v: f64) {
    if v.is_nan() {
        out.push_str("NaN");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "Inf" } else { "-Inf" });
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        let _ = write!(out, "{v}");
    } else {
        // Debug prints the shortest round-tripping form, with an exponent when that is shorter.
        let _ = write!(out, "{v:?}");
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests;
