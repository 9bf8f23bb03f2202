//! One series of an intermediate instant vector: a value and a presence flag for every grid step
//! from its first value to its last (its *span*), nothing outside it.
//!
//! Long-lived series span the whole grid and are read as plain slices; short-lived ones (pods
//! that come and go, `count_values` over a changing value, `group_left` with changing labels)
//! hold only the steps they live in. A series thus costs the sample budget its values, or the
//! memory of its span when that is more (see [`Series::cost`]), and a vector of many
//! short-lived series over a long range query is charged about what Prometheus counts.
//!
//! Native histogram values sit beside the floats in a sorted list of `(step, histogram)`
//! ([`Series::hists`]): a step holds a float or a histogram, never both. Float code reads
//! `get`/`points`/`slices` and never sees a histogram, so an operation that does not know
//! histograms leaves them out, as Prometheus' float-only functions do; operations that do
//! know them read [`Series::hist`] and [`Series::hists`] as well.

use std::ops::Range;
use std::sync::Arc;
use vigil_model::{FloatHistogram, Labels};

/// A histogram value at a grid step.
pub(crate) type HStep = (usize, Arc<FloatHistogram>);

#[derive(Debug, Clone)]
pub(crate) struct Series {
    pub labels: Labels,
    /// `__name__` is to be removed at the end of the query.
    pub drop_name: bool,
    /// The first step of the span; `vals[i]` and `has[i]` are step `start + i`.
    start: usize,
    vals: Vec<f64>,
    has: Vec<bool>,
    /// How many of `has` are set.
    present: usize,
    /// Histogram values, sorted by step, at steps without a float value.
    hists: Vec<HStep>,
    /// What `hists` costs the sample budget ([`FloatHistogram::sample_cost`] summed).
    hist_cost: usize,
}

impl Series {
    /// A series without values yet.
    pub fn new(labels: Labels) -> Self {
        Self {
            labels,
            drop_name: false,
            start: 0,
            vals: Vec::new(),
            has: Vec::new(),
            present: 0,
            hists: Vec::new(),
            hist_cost: 0,
        }
    }

    /// A series without values yet whose memory already covers `span`: for producers that
    /// fill most of a known span in order (selectors, range functions, aggregations), and
    /// [`Series::trim`] it afterwards.
    pub fn with_span(labels: Labels, span: Range<usize>) -> Self {
        let n = span.len();
        Self {
            labels,
            drop_name: false,
            start: span.start,
            vals: vec![0.0; n],
            has: vec![false; n],
            ..Self::new(Labels::empty())
        }
    }

    /// A series over steps `0..vals.len()` with a value where `has` is set (`present` of them),
    /// trimmed to its span: for producers that fill dense arrays in their hot loop.
    pub fn from_dense(labels: Labels, vals: Vec<f64>, has: Vec<bool>, present: usize) -> Self {
        debug_assert_eq!(has.iter().filter(|&&h| h).count(), present);
        let mut s = Self { vals, has, present, ..Self::new(labels) };
        s.trim();
        s
    }

    /// A series with a value at every step `0..vals.len()`.
    pub fn full(labels: Labels, vals: Vec<f64>) -> Self {
        let has = vec![true; vals.len()];
        Self { present: vals.len(), vals, has, ..Self::new(labels) }
    }

    /// The steps the series holds (values may still be absent inside).
    #[inline]
    pub fn span(&self) -> Range<usize> {
        self.start..self.start + self.vals.len()
    }

    /// The value at step `k`, if present.
    #[inline]
    pub fn get(&self, k: usize) -> Option<f64> {
        let i = k.checked_sub(self.start)?;
        if *self.has.get(i)? { Some(self.vals[i]) } else { None }
    }

    /// Whether step `k` has a value.
    #[inline]
    pub fn has(&self, k: usize) -> bool {
        k.checked_sub(self.start).and_then(|i| self.has.get(i).copied()).unwrap_or(false)
    }

    /// Sets the value at step `k`, growing the span to it; returns how many steps the memory
    /// held grew by (allocations grow ahead of the span, so this can exceed the new steps).
    #[inline]
    pub fn set(&mut self, k: usize, v: f64) -> usize {
        if let Some(i) = k.checked_sub(self.start)
            && i < self.vals.len()
        {
            self.vals[i] = v;
            self.present += usize::from(!self.has[i]);
            self.has[i] = true;
            return 0;
        }
        let grown = self.cover(k..k + 1);
        let i = k - self.start;
        self.vals[i] = v;
        self.has[i] = true;
        self.present += 1;
        grown
    }

