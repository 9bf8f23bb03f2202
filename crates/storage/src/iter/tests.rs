//! Tests for the in-memory and merging sample iterators.

use super::*;
use std::sync::Arc;
use vigil_model::FloatHistogram;

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

/// A sample of a mixed series in test notation: a float or a histogram with `count` observations.
#[derive(Clone, Copy)]
enum Mixed {
    F(i64, f64),
    H(i64, f64),
}

fn hist(count: f64) -> Arc<FloatHistogram> {
    Arc::new(FloatHistogram { count, ..FloatHistogram::default() })
}

fn mixed(points: &[Mixed]) -> Samples {
    let mut s = Samples::default();
    for p in points {
        match *p {
            Mixed::F(t, v) => s.push(t, v),
            Mixed::H(t, c) => s.push_histogram(t, hist(c)),
        }
    }
    s
}

/// What value-typed iteration yields, histograms shown by their count.
fn values(it: &mut dyn SampleIterator) -> Vec<(i64, &'static str, f64)> {
    let mut out = Vec::new();
    while let Some((t, v)) = it.next_value().unwrap() {
        out.push(match v {
            SampleValue::Float(v) => (t, "f", v),
            SampleValue::Histogram(h) => (t, "h", h.count),
        });
    }
    out
}

const SERIES: &[Mixed] = &[Mixed::F(1, 1.0), Mixed::H(2, 20.0), Mixed::H(3, 30.0), Mixed::F(4, 4.0), Mixed::H(6, 60.0)];

#[test]
fn float_path_skips_histograms_and_value_path_yields_both() {
    let mut it = SamplesIterator::new(mixed(SERIES));
    assert_eq!(it.next().unwrap(), Some((1, 1.0)));
    assert_eq!(it.next().unwrap(), Some((4, 4.0)), "histograms at 2 and 3 are passed over");
    assert_eq!(it.next_value().unwrap().map(|p| p.0), Some(6), "the paths share one position");
    assert_eq!(it.next().unwrap(), None);
    let want = vec![(1, "f", 1.0), (2, "h", 20.0), (3, "h", 30.0), (4, "f", 4.0), (6, "h", 60.0)];
    assert_eq!(values(&mut SamplesIterator::new(mixed(SERIES))), want);
    let mut it = SamplesIterator::new(mixed(SERIES));
    assert_eq!(it.seek_value(3).unwrap().map(|p| p.0), Some(3));
    assert_eq!(it.seek(0).unwrap(), Some((4, 4.0)));
    let mut it = SamplesIterator::new(mixed(SERIES));
    assert_eq!(it.seek(2).unwrap(), Some((4, 4.0)));
    let collected = collect(&mut SamplesIterator::new(mixed(SERIES))).unwrap();
    assert_eq!((collected.len(), collected.histogram_len()), (2, 3));
}

/// Chunks of one kind each, as the tsdb cuts them when a series switches type.
struct MixedChunks(std::collections::VecDeque<Vec<Mixed>>);

impl ChunkIterator for MixedChunks {
    fn next_chunk(&mut self, out: &mut Samples) -> crate::Result<bool> {
        let Some(c) = self.0.pop_front() else { return Ok(false) };
        *out = mixed(&c);
        Ok(true)
    }
}

#[test]
fn chunk_samples_and_merge_over_mixed_chunks() {
    let chunks = || {
        let list = vec![SERIES[..1].to_vec(), SERIES[1..3].to_vec(), vec![], SERIES[3..].to_vec()];
        ChunkSamples::new(Box::new(MixedChunks(list.into_iter().collect())))
    };
    let want = vec![(1, "f", 1.0), (2, "h", 20.0), (3, "h", 30.0), (4, "f", 4.0), (6, "h", 60.0)];
    assert_eq!(values(&mut chunks()), want);
    let mut floats = chunks();
    assert_eq!(floats.next().unwrap(), Some((1, 1.0)));
    assert_eq!(floats.next().unwrap(), Some((4, 4.0)), "a histogram-only chunk yields no float");
    assert_eq!(floats.next().unwrap(), None);
    assert_eq!(chunks().seek(2).unwrap(), Some((4, 4.0)));
    assert_eq!(chunks().seek_value(2).unwrap().map(|p| p.0), Some(2));
    assert_eq!(chunks().seek_value(5).unwrap().map(|p| p.0), Some(6));
    // The first source wins a shared timestamp whatever the kinds.
    let other: Box<dyn SampleIterator> = Box::new(SamplesIterator::new(mixed(&[Mixed::F(2, 2.0), Mixed::H(5, 50.0)])));
    let mut m = MergeIterator::new(vec![Box::new(SamplesIterator::new(mixed(SERIES))), other]);
    let want = vec![(1, "f", 1.0), (2, "h", 20.0), (3, "h", 30.0), (4, "f", 4.0), (5, "h", 50.0), (6, "h", 60.0)];
    assert_eq!(values(&mut m), want);
    let other: Box<dyn SampleIterator> = Box::new(SamplesIterator::new(mixed(&[Mixed::F(2, 2.0), Mixed::F(7, 7.0)])));
    let mut m = MergeIterator::new(vec![Box::new(SamplesIterator::new(mixed(SERIES))), other]);
    assert_eq!(m.seek(2).unwrap(), Some((4, 4.0)), "the histogram at 2 hides the float there");
    assert_eq!(m.next().unwrap(), Some((7, 7.0)));
}
