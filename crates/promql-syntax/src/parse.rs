//! The parse entry point: length cap, panic isolation, conversion and positioned errors.

mod convert;
mod guard;
mod legacy_names;
mod nesting;
mod position;

use crate::{Error, Expr, Result};

/// Default cap on query length: `promql-parser` is quadratic in long operator chains.
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

/// Parses `query` with the `promql-parser` crate and converts its tree: the oracle that the
/// differential property test (`crates/test-support/tests/parser_oracle.rs`) compares
/// [`parse`] against. Not for production use; it goes away with the crate.
#[doc(hidden)]
pub fn parse_with_oracle(query: &str) -> Result<Expr> {
    let parsed = parse_upstream(query, &ParseOptions::default())?;
    convert::convert(&parsed).map_err(|msg| position::locate(query, &msg))
}

/// Pretty-prints `query` the way `/api/v1/format_query` does.
pub fn format_query(query: &str) -> Result<String> {
    let opts = ParseOptions::default();
    let parsed = parse_upstream(query, &opts)?;
    // Validate with our own rules too, so formatting never accepts what evaluation rejects.
    convert::convert(&parsed).map_err(|msg| position::locate(query, &msg))?;
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parsed.prettify()))
        .map_err(|_| Error::at(query, 0, "internal error while formatting the query"))
}

fn parse_upstream(query: &str, opts: &ParseOptions) -> Result<promql_parser::parser::Expr> {
    if query.len() > opts.max_query_len {
        return Err(Error::TooLong { len: query.len(), max: opts.max_query_len });
    }
    if query.trim().is_empty() {
        return Err(Error::at(query, 0, "no expression found in input"));
    }
    if let Some((offset, number)) = guard::out_of_range_duration(query) {
        return Err(Error::at(query, offset, format!("duration out of range: {number:?}")));
    }
    let renamed = legacy_names::rename_legacy_functions(query);
    let query = &*renamed;
    // Defense in depth: a panic inside the third-party parser becomes an error.
    match std::panic::catch_unwind(|| promql_parser::parser::parse(query)) {
        Ok(Ok(e)) => Ok(e),
        Ok(Err(msg)) => Err(position::locate(query, &msg)),
        Err(_) => Err(Error::at(query, 0, "internal error while parsing the query")),
    }
}

// The hand-written front end that replaces `promql-parser`; not wired into `parse` yet.
#[allow(dead_code)]
mod duration;
#[allow(dead_code)]
mod lexer;
mod parser;
#[allow(dead_code)]
mod strings;
#[allow(dead_code)]
mod token;
