//! The crate's error type: every variant names the file and, when known, `line:col`.

use std::fmt;
use std::path::PathBuf;

/// A 1-based line and column in a YAML source; `0:0` means unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    /// 1-based line.
    pub line: u64,
    /// 1-based column.
    pub column: u64,
}

impl Pos {
    /// A position from serde-saphyr's location (its line/column are 1-based).
    pub(crate) fn from_location(l: &serde_saphyr::Location) -> Self {
        Self { line: l.line(), column: l.column() }
    }

    /// Whether the position is known.
    pub fn is_known(&self) -> bool {
        self.line > 0
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Errors from loading or checking a configuration.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The YAML is malformed or does not fit the schema (unknown field, wrong type, bad value).
    #[error("{file}:{pos}: {message}")]
    Parse {
        /// Source name (usually the path).
        file: String,
        /// Where.
        pos: Pos,
        /// What is wrong.
        message: String,
    },
    /// The document parsed but breaks a rule spanning several fields (duplicate job name,
    /// timeout above interval, ...). `path` names the offending element.
    #[error("{file}:{pos}: {path}: {message}")]
    Invalid {
        /// Source name (usually the path).
        file: String,
        /// Where the offending element starts.
        pos: Pos,
        /// The element, e.g. `scrape_configs[2] (job "api")`.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A value outside any YAML document (for example a size string given on the command line).
    #[error("{0}")]
    Value(String),
}

impl Error {
    /// The position the error points at, if any.
    pub fn pos(&self) -> Option<Pos> {
        match self {
            Error::Parse { pos, .. } | Error::Invalid { pos, .. } => Some(*pos),
            _ => None,
        }
    }
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
