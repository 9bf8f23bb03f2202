//! Rejects inputs that would make the upstream parser panic, before it sees them.
//!
//! `promql-parser` turns a bare number used as a duration (`x[5]`, `offset 10`, `[1h:30]`) into a
//! `std::time::Duration` with `from_secs_f64`, which panics on NaN, infinities and values too
//! large for a `Duration`. A panic is caught at the boundary anyway, but only where unwinding is on;
//! checking first gives the user Prometheus' error and keeps fuzzing (which aborts on any panic)
//! meaningful. Found by the `promql_parse` fuzz target.

/// Largest duration Prometheus accepts, in seconds (Go's `time.Duration` is int64 nanoseconds).
const MAX_DURATION_SECONDS: f64 = i64::MAX as f64 / 1e9;

/// The byte offset and text of the first bare-number duration that is out of range, if any.
pub(crate) fn out_of_range_duration(query: &str) -> Option<(usize, &str)> {
    let bytes = query.as_bytes();
    let mut i = 0;
    // Whether the previous significant token starts a duration: `[`, `:` or `offset`.
    let mut expects_duration = false;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' | b'\'' | b'`' => {
                i = skip_string(bytes, i, b);
                expects_duration = false;
            }
            b'#' => i = bytes[i..].iter().position(|&c| c == b'\n').map_or(bytes.len(), |p| i + p),
            b'[' | b':' => {
                expects_duration = true;
                i += 1;
            }
            b if b.is_ascii_whitespace() => i += 1,
            b if b.is_ascii_alphanumeric() || b == b'_' || b == b'.' => {
                let end = i + bytes[i..]
                    .iter()
                    .take_while(|&&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'+' || c == b'-')
                    .count();
                // A `+`/`-` only belongs to the token as an exponent sign (`1e+9`).
                let end = trim_to_number(bytes, i, end);
                let token = &query[i..end];
                if expects_duration && is_bad_number(token) {
                    return Some((i, token));
                }
                expects_duration = token.eq_ignore_ascii_case("offset");
                i = end.max(i + 1);
            }
            _ => {
                expects_duration = false;
                i += 1;
            }
        }
    }
    None
}

/// Shortens `[start, end)` so that `+`/`-` are kept only right after an exponent `e`/`E`.
fn trim_to_number(bytes: &[u8], start: usize, end: usize) -> usize {
    for j in start..end {
        if matches!(bytes[j], b'+' | b'-') && !(j > start && matches!(bytes[j - 1], b'e' | b'E')) {
            return j;
        }
    }
    end
}

/// Whether `token` is a number (as PromQL's lexer reads numbers) that no `Duration` can hold.
fn is_bad_number(token: &str) -> bool {
    let lower = token.to_ascii_lowercase();
    let value = if let Some(hex) = lower.strip_prefix("0x") {
        match u64::from_str_radix(hex, 16) {
            Ok(v) => v as f64,
            Err(_) => return false,
        }
    } else if lower == "inf" || lower == "nan" {
        return true;
    } else {
        match lower.parse::<f64>() {
            Ok(v) => v,
            Err(_) => return false,
        }
    };
    !value.is_finite() || value > MAX_DURATION_SECONDS
}

/// Index just past the string literal starting at `start` (or the end of input if unterminated).
pub(super) fn skip_string(bytes: &[u8], start: usize, quote: u8) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote != b'`' => i += 2,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::out_of_range_duration;

    fn check(query: &str, want: Option<usize>) {
        assert_eq!(out_of_range_duration(query).map(|(pos, _)| pos), want, "{query}");
    }

    #[test]
    fn finds_numbers_too_large_for_a_duration() {
        check(":[99999999999999999999999999999999999999999999999999999999999992]=//", Some(2));
        check("x[1e400]", Some(2));
        check("x[Inf]", Some(2));
        check("x offset NaN", Some(9));
        check("x[5m:1e300]", Some(5));
        check("rate(x[ 99999999999 ])", Some(8));
    }

    #[test]
    fn accepts_ordinary_queries() {
        check("x[5]", None);
        check("x[5m] offset 10", None);
        check("x[1h:30]", None);
        check("x[0x10]", None);
        check("1e400 + x", None);
        check(r#"x{a="[1e400]"}"#, None);
        check("x[1e+3]", None);
    }
}
