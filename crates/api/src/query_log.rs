//! `query_log_file` from `prometheus.yml`: every executed query as one JSON line, in Prometheus'
//! shape (keys sorted: `error`, `httpRequest`, `params`, `ruleGroup`, `stats`, `ts`).
//!
//! The binary sets the path at start-up and on every reload ([`QueryLogFile::set_path`]); an
//! empty path closes the file and stops logging. Writes go straight to the file, one
//! `write_all` per line under a mutex, so lines from concurrent queries never interleave.

use crate::json;
use crate::timefmt::format_rfc3339_ms;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::fs::File;
use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use vigil_promql::{QueryLogEntry, QueryLogger, QueryOrigin};

/// The query log: a file that may be switched or closed on reload.
#[derive(Debug, Default)]
pub struct QueryLogFile {
    file: Mutex<Option<File>>,
    enabled: AtomicBool,
    enabled_gauge: Gauge,
    failures: Counter,
}

impl QueryLogFile {
    /// A closed query log with `prometheus_engine_query_log_enabled` and
    /// `prometheus_engine_query_log_failures_total` registered.
    pub fn register(registry: &mut Registry) -> Self {
        let log = Self::default();
        registry.register("prometheus_engine_query_log_enabled", "State of the query log.", log.enabled_gauge.clone());
        registry.register(
            "prometheus_engine_query_log_failures",
            "The number of query log failures.",
            log.failures.clone(),
        );
        log
    }

    /// Logs to `path` from now on (appending), or stops logging when it is empty. The file is
    /// reopened even when the path did not change, as Prometheus does on every reload, so a log
    /// moved away by logrotate is followed by a fresh one. On error the previous state is kept.
    pub fn set_path(&self, path: &str) -> std::io::Result<()> {
        let next = if path.is_empty() {
            None
        } else {
            Some(std::fs::OpenOptions::new().create(true).append(true).open(path)?)
        };
        let mut slot = self.file.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *slot = next;
        let on = slot.is_some();
        self.enabled.store(on, Ordering::Relaxed);
        self.enabled_gauge.set(i64::from(on));
        Ok(())
    }
}

impl QueryLogger for QueryLogFile {
    fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    fn log(&self, entry: &QueryLogEntry<'_>) {
        let line = encode(entry, crate::state::system_now_ms());
        let mut slot = self.file.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(file) = slot.as_mut() else { return };
        if file.write_all(line.as_bytes()).is_err() {
            self.failures.inc();
        }
    }
}

/// One log line (with its newline) for `e`, logged at `now_ms`.
pub(crate) fn encode(e: &QueryLogEntry<'_>, now_ms: i64) -> String {
    let mut out = String::with_capacity(512 + e.query.len());
    out.push('{');
    if let Some(err) = &e.error {
        out.push_str("\"error\":");
        json::push_str(&mut out, err);
        out.push(',');
    }
    if let Some(QueryOrigin::Http { client_ip, method, path }) = e.origin {
        out.push_str("\"httpRequest\":{\"clientIP\":");
        json::push_str(&mut out, client_ip);
        out.push_str(",\"method\":");
        json::push_str(&mut out, method);
        out.push_str(",\"path\":");
        json::push_str(&mut out, path);
        out.push_str("},");
    }
    out.push_str("\"params\":{\"end\":");
    json::push_str(&mut out, &format_rfc3339_ms(e.end));
    out.push_str(",\"query\":");
    json::push_str(&mut out, e.query);
    out.push_str(",\"start\":");
    json::push_str(&mut out, &format_rfc3339_ms(e.start));
    // Prometheus logs the step in whole seconds.
    out.push_str(",\"step\":");
    out.push_str(&(e.step_ms / 1000).to_string());
    out.push_str("},");
    if let Some(QueryOrigin::RuleGroup { file, name }) = e.origin {
        out.push_str("\"ruleGroup\":{\"file\":");
        json::push_str(&mut out, file);
        out.push_str(",\"name\":");
        json::push_str(&mut out, name);
        out.push_str("},");
    }
    out.push_str("\"stats\":");
    json::push_query_stats(&mut out, e.stats, false);
    out.push_str(",\"ts\":");
    json::push_str(&mut out, &format_rfc3339_ms(now_ms));
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests;
