//! Random histogram series through chunks and back: every schema (custom bounds included),
//! zero buckets, negative buckets, NaN sums, stale markers, resets, new and vanishing buckets,
//! integer and float, counters and gauges.

use super::*;
use std::collections::BTreeMap;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// One series' evolving state: absolute counts per bucket index.
struct Series {
    schema: i32,
    zero_threshold: f64,
    zero: u64,
    pos: BTreeMap<i32, u64>,
    neg: BTreeMap<i32, u64>,
    sum: f64,
    gauge: bool,
    float: bool,
}

const BOUNDS: [f64; 6] = [0.001, 0.25, 1.0, 2.5, 1e9, 0.1234567];

impl Series {
    fn new(rng: &mut Rng) -> Self {
        let schema = if rng.chance(25) { CUSTOM_BUCKETS } else { rng.below(13) as i32 - 4 };
        Self {
            schema,
            zero_threshold: [0.0, 2f64.powi(-128), 0.001][rng.below(3) as usize],
            zero: 0,
            pos: BTreeMap::new(),
            neg: BTreeMap::new(),
            sum: 0.0,
            gauge: rng.chance(20),
            float: rng.chance(50),
        }
    }

    fn step(&mut self, rng: &mut Rng) {
        let custom = self.schema == CUSTOM_BUCKETS;
        let max_idx = if custom { BOUNDS.len() as u64 + 1 } else { 40 };
        let base = if custom { 0 } else { -20 };
        match rng.below(100) {
            0..=2 => {
                // A reset.
                self.pos.values_mut().for_each(|v| *v = rng.below(3));
                self.zero = 0;
            }
            3 if !custom => self.schema = (self.schema - 1).max(-4),
            4 => self.zero_threshold = [0.0, 2f64.powi(-128), 0.001][rng.below(3) as usize],
            5..=9 => {
                // An empty bucket vanishes.
                let empty: Vec<i32> = self.pos.iter().filter(|(_, v)| **v == 0).map(|(k, _)| *k).collect();
                if let Some(k) = empty.first() {
                    self.pos.remove(k);
                }
            }
            _ => {}
        }
        for _ in 0..rng.below(4) {
            let idx = base + rng.below(max_idx) as i32;
            *self.pos.entry(idx).or_default() += rng.below(5);
        }
        if !custom && rng.chance(30) {
            *self.neg.entry(-(rng.below(8) as i32)).or_default() += rng.below(3);
        }
        if !custom && rng.chance(30) {
            self.zero += rng.below(3);
        }
        if self.gauge {
            for v in self.pos.values_mut() {
                *v = rng.below(10);
            }
        }
        self.sum += rng.below(1000) as f64 / 8.0;
    }

    fn sample(&self, rng: &mut Rng) -> HistSample {
        if rng.chance(3) {
            return if self.float {
                HistSample::Float(Arc::new(FloatHistogram::stale()))
            } else {
                HistSample::Int(Arc::new(Histogram::stale()))
            };
        }
        let side = |m: &BTreeMap<i32, u64>| {
            let idx: Vec<i32> = m.keys().copied().collect();
            (layout::spans_of(&idx), m.values().map(|&v| v as i64).collect::<Vec<_>>())
        };
        let (ps, pc) = side(&self.pos);
        let (ns, nc) = side(&self.neg);
        let count = self.zero + self.pos.values().sum::<u64>() + self.neg.values().sum::<u64>();
        let sum = if rng.chance(5) { f64::NAN } else { self.sum };
        let custom = self.schema == CUSTOM_BUCKETS;
        let h = Histogram {
            counter_reset_hint: if self.gauge { CounterResetHint::Gauge } else { CounterResetHint::Unknown },
            schema: self.schema,
            zero_threshold: if custom { 0.0 } else { self.zero_threshold },
            zero_count: if custom { 0 } else { self.zero },
            count,
            sum,
            positive_spans: ps,
            negative_spans: if custom { Vec::new() } else { ns },
            positive_buckets: layout::deltas(&pc),
            negative_buckets: if custom { Vec::new() } else { layout::deltas(&nc) },
            custom_values: if custom { BOUNDS.to_vec() } else { Vec::new() },
        };
        if self.float {
            let mut f = h.to_float();
            // Fractional counts exercise the XOR fields.
            f = f.mul(0.5);
            HistSample::Float(Arc::new(f))
        } else {
            HistSample::Int(Arc::new(h))
        }
    }
}

const CUSTOM_BUCKETS: i32 = vigil_model::histogram::CUSTOM_BUCKETS_SCHEMA;

/// Appends like the head: the check decides, 120 samples or 1 KiB cut.
fn encode(samples: &[(Timestamp, HistSample)]) -> (Vec<HistogramChunk>, usize) {
    let mut chunks: Vec<HistogramChunk> = Vec::new();
    let mut recodes = 0;
    for (t, h) in samples {
        let header = match chunks.last_mut() {
            None => h.hint(),
            Some(c) => match c.check(h) {
                Ok(plan) => {
                    let cont = if c.header() == CounterResetHint::Gauge {
                        CounterResetHint::Gauge
                    } else {
                        CounterResetHint::NotCounterReset
                    };
                    let before = c.layout.clone();
                    if c.num_samples() < 120
                        && c.bytes().len() < MAX_HISTOGRAM_CHUNK_BYTES
                        && c.append(*t, h.clone(), plan).is_ok()
                    {
                        recodes += usize::from(before != c.layout);
                        continue;
                    }
                    cont
                }
                Err(header) => header,
            },
        };
        chunks.push(HistogramChunk::new(*t, h.clone(), header));
    }
    (chunks, recodes)
}

