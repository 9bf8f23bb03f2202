//! Tests for the shared scanners.

use super::*;

fn terms(s: &str, om: bool) -> Result<Vec<String>, LexError> {
    let mut lx = LabelLexer::new(s, 1, om);
    let mut out = Vec::new();
    while let Some(t) = lx.next_term()? {
        out.push(match t {
            Term::Name(n) => format!("name:{}", n.unescape()),
            Term::Label(n, v) => format!("{}={}", n.unescape(), v.unescape()),
        });
    }
    Ok(out)
}

fn check(s: &str, om: bool, expected: &[&str]) {
    assert_eq!(terms(s, om).unwrap(), expected, "{s:?}");
}

fn check_err(s: &str, om: bool, at: usize) {
    let err = terms(s, om).unwrap_err();
    assert_eq!(err.at, at, "{s:?}: {err:?}");
}

#[test]
fn simple_sets() {
    check("{}", true, &[]);
    check(r#"{a="1",b="x\"y"}"#, true, &["a=1", "b=x\"y"]);
    check(r#"{"my.metric", "a.b"="x"}"#, true, &["name:my.metric", "a.b=x"]);
    check(r#"{ a = "1" , }"#, false, &["a=1"]);
    check(r#"{a="} # "}"#, true, &["a=} # "]);
}

#[test]
fn errors_point_at_the_problem() {
    check_err(r#"{a="1",}"#, true, 7);
    check_err(r#"{a="1",,b="2"}"#, true, 7);
    check_err(r#"{a="1"b="2"}"#, true, 6);
    check_err(r#"{a=1}"#, true, 3);
    check_err(r#"{1="1"}"#, true, 1);
    check_err("{a=\"x\ny\"}", false, 5);
    check_err(r#"{a="x"#, false, 5);
    check_err(r#"{a}"#, true, 2);
}

#[test]
fn names() {
    assert!(is_legacy_metric_name("a:b_c1"));
    assert!(!is_legacy_metric_name("0a"));
    assert!(!is_legacy_metric_name("a.b"));
    assert!(!is_legacy_metric_name(""));
    assert!(is_legacy_label_name("_a1"));
    assert!(!is_legacy_label_name("a:b"));
}
