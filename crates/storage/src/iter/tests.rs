//! Tests for the in-memory and merging sample iterators.

use super::*;

fn src(points: &[(i64, f64)]) -> Box<dyn SampleIterator> {
    let mut s = Samples::default();
    for &(t, v) in points {
        s.push(t, v);
    }
    Box::new(SamplesIterator::new(s))
}

fn check(sources: Vec<Box<dyn SampleIterator>>, seek: Option<i64>, expect: &[(i64, f64)]) {
    let mut m = MergeIterator::new(sources);
    let mut got = Vec::new();
    if let Some(t) = seek {
        got.extend(m.seek(t).unwrap());
    }
    while let Some(p) = m.next().unwrap() {
        got.push(p);
    }
    assert_eq!(got, expect);
}

#[test]
fn merge_disjoint_and_interleaved() {
    check(vec![src(&[(1, 1.0), (2, 2.0)]), src(&[(3, 3.0)])], None, &[(1, 1.0), (2, 2.0), (3, 3.0)]);
    check(
        vec![src(&[(1, 1.0), (5, 5.0)]), src(&[(2, 2.0), (4, 4.0)])],
        None,
        &[(1, 1.0), (2, 2.0), (4, 4.0), (5, 5.0)],
    );
}

#[test]
fn merge_overlap_dedups_with_first_source_winning() {
    check(
        vec![src(&[(1, 10.0), (2, 20.0)]), src(&[(1, 1.0), (2, 2.0), (3, 3.0)])],
        None,
        &[(1, 10.0), (2, 20.0), (3, 3.0)],
    );
    check(vec![src(&[]), src(&[(7, 7.0)]), src(&[(7, 0.0)])], None, &[(7, 7.0)]);
}

#[test]
fn merge_seek() {
    let a = &[(1, 1.0), (4, 4.0), (9, 9.0)];
    let b = &[(2, 2.0), (4, 40.0), (6, 6.0)];
    check(vec![src(a), src(b)], Some(4), &[(4, 4.0), (6, 6.0), (9, 9.0)]);
    check(vec![src(a), src(b)], Some(10), &[]);
    let mut m = MergeIterator::new(vec![src(a), src(b)]);
    assert_eq!(m.next().unwrap(), Some((1, 1.0)));
    assert_eq!(m.seek(5).unwrap(), Some((6, 6.0)));
    // Seeking backwards does not rewind.
    assert_eq!(m.seek(0).unwrap(), Some((9, 9.0)));
    assert_eq!(m.next().unwrap(), None);
}

#[test]
fn samples_iterator_seek_and_collect() {
    let mut it = src(&[(1, 1.0), (3, 3.0), (5, 5.0)]);
    assert_eq!(it.seek(2).unwrap(), Some((3, 3.0)));
    assert_eq!(collect(it.as_mut()).unwrap().timestamps, vec![5]);
}

/// Chunks handed out from a list, some empty, to drive [`ChunkSamples`].
struct ListChunks(std::collections::VecDeque<Vec<(i64, f64)>>);

impl ChunkIterator for ListChunks {
    fn next_chunk(&mut self, out: &mut Samples) -> crate::Result<bool> {
        let Some(c) = self.0.pop_front() else { return Ok(false) };
        *out = Samples::default();
        for (t, v) in c {
            out.push(t, v);
        }
        Ok(true)
    }
}

fn chunked(chunks: &[&[(i64, f64)]]) -> ChunkSamples<'static> {
    ChunkSamples::new(Box::new(ListChunks(chunks.iter().map(|c| c.to_vec()).collect())))
}

#[test]
fn chunk_samples_walk_and_seek_across_chunks() {
    let chunks: &[&[(i64, f64)]] = &[&[(1, 1.0), (2, 2.0)], &[], &[(5, 5.0)], &[], &[], &[(7, 7.0), (9, 9.0)]];
    let mut it = chunked(chunks);
    let mut all = Vec::new();
    while let Some(p) = it.next().unwrap() {
        all.push(p);
    }
    assert_eq!(all, [(1, 1.0), (2, 2.0), (5, 5.0), (7, 7.0), (9, 9.0)]);
    for (t, want) in [(0, Some(1)), (2, Some(2)), (3, Some(5)), (6, Some(7)), (9, Some(9)), (10, None)] {
        assert_eq!(chunked(chunks).seek(t).unwrap().map(|p| p.0), want, "seek({t})");
    }
    // Seeking never moves backwards, and `next` continues after the sought sample.
    let mut it = chunked(chunks);
    assert_eq!(it.seek(5).unwrap(), Some((5, 5.0)));
    assert_eq!(it.seek(1).unwrap(), Some((7, 7.0)));
    assert_eq!(it.next().unwrap(), Some((9, 9.0)));
    assert_eq!(it.next().unwrap(), None);
    assert!(chunked(&[]).next().unwrap().is_none());
}
