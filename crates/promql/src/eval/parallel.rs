//! Spreading per-series work over rayon's pool when there is enough of it. Results keep the input
//! order, so queries give the same answer whatever the number of threads.

use crate::{Error, Result};
use rayon::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// The query's timeout and cancellation flag, checkable from worker threads.
#[derive(Debug, Clone)]
pub(crate) struct Interrupt {
    pub deadline: Instant,
    pub cancel: Option<Arc<AtomicBool>>,
}

impl Interrupt {
    /// Fails if the query was cancelled or ran out of time.
    pub fn check(&self, what: &'static str) -> Result<()> {
        if self.cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(Error::Canceled(what));
        }
        if Instant::now() > self.deadline {
            return Err(Error::Timeout(what));
        }
        Ok(())
    }
}

/// Work, in samples or cells touched, below which a second thread costs more than it saves.
const MIN_PARALLEL_WORK: usize = 100_000;

/// `f` over every item, in parallel when `work` is large; `init` makes per-thread scratch space.
/// The first error in input order wins.
pub(crate) fn map_ordered<T, R, S>(
    items: &[T],
    work: usize,
    init: impl Fn() -> S + Sync + Send,
    f: impl Fn(&mut S, &T) -> Result<R> + Sync + Send,
) -> Result<Vec<R>>
where
    T: Sync,
    R: Send,
{
    if work < MIN_PARALLEL_WORK || items.len() < 2 || rayon::current_num_threads() < 2 {
        let mut scratch = init();
        return items.iter().map(|it| f(&mut scratch, it)).collect();
    }
    items.par_iter().with_min_len(4).map_init(init, |s, it| f(s, it)).collect()
}

/// Like [`map_ordered`], for work that consumes its items (lazy series, iterators).
pub(crate) fn map_owned<T, R, S>(
    items: Vec<T>,
    work: usize,
    init: impl Fn() -> S + Sync + Send,
    f: impl Fn(&mut S, T) -> Result<R> + Sync + Send,
) -> Result<Vec<R>>
where
    T: Send,
    R: Send,
{
    if work < MIN_PARALLEL_WORK || items.len() < 2 || rayon::current_num_threads() < 2 {
        let mut scratch = init();
        return items.into_iter().map(|it| f(&mut scratch, it)).collect();
    }
    items.into_par_iter().with_min_len(4).map_init(init, |s, it| f(s, it)).collect()
}

/// How many steps each part of a grid of `n` steps gets: all of them when `work` is too small to
/// share.
pub(crate) fn steps_per_part(n: usize, work: usize) -> usize {
    let threads = rayon::current_num_threads();
    if work < MIN_PARALLEL_WORK || n < 64 || threads < 2 {
        return n.max(1);
    }
    n.div_ceil(threads.min(n / 32).max(1))
}

/// Runs `f` on every part, in parallel when there are several.
pub(crate) fn for_parts<P: Send>(parts: Vec<P>, f: impl Fn(P) + Sync + Send) {
    if parts.len() < 2 {
        parts.into_iter().for_each(f);
    } else {
        parts.into_par_iter().for_each(f);
    }
}
