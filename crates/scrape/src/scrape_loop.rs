//! The per-target loop: wait for the target's slot in the interval, then scrape on every tick.
//!
//! Scheduling uses Tokio's timer; sample timestamps come from the injected clock. Like
//! Prometheus, the first scrape is offset within the interval by a hash of the target (so targets
//! spread out and keep their phase across restarts), and timestamps within 2 ms (at most 1 % of
//! the interval) of the ideal grid are snapped to it, so that timestamp deltas compress to zero.

use crate::append::{MetricMetadata, ScrapeCache};
use crate::fetch::Fetcher;
use crate::target::{Health, Target, TargetStatus};
use crate::{Clock, Error, Metrics};
use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::{Instant, MissedTickBehavior};
use vigil_model::Timestamp;
use vigil_model::duration::format_duration_ms;
use vigil_storage::Appendable;

/// Upper bound of the timestamp alignment tolerance.
const ALIGN_TOLERANCE_MS: i64 = 2;

/// How a loop is told to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signal {
    Run,
    /// Stop; with `stale_markers`, mark the target's last series stale first (target removed).
    Stop {
        stale_markers: bool,
    },
}

/// Metadata of a target's last scrape, shared with the API.
pub(crate) type SharedMetadata = Arc<Mutex<Arc<BTreeMap<String, MetricMetadata>>>>;

/// Everything a loop shares with its pool and manager.
#[derive(Clone)]
pub(crate) struct LoopDeps {
    pub storage: Arc<dyn Appendable>,
    pub clock: Arc<dyn Clock>,
    pub metrics: Metrics,
    pub offset_seed: u64,
}

/// A running loop.
#[derive(Debug)]
pub(crate) struct LoopHandle {
    signal: watch::Sender<Signal>,
    pub join: tokio::task::JoinHandle<()>,
}

impl LoopHandle {
    pub fn stop(&self, stale_markers: bool) {
        // The loop may already have exited; nothing to tell then.
        let _ = self.signal.send(Signal::Stop { stale_markers });
    }
}

/// State owned by one loop task.
pub(crate) struct ScrapeLoop {
    target: Target,
    fetcher: Arc<Fetcher>,
    deps: LoopDeps,
    cache: Option<Box<ScrapeCache>>,
    metadata: SharedMetadata,
    buf: Vec<u8>,
}

impl ScrapeLoop {
    /// Spawns the loop on the current runtime.
    pub fn spawn(
        target: Target,
        fetcher: Arc<Fetcher>,
        samples: Arc<crate::SampleOptions>,
        deps: LoopDeps,
        metadata: SharedMetadata,
        runtime: &tokio::runtime::Handle,
    ) -> LoopHandle {
        let (tx, rx) = watch::channel(Signal::Run);
        let cache = Box::new(ScrapeCache::new(target.labels.clone(), samples));
        let sl = ScrapeLoop { target, fetcher, deps, cache: Some(cache), metadata, buf: Vec::new() };
        let join = runtime.spawn(sl.run(rx));
        LoopHandle { signal: tx, join }
    }

    async fn run(mut self, mut signal: watch::Receiver<Signal>) {
        let interval_ms = self.target.interval_ms.max(1);
        let interval = Duration::from_millis(interval_ms as u64);
        let interval_label = format_duration_ms(interval_ms);
        let offset = offset_ms(self.target.hash, self.deps.offset_seed, interval_ms, self.deps.clock.now_ms());
        let mut ticker = tokio::time::interval_at(Instant::now() + Duration::from_millis(offset as u64), interval);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
        let mut aligned: Option<Timestamp> = None;
        let mut last_start: Option<Instant> = None;
        loop {
            tokio::select! {
                _ = ticker.tick() => {}
                _ = stopped(&mut signal) => break,
            }
            let started = Instant::now();
            if let Some(last) = last_start {
                self.deps.metrics.observe_interval(&interval_label, started.duration_since(last).as_secs_f64());
            }
            last_start = Some(started);
            let ts = align(self.deps.clock.now_ms(), &mut aligned, interval_ms);
            let mut buf = std::mem::take(&mut self.buf);
            let fetched = tokio::select! {
                r = self.fetcher.fetch(&self.target.url, self.target.timeout_ms, &mut buf) => r,
                _ = stopped(&mut signal) => break,
            };
            let duration = started.elapsed().as_secs_f64();
            self.ingest(buf, fetched, ts, duration).await;
        }
        let stale_markers = *signal.borrow() == (Signal::Stop { stale_markers: true });
        if stale_markers && let Some(mut cache) = self.cache.take() {
            let storage = Arc::clone(&self.deps.storage);
            let now = self.deps.clock.now_ms();
            let r = tokio::task::spawn_blocking(move || cache.end_of_run(&*storage, now)).await;
            if let Ok(Err(e)) = r {
                tracing::warn!(target = %self.target.url, error = %e, "Writing end-of-run stale markers failed.");
            }
        }
    }

