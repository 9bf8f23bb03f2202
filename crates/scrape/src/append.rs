//! One scrape's body into storage: parse, attach target labels, relabel, check limits, append,
//! mark disappeared series stale, and write the `up`/`scrape_*` series.
//!
//! [`ScrapeCache`] is the per-target state this needs between scrapes (see [`crate::cache`]); it
//! is synchronous and knows no HTTP, so the scrape loop runs it on a blocking thread and the
//! benchmark drives it directly.

mod protobuf;

use crate::cache::{CacheEntry, PassThroughMap, SeriesCache, SeriesEntry};
use crate::native;
use crate::parse::{self, Item};
use crate::pool_config::SampleOptions;
use crate::sample_labels::merge;
use crate::{Error, Result};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;
use vigil_exposition::BodyFormat;
use vigil_exposition::protobuf::NativeSample;
use vigil_model::relabel::process;
use vigil_model::{Labels, STALE_NAN, Sample, Timestamp};
use vigil_storage::{Appendable, Appender, SeriesRef};

/// Type, help and unit of a metric family, from the last scrape that exposed them.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MetricMetadata {
    /// `counter`, `gauge`, `histogram`, `summary`, `gaugehistogram`, `stateset`, `info` or `unknown`.
    pub metric_type: String,
    /// The HELP text, unescaped.
    pub help: String,
    /// The UNIT (OpenMetrics only), empty if none.
    pub unit: String,
}

/// Counts from appending one scrape.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScrapeStats {
    /// Samples in the body.
    pub samples_scraped: usize,
    /// Samples left after `metric_relabel_configs`.
    pub samples_post_relabel: usize,
    /// Series seen for the first time by this target.
    pub series_added: usize,
    /// Samples the storage rejected as out of order.
    pub out_of_order: usize,
    /// Samples the storage rejected as duplicates with a different value.
    pub duplicate_timestamp: usize,
    /// Samples the storage rejected as out of bounds.
    pub out_of_bounds: usize,
}

/// The outcome of [`ScrapeCache::ingest`].
#[derive(Debug)]
pub struct IngestOutcome {
    /// What was appended (or counted before the scrape failed).
    pub stats: ScrapeStats,
    /// Why the scrape failed, if it did; nothing from the body was kept then.
    pub error: Option<Error>,
}

/// Names of the series written for every scrape, in report order.
const REPORT_NAMES: [&str; 5] = [
    "up",
    "scrape_duration_seconds",
    "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling",
    "scrape_series_added",
];

/// Per-target state carried from one scrape to the next.
#[derive(Debug)]
pub struct ScrapeCache {
    target_labels: Labels,
    options: Arc<SampleOptions>,
    series: SeriesCache,
    report: Vec<(SeriesRef, Labels)>,
    metadata: BTreeMap<String, MetricMetadata>,
    metadata_changed: bool,
    /// Whether the last ingest wrote report series (which then go stale when the target ends).
    reported: bool,
}

impl ScrapeCache {
    /// A cache for a target with these (final, public) labels.
    pub fn new(target_labels: Labels, options: Arc<SampleOptions>) -> Self {
        let report = REPORT_NAMES
            .iter()
            .map(|name| {
                let mut b = target_labels.builder();
                b.set(vigil_model::METRIC_NAME, name);
                (0, b.build())
            })
            .collect();
        Self {
            target_labels,
            options,
            series: SeriesCache::default(),
            report,
            metadata: BTreeMap::new(),
            metadata_changed: false,
            reported: false,
        }
    }

    /// Number of cached raw series (including ones dropped by relabeling).
    pub fn len(&self) -> usize {
        self.series.entries.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.series.entries.is_empty()
    }

    /// The metadata of the last scrape, if it changed since the previous call.
    pub fn take_metadata_if_changed(&mut self) -> Option<BTreeMap<String, MetricMetadata>> {
        std::mem::take(&mut self.metadata_changed).then(|| self.metadata.clone())
    }

