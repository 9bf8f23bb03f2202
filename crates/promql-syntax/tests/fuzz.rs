//! Fuzz-style robustness test: thousands of mutated queries taken from the conformance corpus
//! must parse or fail with a positioned error, never panic, and stay fast.

use vigil_promql_syntax::{Error, format_query, parse};

/// xorshift64*: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn corpus() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/conformance/promql");
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return fallback() };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths.iter().filter(|p| p.extension().is_some_and(|x| x == "test")) {
        let text = std::fs::read_to_string(p).unwrap_or_default();
        for line in text.lines() {
            let line = line.trim();
            if !line.starts_with("eval") {
                continue;
            }
            // The query follows "at <time>" or "step <step>".
            let q = line.split_once(" at ").or_else(|| line.split_once(" step ")).map(|(_, r)| r);
            if let Some(q) = q.and_then(|r| r.split_once(' ')).map(|(_, q)| q) {
                out.push(q.to_owned());
            }
        }
    }
    if out.is_empty() { fallback() } else { out }
}

fn fallback() -> Vec<String> {
    ["sum by (job) (rate(x[5m]))", "a + on(b) group_left(c) d", "topk(3, x offset 1m @ 100)", "x[5m:1m]"]
        .map(String::from)
        .to_vec()
}

const PIECES: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    "\"",
    "'",
    "`",
    "+",
    "-",
    "*",
    "/",
    "^",
    "%",
    "==",
    "!=",
    "=~",
    "!~",
    " by ",
    " without ",
    " on(",
    " ignoring(",
    " group_left",
    " bool ",
    " offset ",
    " @ ",
    "start()",
    "5m",
    "1e308",
    "NaN",
    "Inf",
    "sum(",
    "rate(",
    "x",
    ":",
    "\\",
    "\n",
    "#",
    "0x",
    ".",
    "@",
    " and ",
    " or ",
    "é",
    "\u{0}",
];

fn mutate(rng: &mut Rng, q: &str) -> String {
    let mut s: Vec<char> = q.chars().collect();
    for _ in 0..1 + rng.below(3) {
        let pos = rng.below(s.len() + 1);
        match rng.below(4) {
            0 if !s.is_empty() => {
                let end = (pos + 1 + rng.below(4)).min(s.len());
                s.drain(pos.min(s.len())..end);
            }
            1 => {
                let piece = PIECES[rng.below(PIECES.len())];
                for (i, c) in piece.chars().enumerate() {
                    s.insert(pos + i, c);
                }
            }
            2 if s.len() > 1 => {
                let a = rng.below(s.len());
                let b = rng.below(s.len());
                s.swap(a, b);
            }
            _ => s.truncate(pos),
        }
    }
    s.into_iter().collect()
}

#[test]
fn mutated_corpus_never_panics() {
    let corpus = corpus();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let start = std::time::Instant::now();
    let (mut ok, mut err) = (0, 0);
    for i in 0..8000 {
        let q = mutate(&mut rng, &corpus[i % corpus.len()]);
        match parse(&q) {
            Ok(_) => {
                ok += 1;
                // Formatting an accepted query must give a query that still parses.
                let pretty = format_query(&q).unwrap_or_else(|e| panic!("format {q:?}: {e}"));
                assert!(parse(&pretty).is_ok() || pretty.contains('@'), "reparse {q:?} -> {pretty:?}");
            }
            Err(Error::Parse { line, col, offset, .. }) => {
                assert!(line >= 1 && col >= 1 && offset <= q.len(), "{q:?}");
                err += 1;
            }
            Err(e) => panic!("unexpected error kind for {q:?}: {e}"),
        }
    }
    assert!(ok > 100 && err > 100, "ok={ok} err={err}");
    assert!(start.elapsed().as_secs() < 60, "took {:?}", start.elapsed());
}
