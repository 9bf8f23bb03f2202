//! The querier: matchers → postings → series copied out of the head and the blocks overlapping
//! the range, decoded and merged by labels (`block_read.rs`).

use super::Db;
use super::block_read::{block_series, merge_lazy, merge_select};
use super::blocks::DbBlock;
use crate::head::{Head, ReadLimits, ReadView};
use std::sync::Arc;
use vigil_model::{Matcher, Timestamp};
use vigil_storage::{Cancel, Error, LabelHints, LazySeries, Querier, Queryable, Result, SelectHints, SeriesSet};

/// A querier over `[mint, maxt]`. All its selects read through one view of the head: every
/// commit that finished before the querier was created, nothing of a later one.
struct DbQuerier<'a> {
    head: &'a Head,
    /// The blocks overlapping the range when the querier was made, held so that retention
    /// cannot delete them under it.
    blocks: Vec<Arc<DbBlock>>,
    view: ReadView,
    mint: Timestamp,
    maxt: Timestamp,
}

impl Queryable for Db {
    fn querier(&self, mint: Timestamp, maxt: Timestamp) -> Result<Box<dyn Querier + '_>> {
        let head = &self.inner.head;
        // The view first: a block cut after it was taken would otherwise hide samples that the
        // head no longer returns.
        let view = head.open_view();
        let blocks = self.inner.blocks.overlapping(mint, maxt);
        Ok(Box::new(DbQuerier { head, blocks, view, mint, maxt }))
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
    /// Labels of the block series matching `matchers` with chunks in the querier's range.
    fn block_labels(&self, matchers: &[Matcher], cancel: &Cancel) -> Result<Vec<vigil_model::Labels>> {
        Ok(block_series(&self.blocks, matchers, self.mint, self.maxt, cancel)?.into_keys().collect())
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
        let head = self.head.select(matchers, mint, maxt, hints.labels_only, hints.limit, &read)?;
        if self.blocks.is_empty() {
            return Ok(head);
        }
        let parts = block_series(&self.blocks, matchers, mint, maxt, &hints.cancel)?;
        Ok(merge_select(parts, head, (mint, maxt), hints.labels_only, hints.limit, &hints.budget, &hints.cancel)?)
    }

    fn select_lazy<'q>(&'q self, hints: &SelectHints, matchers: &[Matcher]) -> Result<Vec<LazySeries<'q>>> {
        let (mint, maxt, read) = self.read_limits(hints, matchers)?;
        let head = self.head.select_lazy(matchers, mint, maxt, &read)?;
        if self.blocks.is_empty() {
            return Ok(head);
        }
        let parts = block_series(&self.blocks, matchers, mint, maxt, &hints.cancel)?;
        Ok(merge_lazy(parts, head, (mint, maxt), &hints.budget, &hints.cancel))
    }

    fn label_names(&self, hints: &LabelHints, matchers: &[Matcher]) -> Result<Vec<String>> {
        let ids = self.scope(matchers, &hints.cancel)?;
        let mut names = self.head.label_names(Some(&ids), &hints.cancel)?;
        for labels in self.block_labels(matchers, &hints.cancel)? {
            names.extend(labels.iter().map(|l| l.name.to_string()));
        }
        names.sort();
        names.dedup();
        Ok(hints.cut(names))
    }

    fn label_values(&self, hints: &LabelHints, name: &str, matchers: &[Matcher]) -> Result<Vec<String>> {
        let ids = self.scope(matchers, &hints.cancel)?;
        let mut values = self.head.label_values(name, Some(&ids), &hints.cancel)?;
        for labels in self.block_labels(matchers, &hints.cancel)? {
            values.extend(labels.get(name).filter(|v| !v.is_empty()).map(str::to_owned));
        }
        values.sort();
        values.dedup();
        Ok(hints.cut(values))
    }
}
