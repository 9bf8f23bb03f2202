//! Tests for the text encoder and Go float formatting.

use super::*;

fn check_float(v: f64, expected: &str) {
    assert_eq!(format_float(v), expected, "{v:e}");
}

#[test]
fn go_float_formatting() {
    check_float(0.0, "0");
    check_float(-0.0, "0");
    check_float(1.0, "1");
    check_float(-1.0, "-1");
    check_float(0.1, "0.1");
    check_float(1.5, "1.5");
    check_float(100000.0, "100000");
    check_float(123456.0, "123456");
    check_float(1e6, "1e+06");
    check_float(1234567.0, "1.234567e+06");
    check_float(1.7560473e6, "1.7560473e+06");
    check_float(0.0001, "0.0001");
    check_float(0.00001, "1e-05");
    check_float(1.2345e-7, "1.2345e-07");
    check_float(1e21, "1e+21");
    check_float(1e100, "1e+100");
    check_float(5e-324, "5e-324");
    check_float(f64::MAX, "1.7976931348623157e+308");
    check_float(0.013300656000000001, "0.013300656000000001");
    check_float(f64::NAN, "NaN");
    check_float(f64::INFINITY, "+Inf");
    check_float(f64::NEG_INFINITY, "-Inf");
    check_float(-2.5e-5, "-2.5e-05");
}

fn check_sample(pairs: &[(&str, &str)], value: f64, ts: Option<i64>, expected: &str) {
    let mut out = String::new();
    write_sample(&mut out, &Labels::from_pairs(pairs), value, ts);
    assert_eq!(out, expected);
}

#[test]
fn samples() {
    check_sample(&[("__name__", "up")], 1.0, None, "up 1\n");
    check_sample(&[("__name__", "up"), ("b", "2"), ("a", "1")], 0.5, Some(-5), "up{a=\"1\",b=\"2\"} 0.5 -5\n");
    check_sample(&[("__name__", "x"), ("a", "q\"b\\s\nn")], 1.0, None, "x{a=\"q\\\"b\\\\s\\nn\"} 1\n");
    check_sample(&[("__name__", "my.metric"), ("a.b", "x")], 2.0, None, "{\"my.metric\",\"a.b\"=\"x\"} 2\n");
    check_sample(&[("a", "1")], 2.0, None, "{a=\"1\"} 2\n");
}

#[test]
fn ordered_samples_keep_the_given_label_order() {
    let own = Labels::from_pairs(&[("__name__", "up"), ("job", "p")]);
    let extra = Labels::from_pairs(&[("a.ext", "x")]);
    let mut out = String::new();
    write_sample_ordered(&mut out, Some("up"), own.iter().chain(&extra), 1.0, Some(7));
    write_sample_ordered(&mut out, Some("a.b"), extra.iter(), 2.0, None);
    assert_eq!(out, "up{job=\"p\",\"a.ext\"=\"x\"} 1 7\n{\"a.b\",\"a.ext\"=\"x\"} 2\n");
}

#[test]
fn metadata_lines() {
    let mut out = String::new();
    write_help(&mut out, "a", "line\\one\ntwo \"q\"");
    write_type(&mut out, "a", MetricType::Info);
    write_type(&mut out, "b.c", MetricType::Counter);
    assert_eq!(out, "# HELP a line\\\\one\\ntwo \"q\"\n# TYPE a untyped\n# TYPE \"b.c\" counter\n");
}
