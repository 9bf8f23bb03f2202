//! The parse entry point: length cap, nesting and operator-count limits, then our parser.

mod nesting;

use crate::{Error, Expr, Result};

/// Default cap on query length. Depth is bounded by the nesting and operator limits whatever
/// the length; this bounds parse time and memory (the slowest accepted 1 MiB shapes, a 1 MB
/// regex alternation or matcher list, parse in about half a second).
pub const DEFAULT_MAX_QUERY_LEN: usize = 1 << 20;

/// Default bound on regex matchers (`=~`, `!~`) in one query: each is compiled while parsing.
pub const DEFAULT_MAX_REGEX_MATCHERS: usize = 1024;

/// Default bound on nesting depth (parentheses, calls, aggregations, unary signs). Operator
/// chains such as `1 + 1 + ...` are built iteratively and do not count against it.
pub const DEFAULT_MAX_DEPTH: usize = parser::DEFAULT_MAX_DEPTH;

/// Default bound on binary operators in one query (see [`ParseOptions::max_binary_ops`]).
pub const DEFAULT_MAX_BINARY_OPS: usize = 4096;

/// Stack size of the threads that parse and evaluate queries: the parser's limits are sized so
/// that the deepest accepted query is evaluated within it (tested), with a wide margin.
pub const QUERY_STACK_SIZE: usize = 64 << 20;

/// Experimental parts of the language, off by default as in Prometheus, each enabled by the
/// `--enable-feature` name upstream uses (see [`Features::enable`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Features {
    /// `promql-experimental-functions`: the functions marked experimental upstream, `limitk` and
    /// `limit_ratio`.
    pub experimental_functions: bool,
    /// `promql-duration-expr`: arithmetic in ranges, steps and offsets (`x[5m+30s]`).
    pub duration_expr: bool,
    /// `promql-extended-range-selectors`: the `anchored` and `smoothed` modifiers.
    pub extended_range_selectors: bool,
    /// `promql-binop-fill-modifiers`: `fill(v)`, `fill_left(v)`, `fill_right(v)`.
    pub binop_fill_modifiers: bool,
}

impl Features {
    /// The `--enable-feature` names this type knows, in field order.
    pub const NAMES: [&'static str; 4] = [
        "promql-experimental-functions",
        "promql-duration-expr",
        "promql-extended-range-selectors",
        "promql-binop-fill-modifiers",
    ];

    /// Everything on, as Prometheus' own test engine runs the `.test` files.
    pub fn all() -> Self {
        Self {
            experimental_functions: true,
            duration_expr: true,
            extended_range_selectors: true,
            binop_fill_modifiers: true,
        }
    }

    /// Turns on the feature called `name`; false if the name is not a PromQL feature.
    pub fn enable(&mut self, name: &str) -> bool {
        let flag = match name {
            "promql-experimental-functions" => &mut self.experimental_functions,
            "promql-duration-expr" => &mut self.duration_expr,
            "promql-extended-range-selectors" => &mut self.extended_range_selectors,
            "promql-binop-fill-modifiers" => &mut self.binop_fill_modifiers,
            _ => return false,
        };
        *flag = true;
        true
    }
}

/// Parser settings.
#[derive(Debug, Clone)]
pub struct ParseOptions {
    /// Longest accepted query in bytes.
    pub max_query_len: usize,
    /// Deepest accepted nesting; deeper queries fail with "expression nesting too deep".
    pub max_depth: usize,
    /// Most binary operators in one query: the evaluator still recurses over operator chains.
    pub max_binary_ops: usize,
    /// Most regex matchers in one query: each costs a compilation before any deadline applies.
    pub max_regex_matchers: usize,
    /// The experimental language features accepted.
    pub features: Features,
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self {
            max_query_len: DEFAULT_MAX_QUERY_LEN,
            max_depth: DEFAULT_MAX_DEPTH,
            max_binary_ops: DEFAULT_MAX_BINARY_OPS,
            max_regex_matchers: DEFAULT_MAX_REGEX_MATCHERS,
            features: Features::default(),
        }
    }
}

/// Parses and type-checks `query` with default limits and every experimental feature on: for
/// tools and tests that read what others wrote. Servers use [`parse_with`] and their flags.
pub fn parse(query: &str) -> Result<Expr> {
    parse_with(query, &ParseOptions { features: Features::all(), ..ParseOptions::default() })
}

/// Parses and type-checks `query`.
pub fn parse_with(query: &str, opts: &ParseOptions) -> Result<Expr> {
    check_shape(query, opts)?;
    parser::parse_query(query, opts.max_depth, opts.features)
}

/// Parses a bare series selector (`up{job="api"}`, `{"my.metric", a=~"b.*"}`) into its matchers,
/// the metric name as a `__name__` matcher first: what `match[]` parameters take. Lengths and
/// regex matchers are bounded by `opts` as for a query.
pub fn parse_metric_selector(selector: &str, opts: &ParseOptions) -> Result<Vec<vigil_model::Matcher>> {
    check_shape(selector, opts)?;
    parser::parse_metric_selector(selector)
}

/// The length cap, then a linear scan whose bracket and operator counts bound every recursive
/// walk after it.
fn check_shape(query: &str, opts: &ParseOptions) -> Result<()> {
    if query.len() > opts.max_query_len {
        return Err(Error::TooLong { len: query.len(), max: opts.max_query_len });
    }
    let limits = nesting::Limits {
        max_depth: opts.max_depth,
        max_binary_ops: opts.max_binary_ops,
        max_regex_matchers: opts.max_regex_matchers,
    };
    nesting::check(query, &limits)
}

/// Pretty-prints `query` the way `/api/v1/format_query` does: parsed (and so validated) by
/// [`parse`], then laid out by [`crate::print::pretty`].
pub fn format_query(query: &str) -> Result<String> {
    parse(query).map(|e| crate::print::pretty(&e))
}

mod duration;
mod lexer;
mod parser;
mod strings;
pub use strings::{RAW_BYTE_BASE, go_quote, raw_byte};
mod token;