    /// Parses and appends on a blocking thread (storage is synchronous), then publishes status.
    async fn ingest(&mut self, buf: Vec<u8>, fetched: crate::Result<Option<String>>, ts: Timestamp, duration: f64) {
        let mut cache = match self.cache.take() {
            Some(c) => c,
            None => Box::new(ScrapeCache::new(self.target.labels.clone(), Arc::default())),
        };
        let storage = Arc::clone(&self.deps.storage);
        let job = tokio::task::spawn_blocking(move || {
            let content_type;
            let scraped = match fetched {
                Ok(ct) => {
                    content_type = ct;
                    Ok((buf.as_slice(), content_type.as_deref()))
                }
                Err(e) => Err(e),
            };
            let outcome = cache.ingest(&*storage, scraped, ts, duration);
            let metadata = cache.take_metadata_if_changed();
            (cache, buf, outcome, metadata)
        });
        let (cache, buf, outcome, metadata) = match job.await {
            Ok(r) => r,
            Err(e) => {
                // The cache went down with the task; the next scrape starts afresh.
                tracing::error!(target = %self.target.url, error = %e, "Scrape task panicked.");
                return;
            }
        };
        self.cache = Some(cache);
        self.buf = buf;
        if let Some(m) = metadata {
            *self.metadata.lock() = Arc::new(m);
        }
        let m = &self.deps.metrics;
        let stats = outcome.stats;
        m.sample_out_of_order.inc_by(stats.out_of_order as u64);
        m.sample_duplicate_timestamp.inc_by(stats.duplicate_timestamp as u64);
        m.sample_out_of_bounds.inc_by(stats.out_of_bounds as u64);
        match &outcome.error {
            Some(Error::SampleLimit { .. }) => {
                m.exceeded_sample_limit.inc();
            }
            Some(Error::BodySizeLimit { .. }) => {
                m.exceeded_body_size_limit.inc();
            }
            Some(Error::LabelLimit(_)) => {
                m.exceeded_label_limits.inc();
            }
            _ => {}
        }
        if let Some(e) = &outcome.error {
            tracing::debug!(target = %self.target.url, error = %e, "Scrape failed.");
        }
        let mut status = self.target.status.lock();
        *status = TargetStatus {
            health: if outcome.error.is_none() { Health::Up } else { Health::Down },
            last_error: outcome.error.map(|e| e.to_string()).unwrap_or_default(),
            last_scrape_ms: Some(ts),
            last_scrape_duration_seconds: duration,
        };
    }
}

/// Resolves when the loop should stop (a stop signal, or the pool dropped its handle).
async fn stopped(signal: &mut watch::Receiver<Signal>) {
    loop {
        if *signal.borrow_and_update() != Signal::Run {
            return;
        }
        if signal.changed().await.is_err() {
            return;
        }
    }
}

/// Delay before the first scrape: the target's fixed slot within the interval grid.
pub(crate) fn offset_ms(target_hash: u64, seed: u64, interval_ms: i64, now_ms: Timestamp) -> i64 {
    let interval = interval_ms.max(1);
    let base = interval - now_ms.rem_euclid(interval);
    let slot = ((target_hash ^ seed) % interval as u64) as i64;
    let next = base + slot;
    if next > interval { next - interval } else { next }
}

/// Snaps `ts` to the grid started by the first scrape when it is within the tolerance.
pub(crate) fn align(ts: Timestamp, aligned: &mut Option<Timestamp>, interval_ms: i64) -> Timestamp {
    let Some(grid) = aligned else {
        *aligned = Some(ts);
        return ts;
    };
    let tolerance = (interval_ms / 100).min(ALIGN_TOLERANCE_MS);
    if ts - *grid >= interval_ms {
        *grid += (ts - *grid) / interval_ms * interval_ms;
    }
    if (ts - *grid).abs() <= tolerance { *grid } else { ts }
}

#[cfg(test)]
mod tests;
