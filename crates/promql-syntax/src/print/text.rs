//! The lexical pieces of printed PromQL: numbers, strings, names, selectors and modifiers.

use crate::ast::{
    AggregateExpr, At, BinaryExpr, Cardinality, DurationExpr, DurationExprs, Expr, SubqueryExpr, VectorSelector,
};
use std::fmt::Write as _;
use vigil_model::{METRIC_NAME, MatchOp, duration::format_duration_ms};

/// Writes a node without sub-expressions; other nodes are the printer's business.
pub(super) fn write_leaf(out: &mut String, e: &Expr) {
    match e {
        Expr::Number(v) => write_number(out, *v),
        Expr::String(s) => write_string(out, s),
        Expr::VectorSelector(vs) => {
            write_selector(out, vs);
            write_modifiers(out, vs.at, vs.offset_ms, offset_expr(vs.durations.as_deref()));
            write_extended(out, vs);
        }
        Expr::MatrixSelector { vs, range_ms } => {
            write_selector(out, vs);
            out.push('[');
            write_duration(out, *range_ms, vs.durations.as_deref().and_then(|d| d.range.as_ref()));
            out.push(']');
            write_modifiers(out, vs.at, vs.offset_ms, offset_expr(vs.durations.as_deref()));
            write_extended(out, vs);
        }
        _ => {}
    }
}

/// `+`, `> bool`, `* on (a) group_left (b)`, ...
pub(super) fn write_operator(out: &mut String, b: &BinaryExpr) {
    out.push_str(b.op.as_str());
    if b.return_bool {
        out.push_str(" bool");
    }
    let Some(m) = &b.matching else { return };
    let grouped = matches!(m.card, Cardinality::ManyToOne | Cardinality::OneToMany);
    if m.on || !m.labels.is_empty() || grouped {
        out.push_str(if m.on { " on " } else { " ignoring " });
        write_label_list(out, &m.labels);
    }
    if grouped {
        out.push_str(if m.card == Cardinality::ManyToOne { " group_left " } else { " group_right " });
        write_label_list(out, &m.include);
    }
    let mut fill = |name: &str, v: f64| {
        let _ = write!(out, " {name}(");
        write_number(out, v);
        out.push(')');
    };
    match (m.fill.lhs, m.fill.rhs) {
        (Some(l), Some(r)) if l.to_bits() == r.to_bits() => fill("fill", l),
        (l, r) => {
            if let Some(l) = l {
                fill("fill_left", l);
            }
            if let Some(r) = r {
                fill("fill_right", r);
            }
        }
    }
}

/// `sum`, or `sum by (job) ` with the space before the argument list.
pub(super) fn write_aggregate_head(out: &mut String, a: &AggregateExpr) {
    out.push_str(a.op.as_str());
    if a.grouping.without || !a.grouping.labels.is_empty() {
        out.push_str(if a.grouping.without { " without " } else { " by " });
        write_label_list(out, &a.grouping.labels);
        out.push(' ');
    }
}

pub(super) fn write_subquery_suffix(out: &mut String, s: &SubqueryExpr) {
    let d = s.durations.as_deref();
    out.push('[');
    write_duration(out, s.range_ms, d.and_then(|d| d.range.as_ref()));
    out.push(':');
    if let Some(step) = s.step_ms {
        write_duration(out, step, d.and_then(|d| d.step.as_ref()));
    }
    out.push(']');
    write_modifiers(out, s.at, s.offset_ms, offset_expr(d));
}

fn offset_expr(d: Option<&DurationExprs>) -> Option<&DurationExpr> {
    d.and_then(|d| d.offset.as_ref())
}

/// A duration: its expression when it has one, else the milliseconds as a literal.
fn write_duration(out: &mut String, ms: i64, e: Option<&DurationExpr>) {
    match e {
        Some(e) => write_duration_expr(out, e),
        None => out.push_str(&format_duration_ms(ms)),
    }
}

