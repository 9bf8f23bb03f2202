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
    /// For regexes that are a plain alternation of literals (`a|b|c`), the literals, sorted and
    /// deduplicated.
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
            MatchOp::Regex | MatchOp::NotRegex => match literal_set(&value) {
                // An alternation of literals (Grafana's multi-value variables) needs no
                // automaton: compiling one of 100k values would cost seconds and 100+ MB.
                Some(set) => (None, Some(set)),
                None => (Some(compile_bounded(&value)?), None),
            },
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
            return set.binary_search_by(|s| s.as_str().cmp(value)).is_ok();
        }
        self.re.as_ref().is_some_and(|re| re.is_match(value))
    }
}

impl std::fmt::Display for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}{:?}", self.name, self.op.as_str(), self.value)
    }
}

/// Longest matcher pattern compiled into an automaton. Parsing a regex takes about 300 bytes of
/// memory per byte of pattern before any size limit of the compiled program applies, so a 1 MB
/// pattern in a query would cost 300 MB; alternations of literals of any length are matched
/// without one. Relabeling regexes come from the operator's configuration and are not capped.
pub const MAX_COMPILED_REGEX_LEN: usize = 64 * 1024;

/// [`compile_anchored`] for patterns from queries, refused over [`MAX_COMPILED_REGEX_LEN`].
fn compile_bounded(pattern: &str) -> Result<Regex> {
    if pattern.len() > MAX_COMPILED_REGEX_LEN {
        return Err(Error::Regex {
            regex: pattern.chars().take(64).collect::<String>() + "…",
            message: format!(
                "pattern is {} bytes long, more than the {MAX_COMPILED_REGEX_LEN} compiled (only alternations of literals may be longer)",
                pattern.len()
            ),
        });
    }
    compile_anchored(pattern)
}

/// Cache capacity of each regex's lazy DFA, allocated as it fills. At the regex crate's default
/// (2 MB) a keep-list of 5,000 alternatives with an optional group each cannot fit its DFA and
/// falls back to a slower engine: 70 s for the first match, 0.6 s for each after; at 4 MB and up
/// it matches in 2 ms then under 1 µs (release build, measured here).
const DFA_CACHE_LIMIT: usize = 8 << 20;

/// Compiles `pattern` anchored as `^(?s:pattern)$`, like Prometheus 3.
pub fn compile_anchored(pattern: &str) -> Result<Regex> {
    regex::RegexBuilder::new(&format!("^(?s:{pattern})$"))
        .dfa_size_limit(DFA_CACHE_LIMIT)
        .build()
        .map_err(|e| Error::Regex { regex: pattern.to_owned(), message: one_line(&e) })
}

/// The regex engine's message on one line: its syntax errors draw the pattern and a caret over
/// several lines, then end with `error: <what>`, which is what API and config errors quote.
fn one_line(e: &regex::Error) -> String {
    match e {
        regex::Error::Syntax(text) => {
            let last = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or(text);
            last.trim().trim_start_matches("error: ").to_owned()
        }
        other => other.to_string(),
    }
}

/// If `pattern` is `lit1|lit2|...` whose alternatives hold no regex metacharacter except
/// escaped ones (`host\.example\.com`, as Grafana escapes variable values), the literals
/// (unescaped, sorted, deduplicated).
fn literal_set(pattern: &str) -> Option<Vec<String>> {
    const META: &[char] = &['.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '^', '$', '|', '\\'];
    let mut set = Vec::new();
    let mut cur = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '|' => set.push(std::mem::take(&mut cur)),
            '\\' => match chars.next() {
                // Only an escaped metacharacter is a literal: `\d`, `\n`, `\<`... are classes,
                // escapes or assertions.
                Some(e) if META.contains(&e) || e == '-' => cur.push(e),
                _ => return None,
            },
            c if META.contains(&c) => return None,
            c => cur.push(c),
        }
    }
    set.push(cur);
    set.sort_unstable();
    set.dedup();
    Some(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(op: MatchOp, pattern: &str, value: &str, want: bool) {
        let m = Matcher::new(op, "l", pattern).unwrap();
        assert_eq!(m.matches(value), want, "{pattern:?} {:?} {value:?}", op.as_str());
    }

    #[test]
    fn regex_errors_fit_on_one_line() {
        let e = Matcher::new(MatchOp::Regex, "l", "(").map(|_| ()).unwrap_err().to_string();
        assert_eq!(e, "invalid regular expression \"(\": unclosed group");
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
    fn literal_alternations_match_as_their_regex_does() {
        let patterns = [
            "a|b",
            "",
            "a||b",
            "|",
            "host1\\.example\\.com|host2\\.example\\.com",
            "a\\-b|c\\|d",
            "b|a|b",
            "é|日本",
            "x\\$|\\(y\\)",
        ];
        let values = ["", "a", "b", "ab", "a|b", "host1.example.com", "host1xexample.com", "a-b", "c|d", "c", "d"];
        let more = ["é", "日本", "x$", "(y)", "x", "y"];
        for p in patterns {
            let m = Matcher::regex("l", p).unwrap();
            assert!(m.set.is_some() && m.re.is_none(), "{p:?} is a literal set");
            let re = compile_anchored(p).unwrap();
            for v in values.iter().chain(&more) {
                assert_eq!(m.matches(v), re.is_match(v), "{p:?} on {v:?}");
            }
        }
        // Escaped classes and assertions are not literals.
        for p in ["a\\d", "a\\<", "a\\n", "a\\"] {
            assert!(Matcher::regex("l", p).map_or(true, |m| m.set.is_none()), "{p:?}");
        }
    }

    #[test]
    fn bad_regex_is_an_error() {
        assert!(Matcher::regex("a", "(").is_err());
        let long = "a.|".repeat(MAX_COMPILED_REGEX_LEN / 3 + 1);
        let err = Matcher::regex("a", &long).unwrap_err().to_string();
        assert!(err.contains("more than the 65536 compiled"), "{err}");
        assert!(Matcher::regex("a", "ab|".repeat(MAX_COMPILED_REGEX_LEN)).is_ok(), "literals of any length");
    }
}
