//! The one place that talks to the exposition parser, reduced to what scraping needs.

use crate::{Error, Result};
use std::borrow::Cow;
use vigil_exposition::{Entry, Format, Parser, Series, Validation};
use vigil_model::{METRIC_NAME, Timestamp};

/// A sample line.
pub(crate) struct Line<'a> {
    /// The series as written (name and label set), the cache key.
    pub raw: &'a [u8],
    pub value: f64,
    pub timestamp: Option<Timestamp>,
    series: Series<'a>,
}

impl<'a> Line<'a> {
    /// Appends the unescaped labels, `__name__` first, to `out`.
    pub fn labels(&self, out: &mut Vec<(Cow<'a, str>, Cow<'a, str>)>) {
        out.push((Cow::Borrowed(METRIC_NAME), self.series.name().unescape()));
        out.extend(self.series.labels().map(|(n, v)| (n.unescape(), v.unescape())));
    }
}

/// What the parser found on one line.
pub(crate) enum Item<'a> {
    Series(Line<'a>),
    Type(&'a str, &'static str),
    Help(&'a str, Cow<'a, str>),
    Unit(&'a str, &'a str),
}

/// Calls `f` for each sample and metadata line of `body`. Stops at the first error from either.
pub(crate) fn parse<'a>(body: &'a [u8], format: Format, mut f: impl FnMut(Item<'a>) -> Result<()>) -> Result<()> {
    // Syntax-only checking accepts what Prometheus' scrape parser accepts (e.g. client_golang
    // histograms with negative buckets and a `_sum`), where full OpenMetrics checking rejects them.
    let mut parser = Parser::with_validation(body, format, Validation::SyntaxOnly);
    loop {
        let entry = parser.next().map_err(|e| Error::Parse(e.to_string()))?;
        let item = match entry {
            None => return Ok(()),
            Some(Entry::Series(s)) => {
                Item::Series(Line { raw: s.raw().as_bytes(), value: s.value(), timestamp: s.timestamp(), series: s })
            }
            Some(Entry::Type { name, kind }) => Item::Type(name.raw(), kind.as_str()),
            Some(Entry::Help { name, help }) => Item::Help(name.raw(), help.unescape()),
            Some(Entry::Unit { name, unit }) => Item::Unit(name.raw(), unit),
            Some(_) => continue,
        };
        f(item)?;
    }
}
