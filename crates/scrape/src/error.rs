//! The crate's one error type.
//!
//! Scrape failures are values, not panics: each becomes the target's `lastError` and an `up` of 0,
//! so their `Display` text follows Prometheus' wording where users grep for it.

/// Errors from configuring scrape pools and from individual scrapes.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A scrape config is unusable (bad TLS files, bad durations, bad URL parts).
    #[error("scrape pool {job:?}: {message}")]
    Config {
        /// The job whose config is wrong.
        job: String,
        /// What is wrong.
        message: String,
    },
    /// The target's labels cannot make a target (no address, bad interval label, ...).
    #[error("invalid target {labels}: {message}")]
    Target {
        /// The target's labels after relabeling.
        labels: String,
        /// What is wrong.
        message: String,
    },
    /// The HTTP request failed (connection refused, TLS, ...).
    #[error("{0}")]
    Http(String),
    /// The target did not answer within `scrape_timeout`.
    #[error("Get \"{url}\": context deadline exceeded (timeout {timeout_ms} ms)")]
    Timeout {
        /// The scrape URL.
        url: String,
        /// The timeout that elapsed.
        timeout_ms: i64,
    },
    /// The target answered with a non-2xx status.
    #[error("server returned HTTP status {0}")]
    Status(String),
    /// The (decompressed) body exceeded `body_size_limit`.
    #[error("body size limit exceeded: the response is larger than {limit} bytes")]
    BodySizeLimit {
        /// The configured limit in bytes.
        limit: u64,
    },
    /// The body could not be parsed.
    #[error("parse error: {0}")]
    Parse(String),
    /// More samples than `sample_limit` survived metric relabeling.
    #[error("sample limit exceeded: {got} samples > limit {limit}")]
    SampleLimit {
        /// Samples counted so far when the limit tripped.
        got: usize,
        /// The configured limit.
        limit: usize,
    },
    /// A native histogram has more buckets than `native_histogram_bucket_limit` even at the
    /// coarsest schema.
    #[error("histogram bucket limit exceeded")]
    BucketLimit,
    /// The response's Content-Type selects no parser (and there is no fallback protocol).
    #[error("{0}")]
    ContentType(String),
    /// The pool has more targets than `target_limit`; all its scrapes fail.
    #[error("{0}")]
    TargetLimit(String),
    /// A series broke `label_limit`, `label_name_length_limit` or `label_value_length_limit`.
    #[error("label limit exceeded: {0}")]
    LabelLimit(String),
    /// The storage failed in a way that is not a per-sample verdict.
    #[error("storage: {0}")]
    Storage(#[from] vigil_storage::Error),
    /// Loops were needed but no Tokio runtime is running.
    #[error("no Tokio runtime to run scrape loops on")]
    NoRuntime,
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