    /// Grows the span to cover `steps`; returns how many steps the memory held grew by.
    fn cover(&mut self, steps: Range<usize>) -> usize {
        let held = self.vals.capacity();
        if self.vals.is_empty() {
            self.start = steps.start;
            self.vals = vec![0.0; steps.len()];
            self.has = vec![false; steps.len()];
            return self.vals.capacity().saturating_sub(held);
        }
        let before = self.vals.len();
        let end = self.start + before;
        if steps.end > end {
            self.vals.resize(before + (steps.end - end), 0.0);
            self.has.resize(before + (steps.end - end), false);
        }
        if steps.start < self.start {
            let d = self.start - steps.start;
            self.vals.splice(0..0, std::iter::repeat_n(0.0, d));
            self.has.splice(0..0, std::iter::repeat_n(false, d));
            self.start = steps.start;
        }
        self.vals.capacity().saturating_sub(held)
    }

    /// The histogram at step `k`, if it has one.
    #[inline]
    pub fn hist(&self, k: usize) -> Option<&Arc<FloatHistogram>> {
        if self.hists.is_empty() {
            return None;
        }
        self.hists.binary_search_by_key(&k, |h| h.0).ok().map(|i| &self.hists[i].1)
    }

    /// The histogram values, sorted by step.
    #[inline]
    pub fn hists(&self) -> &[HStep] {
        &self.hists
    }

    /// Whether the series holds any histogram value.
    #[inline]
    #[allow(dead_code)] // For the histogram-aware operations.
    pub fn has_hists(&self) -> bool {
        !self.hists.is_empty()
    }

    /// Whether step `k` has a value of either kind.
    #[inline]
    pub fn has_any(&self, k: usize) -> bool {
        self.has(k) || self.hist(k).is_some()
    }

    /// Sets the histogram at step `k` (which must have no float value); returns its cost.
    pub fn set_hist(&mut self, k: usize, h: Arc<FloatHistogram>) -> usize {
        let cost = hist_cost(&h);
        match self.hists.last() {
            Some(&(last, _)) if last >= k => match self.hists.binary_search_by_key(&k, |h| h.0) {
                Ok(i) => {
                    self.hist_cost -= hist_cost(&self.hists[i].1);
                    self.hists[i].1 = h;
                }
                Err(i) => self.hists.insert(i, (k, h)),
            },
            _ => self.hists.push((k, h)),
        }
        self.hist_cost += cost;
        cost
    }

    /// Removes every histogram value; returns whether there was one (for annotations of
    /// float-only operations).
    #[allow(dead_code)] // For the histogram-aware operations.
    pub fn clear_hists(&mut self) -> bool {
        self.hist_cost = 0;
        !std::mem::take(&mut self.hists).is_empty()
    }

    /// Takes the histogram values out.
    #[allow(dead_code)] // For the histogram-aware operations.
    pub fn take_hists(&mut self) -> Vec<HStep> {
        self.hist_cost = 0;
        std::mem::take(&mut self.hists)
    }

    /// Replaces every histogram with `f(step, histogram)`, removing it where that is `None`.
    #[allow(dead_code)] // For the histogram-aware operations.
    pub fn filter_map_hists(&mut self, mut f: impl FnMut(usize, &Arc<FloatHistogram>) -> Option<Arc<FloatHistogram>>) {
        let old = self.take_hists();
        for (k, h) in old {
            if let Some(n) = f(k, &h) {
                self.hist_cost += hist_cost(&n);
                self.hists.push((k, n));
            }
        }
    }

    /// The steps with a value, in order, with their values.
    pub fn points(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        let start = self.start;
        self.has.iter().zip(&self.vals).enumerate().filter(|(_, (h, _))| **h).map(move |(i, (_, &v))| (start + i, v))
    }

    /// The span's first step and its values and presence flags, for loops over slices.
    #[inline]
    pub fn slices(&self) -> (usize, &[f64], &[bool]) {
        (self.start, &self.vals, &self.has)
    }

