//! Bounds the shape of a query before any recursive code sees it.
//!
//! The parser (for real nesting), the derived `Drop`/`Clone` and the evaluator recurse over the tree,
//! and a stack overflow aborts the whole process. A linear token scan here measures the two
//! things that make a tree deep, and rejects the query with a positioned error when either is
//! over its limit:
//! - **nesting**: open brackets `(`, `[`, `{` plus runs of unary `+`/`-` (each one level);
//! - **operator chains**: binary operators in one query, since `a + b + c + …` nests left.
//!
//! It also counts regex matchers (`=~`, `!~`), each compiled while parsing (tens of microseconds
//! even for `x.*`), so that a long query cannot buy seconds of uncancellable CPU with them.
//!
//! The limits are far above hand-written or generated dashboards' queries and low enough that
//! the deepest accepted tree fits the query threads' stack ([`crate::QUERY_STACK_SIZE`]).

use crate::Error;

/// The bounds the scan enforces.
pub(crate) struct Limits {
    /// Deepest accepted nesting.
    pub max_depth: usize,
    /// Most binary operators accepted in one query.
    pub max_binary_ops: usize,
    /// Most regex matchers accepted in one query.
    pub max_regex_matchers: usize,
}

/// Checks `query` against `limits`; the error names the first token over a limit.
pub(crate) fn check(query: &str, limits: &Limits) -> Result<(), Error> {
    let bytes = query.as_bytes();
    let mut depth = 0usize;
    // Open `{`: inside them `=`, `!=`, `=~`, `!~` are matchers, not binary operators.
    let mut braces = 0usize;
    let mut binary_ops = 0usize;
    let mut regex_matchers = 0usize;
    // Whether the previous significant token ends an operand (so `-` next is binary).
    let mut after_operand = false;
    // Unary signs in the current run.
    let mut unary_run = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        match b {
            b'"' | b'\'' | b'`' => {
                i = skip_string(bytes, i, b);
                after_operand = true;
            }
            b'#' => {
                i = bytes[i..].iter().position(|&c| c == b'\n').map_or(bytes.len(), |p| i + p);
                continue;
            }
            b if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                braces += usize::from(b == b'{');
                i += 1;
                after_operand = false;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                braces = braces.saturating_sub(usize::from(b == b'}'));
                i += 1;
                after_operand = true;
            }
            b'+' | b'-' if !after_operand => {
                unary_run += 1;
                i += 1;
                if depth + unary_run > limits.max_depth {
                    return Err(too_deep(query, start, limits.max_depth));
                }
                continue;
            }
            b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'=' | b'!' | b'<' | b'>' => {
                // `=~`, `!~`, `==`, `!=`, `<=`, `>=` are one token; matchers live inside braces.
                i += 1;
                let regex = i < bytes.len() && bytes[i] == b'~';
                if i < bytes.len() && matches!(bytes[i], b'=' | b'~') {
                    i += 1;
                } else if matches!(b, b'<' | b'>') && bytes.get(i) == Some(&b'/') {
                    // `</` and `>/` (the histogram trim operators) are one operator too.
                    i += 1;
                }
                if braces > 0 {
                    after_operand = false;
                    regex_matchers += usize::from(regex);
                    if regex_matchers > limits.max_regex_matchers {
                        return Err(Error::at(
                            query,
                            start,
                            format!("too many regex matchers (more than {})", limits.max_regex_matchers),
                        ));
                    }
                } else {
                    binary_ops += 1;
                    after_operand = false;
                    if binary_ops > limits.max_binary_ops {
                        return Err(Error::at(
                            query,
                            start,
                            format!("too many binary operators (more than {})", limits.max_binary_ops),
                        ));
                    }
                }
            }
            b if b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b':' || b >= 0x80 => {
                let end = i + bytes[i..]
                    .iter()
                    .take_while(|&&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b':' || c >= 0x80)
                    .count();
                let word = &query[i..end];
                i = end.max(i + 1);
                let keyword_op = ["and", "or", "unless", "atan2"].iter().any(|k| word.eq_ignore_ascii_case(k));
                if keyword_op && after_operand {
                    binary_ops += 1;
                    if binary_ops > limits.max_binary_ops {
                        return Err(Error::at(
                            query,
                            start,
                            format!("too many binary operators (more than {})", limits.max_binary_ops),
                        ));
                    }
                    after_operand = false;
                } else {
                    // `bool`, `on`, `by`, `offset` … keep the operand state of what precedes them
                    // only loosely; treating a word as an operand is the safe direction (a
                    // following `-` then counts as binary, never as unary depth).
                    after_operand = !word.eq_ignore_ascii_case("bool") || after_operand;
                }
            }
            _ => {
                i += 1;
                after_operand = false;
            }
        }
        unary_run = 0;
        if depth > limits.max_depth {
            return Err(too_deep(query, start, limits.max_depth));
        }
    }
    Ok(())
}

fn too_deep(query: &str, offset: usize, max: usize) -> Error {
    Error::at(query, offset, format!("expression nesting too deep (more than {max} levels)"))
}

/// The index just past the string literal that starts at `start` with quote `q`.
fn skip_string(bytes: &[u8], start: usize, q: u8) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if q != b'`' => i += 2,
            c if c == q => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}
