//! Adapters from component types to the small traits the API crate defines, so that neither side
//! knows the other.

use std::sync::Arc;
use vigil_api::{
    DroppedTargetInfo, HeadStats, MetricMetadata, NameCount, TargetHealth, TargetInfo, TargetsSource, TsdbStats,
    TsdbStatsSource,
};
use vigil_model::duration::format_duration_ms;
use vigil_scrape::{Health, ScrapeManager};
use vigil_tsdb::Db;

/// The scrape manager as the API's [`TargetsSource`].
pub struct ScrapeTargets {
    pub scrape: Arc<ScrapeManager>,
}

impl TargetsSource for ScrapeTargets {
    fn active_targets(&self) -> Vec<TargetInfo> {
        self.scrape
            .active_targets()
            .into_iter()
            .map(|t| TargetInfo {
                // Prometheus replaces a loopback host with its own hostname here; Vigil reports
                // the scrape URL as is.
                global_url: t.scrape_url.clone(),
                discovered_labels: t.discovered_labels,
                labels: t.labels,
                scrape_pool: t.scrape_pool,
                scrape_url: t.scrape_url,
                last_error: t.last_error,
                last_scrape: t.last_scrape_ms,
                last_scrape_duration_seconds: t.last_scrape_duration_seconds,
                health: match t.health {
                    Health::Up => TargetHealth::Up,
                    Health::Down => TargetHealth::Down,
                    Health::Unknown => TargetHealth::Unknown,
                },
                scrape_interval: format_duration_ms(t.interval_ms),
                scrape_timeout: format_duration_ms(t.timeout_ms),
            })
            .collect()
    }

    fn dropped_targets(&self) -> Vec<DroppedTargetInfo> {
        self.scrape
            .dropped_targets()
            .into_iter()
            .map(|t| DroppedTargetInfo { discovered_labels: t.discovered_labels, scrape_pool: t.scrape_pool })
            .collect()
    }

    fn metadata(&self, metric: Option<&str>) -> Vec<MetricMetadata> {
        self.scrape
            .metadata(metric)
            .into_iter()
            .flat_map(|(name, entries)| {
                entries.into_iter().map(move |m| MetricMetadata {
                    metric: name.clone(),
                    kind: m.metric_type,
                    help: m.help,
                    unit: m.unit,
                })
            })
            .collect()
    }
}

/// The TSDB as the API's [`TsdbStatsSource`].
pub struct DbStats(pub Arc<Db>);

impl TsdbStatsSource for DbStats {
    fn tsdb_stats(&self, limit: usize) -> Result<TsdbStats, String> {
        let s = self.0.stats();
        let c = self.0.cardinality();
        let top = |v: Vec<(String, u64)>| -> Vec<NameCount> {
            v.into_iter().take(limit).map(|(name, value)| NameCount { name, value }).collect()
        };
        Ok(TsdbStats {
            head: HeadStats {
                num_series: s.head_series,
                num_label_pairs: c.num_label_pairs,
                chunk_count: s.head_chunks,
                min_time: s.min_time.unwrap_or(i64::MAX),
                max_time: s.max_time.unwrap_or(i64::MIN),
            },
            series_count_by_metric_name: top(c.series_count_by_metric_name),
            label_value_count_by_label_name: top(c.label_value_count_by_label_name),
            memory_in_bytes_by_label_name: top(c.memory_in_bytes_by_label_name),
            series_count_by_label_value_pair: top(c.series_count_by_label_value_pair),
        })
    }
}
