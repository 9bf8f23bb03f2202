//! Trim tests through one `check` helper; cases follow Prometheus'
//! `promql/promqltest/testdata/native_histograms.test` (the trim operator section).

use crate::histogram::FloatHistogram;

fn h(text: &str) -> FloatHistogram {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// Trims `input` below (`"</"`) or above (`">/"`) `bound` and compares, after compaction, with
/// `want` (counts and sum to a relative 1e-9).
fn check(input: &str, op: &str, bound: f64, want: &str) {
    let src = h(input);
    let got = match op {
        "</" => src.trim_upper(bound),
        ">/" => src.trim_lower(bound),
        _ => panic!("unknown operator {op}"),
    }
    .compact(0);
    let want = h(want).compact(0);
    let close = |a: f64, b: f64| a == b || (a - b).abs() <= 1e-9 * (a.abs() + b.abs());
    let all_close = |a: &[f64], b: &[f64]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| close(*x, *y));
    let same = got.schema == want.schema
        && got.zero_threshold == want.zero_threshold
        && got.custom_values == want.custom_values
        && close(got.count, want.count)
        && close(got.sum, want.sum)
        && close(got.zero_count, want.zero_count)
        && got.positive_spans == want.positive_spans
        && got.negative_spans == want.negative_spans
        && all_close(&got.positive_buckets, &want.positive_buckets)
        && all_close(&got.negative_buckets, &want.negative_buckets);
    assert!(same, "{input} {op} {bound}: got {got}, want {want}");
}

const EXP: &str = "{{schema:0 sum:123.75 count:34 z_bucket:1 z_bucket_w:0.001 buckets:[2 4 8 16] n_buckets:[1 2]}}";

#[test]
fn exponential_buckets_interpolate_on_a_log_scale() {
    // sqrt(2) halves bucket (1, 2]; the sum puts each bucket at its (cut) geometric mean.
    check(
        EXP,
        "</",
        2f64.sqrt(),
        "{{count:8 sum:0.2570938865989847 z_bucket:1 z_bucket_w:0.001 buckets:[2 2] n_buckets:[1 2]}}",
    );
    check(EXP, ">/", 2f64.sqrt(), "{{count:26 sum:116.50067065070982 z_bucket_w:0.001 buckets:[0 2 8 16]}}");
    // On a boundary nothing is interpolated.
    check(
        EXP,
        "</",
        2.0,
        "{{count:10 sum:3.5355339059327373 z_bucket:1 z_bucket_w:0.001 buckets:[2 4] n_buckets:[1 2]}}",
    );
    check(
        EXP,
        ">/",
        -1.0,
        "{{count:32 sum:119.50104602052653 z_bucket:1 z_bucket_w:0.001 buckets:[2 4 8 16] n_buckets:[1]}}",
    );
    // Negative buckets mirror positive ones.
    let fine =
        "{{schema:2 sum:12.8286080906 count:28 z_bucket:1 z_bucket_w:0.001 buckets:[1 2 4 7 3] n_buckets:[1 5 3 1]}}";
    check(
        fine,
        ">/",
        -1.3,
        "{{schema:2 count:25.54213947904476 sum:16.29588491217537 z_bucket:1 z_bucket_w:0.001 buckets:[1 2 4 7 3] n_buckets:[1 5 1.54213947904476]}}",
    );
    check(
        fine,
        "</",
        1.13,
        "{{schema:2 count:13.410582181123704 sum:-9.385798726068233 z_bucket:1 z_bucket_w:0.001 buckets:[1 1.410582181123704] n_buckets:[1 5 3 1]}}",
    );
}

#[test]
fn infinite_and_nan_bounds() {
    for (op, bound) in [(">/", f64::NEG_INFINITY), ("</", f64::INFINITY), ("</", f64::NAN), (">/", f64::NAN)] {
        check(EXP, op, bound, EXP);
    }
    check(EXP, ">/", f64::INFINITY, "{{schema:0 z_bucket_w:0.001}}");
    check(EXP, "</", f64::NEG_INFINITY, "{{schema:0 z_bucket_w:0.001}}");
}

