//! The parse entry point: length cap, nesting and operator-count limits, then our parser.

mod nesting;

use crate::{Error, Expr, Result};

/// Default cap on query length: derived `Drop`/`Clone` and the evaluator recurse over operator chains.
pub const DEFAULT_MAX_QUERY_LEN: usize = 64 * 1024;

/// Default bound on nesting depth (parentheses, calls, aggregations, unary signs). Operator
/// chains such as `1 + 1 + ...` are built iteratively and do not count against it.
pub const DEFAULT_MAX_DEPTH: usize = parser::DEFAULT_MAX_DEPTH;

/// Default bound on binary operators in one query (see [`ParseOptions::max_binary_ops`]).
pub const DEFAULT_MAX_BINARY_OPS: usize = 4096;

/// Stack size of the threads that parse and evaluate queries: the parser's limits are sized so
/// that the deepest accepted query is evaluated within it (tested), with a wide margin.
pub const QUERY_STACK_SIZE: usize = 64 << 20;

/// Parser settings.
#[derive(Debug, Clone)]
pub struct ParseOptions {
    /// Longest accepted query in bytes.
    pub max_query_len: usize,
    /// Deepest accepted nesting; deeper queries fail with "expression nesting too deep".
    pub max_depth: usize,
    /// Most binary operators in one query: the evaluator still recurses over operator chains.
    pub max_binary_ops: usize,
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self {
            max_query_len: DEFAULT_MAX_QUERY_LEN,
            max_depth: DEFAULT_MAX_DEPTH,
            max_binary_ops: DEFAULT_MAX_BINARY_OPS,
        }
    }
}

/// Parses and type-checks `query` with default options.
pub fn parse(query: &str) -> Result<Expr> {
    parse_with(query, &ParseOptions::default())
}

/// Parses and type-checks `query`.
pub fn parse_with(query: &str, opts: &ParseOptions) -> Result<Expr> {
    if query.len() > opts.max_query_len {
        return Err(Error::TooLong { len: query.len(), max: opts.max_query_len });
    }
    // A linear scan first: brackets and operator counts bound every recursive walk after it.
    nesting::check(query, &nesting::Limits { max_depth: opts.max_depth, max_binary_ops: opts.max_binary_ops })?;
    parser::parse_query(query, opts.max_depth)
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
mod token;
