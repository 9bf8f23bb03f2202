//! PromQL parsing behind Vigil's own boundary: AST, positioned errors, length cap.
//!
//! The grammar is implemented by the `promql-parser` crate; this crate converts its tree into
//! Vigil's own [`Expr`] so that the engine never depends on a third-party AST, type-checks
//! function calls against its own [`FunctionSig`] table, and turns the parser's position-less
//! messages into Prometheus-style errors (`1:5: parse error: unexpected ...`).
//!
//! Parsing never panics (the parser call runs under `catch_unwind`) and queries longer than
//! [`ParseOptions::max_query_len`] are rejected up front, because the parser's time grows
//! quadratically with long operator chains.
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

pub use ast::*;
pub use error::{Error, Result};
pub use functions::{FUNCTIONS, FunctionSig, lookup_function};
pub use parse::{DEFAULT_MAX_DEPTH, DEFAULT_MAX_QUERY_LEN, ParseOptions, format_query, parse, parse_with};

#[cfg(test)]
mod tests;
