//! A simple in-memory storage for tests and the PromQL test runner. Not for production: linear
//! scans, no WAL, no limits.
//!
//! Native histograms are validated on append and stored as float histograms (what queries
//! return). A float stale marker appended to a series whose previous sample is a histogram is
//! stored as a stale histogram, as Prometheus' head does.

use crate::{Appendable, Appender, Error, LabelHints, Querier, Queryable, Result, SelectHints, SeriesRef, SeriesSet};
use crate::{CancelEvery, SampleValue, Samples, Series};
use parking_lot::RwLock;
use std::collections::BTreeMap;
use std::sync::Arc;
use vigil_model::{FloatHistogram, Labels, Matcher, Sample, Timestamp, is_stale_nan};

/// In-memory storage: a sorted map from labels to samples behind one lock.
#[derive(Debug, Clone, Default)]
pub struct MemStorage {
    inner: Arc<RwLock<BTreeMap<Labels, Samples>>>,
}

impl MemStorage {
    /// An empty storage.
    pub fn new() -> Self {
        Self::default()
    }

    /// Removes every series.
    pub fn clear(&self) {
        self.inner.write().clear();
    }
}

struct MemAppender<'a> {
    db: &'a MemStorage,
    /// Labels, time, value and start timestamp of each appended sample.
    pending: Vec<(Labels, Timestamp, SampleValue, Timestamp)>,
}

impl Appendable for MemStorage {
    fn appender(&self) -> Box<dyn Appender + '_> {
        Box::new(MemAppender { db: self, pending: Vec::new() })
    }
}

impl Appender for MemAppender<'_> {
    fn append(&mut self, series_ref: SeriesRef, labels: &Labels, sample: Sample) -> Result<SeriesRef> {
        self.append_with_start(series_ref, labels, sample, 0)
    }

    fn append_with_start(
        &mut self,
        _series_ref: SeriesRef,
        labels: &Labels,
        sample: Sample,
        start: Timestamp,
    ) -> Result<SeriesRef> {
        if labels.is_empty() {
            return Err(Error::InvalidLabels("empty label set".into()));
        }
        let (t, value) = match sample {
            Sample::Float { t, v } => (t, SampleValue::Float(v)),
            Sample::Histogram { t, h } => {
                h.validate().map_err(|e| Error::InvalidSample(e.to_string()))?;
                (t, SampleValue::Histogram(Arc::new(h.to_float())))
            }
            Sample::FloatHistogram { t, h } => {
                h.validate().map_err(|e| Error::InvalidSample(e.to_string()))?;
                (t, SampleValue::Histogram(h))
            }
            _ => return Err(Error::Unsupported("sample kind")),
        };
        self.pending.push((labels.clone(), t, value, start));
        Ok(0)
    }

    fn commit(self: Box<Self>) -> Result<()> {
        let mut map = self.db.inner.write();
        for (labels, t, value, start) in self.pending {
            put(map.entry(labels).or_default(), t, value, start);
        }
        Ok(())
    }

    fn rollback(self: Box<Self>) -> Result<()> {
        Ok(())
    }
}

/// Stores `value` (started at `start`) at `t`, replacing a sample of either kind there (test
/// loads may overwrite) and keeping the arrays in time order. Stored series always carry start
/// timestamps (`0` = unknown); [`MemQuerier::select`] leaves them out where all are `0`.
fn put(s: &mut Samples, t: Timestamp, value: SampleValue, start: Timestamp) {
    if let Ok(i) = s.timestamps.binary_search(&t) {
        s.timestamps.remove(i);
        s.values.remove(i);
        s.start_timestamps.remove(i);
    }
    if let Ok(i) = s.histograms.binary_search_by_key(&t, |h| h.0) {
        s.histograms.remove(i);
        s.histogram_start_timestamps.remove(i);
    }
    let value = match value {
        SampleValue::Float(v) if is_stale_nan(v) && previous_is_histogram(s, t) => {
            SampleValue::Histogram(Arc::new(FloatHistogram::stale()))
        }
        other => other,
    };
    match value {
        SampleValue::Float(v) => {
            let i = s.timestamps.partition_point(|&x| x < t);
            s.timestamps.insert(i, t);
            s.values.insert(i, v);
            s.start_timestamps.insert(i, start);
        }
        SampleValue::Histogram(h) => {
            let i = s.histograms.partition_point(|x| x.0 < t);
            s.histograms.insert(i, (t, h));
            s.histogram_start_timestamps.insert(i, start);
        }
    }
}

