//! Read views: a querier sees every commit that finished before it was opened and nothing of a
//! later one, across all the selects it makes (Prometheus' isolation, in a form that fits the
//! head's commit lock).
//!
//! Every commit takes a sequence number while it holds the visibility lock shared. A view is
//! opened under the same lock held exclusively, when no commit is applying: its number `upto` is
//! the last one handed out, and every commit up to it has finished. While at least one view is
//! open, a commit records for each series it extends `(seq, the series' last time before it)`;
//! samples are appended in time order, so a view cuts each series just after the last time
//! recorded by the oldest commit it must not see. Records are dropped once no open view needs
//! them, and are never made while no view is open: the append path pays nothing then.

use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use vigil_model::Timestamp;

/// What one commit changed in one series: its sequence number and the series' newest sample
/// time before it (`Timestamp::MIN` if it had none).
pub(crate) type CommitMark = (u64, Timestamp);

/// Commit sequence numbers and the views open on them.
#[derive(Debug)]
pub(crate) struct Isolation {
    /// The last sequence number handed to a commit.
    last_seq: AtomicU64,
    /// `upto` of every open view, with how many views share it.
    open: Mutex<BTreeMap<u64, usize>>,
    /// The smallest open `upto`, `u64::MAX` while no view is open.
    low: AtomicU64,
}

impl Default for Isolation {
    fn default() -> Self {
        Self { last_seq: AtomicU64::new(0), open: Mutex::new(BTreeMap::new()), low: AtomicU64::new(u64::MAX) }
    }
}

impl Isolation {
    /// A sequence number for a commit about to apply (caller holds the visibility lock shared),
    /// and whether marks must be recorded for it: only commits that an open view must not see.
    pub fn begin_commit(&self) -> (u64, bool) {
        let seq = self.last_seq.fetch_add(1, Ordering::AcqRel) + 1;
        (seq, self.low.load(Ordering::Acquire) != u64::MAX)
    }

    /// Opens a view on every finished commit. The caller holds the visibility lock exclusively.
    pub fn open_view(&self) -> u64 {
        let upto = self.last_seq.load(Ordering::Acquire);
        let mut open = self.open.lock();
        *open.entry(upto).or_insert(0) += 1;
        self.low.store(open.keys().next().copied().unwrap_or(u64::MAX), Ordering::Release);
        upto
    }

    /// Closes a view opened by [`Self::open_view`].
    pub fn close_view(&self, upto: u64) {
        let mut open = self.open.lock();
        if let Some(n) = open.get_mut(&upto) {
            *n -= 1;
            if *n == 0 {
                open.remove(&upto);
            }
        }
        self.low.store(open.keys().next().copied().unwrap_or(u64::MAX), Ordering::Release);
    }

    /// The oldest open view's `upto`; marks of commits at or below it are no longer needed.
    pub fn low(&self) -> u64 {
        self.low.load(Ordering::Acquire)
    }
}

/// Adds the mark of commit `seq` to one series' marks, first dropping those no open view needs.
/// One mark per commit: a commit extending a series by several samples records its first.
pub(crate) fn record(marks: &mut Vec<CommitMark>, seq: u64, before: Timestamp, low: u64) {
    let stale = marks.iter().take_while(|m| m.0 <= low).count();
    marks.drain(..stale);
    if marks.last().is_none_or(|m| m.0 != seq) {
        marks.push((seq, before));
    }
}

/// The newest time view `upto` may see of a series with `marks`: everything (`None`) unless a
/// commit after the view touched it.
pub(crate) fn visible_until(marks: &[CommitMark], upto: u64) -> Option<Timestamp> {
    marks.iter().find(|m| m.0 > upto).map(|m| m.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_cut_at_the_first_commit_a_view_must_not_see() {
        let iso = Isolation::default();
        assert_eq!(iso.begin_commit(), (1, false), "no view open: nothing recorded");
        let v1 = iso.open_view();
        assert_eq!(v1, 1);
        let mut marks = Vec::new();
        let (seq2, track) = iso.begin_commit();
        assert!(track);
        record(&mut marks, seq2, 100, iso.low());
        record(&mut marks, seq2, 110, iso.low());
        let v2 = iso.open_view();
        let (seq3, _) = iso.begin_commit();
        record(&mut marks, seq3, 120, iso.low());
        assert_eq!(marks, vec![(2, 100), (3, 120)]);
        assert_eq!(visible_until(&marks, v1), Some(100));
        assert_eq!(visible_until(&marks, v2), Some(120));
        assert_eq!(visible_until(&marks, seq3), None);
        iso.close_view(v1);
        assert_eq!(iso.low(), v2);
        // The next record drops the mark only the closed view needed.
        let (seq4, _) = iso.begin_commit();
        record(&mut marks, seq4, 130, iso.low());
        assert_eq!(marks, vec![(3, 120), (4, 130)]);
        iso.close_view(v2);
        assert_eq!(iso.low(), u64::MAX);
        assert!(!iso.begin_commit().1);
    }
}
