//! A test storage that refuses what the TSDB refuses: `MemStorage` (which lets test loads
//! overwrite) plus a check that a sample is newer than its series' newest one, and a count of
//! commits.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use vigil_model::{Labels, Sample};
use vigil_storage::{Appendable, Appender, MemStorage, SeriesRef};

/// `MemStorage` that counts commits and, like the TSDB (and unlike `MemStorage`, which lets test
/// loads overwrite), refuses a sample at or before its series' newest one.
#[derive(Default)]
pub(crate) struct Strict {
    pub db: MemStorage,
    pub commits: AtomicUsize,
    newest: Mutex<HashMap<Labels, i64>>,
}

struct StrictAppender<'a> {
    inner: Box<dyn Appender + 'a>,
    db: &'a Strict,
}

impl Appendable for Strict {
    fn appender(&self) -> Box<dyn Appender + '_> {
        Box::new(StrictAppender { inner: self.db.appender(), db: self })
    }
}

impl Appender for StrictAppender<'_> {
    fn append(&mut self, r: SeriesRef, labels: &Labels, sample: Sample) -> vigil_storage::Result<SeriesRef> {
        let t = sample.timestamp();
        let mut newest = self.db.newest.lock().unwrap();
        match newest.get(labels) {
            Some(&n) if t == n => return Err(vigil_storage::Error::DuplicateSample),
            Some(&n) if t < n => return Err(vigil_storage::Error::OutOfOrder),
            _ => newest.insert(labels.clone(), t),
        };
        self.inner.append(r, labels, sample)
    }
    fn commit(self: Box<Self>) -> vigil_storage::Result<()> {
        self.db.commits.fetch_add(1, Ordering::Relaxed);
        self.inner.commit()
    }
    fn rollback(self: Box<Self>) -> vigil_storage::Result<()> {
        self.inner.rollback()
    }
}
