//! A position in a [`Samples`] buffer that walks its float and histogram arrays together, in
//! time order, for both the float-only and the value-typed iteration.

use super::{Point, SampleValue};
use crate::Samples;
use vigil_model::Timestamp;

/// Indexes of the next float and the next histogram sample. Both always point past everything
/// already yielded by either kind of call, so `next` and `next_value` can be mixed.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Cursor {
    float: usize,
    histogram: usize,
}

impl Cursor {
    /// Whether nothing of either kind is left.
    pub(crate) fn exhausted(&self, s: &Samples) -> bool {
        self.float >= s.timestamps.len() && self.histogram >= s.histograms.len()
    }

    /// Whether no float is left (histograms may be).
    pub(crate) fn floats_exhausted(&self, s: &Samples) -> bool {
        self.float >= s.timestamps.len()
    }

    /// The next float sample; histogram samples before it are passed over.
    pub(crate) fn next_float(&mut self, s: &Samples) -> Option<Point> {
        let t = *s.timestamps.get(self.float)?;
        let v = s.values.get(self.float).copied().unwrap_or(f64::NAN);
        self.float += 1;
        self.histogram += s.histograms.get(self.histogram..).unwrap_or_default().partition_point(|h| h.0 < t);
        Some((t, v))
    }

    /// The next sample of either kind.
    pub(crate) fn next_value(&mut self, s: &Samples) -> Option<(Timestamp, SampleValue)> {
        let ft = s.timestamps.get(self.float).copied();
        let h = s.histograms.get(self.histogram);
        match (ft, h) {
            (Some(t), Some((ht, _))) if t < *ht => self.take_float(s, t),
            (Some(t), None) => self.take_float(s, t),
            (_, Some((ht, h))) => {
                self.histogram += 1;
                Some((*ht, SampleValue::Histogram(h.clone())))
            }
            (None, None) => None,
        }
    }

    fn take_float(&mut self, s: &Samples, t: Timestamp) -> Option<(Timestamp, SampleValue)> {
        let v = s.values.get(self.float).copied().unwrap_or(f64::NAN);
        self.float += 1;
        Some((t, SampleValue::Float(v)))
    }

    /// Moves both positions to the first sample at or after `t` (never backwards).
    pub(crate) fn skip_before(&mut self, s: &Samples, t: Timestamp) {
        self.float += s.timestamps.get(self.float..).unwrap_or_default().partition_point(|&x| x < t);
        self.histogram += s.histograms.get(self.histogram..).unwrap_or_default().partition_point(|h| h.0 < t);
    }
}
