//! The crate's one error type.

use std::path::PathBuf;
use vigil_model::Timestamp;

/// TSDB errors. Per-sample verdicts use the storage crate's variants through [`Error::Storage`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Another process (or another `Db` in this one) holds the data directory's lock.
    #[error("data directory {path} is locked by another process; is another instance running?")]
    Locked {
        /// The lock file.
        path: PathBuf,
    },
    /// An I/O failure, with what was being done.
    #[error("{context}: {source}")]
    Io {
        /// What was being done (names the file).
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Data on disk or in a chunk that does not decode.
    #[error("corruption in {location}: {message}")]
    Corruption {
        /// File and offset, or chunk.
        location: String,
        /// What is wrong.
        message: String,
    },
    /// A chunk append with a timestamp not after the chunk's last one.
    #[error("chunk append out of order: {t} is not after {last}")]
    ChunkOutOfOrder {
        /// The rejected timestamp.
        t: Timestamp,
        /// The chunk's last timestamp.
        last: Timestamp,
    },
    /// The chunk holds the maximum number of samples.
    #[error("chunk is full")]
    ChunkFull,
    /// Invalid options.
    #[error("invalid option: {0}")]
    Options(String),
    /// A per-sample or query verdict from the storage contract.
    #[error(transparent)]
    Storage(#[from] vigil_storage::Error),
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An I/O error with context.
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io { context: context.into(), source }
    }

    /// A corruption error.
    pub(crate) fn corrupt(location: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Corruption { location: location.into(), message: message.into() }
    }
}

impl From<Error> for vigil_storage::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Storage(e) => e,
            Error::Io { context, source } => vigil_storage::Error::Io { context, source },
            Error::Corruption { location, message } => vigil_storage::Error::Corruption { location, message },
            Error::ChunkOutOfOrder { .. } => vigil_storage::Error::OutOfOrder,
            other => {
                vigil_storage::Error::Io { context: "tsdb".into(), source: std::io::Error::other(other.to_string()) }
            }
        }
    }
}
