//! The querier: matchers → postings → series copied out of the head and decoded.

use super::Db;
use crate::head::{Head, ReadLimits, ReadView};
use vigil_model::{Matcher, Timestamp};
use vigil_storage::{Cancel, Error, LabelHints, LazySeries, Querier, Queryable, Result, SelectHints, SeriesSet};

/// A querier over `[mint, maxt]`. All its selects read through one view of the head: every
/// commit that finished before the querier was created, nothing of a later one.
struct DbQuerier<'a> {
    head: &'a Head,
    view: ReadView,
    mint: Timestamp,
    maxt: Timestamp,
}

impl Queryable for Db {
    fn querier(&self, mint: Timestamp, maxt: Timestamp) -> Result<Box<dyn Querier + '_>> {
        let head = &self.inner.head;
        Ok(Box::new(DbQuerier { head, view: head.open_view(), mint, maxt }))
    }
}

impl Drop for DbQuerier<'_> {
    fn drop(&mut self) {
        self.head.close_view(self.view);
    }
}

impl DbQuerier<'_> {
    /// The series label queries look at: those matching `matchers` with committed samples in the
    /// range, judged from each series' min/max time (no chunk is read). Series without samples,
    /// such as those created by a rolled-back appender, are left out, so the index alone is not
    /// enough even when the range covers the whole head.
    fn scope(&self, matchers: &[Matcher], cancel: &Cancel) -> Result<Vec<u32>> {
        Ok(self.head.matching_with_data_in(matchers, self.mint, self.maxt, Some(self.view), cancel)?)
    }
}

impl DbQuerier<'_> {
    /// The time range and read limits of a select, after refusing matchers that match everything.
    fn read_limits<'h>(
        &'h self,
        hints: &'h SelectHints,
        matchers: &[Matcher],
    ) -> Result<(Timestamp, Timestamp, ReadLimits<'h>)> {
        if !matchers.is_empty() && matchers.iter().all(Matcher::matches_empty) {
            return Err(Error::EmptyMatchers);
        }
        let mint = hints.start.map_or(self.mint, |s| s.max(self.mint));
        let maxt = hints.end.map_or(self.maxt, |e| e.min(self.maxt));
        let read = ReadLimits {
            view: Some(self.view),
            budget: &hints.budget,
            cancel: &hints.cancel,
            decoded: &self.head.counters.chunks_decoded,
        };
        Ok((mint, maxt, read))
    }
}

impl Querier for DbQuerier<'_> {
    fn select(&self, hints: &SelectHints, matchers: &[Matcher]) -> Result<SeriesSet> {
        let (mint, maxt, read) = self.read_limits(hints, matchers)?;
        Ok(self.head.select(matchers, mint, maxt, hints.labels_only, hints.limit, &read)?)
    }

    fn select_lazy<'q>(&'q self, hints: &SelectHints, matchers: &[Matcher]) -> Result<Vec<LazySeries<'q>>> {
        let (mint, maxt, read) = self.read_limits(hints, matchers)?;
        Ok(self.head.select_lazy(matchers, mint, maxt, &read)?)
    }

    fn label_names(&self, hints: &LabelHints, matchers: &[Matcher]) -> Result<Vec<String>> {
        let ids = self.scope(matchers, &hints.cancel)?;
        Ok(hints.cut(self.head.label_names(Some(&ids), &hints.cancel)?))
    }

    fn label_values(&self, hints: &LabelHints, name: &str, matchers: &[Matcher]) -> Result<Vec<String>> {
        let ids = self.scope(matchers, &hints.cancel)?;
        Ok(hints.cut(self.head.label_values(name, Some(&ids), &hints.cancel)?))
    }
}