/// Whether the newest sample before `t` is a histogram.
fn previous_is_histogram(s: &Samples, t: Timestamp) -> bool {
    let f = s.timestamps.partition_point(|&x| x < t);
    let h = s.histograms.partition_point(|x| x.0 < t);
    match (f.checked_sub(1), h.checked_sub(1)) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(f), Some(h)) => s.histograms[h].0 > s.timestamps[f],
    }
}

struct MemQuerier {
    snapshot: Vec<(Labels, Samples)>,
    mint: Timestamp,
    maxt: Timestamp,
}

impl Queryable for MemStorage {
    fn querier(&self, mint: Timestamp, maxt: Timestamp) -> Result<Box<dyn Querier + '_>> {
        let map = self.inner.read();
        let snapshot = map.iter().map(|(l, s)| (l.clone(), s.clone())).collect();
        Ok(Box::new(MemQuerier { snapshot, mint, maxt }))
    }
}

fn matches_all(labels: &Labels, matchers: &[Matcher]) -> bool {
    matchers.iter().all(|m| m.matches(labels.get(&m.name).unwrap_or("")))
}

impl Querier for MemQuerier {
    fn select(&self, hints: &SelectHints, matchers: &[Matcher]) -> Result<SeriesSet> {
        if !matchers.is_empty() && matchers.iter().all(Matcher::matches_empty) {
            return Err(Error::EmptyMatchers);
        }
        let mint = hints.start.unwrap_or(self.mint).max(self.mint);
        let maxt = hints.end.unwrap_or(self.maxt).min(self.maxt);
        let mut out = Vec::new();
        for (labels, samples) in &self.snapshot {
            if !matches_all(labels, matchers) {
                continue;
            }
            let (lo, hi) = window(&samples.timestamps, |&t| t, mint, maxt);
            let (hlo, hhi) = window(&samples.histograms, |h| h.0, mint, maxt);
            if lo >= hi && hlo >= hhi {
                continue;
            }
            let samples = if hints.labels_only {
                Samples::default()
            } else {
                let histograms = &samples.histograms[hlo..hhi];
                // Same contract as the engines: charge, check, then copy.
                let cost = (hi - lo) as u64 + histograms.iter().map(|(_, h)| h.sample_cost()).sum::<u64>();
                hints.budget.try_take(cost)?;
                hints.cancel.check()?;
                Samples {
                    timestamps: samples.timestamps[lo..hi].to_vec(),
                    values: samples.values[lo..hi].to_vec(),
                    histograms: histograms.to_vec(),
                    start_timestamps: known_starts(&samples.start_timestamps[lo..hi]),
                    histogram_start_timestamps: known_starts(&samples.histogram_start_timestamps[hlo..hhi]),
                }
            };
            out.push(Series { labels: labels.clone(), samples });
            if hints.limit > 0 && out.len() >= hints.limit {
                break;
            }
        }
        Ok(out)
    }

    fn label_names(&self, hints: &LabelHints, matchers: &[Matcher]) -> Result<Vec<String>> {
        let mut names = std::collections::BTreeSet::new();
        let mut every = CancelEvery::new(&hints.cancel);
        for (labels, s) in &self.snapshot {
            every.tick(1)?;
            if has_samples_in(s, self.mint, self.maxt) && matches_all(labels, matchers) {
                names.extend(labels.iter().map(|l| l.name.clone()));
            }
        }
        Ok(hints.cut(names.into_iter().collect()))
    }

    fn label_values(&self, hints: &LabelHints, name: &str, matchers: &[Matcher]) -> Result<Vec<String>> {
        let mut values = std::collections::BTreeSet::new();
        let mut every = CancelEvery::new(&hints.cancel);
        for (labels, s) in &self.snapshot {
            every.tick(1)?;
            if has_samples_in(s, self.mint, self.maxt)
                && matches_all(labels, matchers)
                && let Some(v) = labels.get(name)
            {
                values.insert(v.to_owned());
            }
        }
        Ok(hints.cut(values.into_iter().collect()))
    }
}

/// `starts` unless all are unknown (then none, as a storage without start timestamps answers).
fn known_starts(starts: &[Timestamp]) -> Vec<Timestamp> {
    if starts.iter().any(|&st| st != 0) { starts.to_vec() } else { Vec::new() }
}

/// The index range of `items` (sorted by `time`) within `[mint, maxt]`.
fn window<T>(items: &[T], time: impl Fn(&T) -> Timestamp, mint: Timestamp, maxt: Timestamp) -> (usize, usize) {
    (items.partition_point(|x| time(x) < mint), items.partition_point(|x| time(x) <= maxt))
}

