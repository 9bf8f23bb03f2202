//! Vigil's own PromQL syntax tree, independent of the parser crate that produces it.

use vigil_model::Matcher;

/// The type of value an expression evaluates to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// A single number.
    Scalar,
    /// A string literal.
    String,
    /// An instant vector.
    Vector,
    /// A range vector.
    Matrix,
}

impl ValueType {
    /// The name Prometheus uses in messages and in the API (`scalar`, `vector`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ValueType::Scalar => "scalar",
            ValueType::String => "string",
            ValueType::Vector => "vector",
            ValueType::Matrix => "matrix",
        }
    }
}

/// The `@` modifier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum At {
    /// `@ <timestamp>`, in milliseconds.
    Timestamp(i64),
    /// `@ start()`
    Start,
    /// `@ end()`
    End,
}

/// An instant vector selector such as `http_requests_total{job="api"} offset 5m @ 100`.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorSelector {
    /// The metric name if written before the braces.
    pub name: Option<String>,
    /// All matchers, including a `__name__` equality matcher for the name.
    pub matchers: Vec<Matcher>,
    /// The offset in milliseconds (negative for `offset -5m`).
    pub offset_ms: i64,
    /// The `@` modifier.
    pub at: Option<At>,
    /// `anchored` or `smoothed` (Prometheus 3.x, feature `promql-extended-range-selectors`).
    pub extended: Option<Extended>,
    /// Offset and (for a matrix selector) range written as expressions over `step()`/`range()`;
    /// `offset_ms` and the range hold 0 until [`Expr::resolve_durations`] computes them.
    pub durations: Option<Box<DurationExprs>>,
}

/// The duration expressions of a selector or subquery that depend on the query
/// (`x[step() * 2]`, `offset min_of(range(), 1h)`); constant ones are folded by the parser.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DurationExprs {
    /// The range of a matrix selector or subquery.
    pub range: Option<DurationExpr>,
    /// The step of a subquery.
    pub step: Option<DurationExpr>,
    /// The offset.
    pub offset: Option<DurationExpr>,
}

/// Arithmetic over durations (feature `promql-duration-expr`), in seconds.
#[derive(Debug, Clone, PartialEq)]
pub enum DurationExpr {
    /// A duration literal such as `5m`, in seconds (300).
    Seconds(f64),
    /// A plain number, meaning seconds.
    Number(f64),
    /// `step()`: the query's step (0 for an instant query).
    Step,
    /// `range()`: the query's end minus its start (0 for an instant query).
    Range,
    /// `-e`
    Neg(Box<DurationExpr>),
    /// `(e)`, kept for printing.
    Paren(Box<DurationExpr>),
    /// `a + b`, `a - b`, `a * b`, `a / b`, `a % b`, `a ^ b`.
    Binary(BinaryOp, Box<DurationExpr>, Box<DurationExpr>),
    /// `min_of(a, b)` (`true`) or `max_of(a, b)` (`false`).
    MinMax(bool, Box<DurationExpr>, Box<DurationExpr>),
}

impl DurationExpr {
    /// Whether the value depends on the query's step or range.
    pub fn is_dynamic(&self) -> bool {
        match self {
            DurationExpr::Seconds(_) | DurationExpr::Number(_) => false,
            DurationExpr::Step | DurationExpr::Range => true,
            DurationExpr::Neg(e) | DurationExpr::Paren(e) => e.is_dynamic(),
            DurationExpr::Binary(_, a, b) | DurationExpr::MinMax(_, a, b) => a.is_dynamic() || b.is_dynamic(),
        }
    }

    /// The value in seconds for a query with `step_s` and `range_s`. Nesting is bounded by the
    /// parser's limits, so the recursion is too.
    pub fn seconds(&self, step_s: f64, range_s: f64) -> f64 {
        match self {
            DurationExpr::Seconds(v) | DurationExpr::Number(v) => *v,
            DurationExpr::Step => step_s,
            DurationExpr::Range => range_s,
            DurationExpr::Neg(e) => -e.seconds(step_s, range_s),
            DurationExpr::Paren(e) => e.seconds(step_s, range_s),
            DurationExpr::MinMax(min, a, b) => {
                let (a, b) = (a.seconds(step_s, range_s), b.seconds(step_s, range_s));
                if *min { a.min(b) } else { a.max(b) }
            }
            DurationExpr::Binary(op, a, b) => {
                let (a, b) = (a.seconds(step_s, range_s), b.seconds(step_s, range_s));
                match op {
                    BinaryOp::Add => a + b,
                    BinaryOp::Sub => a - b,
                    BinaryOp::Mul => a * b,
                    BinaryOp::Div => a / b,
                    BinaryOp::Mod => a % b,
                    _ => a.powf(b),
                }
            }
        }
    }

