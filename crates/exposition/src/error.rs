//! The crate's one error type.

use std::fmt;

/// Where in the input an error was found. Lines and columns count from 1; the column counts
/// characters, the offset counts bytes from the start of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// 0-based byte offset into the whole input.
    pub offset: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{} (byte {})", self.line, self.column, self.offset)
    }
}

/// Errors from parsing an exposition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The input is not a valid exposition at `pos`; `message` says what was expected.
    #[error("{pos}: {message}")]
    Parse {
        /// Where the problem is.
        pos: Position,
        /// What was expected or what is wrong.
        message: String,
    },
    /// A protobuf body is invalid in the message starting at byte `offset`.
    #[error("byte {offset}: {message}")]
    Protobuf {
        /// Offset of the length prefix of the message at fault.
        offset: usize,
        /// What is wrong.
        message: String,
    },
}

impl Error {
    /// The position of the error; line and column are 0 for the binary (protobuf) format.
    pub fn position(&self) -> Position {
        match self {
            Error::Parse { pos, .. } => *pos,
            Error::Protobuf { offset, .. } => Position { line: 0, column: 0, offset: *offset },
        }
    }

    /// The message without the position.
    pub fn message(&self) -> &str {
        match self {
            Error::Parse { message, .. } | Error::Protobuf { message, .. } => message,
        }
    }
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
