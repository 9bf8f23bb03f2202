//! The built-in traffic generator: a steady, realistic mix of requests over real HTTP.
//!
//! Requests leave at evenly spaced instants and run concurrently, so a slow answer never
//! holds back the next request; at most [`TrafficConfig::max_in_flight`] are outstanding.

mod client;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::http::Method;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::sync::Semaphore;
use tokio::time::MissedTickBehavior;

use crate::classifier::Species;
use crate::config::TrafficConfig;

/// Per-species standard deviations of Fisher's Iris data, in feature order.
fn spread(species: Species) -> [f64; 4] {
    match species {
        Species::Setosa => [0.35, 0.38, 0.17, 0.11],
        Species::Versicolor => [0.52, 0.31, 0.47, 0.20],
        Species::Virginica => [0.64, 0.32, 0.55, 0.27],
    }
}

/// Bodies the generator sends to exercise validation.
const INVALID_BODIES: [&str; 6] = [
    r#"{"features": [5.1, 3.5, 1.4"#,
    r#"{"features": [5.1, 3.5, 1.4]}"#,
    r#"{"features": "5.1,3.5,1.4,0.2"}"#,
    r#"{"features": [5.1, -3.5, 1.4, 0.2]}"#,
    r#"{"sepal_length": 5.1}"#,
    "",
];

/// One generated request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Planned {
    pub method: Method,
    pub path: &'static str,
    pub body: Option<String>,
}

/// Draws the next request of the mix.
pub(crate) fn plan(rng: &mut impl Rng, config: &TrafficConfig) -> Planned {
    if rng.random::<f64>() < config.health_ratio {
        return Planned { method: Method::GET, path: "/health", body: None };
    }
    let body = if rng.random::<f64>() < config.invalid_ratio {
        INVALID_BODIES[rng.random_range(0..INVALID_BODIES.len())].to_owned()
    } else {
        let [a, b, c, d] = flower(rng);
        format!(r#"{{"features": [{a:.1}, {b:.1}, {c:.1}, {d:.1}]}}"#)
    };
    Planned { method: Method::POST, path: "/predict", body: Some(body) }
}

/// A random flower of a random species, normally spread around its centroid.
fn flower(rng: &mut impl Rng) -> [f64; 4] {
    let species = Species::ALL[rng.random_range(0..Species::ALL.len())];
    let mean = species.centroid();
    let sd = spread(species);
    std::array::from_fn(|i| (mean[i] + sd[i] * standard_normal(rng)).max(0.1))
}

/// Box–Muller transform.
fn standard_normal(rng: &mut impl Rng) -> f64 {
    let u1 = 1.0 - rng.random::<f64>(); // (0, 1], so ln is finite
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Sends the configured mix to `target` until `shutdown` completes. A rate that is not a
/// positive finite number sends nothing.
pub async fn run(target: SocketAddr, config: TrafficConfig, shutdown: impl Future<Output = ()>) {
    let Some(period) = period(config.requests_per_second) else {
        tracing::warn!(rate = config.requests_per_second, "Demo traffic disabled: invalid rate.");
        return shutdown.await;
    };
    tracing::info!(%target, rate = config.requests_per_second, "Demo traffic generator started.");
    let mut rng = StdRng::seed_from_u64(config.seed);
    let slots = Arc::new(Semaphore::new(config.max_in_flight.max(1)));
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            _ = ticks.tick() => {}
        }
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            tracing::debug!("Demo traffic skipped a request: too many in flight.");
            continue;
        };
        let request = plan(&mut rng, &config);
        let timeout = config.timeout;
        tokio::spawn(async move {
            let _slot = slot;
            match client::send(target, &request, timeout).await {
                Ok(status) => {
                    tracing::trace!(path = request.path, status, "Demo traffic request done.")
                }
                Err(error) => tracing::debug!(%error, "Demo traffic request failed."),
            }
        });
    }
    tracing::info!("Demo traffic generator stopped.");
}

fn period(requests_per_second: f64) -> Option<Duration> {
    let secs = 1.0 / requests_per_second;
    (secs.is_finite() && secs > 0.0).then(|| Duration::try_from_secs_f64(secs).ok()).flatten()
}

#[cfg(test)]
mod tests;
