//! Samples and timestamps.

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
/// New kinds of data (native histograms, exemplars, metadata) become new variants so that an
/// appender keeps one `append` method. Engines that do not store a variant yet must reject it with
/// an error rather than drop it silently.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Sample {
    /// A float sample; the value may be [`STALE_NAN`].
    Float {
        /// Sample time in milliseconds.
        t: Timestamp,
        /// Sample value.
        v: f64,
    },
}

impl Sample {
    /// The sample's timestamp.
    pub fn timestamp(&self) -> Timestamp {
        match self {
            Sample::Float { t, .. } => *t,
        }
    }
}
