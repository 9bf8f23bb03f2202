//! Merging several sources' iterators of one series, resolving overlaps by timestamp.

use super::{Point, SampleIterator, SampleValue};
use crate::Result;
use vigil_model::Timestamp;

type Value = (Timestamp, SampleValue);

/// Merges iterators of the same series from several sources (head, blocks, remote read).
///
/// Output is strictly increasing in time. When sources overlap, a timestamp present in more than
/// one source is yielded once, with the value of the earliest source in the list, so callers pass
/// sources in priority order (e.g. the head before older blocks). The number of sources is small,
/// so a linear scan over their heads beats a heap. Sources are walked value-typed, so a histogram
/// sample of a higher-priority source hides a float of a lower one at the same timestamp.
pub struct MergeIterator {
    sources: Vec<Box<dyn SampleIterator>>,
    /// The pending sample of each source; `None` once that source is exhausted.
    heads: Vec<Option<Value>>,
    started: bool,
}

impl MergeIterator {
    /// Merges `sources`, highest priority first.
    pub fn new(sources: Vec<Box<dyn SampleIterator>>) -> Self {
        let heads = vec![None; sources.len()];
        Self { sources, heads, started: false }
    }

    fn fill(&mut self) -> Result<()> {
        if !self.started {
            self.started = true;
            for (src, head) in self.sources.iter_mut().zip(self.heads.iter_mut()) {
                *head = src.next_value()?;
            }
        }
        Ok(())
    }

    /// Takes the smallest pending timestamp and advances every source that has it.
    fn pop(&mut self) -> Result<Option<Value>> {
        let mut best: Option<&Value> = None;
        for p in self.heads.iter().flatten() {
            // Strict `<` keeps the first source on ties: that is the dedup rule.
            if best.is_none_or(|b| p.0 < b.0) {
                best = Some(p);
            }
        }
        let Some(out) = best.cloned() else { return Ok(None) };
        for (src, head) in self.sources.iter_mut().zip(self.heads.iter_mut()) {
            if head.as_ref().is_some_and(|p| p.0 == out.0) {
                *head = src.next_value()?;
            }
        }
        Ok(Some(out))
    }
}

impl SampleIterator for MergeIterator {
    fn next(&mut self) -> Result<Option<Point>> {
        while let Some((t, v)) = self.next_value()? {
            if let SampleValue::Float(v) = v {
                return Ok(Some((t, v)));
            }
        }
        Ok(None)
    }

    fn seek(&mut self, t: Timestamp) -> Result<Option<Point>> {
        match self.seek_value(t)? {
            Some((t, SampleValue::Float(v))) => Ok(Some((t, v))),
            Some(_) => self.next(),
            None => Ok(None),
        }
    }

    fn next_value(&mut self) -> Result<Option<Value>> {
        self.fill()?;
        self.pop()
    }

    fn seek_value(&mut self, t: Timestamp) -> Result<Option<Value>> {
        let fresh = !self.started;
        self.started = true;
        for (src, head) in self.sources.iter_mut().zip(self.heads.iter_mut()) {
            // Unprimed sources seek; primed ones seek only if their pending sample is before `t`
            // (an exhausted source stays exhausted).
            if fresh || head.as_ref().is_some_and(|p| p.0 < t) {
                *head = src.seek_value(t)?;
            }
        }
        self.pop()
    }
}
