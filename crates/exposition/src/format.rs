//! Which exposition format a body is in, chosen from the response's `Content-Type`.

/// The `Accept` header Prometheus sends when scraping: OpenMetrics preferred, text as fallback.
pub const SCRAPE_ACCEPT_HEADER: &str = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

/// The `Content-Type` of the text format 0.0.4 that [`crate::encode`] writes.
pub const TEXT_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// An exposition format the parser understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Prometheus text format 0.0.4 (integer millisecond timestamps, `#` comments allowed).
    Text,
    /// OpenMetrics 1.0 text (float second timestamps, exemplars, `# EOF` required).
    OpenMetrics,
}

impl Format {
    /// Picks the parser for a response `Content-Type`. `application/openmetrics-text` (any
    /// version; 1.0.0 and 0.0.1 are the ones in use) selects OpenMetrics; everything else,
    /// including a missing or unknown type, falls back to the text format as Prometheus does.
    pub fn from_content_type(content_type: &str) -> Format {
        let media = content_type.split(';').next().unwrap_or("").trim();
        if media.eq_ignore_ascii_case("application/openmetrics-text") { Format::OpenMetrics } else { Format::Text }
    }
}

#[cfg(test)]
mod tests;
