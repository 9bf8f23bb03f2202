//! Wire-format details checked against Prometheus 2.42 responses.

use super::*;

fn check(write: impl FnOnce(&mut String), want: &str) {
    let mut s = String::new();
    write(&mut s);
    assert_eq!(s, want);
}

#[test]
fn timestamps() {
    check(|s| push_timestamp(s, 1_435_781_451_781), "1435781451.781");
    check(|s| push_timestamp(s, 1_500_010), "1500.010");
    check(|s| push_timestamp(s, 1_500_100), "1500.100");
    check(|s| push_timestamp(s, 0), "0");
    check(|s| push_timestamp(s, -1500), "-1.500");
}

#[test]
fn scalars_use_go_float_layout() {
    check(|s| push_scalar(s, 1_500_010, 1e21), "[1500.01,\"1000000000000000000000\"]");
    check(|s| push_scalar(s, 1_500_000, 1.0), "[1500,\"1\"]");
    check(|s| push_string_value(s, -1500, "a\"b"), "[-1.5,\"a\\\"b\"]");
}

#[test]
fn points_and_labels() {
    check(|s| push_point(s, 15_000, 1e21), "[15,\"1e+21\"]");
    check(|s| push_point(s, 15_000, f64::NAN), "[15,\"NaN\"]");
    let l = Labels::from_pairs(&[("job", "a\nb"), ("__name__", "up")]);
    check(|s| push_labels(s, &l), "{\"__name__\":\"up\",\"job\":\"a\\nb\"}");
    check(|s| push_str(s, "\u{1}é"), "\"\\u0001é\"");
}

#[test]
fn envelope_omits_empty_annotations() {
    let body = success_envelope(0, |s| s.push_str("[]"), &[], &[]);
    assert_eq!(body, r#"{"status":"success","data":[]}"#);
    let body = success_envelope(0, |s| s.push('1'), &["w".into()], &["i".into()]);
    assert_eq!(body, r#"{"status":"success","data":1,"warnings":["w"],"infos":["i"]}"#);
}
