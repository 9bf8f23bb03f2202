//! The pull parser: [`Parser::next`] returns one [`Entry`] per line that carries information.

mod display;
mod openmetrics;
mod text;

use crate::error::{Error, Position, Result};
use crate::escaped::Escaped;
use crate::format::Format;
use crate::lex::{self, LabelLexer, LexError, LexErrorKind, LexResult, Term};
use crate::series::Series;

use openmetrics::Validator;

/// A metric family type, as declared by `# TYPE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetricType {
    /// `counter`.
    Counter,
    /// `gauge`.
    Gauge,
    /// `histogram` (classic, with `_bucket`/`_sum`/`_count`).
    Histogram,
    /// `gaugehistogram` (OpenMetrics).
    GaugeHistogram,
    /// `summary`.
    Summary,
    /// `info` (OpenMetrics).
    Info,
    /// `stateset` (OpenMetrics).
    StateSet,
    /// `unknown` in OpenMetrics, `untyped` in the text format.
    Unknown,
}

impl MetricType {
    /// The name Prometheus' metadata API uses (`unknown` for untyped).
    pub fn as_str(self) -> &'static str {
        match self {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
            MetricType::Histogram => "histogram",
            MetricType::GaugeHistogram => "gaugehistogram",
            MetricType::Summary => "summary",
            MetricType::Info => "info",
            MetricType::StateSet => "stateset",
            MetricType::Unknown => "unknown",
        }
    }

    /// The spelling in the text format 0.0.4, which knows five types; the others are `untyped`.
    pub fn as_text_str(self) -> &'static str {
        match self {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
            MetricType::Histogram => "histogram",
            MetricType::Summary => "summary",
            _ => "untyped",
        }
    }
}

/// How much of OpenMetrics' family-level rules the parser enforces. Syntax (including names,
/// duplicate labels, exemplar shape and the final `# EOF`) is always checked; the text format has
/// no family rules to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Validation {
    /// Everything OpenMetrics 1.0 requires: metadata placement, name clashes, grouping,
    /// timestamp order, value ranges, histogram shape, where exemplars may appear. This is what
    /// the OpenMetrics test suite expects.
    #[default]
    Full,
    /// Syntax only, like Prometheus' scrape parser, so that exposition a Prometheus server
    /// accepts (for example client_golang histograms with negative buckets and a `_sum`) is
    /// accepted too.
    SyntaxOnly,
}

/// One meaningful line of an exposition. Strings borrow from the input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Entry<'a> {
    /// A sample line.
    Series(Series<'a>),
    /// `# HELP name text`.
    Help {
        /// Metric family name.
        name: Escaped<'a>,
        /// Help text (unescape with [`Escaped::unescape`]).
        help: Escaped<'a>,
    },
    /// `# TYPE name type`.
    Type {
        /// Metric family name.
        name: Escaped<'a>,
        /// Declared type.
        kind: MetricType,
    },
    /// `# UNIT name unit` (OpenMetrics).
    Unit {
        /// Metric family name.
        name: Escaped<'a>,
        /// The unit, possibly empty.
        unit: &'a str,
    },
    /// Any other `#` line (text format only), without the `#` and leading blanks.
    Comment(&'a str),
    /// `# EOF` (OpenMetrics); nothing may follow.
    Eof,
}

/// A zero-copy pull parser over one scraped body.
///
/// After an error the parser is exhausted: further calls return `Ok(None)`.
#[derive(Debug)]
pub struct Parser<'a> {
    /// The longest valid UTF-8 prefix of the input.
    text: &'a str,
    /// Offset of the first invalid UTF-8 byte, if any; reported when parsing reaches it.
    invalid_utf8_at: Option<usize>,
    format: Format,
    pos: usize,
    line: u32,
    line_start: usize,
    done: bool,
    /// Label names of the current line, for duplicate detection without allocating per line.
    names: Vec<&'a str>,
    validator: Validator<'a>,
}

impl<'a> Parser<'a> {
    /// A parser over `input` in `format`, with [`Validation::Full`].
    pub fn new(input: &'a [u8], format: Format) -> Self {
        Self::with_validation(input, format, Validation::Full)
    }

    /// A parser over `input` in `format` that enforces `validation`.
    pub fn with_validation(input: &'a [u8], format: Format, validation: Validation) -> Self {
        let (text, invalid_utf8_at) = match std::str::from_utf8(input) {
            Ok(s) => (s, None),
            Err(e) => {
                let valid = e.valid_up_to();
                (std::str::from_utf8(&input[..valid]).unwrap_or(""), Some(valid))
            }
        };
        Self {
            text,
            invalid_utf8_at,
            format,
            pos: 0,
            line: 1,
            line_start: 0,
            done: false,
            names: Vec::new(),
            validator: Validator::new(validation == Validation::Full),
        }
    }

