//! Label sets.
//!
//! **Invariant:** a [`Labels`] value is sorted by name and holds each name at most once, and no
//! value is empty (an empty value means "absent", as in Prometheus).

use std::fmt;

/// The label that holds the metric name.
pub const METRIC_NAME: &str = "__name__";

/// One name/value pair.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Label {
    /// Label name.
    pub name: String,
    /// Label value (never empty inside a [`Labels`]).
    pub value: String,
}

/// A sorted, duplicate-free set of labels identifying a series.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Labels {
    labels: Vec<Label>,
}

impl Labels {
    /// The empty label set.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Builds a label set from pairs in any order. Later duplicates win; empty values are dropped.
    pub fn from_pairs<N: AsRef<str>, V: AsRef<str>>(pairs: &[(N, V)]) -> Self {
        let mut b = LabelsBuilder::new();
        for (n, v) in pairs {
            b.set(n.as_ref(), v.as_ref());
        }
        b.build()
    }

    /// Builds from labels that are already sorted by name with unique names and non-empty values.
    /// Debug builds check the invariant.
    pub fn from_sorted(labels: Vec<Label>) -> Self {
        debug_assert!(labels.windows(2).all(|w| w[0].name < w[1].name));
        debug_assert!(labels.iter().all(|l| !l.value.is_empty()));
        Self { labels }
    }

    /// The value of `name`, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.labels.binary_search_by(|l| l.name.as_str().cmp(name)).ok().map(|i| self.labels[i].value.as_str())
    }

    /// The metric name (`__name__`), if present.
    pub fn metric_name(&self) -> Option<&str> {
        self.get(METRIC_NAME)
    }

    /// Whether `name` is present.
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The labels in name order.
    pub fn iter(&self) -> std::slice::Iter<'_, Label> {
        self.labels.iter()
    }

    /// Number of labels.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no labels.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The labels as a slice in name order.
    pub fn as_slice(&self) -> &[Label] {
        &self.labels
    }

    /// Consumes the set, returning its labels in name order.
    pub fn into_vec(self) -> Vec<Label> {
        self.labels
    }

    /// XXH64 over `name 0xff value 0xff ...`, the same hash as Prometheus' `labels.Hash()`.
    pub fn hash_xxh64(&self) -> u64 {
        hash_labels(self.labels.iter())
    }

    /// Hash of only the named labels (for `by (...)` grouping).
    pub fn hash_for(&self, names: &[&str]) -> u64 {
        hash_labels(self.labels.iter().filter(|l| names.contains(&l.name.as_str())))
    }

    /// Hash of all labels except the named ones (and, if `drop_name`, except `__name__`).
    pub fn hash_without(&self, names: &[&str], drop_name: bool) -> u64 {
        hash_labels(
            self.labels.iter().filter(|l| !(names.contains(&l.name.as_str()) || drop_name && l.name == METRIC_NAME)),
        )
    }

    /// A copy keeping only the named labels.
    pub fn keep_only(&self, names: &[&str]) -> Labels {
        Labels { labels: self.labels.iter().filter(|l| names.contains(&l.name.as_str())).cloned().collect() }
    }

    /// A copy without the named labels.
    pub fn without(&self, names: &[&str]) -> Labels {
        Labels { labels: self.labels.iter().filter(|l| !names.contains(&l.name.as_str())).cloned().collect() }
    }

    /// A copy without `__name__`.
    pub fn without_metric_name(&self) -> Labels {
        self.without(&[METRIC_NAME])
    }

    /// A builder that starts from these labels.
    pub fn builder(&self) -> LabelsBuilder {
        LabelsBuilder { labels: self.labels.clone() }
    }
}

/// XXH64 over `name 0xff value 0xff` for each label, in the order given.
fn hash_labels<'a>(labels: impl Iterator<Item = &'a Label>) -> u64 {
    let mut h = xxhash_rust::xxh64::Xxh64::new(0);
    for l in labels {
        h.update(l.name.as_bytes());
        h.update(&[0xff]);
        h.update(l.value.as_bytes());
        h.update(&[0xff]);
    }
    h.digest()
}

impl fmt::Display for Labels {
    /// Formats like Prometheus: `{__name__="up", job="api"}` with Go-style escaping of values.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (i, l) in self.labels.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}=\"", l.name)?;
            for c in l.value.chars() {
                match c {
                    '\\' => f.write_str("\\\\")?,
                    '"' => f.write_str("\\\"")?,
                    '\n' => f.write_str("\\n")?,
                    c => write!(f, "{c}")?,
                }
            }
            f.write_str("\"")?;
        }
        f.write_str("}")
    }
}

impl<'a> IntoIterator for &'a Labels {
    type Item = &'a Label;
    type IntoIter = std::slice::Iter<'a, Label>;
    fn into_iter(self) -> Self::IntoIter {
        self.labels.iter()
    }
}

/// Mutable label set that keeps the [`Labels`] invariant on every operation.
#[derive(Debug, Clone, Default)]
pub struct LabelsBuilder {
    labels: Vec<Label>,
}

impl LabelsBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name` to `value`; an empty value deletes the label.
    pub fn set(&mut self, name: &str, value: &str) -> &mut Self {
        match self.labels.binary_search_by(|l| l.name.as_str().cmp(name)) {
            Ok(i) if value.is_empty() => {
                self.labels.remove(i);
            }
            Ok(i) => value.clone_into(&mut self.labels[i].value),
            Err(_) if value.is_empty() => {}
            Err(i) => self.labels.insert(i, Label { name: name.to_owned(), value: value.to_owned() }),
        }
        self
    }

    /// Deletes `name` if present.
    pub fn del(&mut self, name: &str) -> &mut Self {
        self.set(name, "")
    }

    /// The current value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.labels.binary_search_by(|l| l.name.as_str().cmp(name)).ok().map(|i| self.labels[i].value.as_str())
    }

    /// Keeps only labels for which `keep` returns true.
    pub fn retain(&mut self, mut keep: impl FnMut(&Label) -> bool) -> &mut Self {
        self.labels.retain(|l| keep(l));
        self
    }

    /// The current labels in name order.
    pub fn iter(&self) -> std::slice::Iter<'_, Label> {
        self.labels.iter()
    }

    /// Finishes the label set.
    pub fn build(self) -> Labels {
        Labels { labels: self.labels }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_and_deduplicated() {
        let l = Labels::from_pairs(&[("b", "1"), ("a", "2"), ("b", "3"), ("c", "")]);
        assert_eq!(l.to_string(), r#"{a="2", b="3"}"#);
    }

    #[test]
    fn hash_matches_prometheus_layout() {
        // Same bytes fed to XXH64 as Prometheus' labels.Hash for {a="1"}.
        let l = Labels::from_pairs(&[("a", "1")]);
        let want = xxhash_rust::xxh64::xxh64(b"a\xff1\xff", 0);
        assert_eq!(l.hash_xxh64(), want);
    }

    #[test]
    fn display_escapes() {
        let l = Labels::from_pairs(&[("a", "x\"y\\z\n")]);
        assert_eq!(l.to_string(), r#"{a="x\"y\\z\n"}"#);
    }
}
