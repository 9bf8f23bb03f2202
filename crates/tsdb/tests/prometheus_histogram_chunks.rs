//! Cross-check against a real Prometheus (Debian's 2.42 at `/usr/bin/prometheus`, skipped when
//! absent): it scrapes native histograms we serve in the protobuf exposition format, with
//! explicit timestamps; after a clean shutdown we read its `chunks_head` files, decode every
//! histogram chunk with our reader, compare the samples with what we served, and re-encode them
//! with our writer, which must give Prometheus' bytes exactly.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use vigil_model::histogram::{CounterResetHint, Span};
use vigil_model::{FloatHistogram, Histogram};
use vigil_tsdb::chunk::{ENCODING_FLOAT_HISTOGRAM, ENCODING_HISTOGRAM, HistIter, HistSample, HistogramChunk};

const PROMETHEUS: &str = "/usr/bin/prometheus";
const SCRAPES: usize = 48;

fn varint(buf: &mut Vec<u8>, mut x: u64) {
    while x >= 0x80 {
        buf.push(x as u8 | 0x80);
        x >>= 7;
    }
    buf.push(x as u8);
}

/// Protobuf field helpers: key, then payload.
fn key(buf: &mut Vec<u8>, field: u32, wire: u32) {
    varint(buf, u64::from(field << 3 | wire));
}
fn uint(buf: &mut Vec<u8>, field: u32, v: u64) {
    key(buf, field, 0);
    varint(buf, v);
}
fn sint(buf: &mut Vec<u8>, field: u32, v: i64) {
    uint(buf, field, ((v << 1) ^ (v >> 63)) as u64);
}
fn double(buf: &mut Vec<u8>, field: u32, v: f64) {
    key(buf, field, 1);
    buf.extend_from_slice(&v.to_bits().to_le_bytes());
}
fn bytes(buf: &mut Vec<u8>, field: u32, b: &[u8]) {
    key(buf, field, 2);
    varint(buf, b.len() as u64);
    buf.extend_from_slice(b);
}

/// `io.prometheus.client.Histogram` for an integer or float native histogram.
fn histogram_message(h: &HistSample) -> Vec<u8> {
    let mut m = Vec::new();
    let spans = |m: &mut Vec<u8>, field: u32, spans: &[Span]| {
        for s in spans {
            let mut b = Vec::new();
            sint(&mut b, 1, i64::from(s.offset));
            uint(&mut b, 2, u64::from(s.length));
            bytes(m, field, &b);
        }
    };
    match h {
        HistSample::Int(h) => {
            uint(&mut m, 1, h.count);
            double(&mut m, 2, h.sum);
            sint(&mut m, 5, i64::from(h.schema));
            double(&mut m, 6, h.zero_threshold);
            uint(&mut m, 7, h.zero_count);
            spans(&mut m, 9, &h.negative_spans);
            for &d in &h.negative_buckets {
                sint(&mut m, 10, d);
            }
            spans(&mut m, 12, &h.positive_spans);
            for &d in &h.positive_buckets {
                sint(&mut m, 13, d);
            }
        }
        HistSample::Float(h) => {
            double(&mut m, 2, h.sum);
            double(&mut m, 4, h.count);
            sint(&mut m, 5, i64::from(h.schema));
            double(&mut m, 6, h.zero_threshold);
            double(&mut m, 8, h.zero_count);
            spans(&mut m, 9, &h.negative_spans);
            for &c in &h.negative_buckets {
                double(&mut m, 11, c);
            }
            spans(&mut m, 12, &h.positive_spans);
            for &c in &h.positive_buckets {
                double(&mut m, 14, c);
            }
        }
    }
    m
}

/// A length-delimited `MetricFamily` of type HISTOGRAM with one metric at `t`.
fn family(name: &str, h: &HistSample, t: i64) -> Vec<u8> {
    let mut metric = Vec::new();
    bytes(&mut metric, 7, &histogram_message(h));
    uint(&mut metric, 6, t as u64);
    let mut f = Vec::new();
    bytes(&mut f, 1, name.as_bytes());
    uint(&mut f, 3, 4);
    bytes(&mut f, 4, &metric);
    let mut out = Vec::new();
    varint(&mut out, f.len() as u64);
    out.extend_from_slice(&f);
    out
}

/// The integer histogram served at scrape `k`: schema 3, two positive spans and a negative
/// one, a zero bucket, a new bucket from scrape 5 on, and counter resets at 16 and 32.
fn int_at(k: usize) -> Histogram {
    let n = (k % 16) as i64 + 1;
    let mut pos = vec![n, 2 * n, 3 * n, n, 5 * n];
    let mut spans = vec![Span { offset: -2, length: 3 }, Span { offset: 4, length: 2 }];
    if k % 16 >= 5 {
        pos.push(n);
        spans[1].length = 3;
    }
    let neg = vec![n, n];
    let zero = n as u64;
    let count = zero + pos.iter().chain(&neg).sum::<i64>() as u64;
    Histogram {
        schema: 3,
        zero_threshold: 2f64.powi(-128),
        zero_count: zero,
        count,
        sum: 0.25 * count as f64,
        positive_spans: spans,
        negative_spans: vec![Span { offset: 1, length: 2 }],
        positive_buckets: vigil_model::histogram::delta_encode(&pos),
        negative_buckets: vigil_model::histogram::delta_encode(&neg),
        ..Histogram::default()
    }
}

