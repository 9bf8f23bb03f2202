//! Encoder round trip: random families are encoded to the text format, parsed back, and must
//! come back identical (labels, value bits, timestamps, help and type).

use vigil_exposition::{Entry, Format, MetricType, Parser, encode};
use vigil_model::Labels;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 11
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const NAMES: &[&str] = &["up", "http_requests_total", "a:b", "my.dotted", "with space", "ünï", "_x"];
const LABEL_NAMES: &[&str] = &["job", "instance", "le", "a.b", "ünï", "_", "x y"];
const VALUES: &[&str] = &["api", "", "with \"quotes\"", "back\\slash", "new\nline", "ümlaut ☃", "} # {", "\\n"];

fn value(rng: &mut Rng) -> f64 {
    match rng.below(8) {
        0 => f64::NAN,
        1 => f64::INFINITY,
        2 => f64::NEG_INFINITY,
        3 => 0.0,
        4 => (rng.below(1_000_000) as f64) - 500_000.0,
        5 => f64::from_bits(rng.next() << 11 | rng.next() & 0x7ff),
        _ => (rng.next() as f64) / 1e12 * if rng.below(2) == 0 { -1.0 } else { 1.0 },
    }
}

#[test]
fn encode_parse_round_trip() {
    let mut rng = Rng(42);
    for round in 0..500 {
        let family = rng.pick(NAMES);
        let kind =
            [MetricType::Counter, MetricType::Gauge, MetricType::Summary, MetricType::Histogram, MetricType::Unknown]
                [rng.below(5)];
        let help = format!("help {round} {}", rng.pick(VALUES));
        let mut series = Vec::new();
        for _ in 0..1 + rng.below(4) {
            let mut pairs = vec![("__name__".to_owned(), family.to_owned())];
            for _ in 0..rng.below(4) {
                pairs.push((rng.pick(LABEL_NAMES).to_owned(), rng.pick(VALUES).to_owned()));
            }
            let v = value(&mut rng);
            let ts = (rng.below(2) == 0).then(|| rng.next() as i64 - (1 << 52));
            series.push((Labels::from_pairs(&pairs), if v.is_nan() { f64::NAN } else { v }, ts));
        }
        let mut out = String::new();
        encode::write_family(
            &mut out,
            family,
            kind,
            Some(&help),
            series.iter().map(|(l, v, t)| encode::Sample { labels: l, value: *v, timestamp: *t }),
        );

        let mut p = Parser::new(out.as_bytes(), Format::Text);
        let mut got_series = Vec::new();
        let (mut got_help, mut got_kind) = (None, None);
        loop {
            match p.next() {
                Ok(Some(Entry::Series(s))) => got_series.push((s.to_labels(), s.value(), s.timestamp())),
                Ok(Some(Entry::Help { name, help })) => {
                    assert_eq!(name.unescape(), family);
                    got_help = Some(help.unescape().into_owned());
                }
                Ok(Some(Entry::Type { kind, .. })) => got_kind = Some(kind),
                Ok(Some(other)) => panic!("unexpected entry {other}"),
                Ok(None) => break,
                Err(e) => panic!("encoded text does not parse: {e}\n{out}"),
            }
        }
        assert_eq!(got_help.as_deref(), Some(help.as_str()), "{out}");
        assert_eq!(got_kind, Some(kind), "{out}");
        assert_eq!(got_series.len(), series.len(), "{out}");
        for ((l, v, t), (gl, gv, gt)) in series.iter().zip(&got_series) {
            assert_eq!(l, gl, "{out}");
            assert!(v.to_bits() == gv.to_bits() || (v.is_nan() && gv.is_nan()), "{v} vs {gv}\n{out}");
            assert_eq!(t, gt, "{out}");
        }
    }
}
