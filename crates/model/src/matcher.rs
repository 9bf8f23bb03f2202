//! Label matchers (`=`, `!=`, `=~`, `!~`).

use crate::{Error, Result};
use regex::Regex;

/// The matching operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchOp {
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
    /// `=~`
    Regex,
    /// `!~`
    NotRegex,
}

impl MatchOp {
    /// The operator as written in PromQL.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchOp::Equal => "=",
            MatchOp::NotEqual => "!=",
            MatchOp::Regex => "=~",
            MatchOp::NotRegex => "!~",
        }
    }
}

/// A label matcher. Regexes are anchored at both ends, as in Prometheus, and `.` matches newlines.
///
/// A missing label matches like an empty value, so `{foo=""}` selects series without `foo`.
#[derive(Debug, Clone)]
pub struct Matcher {
    /// The label name.
    pub name: String,
    /// The operation.
    pub op: MatchOp,
    /// The value or pattern as written.
    pub value: String,
    re: Option<Regex>,
    /// For regexes that are a plain alternation of literals (`a|b|c`), the literals.
    set: Option<Vec<String>>,
}

impl PartialEq for Matcher {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.op == other.op && self.value == other.value
    }
}

impl Matcher {
    /// Builds a matcher; regex operations compile the pattern.
    pub fn new(op: MatchOp, name: impl Into<String>, value: impl Into<String>) -> Result<Self> {
        let name = name.into();
        let value = value.into();
        let (re, set) = match op {
            MatchOp::Regex | MatchOp::NotRegex => {
                let re = compile_anchored(&value)?;
                (Some(re), literal_set(&value))
            }
            _ => (None, None),
        };
        Ok(Self { name, op, value, re, set })
    }

    /// `name = value`.
    pub fn equal(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self { name: name.into(), op: MatchOp::Equal, value: value.into(), re: None, set: None }
    }

    /// `name =~ pattern`.
    pub fn regex(name: impl Into<String>, pattern: impl Into<String>) -> Result<Self> {
        Self::new(MatchOp::Regex, name, pattern)
    }

    /// Whether `value` (empty when the label is absent) satisfies the matcher.
    pub fn matches(&self, value: &str) -> bool {
        match self.op {
            MatchOp::Equal => self.value == value,
            MatchOp::NotEqual => self.value != value,
            MatchOp::Regex => self.regex_match(value),
            MatchOp::NotRegex => !self.regex_match(value),
        }
    }

    /// Whether the matcher also selects series that lack the label entirely.
    pub fn matches_empty(&self) -> bool {
        self.matches("")
    }

    /// For `=` and for regexes that are alternations of literals, the exact values that match.
    pub fn set_matches(&self) -> Option<Vec<&str>> {
        match self.op {
            MatchOp::Equal => Some(vec![self.value.as_str()]),
            MatchOp::Regex => self.set.as_ref().map(|s| s.iter().map(String::as_str).collect()),
            _ => None,
        }
    }

    fn regex_match(&self, value: &str) -> bool {
        if let Some(set) = &self.set {
            return set.iter().any(|s| s == value);
        }
        self.re.as_ref().is_some_and(|re| re.is_match(value))
    }
}

impl std::fmt::Display for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}{:?}", self.name, self.op.as_str(), self.value)
    }
}

/// Compiles `pattern` anchored as `^(?s:pattern)$`, like Prometheus 3.
pub fn compile_anchored(pattern: &str) -> Result<Regex> {
    Regex::new(&format!("^(?s:{pattern})$"))
        .map_err(|e| Error::Regex { regex: pattern.to_owned(), message: e.to_string() })
}

/// If `pattern` is `lit1|lit2|...` with no regex metacharacters, the literals.
fn literal_set(pattern: &str) -> Option<Vec<String>> {
    const META: &[char] = &['.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '^', '$', '\\'];
    if pattern.contains(META) {
        return None;
    }
    Some(pattern.split('|').map(str::to_owned).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(op: MatchOp, pattern: &str, value: &str, want: bool) {
        let m = Matcher::new(op, "l", pattern).unwrap();
        assert_eq!(m.matches(value), want, "{pattern:?} {:?} {value:?}", op.as_str());
    }

    #[test]
    fn anchored_regexes() {
        check(MatchOp::Regex, "a.*", "abc", true);
        check(MatchOp::Regex, "b", "abc", false);
        check(MatchOp::Regex, "a|b", "b", true);
        check(MatchOp::Regex, "a|b", "ab", false);
        check(MatchOp::Regex, ".*", "x\ny", true);
        check(MatchOp::NotRegex, "5..", "500", false);
        check(MatchOp::NotEqual, "x", "", true);
        check(MatchOp::Regex, "", "", true);
    }

    #[test]
    fn bad_regex_is_an_error() {
        assert!(Matcher::regex("a", "(").is_err());
    }
}
