//! Bucket layouts: turning spans plus per-bucket counts into sorted `(index, count)` pairs and
//! back. Every layout-changing operation (add, schema reduction, compaction, zero-bucket
//! widening) works on pairs, so span bookkeeping is written once.

use super::Span;

/// Absolute bucket indexes of `spans`, in order. Saturates instead of overflowing; validation
/// rejects layouts whose indexes do not fit an `i32`.
pub(crate) fn indexes(spans: &[Span]) -> impl Iterator<Item = i32> + '_ {
    let mut next = 0i32;
    spans.iter().enumerate().flat_map(move |(k, s)| {
        let start = if k == 0 { s.offset } else { next.saturating_add(s.offset) };
        let len = i32::try_from(s.length).unwrap_or(i32::MAX);
        next = start.saturating_add(len);
        (0..len).map(move |j| start.saturating_add(j))
    })
}

/// Total number of buckets the spans describe.
pub(crate) fn bucket_count(spans: &[Span]) -> u64 {
    spans.iter().map(|s| u64::from(s.length)).sum()
}

/// `(index, count)` for every bucket of the layout, including empty ones.
pub(crate) fn pairs<T: Copy>(spans: &[Span], counts: &[T]) -> Vec<(i32, T)> {
    indexes(spans).zip(counts.iter().copied()).collect()
}

/// Spans and counts for sorted, distinct `pairs`: consecutive indexes share a span.
pub(crate) fn from_pairs<T: Copy>(pairs: &[(i32, T)]) -> (Vec<Span>, Vec<T>) {
    let mut spans: Vec<Span> = Vec::new();
    let mut counts = Vec::with_capacity(pairs.len());
    let mut end = 0i64; // One past the last index of the last span.
    for &(i, c) in pairs {
        let i = i64::from(i);
        match spans.last_mut() {
            Some(last) if i == end => last.length += 1,
            Some(_) => spans.push(Span { offset: (i - end) as i32, length: 1 }),
            None => spans.push(Span { offset: i as i32, length: 1 }),
        }
        end = i + 1;
        counts.push(c);
    }
    (spans, counts)
}

/// Drops empty buckets, then re-inserts empty buckets in gaps of at most `max_empty` between two
/// populated ones, so the gap is bridged instead of starting a new span (Prometheus' `Compact`).
pub(crate) fn compact_pairs<T: Copy + Default>(
    pairs: &[(i32, T)],
    max_empty: usize,
    is_empty: impl Fn(T) -> bool,
) -> Vec<(i32, T)> {
    let mut out: Vec<(i32, T)> = Vec::with_capacity(pairs.len());
    for &(i, c) in pairs.iter().filter(|(_, c)| !is_empty(*c)) {
        if let Some(&(prev, _)) = out.last() {
            let gap = i64::from(i) - i64::from(prev) - 1;
            if gap > 0 && gap as u64 <= max_empty as u64 {
                out.extend((prev + 1..i).map(|j| (j, T::default())));
            }
        }
        out.push((i, c));
    }
    out
}

/// Merges two sorted pair lists: an index in both gets `both(a, b)`, an index only in `b` gets
/// `only_b(b)`, an index only in `a` keeps its count.
pub(crate) fn merge_pairs<T: Copy>(
    a: &[(i32, T)],
    b: &[(i32, T)],
    both: impl Fn(T, T) -> T,
    only_b: impl Fn(T) -> T,
) -> Vec<(i32, T)> {
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    let (mut x, mut y) = (0, 0);
    while x < a.len() || y < b.len() {
        match (a.get(x), b.get(y)) {
            (Some(&(i, c)), Some(&(j, d))) if i == j => {
                out.push((i, both(c, d)));
                x += 1;
                y += 1;
            }
            (Some(&(i, c)), Some(&(j, _))) if i < j => {
                out.push((i, c));
                x += 1;
            }
            (Some(&(i, c)), None) => {
                out.push((i, c));
                x += 1;
            }
            (_, Some(&(j, d))) => {
                out.push((j, only_b(d)));
                y += 1;
            }
            (None, None) => break,
        }
    }
    out
}

/// Re-indexes sorted pairs of an exponential schema `from` to the coarser schema `to`, adding the
/// counts of buckets that merge. Bucket `i` of schema `s` lies inside bucket
/// `ceil(i / 2^(s - to))` of schema `to`.
pub(crate) fn reduce_pairs<T: Copy>(pairs: &[(i32, T)], from: i32, to: i32, add: impl Fn(T, T) -> T) -> Vec<(i32, T)> {
    let shift = (from - to).clamp(0, 31) as u32;
    let mut out: Vec<(i32, T)> = Vec::with_capacity(pairs.len());
    for &(i, c) in pairs {
        let target = ((i64::from(i) - 1) >> shift) as i32 + 1;
        match out.last_mut() {
            Some((last, acc)) if *last == target => *acc = add(*acc, c),
            _ => out.push((target, c)),
        }
    }
    out
}

/// Spans equal after normalisation: zero-length spans and span boundaries without a gap do not
/// matter, only which buckets are in the layout.
pub(crate) fn same_layout(a: &[Span], b: &[Span]) -> bool {
    bucket_count(a) == bucket_count(b) && indexes(a).eq(indexes(b))
}
