//! The O(1) sliding `min_over_time`/`max_over_time` against the plain per-window scan.
#![allow(clippy::unwrap_used)] // Tests may panic.

use super::*;
use vigil_model::Labels;

/// Runs `f` over a random series on a grid and compares every step with `apply`'s scan.
fn check(f: RangeFn, seed: u64, range_ms: i64, step: i64) {
    let mut rng = seed;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let (mut ts, mut vals) = (Vec::new(), Vec::new());
    let mut t = 0;
    for _ in 0..400 {
        t += 1 + (next() % 20_000) as i64;
        let r = next();
        ts.push(t);
        vals.push(match r % 10 {
            0 => f64::NAN,
            1 => -0.0,
            2 => 0.0,
            3 => f64::INFINITY,
            _ => (r % 9) as f64 - 4.0,
        });
    }
    let series = RangeSeries::floats(Labels::empty(), false, ts, vals);
    let src = RangeSource { series: Vec::new(), range_ms, offset_ms: 0, at: None };
    let g = Grid { start: -5_000, step, n: (t / step + 3) as usize };
    let stop = Interrupt { deadline: std::time::Instant::now() + std::time::Duration::from_secs(60), cancel: None };
    let notes = Notes::default();
    let job = Job { f, src: &src, g: &g, p0: None, p1: None, stop: &stop, notes: &notes };
    let (got, _) = job.run(&series, &mut Scratch::default()).unwrap();
    let got = got.unwrap();
    for k in 0..g.n {
        let end = g.ts(k);
        let lo = series.ts.partition_point(|&x| x <= end - range_ms);
        let hi = series.ts.partition_point(|&x| x <= end);
        if lo >= hi {
            assert!(!got.has(k), "step {k}");
            continue;
        }
        let w = Window {
            ts: &series.ts[lo..hi],
            vals: &series.vals[lo..hi],
            sts: &[],
            start: end - range_ms,
            end,
            range_ms,
            resets: 0,
            t: end,
            p0: 0.0,
            p1: 0.0,
        };
        let want = apply(f, &w, &mut Vec::new()).unwrap().unwrap();
        let got = got.get(k).unwrap_or_else(|| panic!("step {k}"));
        assert_eq!(got.to_bits(), want.to_bits(), "{f:?} step {k} window {lo}..{hi}");
    }
}

#[test]
fn sliding_extremes_match_the_scan() {
    for seed in 1..40 {
        for (range, step) in [(60_000, 15_000), (300_000, 7_000), (20_000, 60_000), (3_600_000, 60_000)] {
            check(RangeFn::Max, seed, range, step);
            check(RangeFn::Min, seed, range, step);
        }
    }
}
