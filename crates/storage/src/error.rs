//! The crate's one error type, shared by storage implementations for per-sample verdicts.

use vigil_model::Timestamp;

/// Storage errors. Engines map their own failures into these variants.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The sample is older than the newest sample of its series.
    #[error("out of order sample")]
    OutOfOrder,
    /// The sample is outside the window the storage accepts (too old, or before retention).
    #[error("out of bounds: timestamp {t} is before the minimum accepted {min_valid}")]
    OutOfBounds {
        /// The rejected timestamp.
        t: Timestamp,
        /// The oldest accepted timestamp.
        min_valid: Timestamp,
    },
    /// Same timestamp as the previous sample but a different value.
    #[error("duplicate sample for timestamp")]
    DuplicateSample,
    /// The label set is empty or has no metric name.
    #[error("invalid series labels: {0}")]
    InvalidLabels(String),
    /// The sample itself is malformed (for example a histogram whose spans and buckets
    /// disagree); the message says why.
    #[error("invalid sample: {0}")]
    InvalidSample(String),
    /// The sample kind is not stored by this engine yet.
    #[error("unsupported sample kind: {0}")]
    Unsupported(&'static str),
    /// Every matcher matches the empty string, which would select everything.
    #[error("at least one matcher must not match the empty string")]
    EmptyMatchers,
    /// An I/O failure, with what was being done.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Corrupt on-disk data, with where.
    #[error("corruption in {location}: {message}")]
    Corruption {
        /// File and offset or record.
        location: String,
        /// What is wrong.
        message: String,
    },
    /// The storage is closed.
    #[error("storage is closed")]
    Closed,
    /// The query would load more samples than allowed.
    #[error("query processing would load too many samples into memory")]
    TooManySamples,
    /// The query was cancelled or hit its deadline.
    #[error("query cancelled")]
    Cancelled,
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
