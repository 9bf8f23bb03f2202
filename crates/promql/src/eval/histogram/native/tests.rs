//! Unit tests of the native-histogram estimates, on cases worked out by hand (and, where
//! marked, taken from Prometheus' `native_histograms.test` / `histograms.test`).

use super::{NanEffect, fraction, quantile, variance};
use vigil_model::FloatHistogram;

fn h(text: &str) -> FloatHistogram {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn close(got: f64, want: f64) -> bool {
    (got.is_nan() && want.is_nan()) || got == want || (got - want).abs() <= 1e-12 * want.abs().max(1.0)
}

fn check_quantile(q: f64, text: &str, want: f64, effect: Option<NanEffect>) {
    let (got, e) = quantile(q, &h(text));
    assert!(close(got, want) && e == effect, "quantile({q}, {text}) = {got} {e:?}, want {want} {effect:?}");
}

fn check_fraction(lower: f64, upper: f64, text: &str, want: f64, nans: bool) {
    let (got, n) = fraction(lower, upper, &h(text));
    assert!(close(got, want) && n == nans, "fraction({lower}, {upper}, {text}) = {got} {n}, want {want} {nans}");
}

const EXP: &str = "{{schema:0 count:4 sum:6 buckets:[1 2 1]}}";
const NHCB: &str = "{{schema:-53 count:3 sum:9 custom_values:[0 2 4 6] buckets:[0 1 1 1]}}";

#[test]
fn exponential_buckets_interpolate_on_a_log_scale() {
    // Half-way through (1,2] is at sqrt(2); quantile and fraction are inverses.
    check_quantile(0.5, EXP, std::f64::consts::SQRT_2, None);
    check_fraction(f64::NEG_INFINITY, std::f64::consts::SQRT_2, EXP, 0.5, false);
    check_quantile(0.0, EXP, 0.5, None);
    check_quantile(1.0, EXP, 4.0, None);
    check_quantile(-1.0, EXP, f64::NEG_INFINITY, None);
    check_quantile(2.0, EXP, f64::INFINITY, None);
    check_quantile(f64::NAN, EXP, f64::NAN, None);
    check_quantile(0.5, "{{}}", f64::NAN, None);
    // Negative buckets mirror positive ones.
    check_quantile(0.5, "{{schema:0 count:4 sum:-6 n_buckets:[1 2 1]}}", -std::f64::consts::SQRT_2, None);
    check_fraction(1.0, 2.0, EXP, 0.5, false);
    check_fraction(3.0, 2.0, EXP, 0.0, false);
    check_fraction(f64::NAN, 2.0, EXP, f64::NAN, false);
}

#[test]
fn the_zero_bucket_interpolates_linearly_from_zero_when_all_else_is_positive() {
    let z = "{{schema:0 count:4 sum:3 z_bucket:2 z_bucket_w:0.5 buckets:[2]}}";
    check_quantile(0.25, z, 0.25, None);
    check_fraction(0.0, 0.25, z, 0.25, false);
    // With negative buckets too the zero bucket spans the threshold on both sides.
    let both = "{{schema:0 count:4 sum:0 z_bucket:2 z_bucket_w:0.5 buckets:[1] n_buckets:[1]}}";
    check_quantile(0.5, both, 0.0, None);
}

#[test]
fn custom_buckets_interpolate_linearly_and_stop_at_infinite_edges() {
    // histograms.test: histogram_fraction(0, 3.5, testhistogram2) and friends.
    check_fraction(0.0, 3.5, NHCB, 1.75 / 3.0, false);
    check_fraction(0.0, 4.0, NHCB, 2.0 / 3.0, false);
    check_quantile(0.5, NHCB, 3.0, None);
    // In the +Inf bucket the result is its lower bound.
    check_quantile(1.0, "{{schema:-53 count:2 sum:9 custom_values:[1] buckets:[1 1]}}", 1.0, None);
    // A first bucket below zero has no width: the result is its upper bound.
    check_quantile(0.1, "{{schema:-53 count:2 sum:0 custom_values:[-1] buckets:[1 1]}}", -1.0, None);
    check_fraction(
        -4.0,
        -2.0,
        "{{schema:-53 count:100 sum:0 custom_values:[-3 -2 -1] buckets:[10 2 3 85]}}",
        0.02,
        false,
    );
}

#[test]
fn nan_observations_rank_above_every_bucket() {
    // native_histograms.test, "20% NaNs" and "100% NaNs".
    let some = "{{schema:0 count:15 sum:NaN buckets:[12]}}";
    check_quantile(0.4, some, std::f64::consts::FRAC_1_SQRT_2, Some(NanEffect::SkewedHigher));
    check_quantile(0.8, some, 1.0, Some(NanEffect::SkewedHigher));
    check_quantile(0.81, some, f64::NAN, Some(NanEffect::NanResult));
    check_quantile(0.5, "{{schema:0 count:3 sum:NaN}}", f64::NAN, Some(NanEffect::NanResult));
    check_fraction(f64::NEG_INFINITY, f64::INFINITY, some, 0.8, true);
    check_fraction(f64::NEG_INFINITY, std::f64::consts::FRAC_1_SQRT_2, some, 0.4, true);
    check_fraction(f64::NEG_INFINITY, f64::INFINITY, "{{schema:0 count:3 sum:NaN}}", 0.0, true);
    // A NaN sum from +Inf and -Inf observations is no NaN observation.
    check_quantile(0.25, "{{schema:0 count:2 sum:NaN buckets:[1 1]}}", std::f64::consts::FRAC_1_SQRT_2, None);
}

#[test]
fn variance_places_observations_at_bucket_means() {
    // histograms.test: histogram_stdvar(testhistogram3{start="negative"}) at 50m.
    let nhcb = "{{schema:-53 count:20 sum:80 custom_values:[-0.25 -0.2 -0.1 0.3] buckets:[0 10 10]}}";
    assert!(close(variance(&h(nhcb)), 17.5365625));
    // Geometric means: sqrt(0.5) and sqrt(2) around a mean of 1, plus the zero bucket at 0.
    let exp = "{{schema:0 count:3 sum:3 z_bucket:1 buckets:[1 1]}}";
    let g = [0.0, std::f64::consts::FRAC_1_SQRT_2, std::f64::consts::SQRT_2];
    let want = g.iter().map(|v| (v - 1.0) * (v - 1.0)).sum::<f64>() / 3.0;
    assert!(close(variance(&h(exp)), want));
}
