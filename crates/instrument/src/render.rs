//! Rendering a registry for `/metrics`, in the format the scraper asked for.
//!
//! prometheus-client only writes OpenMetrics text. Scrapers that do not ask for OpenMetrics
//! (curl, older agents) get the Prometheus text format 0.0.4, derived from the OpenMetrics
//! output by renaming counter families to their `_total` sample name, mapping `info` and
//! `unknown` to gauge and untyped, and dropping what 0.0.4 lacks (`# UNIT`, exemplars, `# EOF`).

use prometheus_client::registry::Registry;

use crate::Result;

/// An exposition format that [`render`] can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Prometheus text format 0.0.4.
    Text,
    /// OpenMetrics text 1.0.0.
    OpenMetrics,
}

impl Format {
    /// Picks the format for an `Accept` header: OpenMetrics when it is accepted with a quality at
    /// least as high as any `text/plain`-compatible range, the text format otherwise.
    pub fn negotiate(accept: Option<&str>) -> Format {
        let Some(accept) = accept else {
            return Format::Text;
        };
        let mut openmetrics_q = 0.0_f64;
        let mut text_q = 0.0_f64;
        for range in accept.split(',') {
            let mut parts = range.split(';').map(str::trim);
            let media_type = parts.next().unwrap_or_default().to_ascii_lowercase();
            let quality =
                parts.filter_map(|param| param.strip_prefix("q=")).find_map(|q| q.parse::<f64>().ok()).unwrap_or(1.0);
            match media_type.as_str() {
                "application/openmetrics-text" => openmetrics_q = openmetrics_q.max(quality),
                "text/plain" | "text/*" | "*/*" => text_q = text_q.max(quality),
                _ => {}
            }
        }
        if openmetrics_q > 0.0 && openmetrics_q >= text_q { Format::OpenMetrics } else { Format::Text }
    }

    /// The `Content-Type` header value for a body in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Text => "text/plain; version=0.0.4; charset=utf-8",
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }
}

/// Renders every metric in `registry` in `format`. (prometheus-client ends each HELP text with a
/// period, so register help texts without one.)
pub fn render(registry: &Registry, format: Format) -> Result<String> {
    let mut openmetrics = String::new();
    prometheus_client::encoding::text::encode(&mut openmetrics, registry)?;
    Ok(match format {
        Format::OpenMetrics => openmetrics,
        Format::Text => openmetrics_to_text(&openmetrics),
    })
}

/// Rewrites prometheus-client's OpenMetrics output as text format 0.0.4.
fn openmetrics_to_text(openmetrics: &str) -> String {
    let mut out = String::with_capacity(openmetrics.len());
    // prometheus-client writes HELP before TYPE, but the HELP name depends on the TYPE.
    let mut pending_help: Option<(&str, &str)> = None;
    for line in openmetrics.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            pending_help = Some(rest.split_once(' ').unwrap_or((rest, "")));
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or((rest, "unknown"));
            let (suffix, kind) = match kind {
                "counter" => ("_total", "counter"),
                "info" => ("_info", "gauge"),
                "gauge" | "histogram" | "summary" => ("", kind),
                _ => ("", "untyped"),
            };
            if let Some((help_name, help)) = pending_help.take().filter(|(n, _)| *n == name) {
                out.push_str(&format!("# HELP {help_name}{suffix} {help}\n"));
            }
            out.push_str(&format!("# TYPE {name}{suffix} {kind}\n"));
        } else if line.starts_with('#') {
            // `# UNIT` and `# EOF` have no 0.0.4 equivalent.
        } else {
            out.push_str(without_exemplar(line));
            out.push('\n');
        }
    }
    out
}

/// Cuts an OpenMetrics exemplar (` # {...} value`) off a sample line, ignoring `#` inside
/// quoted label values.
fn without_exemplar(line: &str) -> &str {
    let mut in_quotes = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            '#' if !in_quotes => return line[..i].trim_end(),
            _ => {}
        }
    }
    line
}

#[cfg(test)]
mod tests;
