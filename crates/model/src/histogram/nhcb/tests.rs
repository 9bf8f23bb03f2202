//! Unit tests of the classic-to-NHCB conversion, routed through one `check` helper.

use super::*;
use crate::Error;

/// Feeds `(le, cumulative)` buckets, an optional count and a sum, converts, and compares the
/// float histogram (bucket for bucket, empty ones included) with the literal `want`, or the
/// error text with the fragment `want`; `integer` says which form to expect.
fn check(buckets: &[(f64, f64)], count: Option<f64>, sum: f64, want: &str, integer: bool) {
    let mut c = ClassicHistogram::new();
    for &(le, n) in buckets {
        if let Err(e) = c.set_bucket(le, n) {
            assert!(e.to_string().contains(want), "{buckets:?}: {e}, want {want:?}");
            return;
        }
    }
    if let Some(n) = count {
        c.set_count(n).expect("non-negative count");
    }
    c.set_sum(sum);
    match c.convert() {
        Ok(h) => {
            assert_eq!(matches!(h, Nhcb::Integer(_)), integer, "{buckets:?}: {h:?}");
            if let Nhcb::Integer(i) = &h {
                assert!(i.validate().is_ok(), "{i:?}");
            }
            let f = h.into_float();
            assert!(f.validate().is_ok(), "{f}");
            let want: FloatHistogram = want.parse().expect("valid literal");
            assert!(f.equals(&want), "{buckets:?}: {f:?}, want {want:?}");
        }
        Err(e) => assert!(e.to_string().contains(want), "{buckets:?}: {e}, want {want:?}"),
    }
}

const INF: f64 = f64::INFINITY;

#[test]
fn buckets_are_decumulated_under_their_bounds() {
    // Out of order, with a duplicate bound ignored.
    check(
        &[(0.2, 7.0), (0.1, 5.0), (INF, 12.0), (1.0, 11.0), (0.2, 7.0)],
        None,
        3.0,
        "{{schema:-53 count:12 sum:3 custom_values:[0.1 0.2 1] buckets:[5 2 4 1]}}",
        true,
    );
    // Negative bounds are bounds like any other.
    check(
        &[(-0.2, 1.0), (-0.1, 2.0), (0.3, 2.0), (INF, 3.0)],
        None,
        0.0,
        "{{schema:-53 count:3 sum:0 custom_values:[-0.2 -0.1 0.3] buckets:[1 1 0 1]}}",
        true,
    );
}

#[test]
fn count_and_inf_bucket_come_from_each_other() {
    // No +Inf bucket: added with the `_count`.
    check(&[(1.0, 2.0)], Some(5.0), 4.0, "{{schema:-53 count:5 sum:4 custom_values:[1] buckets:[2 3]}}", true);
    // Only a count: one +Inf bucket.
    check(&[], Some(3.0), 1.0, "{{schema:-53 count:3 sum:1 buckets:[3]}}", true);
    // Neither: nothing to convert.
    check(&[], None, 1.0, "count must be provided", true);
    // A count that disagrees with the +Inf bucket.
    check(&[(1.0, 2.0), (INF, 4.0)], Some(5.0), 0.0, "count mismatch", true);
}

#[test]
fn fractional_counts_give_a_float_histogram_without_empty_buckets() {
    let mut c = ClassicHistogram::new();
    for (le, n) in [(1.0, 0.5), (2.0, 0.5), (3.0, 0.5), (4.0, 0.5), (INF, 1.5)] {
        c.set_bucket(le, n).expect("cumulative");
    }
    let Ok(Nhcb::Float(f)) = c.convert() else { panic!("a float histogram") };
    assert_eq!(f.positive_spans, vec![Span { offset: 0, length: 1 }, Span { offset: 3, length: 1 }]);
    assert_eq!(f.positive_buckets, vec![0.5, 1.0]);
    assert_eq!((f.count, f.custom_values.len()), (1.5, 4));
    // Whole counts keep gaps of up to two empty buckets (Prometheus' `Compact(2)`).
    check(
        &[(1.0, 1.0), (2.0, 1.0), (3.0, 1.0), (INF, 2.0)],
        None,
        0.0,
        "{{schema:-53 count:2 sum:0 custom_values:[1 2 3] buckets:[1 0 0 1]}}",
        true,
    );
}

#[test]
fn broken_buckets_are_reported_and_stick() {
    check(&[(1.0, 3.0), (2.0, 2.0)], None, 0.0, "not cumulative: 2 < 3", true);
    check(&[(2.0, 2.0), (1.0, 3.0)], None, 0.0, "not cumulative: 3 > 2", true);
    check(&[(1.0, -1.0)], None, 0.0, "must be non-negative", true);
    check(&[(f64::NAN, 1.0)], None, 0.0, "must not be NaN", true);
    let mut c = ClassicHistogram::new();
    assert!(c.set_bucket(f64::NAN, 1.0).is_err());
    assert!(matches!(c.set_bucket(1.0, 1.0), Err(Error::Histogram(m)) if m.contains("NaN")));
    assert!(c.convert().is_err());
}