    /// Appends one scrape and commits it: the body's samples (if `scraped` is `Ok`), stale
    /// markers for series that disappeared, and the report series. A failed scrape (fetch error,
    /// parse error, limit) keeps nothing from the body, marks every previous series stale and
    /// reports `up` 0. `ts` is the scrape time in ms.
    pub fn ingest(
        &mut self,
        storage: &dyn Appendable,
        scraped: Result<(&[u8], Option<&str>)>,
        ts: Timestamp,
        duration_seconds: f64,
    ) -> IngestOutcome {
        self.series.begin();
        let mut app = storage.appender();
        let (stats, error) = match scraped {
            Ok((body, content_type)) => match self.append_body(&mut *app, body, content_type, ts) {
                Ok(stats) => (stats, None),
                Err((stats, e)) => (stats, Some(e)),
            },
            Err(e) => (ScrapeStats::default(), Some(e)),
        };
        let ok = error.is_none();
        let mut error = error;
        if ok {
            for (r, labels) in self.series.disappeared() {
                // A rejected stale marker (e.g. out of order) is harmless: the series is gone anyway.
                let _ = app.append(r, labels, Sample::Float { t: ts, v: STALE_NAN });
            }
        } else {
            if let Err(e) = app.rollback() {
                tracing::warn!(error = %e, "Scrape rollback failed.");
            }
            app = storage.appender();
            for (r, labels) in self.series.all_previous() {
                let _ = app.append(r, labels, Sample::Float { t: ts, v: STALE_NAN });
            }
        }
        let values = [
            if ok { 1.0 } else { 0.0 },
            duration_seconds,
            stats.samples_scraped as f64,
            stats.samples_post_relabel as f64,
            stats.series_added as f64,
        ];
        self.append_report(&mut *app, ts, values);
        self.series.end(ok);
        if let Err(e) = app.commit() {
            tracing::warn!(error = %e, "Scrape commit failed.");
            error.get_or_insert(Error::Storage(e));
        }
        self.reported = true;
        IngestOutcome { stats, error }
    }

    /// Marks every series of the last scrape and the report series stale at `ts`, for a target
    /// that goes away. Commits.
    pub fn end_of_run(&mut self, storage: &dyn Appendable, ts: Timestamp) -> Result<()> {
        let mut app = storage.appender();
        for (r, labels) in self.series.all_previous() {
            let _ = app.append(r, labels, Sample::Float { t: ts, v: STALE_NAN });
        }
        if self.reported {
            self.append_report(&mut *app, ts, [STALE_NAN; 5]);
        }
        self.series.last_ok_iter = None;
        self.reported = false;
        app.commit()?;
        Ok(())
    }

    fn append_report(&mut self, app: &mut dyn Appender, ts: Timestamp, values: [f64; 5]) {
        for ((r, labels), v) in self.report.iter_mut().zip(values) {
            match app.append(*r, labels, Sample::Float { t: ts, v }) {
                Ok(new_ref) => *r = new_ref,
                Err(e) => tracing::debug!(error = %e, series = %labels, "Report sample rejected."),
            }
        }
    }

    /// Appends the body's samples, read as its Content-Type says. On error, returns what was
    /// counted so far.
    fn append_body(
        &mut self,
        app: &mut dyn Appender,
        body: &[u8],
        content_type: Option<&str>,
        ts: Timestamp,
    ) -> Result<ScrapeStats, (ScrapeStats, Error)> {
        let negotiated = vigil_exposition::negotiate(content_type, self.options.fallback)
            .map_err(|e| (ScrapeStats::default(), Error::ContentType(e)))?;
        if let Some(reason) = &negotiated.fallback_reason {
            tracing::debug!(reason = %reason, "Invalid content type on scrape, using fallback setting.");
        }
        let options = Arc::clone(&self.options);
        let mut sink = Sink {
            options: &options,
            target_labels: &self.target_labels,
            entries: &mut self.series.entries,
            iter: self.series.iter,
            ts,
            stats: ScrapeStats::default(),
            failure: None,
            bucket_failure: None,
        };
        let metadata = Metadata { map: &mut self.metadata, changed: &mut self.metadata_changed };
        let parsed = match negotiated.format {
            BodyFormat::Text(format) => append_text(&mut sink, metadata, app, body, format),
            BodyFormat::Protobuf => protobuf::append(&mut sink, metadata, app, body),
        };
        // A sample limit error wins over a bucket limit error, as in Prometheus.
        match (parsed, sink.failure.or(sink.bucket_failure)) {
            (Err(e), _) | (Ok(()), Some(e)) => Err((sink.stats, e)),
            (Ok(()), None) => Ok(sink.stats),
        }
    }
}

