//! Tests for scrape scheduling arithmetic.

use super::{align, offset_ms};

#[test]
fn offset_is_within_the_interval_and_stable_on_the_grid() {
    for now in [0, 1, 14_999, 15_000, 123_456_789] {
        let off = offset_ms(42, 7, 15_000, now);
        assert!((0..=15_000).contains(&off), "{off}");
        // The first scrape lands on the same phase of the grid whatever "now" is.
        assert_eq!((now + off) % 15_000, (42u64 ^ 7) as i64 % 15_000, "now={now}");
    }
}

#[test]
fn offset_differs_by_target() {
    assert_ne!(offset_ms(1, 0, 15_000, 0), offset_ms(2, 0, 15_000, 0));
}

fn check(times: &[i64], interval: i64, want: &[i64]) {
    let mut grid = None;
    let got: Vec<i64> = times.iter().map(|&t| align(t, &mut grid, interval)).collect();
    assert_eq!(got, want);
}

#[test]
fn timestamps_snap_to_the_grid_within_tolerance() {
    check(&[1_000, 16_001, 31_002, 46_003, 61_000], 15_000, &[1_000, 16_000, 31_000, 46_003, 61_000]);
    // A skipped tick still aligns to the grid.
    check(&[1_000, 31_001], 15_000, &[1_000, 31_000]);
    // Tolerance is capped at 1% of the interval: 100 ms interval -> 1 ms.
    check(&[0, 102, 201], 100, &[0, 102, 200]);
}
