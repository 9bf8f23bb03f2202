//! Function names that Prometheus 2.x accepted and 3.x renamed, so 2.x rule files and dashboards
//! keep working: `holt_winters(...)` is evaluated as `double_exponential_smoothing(...)`.
//!
//! The rename is done on the query text before the upstream parser sees it (that parser rejects the
//! old name). Only identifiers in call position are renamed: outside string literals, at an
//! identifier boundary, and followed (after optional whitespace) by `(`. In PromQL a metric or label
//! name is never followed by `(`, so nothing else can match.

use super::guard::skip_string;
use std::borrow::Cow;

const RENAMED: &[(&str, &str)] = &[("holt_winters", "double_exponential_smoothing")];

/// `query` with renamed functions replaced by their current names (borrowed when none occur).
pub(crate) fn rename_legacy_functions(query: &str) -> Cow<'_, str> {
    if !RENAMED.iter().any(|(old, _)| query.contains(old)) {
        return Cow::Borrowed(query);
    }
    let bytes = query.as_bytes();
    let mut out = String::with_capacity(query.len() + 16);
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        match bytes[i] {
            q @ (b'"' | b'\'' | b'`') => i = skip_string(bytes, i, q),
            b'#' => i = bytes[i..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| i + p),
            b if is_ident_start(b) && (i == 0 || !is_ident_char(bytes[i - 1])) => {
                let end = i + bytes[i..].iter().take_while(|&&b| is_ident_char(b)).count();
                let ident = &query[i..end];
                let next = bytes[end..].iter().find(|b| !b.is_ascii_whitespace());
                if let Some((_, new)) = RENAMED.iter().find(|(old, _)| *old == ident)
                    && next == Some(&b'(')
                {
                    out.push_str(&query[copied..i]);
                    out.push_str(new);
                    copied = end;
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    if copied == 0 {
        return Cow::Borrowed(query);
    }
    out.push_str(&query[copied..]);
    Cow::Owned(out)
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b':'
}

#[cfg(test)]
mod tests {
    use super::rename_legacy_functions;

    fn check(input: &str, want: &str) {
        assert_eq!(rename_legacy_functions(input), want, "{input}");
    }

    #[test]
    fn renames_calls_only() {
        check("holt_winters(x[5m], 0.5, 0.5)", "double_exponential_smoothing(x[5m], 0.5, 0.5)");
        check("sum(holt_winters (x[5m], 0.1, 0.9))", "sum(double_exponential_smoothing (x[5m], 0.1, 0.9))");
        check("holt_winters", "holt_winters");
        check("my_holt_winters(x)", "my_holt_winters(x)");
        check(r#"x{a="holt_winters("}"#, r#"x{a="holt_winters("}"#);
        check(r#"x{a="\"holt_winters("}"#, r#"x{a="\"holt_winters("}"#);
        check("sum by (holt_winters) (x)", "sum by (holt_winters) (x)");
        check("rate(x[1m])", "rate(x[1m])");
    }
}
