//! Tests for number parsing.

use super::*;

fn check(s: &str, expected: Option<f64>) {
    let got = parse_value(s);
    match (got, expected) {
        (Some(g), Some(e)) if e.is_nan() => assert!(g.is_nan(), "{s:?} -> {g}"),
        (Some(g), Some(e)) => assert_eq!(g.to_bits(), e.to_bits(), "{s:?}"),
        (g, e) => assert_eq!(g, e, "{s:?}"),
    }
}

#[test]
fn fast_path_is_exact() {
    check("0", Some(0.0));
    check("-0", Some(-0.0));
    check("1.234", Some(1.234));
    check("0.013300656000000001", Some(0.013300656000000001));
    check("-3e3", Some(-3000.0));
    check("123456789012345", Some(123456789012345.0));
    check("1.7560473e+06", Some(1756047.3));
    check(".5", Some(0.5));
    check("5.", Some(5.0));
    check("0000000000000000000000000000000000000000001.2e-1", Some(0.12));
}

#[test]
fn specials() {
    check("NaN", Some(f64::NAN));
    check("nan", Some(f64::NAN));
    check("+Inf", Some(f64::INFINITY));
    check("-Inf", Some(f64::NEG_INFINITY));
    check("Infinity", Some(f64::INFINITY));
    check("1e400", Some(f64::INFINITY));
}

#[test]
fn rejects() {
    for s in ["", "a", "1_2", "0x1p-3", "0x1", "0b1", "0o1", "1 ", " 1", "1.2.3", "--1", ".", "+", "1e"] {
        check(s, None);
    }
}

#[test]
fn timestamps() {
    assert_eq!(parse_int_timestamp("1234567890"), Some(1234567890));
    assert_eq!(parse_int_timestamp("-2"), Some(-2));
    assert_eq!(parse_int_timestamp("2.72"), None);
    assert_eq!(parse_om_timestamp("1.1"), Some(1100));
    assert_eq!(parse_om_timestamp("000"), Some(0));
    assert_eq!(parse_om_timestamp("0.0000000001"), Some(0));
    assert_eq!(parse_om_timestamp("1.5e3"), Some(1_500_000));
    assert_eq!(parse_om_timestamp("-1.1"), Some(-1100));
    assert_eq!(parse_om_timestamp("12345678901234567890.1234567890"), Some(i64::MAX));
    assert_eq!(parse_om_timestamp("NaN"), None);
    assert_eq!(parse_om_timestamp("Inf"), None);
    assert_eq!(parse_om_timestamp("1z"), None);
    assert_eq!(parse_om_timestamp("1_2"), None);
    assert_eq!(parse_om_timestamp("1.1.1"), None);
    assert_eq!(parse_om_timestamp("0x1p-3"), None);
}
