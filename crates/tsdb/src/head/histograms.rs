//! Native histogram samples in the head: their verdicts, the chunk cut rules and sealing.
//!
//! Integer histograms stay integer (chunk encoding 2), float ones use encoding 3. Cut rules
//! (Prometheus' head cuts at the same points, `docs/format/chunks.md`): a new chunk starts when
//! the series switches from floats or between the two histogram kinds, when
//! [`HistogramChunk::check`] refuses the sample (a counter reset: header `CounterReset`; a
//! schema or zero-threshold change or a real sample after a stale marker: `Unknown`; entering
//! or leaving gauge mode: the sample's own hint), and at 120 samples, at the 2 h boundary or
//! past [`MAX_HISTOGRAM_CHUNK_BYTES`] (header `NotCounterReset`, `Gauge` in gauge mode). New
//! buckets do not cut: the chunk is recoded with the wider layout.

use super::{Head, MemSeries, Shard, Verdict, split};
use crate::chunk::{HistSample, HistogramChunk, MAX_HISTOGRAM_CHUNK_BYTES};
use vigil_model::Timestamp;
use vigil_model::histogram::CounterResetHint;
use vigil_storage::Error;

/// Whether a histogram at `t` may be added to `s`: out of order and conflicting duplicates are
/// errors; the same histogram again at the same time is accepted and not stored twice.
pub(super) fn verdict(s: &MemSeries, t: Timestamp, h: &HistSample) -> Result<Verdict, Error> {
    match s.last_t() {
        Some(last) if t < last => Err(Error::OutOfOrder),
        Some(last) if t == last => match &s.hist {
            Some(c) if c.last().same_value(h) => Ok(Verdict::Duplicate),
            _ => Err(Error::DuplicateSample),
        },
        _ => Ok(Verdict::Append),
    }
}

impl Head {
    /// Checks a histogram against series `id`'s committed state. `None` if the series does not
    /// exist.
    pub fn check_histogram(&self, id: u32, t: Timestamp, h: &HistSample) -> Option<Result<Verdict, Error>> {
        let (shard_no, local) = split(id);
        let shard = self.shards.get(shard_no)?.lock();
        let s = shard.series.get(local).filter(|s| s.alive())?;
        Some(verdict(s, t, h))
    }

    /// Adds committed histogram samples, like [`Head::append_batch`] for floats.
    pub fn append_histograms(&self, samples: &mut [(u32, Timestamp, HistSample)]) -> usize {
        self.apply_batch(
            samples,
            |s| (s.0, s.1),
            |head, shard, (id, t, h)| head.append_one_histogram(shard, *id, *t, h),
        )
    }

    /// Adds one histogram; on success returns the series' newest time before it.
    pub(super) fn append_one_histogram(
        &self,
        shard: &mut Shard,
        id: u32,
        t: Timestamp,
        h: &HistSample,
    ) -> Option<Timestamp> {
        let s = self.admit(shard, id, |s| verdict(s, t, h))?;
        let before = s.last_t().unwrap_or(Timestamp::MIN);
        if !s.chunk.is_empty() {
            self.seal(s, id);
        }
        if s.last_t().is_none() {
            s.min_t = t;
        }
        s.empty_seen = false;
        let header = match s.hist.as_deref_mut() {
            Some(c) => match c.check(h) {
                Ok(plan) => {
                    let continued = if c.header() == CounterResetHint::Gauge {
                        CounterResetHint::Gauge
                    } else {
                        CounterResetHint::NotCounterReset
                    };
                    if self.full(c, t) {
                        continued
                    } else if c.append(t, h.clone(), plan).is_ok() {
                        return Some(before);
                    } else {
                        continued
                    }
                }
                Err(header) => header,
            },
            None => h.hint(),
        };
        self.seal_histograms(s, id);
        s.hist = Some(Box::new(HistogramChunk::new(t, h.clone(), header)));
        Some(before)
    }

    /// Whether the open chunk `c` is done before a sample at `t`: 120 samples, the 2 h
    /// boundary, or Prometheus' size target.
    fn full(&self, c: &HistogramChunk, t: Timestamp) -> bool {
        let range = self.opts.chunk_range_ms.max(1);
        let window_end = c.first_t().map_or(Timestamp::MAX, |f| (f.div_euclid(range) + 1).saturating_mul(range));
        c.num_samples() >= self.opts.samples_per_chunk
            || c.num_samples() == u16::MAX
            || c.bytes().len() >= MAX_HISTOGRAM_CHUNK_BYTES
            || t >= window_end
    }

    /// Seals the open histogram chunk of `s`, if any.
    pub(super) fn seal_histograms(&self, s: &mut MemSeries, id: u32) {
        let Some(c) = s.hist.take() else { return };
        let mint = c.first_t().unwrap_or(Timestamp::MIN);
        self.write_sealed(s, id, (mint, c.last_t()), c.encoding(), c.bytes());
    }
}
