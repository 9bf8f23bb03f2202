//! Samples and timestamps.

use crate::histogram::{FloatHistogram, Histogram};
use std::sync::Arc;

/// Milliseconds since the Unix epoch, as everywhere in Prometheus.
pub type Timestamp = i64;

/// The bit pattern Prometheus uses to mark a series stale (`value.StaleNaN`).
pub const STALE_NAN_BITS: u64 = 0x7ff0_0000_0000_0002;

/// The staleness marker as an `f64`. Compare with [`is_stale_nan`], never with `==`.
pub const STALE_NAN: f64 = f64::from_bits(STALE_NAN_BITS);

/// Whether `v` is the staleness marker (and not just any NaN).
#[inline]
pub fn is_stale_nan(v: f64) -> bool {
    v.to_bits() == STALE_NAN_BITS
}

/// One value offered to an appender for a series.
///
/// New kinds of data (exemplars, metadata) become new variants so that an appender keeps one
/// `append` method. Engines that do not store a variant yet must reject it with an error rather
/// than drop it silently.
///
/// Histograms are behind an `Arc` so a sample stays one pointer wide and cloning it (for a WAL
/// encoder and the head, or a retry) copies no buckets; the enum is `Clone`, not `Copy`.
/// A stale histogram series is marked with [`Histogram::stale`] / [`FloatHistogram::stale`]
/// (sum = [`STALE_NAN`]), or with a float [`STALE_NAN`] as Prometheus' scraper does.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Sample {
    /// A float sample; the value may be [`STALE_NAN`].
    Float {
        /// Sample time in milliseconds.
        t: Timestamp,
        /// Sample value.
        v: f64,
    },
    /// An integer native histogram, as scraped.
    Histogram {
        /// Sample time in milliseconds.
        t: Timestamp,
        /// The histogram.
        h: Arc<Histogram>,
    },
    /// A float native histogram (recording rules, federation, converted classic histograms).
    FloatHistogram {
        /// Sample time in milliseconds.
        t: Timestamp,
        /// The histogram.
        h: Arc<FloatHistogram>,
    },
}

impl Sample {
    /// The sample's timestamp.
    pub fn timestamp(&self) -> Timestamp {
        match self {
            Sample::Float { t, .. } | Sample::Histogram { t, .. } | Sample::FloatHistogram { t, .. } => *t,
        }
    }

    /// Whether this is a staleness marker of any kind.
    pub fn is_stale(&self) -> bool {
        match self {
            Sample::Float { v, .. } => is_stale_nan(*v),
            Sample::Histogram { h, .. } => h.is_stale(),
            Sample::FloatHistogram { h, .. } => h.is_stale(),
        }
    }
}
