//! Per-family metadata (type, help, unit) gathered from a parse, for `/api/v1/metadata`.

use std::collections::HashMap;

use crate::parser::{Entry, MetricType};

/// What an exposition declared about one metric family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    /// The family name as declared (unescaped).
    pub metric: String,
    /// The declared type; [`MetricType::Unknown`] if only HELP or UNIT was given.
    pub kind: MetricType,
    /// The unescaped help text, empty if none.
    pub help: String,
    /// The unit, empty if none.
    pub unit: String,
}

/// Collects [`Metadata`] from the entries of a parse; feed it every entry.
///
/// ```
/// use vigil_exposition::{Format, MetadataCollector, MetricType, Parser};
/// let mut p = Parser::new(b"# HELP up Is it up.\n# TYPE up gauge\nup 1\n", Format::Text);
/// let mut meta = MetadataCollector::default();
/// while let Some(e) = p.next()? {
///     meta.observe(&e);
/// }
/// let up = meta.get("up").unwrap();
/// assert_eq!((up.kind, up.help.as_str()), (MetricType::Gauge, "Is it up."));
/// # Ok::<(), vigil_exposition::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct MetadataCollector {
    families: Vec<Metadata>,
    index: HashMap<String, usize>,
}

impl MetadataCollector {
    /// Records a HELP, TYPE or UNIT entry; other entries are ignored.
    pub fn observe(&mut self, entry: &Entry<'_>) {
        match entry {
            Entry::Help { name, help } => self.family(&name.unescape()).help = help.unescape().into_owned(),
            Entry::Type { name, kind } => self.family(&name.unescape()).kind = *kind,
            Entry::Unit { name, unit } => (*unit).clone_into(&mut self.family(&name.unescape()).unit),
            Entry::Series(_) | Entry::Comment(_) | Entry::Eof => {}
        }
    }

    /// The metadata of one family.
    pub fn get(&self, metric: &str) -> Option<&Metadata> {
        self.index.get(metric).map(|&i| &self.families[i])
    }

    /// All families in the order they were first declared.
    pub fn into_vec(self) -> Vec<Metadata> {
        self.families
    }

    fn family(&mut self, metric: &str) -> &mut Metadata {
        let i = match self.index.get(metric) {
            Some(&i) => i,
            None => {
                self.families.push(Metadata {
                    metric: metric.to_owned(),
                    kind: MetricType::Unknown,
                    help: String::new(),
                    unit: String::new(),
                });
                self.index.insert(metric.to_owned(), self.families.len() - 1);
                self.families.len() - 1
            }
        };
        &mut self.families[i]
    }
}
