//! Times the parser on Prometheus' 237-family text sample and prints ns per sample.
//!
//! Run with `cargo run --release -p vigil-exposition --example parse_bench [path] [rounds]`.
//! Three passes are timed: parsing only (what a scraper with a warm cache pays: parse plus
//! `raw_hash`), parsing plus reading every label, and parsing plus building `Labels` (a cold
//! cache). The OpenMetrics parser is timed on the same samples re-encoded with `# EOF`.
#![allow(clippy::print_stdout)]

use std::hint::black_box;
use std::time::Instant;

use vigil_exposition::{Entry, Format, Parser, Validation};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/conformance/exposition/textparse/alltypes.237mfs.prom.txt"
        )
        .to_owned()
    });
    let rounds: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(2000);
    let input = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(1);
        }
    };
    let samples = count(&input, Format::Text);
    println!("{path}: {} bytes, {samples} samples, {rounds} rounds", input.len());

    run("text, parse + raw_hash", rounds, samples, || {
        let mut p = Parser::new(&input, Format::Text);
        let mut acc = 0u64;
        while let Ok(Some(e)) = p.next() {
            if let Entry::Series(s) = e {
                acc = acc.wrapping_add(s.raw_hash()) ^ s.value().to_bits();
            }
        }
        acc
    });
    run("text, parse + iterate labels", rounds, samples, || {
        let mut p = Parser::new(&input, Format::Text);
        let mut acc = 0u64;
        while let Ok(Some(e)) = p.next() {
            if let Entry::Series(s) = e {
                for (n, v) in s.labels() {
                    acc = acc.wrapping_add((n.raw().len() + v.raw().len()) as u64);
                }
            }
        }
        acc
    });
    run("text, parse + to_labels (cold cache)", rounds / 4, samples, || {
        let mut p = Parser::new(&input, Format::Text);
        let mut acc = 0u64;
        while let Ok(Some(e)) = p.next() {
            if let Entry::Series(s) = e {
                acc = acc.wrapping_add(s.to_labels().len() as u64);
            }
        }
        acc
    });
    // The same samples as OpenMetrics without metadata. Without TYPE lines every sample name is
    // its own family and some reappear later, which full validation rejects as clashing names, so
    // this pass measures syntax-only checking (what a Prometheus-compatible scrape needs).
    let mut om: Vec<u8> = input
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty() && l[0] != b'#')
        .flat_map(|l| l.iter().copied().chain([b'\n']))
        .collect();
    om.extend_from_slice(b"# EOF\n");
    let om_samples = count_with(&om, Format::OpenMetrics, Validation::SyntaxOnly);
    if om_samples > 0 {
        run("openmetrics (syntax only), parse + raw_hash", rounds, om_samples, || {
            let mut p = Parser::with_validation(&om, Format::OpenMetrics, Validation::SyntaxOnly);
            let mut acc = 0u64;
            while let Ok(Some(e)) = p.next() {
                if let Entry::Series(s) = e {
                    acc = acc.wrapping_add(s.raw_hash());
                }
            }
            acc
        });
    } else {
        println!("openmetrics: re-encoded input does not validate; skipped");
    }
}

fn count(input: &[u8], format: Format) -> usize {
    count_with(input, format, Validation::Full)
}

fn count_with(input: &[u8], format: Format, validation: Validation) -> usize {
    let mut p = Parser::with_validation(input, format, validation);
    let mut n = 0;
    loop {
        match p.next() {
            Ok(Some(Entry::Series(_))) => n += 1,
            Ok(Some(_)) => {}
            Ok(None) => return n,
            Err(e) => {
                eprintln!("{format:?} parse error: {e}");
                return 0;
            }
        }
    }
}

fn run(name: &str, rounds: usize, samples: usize, mut f: impl FnMut() -> u64) {
    let rounds = rounds.max(1);
    for _ in 0..rounds.min(20) {
        black_box(f());
    }
    let start = Instant::now();
    let cpu_start = thread_cpu_ns();
    for _ in 0..rounds {
        black_box(f());
    }
    let per = (rounds * samples.max(1)) as f64;
    let wall = start.elapsed().as_nanos() as f64 / per;
    match (cpu_start, thread_cpu_ns()) {
        (Some(a), Some(b)) => {
            println!("{name:<44} {wall:>8.1} ns/sample wall {:>8.1} ns/sample on-CPU", (b - a) as f64 / per);
        }
        _ => println!("{name:<44} {wall:>8.1} ns/sample wall"),
    }
}

/// Time this thread spent on a CPU (Linux `schedstat`), which is what matters on a shared,
/// oversubscribed machine where wall time includes waiting for a core.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}
