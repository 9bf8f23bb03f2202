//! Interned label names and values: each distinct string is stored once and named by a `u32`.

use hashbrown::{DefaultHashBuilder, HashTable};
use std::hash::BuildHasher;

/// The symbol table. Symbols are never freed while the process runs (a few hundred to a few
/// hundred thousand strings; label churn mostly reuses them).
#[derive(Debug, Default)]
pub struct Symbols {
    data: String,
    spans: Vec<(u32, u32)>,
    table: HashTable<u32>,
    hasher: DefaultHashBuilder,
}

impl Symbols {
    /// The id of `s`, if interned.
    pub fn get(&self, s: &str) -> Option<u32> {
        let h = self.hasher.hash_one(s);
        self.table.find(h, |&id| self.resolve(id) == s).copied()
    }

    /// The id of `s`, interning it if needed.
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(id) = self.get(s) {
            return id;
        }
        let id = self.spans.len() as u32;
        let start = self.data.len() as u32;
        self.data.push_str(s);
        self.spans.push((start, s.len() as u32));
        let h = self.hasher.hash_one(s);
        let (spans, data, hasher) = (&self.spans, &self.data, &self.hasher);
        self.table.insert_unique(h, id, |&i| {
            let (st, len) = spans[i as usize];
            hasher.hash_one(&data[st as usize..(st + len) as usize])
        });
        id
    }

    /// The string of symbol `id` (empty for an unknown id, which never happens for ids from here).
    pub fn resolve(&self, id: u32) -> &str {
        match self.spans.get(id as usize) {
            Some(&(st, len)) => self.data.get(st as usize..(st + len) as usize).unwrap_or(""),
            None => "",
        }
    }

    /// Number of symbols.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether there are no symbols.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Heap bytes used.
    pub fn memory_bytes(&self) -> usize {
        self.data.capacity() + self.spans.capacity() * 8 + self.table.capacity() * 5
    }
}
