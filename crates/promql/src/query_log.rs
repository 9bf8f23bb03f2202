//! The hook behind Prometheus' `query_log_file`: the engine reports every query it executed, with
//! its parameters, statistics, error and origin, to a [`QueryLogger`] that the binary provides.
//!
//! The engine only calls the hook; writing JSON lines to a file (and reopening it on reload) is
//! the logger's business, so this crate does no I/O.

use crate::QueryStats;
use vigil_model::Timestamp;

/// Who asked for a query, logged next to it (Prometheus' `httpRequest` / `ruleGroup` objects).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryOrigin {
    /// An HTTP API request.
    Http {
        /// The client's IP address.
        client_ip: String,
        /// `GET` or `POST`.
        method: String,
        /// The request path, e.g. `/api/v1/query_range`.
        path: String,
    },
    /// A rule group's evaluation.
    RuleGroup {
        /// The rule file.
        file: String,
        /// The group's name.
        name: String,
    },
}

/// One executed query, as handed to the logger.
#[derive(Debug)]
pub struct QueryLogEntry<'a> {
    /// The query text.
    pub query: &'a str,
    /// First evaluation time (ms).
    pub start: Timestamp,
    /// Last evaluation time (ms); equal to `start` for instant queries.
    pub end: Timestamp,
    /// Step in ms; 0 for instant queries.
    pub step_ms: i64,
    /// Timings and sample counts.
    pub stats: &'a QueryStats,
    /// The error the query failed with, if it failed.
    pub error: Option<String>,
    /// Who asked.
    pub origin: Option<&'a QueryOrigin>,
}

/// Receives every executed query while [`QueryLogger::enabled`] says so.
pub trait QueryLogger: Send + Sync + std::fmt::Debug {
    /// Whether entries are wanted now; checked before the engine counts range windows for them.
    fn enabled(&self) -> bool;

    /// Records one query. Must not block for long: it runs on the query's thread.
    fn log(&self, entry: &QueryLogEntry<'_>);
}
