//! The crate's one error type.

/// Errors from building model values (bad regexes, durations, relabel rules, histograms).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A regular expression did not compile.
    #[error("invalid regular expression {regex:?}: {message}")]
    Regex {
        /// The offending expression as written by the user.
        regex: String,
        /// What the regex engine said.
        message: String,
    },
    /// A duration string is not of Prometheus' form (`1y2w3d4h5m6s7ms`).
    #[error("not a valid duration string: {0:?}")]
    Duration(String),
    /// A relabel rule is inconsistent (for example `hashmod` without a modulus).
    #[error("invalid relabel config: {0}")]
    Relabel(String),
    /// A native histogram breaks a structural rule (spans vs buckets, negative counts, schema,
    /// custom bounds), or two histograms cannot be combined.
    #[error("invalid histogram: {0}")]
    Histogram(String),
    /// A histogram literal of the PromQL test notation (`{{schema:0 buckets:[1 2]}}`) is malformed.
    #[error("histogram notation, byte {offset}: {message}")]
    HistogramNotation {
        /// 0-based byte offset within the text handed to the parser.
        offset: usize,
        /// What is wrong there.
        message: String,
    },
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