fn has_samples_in(s: &Samples, mint: Timestamp, maxt: Timestamp) -> bool {
    let (lo, hi) = window(&s.timestamps, |&t| t, mint, maxt);
    let (hlo, hhi) = window(&s.histograms, |h| h.0, mint, maxt);
    lo < hi || hlo < hhi
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Cancel;
    use std::sync::atomic::AtomicBool;

    #[test]
    fn label_queries_honour_limit_and_cancel() {
        let db = MemStorage::new();
        let mut app = db.appender();
        for job in ["c", "a", "b"] {
            let l = Labels::from_pairs(&[("__name__", "up"), ("job", job), (job, "x")]);
            app.append(0, &l, Sample::Float { t: 10, v: 1.0 }).unwrap();
        }
        app.commit().unwrap();
        let q = db.querier(0, 100).unwrap();
        let all = LabelHints::default();
        assert_eq!(q.label_names(&all, &[]).unwrap(), vec!["__name__", "a", "b", "c", "job"]);
        assert_eq!(q.label_values(&all, "job", &[]).unwrap(), vec!["a", "b", "c"]);
        let two = LabelHints { limit: 2, ..LabelHints::default() };
        assert_eq!(q.label_names(&two, &[]).unwrap(), vec!["__name__", "a"]);
        assert_eq!(q.label_values(&two, "job", &[]).unwrap(), vec!["a", "b"]);
        let cancelled = LabelHints { cancel: Cancel::new(Some(Arc::new(AtomicBool::new(true))), None), limit: 0 };
        assert!(matches!(q.label_names(&cancelled, &[]), Err(Error::Cancelled)));
        assert!(matches!(q.label_values(&cancelled, "job", &[]), Err(Error::Cancelled)));
    }
}

#[cfg(test)]
mod histogram_tests {
    use super::*;
    use crate::SampleBudget;
    use vigil_model::{Histogram, STALE_NAN};

    fn parse(text: &str) -> Arc<FloatHistogram> {
        Arc::new(text.parse().unwrap())
    }

    #[test]
    fn histograms_are_validated_stored_and_charged() {
        let db = MemStorage::new();
        let l = Labels::from_pairs(&[("__name__", "h")]);
        let mut app = db.appender();
        app.append(0, &l, Sample::Float { t: 10, v: 1.0 }).unwrap();
        let int = Histogram {
            count: 3,
            sum: 2.0,
            positive_spans: vec![vigil_model::histogram::Span { offset: 0, length: 2 }],
            positive_buckets: vec![1, 1],
            ..Histogram::default()
        };
        app.append(0, &l, Sample::Histogram { t: 20, h: Arc::new(int) }).unwrap();
        app.append(0, &l, Sample::FloatHistogram { t: 30, h: parse("{{count:1 buckets:[1]}}") }).unwrap();
        let bad = parse("{{count:1 buckets:[2 -1]}}");
        let err = app.append(0, &l, Sample::FloatHistogram { t: 40, h: bad }).unwrap_err();
        assert!(matches!(&err, Error::InvalidSample(m) if m.contains("negative count")), "{err}");
        // A float stale marker after a histogram becomes a stale histogram.
        app.append(0, &l, Sample::Float { t: 50, v: STALE_NAN }).unwrap();
        // A histogram replaces a float at the same timestamp.
        app.append(0, &l, Sample::FloatHistogram { t: 10, h: parse("{{}}") }).unwrap();
        app.commit().unwrap();

        let q = db.querier(0, 100).unwrap();
        let set = q.select(&SelectHints::default(), &[Matcher::equal("__name__", "h")]).unwrap();
        let s = &set[0].samples;
        assert!(s.timestamps.is_empty());
        let times: Vec<i64> = s.histograms.iter().map(|h| h.0).collect();
        assert_eq!(times, vec![10, 20, 30, 50]);
        assert_eq!(s.histograms[1].1.positive_buckets, vec![1.0, 2.0], "integer deltas became absolute counts");
        assert!(s.histograms[3].1.is_stale());
        // (168 + 8 per span and bucket + 8) / 16: 11 when empty, 12 for one span with one or two
        // buckets.
        assert_eq!(s.cost(), 11 + 12 + 12 + 11);
        let tight = SelectHints { budget: SampleBudget::new(45), ..SelectHints::default() };
        assert!(matches!(q.select(&tight, &[Matcher::equal("__name__", "h")]), Err(Error::TooManySamples)));
        let enough = SelectHints { budget: SampleBudget::new(46), ..SelectHints::default() };
        assert!(q.select(&enough, &[Matcher::equal("__name__", "h")]).is_ok());
        let labels_only = SelectHints { labels_only: true, budget: SampleBudget::new(0), ..SelectHints::default() };
        assert_eq!(q.select(&labels_only, &[Matcher::equal("__name__", "h")]).unwrap().len(), 1);
        assert_eq!(q.label_names(&LabelHints::default(), &[]).unwrap(), vec!["__name__"]);
    }
}
