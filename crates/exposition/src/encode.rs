//! Writes the Prometheus text format 0.0.4 (for `/federate`, `/metrics` and test fixtures).
//!
//! Names that are not legacy identifiers are written in the quoted UTF-8 form
//! (`{"my.metric","a.b"="x"}`), which the parser in this crate reads back. Floats are formatted as
//! Go's `strconv.FormatFloat(v, 'g', -1, 64)`, which Prometheus' encoder uses, with `+Inf`,
//! `-Inf` and `NaN` spelled as Prometheus spells them.
//!
//! ```
//! use vigil_exposition::{encode, MetricType};
//! use vigil_model::Labels;
//! let up = Labels::from_pairs(&[("__name__", "up"), ("job", "a\"b")]);
//! let mut out = String::new();
//! encode::write_family(&mut out, "up", MetricType::Gauge, Some("Up or down."), [encode::Sample {
//!     labels: &up,
//!     value: 1e21,
//!     timestamp: Some(1000),
//! }]);
//! assert_eq!(out, "# HELP up Up or down.\n# TYPE up gauge\nup{job=\"a\\\"b\"} 1e+21 1000\n");
//! ```

mod float;

use std::fmt::Write as _;

use vigil_model::{Label, Labels, METRIC_NAME, Timestamp};

use crate::lex::{is_legacy_label_name, is_legacy_metric_name};
use crate::parser::MetricType;

pub use float::{format_float, write_float};

/// One sample to encode.
#[derive(Debug, Clone, Copy)]
pub struct Sample<'a> {
    /// The series' labels, `__name__` included.
    pub labels: &'a Labels,
    /// The value.
    pub value: f64,
    /// Optional timestamp in milliseconds.
    pub timestamp: Option<Timestamp>,
}

/// Writes a whole family: `# HELP` (if given), `# TYPE`, then each sample.
pub fn write_family<'a>(
    out: &mut String,
    name: &str,
    kind: MetricType,
    help: Option<&str>,
    samples: impl IntoIterator<Item = Sample<'a>>,
) {
    if let Some(help) = help {
        write_help(out, name, help);
    }
    write_type(out, name, kind);
    for s in samples {
        write_sample(out, s.labels, s.value, s.timestamp);
    }
}

/// `# HELP name text` with `\` and newlines escaped.
pub fn write_help(out: &mut String, name: &str, help: &str) {
    out.push_str("# HELP ");
    write_metric_name(out, name);
    out.push(' ');
    for c in help.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('\n');
}

/// `# TYPE name type`; types the text format lacks are written as `untyped`.
pub fn write_type(out: &mut String, name: &str, kind: MetricType) {
    out.push_str("# TYPE ");
    write_metric_name(out, name);
    out.push(' ');
    out.push_str(kind.as_text_str());
    out.push('\n');
}

/// One sample line. The metric name comes from `__name__`; a label set without one is written
/// as a bare `{...}`.
pub fn write_sample(out: &mut String, labels: &Labels, value: f64, timestamp: Option<Timestamp>) {
    write_sample_ordered(out, labels.metric_name(), labels.iter(), value, timestamp);
}

/// One sample line with the labels written in the order given (any `__name__` among them is
/// skipped). `/federate` needs this: Prometheus appends external labels after the series' own.
pub fn write_sample_ordered<'a>(
    out: &mut String,
    name: Option<&str>,
    labels: impl IntoIterator<Item = &'a Label>,
    value: f64,
    timestamp: Option<Timestamp>,
) {
    let legacy_name = name.filter(|n| is_legacy_metric_name(n));
    if let Some(n) = legacy_name {
        out.push_str(n);
    }
    let mut first = true;
    let mut open = |out: &mut String| {
        out.push(if first { '{' } else { ',' });
        first = false;
    };
    if let Some(n) = name.filter(|_| legacy_name.is_none()) {
        open(out);
        write_quoted(out, n);
    }
    for l in labels.into_iter().filter(|l| l.name != METRIC_NAME) {
        open(out);
        if is_legacy_label_name(&l.name) {
            out.push_str(&l.name);
        } else {
            write_quoted(out, &l.name);
        }
        out.push('=');
        write_quoted(out, &l.value);
    }
    if !first {
        out.push('}');
    }
    out.push(' ');
    write_float(out, value);
    if let Some(ts) = timestamp {
        let _ = write!(out, " {ts}");
    }
    out.push('\n');
}

fn write_metric_name(out: &mut String, name: &str) {
    if is_legacy_metric_name(name) {
        out.push_str(name);
    } else {
        write_quoted(out, name);
    }
}

/// `"..."` with `\`, `"` and newlines escaped.
fn write_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests;