    /// The value in whole milliseconds, if finite and representable.
    pub fn millis(&self, step_s: f64, range_s: f64) -> Option<i64> {
        let ms = (self.seconds(step_s, range_s) * 1000.0).round();
        (ms.is_finite() && ms.abs() < 9.2e18).then_some(ms as i64)
    }
}

/// The extended range selector modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extended {
    /// `x[5m] anchored`: the window starts at the newest sample at or before its start (within
    /// the lookback delta) instead of extrapolating; for `changes`, `delta`, `increase`, `rate`
    /// and `resets`.
    Anchored,
    /// `x[5m] smoothed` / `x smoothed`: values at the window's edges (or at the step) are
    /// interpolated between the neighbouring samples; for `delta`, `increase` and `rate`.
    Smoothed,
}

impl Extended {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Extended::Anchored => "anchored",
            Extended::Smoothed => "smoothed",
        }
    }

    /// The functions a range selector with this modifier may be passed to, sorted.
    pub fn functions(self) -> &'static [&'static str] {
        match self {
            Extended::Anchored => &["changes", "delta", "increase", "rate", "resets"],
            Extended::Smoothed => &["delta", "increase", "rate"],
        }
    }
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `^`
    Pow,
    /// `atan2`
    Atan2,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `>`
    Gt,
    /// `<`
    Lt,
    /// `>=`
    Ge,
    /// `<=`
    Le,
    /// `and`
    And,
    /// `or`
    Or,
    /// `unless`
    Unless,
    /// `</`: keeps the part of a native histogram below the bound on the right (Prometheus 3.x).
    TrimUpper,
    /// `>/`: keeps the part of a native histogram above the bound on the right (Prometheus 3.x).
    TrimLower,
}

impl BinaryOp {
    /// Whether this is a comparison operator (`==`, `!=`, `>`, `<`, `>=`, `<=`).
    pub fn is_comparison(self) -> bool {
        matches!(self, BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Gt | BinaryOp::Lt | BinaryOp::Ge | BinaryOp::Le)
    }

    /// Whether this is a set operator (`and`, `or`, `unless`).
    pub fn is_set(self) -> bool {
        matches!(self, BinaryOp::And | BinaryOp::Or | BinaryOp::Unless)
    }

    /// Whether this is a histogram trim operator (`</`, `>/`).
    pub fn is_trim(self) -> bool {
        matches!(self, BinaryOp::TrimUpper | BinaryOp::TrimLower)
    }

    /// The operator as written in PromQL.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
            BinaryOp::Pow => "^",
            BinaryOp::Atan2 => "atan2",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Gt => ">",
            BinaryOp::Lt => "<",
            BinaryOp::Ge => ">=",
            BinaryOp::Le => "<=",
            BinaryOp::And => "and",
            BinaryOp::Or => "or",
            BinaryOp::Unless => "unless",
            BinaryOp::TrimUpper => "</",
            BinaryOp::TrimLower => ">/",
        }
    }
}

/// How the two sides of a vector/vector binary operation are matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cardinality {
    /// Default one-to-one matching.
    OneToOne,
    /// `group_left`: many on the left, one on the right.
    ManyToOne,
    /// `group_right`: one on the left, many on the right.
    OneToMany,
    /// Set operators.
    ManyToMany,
}

/// `on`/`ignoring` and `group_left`/`group_right` of a binary operation.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorMatching {
    /// The matching cardinality.
    pub card: Cardinality,
    /// True for `on(...)`, false for `ignoring(...)` (or no clause at all).
    pub on: bool,
    /// The labels listed in `on`/`ignoring`.
    pub labels: Vec<String>,
    /// The labels listed in `group_left(...)`/`group_right(...)`, copied from the "one" side.
    pub include: Vec<String>,
    /// `fill(...)`, `fill_left(...)`, `fill_right(...)`.
    pub fill: Fill,
}

