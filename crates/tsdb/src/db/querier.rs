//! The querier: matchers → postings → series copied out of the head and decoded.

use super::Db;
use crate::head::Head;
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
    /// The series label queries look at: those matching `matchers` with samples in the range, or
    /// `None` for every series (no matchers and a range covering all of the head, the fast path
    /// straight from the index).
    fn scope(&self, matchers: &[Matcher]) -> Option<Vec<u32>> {
        let covers = self.head.time_range().is_some_and(|(lo, hi)| self.mint <= lo && hi <= self.maxt);
        if covers && matchers.is_empty() {
            return None;
        }
        let ids = self.head.series_ids(matchers);
        Some(if covers { ids } else { self.head.with_data_in(&ids, self.mint, self.maxt) })
    }
}

impl Querier for DbQuerier<'_> {
    fn select(&self, hints: &SelectHints, matchers: &[Matcher]) -> Result<SeriesSet> {
        if !matchers.is_empty() && matchers.iter().all(Matcher::matches_empty) {
            return Err(Error::EmptyMatchers);
        }
        let mint = hints.start.map_or(self.mint, |s| s.max(self.mint));
        let maxt = hints.end.map_or(self.maxt, |e| e.min(self.maxt));
        let ids = self.head.series_ids(matchers);
        Ok(self.head.select(&ids, mint, maxt, hints.labels_only, hints.limit)?)
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