    /// Replaces every present value with `f(step, value)`.
    pub fn map_values(&mut self, mut f: impl FnMut(usize, f64) -> f64) {
        for (i, (v, &h)) in self.vals.iter_mut().zip(&self.has).enumerate() {
            if h {
                *v = f(self.start + i, *v);
            }
        }
    }

    /// Replaces every present value with `f(step, value)`, removing it where that is `None`, and
    /// trims the span.
    pub fn filter_map_values(&mut self, mut f: impl FnMut(usize, f64) -> Option<f64>) {
        for (i, (v, h)) in self.vals.iter_mut().zip(self.has.iter_mut()).enumerate() {
            if *h {
                match f(self.start + i, *v) {
                    Some(x) => *v = x,
                    None => {
                        *h = false;
                        self.present -= 1;
                    }
                }
            }
        }
        self.trim();
    }

    /// Copies every value of `other` in, shifted by `offset` steps; returns whether a step had a
    /// value in both (the value of `other` wins there).
    pub fn merge(&mut self, other: &Series, offset: usize) -> bool {
        let mut clash = false;
        for (k, h) in &other.hists {
            clash |= self.has_any(k + offset);
            self.set_hist(k + offset, h.clone());
        }
        let Some((first, last)) = other.first_last() else { return clash };
        self.cover(first + offset..last + offset + 1);
        for (k, v) in other.points() {
            let i = k + offset - self.start;
            clash |= self.has[i] || self.hist(k + offset).is_some();
            self.present += usize::from(!self.has[i]);
            self.vals[i] = v;
            self.has[i] = true;
        }
        clash
    }

    /// The first and last steps with a value.
    fn first_last(&self) -> Option<(usize, usize)> {
        let first = self.has.iter().position(|&h| h)?;
        let last = self.has.iter().rposition(|&h| h)?;
        Some((self.start + first, self.start + last))
    }

    /// Narrows the span to the first and last values and gives spare memory back.
    pub fn trim(&mut self) {
        match self.first_last() {
            None => {
                self.vals = Vec::new();
                self.has = Vec::new();
                self.start = 0;
            }
            Some((first, last)) => {
                let (lo, hi) = (first - self.start, last - self.start + 1);
                if lo > 0 || hi < self.vals.len() {
                    self.vals.truncate(hi);
                    self.has.truncate(hi);
                    self.vals.drain(..lo);
                    self.has.drain(..lo);
                    self.start = first;
                }
                if self.vals.capacity() > self.vals.len() + self.vals.len() / 8 {
                    self.vals.shrink_to_fit();
                    self.has.shrink_to_fit();
                }
            }
        }
    }

    /// Whether the series has no value of either kind.
    pub fn is_empty(&self) -> bool {
        self.present == 0 && self.hists.is_empty()
    }

    /// Steps with a value of either kind.
    pub fn count(&self) -> usize {
        self.present + self.hists.len()
    }

    /// What the series is charged to the sample budget: its values, as Prometheus counts, and at
    /// least what its span's memory takes ([`span_cost`]), so that a series with two values far
    /// apart is charged for the memory it holds.
    /// Histograms are charged their size, as Prometheus charges them.
    pub fn cost(&self) -> usize {
        self.present.max(span_cost(self.vals.capacity())).saturating_add(self.hist_cost)
    }
}

/// What one histogram value costs the sample budget.
pub(crate) fn hist_cost(h: &FloatHistogram) -> usize {
    usize::try_from(h.sample_cost()).unwrap_or(usize::MAX)
}

/// Bytes one sample of the budget stands for: a timestamp and a value, as Prometheus counts.
pub(crate) const SAMPLE_BYTES: usize = 16;

/// The least a span of `n` steps is charged: a value and a presence flag per step (9 bytes) in
/// samples of [`SAMPLE_BYTES`]. Intermediate vectors thus hold at most
/// `SAMPLE_BYTES × max_samples` bytes however their values are spread.
pub(crate) fn span_cost(n: usize) -> usize {
    n.saturating_mul(9).div_ceil(SAMPLE_BYTES)
}

/// What a vector is charged: [`Series::cost`] summed.
pub(crate) fn vector_cost(v: &[Series]) -> usize {
    v.iter().map(Series::cost).fold(0, usize::saturating_add)
}

