//! Durations in ranges, subquery steps and offsets: a literal (`5m`, `300`), or with the
//! `promql-duration-expr` feature an arithmetic expression over seconds with `step()`,
//! `range()`, `min_of(a, b)` and `max_of(a, b)`. Constant expressions are folded here; the
//! others are kept in the tree for the engine to resolve per query.
//!
//! After `offset`, only a signed term is read (`x offset -step() * 2` is `(x offset -step()) * 2`,
//! as Prometheus parses it); inside brackets a whole expression is.

use super::Parser;
use crate::parse::token::TokenKind as T;
use crate::{BinaryOp, DurationExpr, Result};

/// A duration as written.
pub(in crate::parse) enum Duration {
    /// Known at parse time, in milliseconds.
    Fixed(i64),
    /// Depends on the query's step or range.
    Dynamic(DurationExpr),
}

/// Binary operators of duration expressions and their precedence (`^` is right-associative).
fn operator(t: &T) -> Option<(BinaryOp, u8)> {
    Some(match t {
        T::Add => (BinaryOp::Add, 1),
        T::Sub => (BinaryOp::Sub, 1),
        T::Mul => (BinaryOp::Mul, 2),
        T::Div => (BinaryOp::Div, 2),
        T::Mod => (BinaryOp::Mod, 2),
        T::Pow => (BinaryOp::Pow, 3),
        _ => return None,
    })
}

impl Parser<'_> {
    /// A duration inside `[...]`: a whole expression up to `:` or `]`.
    pub(in crate::parse) fn bracket_duration(&mut self, context: &str) -> Result<Duration> {
        let at = self.offset();
        let e = self.duration_binary(1, context)?;
        self.finish_duration(e, at, context)
    }

    /// The duration after `offset`: an optional sign and one term.
    pub(in crate::parse) fn offset_duration(&mut self) -> Result<Duration> {
        let at = self.offset();
        // Unlike inside brackets, a `^` after the term belongs to the outer expression:
        // `x offset -2 ^ 2` is `(x offset -2) ^ 2`.
        let neg = self.peek() == &T::Sub;
        if neg || self.peek() == &T::Add {
            self.bump();
        }
        let term = self.duration_atom("offset")?;
        let e = if neg { DurationExpr::Neg(Box::new(term)) } else { term };
        self.finish_duration(e, at, "offset")
    }

    /// Checks the feature and folds constants.
    fn finish_duration(&self, e: DurationExpr, at: usize, context: &str) -> Result<Duration> {
        let literal = match &e {
            DurationExpr::Seconds(_) | DurationExpr::Number(_) => true,
            DurationExpr::Neg(x) => matches!(**x, DurationExpr::Seconds(_) | DurationExpr::Number(_)),
            _ => false,
        };
        if !literal && !self.features.duration_expr {
            return Err(self.err(
                at,
                "duration expressions are experimental and must be enabled with --enable-feature=promql-duration-expr",
            ));
        }
        if e.is_dynamic() {
            return Ok(Duration::Dynamic(e));
        }
        e.millis(0.0, 0.0)
            .map(Duration::Fixed)
            .ok_or_else(|| self.err(at, format!("duration out of range in {context}")))
    }

    fn duration_binary(&mut self, min: u8, context: &str) -> Result<DurationExpr> {
        let mut lhs = self.duration_unary(context)?;
        while let Some((op, prec)) = operator(self.peek()) {
            if prec < min {
                break;
            }
            self.bump();
            let rhs = self.duration_binary(if op == BinaryOp::Pow { prec } else { prec + 1 }, context)?;
            lhs = DurationExpr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    /// A sign applies to everything up to a following `^` chain, as in PromQL: `-2^2` is `-(2^2)`.
    fn duration_unary(&mut self, context: &str) -> Result<DurationExpr> {
        match self.peek() {
            T::Sub | T::Add => {
                let neg = self.peek() == &T::Sub;
                self.bump();
                let mut e = self.duration_unary(context)?;
                while self.peek() == &T::Pow {
                    self.bump();
                    let rhs = self.duration_binary(3, context)?;
                    e = DurationExpr::Binary(BinaryOp::Pow, Box::new(e), Box::new(rhs));
                }
                Ok(if neg { DurationExpr::Neg(Box::new(e)) } else { e })
            }
            _ => self.duration_atom(context),
        }
    }

    fn duration_atom(&mut self, context: &str) -> Result<DurationExpr> {
        match self.peek().clone() {
            T::Duration(ms) => {
                self.bump();
                Ok(DurationExpr::Seconds(ms as f64 / 1000.0))
            }
            T::Number(n) => {
                self.bump();
                Ok(DurationExpr::Number(n))
            }
            T::LParen => {
                self.bump();
                let e = self.duration_binary(1, context)?;
                self.expect(&T::RParen, context)?;
                Ok(DurationExpr::Paren(Box::new(e)))
            }
            T::Ident(name) if self.tokens.get(self.pos + 1).is_some_and(|t| t.kind == T::LParen) => {
                let lower = name.to_ascii_lowercase();
                match lower.as_str() {
                    "step" | "range" => {
                        self.bump();
                        self.bump();
                        self.expect(&T::RParen, context)?;
                        Ok(if lower == "step" { DurationExpr::Step } else { DurationExpr::Range })
                    }
                    "min_of" | "max_of" => {
                        self.bump();
                        self.bump();
                        let a = self.duration_binary(1, context)?;
                        self.expect(&T::Comma, context)?;
                        let b = self.duration_binary(1, context)?;
                        self.expect(&T::RParen, context)?;
                        Ok(DurationExpr::MinMax(lower == "min_of", Box::new(a), Box::new(b)))
                    }
                    _ => Err(self.unexpected(context)),
                }
            }
            _ if context == "offset" => Err(self.unexpected("offset, expected duration")),
            _ => Err(self.unexpected(context)),
        }
    }
}
