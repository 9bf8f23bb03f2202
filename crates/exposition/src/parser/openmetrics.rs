//! OpenMetrics 1.0 text, line by line.
//!
//! Syntax is strict (single spaces, no comments, no blank lines, `# EOF` last); family-level rules
//! (grouping, histogram shape, value ranges, metadata placement) live in [`validator`].

mod validator;

pub(super) use validator::Validator;

use super::{Entry, LexResultExt, MetricType, Parser};
use crate::error::Result;
use crate::escaped::Escaped;
use crate::lex::{self, LabelLexer, Term};
use crate::number;
use crate::series::{Exemplar, Series};

/// Exemplar label names and values together may hold at most this many characters.
const EXEMPLAR_MAX_CHARS: usize = 128;

impl<'a> Parser<'a> {
    pub(super) fn next_openmetrics(&mut self) -> Result<Option<Entry<'a>>> {
        let len = self.text.len();
        if self.validator.eof_seen() {
            if self.pos < len || self.invalid_utf8_at.is_some() {
                return Err(self.error(self.pos, "unexpected content after \"# EOF\"".to_owned()));
            }
            return Ok(None);
        }
        if self.pos >= len {
            return Err(self.error(len, "unexpected end of input (expected \"# EOF\" as the last line)".to_owned()));
        }
        let start = self.pos;
        let eol = self.line_end(start);
        if eol == len && self.invalid_utf8_at.is_some() {
            return Err(self.error(eol, String::new()));
        }
        let line = &self.text[start..eol];
        if line.is_empty() {
            return Err(self.error(start, "blank line (not allowed in OpenMetrics)".to_owned()));
        }
        let entry = if line == "# EOF" {
            self.validator.eof().map_err(|m| self.error(start, m))?;
            Entry::Eof
        } else if line.starts_with('#') {
            self.om_metadata(start, eol)?
        } else {
            Entry::Series(self.om_sample(start, eol)?)
        };
        self.advance_line(eol);
        Ok(Some(entry))
    }

    fn om_metadata(&mut self, start: usize, eol: usize) -> Result<Entry<'a>> {
        let b = self.text.as_bytes();
        if b.get(start + 1) != Some(&b' ') {
            return Err(self.expected(start + 1, "' ' after '#' (OpenMetrics has no comments)"));
        }
        let kw_start = start + 2;
        let kw_end = self.token_end(kw_start);
        let keyword = &self.text[kw_start..kw_end];
        if !matches!(keyword, "HELP" | "TYPE" | "UNIT") {
            return Err(self.error(kw_start, format!("expected HELP, TYPE, UNIT or EOF after '# ', found {keyword:?}")));
        }
        if b.get(kw_end) != Some(&b' ') {
            return Err(self.expected(kw_end, "' ' after keyword"));
        }
        let (name, name_end) = self.scan_meta_name(kw_end + 1)?;
        if name_end >= eol || b[name_end] != b' ' {
            return Err(self.expected(name_end, "' ' after metric name"));
        }
        let rest = &self.text[name_end + 1..eol];
        let at = |p: &Self, m: String| p.error(start, m);
        match keyword {
            "HELP" => {
                self.validator.help(name).map_err(|m| at(self, m))?;
                Ok(Entry::Help { name, help: Escaped::help(rest) })
            }
            "TYPE" => {
                let kind = match rest {
                    "counter" => MetricType::Counter,
                    "gauge" => MetricType::Gauge,
                    "histogram" => MetricType::Histogram,
                    "gaugehistogram" => MetricType::GaugeHistogram,
                    "summary" => MetricType::Summary,
                    "info" => MetricType::Info,
                    "stateset" => MetricType::StateSet,
                    "unknown" => MetricType::Unknown,
                    _ => {
                        return Err(self.error(
                            name_end + 1,
                            format!(
                                "unknown metric type {rest:?} (expected counter, gauge, histogram, gaugehistogram, \
                                 summary, info, stateset or unknown)"
                            ),
                        ));
                    }
                };
                self.validator.kind(name, kind).map_err(|m| at(self, m))?;
                Ok(Entry::Type { name, kind })
            }
            _ => {
                self.validator.unit(name, rest).map_err(|m| at(self, m))?;
                Ok(Entry::Unit { name, unit: rest })
            }
        }
    }

    fn om_sample(&mut self, start: usize, eol: usize) -> Result<Series<'a>> {
        let b = self.text.as_bytes();
        let name_end = lex::scan_metric_name(b, start);
        let mut name = (name_end > start).then(|| Escaped::plain(&self.text[start..name_end]));
        let mut p = name_end;
        let mut label_text = "";
        if b.get(p) == Some(&b'{') {
            let (inner, close) = self.scan_label_set(p, name.is_some())?;
            if inner.is_some() {
                name = inner;
            }
            label_text = &self.text[p + 1..close];
            p = close;
        } else if name.is_none() {
            return Err(self.expected(start, "metric name or '{'"));
        }
        let Some(name) = name else {
            return Err(self.error(start, "metric name missing".to_owned()));
        };
        let series_end = p;
        if b.get(p) != Some(&b' ') {
            return Err(self.expected(p, "' ' before sample value"));
        }
        let (value, value_end) = self.om_value(p + 1, "sample value")?;
        p = value_end;
        let mut timestamp = None;
        let mut exemplar = None;
        if b.get(p) == Some(&b' ') {
            p += 1;
            if b.get(p) != Some(&b'#') {
                let (ts, ts_end) = self.om_timestamp(p, "timestamp or '#'")?;
                timestamp = Some(ts);
                p = ts_end;
                if b.get(p) == Some(&b' ') {
                    p += 1;
                    if b.get(p) != Some(&b'#') {
                        return Err(self.expected(p, "'#' to start an exemplar"));
                    }
                }
            }
            if b.get(p) == Some(&b'#') {
                let (ex, end) = self.om_exemplar(p)?;
                exemplar = Some(ex);
                p = end;
            }
        }
        if p != eol {
            return Err(self.expected(p, "end of line"));
        }
        let series = Series {
            raw: &self.text[start..series_end],
            name,
            label_text,
            openmetrics: true,
            value,
            timestamp,
            exemplar,
        };
        self.validator.sample(&series).map_err(|m| self.error(start, m))?;
        Ok(series)
    }

    /// A value token at `p`.
    fn om_value(&self, p: usize, what: &'static str) -> Result<(f64, usize)> {
        let end = self.token_end(p);
        if end == p {
            return Err(self.expected(p, what));
        }
        match number::parse_value(&self.text[p..end]) {
            Some(v) => Ok((v, end)),
            None => Err(self.error(p, format!("invalid {what} {:?}", &self.text[p..end]))),
        }
    }

    /// A timestamp token (float seconds) at `p`, in milliseconds.
    fn om_timestamp(&self, p: usize, what: &'static str) -> Result<(i64, usize)> {
        let end = self.token_end(p);
        if end == p {
            return Err(self.expected(p, what));
        }
        match number::parse_om_timestamp(&self.text[p..end]) {
            Some(ts) => Ok((ts, end)),
            None => Err(self.error(p, format!("invalid timestamp {:?} (expected finite seconds)", &self.text[p..end]))),
        }
    }

    /// `# {labels} value [timestamp]` starting at the `#`.
    fn om_exemplar(&mut self, hash: usize) -> Result<(Exemplar<'a>, usize)> {
        let b = self.text.as_bytes();
        if b.get(hash + 1) != Some(&b' ') || b.get(hash + 2) != Some(&b'{') {
            return Err(self.expected(hash + 1, "\" {\" after '#' to start exemplar labels"));
        }
        let open = hash + 2;
        let mut lexer = LabelLexer::new(self.text, open + 1, true);
        let mut chars = 0usize;
        self.names.clear();
        loop {
            let term_start = lexer.pos();
            match lexer.next_term().at(self)? {
                None => break,
                Some(Term::Name(_)) => {
                    return Err(self.error(term_start, "exemplar labels cannot name a metric".to_owned()));
                }
                Some(Term::Label(n, v)) => {
                    if self.names.contains(&n.raw()) {
                        return Err(self.error(term_start, format!("duplicate exemplar label name {:?}", n.raw())));
                    }
                    self.names.push(n.raw());
                    chars += n.unescape().chars().count() + v.unescape().chars().count();
                }
            }
        }
        let close = lexer.pos();
        if chars > EXEMPLAR_MAX_CHARS {
            return Err(self.error(
                open,
                format!("exemplar labels have {chars} characters (at most {EXEMPLAR_MAX_CHARS} allowed)"),
            ));
        }
        if b.get(close) != Some(&b' ') {
            return Err(self.expected(close, "' ' before exemplar value"));
        }
        let (value, mut p) = self.om_value(close + 1, "exemplar value")?;
        let mut timestamp = None;
        if b.get(p) == Some(&b' ') {
            let (ts, end) = self.om_timestamp(p + 1, "exemplar timestamp")?;
            timestamp = Some(ts);
            p = end;
        }
        Ok((Exemplar { label_text: &self.text[open + 1..close], value, timestamp }, p))
    }
}
