//! Precedence-climbing parser over the lexer's tokens. Operator chains are reduced with explicit
//! operand/operator stacks; only true nesting (parentheses, calls, unary signs) recurses, and
//! that is bounded by `max_depth`.

use super::Features;
use super::lexer::tokenize;
use super::token::{Token, TokenKind as T};
use crate::{
    AggregateExpr, AggregateOp, At, BinaryExpr, BinaryOp, Call, Cardinality, DurationExpr, DurationExprs, Error, Expr,
    Extended, Fill, Grouping, Result, SourceOffsets, SubqueryExpr, ValueType, VectorMatching, VectorSelector,
    lookup_function,
};
use durations::Duration;
use vigil_model::{MatchOp, Matcher};

/// The offset, `@` and duration-expression fields a modifier writes to.
type ModifierSlot<'e> = (&'e mut i64, &'e mut Option<At>, &'e mut Option<Box<DurationExprs>>);

/// The milliseconds of a fixed duration; a dynamic one goes to `slot` and reads 0 until resolved.
fn fixed_or(d: Duration, slot: &mut Option<DurationExpr>) -> i64 {
    match d {
        Duration::Fixed(ms) => ms,
        Duration::Dynamic(x) => {
            *slot = Some(x);
            0
        }
    }
}

/// `None` when no duration is dynamic, so trees without duration expressions stay as they were.
fn boxed(d: DurationExprs) -> Option<Box<DurationExprs>> {
    (d != DurationExprs::default()).then(|| Box::new(d))
}

/// Default bound on nesting (parentheses, calls, aggregations, unary signs).
pub(crate) const DEFAULT_MAX_DEPTH: usize = 256;

/// An operator waiting on the stack, with its modifiers and source offset.
struct PendingOp {
    op: BinaryOp,
    return_bool: bool,
    matching: Option<VectorMatching>,
    offset: usize,
}

struct Parser<'q> {
    query: &'q str,
    tokens: Vec<Token>,
    pos: usize,
    max_depth: usize,
    features: Features,
    /// Set while the next selector may have only empty-matching matchers: `info()`'s second
    /// argument, a label selector (`info(x, {data=~".*"})`).
    label_selector_next: bool,
}

/// Parses `query` into an expression, with nesting bounded by `max_depth`.
pub(crate) fn parse_query(query: &str, max_depth: usize, features: Features) -> Result<Expr> {
    let tokens = tokenize(query).map_err(|(o, m)| Error::at(query, o, m))?;
    let mut p = Parser { query, tokens, pos: 0, max_depth, features, label_selector_next: false };
    if p.peek() == &T::Eof {
        return Err(Error::at(query, 0, "no expression found in input"));
    }
    let (e, _) = p.expr(0)?;
    if p.peek() != &T::Eof {
        return Err(p.unexpected(""));
    }
    Ok(e)
}

/// Parses a bare series selector (`up{job="api"}`, `{"my.metric"}`), as the `match[]` parameters
/// of the series, label and federation endpoints take: no offset, `@`, range or operator.
/// Any name is a metric name here, keywords and function names included, as in Prometheus.
/// Whether some matcher selects anything is left to the caller, which words that error itself.
pub(crate) fn parse_metric_selector(query: &str) -> Result<Vec<Matcher>> {
    let tokens = tokenize(query).map_err(|(o, m)| Error::at(query, o, m))?;
    let mut p =
        Parser { query, tokens, pos: 0, max_depth: 0, features: Features::default(), label_selector_next: false };
    let mut matchers = match p.peek().clone() {
        T::Ident(name) => {
            p.bump();
            let mut ms = if p.peek() == &T::LBrace { p.matchers(Some(&name))? } else { Vec::new() };
            ms.insert(0, Matcher::equal(vigil_model::METRIC_NAME, name));
            ms
        }
        T::LBrace => p.matchers(None)?,
        _ => return Err(p.unexpected("")),
    };
    if p.peek() != &T::Eof {
        return Err(p.unexpected(""));
    }
    // `{"my.metric", a="b"}`: the bare name first, as a written name is.
    if let Some(i) = matchers.iter().position(|m| m.name == vigil_model::METRIC_NAME && m.op == MatchOp::Equal) {
        matchers[..=i].rotate_right(1);
    }
    Ok(matchers)
}

