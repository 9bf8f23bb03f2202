//! Property tests over seeded random histograms (no property-testing crate in the workspace; a
//! fixed seed keeps failures reproducible). Counts are small integers so float sums are exact.

use super::*;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

const CASES: usize = 2_000;

fn random_side(rng: &mut SmallRng) -> (Vec<Span>, Vec<f64>) {
    let mut spans = Vec::new();
    let mut buckets = Vec::new();
    for k in 0..rng.random_range(0..4) {
        let offset = if k == 0 { rng.random_range(-10..10) } else { rng.random_range(0..4) };
        let length = rng.random_range(0..5u32);
        spans.push(Span { offset, length });
        buckets.extend((0..length).map(|_| f64::from(rng.random_range(0..4u8))));
    }
    (spans, buckets)
}

fn random(rng: &mut SmallRng) -> FloatHistogram {
    let (positive_spans, positive_buckets) = random_side(rng);
    let (negative_spans, negative_buckets) = random_side(rng);
    let zero_count = f64::from(rng.random_range(0..3u8));
    let count = zero_count + positive_buckets.iter().sum::<f64>() + negative_buckets.iter().sum::<f64>();
    FloatHistogram {
        schema: rng.random_range(-2..4),
        zero_threshold: [0.0, 0.001, 0.3, 1.0][rng.random_range(0..4)],
        zero_count,
        count,
        sum: f64::from(rng.random_range(-50..50)),
        positive_spans,
        negative_spans,
        positive_buckets,
        negative_buckets,
        ..FloatHistogram::default()
    }
}

fn bucket_total(h: &FloatHistogram) -> f64 {
    h.zero_count + h.positive_buckets.iter().sum::<f64>() + h.negative_buckets.iter().sum::<f64>()
}

#[test]
fn add_then_sub_gives_back_the_reconciled_operand() {
    let mut rng = SmallRng::seed_from_u64(7);
    for _ in 0..CASES {
        let (a, b) = (random(&mut rng), random(&mut rng));
        assert!(a.validate().is_ok() && b.validate().is_ok(), "{a} {b}");
        let sum = a.add(&b).expect("exponential histograms always add");
        assert!(sum.validate().is_ok(), "{a} + {b} = {sum}");
        assert_eq!(sum.count, a.count + b.count);
        assert_eq!(bucket_total(&sum), bucket_total(&a) + bucket_total(&b), "{a} + {b} = {sum}");
        // (a + b) - b is a brought to the result's schema and zero bucket.
        let back = sum.sub(&b).expect("same layout family").compact(0);
        let mut want = a.reduce_resolution(sum.schema).expect("coarser schema");
        want.widen_zero_bucket(sum.zero_threshold);
        assert!(back.equals(&want.compact(0)), "({a} + {b}) - b = {back}, want {want}");
        assert!(!sum.detect_reset(&a) || sum.zero_threshold > a.zero_threshold || sum.schema < a.schema);
    }
}

#[test]
fn compact_and_reduction_preserve_counts() {
    let mut rng = SmallRng::seed_from_u64(11);
    for _ in 0..CASES {
        let a = random(&mut rng);
        for max_empty in [0, 1, 3] {
            let c = a.compact(max_empty);
            assert!(c.validate().is_ok(), "{a} -> {c}");
            assert_eq!(bucket_total(&c), bucket_total(&a));
            // Every populated bucket keeps its index and count.
            let populated = |h: &FloatHistogram| -> Vec<(i32, f64)> {
                h.positive_pairs().into_iter().filter(|p| p.1 != 0.0).collect()
            };
            assert_eq!(populated(&c), populated(&a));
            assert!(c.positive_spans.iter().all(|s| s.length > 0));
            assert!(c.equals(&c.compact(max_empty)), "compact is idempotent");
        }
        for target in (MIN_EXPONENTIAL_SCHEMA..=a.schema).rev() {
            let r = a.reduce_resolution(target).expect("coarser");
            assert_eq!(bucket_total(&r), bucket_total(&a));
            assert!(!r.detect_reset(&a), "a coarser copy with the same counts is no reset");
        }
        let printed = a.to_string();
        let parsed: FloatHistogram = printed.parse().expect("printer output parses");
        assert!(parsed.equals(&a.compact(usize::MAX)), "{printed}");
    }
}
