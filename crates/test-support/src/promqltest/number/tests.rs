//! Tests for DSL numbers and times.

use super::*;

fn check(input: &str, expected: Option<(f64, usize)>) {
    let got = scan_series_number(input);
    match (got, expected) {
        (Some((g, gu)), Some((e, eu))) => {
            assert!(g == e || (g.is_nan() && e.is_nan()), "{input}: got {g}, want {e}");
            assert_eq!(gu, eu, "{input}: consumed");
        }
        (g, e) => assert_eq!(g, e, "{input}"),
    }
}

#[test]
fn series_numbers() {
    check("1", Some((1.0, 1)));
    check("-2+4x3", Some((-2.0, 2)));
    check("+3", Some((3.0, 2)));
    check("1.5e3", Some((1500.0, 5)));
    check(".5", Some((0.5, 2)));
    check("1e-3x2", Some((0.001, 4)));
    check("Inf", Some((f64::INFINITY, 3)));
    check("-inf", Some((f64::NEG_INFINITY, 4)));
    check("NaN", Some((f64::NAN, 3)));
    check("5m", Some((300.0, 2)));
    check("1m30sx2", Some((90.0, 5)));
    check("0x10", Some((0.0, 1)));
    check("x", None);
    check(".", None);
    check("-", None);
    check("é", None);
}

#[test]
fn scalars_follow_go_parse_int_then_float() {
    let cases: &[(&str, Option<f64>)] = &[
        ("42", Some(42.0)),
        ("-7", Some(-7.0)),
        ("0x1f", Some(31.0)),
        ("010", Some(8.0)),
        ("0b11", Some(3.0)),
        ("1.5", Some(1.5)),
        ("1e3", Some(1000.0)),
        ("+Inf", Some(f64::INFINITY)),
        ("-Inf", Some(f64::NEG_INFINITY)),
        ("09", Some(9.0)),
        ("foo", None),
        ("{} 1", None),
        ("metric 1", None),
        ("", None),
    ];
    for (input, want) in cases {
        assert_eq!(parse_scalar(input), *want, "{input}");
    }
    assert!(parse_scalar("NaN").is_some_and(f64::is_nan));
}

#[test]
fn times() {
    let cases: &[(&str, Result<i64, ()>)] = &[
        ("0", Ok(0)),
        ("50m", Ok(3_000_000)),
        ("1m30s", Ok(90_000)),
        ("10s53ms", Ok(10_053)),
        ("-5m", Ok(-300_000)),
        ("10", Ok(10_000)),
        ("1.5", Ok(1_500)),
        ("", Err(())),
        ("abc", Err(())),
        ("1e400", Err(())),
    ];
    for (input, want) in cases {
        assert_eq!(parse_time_ms(input).map_err(|_| ()), *want, "{input}");
    }
}