impl VectorMatching {
    /// Plain one-to-one matching on all labels but the metric name.
    pub fn one_to_one() -> Self {
        Self { card: Cardinality::OneToOne, on: false, labels: Vec::new(), include: Vec::new(), fill: Fill::default() }
    }
}

/// The fill modifiers of a vector/vector operation (Prometheus 3.x, feature
/// `promql-binop-fill-modifiers`): the value a missing side takes, so that a series without a
/// match still yields a result. `fill(v)` sets both.
///
/// As upstream, "left" and "right" name the sides after `group_right` swapped them: with
/// `group_right`, `fill_left` stands in for the "many" side, which is written on the right.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Fill {
    /// `fill_left(v)`: the value of a missing left-hand (or, with `group_right`, "many") sample.
    pub lhs: Option<f64>,
    /// `fill_right(v)`: the value of a missing right-hand (or, with `group_right`, "one") sample.
    pub rhs: Option<f64>,
}

impl Fill {
    /// Whether any fill modifier is present.
    pub fn is_set(&self) -> bool {
        self.lhs.is_some() || self.rhs.is_some()
    }
}

/// A binary expression.
#[derive(Debug, Clone, PartialEq)]
pub struct BinaryExpr {
    /// The operator.
    pub op: BinaryOp,
    /// Left operand.
    pub lhs: Box<Expr>,
    /// Right operand.
    pub rhs: Box<Expr>,
    /// The `bool` modifier of comparisons.
    pub return_bool: bool,
    /// Vector matching; present when both sides are vectors.
    pub matching: Option<VectorMatching>,
    /// Where the expression (its left operand) starts in the query, then where the operator
    /// is: annotations about the operation point at the first, as Prometheus places them.
    pub offsets: SourceOffsets,
}

/// Aggregation operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AggregateOp {
    /// `sum`
    Sum,
    /// `avg`
    Avg,
    /// `min`
    Min,
    /// `max`
    Max,
    /// `count`
    Count,
    /// `group`
    Group,
    /// `stddev`
    Stddev,
    /// `stdvar`
    Stdvar,
    /// `topk`
    Topk,
    /// `bottomk`
    Bottomk,
    /// `quantile`
    Quantile,
    /// `count_values`
    CountValues,
    /// `limitk`
    Limitk,
    /// `limit_ratio`
    LimitRatio,
}

impl AggregateOp {
    /// Looks an aggregation up by its PromQL name.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "sum" => Self::Sum,
            "avg" => Self::Avg,
            "min" => Self::Min,
            "max" => Self::Max,
            "count" => Self::Count,
            "group" => Self::Group,
            "stddev" => Self::Stddev,
            "stdvar" => Self::Stdvar,
            "topk" => Self::Topk,
            "bottomk" => Self::Bottomk,
            "quantile" => Self::Quantile,
            "count_values" => Self::CountValues,
            "limitk" => Self::Limitk,
            "limit_ratio" => Self::LimitRatio,
            _ => return None,
        })
    }

    /// The operator as written in PromQL.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sum => "sum",
            Self::Avg => "avg",
            Self::Min => "min",
            Self::Max => "max",
            Self::Count => "count",
            Self::Group => "group",
            Self::Stddev => "stddev",
            Self::Stdvar => "stdvar",
            Self::Topk => "topk",
            Self::Bottomk => "bottomk",
            Self::Quantile => "quantile",
            Self::CountValues => "count_values",
            Self::Limitk => "limitk",
            Self::LimitRatio => "limit_ratio",
        }
    }

    /// Whether the aggregation takes a parameter.
    pub fn has_param(self) -> bool {
        matches!(
            self,
            Self::Topk | Self::Bottomk | Self::Quantile | Self::CountValues | Self::Limitk | Self::LimitRatio
        )
    }
}

/// `by (...)` or `without (...)`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Grouping {
    /// True for `without`.
    pub without: bool,
    /// The listed labels.
    pub labels: Vec<String>,
}

