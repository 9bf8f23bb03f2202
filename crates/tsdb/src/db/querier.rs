//! The querier: matchers → postings → series copied out of the head and decoded.

use super::Db;
use crate::head::{Head, ReadLimits};
use vigil_model::{Matcher, Timestamp};
use vigil_storage::{Error, Querier, Queryable, Result, SelectHints, SeriesSet};

/// A querier over `[mint, maxt]`. It reads the live head, so it also sees samples committed after
/// it was created (allowed by the contract).
struct DbQuerier<'a> {
    head: &'a Head,
    mint: Timestamp,
    maxt: Timestamp,
}

impl Queryable for Db {
    fn querier(&self, mint: Timestamp, maxt: Timestamp) -> Result<Box<dyn Querier + '_>> {
        Ok(Box::new(DbQuerier { head: &self.inner.head, mint, maxt }))
    }
}

impl DbQuerier<'_> {
    /// The series label queries look at: those matching `matchers` with committed samples in the
    /// range, judged from each series' min/max time (no chunk is read). Series without samples,
    /// such as those created by a rolled-back appender, are left out, so the index alone is not
    /// enough even when the range covers the whole head.
    fn scope(&self, matchers: &[Matcher]) -> Option<Vec<u32>> {
        Some(self.head.matching_with_data_in(matchers, self.mint, self.maxt))
    }
}

impl Querier for DbQuerier<'_> {
    fn select(&self, hints: &SelectHints, matchers: &[Matcher]) -> Result<SeriesSet> {
        if !matchers.is_empty() && matchers.iter().all(Matcher::matches_empty) {
            return Err(Error::EmptyMatchers);
        }
        let mint = hints.start.map_or(self.mint, |s| s.max(self.mint));
        let maxt = hints.end.map_or(self.maxt, |e| e.min(self.maxt));
        let read =
            ReadLimits { budget: &hints.budget, cancel: &hints.cancel, decoded: &self.head.counters.chunks_decoded };
        Ok(self.head.select(matchers, mint, maxt, hints.labels_only, hints.limit, &read)?)
    }

    fn label_names(&self, matchers: &[Matcher]) -> Result<Vec<String>> {
        Ok(match self.scope(matchers) {
            None => self.head.label_names(None),
            Some(ids) => self.head.label_names(Some(&ids)),
        })
    }

    fn label_values(&self, name: &str, matchers: &[Matcher]) -> Result<Vec<String>> {
        Ok(match self.scope(matchers) {
            None => self.head.label_values(name, None),
            Some(ids) => self.head.label_values(name, Some(&ids)),
        })
    }
}
