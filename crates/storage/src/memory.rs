//! A simple in-memory storage for tests and the PromQL test runner. Not for production: linear
//! scans, no WAL, no limits.

use crate::{Appendable, Appender, Error, LabelHints, Querier, Queryable, Result, SelectHints, SeriesRef, SeriesSet};
use crate::{CancelEvery, Samples, Series};
use parking_lot::RwLock;
use std::collections::BTreeMap;
use std::sync::Arc;
use vigil_model::{Labels, Matcher, Sample, Timestamp};

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
    pending: Vec<(Labels, Timestamp, f64)>,
}

impl Appendable for MemStorage {
    fn appender(&self) -> Box<dyn Appender + '_> {
        Box::new(MemAppender { db: self, pending: Vec::new() })
    }
}

impl Appender for MemAppender<'_> {
    fn append(&mut self, _series_ref: SeriesRef, labels: &Labels, sample: Sample) -> Result<SeriesRef> {
        if labels.is_empty() {
            return Err(Error::InvalidLabels("empty label set".into()));
        }
        match sample {
            Sample::Float { t, v } => self.pending.push((labels.clone(), t, v)),
            _ => return Err(Error::Unsupported("non-float sample")),
        }
        Ok(0)
    }

    fn commit(self: Box<Self>) -> Result<()> {
        let mut map = self.db.inner.write();
        for (labels, t, v) in self.pending {
            let s = map.entry(labels).or_default();
            // Keep time order; replace a sample at the same timestamp (test loads may overwrite).
            match s.timestamps.binary_search(&t) {
                Ok(i) => s.values[i] = v,
                Err(i) => {
                    s.timestamps.insert(i, t);
                    s.values.insert(i, v);
                }
            }
        }
        Ok(())
    }

    fn rollback(self: Box<Self>) -> Result<()> {
        Ok(())
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
            let lo = samples.timestamps.partition_point(|&t| t < mint);
            let hi = samples.timestamps.partition_point(|&t| t <= maxt);
            if lo >= hi {
                continue;
            }
            let samples = if hints.labels_only {
                Samples::default()
            } else {
                // Same contract as the engines: charge, check, then copy.
                hints.budget.try_take((hi - lo) as u64)?;
                hints.cancel.check()?;
                Samples { timestamps: samples.timestamps[lo..hi].to_vec(), values: samples.values[lo..hi].to_vec() }
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

fn has_samples_in(s: &Samples, mint: Timestamp, maxt: Timestamp) -> bool {
    let lo = s.timestamps.partition_point(|&t| t < mint);
    lo < s.timestamps.len() && s.timestamps[lo] <= maxt
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