/// Prints a duration expression as parsed: parentheses are nodes of their own, so the
/// structure (and precedence) comes back unchanged. Depth is bounded by the parser's limits.
fn write_duration_expr(out: &mut String, e: &DurationExpr) {
    match e {
        DurationExpr::Seconds(v) => {
            let ms = v * 1000.0;
            if ms.fract() == 0.0 && ms > 0.0 && ms < 9.2e18 {
                out.push_str(&format_duration_ms(ms as i64));
            } else {
                write_number(out, *v);
            }
        }
        DurationExpr::Number(v) => write_number(out, *v),
        DurationExpr::Step => out.push_str("step()"),
        DurationExpr::Range => out.push_str("range()"),
        DurationExpr::Neg(x) => {
            out.push('-');
            write_duration_expr(out, x);
        }
        DurationExpr::Paren(x) => {
            out.push('(');
            write_duration_expr(out, x);
            out.push(')');
        }
        DurationExpr::Binary(op, a, b) => {
            write_duration_expr(out, a);
            let _ = write!(out, " {} ", op.as_str());
            write_duration_expr(out, b);
        }
        DurationExpr::MinMax(min, a, b) => {
            out.push_str(if *min { "min_of(" } else { "max_of(" });
            write_duration_expr(out, a);
            out.push_str(", ");
            write_duration_expr(out, b);
            out.push(')');
        }
    }
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

/// Whether the lexer reads `s` back as one identifier: `[a-zA-Z_][a-zA-Z0-9_]*`, plus `:` in
/// metric names, and not `Inf`/`NaN`, which lex as numbers.
fn is_identifier(s: &str, metric: bool) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || (metric && c == ':'))
        && !s.eq_ignore_ascii_case("inf")
        && !s.eq_ignore_ascii_case("nan")
}

fn write_label_name(out: &mut String, name: &str) {
    if is_identifier(name, false) { out.push_str(name) } else { write_string(out, name) }
}

/// `name{a="b",c=~"d"}`. The `__name__` matcher the parser adds for a written name (always the
/// first one) is left out; any other is printed where it is, so the tree comes back unchanged.
fn write_selector(out: &mut String, vs: &VectorSelector) {
    let mut matchers = &vs.matchers[..];
    let mut quoted_name = None;
    if let Some(name) = &vs.name {
        if let Some((first, rest)) = matchers.split_first()
            && first.name == METRIC_NAME
            && first.op == MatchOp::Equal
            && &first.value == name
        {
            matchers = rest;
        }
        if is_identifier(name, true) {
            out.push_str(name);
        } else {
            quoted_name = Some(name);
        }
    }
    if matchers.is_empty() && quoted_name.is_none() {
        return;
    }
    out.push('{');
    if let Some(name) = quoted_name {
        write_string(out, name);
        if !matchers.is_empty() {
            out.push(',');
        }
    }
    for (i, m) in matchers.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        // A name that is no identifier is written in its quoted short form, `{"my.metric"}`.
        if vs.name.is_none() && m.name == METRIC_NAME && m.op == MatchOp::Equal && !is_identifier(&m.value, true) {
            write_string(out, &m.value);
            continue;
        }
        write_label_name(out, &m.name);
        out.push_str(m.op.as_str());
        write_string(out, &m.value);
    }
    out.push('}');
}

/// ` @ 100.000 offset 5m`, in Prometheus' order.
fn write_extended(out: &mut String, vs: &VectorSelector) {
    if let Some(x) = vs.extended {
        out.push(' ');
        out.push_str(x.as_str());
    }
}

fn write_modifiers(out: &mut String, at: Option<At>, offset_ms: i64, offset: Option<&DurationExpr>) {
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
    if let Some(e) = offset {
        out.push_str(" offset ");
        write_duration_expr(out, e);
    } else if offset_ms != 0 {
        let _ = write!(out, " offset {}", format_duration_ms(offset_ms));
    }
}

/// The shortest text that parses back to `v`.
pub(super) fn write_number(out: &mut String, v: f64) {
    // As Prometheus 3 prints number literals (Go's `FormatFloat(v, 'f', -1, 64)`): the shortest
    // digits that round-trip, never an exponent, and a sign on infinities.
    if v.is_nan() {
        out.push_str("NaN");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "+Inf" } else { "-Inf" });
    } else {
        let _ = write!(out, "{v}");
    }
}

/// A double-quoted string with Go's escapes (what `strconv.Quote` prints for printable text).
pub(super) fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        if let Some(b) = crate::raw_byte(c) {
            let _ = write!(out, "\\x{b:02x}");
            continue;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if c.is_ascii_control() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
