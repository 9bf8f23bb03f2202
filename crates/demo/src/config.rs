//! Configuration of the demo API, its fault injector and its traffic generator.
//!
//! The defaults suit the default `vigil` stack: a few requests per second, a few percent of
//! errors, and a degraded phase each cycle that is long enough for the seeds' `HighErrorRate`
//! and `HighLatency` alerts (`[5m]` windows, `for: 5m`) to fire and then resolve.

use std::net::{Ipv4Addr, SocketAddr};
use std::ops::Range;
use std::time::Duration;

/// Everything [`serve`](crate::serve) needs.
#[derive(Debug, Clone)]
pub struct DemoConfig {
    /// Where the binary binds the demo API; `serve` itself uses the listener it is given.
    pub listen: SocketAddr,
    /// Reported by `/predict` and `/health`.
    pub model_version: String,
    /// Server-side errors and latency.
    pub faults: FaultConfig,
    /// Built-in load against the served address; `None` serves without generating traffic.
    pub traffic: Option<TrafficConfig>,
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 8000)),
            model_version: "iris-thresholds-1.0".to_owned(),
            faults: FaultConfig::default(),
            traffic: Some(TrafficConfig::default()),
        }
    }
}

/// How `/predict` misbehaves. Draws come from a generator seeded with `seed`, so a given
/// sequence of requests in a given phase always meets the same faults.
#[derive(Debug, Clone)]
pub struct FaultConfig {
    /// Seed of the fault generator.
    pub seed: u64,
    /// Simulated inference time of an ordinary prediction, drawn uniformly.
    pub latency: Range<Duration>,
    /// Time taken by a slow prediction, drawn uniformly.
    pub slow_latency: Range<Duration>,
    /// Rates while the service is healthy.
    pub normal: FaultRates,
    /// Rates while the service is degraded.
    pub degraded: FaultRates,
    /// Length of the healthy phase that opens each cycle.
    pub normal_phase: Duration,
    /// Length of the degraded phase that closes each cycle; zero never degrades.
    pub degraded_phase: Duration,
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            seed: 0x1415_9265,
            latency: Duration::from_millis(5)..Duration::from_millis(80),
            slow_latency: Duration::from_secs(1)..Duration::from_secs(3),
            normal: FaultRates { error_ratio: 0.02, slow_ratio: 0.005 },
            degraded: FaultRates { error_ratio: 0.12, slow_ratio: 0.3 },
            normal_phase: Duration::from_secs(5 * 60),
            degraded_phase: Duration::from_secs(10 * 60),
        }
    }
}

impl FaultConfig {
    /// No errors, no slow requests and no simulated latency: for tests of the happy path.
    pub fn none() -> Self {
        FaultConfig {
            latency: Duration::ZERO..Duration::ZERO,
            normal: FaultRates::default(),
            degraded: FaultRates::default(),
            degraded_phase: Duration::ZERO,
            ..FaultConfig::default()
        }
    }
}

/// Shares of valid `/predict` requests that fail or are slow; values outside `0..=1` act as
/// the nearest bound.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FaultRates {
    /// Share answered `500` with `error_type="model_error"`.
    pub error_ratio: f64,
    /// Share that takes [`FaultConfig::slow_latency`].
    pub slow_ratio: f64,
}

/// The mix of requests the traffic generator sends.
#[derive(Debug, Clone)]
pub struct TrafficConfig {
    /// Average request rate; requests are sent at evenly spaced instants.
    pub requests_per_second: f64,
    /// Share of `/predict` requests whose body is invalid (bad JSON, wrong feature count, …).
    pub invalid_ratio: f64,
    /// Share of all requests that go to `GET /health` instead of `/predict`.
    pub health_ratio: f64,
    /// Requests allowed in flight at once; further ticks are skipped until one finishes.
    pub max_in_flight: usize,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Seed of the request generator.
    pub seed: u64,
}

impl Default for TrafficConfig {
    fn default() -> Self {
        TrafficConfig {
            requests_per_second: 5.0,
            invalid_ratio: 0.03,
            health_ratio: 0.1,
            max_in_flight: 64,
            timeout: Duration::from_secs(10),
            seed: 0x2718_2818,
        }
    }
}
