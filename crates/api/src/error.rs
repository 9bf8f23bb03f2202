//! The crate's error type and the one place where errors become HTTP status codes and
//! Prometheus `errorType`s ([`Error::classify`]).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Everything an API handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A request parameter is malformed: `invalid parameter "start": ...`.
    #[error("invalid parameter {param:?}: {message}")]
    InvalidParam {
        /// The parameter name as sent by the client.
        param: String,
        /// What is wrong with it.
        message: String,
    },
    /// The request is invalid in a way not tied to one parameter.
    #[error("{0}")]
    BadData(String),
    /// The PromQL engine failed.
    #[error(transparent)]
    Query(#[from] vigil_promql::Error),
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] vigil_storage::Error),
    /// The client went away or the query was cancelled.
    #[error("{0}")]
    Canceled(String),
    /// The requested object does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The feature is disabled or not available in this build.
    #[error("{0}")]
    Unavailable(String),
    /// A bug or an unexpected failure (including a panicking handler).
    #[error("{0}")]
    Internal(String),
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Prometheus' `errorType` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorType {
    /// `bad_data`
    BadData,
    /// `execution`
    Execution,
    /// `canceled`
    Canceled,
    /// `timeout`
    Timeout,
    /// `internal`
    Internal,
    /// `unavailable`
    Unavailable,
    /// `not_found`
    NotFound,
}

impl ErrorType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorType::BadData => "bad_data",
            ErrorType::Execution => "execution",
            ErrorType::Canceled => "canceled",
            ErrorType::Timeout => "timeout",
            ErrorType::Internal => "internal",
            ErrorType::Unavailable => "unavailable",
            ErrorType::NotFound => "not_found",
        }
    }

    /// The HTTP status Prometheus answers with. `unavailable` is not special-cased by Prometheus'
    /// `respondError` and falls through to 500, which clients may rely on, so we keep it.
    pub fn status(self) -> StatusCode {
        match self {
            ErrorType::BadData => StatusCode::BAD_REQUEST,
            ErrorType::Execution => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorType::Canceled => StatusCode::from_u16(499).unwrap_or(StatusCode::BAD_REQUEST),
            ErrorType::Timeout => StatusCode::SERVICE_UNAVAILABLE,
            ErrorType::NotFound => StatusCode::NOT_FOUND,
            ErrorType::Internal | ErrorType::Unavailable => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

fn classify_storage(e: &vigil_storage::Error) -> ErrorType {
    use vigil_storage::Error as S;
    match e {
        S::EmptyMatchers | S::InvalidLabels(_) => ErrorType::BadData,
        S::TooManySamples => ErrorType::Execution,
        S::Closed => ErrorType::Unavailable,
        // A hung-up client reads no answer, so a stopped read is the deadline's doing.
        S::Cancelled => ErrorType::Timeout,
        _ => ErrorType::Internal,
    }
}

impl Error {
    /// The single mapping from every error this API can produce to Prometheus' `errorType`
    /// (and through [`ErrorType::status`], the HTTP status).
    pub fn classify(&self) -> ErrorType {
        use vigil_promql::Error as Q;
        match self {
            Error::InvalidParam { .. } | Error::BadData(_) => ErrorType::BadData,
            Error::Query(q) => match q {
                Q::Parse(_) | Q::BadData(_) => ErrorType::BadData,
                Q::Execution(_) | Q::TooManySamples => ErrorType::Execution,
                Q::Timeout(_) => ErrorType::Timeout,
                Q::Canceled(_) => ErrorType::Canceled,
                // Prometheus reports storage failures during evaluation as `internal`, except the
                // ones that are the query's fault.
                Q::Storage(s) => match classify_storage(s) {
                    ErrorType::Internal | ErrorType::Unavailable => ErrorType::Internal,
                    other => other,
                },
            },
            Error::Storage(s) => classify_storage(s),
            Error::Canceled(_) => ErrorType::Canceled,
            Error::NotFound(_) => ErrorType::NotFound,
            Error::Unavailable(_) => ErrorType::Unavailable,
            Error::Internal(_) => ErrorType::Internal,
        }
    }

    /// Shorthand for [`Error::InvalidParam`].
    pub fn param(param: &str, message: impl Into<String>) -> Self {
        Error::InvalidParam { param: param.to_owned(), message: message.into() }
    }

    /// Turns an engine error into an API error; parse errors name the `query` parameter like
    /// Prometheus does (`invalid parameter "query": 1:5: parse error: ...`).
    pub fn from_query(e: vigil_promql::Error) -> Self {
        match e {
            vigil_promql::Error::Parse(p) => Error::param("query", p.to_string()),
            other => Error::Query(other),
        }
    }
}

/// Renders Prometheus' error envelope with the status from [`Error::classify`].
pub fn error_response(err: &Error) -> Response {
    let kind = err.classify();
    let mut body = String::with_capacity(96);
    body.push_str("{\"status\":\"error\",\"errorType\":\"");
    body.push_str(kind.as_str());
    body.push_str("\",\"error\":");
    crate::json::push_str(&mut body, &err.to_string());
    body.push('}');
    (kind.status(), [(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response()
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if self.classify() == ErrorType::Internal {
            tracing::error!(error = %self, "API request failed.");
        }
        error_response(&self)
    }
}

#[cfg(test)]
mod tests;
