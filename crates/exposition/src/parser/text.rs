//! The Prometheus text format 0.0.4, line by line.
//!
//! Lenient where Prometheus' own scrape parser is lenient: blank lines, leading blanks, blanks
//! around label tokens, a trailing comma in a label set, any escape sequence in label values, and
//! repeated or late `# HELP`/`# TYPE` lines are accepted. A sample line must end with a newline.

use super::{Entry, MetricType, Parser};
use crate::error::Result;
use crate::escaped::Escaped;
use crate::lex;
use crate::number;
use crate::series::Series;

impl<'a> Parser<'a> {
    pub(super) fn next_text(&mut self) -> Result<Option<Entry<'a>>> {
        let b = self.text.as_bytes();
        loop {
            let p = lex::skip_blanks(b, self.pos);
            match b.get(p) {
                None => {
                    if let Some(bad) = self.invalid_utf8_at {
                        return Err(self.error(bad, String::new()));
                    }
                    self.pos = p;
                    return Ok(None);
                }
                Some(b'\n') => self.advance_line(p),
                Some(b'#') => return self.text_comment(p + 1).map(Some),
                Some(_) => return self.text_sample(p).map(|s| Some(Entry::Series(s))),
            }
        }
    }

    /// A `#` line; `p` is just after the `#`.
    fn text_comment(&mut self, p: usize) -> Result<Entry<'a>> {
        let b = self.text.as_bytes();
        let eol = self.line_end(p);
        if eol == self.text.len() && self.invalid_utf8_at.is_some() {
            return Err(self.error(eol, String::new()));
        }
        let start = lex::skip_blanks(b, p);
        let kw_end = self.token_end(start);
        let keyword = &self.text[start..kw_end];
        let is_meta = (keyword == "HELP" || keyword == "TYPE") && matches!(b.get(kw_end), Some(b' ' | b'\t'));
        let name_at = lex::skip_blanks(b, kw_end);
        if !is_meta || name_at >= eol {
            // A bare `# HELP` is an ordinary comment, as in Prometheus' parsers.
            self.advance_line(eol);
            return Ok(Entry::Comment(&self.text[start..eol]));
        }
        let (name, name_end) = self.scan_meta_name(name_at)?;
        let entry = if keyword == "HELP" {
            let help = if name_end >= eol {
                ""
            } else if matches!(b[name_end], b' ' | b'\t') {
                &self.text[lex::skip_blanks(b, name_end)..eol]
            } else {
                return Err(self.expected(name_end, "blank after metric name"));
            };
            Entry::Help { name, help: Escaped::help(help) }
        } else {
            if name_end >= eol || !matches!(b[name_end], b' ' | b'\t') {
                return Err(self.expected(name_end, "blank and metric type after metric name"));
            }
            let type_at = lex::skip_blanks(b, name_end);
            let word = self.text[type_at..eol].trim_end_matches([' ', '\t']);
            let kind = match word {
                "counter" => MetricType::Counter,
                "gauge" => MetricType::Gauge,
                "histogram" => MetricType::Histogram,
                "summary" => MetricType::Summary,
                "untyped" => MetricType::Unknown,
                _ => {
                    return Err(self.error(
                        type_at,
                        format!(
                            "unknown metric type {word:?} (expected counter, gauge, histogram, summary or untyped)"
                        ),
                    ));
                }
            };
            Entry::Type { name, kind }
        };
        self.advance_line(eol);
        Ok(entry)
    }

    /// A sample line starting at `start`.
    #[inline]
    fn text_sample(&mut self, start: usize) -> Result<Series<'a>> {
        let b = self.text.as_bytes();
        let name_end = lex::scan_metric_name(b, start);
        let mut name = (name_end > start).then(|| Escaped::plain(&self.text[start..name_end]));
        if name.is_none() && b[start] != b'{' {
            return Err(self.expected(start, "metric name, '{' or '#'"));
        }
        let mut p = lex::skip_blanks(b, name_end);
        let (series_end, label_text) = if b.get(p) == Some(&b'{') {
            let open = p;
            let (inner, close) = self.scan_label_set(open, name.is_some())?;
            if inner.is_some() {
                name = inner;
            }
            p = lex::skip_blanks(b, close);
            (close, &self.text[open + 1..close])
        } else {
            if p == name_end {
                return Err(self.expected(p, "label set or blank before value"));
            }
            (name_end, "")
        };
        let Some(name) = name else {
            return Err(self.error(start, "metric name missing".to_owned()));
        };
        let value_end = self.token_end(p);
        if value_end == p {
            return Err(self.expected(p, "sample value"));
        }
        let Some(value) = number::parse_value(&self.text[p..value_end]) else {
            return Err(self.error(p, format!("invalid sample value {:?}", &self.text[p..value_end])));
        };
        p = lex::skip_blanks(b, value_end);
        let mut timestamp = None;
        if p < b.len() && b[p] != b'\n' {
            let ts_end = self.token_end(p);
            let Some(ts) = number::parse_int_timestamp(&self.text[p..ts_end]) else {
                return Err(self.error(
                    p,
                    format!("invalid timestamp {:?} (expected integer milliseconds)", &self.text[p..ts_end]),
                ));
            };
            timestamp = Some(ts);
            p = lex::skip_blanks(b, ts_end);
        }
        match b.get(p) {
            Some(b'\n') => {}
            _ if timestamp.is_some() => return Err(self.expected(p, "end of line after timestamp")),
            _ => return Err(self.expected(p, "timestamp or end of line")),
        }
        self.advance_line(p);
        Ok(Series {
            raw: &self.text[start..series_end],
            name,
            label_text,
            openmetrics: false,
            value,
            timestamp,
            exemplar: None,
        })
    }
}
