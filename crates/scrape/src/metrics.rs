//! The scrape manager's self-metrics, with Prometheus' names so existing dashboards work.
//!
//! `prometheus_target_interval_length_seconds` is a summary in Prometheus; prometheus-client has
//! no summary, so it is a histogram here (same name and `interval` label, `_bucket` series instead
//! of `quantile` ones).

use vigil_instrument::prometheus_client::metrics::counter::Counter;
use vigil_instrument::prometheus_client::metrics::family::Family;
use vigil_instrument::prometheus_client::metrics::gauge::Gauge;
use vigil_instrument::prometheus_client::metrics::histogram::Histogram;
use vigil_instrument::prometheus_client::registry::Registry;

type LabelPairs = Vec<(String, String)>;
type HistogramFamily = Family<LabelPairs, Histogram, fn() -> Histogram>;

fn interval_histogram() -> Histogram {
    // Scrape intervals are typically 1s..5m; buckets from 10 ms to ~5.5 min.
    Histogram::new([0.01, 0.1, 0.5, 1.0, 5.0, 10.0, 15.0, 20.0, 30.0, 60.0, 120.0, 300.0, 330.0])
}

/// Counters and gauges of the scrape manager. Cloning shares the underlying metrics.
#[derive(Debug, Clone)]
pub struct Metrics {
    pub(crate) interval_length: HistogramFamily,
    pub(crate) scrape_pools: Counter,
    pub(crate) exceeded_sample_limit: Counter,
    pub(crate) exceeded_body_size_limit: Counter,
    pub(crate) sample_out_of_order: Counter,
    pub(crate) sample_duplicate_timestamp: Counter,
    pub(crate) sample_out_of_bounds: Counter,
    pub(crate) exceeded_label_limits: Counter,
    pub(crate) exceeded_target_limit: Counter,
    pub(crate) pool_targets: Family<LabelPairs, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            interval_length: Family::new_with_constructor(interval_histogram),
            scrape_pools: Counter::default(),
            exceeded_sample_limit: Counter::default(),
            exceeded_body_size_limit: Counter::default(),
            sample_out_of_order: Counter::default(),
            sample_duplicate_timestamp: Counter::default(),
            sample_out_of_bounds: Counter::default(),
            exceeded_label_limits: Counter::default(),
            exceeded_target_limit: Counter::default(),
            pool_targets: Family::default(),
        }
    }
}

impl Metrics {
    /// Creates the metrics and registers them into `registry`.
    pub fn new(registry: &mut Registry) -> Self {
        let m = Self::default();
        m.register(registry);
        m
    }

    /// Registers these metrics (counters get their `_total` suffix from the registry).
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "prometheus_target_interval_length_seconds",
            "Actual intervals between scrapes",
            self.interval_length.clone(),
        );
        registry.register(
            "prometheus_target_scrape_pools",
            "Total number of scrape pool creation attempts",
            self.scrape_pools.clone(),
        );
        registry.register(
            "prometheus_target_scrapes_exceeded_sample_limit",
            "Total number of scrapes that hit the sample limit and were rejected",
            self.exceeded_sample_limit.clone(),
        );
        registry.register(
            "prometheus_target_scrapes_exceeded_body_size_limit",
            "Total number of scrapes that hit the body size limit",
            self.exceeded_body_size_limit.clone(),
        );
        registry.register(
            "prometheus_target_scrapes_sample_out_of_order",
            "Total number of samples rejected due to not being out of the expected order",
            self.sample_out_of_order.clone(),
        );
        registry.register(
            "prometheus_target_scrapes_sample_duplicate_timestamp",
            "Total number of samples rejected due to duplicate timestamps but different values",
            self.sample_duplicate_timestamp.clone(),
        );
        registry.register(
            "prometheus_target_scrapes_sample_out_of_bounds",
            "Total number of samples rejected due to timestamp falling outside of the time bounds",
            self.sample_out_of_bounds.clone(),
        );
        registry.register(
            "prometheus_target_scrape_pool_exceeded_label_limits",
            "Total number of times scrape pools hit the label limits",
            self.exceeded_label_limits.clone(),
        );
        registry.register(
            "prometheus_target_scrape_pool_exceeded_target_limit",
            "Total number of times scrape pools hit the target limit, during sync or config reload",
            self.exceeded_target_limit.clone(),
        );
        registry.register(
            "prometheus_target_scrape_pool_targets",
            "Current number of targets in this scrape pool",
            self.pool_targets.clone(),
        );
    }

    pub(crate) fn observe_interval(&self, interval_label: &str, seconds: f64) {
        self.interval_length.get_or_create(&vec![("interval".to_owned(), interval_label.to_owned())]).observe(seconds);
    }

    pub(crate) fn set_pool_targets(&self, job: &str, n: usize) {
        self.pool_targets.get_or_create(&vec![("scrape_job".to_owned(), job.to_owned())]).set(n as i64);
    }

    pub(crate) fn remove_pool(&self, job: &str) {
        self.pool_targets.remove(&vec![("scrape_job".to_owned(), job.to_owned())]);
    }
}

#[cfg(test)]
mod tests {
    use super::Metrics;
    use vigil_instrument::prometheus_client::registry::Registry;

    #[test]
    fn registers_prometheus_names() {
        let mut registry = Registry::default();
        let m = Metrics::new(&mut registry);
        m.exceeded_sample_limit.inc();
        m.set_pool_targets("node", 3);
        m.observe_interval("15s", 15.001);
        let text = vigil_instrument::render(&registry, vigil_instrument::Format::Text).unwrap();
        for want in [
            "prometheus_target_scrapes_exceeded_sample_limit_total 1",
            "prometheus_target_scrape_pools_total 0",
            "prometheus_target_scrapes_sample_out_of_order_total 0",
            "prometheus_target_scrapes_sample_duplicate_timestamp_total 0",
            "prometheus_target_scrape_pool_targets{scrape_job=\"node\"} 3",
            "prometheus_target_interval_length_seconds_count{interval=\"15s\"} 1",
        ] {
            assert!(text.contains(want), "{want} missing in\n{text}");
        }
    }
}
