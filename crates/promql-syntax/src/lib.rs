//! PromQL parsing behind Vigil's own boundary: lexer, parser, AST, positioned errors.
//!
//! The lexer (`parse/lexer.rs`) and the precedence-climbing parser (`parse/parser.rs`) are our
//! own; they build [`Expr`] directly and type-check function calls against [`FunctionSig`] while
//! reducing, reporting Prometheus-style errors (`1:5: parse error: unexpected ...`).
//!
//! Design: binary operator chains are reduced with explicit stacks, so their length costs no
//! call stack and parse time is linear in the query length. Only real nesting recurses and is
//! bounded by [`ParseOptions::max_depth`]. The derived `Drop`/`Clone`/`PartialEq` of [`Expr`]
//! still recurse over long binary spines, and so does the evaluator: a linear scan before
//! parsing bounds both nesting and [`ParseOptions::max_binary_ops`], so that every accepted tree
//! can be walked recursively on a [`QUERY_STACK_SIZE`] stack whatever the query's length. The
//! length cap ([`ParseOptions::max_query_len`], 1 MiB) and [`ParseOptions::max_regex_matchers`]
//! bound parse time instead.
//!
//! The printer (`print.rs`) is our own too: [`Expr`]'s `Display` is the canonical single-line
//! form and [`pretty`] Prometheus' multi-line layout behind [`format_query`]; both parse back to
//! the same tree and use an explicit stack instead of recursion.
//!
//! ```
//! use vigil_promql_syntax::{parse, Expr, ValueType};
//! let e = parse("sum by (job) (rate(http_requests_total[5m]))").unwrap();
//! assert_eq!(e.value_type(), ValueType::Vector);
//! let err = parse("foo bar").unwrap_err();
//! assert!(err.to_string().starts_with("1:5: parse error"));
//! ```
#![deny(missing_docs)]

mod ast;
mod error;
mod functions;
mod parse;
mod print;

pub use ast::*;
pub use error::{Error, Result};
pub use functions::{FUNCTIONS, FunctionSig, lookup_function};
pub use parse::{
    DEFAULT_MAX_BINARY_OPS, DEFAULT_MAX_DEPTH, DEFAULT_MAX_QUERY_LEN, DEFAULT_MAX_REGEX_MATCHERS, Features,
    ParseOptions, QUERY_STACK_SIZE, RAW_BYTE_BASE, format_query, go_quote, parse, parse_metric_selector, parse_with,
    raw_byte,
};
pub use print::{MAX_LINE_LEN, pretty};

#[cfg(test)]
mod tests;