/// The text formats: zero-copy lines, cache keyed by the raw series text.
fn append_text<'a>(
    sink: &mut Sink<'_>,
    mut metadata: Metadata<'_>,
    app: &mut dyn Appender,
    body: &'a [u8],
    format: vigil_exposition::Format,
) -> Result<()> {
    let mut scratch: Vec<(Cow<'a, str>, Cow<'a, str>)> = Vec::new();
    parse::parse(body, format, |item| {
        let line = match item {
            Item::Series(line) => line,
            Item::Type(family, kind) => {
                metadata.update(family, |m| set_if_changed(&mut m.metric_type, kind));
                return Ok(());
            }
            Item::Help(family, help) => {
                metadata.update(family, |m| set_if_changed(&mut m.help, &help));
                return Ok(());
            }
            Item::Unit(family, unit) => {
                metadata.update(family, |m| set_if_changed(&mut m.unit, unit));
                return Ok(());
            }
        };
        let key = xxhash_rust::xxh3::xxh3_128(line.raw);
        sink.add(app, key, &mut scratch, |out| line.labels(out), line.timestamp, Pending::Float(line.value))
    })
}

/// A value on its way into storage.
pub(crate) enum Pending {
    Float(f64),
    Histogram(vigil_exposition::protobuf::NativeSample),
}

/// The metadata map of a target and its changed flag.
pub(crate) struct Metadata<'c> {
    map: &'c mut BTreeMap<String, MetricMetadata>,
    changed: &'c mut bool,
}

impl Metadata<'_> {
    pub(crate) fn update(&mut self, family: &str, f: impl FnOnce(&mut MetricMetadata) -> bool) {
        update_metadata(self.map, self.changed, family, f);
    }
}

/// One scrape's path from a parsed sample to the appender: the cache lookup (labels, relabeling
/// and label limits only on a miss), the sample limit, histogram limits, staleness bookkeeping.
/// Both body formats feed it, so they count and limit alike.
pub(crate) struct Sink<'c> {
    options: &'c SampleOptions,
    target_labels: &'c Labels,
    entries: &'c mut PassThroughMap<u128, CacheEntry>,
    iter: u32,
    ts: Timestamp,
    pub(crate) stats: ScrapeStats,
    /// Set when the sample limit tripped: later samples are counted, not appended.
    failure: Option<Error>,
    /// Set when a native histogram could not be brought under the bucket limit.
    bucket_failure: Option<Error>,
}

