//! The inverted index: for each label name and value, the sorted ids of series that have it.

use super::postings::{insert, intersect, subtract, union};
use super::symbols::Symbols;
use hashbrown::HashMap;
use vigil_model::Matcher;

/// Postings per (name symbol, value symbol), plus the list of all series.
#[derive(Debug, Default)]
pub struct Index {
    postings: HashMap<u32, HashMap<u32, Vec<u32>>>,
    all: Vec<u32>,
}

impl Index {
    /// Adds series `id` with its (name, value) symbol pairs.
    pub fn add(&mut self, id: u32, pairs: &[(u32, u32)]) {
        insert(&mut self.all, id);
        for &(n, v) in pairs {
            insert(self.postings.entry(n).or_default().entry(v).or_default(), id);
        }
    }

    /// Removes series (sorted `ids`) whose pairs are listed in `pairs`.
    pub fn remove(&mut self, ids: &[u32], pairs: &[(u32, u32)]) {
        if ids.is_empty() {
            return;
        }
        self.all = subtract(&self.all, ids);
        let mut touched: Vec<(u32, u32)> = pairs.to_vec();
        touched.sort_unstable();
        touched.dedup();
        for (n, v) in touched {
            let Some(values) = self.postings.get_mut(&n) else { continue };
            if let Some(list) = values.get_mut(&v) {
                *list = subtract(list, ids);
                if list.is_empty() {
                    values.remove(&v);
                } else {
                    list.shrink_to_fit();
                }
            }
            if values.is_empty() {
                self.postings.remove(&n);
            }
        }
        self.all.shrink_to_fit();
    }

    /// All series ids.
    pub fn all(&self) -> &[u32] {
        &self.all
    }

    /// Ids of series matching every matcher; an empty matcher list selects every series.
    pub fn select(&self, symbols: &Symbols, matchers: &[Matcher]) -> Vec<u32> {
        // Positive matchers (which do not match the empty value) shrink the set by intersection;
        // matchers that match "" can only remove the series whose value they reject.
        let mut result: Option<Vec<u32>> = None;
        let mut exclude: Vec<Vec<u32>> = Vec::new();
        for m in matchers {
            if m.matches_empty() {
                exclude.push(self.values_where(symbols, m, false));
            } else {
                let ids = self.values_where(symbols, m, true);
                result = Some(match result {
                    None => ids,
                    Some(r) => intersect(&r, &ids),
                });
                if result.as_ref().is_some_and(Vec::is_empty) {
                    return Vec::new();
                }
            }
        }
        let mut r = result.unwrap_or_else(|| self.all.clone());
        for ex in exclude {
            r = subtract(&r, &ex);
        }
        r
    }

    /// Union of postings of `m.name` whose value matches (`want == true`) or does not match.
    fn values_where(&self, symbols: &Symbols, m: &Matcher, want: bool) -> Vec<u32> {
        let Some(values) = symbols.get(&m.name).and_then(|n| self.postings.get(&n)) else {
            return Vec::new();
        };
        if want && let Some(set) = m.set_matches() {
            let lists: Vec<&[u32]> =
                set.iter().filter_map(|v| symbols.get(v)).filter_map(|v| values.get(&v)).map(Vec::as_slice).collect();
            return union(&lists);
        }
        let lists: Vec<&[u32]> =
            values.iter().filter(|(v, _)| m.matches(symbols.resolve(**v)) == want).map(|(_, l)| l.as_slice()).collect();
        union(&lists)
    }

    /// Label names (symbols) with at least one series.
    pub fn names(&self) -> impl Iterator<Item = u32> + '_ {
        self.postings.keys().copied()
    }

    /// Values (symbols) of `name` with their postings.
    pub fn values(&self, name: u32) -> impl Iterator<Item = (u32, &[u32])> + '_ {
        self.postings.get(&name).into_iter().flat_map(|m| m.iter().map(|(v, l)| (*v, l.as_slice())))
    }

    /// Every (name, value, postings) triple.
    pub fn pairs(&self) -> impl Iterator<Item = (u32, u32, &[u32])> + '_ {
        self.postings.iter().flat_map(|(n, m)| m.iter().map(move |(v, l)| (*n, *v, l.as_slice())))
    }

    /// Heap bytes used (approximate).
    pub fn memory_bytes(&self) -> usize {
        let lists: usize = self.pairs().map(|(_, _, l)| l.len() * 4 + 40).sum();
        lists + self.all.capacity() * 4 + self.postings.len() * 48
    }
}

#[cfg(test)]
mod tests;