/// An aggregation such as `sum by (job) (x)` or `topk(3, x)`.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateExpr {
    /// The operator.
    pub op: AggregateOp,
    /// The aggregated expression.
    pub expr: Box<Expr>,
    /// The parameter of `topk`, `quantile`, `count_values`, ...
    pub param: Option<Box<Expr>>,
    /// `by`/`without`; absent means aggregate everything into one group.
    pub grouping: Grouping,
    /// Where the aggregation (0), its aggregated expression (1) and its parameter (2) start in
    /// the query, for annotations that point at them.
    pub offsets: SourceOffsets,
}

/// A function call.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The function's signature.
    pub func: &'static crate::FunctionSig,
    /// Arguments.
    pub args: Vec<Expr>,
    /// Where each argument starts in the query, for annotations that point at one.
    pub arg_offsets: SourceOffsets,
}

/// Byte offsets into the query text. They take no part in equality or `Debug` output: two
/// trees are the same expression however their source was laid out.
#[derive(Clone, Default)]
pub struct SourceOffsets(pub Vec<usize>);

impl PartialEq for SourceOffsets {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for SourceOffsets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SourceOffsets(..)")
    }
}

impl SourceOffsets {
    /// The offset of item `i`, or 0 when unknown (trees built without source).
    pub fn get(&self, i: usize) -> usize {
        self.0.get(i).copied().unwrap_or(0)
    }
}

/// A subquery `expr[range:step] offset o @ t`.
#[derive(Debug, Clone, PartialEq)]
pub struct SubqueryExpr {
    /// The inner expression.
    pub expr: Box<Expr>,
    /// The range in milliseconds.
    pub range_ms: i64,
    /// The step in milliseconds; `None` means the engine default.
    pub step_ms: Option<i64>,
    /// The offset in milliseconds.
    pub offset_ms: i64,
    /// The `@` modifier.
    pub at: Option<At>,
    /// Range, step and offset written as expressions over `step()`/`range()`.
    pub durations: Option<Box<DurationExprs>>,
}

/// A PromQL expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A number literal.
    Number(f64),
    /// A string literal.
    String(String),
    /// An instant vector selector.
    VectorSelector(VectorSelector),
    /// A range vector selector `sel[range]`.
    MatrixSelector {
        /// The selector.
        vs: VectorSelector,
        /// The range in milliseconds.
        range_ms: i64,
    },
    /// A subquery.
    Subquery(SubqueryExpr),
    /// Unary minus.
    Neg(Box<Expr>),
    /// A binary operation.
    Binary(BinaryExpr),
    /// An aggregation.
    Aggregate(AggregateExpr),
    /// A function call.
    Call(Call),
    /// Parentheses.
    Paren(Box<Expr>),
}

impl Expr {
    /// The type of value this expression evaluates to.
    ///
    /// Iterative over binary spines, so a chain of half a million `+` costs no stack.
    pub fn value_type(&self) -> ValueType {
        let top = self.unwrap_unary();
        if !matches!(top, Expr::Binary(_)) {
            return top.leaf_value_type();
        }
        // A binary expression is scalar exactly when every operand leaf is scalar.
        let mut stack = vec![top];
        while let Some(e) = stack.pop() {
            match e.unwrap_unary() {
                Expr::Binary(b) => {
                    stack.push(&b.lhs);
                    stack.push(&b.rhs);
                }
                leaf => {
                    if leaf.leaf_value_type() != ValueType::Scalar {
                        return ValueType::Vector;
                    }
                }
            }
        }
        ValueType::Scalar
    }

    /// The type of a node that is neither unary, parenthesised nor binary.
    fn leaf_value_type(&self) -> ValueType {
        match self {
            Expr::Number(_) => ValueType::Scalar,
            Expr::String(_) => ValueType::String,
            Expr::VectorSelector(_) | Expr::Aggregate(_) => ValueType::Vector,
            Expr::MatrixSelector { .. } | Expr::Subquery(_) => ValueType::Matrix,
            Expr::Call(c) => c.func.return_type,
            // Only reached through `value_type`, which unwraps these first; answer sensibly anyway.
            Expr::Neg(_) | Expr::Paren(_) | Expr::Binary(_) => ValueType::Vector,
        }
    }

    /// Skips any enclosing unary minus and parentheses, which do not change the value type.
    fn unwrap_unary(&self) -> &Expr {
        let mut e = self;
        while let Expr::Neg(inner) | Expr::Paren(inner) = e {
            e = inner;
        }
        e
    }

