//! Query limits shared by every series of one query: a sample budget and a cancellation token.
//!
//! Both are cheap to clone (`Arc`) and checked per chunk by storage implementations, so a query
//! over `max_samples` stops before the offending chunk is decoded into memory, and a cancelled or
//! timed-out query stops within one chunk.

use crate::{Error, Result};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

/// How many samples a query may still load. Shared by all series and threads of one query.
#[derive(Debug, Clone, Default)]
pub struct SampleBudget {
    /// `None` means unlimited.
    remaining: Option<Arc<AtomicU64>>,
}

impl SampleBudget {
    /// A budget of `max` samples.
    pub fn new(max: u64) -> Self {
        Self { remaining: Some(Arc::new(AtomicU64::new(max))) }
    }

    /// A budget that never runs out.
    pub fn unlimited() -> Self {
        Self::default()
    }

    /// Reserves `n` samples, or fails without reserving anything when fewer are left. Callers
    /// charge a chunk by its header's sample count before decoding it.
    pub fn try_take(&self, n: u64) -> Result<()> {
        let Some(remaining) = &self.remaining else { return Ok(()) };
        remaining
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| left.checked_sub(n))
            .map(|_| ())
            .map_err(|_| Error::TooManySamples)
    }

    /// Samples still available (`u64::MAX` when unlimited).
    pub fn remaining(&self) -> u64 {
        self.remaining.as_ref().map_or(u64::MAX, |r| r.load(Ordering::Acquire))
    }

    /// Returns `n` samples taken earlier that are no longer held.
    pub fn give_back(&self, n: u64) {
        if let Some(remaining) = &self.remaining {
            remaining.fetch_add(n, Ordering::AcqRel);
        }
    }
}

/// The budget charge of one decoded chunk buffer that is reused: charging a new chunk returns the
/// previous one's samples first, and dropping the holder returns the last. A lazy series thus
/// holds at most one chunk of the budget at any time, so a query walking series one at a time
/// is limited by what it holds (as Prometheus counts `max_samples`), not by what it has read.
#[derive(Debug, Default)]
pub struct HeldChunk {
    budget: SampleBudget,
    held: u64,
}

impl HeldChunk {
    /// A holder charging `budget`.
    pub fn new(budget: SampleBudget) -> Self {
        Self { budget, held: 0 }
    }

    /// Releases the chunk held now and reserves `n` samples for the next, or fails (holding
    /// nothing) when the budget cannot cover them.
    pub fn replace(&mut self, n: u64) -> Result<()> {
        self.budget.give_back(std::mem::take(&mut self.held));
        self.budget.try_take(n)?;
        self.held = n;
        Ok(())
    }
}

impl Drop for HeldChunk {
    fn drop(&mut self) {
        self.budget.give_back(self.held);
    }
}

/// Cancellation of one query: an external flag (e.g. the HTTP client went away) and a deadline.
#[derive(Debug, Clone, Default)]
pub struct Cancel {
    flag: Option<Arc<AtomicBool>>,
    deadline: Option<Instant>,
}

impl Cancel {
    /// Never cancelled.
    pub fn never() -> Self {
        Self::default()
    }

    /// Cancelled when `flag` becomes true or `deadline` passes, whichever comes first.
    pub fn new(flag: Option<Arc<AtomicBool>>, deadline: Option<Instant>) -> Self {
        Self { flag, deadline }
    }

    /// `Err(Error::Cancelled)` once the query should stop.
    pub fn check(&self) -> Result<()> {
        let flagged = self.flag.as_ref().is_some_and(|f| f.load(Ordering::Relaxed));
        // Reading the clock per chunk (a few hundred samples) is cheap relative to decoding.
        let expired = self.deadline.is_some_and(|d| Instant::now() >= d);
        if flagged || expired { Err(Error::Cancelled) } else { Ok(()) }
    }
}

/// Walks over series or postings check their [`Cancel`] once per this many units of work.
const CANCEL_EVERY: usize = 1024;

/// Counts the work of a walk (series or postings visited) and checks a [`Cancel`] at its first
/// unit and once per 1,024 after: often enough to stop within microseconds, rarely enough that
/// reading the clock costs nothing.
#[derive(Debug)]
pub struct CancelEvery<'a> {
    cancel: &'a Cancel,
    /// Units left before the next check.
    due: usize,
}

impl<'a> CancelEvery<'a> {
    /// A counter checking `cancel`.
    pub fn new(cancel: &'a Cancel) -> Self {
        Self { cancel, due: 0 }
    }

    /// Records `n` more units of work; fails with [`Error::Cancelled`] when a check is due and
    /// the token has fired.
    pub fn tick(&mut self, n: usize) -> Result<()> {
        if n < self.due {
            self.due -= n;
            return Ok(());
        }
        self.due = CANCEL_EVERY;
        self.cancel.check()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_is_shared_and_all_or_nothing() {
        let b = SampleBudget::new(10);
        let c = b.clone();
        assert!(b.try_take(6).is_ok());
        assert!(matches!(c.try_take(5), Err(Error::TooManySamples)));
        assert_eq!(b.remaining(), 4);
        assert!(c.try_take(4).is_ok());
        assert!(SampleBudget::unlimited().try_take(u64::MAX).is_ok());
    }

    #[test]
    fn a_held_chunk_returns_its_samples_when_replaced_or_dropped() {
        let b = SampleBudget::new(10);
        let mut first = HeldChunk::new(b.clone());
        first.replace(8).unwrap();
        assert_eq!(b.remaining(), 2);
        // Replacing gives the 8 back before taking 9.
        first.replace(9).unwrap();
        assert_eq!(b.remaining(), 1);
        let mut second = HeldChunk::new(b.clone());
        assert!(matches!(second.replace(2), Err(Error::TooManySamples)));
        drop(first);
        assert_eq!(b.remaining(), 10);
        second.replace(10).unwrap();
        assert!(matches!(second.replace(11), Err(Error::TooManySamples)));
        // A failed replace holds nothing.
        assert_eq!(b.remaining(), 10);
    }

    #[test]
    fn cancel_by_flag_and_deadline() {
        let flag = Arc::new(AtomicBool::new(false));
        let c = Cancel::new(Some(flag.clone()), None);
        assert!(c.check().is_ok());
        flag.store(true, Ordering::Relaxed);
        assert!(matches!(c.check(), Err(Error::Cancelled)));
        assert!(matches!(Cancel::new(None, Some(Instant::now())).check(), Err(Error::Cancelled)));
        assert!(Cancel::never().check().is_ok());
    }
}
