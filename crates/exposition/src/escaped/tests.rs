//! Tests for unescaping.

use super::*;

fn check(e: Escaped<'_>, expected: &str) {
    assert_eq!(e.unescape(), expected, "raw {:?}", e.raw());
    assert!(e.eq_str(expected));
}

#[test]
fn plain_borrows() {
    let e = Escaped::quoted("abc", false);
    assert!(matches!(e.unescape(), Cow::Borrowed("abc")));
    check(e, "abc");
}

#[test]
fn quoted_sequences() {
    check(Escaped::quoted(r#"a\"b\\c\nd"#, true), "a\"b\\c\nd");
    check(Escaped::quoted(r"b\\a\z", true), r"b\a\z");
    check(Escaped::quoted(r"tab\t", true), r"tab\t");
}

#[test]
fn help_keeps_quote_escape() {
    check(Escaped::help(r#"he\n\\l\tp \""#), "he\n\\l\\tp \\\"");
    check(Escaped::help(r"\foo"), r"\foo");
    check(Escaped::help("plain"), "plain");
}