#[test]
fn zero_bucket_is_linear_and_leans_towards_the_populated_side() {
    check(EXP, ">/", 0.0, "{{sum:120.20840280171308 count:30.5 z_bucket:0.5 z_bucket_w:0.001 buckets:[2 4 8 16]}}");
    let positive = "{{schema:0 sum:8.0210678118654755 count:12 z_bucket:2 z_bucket_w:0.5 buckets:[10]}}";
    check(positive, ">/", 0.1, "{{count:11.6 sum:7.551067811865476 z_bucket:1.6 z_bucket_w:0.5 buckets:[10]}}");
    check(positive, "</", 0.1, "{{count:0.4 sum:0.02 z_bucket:0.4 z_bucket_w:0.5}}");
    // The zero bucket is [0, 0.5] here: nothing lies below 0, so nothing is cut, sum included.
    check(positive, ">/", 0.0, positive);
    check(positive, "</", 0.0, "{{z_bucket_w:0.5}}");
    let negative = "{{schema:0 sum:-8.0210678118654755 count:12 z_bucket:2 z_bucket_w:0.5 n_buckets:[10]}}";
    check(negative, "</", -0.1, "{{count:11.6 sum:-7.551067811865476 z_bucket:1.6 z_bucket_w:0.5 n_buckets:[10]}}");
    let alone = "{{count:5 sum:0 z_bucket:5 z_bucket_w:0.1}}";
    check(alone, "</", 0.05, "{{count:3.75 sum:-0.09375 z_bucket:3.75 z_bucket_w:0.1}}");
    check(alone, ">/", -0.1, alone);
    // Without a count of its own, the result counts what is left.
    let no_count = "{{sum:-6.75 z_bucket:5 z_bucket_w:0.01 buckets:[2 3] n_buckets:[1 2 3]}}";
    check(no_count, ">/", 0.0, "{{count:7.5 sum:5.669354249492381 z_bucket:2.5 z_bucket_w:0.01 buckets:[2 3]}}");
}

const NHCB: &str = "{{schema:-53 sum:172.5 count:15 custom_values:[5 10 15 20] buckets:[1 6 4 3 1]}}";

#[test]
fn custom_buckets_interpolate_linearly() {
    check(NHCB, "</", 13.0, "{{schema:-53 count:9.4 sum:75.1 custom_values:[5 10 15 20] buckets:[1 6 2.4]}}");
    check(NHCB, ">/", 13.0, "{{schema:-53 count:5.6 sum:94.9 custom_values:[5 10 15 20] offset:2 buckets:[1.6 3 1]}}");
    // The +Inf bucket holds observations at +Inf: any finite upper cut drops it.
    check(NHCB, "</", 50.0, "{{schema:-53 count:14 sum:150 custom_values:[5 10 15 20] buckets:[1 6 4 3]}}");
    // The lowest bucket is [0, 5]: cutting at 0 keeps all or nothing.
    check(NHCB, ">/", 0.0, NHCB);
    check(NHCB, "</", 0.0, "{{schema:-53 custom_values:[5 10 15 20]}}");
}

#[test]
fn open_ended_custom_buckets() {
    let neg = "{{schema:-53 sum:33 count:101 custom_values:[-5] buckets:[1 100]}}";
    // (-Inf, -5] holds observations at -Inf: kept below any bound, placed at the bound for the sum.
    check(neg, "</", -10.0, "{{schema:-53 sum:-10 count:1 custom_values:[-5] buckets:[1]}}");
    check(neg, ">/", -10.0, "{{schema:-53 sum:-500 count:100 custom_values:[-5] offset:1 buckets:[100]}}");
    // (-5, +Inf] holds observations at +Inf: kept above any bound, placed at the bound.
    check(neg, ">/", -2.0, "{{schema:-53 sum:-200 count:100 custom_values:[-5] offset:1 buckets:[100]}}");
    let pos = "{{schema:-53 sum:33 count:101 custom_values:[5] buckets:[1 100]}}";
    check(pos, ">/", 2.0, "{{schema:-53 sum:502.1 count:100.6 custom_values:[5] buckets:[0.6 100]}}");
    check(pos, "</", -10.0, "{{schema:-53 custom_values:[5]}}");
    // Prometheus' quirk: a negative lower cut drops the [0, 5] bucket too.
    check(pos, ">/", -10.0, "{{schema:-53 sum:500 count:100 custom_values:[5] offset:1 buckets:[100]}}");
    let one = "{{schema:-53 sum:100 count:100 buckets:[100]}}";
    for op in ["</", ">/"] {
        check(one, op, 10.0, "{{schema:-53}}");
    }
    check(one, "</", f64::INFINITY, one);
    check(one, ">/", f64::NEG_INFINITY, one);
}

#[test]
fn empty_histograms_stay_empty() {
    for input in ["{{}}", "{{schema:-53 custom_values:[-3 2]}}"] {
        for bound in [f64::NEG_INFINITY, -5.0, 0.0, 5.0, f64::INFINITY] {
            check(input, "</", bound, input);
            check(input, ">/", bound, input);
        }
    }
}
