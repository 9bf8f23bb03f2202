//! The TSDB's self-metrics under Prometheus' names, refreshed from `Db::stats` on each render.
//!
//! The tsdb crate keeps plain counters (it knows nothing of metrics registries); this adapter
//! publishes them so that dashboards built for Prometheus (`prometheus_tsdb_head_series`, …) work.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use vigil_instrument::prometheus_client::metrics::counter::Counter;
use vigil_instrument::prometheus_client::metrics::gauge::Gauge;
use vigil_instrument::prometheus_client::registry::Registry;
use vigil_tsdb::Db;

/// Reads one counter out of the statistics.
type StatField = fn(&vigil_tsdb::Stats) -> u64;

/// Registered handles, updated by [`TsdbMetrics::refresh`].
pub struct TsdbMetrics {
    db: Arc<Db>,
    head_series: Gauge,
    head_chunks: Gauge,
    head_min_time: Gauge,
    head_max_time: Gauge,
    counters: Vec<(Counter, AtomicU64, StatField)>,
}

impl TsdbMetrics {
    /// Registers the metrics for `db` into `registry`.
    pub fn register(db: Arc<Db>, registry: &mut Registry) -> Self {
        let head_series = Gauge::default();
        let head_chunks = Gauge::default();
        let head_min_time = Gauge::default();
        let head_max_time = Gauge::default();
        registry.register(
            "prometheus_tsdb_head_series",
            "Total number of series in the head block",
            head_series.clone(),
        );
        registry.register(
            "prometheus_tsdb_head_chunks",
            "Total number of chunks in the head block",
            head_chunks.clone(),
        );
        registry.register(
            "prometheus_tsdb_head_min_time",
            "Minimum time bound of the head block",
            head_min_time.clone(),
        );
        registry.register(
            "prometheus_tsdb_head_max_time",
            "Maximum timestamp of the head block",
            head_max_time.clone(),
        );
        let defs: [(&str, &str, StatField); 6] = [
            ("prometheus_tsdb_head_samples_appended", "Total number of appended samples", |s| s.samples_appended),
            ("prometheus_tsdb_head_series_created", "Total number of series created in the head", |s| s.series_created),
            ("prometheus_tsdb_head_series_removed", "Total number of series removed in the head", |s| s.series_removed),
            ("prometheus_tsdb_wal_corruptions", "Total number of WAL corruptions", |s| s.wal_corruptions),
            ("prometheus_tsdb_wal_truncations", "Total number of WAL truncations", |s| s.wal_truncations),
            ("prometheus_tsdb_checkpoint_creations", "Total number of checkpoint creations", |s| s.checkpoints),
        ];
        let counters = defs
            .into_iter()
            .map(|(name, help, get)| {
                let c = Counter::default();
                registry.register(name, help, c.clone());
                (c, AtomicU64::new(0), get)
            })
            .collect();
        Self { db, head_series, head_chunks, head_min_time, head_max_time, counters }
    }

    /// Copies the current statistics into the metrics.
    pub fn refresh(&self) {
        let s = self.db.stats();
        self.head_series.set(to_i64(s.head_series));
        self.head_chunks.set(to_i64(s.head_chunks));
        self.head_min_time.set(s.min_time.unwrap_or(i64::MAX));
        self.head_max_time.set(s.max_time.unwrap_or(i64::MIN));
        for (counter, published, get) in &self.counters {
            let now = get(&s);
            let before = published.swap(now, Ordering::Relaxed);
            counter.inc_by(now.saturating_sub(before));
        }
    }
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}
