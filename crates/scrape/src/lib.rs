//! Scraping: turns target groups into scrape loops that append samples into storage.
//!
//! The binary creates a [`ScrapeManager`] over an [`Appendable`](vigil_storage::Appendable),
//! calls [`ScrapeManager::apply_config`] with the loaded `prometheus.yml` (and again on reload),
//! and spawns [`ScrapeManager::run`] with a channel of target groups per job (from discovery)
//! and a shutdown signal. Per job there is one pool with one HTTP client; per target one loop.
//!
//! Each scrape of a target:
//! 1. GETs the scrape URL with Prometheus' headers, within `scrape_timeout` and
//!    `body_size_limit` ([`fetch`](crate::fetch) module);
//! 2. parses the body with `vigil-exposition` (format from the Content-Type), attaches the target
//!    labels (`honor_labels`), applies `metric_relabel_configs` and the limits, and appends every
//!    sample through one appender that commits once ([`ScrapeCache::ingest`]);
//! 3. appends stale markers for series that disappeared and the `up`, `scrape_duration_seconds`,
//!    `scrape_samples_scraped`, `scrape_samples_post_metric_relabeling`, `scrape_series_added`
//!    series.
//!
//! A failed scrape keeps nothing of its body, marks the previous series stale and reports `up`
//! 0. The per-target [`ScrapeCache`] maps each raw series text to its storage ref and final
//! labels, so a steady target costs a hash and a lookup per sample.
//!
//! ```
//! use std::sync::Arc;
//! use vigil_model::{Labels, Matcher};
//! use vigil_scrape::{SampleOptions, ScrapeCache};
//! use vigil_storage::{MemStorage, Queryable, SelectHints};
//!
//! let db = MemStorage::new();
//! let target = Labels::from_pairs(&[("job", "api"), ("instance", "h:9100")]);
//! let mut cache = ScrapeCache::new(target, Arc::new(SampleOptions::default()));
//! let body = b"# TYPE requests_total counter\nrequests_total{code=\"200\"} 7\n";
//! let out = cache.ingest(&db, Ok((&body[..], Some("text/plain; version=0.0.4"))), 1_000, 0.01);
//! assert!(out.error.is_none());
//! let q = db.querier(0, 2_000).unwrap();
//! let up = q.select(&SelectHints::default(), &[Matcher::equal("__name__", "up")]).unwrap();
//! assert_eq!(up[0].samples.values, vec![1.0]);
//! ```

mod append;
mod cache;
mod clock;
mod error;
mod fetch;
mod manager;
mod metrics;
mod native;
mod parse;
mod pool;
mod pool_config;
mod sample_labels;
mod scrape_loop;
mod target;

pub use append::{IngestOutcome, MetricMetadata, ScrapeCache, ScrapeStats};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{Error, Result};
pub use fetch::USER_AGENT_VALUE;
pub use manager::{ScrapeManager, ScrapeOptions};
pub use metrics::Metrics;
pub use pool_config::{SampleLimits, SampleOptions};
pub use target::{ActiveTarget, DroppedTarget, Health};
