//! Disk bytes per sample of Vigil's dense segments (encoding `0x84`, whole series per segment)
//! against Prometheus' XOR chunks of 120 samples, on a dataset in Prometheus text format with
//! millisecond timestamps, series-major (what `shared/bench/backfill_gen.py --promtext` writes).
//!
//! ```sh
//! python3 ../shared/bench/backfill_gen.py --series 2000 --hours 24 --step 15 --end 1700000000 \
//!     --promtext /tmp/bf.prom
//! cargo run --release -p vigil-tsdb --example segment_density -- /tmp/bf.prom
//! ```
//!
//! Both figures add the same per-chunk framing a block pays (length, encoding, CRC: ~7 B) and the
//! index's chunk entry (~6 B); labels and postings are left out of both.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used, reason = "example")]

use std::io::BufRead;
use std::time::Instant;
use vigil_tsdb::block::segment::{decode_segment_into, encode_segment};
use vigil_tsdb::chunk::XorChunk;

const PER_CHUNK: usize = 13;

fn main() {
    let path = std::env::args().nth(1).expect("usage: segment_density FILE.prom");
    let file = std::io::BufReader::new(std::fs::File::open(&path).unwrap());
    let (mut key, mut ts, mut vs) = (String::new(), Vec::new(), Vec::new());
    let mut totals = Totals::default();
    for line in file.lines() {
        let line = line.unwrap();
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let (rest, t) = line.rsplit_once(' ').unwrap();
        let (series, v) = rest.rsplit_once(' ').unwrap();
        if series != key {
            totals.add(&ts, &vs);
            key = series.to_owned();
            ts.clear();
            vs.clear();
        }
        ts.push(t.parse::<i64>().unwrap());
        vs.push(v.parse::<f64>().unwrap());
    }
    totals.add(&ts, &vs);
    let n = totals.samples as f64;
    println!("{} series, {} samples", totals.series, totals.samples);
    println!("XOR, 120-sample chunks: {:.3} B/sample", totals.xor as f64 / n);
    println!("dense segments:          {:.3} B/sample", totals.segment as f64 / n);
    println!(
        "segment encode {:.1} ns/sample, decode {:.1} ns/sample",
        totals.encode_ns as f64 / n,
        totals.decode_ns as f64 / n
    );
}

#[derive(Default)]
struct Totals {
    series: usize,
    samples: usize,
    xor: usize,
    segment: usize,
    encode_ns: u128,
    decode_ns: u128,
}

impl Totals {
    fn add(&mut self, ts: &[i64], vs: &[f64]) {
        if ts.is_empty() {
            return;
        }
        self.series += 1;
        self.samples += ts.len();
        for (t, v) in ts.chunks(120).zip(vs.chunks(120)) {
            let mut c = XorChunk::new();
            t.iter().zip(v).for_each(|(&t, &v)| c.append(t, v).unwrap());
            self.xor += c.bytes().len() + PER_CHUNK;
        }
        let start = Instant::now();
        let data = encode_segment(ts, vs).unwrap();
        self.encode_ns += start.elapsed().as_nanos();
        self.segment += data.len() + PER_CHUNK;
        let (mut t2, mut v2) = (Vec::new(), Vec::new());
        let start = Instant::now();
        decode_segment_into(&data, &mut t2, &mut v2).unwrap();
        self.decode_ns += start.elapsed().as_nanos();
        assert!(t2 == ts && v2.iter().zip(vs).all(|(a, b)| a.to_bits() == b.to_bits()), "round trip");
    }
}