    /// The expression without any enclosing parentheses.
    pub fn unparen(&self) -> &Expr {
        let mut e = self;
        while let Expr::Paren(inner) = e {
            e = inner;
        }
        e
    }

    /// The direct sub-expressions, in source order.
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Number(_) | Expr::String(_) | Expr::VectorSelector(_) | Expr::MatrixSelector { .. } => Vec::new(),
            Expr::Subquery(s) => vec![&*s.expr],
            Expr::Neg(e) | Expr::Paren(e) => vec![&**e],
            Expr::Binary(b) => vec![&*b.lhs, &*b.rhs],
            Expr::Aggregate(a) => a.param.iter().map(|p| &**p).chain(std::iter::once(&*a.expr)).collect(),
            Expr::Call(c) => c.args.iter().collect(),
        }
    }

    /// Visits every node in pre-order (parents before children, children in source order)
    /// with an explicit stack, so arbitrarily long operator chains cost no call stack.
    pub fn walk<'a>(&'a self, visit: &mut impl FnMut(&'a Expr)) {
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            visit(e);
            stack.extend(e.children().into_iter().rev());
        }
    }

    /// The deepest nesting of the tree, counting every node on the longest root-to-leaf path.
    /// Computed iteratively.
    pub fn nesting_depth(&self) -> usize {
        let mut deepest = 0;
        let mut stack = vec![(self, 1usize)];
        while let Some((e, d)) = stack.pop() {
            deepest = deepest.max(d);
            stack.extend(e.children().into_iter().map(|c| (c, d + 1)));
        }
        deepest
    }

    /// Computes every duration written over `step()`/`range()` for a query with step `step_ms`
    /// and range `range_ms` (both 0 for an instant query), storing it in `offset_ms`, `range_ms`
    /// and `step_ms`. Iterative. Errors name the first duration that is not representable or,
    /// for ranges and steps, not positive.
    pub fn resolve_durations(&mut self, step_ms: i64, range_ms: i64) -> Result<(), String> {
        let (step_s, range_s) = (step_ms as f64 / 1000.0, range_ms as f64 / 1000.0);
        let eval = |d: &DurationExpr, what: &str| {
            d.millis(step_s, range_s).ok_or_else(|| format!("{what} duration out of range"))
        };
        let positive = |ms: i64, what: &str| {
            if ms > 0 { Ok(ms) } else { Err(format!("{what} must be greater than 0, got {ms}ms")) }
        };
        let mut stack: Vec<&mut Expr> = vec![self];
        while let Some(e) = stack.pop() {
            match e {
                Expr::Number(_) | Expr::String(_) => {}
                Expr::VectorSelector(vs) => {
                    if let Some(d) = vs.durations.as_deref().and_then(|d| d.offset.as_ref()) {
                        vs.offset_ms = eval(d, "offset")?;
                    }
                }
                Expr::MatrixSelector { vs, range_ms: r } => {
                    if let Some(d) = vs.durations.as_deref() {
                        if let Some(o) = &d.offset {
                            vs.offset_ms = eval(o, "offset")?;
                        }
                        if let Some(x) = &d.range {
                            *r = positive(eval(x, "range")?, "range")?;
                        }
                    }
                }
                Expr::Subquery(sq) => {
                    if let Some(d) = sq.durations.as_deref() {
                        if let Some(o) = &d.offset {
                            sq.offset_ms = eval(o, "offset")?;
                        }
                        if let Some(x) = &d.range {
                            sq.range_ms = positive(eval(x, "subquery range")?, "subquery range")?;
                        }
                        if let Some(x) = &d.step {
                            sq.step_ms = Some(positive(eval(x, "subquery step")?, "subquery step")?);
                        }
                    }
                    stack.push(&mut sq.expr);
                }
                Expr::Neg(x) | Expr::Paren(x) => stack.push(x),
                Expr::Binary(b) => {
                    stack.push(&mut b.lhs);
                    stack.push(&mut b.rhs);
                }
                Expr::Aggregate(a) => {
                    if let Some(p) = &mut a.param {
                        stack.push(p);
                    }
                    stack.push(&mut a.expr);
                }
                Expr::Call(c) => stack.extend(c.args.iter_mut()),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
