//! Panic hunting without nightly: thousands of deterministic pseudo-random mutations of the
//! corpus files go through both parsers in both validation modes, and every accessor of every
//! entry is exercised. A panic or a parser that stops making progress fails the test.

use std::path::{Path, PathBuf};

use vigil_exposition::{Entry, Format, Parser, Validation};

/// xorshift64*: tiny, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

/// Bytes that matter to the grammars, so mutations hit interesting paths often.
const INTERESTING: &[u8] = b"{}=,\"\\\n #\t.-+eE0123456789_:aZ\xff\xc3\xa9\x00";
const TOKENS: &[&[u8]] = &[
    b"# EOF\n",
    b"# TYPE a histogram\n",
    b"# HELP ",
    b"# UNIT ",
    b"NaN",
    b"+Inf",
    b"-Inf",
    b" # {a=\"b\"} 1 1",
    b"_bucket{le=\"+Inf\"}",
    b"_total",
    b"{\"x.y\"}",
    b"\\\"",
    b"\\n",
    b"__name__=\"q\"",
    b"1e400",
    b"-1",
];

fn corpus() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../../../shared/conformance");
    let mut files: Vec<PathBuf> = Vec::new();
    let list = |dir: &Path| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> =
            std::fs::read_dir(dir).map(|rd| rd.flatten().map(|e| e.path()).collect()).unwrap_or_default();
        v.sort();
        v
    };
    for case in list(&shared.join("openmetrics/parsers")) {
        files.push(case.join("metrics"));
    }
    for sub in ["exposition/textparse", "exposition/promtool", "exposition/common-expfmt/fuzz-corpus"] {
        files.extend(list(&shared.join(sub)).into_iter().filter(|p| p.is_file()));
    }
    files.push(shared.join("exposition/common-expfmt/testdata/text"));
    files.extend(list(&root.join("testdata")).into_iter().filter(|p| p.extension().is_some_and(|e| e == "txt")));
    let out: Vec<Vec<u8>> = files.iter().filter_map(|p| std::fs::read(p).ok()).collect();
    assert!(out.len() > 230, "corpus not found ({} files)", out.len());
    out
}

fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    // Keep inputs small so thousands of runs stay fast.
    let start = if input.len() > 2048 { rng.below(input.len() - 2048) } else { 0 };
    let mut v = input[start..input.len().min(start + 2048)].to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = v.len();
        match rng.below(7) {
            0 if len > 0 => {
                let i = rng.below(len);
                v[i] = INTERESTING[rng.below(INTERESTING.len())];
            }
            1 => {
                let i = rng.below(len + 1);
                v.insert(i, INTERESTING[rng.below(INTERESTING.len())]);
            }
            2 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below(8.min(len - i));
                v.drain(i..i + n);
            }
            3 => {
                let i = rng.below(len + 1);
                let t = TOKENS[rng.below(TOKENS.len())];
                v.splice(i..i, t.iter().copied());
            }
            4 => v.truncate(rng.below(len + 1)),
            5 if !other.is_empty() => {
                let a = rng.below(other.len());
                let b = (a + 1 + rng.below(64)).min(other.len());
                let i = rng.below(len + 1);
                v.splice(i..i, other[a..b].iter().copied());
            }
            _ if len > 1 => {
                let a = rng.below(len);
                let b = (a + 1 + rng.below(32)).min(len);
                let piece = v[a..b].to_vec();
                let i = rng.below(len + 1);
                v.splice(i..i, piece);
            }
            _ => {}
        }
    }
    v
}

/// Parses everything and touches every accessor; returns the number of entries.
fn exercise(input: &[u8], format: Format, validation: Validation) -> usize {
    let mut p = Parser::with_validation(input, format, validation);
    let max_entries = input.iter().filter(|&&b| b == b'\n').count() + 2;
    let mut n = 0;
    while let Ok(Some(e)) = p.next() {
        n += 1;
        assert!(n <= max_entries, "more entries than lines: no progress?");
        if let Entry::Series(s) = &e {
            let _ = (s.raw_hash(), s.value(), s.timestamp(), s.name().unescape());
            let labels = s.to_labels();
            assert!(labels.metric_name().is_some() || s.name().raw().is_empty());
            for (k, v) in s.labels() {
                let _ = (k.unescape(), v.unescape());
            }
            if let Some(ex) = s.exemplar() {
                let _ = (ex.to_labels(), ex.value(), ex.timestamp());
            }
        }
        let _ = e.to_string();
    }
    assert_eq!(p.next(), Ok(None), "parser must stay exhausted");
    n
}

#[test]
fn mutated_corpus_never_panics() {
    let corpus = corpus();
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let iterations = 20_000;
    let mut parsed_ok = 0;
    for i in 0..iterations {
        let input = &corpus[i % corpus.len()];
        let other = &corpus[rng.below(corpus.len())];
        let m = mutate(&mut rng, input, other);
        for format in [Format::Text, Format::OpenMetrics] {
            for validation in [Validation::Full, Validation::SyntaxOnly] {
                exercise(&m, format, validation);
            }
        }
        if Parser::new(&m, Format::OpenMetrics).next().is_ok() {
            parsed_ok += 1;
        }
    }
    // The mutations must not all be rejected on the first line, or the test explores nothing.
    assert!(parsed_ok > iterations / 10, "only {parsed_ok} mutants got past their first line");
    println!("mutation: {iterations} passed, 0 failed");
}
