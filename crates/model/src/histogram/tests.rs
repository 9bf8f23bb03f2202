//! Unit tests of the histogram model, routed through small `check_*` helpers.

use super::*;
use crate::Error;

fn h(text: &str) -> FloatHistogram {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// Parses `input`, prints it, and compares with `want`; the printed form must parse back to an
/// equal histogram.
fn check_print(input: &str, want: &str) {
    let got = h(input).to_string();
    assert_eq!(got, want, "printing {input}");
    assert!(h(&got).equals(&h(input).compact(usize::MAX)), "{got} does not parse back");
}

fn check_invalid(input: &str, want_fragment: &str) {
    match h(input).validate() {
        Err(Error::Histogram(m)) => assert!(m.contains(want_fragment), "{input}: {m}"),
        other => panic!("{input}: expected an error containing {want_fragment:?}, got {other:?}"),
    }
}

#[test]
fn notation_round_trips() {
    check_print("{{}}", "{{}}");
    check_print("{{schema:0 sum:5 count:4 buckets:[1 2 1]}}", "{{count:4 sum:5 buckets:[1 2 1]}}");
    check_print(
        "{{schema:1 sum:-0.3 count:3.1 z_bucket:7.1 z_bucket_w:0.05 buckets:[5.1 10 7] offset:-3 n_buckets:[4.1 5] n_offset:-5 counter_reset_hint:gauge}}",
        "{{schema:1 count:3.1 sum:-0.3 z_bucket:7.1 z_bucket_w:0.05 counter_reset_hint:gauge offset:-3 buckets:[5.1 10 7] n_offset:-5 n_buckets:[4.1 5]}}",
    );
    check_print(
        "{{schema:-53 sum:1 count:1 custom_values:[5 10] buckets:[0 1]}}",
        "{{schema:-53 count:1 sum:1 custom_values:[5 10] offset:1 buckets:[1]}}",
    );
    check_print("{{count:1e6 sum:NaN buckets:[Inf 0x10]}}", "{{count:1e+06 sum:NaN buckets:[+Inf 16]}}");
    check_print("{{sum:0.0001 count:0.00001}}", "{{count:1e-05 sum:0.0001}}");
    let parsed = h("{{buckets:[1 2] offset:3 counter_reset_hint:not_reset}}");
    assert_eq!(parsed.positive_spans, vec![Span { offset: 3, length: 2 }]);
    assert_eq!(parsed.counter_reset_hint, CounterResetHint::NotCounterReset);
}

#[test]
fn notation_errors_are_positioned() {
    let check = |text: &str, offset: usize, fragment: &str| match text.parse::<FloatHistogram>() {
        Err(Error::HistogramNotation { offset: o, message }) => {
            assert_eq!(o, offset, "{text}: {message}");
            assert!(message.contains(fragment), "{text}: {message}");
        }
        other => panic!("{text}: {other:?}"),
    };
    check("{{sum:1 bogus:2}}", 8, "unknown histogram key");
    check("{{sum:x}}", 6, "invalid number");
    check("{{schema:1.5}}", 9, "integer");
    check("{{buckets:[1 2}}", 14, "unterminated list");
    check("{{sum:1 sum:2}}", 8, "duplicate");
    check("{{sum:1", 7, "unterminated histogram");
    check("{{counter_reset_hint:maybe}}", 21, "counter_reset_hint");
    check("{{}} x", 5, "after the histogram");
    check("sum:1", 0, "expected \"{{\"");
}

#[test]
fn validation_rules() {
    assert!(h("{{schema:3 count:4 sum:1 z_bucket:1 buckets:[1 2] n_buckets:[0]}}").validate().is_ok());
    check_invalid("{{schema:9}}", "schema 9");
    check_invalid("{{count:1 sum:1 buckets:[1 -1]}}", "negative count");
    assert!(h("{{count:2 sum:1 buckets:[1 2]}}").validate().is_ok(), "float counts are not checked");
    check_invalid("{{z_bucket:-1}}", "zero bucket has a negative count");
    check_invalid("{{schema:-53 custom_values:[3 2]}}", "must increase");
    check_invalid("{{schema:-53 custom_values:[1 Inf]}}", "finite");
    check_invalid("{{schema:-53 custom_values:[1] n_buckets:[1] count:1}}", "negative buckets");
    check_invalid("{{schema:-53 custom_values:[1] z_bucket:1 count:1}}", "zero bucket");
    check_invalid("{{schema:-53 custom_values:[1] buckets:[1 1 1] count:3}}", "beyond the 1 custom bounds");
    check_invalid("{{custom_values:[1]}}", "only allowed with schema -53");
    let mut bad = h("{{count:3 buckets:[1 2]}}");
    bad.positive_spans[0].length = 3;
    check_invalid_value(&bad, "3 buckets, but there are 2 bucket counts");
    bad.positive_spans = vec![Span { offset: 0, length: 1 }, Span { offset: -1, length: 1 }];
    check_invalid_value(&bad, "negative offset");
}

fn check_invalid_value(v: &FloatHistogram, fragment: &str) {
    match v.validate() {
        Err(Error::Histogram(m)) => assert!(m.contains(fragment), "{m}"),
        other => panic!("expected {fragment:?}, got {other:?}"),
    }
}

#[test]
fn integer_histograms_are_delta_encoded() {
    let ih = Histogram {
        count: 7,
        zero_count: 1,
        sum: 3.0,
        positive_spans: vec![Span { offset: 0, length: 2 }, Span { offset: 1, length: 1 }],
        positive_buckets: vec![1, 2, -1], // absolute 1, 3, 2
        ..Histogram::default()
    };
    assert!(ih.validate().is_ok());
    assert_eq!(ih.positive_counts(), vec![1, 3, 2]);
    assert_eq!(delta_encode(&ih.positive_counts()), ih.positive_buckets);
    assert!(ih.to_float().equals(&h("{{count:7 sum:3 z_bucket:1 buckets:[1 3 0 2]}}").compact(0)));
    let negative = Histogram { positive_buckets: vec![1, -2, 0], count: 0, ..ih.clone() };
    assert!(matches!(negative.validate(), Err(Error::Histogram(m)) if m.contains("negative count -1")));
    let mismatch = Histogram { count: 8, ..ih.clone() };
    assert!(matches!(mismatch.validate(), Err(Error::Histogram(m)) if m.contains("differs")));
    assert!(Histogram { count: 8, sum: f64::NAN, ..ih }.validate().is_ok());
    assert!(Histogram::stale().is_stale() && FloatHistogram::stale().is_stale());
    assert!(!FloatHistogram { sum: f64::NAN, ..FloatHistogram::default() }.is_stale());
}

#[test]
fn bucket_bounds_per_schema() {
    assert_eq!(bucket_bounds(0, 1, &[]), (1.0, 2.0));
    assert_eq!(bucket_bounds(0, 0, &[]), (0.5, 1.0));
    assert_eq!(bucket_bounds(-1, 1, &[]), (1.0, 4.0));
    assert_eq!(bucket_bounds(-4, -1, &[]), (2f64.powi(-32), 2f64.powi(-16)));
    assert_eq!(bucket_bounds(1, 1, &[]), (1.0, std::f64::consts::SQRT_2));
    assert_eq!(bucket_bounds(3, 8, &[]).1, 2.0);
    assert_eq!(bucket_bounds(3, -7, &[]).0, 0.5);
    assert_eq!(bucket_bounds(0, 1100, &[]).1, f64::INFINITY);
    assert_eq!(bucket_bounds(0, -1100, &[]).1, 0.0);
    assert_eq!(bucket_bounds(-53, 0, &[5.0, 10.0]), (f64::NEG_INFINITY, 5.0));
    assert_eq!(bucket_bounds(-53, 2, &[5.0, 10.0]), (10.0, f64::INFINITY));
    let all: Vec<(f64, f64, f64)> = h("{{z_bucket:3 z_bucket_w:0.1 buckets:[1 2] n_buckets:[4 5]}}")
        .buckets()
        .map(|b| (b.lower, b.upper, b.count))
        .collect();
    assert_eq!(all, vec![(-2.0, -1.0, 5.0), (-1.0, -0.5, 4.0), (-0.1, 0.1, 3.0), (0.5, 1.0, 1.0), (1.0, 2.0, 2.0)]);
    let custom: Vec<f64> = h("{{schema:-53 custom_values:[1] buckets:[1 2]}}").buckets().map(|b| b.upper).collect();
    assert_eq!(custom, vec![1.0, f64::INFINITY], "no zero bucket with custom buckets");
}

#[test]
fn add_and_sub_reconcile_layouts() {
    // Schema 1 buckets 0..3 become schema 0 buckets 0, 1, 1, 2.
    let a = h("{{schema:1 count:10 sum:1 buckets:[1 2 3 4]}}");
    let b = h("{{schema:0 count:1 sum:2 buckets:[1]}}");
    let sum = a.add(&b).unwrap();
    assert!(sum.equals(&h("{{count:11 sum:3 buckets:[2 5 4]}}")), "{sum}");
    assert!(b.add(&a).unwrap().equals(&sum));
    // The wider zero bucket swallows the buckets it covers: (0.25,0.5] and (0.5,1].
    let narrow = h("{{z_bucket_w:0.5 z_bucket:1 count:4 buckets:[1 1 1] offset:-1}}");
    let wide = h("{{z_bucket_w:1 z_bucket:1 count:1}}");
    let got = narrow.add(&wide).unwrap();
    assert!(got.equals(&h("{{z_bucket_w:1 z_bucket:4 count:5 buckets:[1] offset:1}}")), "{got}");
    // A straddling bucket widens the threshold to its upper bound.
    let straddle = h("{{z_bucket_w:0.7 count:1}}").add(&h("{{buckets:[1]}}")).unwrap();
    assert_eq!((straddle.zero_threshold, straddle.zero_count), (1.0, 1.0));
    let diff = sum.sub(&b).unwrap().compact(0);
    assert!(diff.equals(&a.reduce_resolution(0).unwrap().compact(0)), "{diff}");
    let e = h("{{schema:-53 custom_values:[1]}}").add(&h("{{}}")).unwrap_err();
    assert!(e.to_string().contains("exponential and custom"), "{e}");
    let e = h("{{schema:-53 custom_values:[1]}}").add(&h("{{schema:-53 custom_values:[2]}}")).unwrap_err();
    assert!(e.to_string().contains("different custom bucket bounds"), "{e}");
    let nan = h("{{z_bucket_w:NaN buckets:[1]}}");
    assert!(nan.add(&h("{{z_bucket_w:1 buckets:[1]}}")).is_err(), "a NaN threshold is refused, not looped on");
    // Returning at all is the point: widening towards a NaN threshold must not loop.
    let _ = h("{{count:1}}").detect_reset(&nan);
    let _ = nan.detect_reset(&h("{{count:1}}"));
    assert!(h("{{schema:0}}").reduce_resolution(1).is_err());
    assert!(h("{{schema:-53}}").reduce_resolution(0).is_err());
}

#[test]
fn scalar_ops_and_hints() {
    let a = h("{{count:4 sum:5 z_bucket:1 buckets:[1 2] n_buckets:[0]}}");
    assert!(a.mul(2.0).equals(&h("{{count:8 sum:10 z_bucket:2 buckets:[2 4] n_buckets:[0]}}")));
    assert!(a.div(2.0).equals(&h("{{count:2 sum:2.5 z_bucket:0.5 buckets:[0.5 1] n_buckets:[0]}}")));
    assert_eq!(a.neg().positive_buckets, vec![-1.0, -2.0]);
    assert!(a.div(0.0).count.is_infinite());
    use CounterResetHint::*;
    assert_eq!(CounterResetHint::combine(CounterReset, NotCounterReset), (Unknown, true));
    assert_eq!(CounterResetHint::combine(Gauge, CounterReset), (Gauge, false));
    assert_eq!(CounterResetHint::combine(Unknown, NotCounterReset), (Unknown, false));
    assert_eq!(CounterResetHint::combine(CounterReset, CounterReset), (CounterReset, false));
}

#[test]
fn compact_and_equals() {
    let mut x = h("{{count:3 buckets:[0 1 0 0 2 0]}}");
    x.positive_spans =
        vec![Span { offset: 0, length: 2 }, Span { offset: 0, length: 0 }, Span { offset: 0, length: 4 }];
    let c0 = x.compact(0);
    assert_eq!(c0.positive_spans, vec![Span { offset: 1, length: 1 }, Span { offset: 2, length: 1 }]);
    assert_eq!(c0.positive_buckets, vec![1.0, 2.0]);
    let c2 = x.compact(2);
    assert_eq!(c2.positive_spans, vec![Span { offset: 1, length: 4 }]);
    assert_eq!(c2.positive_buckets, vec![1.0, 0.0, 0.0, 2.0]);
    assert!(x.equals(&h("{{count:3 buckets:[0 1 0 0 2 0]}}")), "span boundaries without gaps do not matter");
    assert!(!x.equals(&c0), "empty buckets in the layout do matter");
    let nan = h("{{sum:NaN}}");
    assert!(nan.equals(&nan) && nan != nan);
    assert!(!h("{{sum:NaN}}").equals(&FloatHistogram::stale()));
    assert!(h("{{counter_reset_hint:gauge}}").equals(&h("{{}}")), "hints are not compared");
}

#[test]
fn counter_reset_detection() {
    let check = |prev: &str, cur: &str, want: bool| {
        assert_eq!(h(cur).detect_reset(&h(prev)), want, "{prev} -> {cur}");
    };
    check("{{count:2 buckets:[1 1]}}", "{{count:3 buckets:[1 2]}}", false);
    check("{{count:3 buckets:[1 2]}}", "{{count:2 buckets:[1 1]}}", true);
    check("{{count:3 buckets:[2 1]}}", "{{count:4 buckets:[1 3]}}", true);
    check("{{count:3 buckets:[2 1]}}", "{{count:9 buckets:[9] offset:1}}", true);
    check("{{count:3 buckets:[0 1]}}", "{{count:9 buckets:[9] offset:1}}", false);
    check("{{count:1 z_bucket:1}}", "{{count:2 z_bucket:0 buckets:[2]}}", true);
    check("{{schema:0 count:1}}", "{{schema:1 count:2}}", true);
    check("{{schema:1 count:1 buckets:[1 0]}}", "{{schema:0 count:2 buckets:[2]}}", false);
    check("{{z_bucket_w:0.5 count:1}}", "{{z_bucket_w:0.25 count:2}}", true);
    check("{{z_bucket_w:0.25 count:2 buckets:[2] offset:-1}}", "{{z_bucket_w:0.5 z_bucket:2 count:2}}", false);
    check("{{schema:-53 custom_values:[1]}}", "{{schema:-53 custom_values:[2]}}", true);
    check("{{schema:-53 custom_values:[1]}}", "{{count:1}}", true);
    check("{{count:3}}", "{{count:2 counter_reset_hint:gauge}}", false);
    check("{{count:3}}", "{{count:2 counter_reset_hint:not_reset}}", false);
    check("{{count:1}}", "{{count:2 counter_reset_hint:reset}}", true);
}

#[test]
fn budget_cost_matches_prometheus_size() {
    assert_eq!(h("{{}}").size_bytes(), 168);
    assert_eq!(h("{{}}").sample_cost(), 11);
    // One span and 4 buckets: 168 + 40 = 208 bytes; (208 + 8) / 16 = 13.
    assert_eq!(h("{{buckets:[1 2 3 4]}}").sample_cost(), 13);
}

#[test]
fn custom_bounds_reconcile_onto_the_shared_bounds() {
    let a = h("{{schema:-53 sum:1 count:1 custom_values:[10] buckets:[1]}}");
    let b = h("{{schema:-53 sum:1 count:1 custom_values:[2 10] buckets:[1]}}");
    let (sum, reconciled) = a.add_reconciling(&b).unwrap();
    assert!(reconciled);
    assert!(sum.equals(&h("{{schema:-53 count:2 sum:2 custom_values:[10] buckets:[2]}}")), "{sum}");
    // Buckets above the last shared bound go to +Inf; empty ones are left out.
    let c = h("{{schema:-53 sum:3 count:3 custom_values:[5 10 20] buckets:[1 0 1 1]}}");
    let got = c.onto_custom_bounds(&[5.0]);
    assert!(got.equals(&h("{{schema:-53 sum:3 count:3 custom_values:[5] buckets:[1 2]}}")), "{got}");
    let (diff, reconciled) = c.sub_reconciling(&c).unwrap();
    assert!(!reconciled);
    assert_eq!(diff.count, 0.0);
    let e = h("{{schema:0 sum:1 count:1 buckets:[1]}}");
    assert!(e.add_reconciling(&a).is_err());
}

/// Sums `inputs` with [`HistogramSum`] and compares the result divided by `divisor` with `want`.
fn check_sum(inputs: &[&str], divisor: f64, want: &str) {
    let mut acc = HistogramSum::new(&h(inputs[0]));
    for text in &inputs[1..] {
        acc.add(&h(text)).unwrap_or_else(|e| panic!("{text}: {e}"));
    }
    let got = acc.finish(divisor);
    assert!(got.equals(&h(want)), "{inputs:?}: got {got}, want {want}");
}

#[test]
fn compensated_sums_keep_small_values_and_reconcile_layouts() {
    // The compensation keeps 3.1 through +1e100 and -1e100.
    check_sum(
        &["{{count:1 sum:3.1 buckets:[1]}}", "{{count:1 sum:1e100 buckets:[1]}}", "{{count:1 sum:-1e100 buckets:[1]}}"],
        1.0,
        "{{count:3 sum:3.1 buckets:[3]}}",
    );
    // The coarser schema and the wider zero bucket win; the mean divides at the end.
    check_sum(
        &[
            "{{schema:1 count:2 sum:2 buckets:[1 1]}}",
            "{{schema:0 count:2 sum:4 z_bucket:1 z_bucket_w:1 buckets:[0 1]}}",
        ],
        2.0,
        "{{count:2 sum:3 z_bucket:1 z_bucket_w:1 offset:1 buckets:[1]}}",
    );
    // Custom bounds are reconciled to the bounds both share.
    let mut acc = HistogramSum::new(&h("{{schema:-53 count:2 sum:2 custom_values:[2 10] buckets:[1 1]}}"));
    acc.add(&h("{{schema:-53 count:1 sum:1 custom_values:[10] buckets:[1]}}")).unwrap_or_else(|e| panic!("{e}"));
    assert!(acc.reconciled());
    assert!(acc.finish(1.0).equals(&h("{{schema:-53 count:3 sum:3 custom_values:[10] buckets:[3]}}")));
    // Exponential and custom buckets do not add up, and the sum stays as it was.
    assert!(acc.add(&h("{{count:1 sum:1 buckets:[1]}}")).is_err());
    assert!(!acc.has_overflow());
    let mut big = HistogramSum::new(&h("{{count:1.7976931348623157e308 sum:1}}"));
    big.add(&h("{{count:1e308 sum:1}}")).unwrap_or_else(|e| panic!("{e}"));
    assert!(big.has_overflow());
}

#[test]
fn custom_bounds_reconcile_to_the_common_ones() {
    let a = h("{{schema:-53 sum:55 count:15 custom_values:[2 4 6] buckets:[1 2 5 7]}}");
    let b = h("{{schema:-53 sum:555 count:450 custom_values:[1 2 3 4 5 6 7 8] buckets:[10 20 30 40 50 60 70 80 90]}}");
    let common = a.common_custom_bounds(&b);
    assert_eq!(common, vec![2.0, 4.0, 6.0]);
    let coarse = b.with_custom_bounds(&common).unwrap();
    assert!(coarse.equals(&h("{{schema:-53 sum:555 count:450 custom_values:[2 4 6] buckets:[30 70 110 240]}}")));
    assert!(a.with_custom_bounds(&[3.0]).is_err());
    assert!(h("{{schema:0 count:1 buckets:[1]}}").with_custom_bounds(&[]).is_err());
}

#[test]
fn integer_histograms_reduce_resolution_and_stay_integer() {
    use super::{Histogram, Span};
    // Schema 1, buckets 1..=4 with counts 1 2 3 4: at schema 0 they pair up into (1)(2 3)(4)
    // by index ceil(i/2): indices 1→1, 2→1, 3→2, 4→2, so counts 3 and 7.
    let int = Histogram {
        schema: 1,
        count: 10,
        sum: 12.0,
        positive_spans: vec![Span { offset: 1, length: 4 }],
        positive_buckets: vec![1, 1, 1, 1],
        ..Histogram::default()
    };
    let r = int.reduce_resolution(0).unwrap();
    assert_eq!(r.schema, 0);
    assert_eq!(r.positive_counts(), vec![3, 7]);
    assert_eq!(r.to_float(), int.to_float().reduce_resolution(0).unwrap());
    r.validate().unwrap();
    assert!(int.reduce_resolution(2).is_err(), "resolution never increases");
}
