//! Vigil's TSDB: head with compressed chunks, inverted index, WAL with checkpoints, retention.
pub mod chunk;
pub mod encoding;
mod error;
pub mod wal;
pub use error::{Error, Result};