impl Sink<'_> {
    /// Appends one sample of the series cached under `key`; `labels` writes the series' scraped
    /// labels (`__name__` first) into `scratch` when the cache does not know it yet.
    #[inline]
    pub(crate) fn add<'a>(
        &mut self,
        app: &mut dyn Appender,
        key: u128,
        scratch: &mut Vec<(Cow<'a, str>, Cow<'a, str>)>,
        labels: impl FnOnce(&mut Vec<(Cow<'a, str>, Cow<'a, str>)>),
        timestamp: Option<Timestamp>,
        value: Pending,
    ) -> Result<()> {
        let options = self.options;
        let limits = options.limits;
        let iter = self.iter;
        self.stats.samples_scraped += 1;
        let entry = match self.entries.entry(key) {
            hashbrown::hash_map::Entry::Occupied(o) => match o.into_mut() {
                CacheEntry::Dropped { used_iter } => {
                    *used_iter = iter;
                    return Ok(());
                }
                CacheEntry::Series(e) => e,
            },
            hashbrown::hash_map::Entry::Vacant(v) => {
                scratch.clear();
                labels(scratch);
                let merged = merge(scratch, self.target_labels, options.honor_labels);
                let relabeled = if options.metric_relabel.is_empty() {
                    Some(merged)
                } else {
                    process(&merged, &options.metric_relabel)
                };
                let Some(labels) = relabeled.filter(|l| !l.is_empty()) else {
                    v.insert(CacheEntry::Dropped { used_iter: iter });
                    return Ok(());
                };
                check_label_limits(&labels, &limits)?;
                self.stats.series_added += 1;
                let labels_hash = labels.hash_xxh64();
                match v.insert(CacheEntry::Series(SeriesEntry {
                    series_ref: 0,
                    labels,
                    labels_hash,
                    used_iter: iter,
                    seen_iter: 0,
                    prev_seen_iter: 0,
                })) {
                    CacheEntry::Series(e) => e,
                    CacheEntry::Dropped { .. } => return Ok(()),
                }
            }
        };
        entry.used_iter = iter;
        self.stats.samples_post_relabel += 1;
        if self.failure.is_some() {
            // Over the sample limit: keep counting for the report, append nothing more.
            return Ok(());
        }
        if limits.sample_limit > 0 && self.stats.samples_post_relabel > limits.sample_limit {
            self.failure =
                Some(Error::SampleLimit { got: self.stats.samples_post_relabel, limit: limits.sample_limit });
            return Ok(());
        }
        let explicit = if options.honor_timestamps { timestamp } else { None };
        let t = explicit.unwrap_or(self.ts);
        let sample = match value {
            Pending::Float(v) => Sample::Float { t, v },
            Pending::Histogram(h) => {
                let hist = options.histograms;
                match native::limit(h, hist.max_schema, hist.bucket_limit) {
                    Ok(NativeSample::Int(h)) => Sample::Histogram { t, h: Arc::new(h) },
                    Ok(NativeSample::Float(h)) => Sample::FloatHistogram { t, h: Arc::new(h) },
                    Err(e) => {
                        // Prometheus keeps parsing so that the report counts every sample.
                        self.bucket_failure.get_or_insert(e);
                        return Ok(());
                    }
                }
            }
        };
        match app.append(entry.series_ref, &entry.labels, sample) {
            Ok(r) => {
                if r != 0 {
                    entry.series_ref = r;
                }
                if explicit.is_none() {
                    SeriesCache::touch(iter, entry);
                }
            }
            Err(vigil_storage::Error::OutOfOrder) => self.stats.out_of_order += 1,
            Err(vigil_storage::Error::DuplicateSample) => self.stats.duplicate_timestamp += 1,
            Err(vigil_storage::Error::OutOfBounds { .. }) => self.stats.out_of_bounds += 1,
            Err(e) => return Err(Error::Storage(e)),
        }
        Ok(())
    }
}

fn update_metadata(
    metadata: &mut BTreeMap<String, MetricMetadata>,
    changed: &mut bool,
    family: &str,
    f: impl FnOnce(&mut MetricMetadata) -> bool,
) {
    if let Some(m) = metadata.get_mut(family) {
        *changed |= f(m);
        return;
    }
    let mut m = MetricMetadata::default();
    f(&mut m);
    metadata.insert(family.to_owned(), m);
    *changed = true;
}

fn set_if_changed(slot: &mut String, value: &str) -> bool {
    if slot == value {
        return false;
    }
    value.clone_into(slot);
    true
}

fn check_label_limits(labels: &Labels, limits: &crate::SampleLimits) -> Result<()> {
    let metric = || labels.metric_name().unwrap_or_default().chars().take(50).collect::<String>();
    if limits.label_limit > 0 && labels.len() > limits.label_limit {
        return Err(Error::LabelLimit(format!(
            "label_limit exceeded (metric: {}, number of labels: {}, limit: {})",
            metric(),
            labels.len(),
            limits.label_limit
        )));
    }
    for l in labels {
        if limits.label_name_length_limit > 0 && l.name.len() > limits.label_name_length_limit {
            return Err(Error::LabelLimit(format!(
                "label_name_length_limit exceeded (metric: {}, label name: {}, length: {}, limit: {})",
                metric(),
                l.name,
                l.name.len(),
                limits.label_name_length_limit
            )));
        }
        if limits.label_value_length_limit > 0 && l.value.len() > limits.label_value_length_limit {
            return Err(Error::LabelLimit(format!(
                "label_value_length_limit exceeded (metric: {}, label name: {}, value length: {}, limit: {})",
                metric(),
                l.name,
                l.value.len(),
                limits.label_value_length_limit
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
