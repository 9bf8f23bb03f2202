//! The differential test's oracle: the `promql-parser` crate, its tree converted into ours and
//! its position-less errors located by re-lexing. Test-only, so that crate stays out of every
//! normal build.

mod convert;
mod guard;
mod legacy_names;
mod position;

use vigil_promql_syntax::{DEFAULT_MAX_QUERY_LEN, Error, Expr, Result};

/// Parses `query` with `promql-parser` and converts its tree, with the same length cap and
/// Prometheus-style positioned errors as [`vigil_promql_syntax::parse`].
pub fn parse_with_oracle(query: &str) -> Result<Expr> {
    let parsed = parse_upstream(query)?;
    convert::convert(&parsed).map_err(|msg| position::locate(query, &msg))
}

fn parse_upstream(query: &str) -> Result<promql_parser::parser::Expr> {
    if query.len() > DEFAULT_MAX_QUERY_LEN {
        return Err(Error::TooLong { len: query.len(), max: DEFAULT_MAX_QUERY_LEN });
    }
    if query.trim().is_empty() {
        return Err(Error::at(query, 0, "no expression found in input"));
    }
    if let Some((offset, number)) = guard::out_of_range_duration(query) {
        return Err(Error::at(query, offset, format!("duration out of range: {number:?}")));
    }
    let renamed = legacy_names::rename_legacy_functions(query);
    let query = &*renamed;
    // A panic inside the third-party parser becomes an error, not a failed test.
    match std::panic::catch_unwind(|| promql_parser::parser::parse(query)) {
        Ok(Ok(e)) => Ok(e),
        Ok(Err(msg)) => Err(position::locate(query, &msg)),
        Err(_) => Err(Error::at(query, 0, "internal error while parsing the query")),
    }
}
