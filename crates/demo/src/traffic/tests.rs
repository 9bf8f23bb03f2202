//! Tests for the request mix.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic.

use super::*;

/// Plans `n` requests and returns (health, valid predict, invalid predict) counts.
fn mix(config: &TrafficConfig, n: usize) -> (usize, usize, usize) {
    let mut rng = StdRng::seed_from_u64(config.seed);
    let mut counts = (0, 0, 0);
    for _ in 0..n {
        let planned = plan(&mut rng, config);
        match (planned.path, planned.body) {
            ("/health", None) => counts.0 += 1,
            ("/predict", Some(body))
                if body.starts_with(r#"{"features": ["#) && !INVALID_BODIES.contains(&body.as_str()) =>
            {
                let features: serde_json::Value = serde_json::from_str(&body).unwrap();
                let features: Vec<f64> = serde_json::from_value(features["features"].clone()).unwrap();
                assert_eq!(features.len(), 4);
                assert!(features.iter().all(|f| (0.1..15.0).contains(f)), "{features:?}");
                counts.1 += 1;
            }
            ("/predict", Some(body)) => {
                assert!(INVALID_BODIES.contains(&body.as_str()), "{body}");
                counts.2 += 1;
            }
            other => panic!("unexpected request {other:?}"),
        }
    }
    counts
}

fn check(health_ratio: f64, invalid_ratio: f64, expected: (f64, f64, f64)) {
    let config = TrafficConfig { health_ratio, invalid_ratio, ..TrafficConfig::default() };
    let n = 10_000;
    let (health, valid, invalid) = mix(&config, n);
    for (what, got, want) in
        [("health", health, expected.0), ("valid", valid, expected.1), ("invalid", invalid, expected.2)]
    {
        let share = got as f64 / n as f64;
        assert!((share - want).abs() < 0.02, "{what}: share {share}, expected {want}");
    }
}

#[test]
fn mix_follows_the_ratios() {
    check(0.1, 0.03, (0.1, 0.873, 0.027));
    check(0.0, 0.5, (0.0, 0.5, 0.5));
    check(1.0, 0.5, (1.0, 0.0, 0.0));
    check(0.0, 0.0, (0.0, 1.0, 0.0));
}

#[test]
fn generated_flowers_cover_every_species() {
    let mut rng = StdRng::seed_from_u64(3);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..300 {
        seen.insert(crate::classifier::classify(flower(&mut rng)).unwrap().species);
    }
    assert_eq!(seen.len(), 3);
}

#[test]
fn periods() {
    assert_eq!(period(4.0), Some(Duration::from_millis(250)));
    assert_eq!(period(0.0), None);
    assert_eq!(period(-1.0), None);
    assert_eq!(period(f64::NAN), None);
    assert_eq!(period(f64::INFINITY), None);
}
