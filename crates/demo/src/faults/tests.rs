//! Tests for the fault injector.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic.

use super::*;

fn config(normal: FaultRates, degraded: FaultRates) -> FaultConfig {
    FaultConfig {
        seed: 7,
        latency: Duration::from_millis(10)..Duration::from_millis(20),
        slow_latency: Duration::from_secs(1)..Duration::from_secs(3),
        normal,
        degraded,
        normal_phase: Duration::from_secs(60),
        degraded_phase: Duration::from_secs(30),
    }
}

/// Draws `n` faults at `rates` and returns (failures, slow ones, min delay, max delay).
fn draw_many(injector: &FaultInjector, rates: FaultRates, n: usize) -> (usize, usize, Duration, Duration) {
    let faults: Vec<Fault> = (0..n).map(|_| injector.draw_with(rates)).collect();
    let fails = faults.iter().filter(|f| f.fail).count();
    let slow = faults.iter().filter(|f| f.delay >= Duration::from_secs(1)).count();
    let min = faults.iter().map(|f| f.delay).min().unwrap_or_default();
    let max = faults.iter().map(|f| f.delay).max().unwrap_or_default();
    (fails, slow, min, max)
}

fn check_phase(cfg: FaultConfig, elapsed_secs: u64, expected: Phase) {
    let injector = FaultInjector::new(cfg);
    assert_eq!(injector.phase_at(Duration::from_secs(elapsed_secs)), expected, "at {elapsed_secs}s");
}

#[test]
fn phases_cycle() {
    let rates = FaultRates::default();
    for (at, phase) in [
        (0, Phase::Normal),
        (59, Phase::Normal),
        (60, Phase::Degraded),
        (89, Phase::Degraded),
        (90, Phase::Normal),
        (155, Phase::Degraded),
    ] {
        check_phase(config(rates, rates), at, phase);
    }
    let never = FaultConfig { degraded_phase: Duration::ZERO, ..config(rates, rates) };
    check_phase(never.clone(), 1_000_000, Phase::Normal);
    let always = FaultConfig { normal_phase: Duration::ZERO, ..config(rates, rates) };
    check_phase(always, 0, Phase::Degraded);
    check_phase(FaultConfig::none(), 1_000_000, Phase::Normal);
}

#[test]
fn rates_are_respected() {
    let injector = FaultInjector::new(config(FaultRates::default(), FaultRates::default()));
    let (fails, slow, min, max) = draw_many(&injector, FaultRates { error_ratio: 0.1, slow_ratio: 0.3 }, 10_000);
    assert!((800..1200).contains(&fails), "{fails} failures");
    assert!((2700..3300).contains(&slow), "{slow} slow");
    assert!(min >= Duration::from_millis(10), "{min:?}");
    assert!(max < Duration::from_secs(3), "{max:?}");

    let (fails, slow, _, max) = draw_many(&injector, FaultRates::default(), 1_000);
    assert_eq!((fails, slow), (0, 0));
    assert!(max < Duration::from_millis(20));

    let (fails, slow, _, _) = draw_many(&injector, FaultRates { error_ratio: 1.0, slow_ratio: 7.0 }, 100);
    assert_eq!((fails, slow), (100, 100));
    let (fails, _, _, _) = draw_many(&injector, FaultRates { error_ratio: f64::NAN, slow_ratio: -1.0 }, 100);
    assert_eq!(fails, 0);
}

#[test]
fn draws_are_deterministic_per_seed() {
    let rates = FaultRates { error_ratio: 0.5, slow_ratio: 0.5 };
    let draws = |seed| {
        let injector = FaultInjector::new(FaultConfig { seed, ..config(rates, rates) });
        (0..50).map(|_| injector.draw_with(rates)).collect::<Vec<_>>()
    };
    assert_eq!(draws(1), draws(1));
    assert_ne!(draws(1), draws(2));
}

#[test]
fn degenerate_latency_ranges() {
    let mut rng = StdRng::seed_from_u64(1);
    let d = Duration::from_millis(5);
    assert_eq!(uniform(&mut rng, &(d..d)), d);
    assert_eq!(uniform(&mut rng, &(d..Duration::ZERO)), d);
}
