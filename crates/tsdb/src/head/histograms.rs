//! Native histogram samples in the head: their verdicts, the chunk cut rules and sealing.
//!
//! Cut rules (Prometheus' head cuts at the same points, `docs/format/chunks.md`): a new chunk
//! starts when the series switches from floats, at 120 samples, at the 2 h boundary, past
//! [`MAX_HISTOGRAM_CHUNK_BYTES`], when the bucket layout changes (we do not recode chunks to a
//! wider layout yet), when the sample follows a counter reset (header `CounterReset`), when it
//! enters or leaves gauge mode, and after a stale marker. A cut that is not a reset and follows a
//! real sample gets the header `NotCounterReset`.

use super::{Head, MemSeries, Shard, Verdict, split};
use crate::chunk::{ENCODING_FLOAT_HISTOGRAM, HistogramChunk, MAX_HISTOGRAM_CHUNK_BYTES};
use std::sync::Arc;
use vigil_model::histogram::CounterResetHint;
use vigil_model::{FloatHistogram, Timestamp};
use vigil_storage::Error;

/// The histogram stale marker the head stores for a stale float after histograms.
pub(super) fn stale() -> Arc<FloatHistogram> {
    Arc::new(FloatHistogram::stale())
}

/// Whether a histogram at `t` may be added to `s`: out of order and conflicting duplicates are
/// errors; the same histogram again at the same time is accepted and not stored twice.
pub(super) fn verdict(s: &MemSeries, t: Timestamp, h: &FloatHistogram) -> Result<Verdict, Error> {
    match s.last_t() {
        Some(last) if t < last => Err(Error::OutOfOrder),
        Some(last) if t == last => match &s.hist {
            Some(c) if c.last().equals(h) => Ok(Verdict::Duplicate),
            _ => Err(Error::DuplicateSample),
        },
        _ => Ok(Verdict::Append),
    }
}

/// The header of a chunk started for `h`, given the series' previous histogram sample (if it is
/// in the open chunk), or `None` when the open chunk can take `h`.
fn cut(head: &Head, c: &HistogramChunk, t: Timestamp, h: &FloatHistogram) -> Option<CounterResetHint> {
    let gauge = |hint: CounterResetHint| hint == CounterResetHint::Gauge;
    let prev = c.last();
    if h.is_stale() {
        // A marker fits any open chunk; it only needs room.
        return (c.num_samples() >= head.opts.samples_per_chunk || c.num_samples() == u16::MAX)
            .then_some(CounterResetHint::Unknown);
    }
    if prev.is_stale() {
        return Some(start_header(h));
    }
    if h.detect_reset(prev) {
        return Some(CounterResetHint::CounterReset);
    }
    if gauge(h.counter_reset_hint) != gauge(c.header()) {
        return Some(start_header(h));
    }
    let range = head.opts.chunk_range_ms.max(1);
    let window_end = c.first_t().map_or(Timestamp::MAX, |f| (f.div_euclid(range) + 1).saturating_mul(range));
    let full = c.num_samples() >= head.opts.samples_per_chunk || c.bytes().len() >= MAX_HISTOGRAM_CHUNK_BYTES;
    if full || t >= window_end || !c.fits(h) {
        return Some(if gauge(c.header()) { CounterResetHint::Gauge } else { CounterResetHint::NotCounterReset });
    }
    None
}

/// The header of a series' first histogram chunk (or the first after floats or a stale marker):
/// what the sample's own hint says.
fn start_header(h: &FloatHistogram) -> CounterResetHint {
    h.counter_reset_hint
}

impl Head {
    /// Checks a histogram against series `id`'s committed state. `None` if the series does not
    /// exist.
    pub fn check_histogram(&self, id: u32, t: Timestamp, h: &FloatHistogram) -> Option<Result<Verdict, Error>> {
        let (shard_no, local) = split(id);
        let shard = self.shards.get(shard_no)?.lock();
        let s = shard.series.get(local).filter(|s| s.alive())?;
        Some(verdict(s, t, h))
    }

    /// Adds committed histogram samples, like [`Head::append_batch`] for floats.
    pub fn append_histograms(&self, samples: &mut [(u32, Timestamp, Arc<FloatHistogram>)]) -> usize {
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
        h: &Arc<FloatHistogram>,
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
        let header = match s.hist.as_deref() {
            Some(c) => match cut(self, c, t, h) {
                None => {
                    let c = s.hist.as_deref_mut()?;
                    return c.append(t, h.clone()).is_ok().then_some(before);
                }
                Some(header) => header,
            },
            None => start_header(h),
        };
        self.seal_histograms(s, id);
        s.hist = Some(Box::new(HistogramChunk::new(t, h.clone(), header)));
        Some(before)
    }

    /// Seals the open histogram chunk of `s`, if any.
    pub(super) fn seal_histograms(&self, s: &mut MemSeries, id: u32) {
        let Some(c) = s.hist.take() else { return };
        let mint = c.first_t().unwrap_or(Timestamp::MIN);
        self.write_sealed(s, id, (mint, c.last_t()), ENCODING_FLOAT_HISTOGRAM, c.bytes());
    }
}
