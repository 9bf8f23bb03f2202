//! Printing an [`Expr`] back to PromQL: the single-line canonical form ([`Expr`]'s `Display`)
//! and Prometheus' multi-line layout of `/api/v1/format_query` ([`pretty`]).
//!
//! Layout rules (Prometheus' `Pretty()`): a node whose single-line form fits in
//! [`MAX_LINE_LEN`] bytes is printed on one line; a longer one is split, two spaces of
//! indentation per level. Aggregations and calls put their arguments on indented lines between
//! `(` and `)`, parentheses their inner expression, and binary expressions put the operator with
//! its modifiers on its own line between the operands, which are indented one level deeper.
//!
//! Unlike Prometheus, matchers are kept in source order rather than sorted, so that the output
//! parses back to exactly the same tree, and a subquery on a line of its own is indented too.
//!
//! Nothing here recurses: both forms are produced by one loop over an explicit stack of
//! [`Step`]s, so a chain of thousands of operators costs heap, not call stack.

mod text;

use crate::ast::{Expr, SubqueryExpr};
use std::fmt;

/// Longest single-line form that [`pretty`] keeps on one line, in bytes.
pub const MAX_LINE_LEN: usize = 100;

/// Prints `expr` in Prometheus' multi-line format (as `/api/v1/format_query` does).
pub fn pretty(expr: &Expr) -> String {
    let mut p = Printer { out: String::new(), stack: vec![Step::Pretty { expr, level: 0, indent: true }] };
    p.run(usize::MAX);
    p.out
}

impl fmt::Display for Expr {
    /// The single-line canonical form, e.g. `sum by (job) (rate(x[5m]))`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut p = Printer { out: String::new(), stack: vec![Step::Flat(self)] };
        p.run(usize::MAX);
        f.write_str(&p.out)
    }
}

/// One pending piece of output.
enum Step<'a> {
    /// `expr` on a single line.
    Flat(&'a Expr),
    /// `expr` laid out at `level`; `indent` is false where the first line continues a line.
    Pretty {
        expr: &'a Expr,
        level: usize,
        indent: bool,
    },
    Text(&'static str),
    Indent(usize),
    /// A binary operator with `bool` and its matching clause, without surrounding spaces.
    Operator(&'a crate::ast::BinaryExpr),
    /// `[range:step] @ t offset o` of a subquery.
    Suffix(&'a SubqueryExpr),
    /// An aggregation's name and grouping, up to its `(`.
    AggregateHead(&'a crate::ast::AggregateExpr),
}

struct Printer<'a> {
    out: String,
    stack: Vec<Step<'a>>,
}

/// Whether `expr`'s single-line form is at most [`MAX_LINE_LEN`] bytes. Printing stops as soon
/// as the limit is passed, so asking costs about one line of output.
fn fits(expr: &Expr) -> bool {
    let mut p = Printer { out: String::new(), stack: vec![Step::Flat(expr)] };
    p.run(MAX_LINE_LEN)
}

impl<'a> Printer<'a> {
    /// Works the stack off; returns false (leaving the rest) once the output exceeds `limit`.
    fn run(&mut self, limit: usize) -> bool {
        while let Some(step) = self.stack.pop() {
            if self.out.len() > limit {
                return false;
            }
            match step {
                Step::Flat(e) => self.flat(e),
                Step::Pretty { expr, level, indent } => self.pretty(expr, level, indent),
                Step::Text(s) => self.out.push_str(s),
                Step::Indent(level) => (0..level).for_each(|_| self.out.push_str("  ")),
                Step::Operator(b) => text::write_operator(&mut self.out, b),
                Step::Suffix(s) => text::write_subquery_suffix(&mut self.out, s),
                Step::AggregateHead(a) => text::write_aggregate_head(&mut self.out, a),
            }
        }
        self.out.len() <= limit
    }

    /// Schedules `steps` to run next, first one first.
    fn then<const N: usize>(&mut self, steps: [Step<'a>; N]) {
        self.stack.extend(steps.into_iter().rev());
    }

    /// Schedules `args` separated by `sep`, each as produced by `each`.
    fn then_list(
        &mut self,
        args: impl DoubleEndedIterator<Item = &'a Expr>,
        sep: &'static str,
        each: impl Fn(&'a Expr) -> Step<'a>,
    ) {
        for (i, arg) in args.rev().enumerate() {
            if i > 0 {
                self.stack.push(Step::Text(sep));
            }
            self.stack.push(each(arg));
        }
    }

    fn flat(&mut self, e: &'a Expr) {
        match e {
            Expr::Subquery(s) => self.then([Step::Flat(&s.expr), Step::Suffix(s)]),
            Expr::Neg(inner) => self.then([Step::Text("-"), Step::Flat(inner)]),
            Expr::Paren(inner) => self.then([Step::Text("("), Step::Flat(inner), Step::Text(")")]),
            Expr::Binary(b) => {
                self.then([Step::Flat(&b.lhs), Step::Text(" "), Step::Operator(b), Step::Text(" "), Step::Flat(&b.rhs)])
            }
            Expr::Aggregate(a) => {
                self.stack.push(Step::Text(")"));
                self.then_list(a.param.iter().map(|p| &**p).chain([&*a.expr]), ", ", Step::Flat);
                self.then([Step::AggregateHead(a), Step::Text("(")]);
            }
            Expr::Call(c) => {
                self.stack.push(Step::Text(")"));
                self.then_list(c.args.iter(), ", ", Step::Flat);
                self.then([Step::Text(c.func.name), Step::Text("(")]);
            }
            leaf => text::write_leaf(&mut self.out, leaf),
        }
    }

    fn pretty(&mut self, e: &'a Expr, level: usize, indent: bool) {
        let first_indent = Step::Indent(if indent { level } else { 0 });
        let nested = |expr| Step::Pretty { expr, level: level + 1, indent: true };
        if fits(e) {
            return self.then([first_indent, Step::Flat(e)]);
        }
        match e {
            Expr::Binary(b) => self.then([
                Step::Pretty { expr: &b.lhs, level: level + 1, indent },
                Step::Text("\n"),
                Step::Indent(level),
                Step::Operator(b),
                Step::Text("\n"),
                nested(&b.rhs),
            ]),
            Expr::Aggregate(a) => {
                self.then([Step::Text("\n"), Step::Indent(level), Step::Text(")")]);
                self.then_list(a.param.iter().map(|p| &**p).chain([&*a.expr]), ",\n", nested);
                self.then([first_indent, Step::AggregateHead(a), Step::Text("(\n")]);
            }
            Expr::Call(c) => {
                self.then([Step::Text("\n"), Step::Indent(level), Step::Text(")")]);
                self.then_list(c.args.iter(), ",\n", nested);
                self.then([first_indent, Step::Text(c.func.name), Step::Text("(\n")]);
            }
            Expr::Paren(inner) => self.then([
                first_indent,
                Step::Text("(\n"),
                nested(inner),
                Step::Text("\n"),
                Step::Indent(level),
                Step::Text(")"),
            ]),
            Expr::Subquery(s) => self.then([Step::Pretty { expr: &s.expr, level, indent }, Step::Suffix(s)]),
            // The sign sticks to the first line of its operand.
            Expr::Neg(inner) => {
                self.then([first_indent, Step::Text("-"), Step::Pretty { expr: inner, level, indent: false }])
            }
            leaf => self.then([first_indent, Step::Flat(leaf)]),
        }
    }
}

#[cfg(test)]
mod tests;