/// Binding strength: the trim operators bind as the comparisons they are named after, so
/// `h </ 2 * x` trims at `2 * x`.
fn precedence(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Or => 1,
        BinaryOp::And | BinaryOp::Unless => 2,
        o if o.is_comparison() || o.is_trim() => 3,
        BinaryOp::Add | BinaryOp::Sub => 4,
        BinaryOp::Pow => 6,
        _ => 5,
    }
}

impl<'q> Parser<'q> {
    fn peek(&self) -> &T {
        self.tokens.get(self.pos).map_or(&T::Eof, |t| &t.kind)
    }

    fn offset(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.query.len(), |t| t.start)
    }

    fn bump(&mut self) -> T {
        let t = self.peek().clone();
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
        t
    }

    fn err(&self, offset: usize, msg: impl Into<String>) -> Error {
        Error::at(self.query, offset, msg)
    }

    fn unexpected(&self, context: &str) -> Error {
        // Prometheus' lexer reports these before the parser sees the token, whatever the context.
        let (parens, bracket, brace) = self.open_before_cursor();
        match self.peek() {
            T::Eof if brace => return self.err(self.offset(), "unexpected end of input inside braces"),
            T::Eof if parens > 0 => return self.err(self.offset(), "unclosed left parenthesis"),
            T::Eof if bracket => return self.err(self.offset(), "unclosed left bracket"),
            T::RParen if parens == 0 => return self.err(self.offset() + 1, "unexpected right parenthesis ')'"),
            T::RBracket if !bracket => return self.err(self.offset(), "unexpected right bracket ']'"),
            T::RBrace if !brace => return self.err(self.offset(), "unexpected character: '}'"),
            _ => {}
        }
        let text = self.tokens.get(self.pos).map_or("", |t| &self.query[t.start..t.end]);
        let what = self.peek().describe(text);
        if context.is_empty() {
            self.err(self.offset(), format!("unexpected {what}"))
        } else {
            self.err(self.offset(), format!("unexpected {what} in {context}"))
        }
    }

    /// Open parentheses, and whether a `[` or a `{` is open, before the cursor.
    fn open_before_cursor(&self) -> (usize, bool, bool) {
        let (mut parens, mut bracket, mut brace) = (0usize, false, false);
        for t in &self.tokens[..self.pos.min(self.tokens.len())] {
            match t.kind {
                T::LParen => parens += 1,
                T::RParen => parens = parens.saturating_sub(1),
                T::LBracket => bracket = true,
                T::RBracket => bracket = false,
                T::LBrace => brace = true,
                T::RBrace => brace = false,
                _ => {}
            }
        }
        (parens, bracket, brace)
    }

    fn expect(&mut self, kind: &T, context: &str) -> Result<()> {
        if self.peek() == kind {
            self.bump();
            Ok(())
        } else {
            Err(self.unexpected(context))
        }
    }

    fn is_ident(&self, word: &str) -> bool {
        matches!(self.peek(), T::Ident(s) if s.eq_ignore_ascii_case(word))
    }

    fn check_depth(&self, depth: usize) -> Result<()> {
        if depth > self.max_depth {
            return Err(
                self.err(self.offset(), format!("expression nesting too deep (more than {} levels)", self.max_depth))
            );
        }
        Ok(())
    }

    /// The binary operator at the cursor, if any.
    fn peek_binary_op(&self) -> Option<BinaryOp> {
        Some(match self.peek() {
            T::Add => BinaryOp::Add,
            T::Sub => BinaryOp::Sub,
            T::Mul => BinaryOp::Mul,
            T::Div => BinaryOp::Div,
            T::Mod => BinaryOp::Mod,
            T::Pow => BinaryOp::Pow,
            T::Eql => BinaryOp::Eq,
            T::Neq => BinaryOp::Ne,
            T::Gtr => BinaryOp::Gt,
            T::Lss => BinaryOp::Lt,
            T::Gte => BinaryOp::Ge,
            T::Lte => BinaryOp::Le,
            T::TrimUpper => BinaryOp::TrimUpper,
            T::TrimLower => BinaryOp::TrimLower,
            T::Ident(s) => match s.to_ascii_lowercase().as_str() {
                "and" => BinaryOp::And,
                "or" => BinaryOp::Or,
                "unless" => BinaryOp::Unless,
                "atan2" => BinaryOp::Atan2,
                _ => return None,
            },
            _ => return None,
        })
    }

    /// Parses a binary expression whose operators bind at least as tightly as `min_prec`.
    fn expr_min(&mut self, depth: usize, min_prec: u8) -> Result<(Expr, ValueType)> {
        // Each operand with the offset where it starts, for errors about it.
        let start = self.offset();
        let mut operands: Vec<(Expr, ValueType, usize)> = vec![self.unary(depth).map(|(e, t)| (e, t, start))?];
        let mut ops: Vec<PendingOp> = Vec::new();
        while let Some(op) = self.peek_binary_op() {
            let prec = precedence(op);
            if prec < min_prec {
                break;
            }
            let offset = self.offset();
            self.bump();
            let (return_bool, matching) = self.binary_modifiers(op)?;
            while let Some(top) = ops.last() {
                let top_prec = precedence(top.op);
                let right_assoc = op == BinaryOp::Pow;
                if top_prec > prec || (top_prec == prec && !right_assoc) {
                    self.reduce(&mut operands, &mut ops)?;
                } else {
                    break;
                }
            }
            ops.push(PendingOp { op, return_bool, matching, offset });
            let start = self.offset();
            operands.push(self.unary(depth).map(|(e, t)| (e, t, start))?);
        }
        while !ops.is_empty() {
            self.reduce(&mut operands, &mut ops)?;
        }
        operands
            .pop()
            .map(|(e, t, _)| (e, t))
            .ok_or_else(|| self.err(self.offset(), "internal error: empty operand stack"))
    }

    fn expr(&mut self, depth: usize) -> Result<(Expr, ValueType)> {
        self.expr_min(depth, 0)
    }

    /// `bool`, `on(...)`/`ignoring(...)` and `group_left(...)`/`group_right(...)`.
    fn binary_modifiers(&mut self, op: BinaryOp) -> Result<(bool, Option<VectorMatching>)> {
        let mut return_bool = false;
        if self.is_ident("bool") {
            if !op.is_comparison() {
                return Err(self.err(self.offset(), "bool modifier can only be used on comparison operators"));
            }
            self.bump();
            return_bool = true;
        }
        let mut vm = None;
        if self.is_ident("on") || self.is_ident("ignoring") {
            let on = self.is_ident("on");
            self.bump();
            let labels = self.label_list()?;
            let mut m = VectorMatching { on, labels, ..VectorMatching::one_to_one() };
            if self.is_ident("group_left") || self.is_ident("group_right") {
                m.card = if self.is_ident("group_left") { Cardinality::ManyToOne } else { Cardinality::OneToMany };
                let at = self.offset();
                self.bump();
                if op.is_set() {
                    return Err(self.err(at, format!("no grouping allowed for {:?} operation", op.as_str())));
                }
                if self.peek() == &T::LParen {
                    m.include = self.label_list()?;
                }
            }
            vm = Some(m);
        }
        let fill_at = self.offset();
        let fill = self.fill_modifiers()?;
        if fill.is_set() {
            if op.is_set() {
                return Err(self.err(fill_at, format!("fill modifiers not allowed for {:?} operation", op.as_str())));
            }
            vm.get_or_insert_with(VectorMatching::one_to_one).fill = fill;
        }
        Ok((return_bool, vm))
    }

    /// `fill(v)`, `fill_left(v)`, `fill_right(v)` after the matching clause (Prometheus 3.x).
    /// A name such as `fill` not followed by `(` is a metric: `a + fill` adds the series `fill`.
    fn fill_modifiers(&mut self) -> Result<Fill> {
        let mut fill = Fill::default();
        while (self.is_ident("fill") || self.is_ident("fill_left") || self.is_ident("fill_right"))
            && self.tokens.get(self.pos + 1).is_some_and(|t| t.kind == T::LParen)
        {
            let at = self.offset();
            if !self.features.binop_fill_modifiers {
                return Err(self.err(
                    at,
                    "fill modifiers are experimental and must be enabled with --enable-feature=promql-binop-fill-modifiers",
                ));
            }
            let which = match self.bump() {
                T::Ident(name) => name,
                _ => return Err(self.unexpected("fill modifier")),
            };
            self.bump();
            let negative = match self.peek() {
                T::Sub => {
                    self.bump();
                    true
                }
                T::Add => {
                    self.bump();
                    false
                }
                _ => false,
            };
            let v = match self.peek() {
                &T::Number(v) => {
                    self.bump();
                    if negative { -v } else { v }
                }
                _ => return Err(self.unexpected("fill modifier")),
            };
            self.expect(&T::RParen, "fill modifier")?;
            let (left, right) = match which.as_str() {
                "fill" => (true, true),
                "fill_left" => (true, false),
                _ => (false, true),
            };
            if (left && fill.lhs.is_some()) || (right && fill.rhs.is_some()) {
                return Err(self.err(at, "duplicate fill modifier"));
            }
            if left {
                fill.lhs = Some(v);
            }
            if right {
                fill.rhs = Some(v);
            }
        }
        Ok(fill)
    }

    /// `(a, "b.c", d,)`
    fn label_list(&mut self) -> Result<Vec<String>> {
        self.expect(&T::LParen, "grouping opts, expected \"(\"")?;
        let mut labels = Vec::new();
        loop {
            match self.peek().clone() {
                T::RParen => {
                    self.bump();
                    return Ok(labels);
                }
                T::Ident(s) | T::Str(s) => {
                    self.bump();
                    labels.push(s);
                    match self.peek() {
                        T::Comma => {
                            self.bump();
                        }
                        T::RParen => {}
                        _ => return Err(self.unexpected("grouping opts, expected \",\" or \")\"")),
                    }
                }
                _ => return Err(self.unexpected("grouping opts, expected label")),
            }
        }
    }

    /// Pops one operator and two operands, type-checks, and pushes the result.
    /// Errors point at the operand at fault, the operator, or the whole expression (its left
    /// operand's start), as Prometheus places each.
    fn reduce(&self, operands: &mut Vec<(Expr, ValueType, usize)>, ops: &mut Vec<PendingOp>) -> Result<()> {
        let (Some(p), Some((rhs, rt, r_at)), Some((lhs, lt, at))) = (ops.pop(), operands.pop(), operands.pop()) else {
            return Err(self.err(self.offset(), "internal error: unbalanced operator stack"));
        };
        for (t, t_at) in [(lt, at), (rt, r_at)] {
            if t != ValueType::Scalar && t != ValueType::Vector {
                return Err(self.err(t_at, "binary expression must contain only scalar and instant vector types"));
            }
        }
        let both_vectors = lt == ValueType::Vector && rt == ValueType::Vector;
        if p.op.is_set() && !both_vectors {
            return Err(
                self.err(at, format!("set operator {:?} not allowed in binary scalar expression", p.op.as_str()))
            );
        }
        // Trimming needs a histogram to trim: the left operand must be a vector (the bound may
        // be a scalar or a vector of floats).
        if p.op.is_trim() && lt == ValueType::Scalar {
            return Err(self.err(
                at,
                format!("trim operator {:?} needs an instant vector on its left-hand side, got scalar", p.op.as_str()),
            ));
        }
        if p.op.is_comparison() && !p.return_bool && lt == ValueType::Scalar && rt == ValueType::Scalar {
            return Err(self.err(p.offset, "comparisons between scalars must use BOOL modifier"));
        }
        if !both_vectors && let Some(m) = &p.matching {
            if m.fill.is_set() {
                return Err(self.err(p.offset, "fill modifiers only allowed between instant vectors"));
            }
            if !m.labels.is_empty() {
                return Err(self.err(at, "vector matching only allowed between instant vectors"));
            }
        }
        let matching = if both_vectors {
            let mut vm = p.matching.unwrap_or_else(VectorMatching::one_to_one);
            if p.op.is_set() {
                vm.card = Cardinality::ManyToMany;
            }
            Some(vm)
        } else {
            None
        };
        let vt = if lt == ValueType::Scalar && rt == ValueType::Scalar { ValueType::Scalar } else { ValueType::Vector };
        let e = Expr::Binary(BinaryExpr {
            op: p.op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
            return_bool: p.return_bool,
            matching,
            offsets: SourceOffsets(vec![at, p.offset]),
        });
        operands.push((e, vt, at));
        Ok(())
    }

    /// A unary sign applies to everything up to a following `^` chain: `-a^b` is `-(a^b)`.
    fn unary(&mut self, depth: usize) -> Result<(Expr, ValueType)> {
        match self.peek() {
            T::Sub | T::Add => {
                let neg = self.peek() == &T::Sub;
                let at = self.offset();
                self.bump();
                self.check_depth(depth + 1)?;
                let (e, vt) = self.expr_min(depth + 1, precedence(BinaryOp::Pow))?;
                if vt != ValueType::Scalar && vt != ValueType::Vector {
                    return Err(self.err(
                        at,
                        format!(
                            "unary expression only allowed on expressions of type scalar or instant vector, got {:?}",
                            vt.as_str()
                        ),
                    ));
                }
                if !neg {
                    return Ok((e, vt));
                }
                let e = match e {
                    Expr::Number(n) => Expr::Number(-n),
                    e => Expr::Neg(Box::new(e)),
                };
                Ok((e, vt))
            }
            _ => {
                let start = self.offset();
                let primary = self.primary(depth)?;
                self.postfix(start, primary)
            }
        }
    }

    /// Range/subquery brackets, `offset` and `@` after an operand that starts at `start` (where
    /// errors about the whole expression point, as in Prometheus).
    fn postfix(&mut self, start: usize, (mut e, mut vt): (Expr, ValueType)) -> Result<(Expr, ValueType)> {
        loop {
            match self.peek() {
                T::LBracket => {
                    let at = self.offset();
                    self.bump();
                    let range = self.bracket_duration("range")?;
                    if self.peek() == &T::Colon {
                        self.bump();
                        let step =
                            if self.peek() == &T::RBracket { None } else { Some(self.bracket_duration("subquery")?) };
                        self.expect(&T::RBracket, "subquery selector")?;
                        if vt != ValueType::Vector {
                            return Err(self.err(
                                start,
                                format!("subquery is only allowed on instant vector, got {} instead", vt.as_str()),
                            ));
                        }
                        let mut exprs = DurationExprs::default();
                        let range_ms = fixed_or(range, &mut exprs.range);
                        let step_ms = step.map(|d| fixed_or(d, &mut exprs.step));
                        e = Expr::Subquery(SubqueryExpr {
                            expr: Box::new(e),
                            range_ms,
                            step_ms,
                            offset_ms: 0,
                            at: None,
                            durations: boxed(exprs),
                        });
                    } else {
                        self.expect(&T::RBracket, "matrix selector")?;
                        match e {
                            Expr::VectorSelector(mut vs)
                                if vs.offset_ms == 0
                                    && vs.at.is_none()
                                    && vs.extended.is_none()
                                    && vs.durations.is_none() =>
                            {
                                let mut exprs = DurationExprs::default();
                                let range_ms = fixed_or(range, &mut exprs.range);
                                vs.durations = boxed(exprs);
                                e = Expr::MatrixSelector { vs, range_ms };
                            }
                            _ => {
                                return Err(self.err(at, "ranges only allowed for vector selectors"));
                            }
                        }
                    }
                    vt = ValueType::Matrix;
                }
                _ if self.is_ident("offset") => {
                    self.bump();
                    let d = self.offset_duration()?;
                    let slot = self.modifier_slot(&mut e, start, "offset")?;
                    if *slot.0 != 0 || slot.2.as_ref().is_some_and(|d| d.offset.is_some()) {
                        return Err(self.err(start, "offset may not be set multiple times"));
                    }
                    match d {
                        Duration::Fixed(ms) => *slot.0 = ms,
                        Duration::Dynamic(x) => slot.2.get_or_insert_with(Box::default).offset = Some(x),
                    }
                }
                T::At => {
                    self.bump();
                    let value = self.at_value()?;
                    let slot = self.modifier_slot(&mut e, start, "@")?;
                    if slot.1.is_some() {
                        return Err(self.err(start, "@ <timestamp> may not be set multiple times"));
                    }
                    *slot.1 = Some(value);
                }
                _ if self.is_ident("anchored") || self.is_ident("smoothed") => {
                    let at = self.offset();
                    let which = if self.is_ident("anchored") { Extended::Anchored } else { Extended::Smoothed };
                    if !self.features.extended_range_selectors {
                        return Err(self.err(
                            at,
                            format!(
                                "the {} modifier is experimental and must be enabled with --enable-feature=promql-extended-range-selectors",
                                which.as_str()
                            ),
                        ));
                    }
                    self.bump();
                    let vs = match &mut e {
                        Expr::MatrixSelector { vs, .. } => vs,
                        Expr::VectorSelector(vs) if which == Extended::Smoothed => vs,
                        _ => {
                            return Err(self.err(
                                at,
                                format!("{} modifier must be preceded by a range vector selector", which.as_str()),
                            ));
                        }
                    };
                    if vs.extended.is_some() {
                        return Err(self.err(at, "anchored or smoothed may only be set once"));
                    }
                    vs.extended = Some(which);
                }
                _ => return Ok((e, vt)),
            }
        }
    }

    /// The offset and `@` fields of the node a modifier applies to; an error is placed at the
    /// node's start (`at`), as Prometheus places it.
    fn modifier_slot<'e>(&self, e: &'e mut Expr, at: usize, what: &str) -> Result<ModifierSlot<'e>> {
        match e {
            Expr::VectorSelector(vs) | Expr::MatrixSelector { vs, .. } => {
                Ok((&mut vs.offset_ms, &mut vs.at, &mut vs.durations))
            }
            Expr::Subquery(s) => Ok((&mut s.offset_ms, &mut s.at, &mut s.durations)),
            _ => Err(self.err(
                at,
                format!("{what} modifier must be preceded by an instant vector selector or range vector selector or a subquery"),
            )),
        }
    }

    fn at_value(&mut self) -> Result<At> {
        let at = self.offset();
        if !matches!(self.peek(), T::Number(_) | T::Sub | T::Ident(_)) {
            return Err(self.unexpected("@, expected timestamp"));
        }
        match self.bump() {
            T::Number(n) => seconds_to_ms(n)
                .map(At::Timestamp)
                .ok_or_else(|| self.err(at, "timestamp out of bounds for @ modifier")),
            T::Sub => match self.peek().clone() {
                T::Number(n) => {
                    self.bump();
                    seconds_to_ms(-n)
                        .map(At::Timestamp)
                        .ok_or_else(|| self.err(at, "timestamp out of bounds for @ modifier"))
                }
                _ => Err(self.unexpected("@, expected timestamp")),
            },
            T::Ident(s) if s == "start" || s == "end" => {
                self.expect(&T::LParen, "@, expected timestamp")?;
                self.expect(&T::RParen, "@, expected timestamp")?;
                Ok(if s == "start" { At::Start } else { At::End })
            }
            _ => {
                // An identifier other than start/end (the only other token let through above).
                self.pos -= 1;
                Err(self.unexpected("@, expected timestamp"))
            }
        }
    }

    fn primary(&mut self, depth: usize) -> Result<(Expr, ValueType)> {
        let at = self.offset();
        match self.peek().clone() {
            T::Number(n) => {
                self.bump();
                Ok((Expr::Number(n), ValueType::Scalar))
            }
            T::Duration(ms) => {
                self.bump();
                Ok((Expr::Number(ms as f64 / 1000.0), ValueType::Scalar))
            }
            T::Str(s) => {
                self.bump();
                Ok((Expr::String(s), ValueType::String))
            }
            T::LParen => {
                self.check_depth(depth + 1)?;
                self.bump();
                let (e, vt) = self.expr(depth + 1)?;
                self.expect(&T::RParen, "paren expression")?;
                Ok((Expr::Paren(Box::new(e)), vt))
            }
            T::LBrace => {
                let matchers = self.matchers(None)?;
                self.selector(None, matchers, at)
            }
            T::Ident(name) => {
                // Binary-operator keywords are never metric names.
                let lower = name.to_ascii_lowercase();
                if matches!(lower.as_str(), "bool" | "on" | "ignoring" | "group_left" | "group_right" | "atan2") {
                    return Err(self.unexpected(""));
                }
                self.bump();
                if let Some(op) = AggregateOp::from_name(&name.to_ascii_lowercase())
                    && (matches!(self.peek(), T::LParen) || self.is_ident("by") || self.is_ident("without"))
                {
                    return self.aggregate(op, depth, at);
                }
                if self.peek() == &T::LParen {
                    return self.call(&name, depth, at);
                }
                let matchers = if self.peek() == &T::LBrace { self.matchers(Some(&name))? } else { Vec::new() };
                self.selector(Some(name), matchers, at)
            }
            _ => Err(self.unexpected("")),
        }
    }

    fn selector(&mut self, name: Option<String>, mut matchers: Vec<Matcher>, at: usize) -> Result<(Expr, ValueType)> {
        let label_selector = std::mem::take(&mut self.label_selector_next);
        let mut name = name;
        if name.is_none() {
            // `{"my.metric"}`: a bare quoted name is the metric name.
            name = matchers
                .iter()
                .find(|m| m.name == vigil_model::METRIC_NAME && m.op == MatchOp::Equal)
                .map(|m| m.value.clone())
                .filter(|_| false);
        }
        if let Some(n) = &name {
            let present =
                matchers.iter().any(|m| m.name == vigil_model::METRIC_NAME && m.op == MatchOp::Equal && &m.value == n);
            if !present {
                matchers.insert(0, Matcher::equal(vigil_model::METRIC_NAME, n.clone()));
            }
        }
        if !label_selector && (matchers.is_empty() || matchers.iter().all(Matcher::matches_empty)) {
            return Err(self.err(at, "vector selector must contain at least one non-empty matcher"));
        }
        Ok((
            Expr::VectorSelector(VectorSelector {
                name,
                matchers,
                offset_ms: 0,
                at: None,
                extended: None,
                durations: None,
            }),
            ValueType::Vector,
        ))
    }

    /// `{a="b", "c.d"=~"e", "metric.name"}`
    fn matchers(&mut self, metric: Option<&str>) -> Result<Vec<Matcher>> {
        self.expect(&T::LBrace, "label matching")?;
        let mut out = Vec::new();
        loop {
            let at = self.offset();
            let label = match self.bump() {
                T::RBrace => return Ok(out),
                T::Ident(s) => s,
                T::Str(s) => {
                    if matches!(self.peek(), T::Comma | T::RBrace) {
                        if metric.is_some() {
                            return Err(self.err(at, "metric name must not be set twice"));
                        }
                        out.push(Matcher::equal(vigil_model::METRIC_NAME, s));
                        if self.peek() == &T::Comma {
                            self.bump();
                        }
                        continue;
                    }
                    s
                }
                _ => {
                    self.pos -= 1;
                    return Err(self.unexpected("label matching, expected identifier or \"}\""));
                }
            };
            let op = match self.bump() {
                T::Assign => MatchOp::Equal,
                T::Neq => MatchOp::NotEqual,
                T::RegexMatch => MatchOp::Regex,
                T::RegexNoMatch => MatchOp::NotRegex,
                _ => {
                    self.pos -= 1;
                    return Err(self.unexpected("label matching, expected label matching operator"));
                }
            };
            let value = match self.bump() {
                T::Str(s) => s,
                _ => {
                    self.pos -= 1;
                    return Err(self.unexpected("label matching, expected string"));
                }
            };
            out.push(Matcher::new(op, label, value).map_err(|e| self.err(at, e.to_string()))?);
            match self.peek() {
                T::Comma => {
                    self.bump();
                }
                T::RBrace => {}
                _ => return Err(self.unexpected("label matching, expected \",\" or \"}\"")),
            }
        }
    }

    fn grouping(&mut self) -> Result<Option<Grouping>> {
        if self.is_ident("by") || self.is_ident("without") {
            let without = self.is_ident("without");
            self.bump();
            return Ok(Some(Grouping { without, labels: self.label_list()? }));
        }
        Ok(None)
    }

    fn aggregate(&mut self, op: AggregateOp, depth: usize, at: usize) -> Result<(Expr, ValueType)> {
        if matches!(op, AggregateOp::Limitk | AggregateOp::LimitRatio) && !self.features.experimental_functions {
            return Err(self.err(
                at,
                "limitk() and limit_ratio() are experimental and must be enabled with --enable-feature=promql-experimental-functions",
            ));
        }
        let before = self.grouping()?;
        self.check_depth(depth + 1)?;
        let mut args = self.args(depth + 1, "aggregation", None)?;
        let after = self.grouping()?;
        if before.is_some() && after.is_some() {
            return Err(self.err(at, "aggregation may have only one grouping clause"));
        }
        let grouping = before.or(after).unwrap_or_default();
        let want = if op.has_param() { 2 } else { 1 };
        if args.len() != want {
            return Err(self.err(
                at,
                format!(
                    "wrong number of arguments for aggregate expression provided, expected {want}, got {}",
                    args.len()
                ),
            ));
        }
        let (expr, et, e_at) = args.pop().ok_or_else(|| self.err(at, "internal error: missing argument"))?;
        if et != ValueType::Vector {
            return Err(self
                .err(e_at, format!("expected type instant vector in aggregation expression, got {}", type_name(et))));
        }
        let mut offsets = vec![at, e_at];
        let param = match args.pop() {
            Some((p, pt, p_at)) => {
                offsets.push(p_at);
                let want = if op == AggregateOp::CountValues { ValueType::String } else { ValueType::Scalar };
                if pt != want {
                    return Err(self.err(
                        p_at,
                        format!("expected type {} in aggregation parameter, got {}", type_name(want), type_name(pt)),
                    ));
                }
                Some(Box::new(p))
            }
            None => None,
        };
        let offsets = SourceOffsets(offsets);
        Ok((Expr::Aggregate(AggregateExpr { op, expr: Box::new(expr), param, grouping, offsets }), ValueType::Vector))
    }

    /// `(a, b)`, each argument with its start offset; `context` names the construct in errors.
    /// A parenthesised argument list; argument `label_arg`, when it starts with `{`, is a label
    /// selector that may match everything.
    fn args(&mut self, depth: usize, context: &str, label_arg: Option<usize>) -> Result<Vec<(Expr, ValueType, usize)>> {
        self.expect(&T::LParen, context)?;
        let mut args = Vec::new();
        if self.peek() == &T::RParen {
            self.bump();
            return Ok(args);
        }
        loop {
            let start = self.offset();
            self.label_selector_next = label_arg == Some(args.len()) && self.peek() == &T::LBrace;
            let arg = self.expr(depth);
            self.label_selector_next = false;
            args.push(arg.map(|(e, t)| (e, t, start))?);
            match self.peek() {
                T::Comma => {
                    self.bump();
                    if self.peek() == &T::RParen {
                        self.bump();
                        return Ok(args);
                    }
                }
                T::RParen => {
                    self.bump();
                    return Ok(args);
                }
                _ => return Err(self.unexpected(context)),
            }
        }
    }

    fn call(&mut self, name: &str, depth: usize, at: usize) -> Result<(Expr, ValueType)> {
        // Arguments first: an unclosed call is reported before an unknown name, as Prometheus does.
        self.check_depth(depth + 1)?;
        let label_arg = (name == "info").then_some(1);
        let args = self.args(depth + 1, "", label_arg)?;
        let lookup = if name == "holt_winters" { "double_exponential_smoothing" } else { name };
        let func =
            lookup_function(lookup).ok_or_else(|| self.err(at, format!("unknown function with name {name:?}")))?;
        if func.is_experimental() && name != "holt_winters" && !self.features.experimental_functions {
            return Err(self.err(
                at,
                format!(
                    "function {name:?} is not enabled: it is experimental and needs --enable-feature=promql-experimental-functions"
                ),
            ));
        }
        func.check_arity(args.len()).map_err(|m| self.err(at, m))?;
        let mut out = Vec::with_capacity(args.len());
        let arg_offsets = SourceOffsets(args.iter().map(|(_, _, a_at)| *a_at).collect());
        for (i, (a, t, a_at)) in args.into_iter().enumerate() {
            let want = func
                .arg_type(i)
                .ok_or_else(|| self.err(at, format!("too many arguments in call to {:?}", func.name)))?;
            if t != want {
                return Err(self.err(
                    a_at,
                    format!(
                        "expected type {} in call to function {:?}, got {}",
                        type_name(want),
                        func.name,
                        type_name(t)
                    ),
                ));
            }
            if func.name == "info" && i == 1 {
                match &a {
                    Expr::VectorSelector(vs) if vs.name.is_some() => {
                        return Err(self.err(a_at, "expected label selectors only, got vector selector instead"));
                    }
                    Expr::VectorSelector(_) => {}
                    _ => return Err(self.err(a_at, "expected label selectors only")),
                }
            }
            out.push(a);
        }
        Ok((Expr::Call(Call { func, args: out, arg_offsets }), func.return_type))
    }
}

fn type_name(t: ValueType) -> &'static str {
    match t {
        ValueType::Vector => "instant vector",
        ValueType::Matrix => "range vector",
        ValueType::Scalar => "scalar",
        ValueType::String => "string",
    }
}

/// Seconds (possibly fractional) to whole milliseconds, if representable.
fn seconds_to_ms(s: f64) -> Option<i64> {
    let ms = (s * 1000.0).round();
    (ms.is_finite() && ms.abs() < 9.2e18).then_some(ms as i64)
}

mod durations;
#[cfg(test)]
mod tests;