fn float_at(k: usize) -> FloatHistogram {
    let mut f = int_at(k).to_float().mul(0.75);
    f.sum = 1.0 / (k as f64 + 3.0);
    f
}

fn serve(listener: TcpListener, t0: i64, served: Arc<AtomicUsize>) {
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let mut req = [0u8; 4096];
        let _ = stream.read(&mut req);
        let k = served.load(Ordering::SeqCst);
        let t = t0 + k as i64 * 1_000;
        let mut body = Vec::new();
        if k < SCRAPES {
            body.extend(family("vigil_int_histogram", &HistSample::Int(Arc::new(int_at(k))), t));
            body.extend(family("vigil_float_histogram", &HistSample::Float(Arc::new(float_at(k))), t));
            served.fetch_add(1, Ordering::SeqCst);
        }
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.google.protobuf; \
             proto=io.prometheus.client.MetricFamily; encoding=delimited\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(&body);
    }
}

/// Histogram chunks of Prometheus' `chunks_head` files: (encoding, data).
fn read_chunks_head(dir: &Path) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for f in files {
        let b = std::fs::read(&f).unwrap();
        assert_eq!(&b[..4], &[0x01, 0x30, 0xbc, 0x91], "chunks_head magic");
        let mut at = 8;
        while at + 25 < b.len() {
            let start = at;
            at += 24; // series ref, mint, maxt
            let enc = b[at];
            at += 1;
            let (mut len, mut shift) = (0usize, 0);
            loop {
                let x = b[at];
                at += 1;
                len |= usize::from(x & 0x7f) << shift;
                shift += 7;
                if x < 0x80 {
                    break;
                }
            }
            if len == 0 || at + len + 4 > b.len() {
                break;
            }
            let data = b[at..at + len].to_vec();
            let crc = u32::from_be_bytes(b[at + len..at + len + 4].try_into().unwrap());
            assert_eq!(crc32c::crc32c(&b[start..at + len]), crc, "chunk checksum");
            at += len + 4;
            if enc == ENCODING_HISTOGRAM || enc == ENCODING_FLOAT_HISTOGRAM {
                out.push((enc, data));
            }
        }
    }
    out
}

fn header_of(flags: u8) -> CounterResetHint {
    match flags >> 6 {
        2 => CounterResetHint::CounterReset,
        1 => CounterResetHint::NotCounterReset,
        3 => CounterResetHint::Gauge,
        _ => CounterResetHint::Unknown,
    }
}

#[test]
fn prometheus_chunks_decode_and_reencode_byte_for_byte() {
    if !Path::new(PROMETHEUS).exists() {
        eprintln!("{PROMETHEUS} not installed; skipping");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let target = listener.local_addr().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let t0 = now - now % 1_000;
    let served = Arc::new(AtomicUsize::new(0));
    let s2 = served.clone();
    std::thread::spawn(move || serve(listener, t0, s2));
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 200ms\n  scrape_timeout: 150ms\nscrape_configs:\n  - job_name: vigil\n    \
             static_configs:\n      - targets: ['{target}']\n"
        ),
    )
    .unwrap();
    let web = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let data = dir.path().join("data");
    let mut child = Command::new(PROMETHEUS)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.tsdb.path={}", data.display()))
        .arg(format!("--web.listen-address={web}"))
        .arg("--enable-feature=native-histograms")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while served.load(Ordering::SeqCst) < SCRAPES && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    // A clean shutdown flushes the head chunk files.
    Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    child.wait().unwrap();
    assert_eq!(served.load(Ordering::SeqCst), SCRAPES, "Prometheus scraped every sample");

    let chunks = read_chunks_head(&data.join("chunks_head"));
    let ints = chunks.iter().filter(|c| c.0 == ENCODING_HISTOGRAM).count();
    let floats = chunks.len() - ints;
    eprintln!("Prometheus wrote {ints} integer and {floats} float histogram chunks");
    assert!(ints >= 2, "the resets cut integer histogram chunks: {} chunks", chunks.len());
    for (enc, data) in &chunks {
        let mut it = HistIter::new(*enc, data).unwrap();
        let mut ours: Option<HistogramChunk> = None;
        while let Some(s) = it.next_native() {
            let (t, h) = s.unwrap();
            let k = usize::try_from((t - t0) / 1_000).unwrap();
            let want = match &h {
                HistSample::Int(_) => int_at(k).to_float(),
                HistSample::Float(_) => float_at(k),
            };
            assert!(h.to_float().compact(0).equals(&want.compact(0)), "scrape {k}: {h:?}");
            // Re-encode what we decoded, with the hint Prometheus appended it with.
            let h = match h {
                HistSample::Int(x) => HistSample::Int(Arc::new(Histogram {
                    counter_reset_hint: CounterResetHint::Unknown,
                    ..(*x).clone()
                })),
                HistSample::Float(x) => HistSample::Float(Arc::new(FloatHistogram {
                    counter_reset_hint: CounterResetHint::Unknown,
                    ..(*x).clone()
                })),
            };
            match ours.as_mut() {
                None => ours = Some(HistogramChunk::new(t, h, header_of(data[2]))),
                Some(c) => {
                    let plan = c.check(&h).unwrap();
                    c.append(t, h, plan).unwrap();
                }
            }
        }
        assert_eq!(ours.unwrap().bytes(), &data[..], "encoding {enc}: our bytes are Prometheus'");
    }
}