fn same(got: &FloatHistogram, want: &FloatHistogram) -> bool {
    if want.is_stale() {
        return got.is_stale();
    }
    got.compact(0).equals(&want.compact(0))
}

#[test]
fn random_series_round_trip_through_chunks() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut recodes, mut chunks_total, mut samples_total) = (0, 0, 0);
    for _series in 0..300 {
        let mut s = Series::new(&mut rng);
        let mut t = rng.below(1 << 40) as i64 - (1 << 39);
        let mut samples = Vec::new();
        for _ in 0..rng.below(400) + 1 {
            s.step(&mut rng);
            let gap = if rng.chance(90) { 2 } else { 100_000 };
            t += 1 + rng.below(gap) as i64 * 15_000;
            samples.push((t, s.sample(&mut rng)));
        }
        let (chunks, r) = encode(&samples);
        recodes += r;
        chunks_total += chunks.len();
        samples_total += samples.len();
        let mut got = Vec::new();
        let mut native = Vec::new();
        for c in &chunks {
            let before = got.len();
            decode_histograms_into(c.encoding(), c.bytes(), i64::MIN, i64::MAX, &mut got).unwrap();
            assert_eq!(got.len() - before, usize::from(c.num_samples()));
            let h0 = &got[before].1;
            if !h0.is_stale() {
                assert_eq!(h0.counter_reset_hint, read_hint(c.header(), 0));
            }
            let mut it = HistIter::new(c.encoding(), c.bytes()).unwrap();
            while let Some(x) = it.next_native() {
                native.push(x.unwrap());
            }
            assert!(histogram_chunk_cost(c.encoding(), c.bytes()) > 0);
        }
        assert_eq!(got.len(), samples.len());
        for (k, ((gt, gh), (wt, wh))) in got.iter().zip(&samples).enumerate() {
            assert_eq!(gt, wt);
            assert!(same(gh, &wh.to_float()), "sample {k}: got {gh:?}, want {wh:?}");
        }
        for ((_, n), (_, w)) in native.iter().zip(&samples) {
            assert_eq!(n.encoding(), w.encoding(), "integer histograms stay integer");
            assert!(same(&n.to_float(), &w.to_float()));
        }
        // A chunk re-read from its bytes gives the same samples again (checkpoint replay).
        let (again, _) = encode(&native.iter().map(|(t, h)| (*t, h.clone())).collect::<Vec<_>>());
        let mut got2 = Vec::new();
        for c in &again {
            decode_histograms_into(c.encoding(), c.bytes(), i64::MIN, i64::MAX, &mut got2).unwrap();
        }
        assert!(got2.iter().zip(&got).all(|(a, b)| a.0 == b.0 && same(&a.1, &b.1)));
    }
    assert!(recodes > 50, "recodes exercised: {recodes}");
    assert!(chunks_total < samples_total, "{chunks_total} chunks for {samples_total} samples");
}

/// A scraped histogram of schema 3 with 30 populated buckets, scraped every 15 s with a few
/// observations each time: what one sample costs in the open chunk.
#[test]
fn bytes_per_sample_of_a_realistic_scraped_histogram() {
    let mut rng = Rng(42);
    for float in [false, true] {
        let mut counts = vec![0u64; 30];
        let mut sum = 0.0;
        let mut c: Option<HistogramChunk> = None;
        let mut n = 0;
        for k in 0..120 {
            for _ in 0..20 {
                let b = (rng.below(15) + rng.below(16)) as usize;
                counts[b] += 1;
                sum += 0.001 * rng.below(5000) as f64;
            }
            let abs: Vec<i64> = counts.iter().map(|&x| x as i64).collect();
            let h = Histogram {
                schema: 3,
                zero_threshold: 2f64.powi(-128),
                count: counts.iter().sum(),
                sum,
                positive_spans: vec![Span { offset: -10, length: 30 }],
                positive_buckets: layout::deltas(&abs),
                ..Histogram::default()
            };
            let h = if float { HistSample::Float(Arc::new(h.to_float())) } else { HistSample::Int(Arc::new(h)) };
            let t = 1_700_000_000_000 + k * 15_000;
            match c.as_mut() {
                None => c = Some(HistogramChunk::new(t, h, CounterResetHint::Unknown)),
                Some(c) if c.bytes().len() < MAX_HISTOGRAM_CHUNK_BYTES => push(c, t, h),
                Some(_) => break,
            }
            n += 1;
        }
        let c = c.unwrap();
        let per = c.bytes().len() as f64 / f64::from(n);
        eprintln!(
            "{}: {n} samples in {} bytes = {per:.1} bytes/sample; encoder heap {} bytes",
            if float { "float (encoding 3)" } else { "integer (encoding 2)" },
            c.bytes().len(),
            c.capacity()
        );
        assert!(per < if float { 120.0 } else { 40.0 }, "{per} bytes per sample");
    }
}
