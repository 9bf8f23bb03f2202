//! Building and trimming [`RangeSeries`]: the raw samples of a range vector, with the start
//! timestamps the storage returned kept in step with the samples they belong to.

use super::RangeSeries;
use vigil_model::{Labels, Timestamp, is_stale_nan};
use vigil_storage::Samples;

impl RangeSeries {
    /// The series of `samples` as decoded; start-timestamp arrays that do not match their
    /// samples' length (a storage without them) become empty.
    pub(crate) fn from_samples(labels: Labels, drop_name: bool, samples: Samples) -> Self {
        let Samples { timestamps, values, histograms, mut start_timestamps, mut histogram_start_timestamps } = samples;
        if start_timestamps.len() != timestamps.len() {
            start_timestamps.clear();
        }
        if histogram_start_timestamps.len() != histograms.len() {
            histogram_start_timestamps.clear();
        }
        Self {
            labels,
            drop_name,
            ts: timestamps,
            vals: values,
            hists: histograms,
            sts: start_timestamps,
            hsts: histogram_start_timestamps,
        }
    }

    /// Gives the arrays back as [`Samples`] (emptied) so their allocations can be reused.
    pub(crate) fn into_buffers(mut self) -> Samples {
        self.ts.clear();
        self.vals.clear();
        self.hists.clear();
        self.sts.clear();
        self.hsts.clear();
        Samples {
            timestamps: self.ts,
            values: self.vals,
            histograms: self.hists,
            start_timestamps: self.sts,
            histogram_start_timestamps: self.hsts,
        }
    }

    /// Whether any sample carries a start timestamp.
    pub(crate) fn has_starts(&self) -> bool {
        !self.sts.is_empty() || !self.hsts.is_empty()
    }

    /// Removes stale markers and stale histograms in place, keeping order.
    pub(crate) fn drop_stale(&mut self) {
        if self.hists.iter().any(|(_, h)| h.is_stale()) {
            let keep: Vec<bool> = self.hists.iter().map(|(_, h)| !h.is_stale()).collect();
            if !self.hsts.is_empty() {
                let mut i = 0;
                self.hsts.retain(|_| {
                    i += 1;
                    keep[i - 1]
                });
            }
            self.hists.retain(|(_, h)| !h.is_stale());
        }
        let Some(first) = self.vals.iter().position(|&v| is_stale_nan(v)) else { return };
        let with_starts = !self.sts.is_empty();
        let mut w = first;
        for r in first + 1..self.vals.len() {
            if !is_stale_nan(self.vals[r]) {
                self.ts[w] = self.ts[r];
                self.vals[w] = self.vals[r];
                if with_starts {
                    self.sts[w] = self.sts[r];
                }
                w += 1;
            }
        }
        self.ts.truncate(w);
        self.vals.truncate(w);
        if with_starts {
            self.sts.truncate(w);
        }
    }

    /// The samples in `(start, end]` only.
    pub(crate) fn retain_window(&mut self, start: Timestamp, end: Timestamp) {
        let lo = self.ts.partition_point(|&t| t <= start);
        let hi = self.ts.partition_point(|&t| t <= end);
        let hlo = self.hists.partition_point(|h| h.0 <= start);
        let hhi = self.hists.partition_point(|h| h.0 <= end);
        self.ts = self.ts[lo..hi].to_vec();
        self.vals = self.vals[lo..hi].to_vec();
        self.hists = self.hists[hlo..hhi].to_vec();
        if !self.sts.is_empty() {
            self.sts = self.sts[lo..hi].to_vec();
        }
        if !self.hsts.is_empty() {
            self.hsts = self.hsts[hlo..hhi].to_vec();
        }
    }
}
