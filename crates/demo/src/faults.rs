//! Server-side fault injection: which `/predict` requests fail or run slow.
//!
//! Time is split into cycles of a healthy phase followed by a degraded phase; each request
//! draws from the current phase's [`FaultRates`] with a seeded generator.

use std::ops::Range;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::time::Instant;

use crate::config::{FaultConfig, FaultRates};

/// What happens to one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fault {
    /// Time to spend before answering.
    pub delay: Duration,
    /// Whether to answer with a model error.
    pub fail: bool,
}

/// The current phase of the fault cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Normal rates apply.
    Normal,
    /// Degraded rates apply.
    Degraded,
}

/// Draws a [`Fault`] per request.
#[derive(Debug)]
pub struct FaultInjector {
    config: FaultConfig,
    started: Instant,
    rng: Mutex<StdRng>,
}

impl FaultInjector {
    /// Starts the first cycle now.
    pub fn new(config: FaultConfig) -> FaultInjector {
        let rng = Mutex::new(StdRng::seed_from_u64(config.seed));
        FaultInjector { config, started: Instant::now(), rng }
    }

    /// The phase `elapsed` after the start.
    pub fn phase_at(&self, elapsed: Duration) -> Phase {
        let cycle = self.config.normal_phase + self.config.degraded_phase;
        if self.config.degraded_phase.is_zero() {
            return Phase::Normal;
        }
        let into_cycle = elapsed.as_nanos() % cycle.as_nanos();
        if into_cycle < self.config.normal_phase.as_nanos() { Phase::Normal } else { Phase::Degraded }
    }

    /// The current phase.
    pub fn phase(&self) -> Phase {
        self.phase_at(self.started.elapsed())
    }

    /// Draws the fault for the next request.
    pub fn draw(&self) -> Fault {
        let rates = match self.phase() {
            Phase::Normal => self.config.normal,
            Phase::Degraded => self.config.degraded,
        };
        self.draw_with(rates)
    }

    fn draw_with(&self, rates: FaultRates) -> Fault {
        // A panic elsewhere cannot leave an RNG state invalid, so poisoning is ignored.
        let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
        let slow = rng.random::<f64>() < rates.slow_ratio;
        let latency = if slow { &self.config.slow_latency } else { &self.config.latency };
        let delay = uniform(&mut *rng, latency);
        let fail = rng.random::<f64>() < rates.error_ratio;
        Fault { delay, fail }
    }
}

/// A duration drawn uniformly from `range`; an empty or reversed range yields its start.
fn uniform(rng: &mut impl Rng, range: &Range<Duration>) -> Duration {
    let width = range.end.saturating_sub(range.start);
    range.start + width.mul_f64(rng.random::<f64>())
}

#[cfg(test)]
mod tests;
