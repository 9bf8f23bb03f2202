//! Custom-bucket reconciliation: Prometheus 3 adds and subtracts custom-bucket histograms whose
//! bounds differ by first mapping both onto the bounds they share (each bucket goes to the first
//! shared bound at or above its own upper bound, or to the `+Inf` bucket), and reports that it
//! did so (an info annotation in PromQL).

use super::FloatHistogram;
use crate::Result;

impl FloatHistogram {
    /// `self + other`, reconciling different custom bounds first; also returns whether it had
    /// to. Exponential and custom schemas still do not combine (an error, as [`Self::add`]).
    pub fn add_reconciling(&self, other: &Self) -> Result<(Self, bool)> {
        match reconciled(self, other) {
            Some((a, b)) => Ok((a.add(&b)?, true)),
            None => Ok((self.add(other)?, false)),
        }
    }

    /// `self - other`, reconciling different custom bounds first, as [`Self::add_reconciling`].
    pub fn sub_reconciling(&self, other: &Self) -> Result<(Self, bool)> {
        match reconciled(self, other) {
            Some((a, b)) => Ok((a.sub(&b)?, true)),
            None => Ok((self.sub(other)?, false)),
        }
    }

    /// The same observations over `bounds`, which must be a subset of this histogram's custom
    /// bounds: buckets merge into the first bound at or above their upper bound, or into the
    /// `+Inf` bucket; empty buckets are left out. Only for custom-bucket histograms (an
    /// exponential histogram is returned unchanged).
    pub fn onto_custom_bounds(&self, bounds: &[f64]) -> Self {
        if !self.uses_custom_buckets() {
            return self.clone();
        }
        let mut out: Vec<(i32, f64)> = Vec::new();
        let mut target = 0usize;
        for (i, c) in self.positive_pairs() {
            let upper = usize::try_from(i).ok().and_then(|i| self.custom_values.get(i)).copied();
            let j = match upper {
                // Indexes only grow, and so do their bounds: the search resumes where it was.
                Some(u) => {
                    while target < bounds.len() && bounds[target] < u {
                        target += 1;
                    }
                    target
                }
                None => bounds.len(),
            };
            let j = i32::try_from(j).unwrap_or(i32::MAX);
            match out.last_mut() {
                Some((last, sum)) if *last == j => *sum += c,
                _ => out.push((j, c)),
            }
        }
        out.retain(|&(_, c)| c != 0.0);
        let mut h = Self { custom_values: bounds.to_vec(), ..self.clone() };
        h.set_pairs(&out, &[]);
        h
    }
}

/// Both operands mapped onto their shared custom bounds, when both use custom buckets with
/// different bounds; `None` when no reconciliation applies.
fn reconciled(a: &FloatHistogram, b: &FloatHistogram) -> Option<(FloatHistogram, FloatHistogram)> {
    if !a.uses_custom_buckets() || !b.uses_custom_buckets() || a.custom_values == b.custom_values {
        return None;
    }
    let shared = shared_bounds(&a.custom_values, &b.custom_values);
    Some((a.onto_custom_bounds(&shared), b.onto_custom_bounds(&shared)))
}

/// The bounds present in both sorted lists.
pub(crate) fn shared_bounds(a: &[f64], b: &[f64]) -> Vec<f64> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push(a[i]);
            i += 1;
            j += 1;
        } else if a[i] < b[j] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}