    /// The format this parser reads.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The next entry, `Ok(None)` at the end of input.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Entry<'a>>> {
        if self.done {
            return Ok(None);
        }
        let r = match self.format {
            Format::Text => self.next_text(),
            Format::OpenMetrics => self.next_openmetrics(),
        };
        if !matches!(r, Ok(Some(_))) {
            self.done = true;
        }
        r
    }

    /// Builds an error at byte `at` of the input. Reaching the end of the valid prefix of an input
    /// with bad UTF-8 reports the encoding error instead.
    fn error(&self, at: usize, message: String) -> Error {
        if let Some(bad) = self.invalid_utf8_at
            && at >= self.text.len()
        {
            return Error::Parse { pos: self.position(bad), message: "invalid UTF-8".to_owned() };
        }
        Error::Parse { pos: self.position(at), message }
    }

    fn position(&self, at: usize) -> Position {
        let at = at.min(self.text.len().max(self.invalid_utf8_at.unwrap_or(0)));
        let (line, line_start) = if at >= self.line_start {
            (self.line, self.line_start)
        } else {
            // Errors about earlier lines (family checks) recount from the start.
            let before = &self.text.as_bytes()[..at.min(self.text.len())];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            (u32::try_from(line).unwrap_or(u32::MAX), start)
        };
        let upto = at.min(self.text.len());
        let column = self.text.get(line_start..upto).map_or(upto.saturating_sub(line_start), |s| s.chars().count()) + 1;
        Position { line, column: u32::try_from(column).unwrap_or(u32::MAX), offset: at }
    }

    /// "expected X, found Y" at `at`.
    fn expected(&self, at: usize, what: &str) -> Error {
        self.error(at, format!("expected {what}, found {}", self.describe(at)))
    }

    fn lex_error(&self, e: LexError) -> Error {
        match e.kind {
            LexErrorKind::Expected(what) => self.expected(e.at, what),
            LexErrorKind::Invalid(what) => self.error(e.at, what.to_owned()),
        }
    }

    /// A short description of what is at `at`, for error messages.
    fn describe(&self, at: usize) -> String {
        match self.text.get(at..).and_then(|s| s.chars().next()) {
            None if self.invalid_utf8_at.is_some() => "invalid UTF-8".to_owned(),
            None => "end of input".to_owned(),
            Some('\n') => "end of line".to_owned(),
            Some(c) => format!("{c:?}"),
        }
    }

    /// The end of the current line: the offset of its `\n`, or of the end of input.
    fn line_end(&self, from: usize) -> usize {
        self.text[from..].find('\n').map_or(self.text.len(), |i| from + i)
    }

    /// Moves to the line after the one ending at `eol`.
    fn advance_line(&mut self, eol: usize) {
        self.pos = (eol + 1).min(self.text.len().max(eol));
        if eol < self.text.len() {
            self.line += 1;
            self.line_start = self.pos;
        }
    }

    /// Validates the label set starting after the `{` at `open`; returns the metric name found
    /// inside (if any) and the offset past `}`. Checks duplicates and a doubly given name.
    #[inline]
    fn scan_label_set(&mut self, open: usize, outer_name: bool) -> Result<(Option<Escaped<'a>>, usize)> {
        let openmetrics = self.format == Format::OpenMetrics;
        let mut lexer = LabelLexer::new(self.text, open + 1, openmetrics);
        let mut inner_name: Option<Escaped<'a>> = None;
        self.names.clear();
        loop {
            let term_start = lexer.pos();
            let term = lexer.next_term().map_err(|e| self.lex_error(e))?;
            match term {
                None => break,
                Some(Term::Name(n)) => {
                    if outer_name || inner_name.is_some() {
                        return Err(self.error(term_start, "metric name given more than once".to_owned()));
                    }
                    if n.raw().is_empty() {
                        return Err(self.error(term_start, "empty metric name".to_owned()));
                    }
                    inner_name = Some(n);
                }
                Some(Term::Label(n, v)) => {
                    if n.raw() == vigil_model::METRIC_NAME {
                        if outer_name || inner_name.is_some() {
                            return Err(self.error(term_start, "metric name given more than once".to_owned()));
                        }
                        inner_name = Some(v);
                        continue;
                    }
                    if n.raw().is_empty() {
                        return Err(self.error(term_start, "empty label name".to_owned()));
                    }
                    if self.names.contains(&n.raw()) {
                        return Err(self.error(term_start, format!("duplicate label name {:?}", n.raw())));
                    }
                    self.names.push(n.raw());
                }
            }
        }
        Ok((inner_name, lexer.pos()))
    }

    /// Scans a metric name in a `# HELP`/`# TYPE`/`# UNIT` line: legacy or quoted.
    fn scan_meta_name(&self, at: usize) -> Result<(Escaped<'a>, usize)> {
        let b = self.text.as_bytes();
        if b.get(at) == Some(&b'"') {
            let (name, end) = lex::scan_quoted(self.text, at).map_err(|e| self.lex_error(e))?;
            if name.raw().is_empty() {
                return Err(self.error(at, "empty metric name".to_owned()));
            }
            return Ok((name, end));
        }
        let end = lex::scan_metric_name(b, at);
        if end == at {
            return Err(self.expected(at, "metric name"));
        }
        Ok((Escaped::plain(&self.text[at..end]), end))
    }

    /// Scans an unquoted token: up to a blank (text) or space (OpenMetrics) or end of line.
    #[inline]
    fn token_end(&self, from: usize) -> usize {
        let b = self.text.as_bytes();
        let mut i = from;
        let tab_ends = self.format == Format::Text;
        while i < b.len() {
            match b[i] {
                b' ' | b'\n' => break,
                b'\t' if tab_ends => break,
                _ => i += 1,
            }
        }
        i
    }
}

/// Lets scanners' results flow through `?` with position information added.
trait LexResultExt<T> {
    fn at(self, parser: &Parser<'_>) -> Result<T>;
}

impl<T> LexResultExt<T> for LexResult<T> {
    fn at(self, parser: &Parser<'_>) -> Result<T> {
        self.map_err(|e| parser.lex_error(e))
    }
}

#[cfg(test)]
mod tests;
