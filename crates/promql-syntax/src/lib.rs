//! PromQL parsing behind Vigil's own boundary: AST, positioned errors, length cap.
#![deny(missing_docs)]

/// A parse error with its position in the query.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    /// Human-readable message, prefixed with the position like Prometheus (`1:5: parse error: ...`).
    pub message: String,
}
