//! A parsed sample line: borrowed metric name and label text, value, timestamp, exemplar.

use vigil_model::{Labels, LabelsBuilder, METRIC_NAME, Timestamp};

use crate::escaped::Escaped;
use crate::lex::{LabelLexer, Term};

/// One sample line. Everything is borrowed from the input; labels are lexed again on demand by
/// [`Series::labels`], which is cheaper than storing them when the scraper's cache hits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Series<'a> {
    pub(crate) raw: &'a str,
    pub(crate) name: Escaped<'a>,
    /// From just after `{` through the closing `}`; empty when the line has no braces.
    pub(crate) label_text: &'a str,
    pub(crate) openmetrics: bool,
    pub(crate) value: f64,
    pub(crate) timestamp: Option<Timestamp>,
    pub(crate) exemplar: Option<Exemplar<'a>>,
}

impl<'a> Series<'a> {
    /// The series part of the line as written: metric name and label set, without value,
    /// timestamp or exemplar. Identical text means an identical series.
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// A stable hash (XXH3-64 of [`Series::raw`]) for a scraper's position cache. It is the same
    /// across processes and releases; two spellings of one series hash differently. A cache that
    /// must never confuse two series compares [`Series::raw`] on a hit as well.
    pub fn raw_hash(&self) -> u64 {
        xxhash_rust::xxh3::xxh3_64(self.raw.as_bytes())
    }

    /// The metric name (quoted names come back without quotes).
    pub fn name(&self) -> Escaped<'a> {
        self.name
    }

    /// The sample value.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// The explicit timestamp in milliseconds, if the line had one.
    pub fn timestamp(&self) -> Option<Timestamp> {
        self.timestamp
    }

    /// The exemplar (OpenMetrics only).
    pub fn exemplar(&self) -> Option<&Exemplar<'a>> {
        self.exemplar.as_ref()
    }

    /// The labels in input order, without the metric name.
    pub fn labels(&self) -> LabelIter<'a> {
        LabelIter::new(self.label_text, self.openmetrics)
    }

    /// The value of one label, if present.
    pub fn label(&self, name: &str) -> Option<Escaped<'a>> {
        self.labels().find(|(n, _)| n.eq_str(name)).map(|(_, v)| v)
    }

    /// Builds the full label set, `__name__` included. Allocates; call it on a cache miss.
    pub fn to_labels(&self) -> Labels {
        let mut b = LabelsBuilder::new();
        b.set(METRIC_NAME, &self.name.unescape());
        for (n, v) in self.labels() {
            b.set(&n.unescape(), &v.unescape());
        }
        b.build()
    }
}

/// An OpenMetrics exemplar: `# {labels} value [timestamp]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Exemplar<'a> {
    pub(crate) label_text: &'a str,
    pub(crate) value: f64,
    pub(crate) timestamp: Option<Timestamp>,
}

impl<'a> Exemplar<'a> {
    /// The exemplar's labels in input order.
    pub fn labels(&self) -> LabelIter<'a> {
        LabelIter::new(self.label_text, true)
    }

    /// The exemplar's label set.
    pub fn to_labels(&self) -> Labels {
        let mut b = LabelsBuilder::new();
        for (n, v) in self.labels() {
            b.set(&n.unescape(), &v.unescape());
        }
        b.build()
    }

    /// The exemplar value.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// The exemplar timestamp in milliseconds, if given.
    pub fn timestamp(&self) -> Option<Timestamp> {
        self.timestamp
    }
}

/// Iterates `(name, value)` pairs of an already validated label set, skipping the metric name.
#[derive(Debug, Clone)]
pub struct LabelIter<'a> {
    lexer: Option<LabelLexer<'a>>,
}

impl<'a> LabelIter<'a> {
    fn new(label_text: &'a str, openmetrics: bool) -> Self {
        let lexer = (!label_text.is_empty()).then(|| LabelLexer::new(label_text, 0, openmetrics));
        Self { lexer }
    }
}

impl<'a> Iterator for LabelIter<'a> {
    type Item = (Escaped<'a>, Escaped<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let lexer = self.lexer.as_mut()?;
        loop {
            // The text was validated by the parser, so an error cannot happen; ending is safe.
            match lexer.next_term() {
                Ok(Some(Term::Label(n, v))) if n.raw() != METRIC_NAME => return Some((n, v)),
                Ok(Some(_)) => continue,
                Ok(None) | Err(_) => {
                    self.lexer = None;
                    return None;
                }
            }
        }
    }
}
