//! A histogram chunk's bucket layout (written once, before the first sample) and the layout
//! arithmetic of appending: which bucket indexes two layouts cover, their union, and moving
//! bucket values from one layout to a wider one.

use super::varbit::{
    BitWriter, put_custom_bound, put_varbit_int, put_varbit_uint, put_zero_threshold, read_custom_bound,
    read_varbit_int, read_varbit_uint, read_zero_threshold,
};
use crate::chunk::bits::BitReader;
use crate::{Error, Result};
use vigil_model::histogram::{CUSTOM_BUCKETS_SCHEMA, Span, is_custom_buckets_schema};

/// Schema, zero threshold, spans and custom bounds shared by every sample of a chunk.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Layout {
    pub schema: i32,
    pub zero_threshold: f64,
    pub positive: Vec<Span>,
    pub negative: Vec<Span>,
    pub custom_values: Vec<f64>,
}

impl Layout {
    /// Writes the layout in Prometheus' order: zero threshold, schema, positive spans, negative
    /// spans, then (custom-buckets schema only) the bounds.
    pub fn write(&self, w: &mut BitWriter) {
        put_zero_threshold(w, self.zero_threshold);
        put_varbit_int(w, i64::from(self.schema));
        for spans in [&self.positive, &self.negative] {
            put_varbit_uint(w, spans.len() as u64);
            for s in spans {
                put_varbit_uint(w, u64::from(s.length));
                put_varbit_int(w, i64::from(s.offset));
            }
        }
        if is_custom_buckets_schema(self.schema) {
            put_varbit_uint(w, self.custom_values.len() as u64);
            for &b in &self.custom_values {
                put_custom_bound(w, b);
            }
        }
    }

    /// Reads a layout written by [`Self::write`]. Lists longer than the bits left are corrupt
    /// (every entry takes at least one bit), so a bad length cannot make us allocate.
    pub fn read(r: &mut BitReader<'_>) -> Result<Self> {
        let corrupt = |m: String| Error::corrupt("histogram chunk", m);
        let zero_threshold = read_zero_threshold(r)?;
        let schema = read_varbit_int(r)?;
        let schema = i32::try_from(schema)
            .ok()
            .filter(|&s| (-4..=8).contains(&s) || s == CUSTOM_BUCKETS_SCHEMA)
            .ok_or_else(|| corrupt(format!("unknown schema {schema}")))?;
        let mut spans = [Vec::new(), Vec::new()];
        for side in &mut spans {
            let n = list_len(r)?;
            for _ in 0..n {
                let length = read_varbit_uint(r)?;
                let offset = read_varbit_int(r)?;
                side.push(Span {
                    offset: i32::try_from(offset).map_err(|_| corrupt(format!("span offset {offset}")))?,
                    length: u32::try_from(length).map_err(|_| corrupt(format!("span length {length}")))?,
                });
            }
        }
        let mut custom_values = Vec::new();
        if is_custom_buckets_schema(schema) {
            for _ in 0..list_len(r)? {
                custom_values.push(read_custom_bound(r)?);
            }
        }
        let [positive, negative] = spans;
        let layout = Self { schema, zero_threshold, positive, negative, custom_values };
        let buckets = layout.num_positive() + layout.num_negative();
        if buckets > r.remaining_bits() {
            return Err(corrupt(format!("layout of {buckets} buckets is larger than the chunk")));
        }
        Ok(layout)
    }

    /// Buckets of the positive spans.
    pub fn num_positive(&self) -> usize {
        count(&self.positive)
    }

    /// Buckets of the negative spans.
    pub fn num_negative(&self) -> usize {
        count(&self.negative)
    }
}

fn list_len(r: &mut BitReader<'_>) -> Result<usize> {
    let n = read_varbit_uint(r)?;
    usize::try_from(n)
        .ok()
        .filter(|&n| n <= r.remaining_bits())
        .ok_or_else(|| Error::corrupt("histogram chunk", format!("list of {n} entries is longer than the chunk")))
}

/// Number of buckets the spans describe.
pub fn count(spans: &[Span]) -> usize {
    spans.iter().map(|s| s.length as usize).sum()
}

/// The bucket indexes the spans cover, ascending.
pub fn indexes(spans: &[Span]) -> Vec<i32> {
    let mut out = Vec::with_capacity(count(spans));
    let mut at = 0i32;
    for (k, s) in spans.iter().enumerate() {
        at = if k == 0 { s.offset } else { at.wrapping_add(s.offset) };
        for _ in 0..s.length {
            out.push(at);
            at = at.wrapping_add(1);
        }
    }
    out
}

/// Spans for ascending bucket indexes: consecutive indexes share a span.
pub fn spans_of(idx: &[i32]) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    let mut next = 0i32;
    for &i in idx {
        match out.last_mut() {
            Some(s) if i == next => s.length += 1,
            Some(_) => out.push(Span { offset: i - next, length: 1 }),
            None => out.push(Span { offset: i, length: 1 }),
        }
        next = i + 1;
    }
    out
}

/// The ascending union of two ascending index lists.
pub fn union(a: &[i32], b: &[i32]) -> Vec<i32> {
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) if x == y => {
                out.push(x);
                i += 1;
                j += 1;
            }
            (Some(&x), Some(&y)) if x < y => {
                out.push(x);
                i += 1;
            }
            (Some(&x), None) => {
                out.push(x);
                i += 1;
            }
            (_, Some(&y)) => {
                out.push(y);
                j += 1;
            }
            (None, None) => break,
        }
    }
    out
}

/// Absolute counts `vals` at indexes `from` placed on the wider index list `to` (a superset),
/// with zeros for the buckets `from` lacks.
pub fn widen<T: Copy + Default>(from: &[i32], vals: &[T], to: &[i32]) -> Vec<T> {
    let mut out = Vec::with_capacity(to.len());
    let mut k = 0;
    for &i in to {
        if from.get(k) == Some(&i) {
            out.push(vals.get(k).copied().unwrap_or_default());
            k += 1;
        } else {
            out.push(T::default());
        }
    }
    out
}

/// Absolute counts of delta-encoded buckets.
pub fn absolute(deltas: &[i64]) -> Vec<i64> {
    let mut acc = 0i64;
    deltas
        .iter()
        .map(|&d| {
            acc = acc.wrapping_add(d);
            acc
        })
        .collect()
}

/// Delta encoding of absolute counts.
pub fn deltas(abs: &[i64]) -> Vec<i64> {
    let mut prev = 0i64;
    abs.iter()
        .map(|&c| {
            let d = c.wrapping_sub(prev);
            prev = c;
            d
        })
        .collect()
}
