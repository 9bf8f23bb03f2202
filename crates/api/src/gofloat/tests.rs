//! Expected strings come from Go's strconv / Prometheus 2.42 responses observed on this machine.

use super::*;

fn check(f: fn(&mut String, f64), v: f64, want: &str) {
    let mut s = String::new();
    f(&mut s, v);
    assert_eq!(s, want, "{v:e}");
}

#[test]
fn f_format() {
    check(push_f, 1e21, "1000000000000000000000");
    check(push_f, 1e-7, "0.0000001");
    check(push_f, 0.1, "0.1");
    check(push_f, 1.0 / 3.0, "0.3333333333333333");
    check(push_f, 123456789012345678.0, "123456789012345680");
    check(push_f, -1.5, "-1.5");
    check(push_f, 0.0, "0");
    check(push_f, f64::NAN, "NaN");
    check(push_f, f64::INFINITY, "+Inf");
    check(push_f, f64::NEG_INFINITY, "-Inf");
}

#[test]
fn e_format() {
    check(push_e, 1e21, "1e+21");
    check(push_e, 1e-7, "1e-07");
    check(push_e, -1.5e-300, "-1.5e-300");
    check(push_e, 1.25e100, "1.25e+100");
}

#[test]
fn sample_values_switch_layout_like_prometheus() {
    check(push_sample_value, 1e21, "1e+21");
    check(push_sample_value, 1e20, "100000000000000000000");
    check(push_sample_value, 1e-7, "1e-07");
    check(push_sample_value, 0.000001, "0.000001");
    check(push_sample_value, 0.0, "0");
    check(push_sample_value, f64::NAN, "NaN");
    check(push_sample_value, f64::NEG_INFINITY, "-Inf");
}
