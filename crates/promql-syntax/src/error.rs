//! The crate's one error type.

/// Why a query was rejected. The `Display` form follows Prometheus: `1:5: parse error: ...`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The query does not parse or does not type-check.
    #[error("{line}:{col}: parse error: {message}")]
    Parse {
        /// 1-based line of the failure.
        line: usize,
        /// 1-based column (in characters) of the failure.
        col: usize,
        /// Byte offset of the failure in the query.
        offset: usize,
        /// What is wrong.
        message: String,
    },
    /// The query is longer than the configured cap.
    #[error("1:1: parse error: query is {len} bytes long, more than the limit of {max} bytes")]
    TooLong {
        /// Query length in bytes.
        len: usize,
        /// The cap.
        max: usize,
    },
}

impl Error {
    /// A parse error at byte `offset` of `query`.
    pub fn at(query: &str, offset: usize, message: impl Into<String>) -> Self {
        let offset = offset.min(query.len());
        let mut start = offset;
        while !query.is_char_boundary(start) {
            start -= 1;
        }
        let before = &query[..start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        Error::Parse { line, col, offset, message: message.into() }
    }
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