/// The steps from the first span's start to the last span's end of `series`.
pub(crate) fn union_span<'a>(series: impl Iterator<Item = &'a Series>) -> Range<usize> {
    series
        .map(Series::span)
        .filter(|r| !r.is_empty())
        .reduce(|a, b| a.start.min(b.start)..a.end.max(b.end))
        .unwrap_or(0..0)
}

/// A set of grid steps over a span, like a [`Series`] without values: which steps some series
/// of a group has a value at (set operators, fill modifiers).
#[derive(Debug, Default)]
pub(crate) struct StepSet {
    start: usize,
    has: Vec<bool>,
}

impl StepSet {
    /// Adds every step where `s` has a value of either kind.
    pub fn add_series(&mut self, s: &Series) {
        if let Some((first, last)) = s.first_last() {
            self.cover(first, last);
            for (k, _) in s.points() {
                self.has[k - self.start] = true;
            }
        }
        if let (Some(first), Some(last)) = (s.hists.first(), s.hists.last()) {
            self.cover(first.0, last.0);
            for (k, _) in &s.hists {
                self.has[k - self.start] = true;
            }
        }
    }

    /// Grows the set's span to cover `first..=last`.
    fn cover(&mut self, first: usize, last: usize) {
        if self.has.is_empty() {
            self.start = first;
        }
        if first < self.start {
            let d = self.start - first;
            self.has.splice(0..0, std::iter::repeat_n(false, d));
            self.start = first;
        }
        if last + 1 > self.start + self.has.len() {
            self.has.resize(last + 1 - self.start, false);
        }
    }

    #[inline]
    pub fn contains(&self, k: usize) -> bool {
        k.checked_sub(self.start).and_then(|i| self.has.get(i).copied()).unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_grows_the_span_both_ways_and_trim_narrows_it() {
        let mut s = Series::new(Labels::empty());
        assert_eq!(s.set(10, 1.0), 1);
        assert!(s.set(12, 2.0) >= 2);
        assert!(s.set(7, 3.0) >= 3);
        assert_eq!(s.span(), 7..13);
        assert_eq!(s.points().collect::<Vec<_>>(), vec![(7, 3.0), (10, 1.0), (12, 2.0)]);
        assert_eq!((s.get(11), s.get(12), s.get(100), s.get(0)), (None, Some(2.0), None, None));
        s.filter_map_values(|k, v| (k == 10).then_some(v));
        assert_eq!(s.span(), 10..11);
        assert_eq!(s.cost(), 1);
    }

    #[test]
    fn the_count_of_values_follows_every_change() {
        let mut s = Series::with_span(Labels::empty(), 0..10);
        assert!(s.is_empty());
        s.set(3, 1.0);
        s.set(3, 2.0);
        s.set(12, 1.0);
        assert_eq!(s.count(), 2);
        let mut other = Series::new(Labels::empty());
        other.set(0, 1.0);
        other.set(3, 1.0);
        s.merge(&other, 0);
        assert_eq!(s.count(), 3);
        s.filter_map_values(|k, v| (k != 3).then_some(v));
        assert_eq!((s.count(), s.points().count()), (2, 2));
        s.filter_map_values(|_, _| None);
        assert!(s.is_empty());
        assert_eq!(s.span(), 0..0);
    }

    #[test]
    fn cost_is_values_or_span_memory() {
        let mut s = Series::new(Labels::empty());
        s.set(0, 1.0);
        s.set(1_599, 1.0);
        assert_eq!(s.count(), 2);
        assert_eq!(s.cost(), 900);
        let full = Series::full(Labels::empty(), vec![1.0; 1_600]);
        assert_eq!(full.cost(), 1_600);
    }

    #[test]
    fn merge_reports_clashes_and_step_sets_hold_only_spans() {
        let mut a = Series::new(Labels::empty());
        a.set(5, 1.0);
        let mut b = Series::new(Labels::empty());
        b.set(1, 2.0);
        assert!(!a.merge(&b, 0));
        assert!(a.merge(&b, 4));
        assert_eq!(a.points().collect::<Vec<_>>(), vec![(1, 2.0), (5, 2.0)]);
        let mut set = StepSet::default();
        set.add_series(&a);
        set.add_series(&b);
        assert!(set.contains(1) && set.contains(5) && !set.contains(2) && !set.contains(6));
        assert_eq!(set.has.len(), 5);
    }
}
