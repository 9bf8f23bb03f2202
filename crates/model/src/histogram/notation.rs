//! The histogram literals of Prometheus' PromQL test files:
//! `{{schema:0 sum:5 count:4 z_bucket:1 z_bucket_w:0.001 buckets:[1 2 1] offset:1 n_buckets:[2]
//! n_offset:0 counter_reset_hint:gauge custom_values:[1 5]}}`.
//!
//! Keys are optional and may come in any order; bucket lists hold **absolute** counts and become
//! one span each, starting at `offset` (`n_offset`). Numbers are Go floats (`1.5e3`, `.5`, `0x1f`,
//! `Inf`, `NaN`, signs); `schema`, `offset` and `n_offset` must be integers. The parser does not
//! validate the histogram (tests load invalid ones on purpose); errors carry the byte offset.
//!
//! The printer ([`std::fmt::Display`] of [`FloatHistogram`]) writes the canonical form Prometheus'
//! `TestExpression` writes: keys with default values omitted, buckets merged into one span per
//! side, numbers as Go's `%g`.

use super::{CUSTOM_BUCKETS_SCHEMA, CounterResetHint, FloatHistogram, Span, layout};
use crate::{Error, Result};
use std::fmt;

/// Parses one literal, braces included (`{{count:1}}`); surrounding whitespace is allowed.
pub fn parse(text: &str) -> Result<FloatHistogram> {
    Parser { text, pos: 0 }.literal()
}

/// Bucket layouts a printed literal may fill with empty buckets to make one span per side; past
/// this the printer writes one `offset`/`buckets` pair per span instead.
const MAX_PRINTED_BUCKETS: u64 = 100_000;

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

#[derive(Default)]
struct Fields {
    h: FloatHistogram,
    positive: Vec<f64>,
    negative: Vec<f64>,
    offset: i32,
    n_offset: i32,
    seen: Vec<&'static str>,
}

const KEYS: [&str; 11] = [
    "schema",
    "sum",
    "count",
    "z_bucket",
    "z_bucket_w",
    "buckets",
    "offset",
    "n_buckets",
    "n_offset",
    "custom_values",
    "counter_reset_hint",
];

impl<'a> Parser<'a> {
    fn error<T>(&self, at: usize, message: impl Into<String>) -> Result<T> {
        Err(Error::HistogramNotation { offset: at, message: message.into() })
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn skip_ws(&mut self) {
        let trimmed = self.rest().trim_start_matches([' ', '\t']);
        self.pos = self.text.len() - trimmed.len();
    }

    fn expect(&mut self, token: &str) -> Result<()> {
        if self.rest().starts_with(token) {
            self.pos += token.len();
            Ok(())
        } else {
            self.error(self.pos, format!("expected {token:?}"))
        }
    }

    /// A word: everything up to whitespace, `]`, `}` or `:`.
    fn word(&mut self) -> (usize, &'a str) {
        let start = self.pos;
        let len = self.rest().find([' ', '\t', ']', '}', ':', '[']).unwrap_or(self.rest().len());
        self.pos += len;
        (start, &self.text[start..start + len])
    }

    fn literal(mut self) -> Result<FloatHistogram> {
        self.skip_ws();
        self.expect("{{")?;
        let mut f = Fields::default();
        loop {
            self.skip_ws();
            if self.rest().starts_with("}}") {
                self.pos += 2;
                break;
            }
            if self.rest().is_empty() {
                return self.error(self.pos, "unterminated histogram, expected \"}}\"");
            }
            self.field(&mut f)?;
        }
        self.skip_ws();
        if !self.rest().is_empty() {
            return self.error(self.pos, format!("unexpected {:?} after the histogram", self.rest()));
        }
        Ok(f.finish())
    }

    fn field(&mut self, f: &mut Fields) -> Result<()> {
        let (at, key) = self.word();
        let Some(&key) = KEYS.iter().find(|k| **k == key) else {
            return self.error(at, format!("unknown histogram key {key:?}"));
        };
        if f.seen.contains(&key) {
            return self.error(at, format!("duplicate histogram key {key:?}"));
        }
        f.seen.push(key);
        self.skip_ws();
        self.expect(":")?;
        self.skip_ws();
        match key {
            "buckets" => f.positive = self.list(key)?,
            "n_buckets" => f.negative = self.list(key)?,
            "custom_values" => f.h.custom_values = self.list(key)?,
            "counter_reset_hint" => {
                let (at, v) = self.word();
                f.h.counter_reset_hint = match v {
                    "unknown" => CounterResetHint::Unknown,
                    "reset" => CounterResetHint::CounterReset,
                    "not_reset" => CounterResetHint::NotCounterReset,
                    "gauge" => CounterResetHint::Gauge,
                    _ => {
                        return self
                            .error(at, format!("invalid counter_reset_hint {v:?} (unknown, reset, not_reset, gauge)"));
                    }
                };
            }
            "schema" => f.h.schema = self.integer(key)?,
            "offset" => f.offset = self.integer(key)?,
            "n_offset" => f.n_offset = self.integer(key)?,
            _ => {
                let v = self.number(key)?;
                match key {
                    "sum" => f.h.sum = v,
                    "count" => f.h.count = v,
                    "z_bucket" => f.h.zero_count = v,
                    _ => f.h.zero_threshold = v,
                }
            }
        }
        Ok(())
    }

    fn number(&mut self, key: &str) -> Result<f64> {
        let (at, w) = self.word();
        match parse_go_float(w) {
            Some(v) => Ok(v),
            None => self.error(at, format!("invalid number {w:?} for {key}")),
        }
    }

    fn integer(&mut self, key: &str) -> Result<i32> {
        let at = self.pos;
        let v = self.number(key)?;
        if v.fract() != 0.0 || !(f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(&v) {
            return self.error(at, format!("{key} must be an integer, got {v}"));
        }
        Ok(v as i32)
    }

    fn list(&mut self, key: &str) -> Result<Vec<f64>> {
        self.expect("[")?;
        let mut out = Vec::new();
        loop {
            self.skip_ws();
            if self.rest().starts_with(']') {
                self.pos += 1;
                return Ok(out);
            }
            if self.rest().is_empty() || self.rest().starts_with('}') {
                return self.error(self.pos, format!("unterminated list for {key}, expected \"]\""));
            }
            out.push(self.number(key)?);
        }
    }
}

impl Fields {
    fn finish(mut self) -> FloatHistogram {
        let span = |offset: i32, n: usize| {
            if n == 0 { Vec::new() } else { vec![Span { offset, length: n as u32 }] }
        };
        self.h.positive_spans = span(self.offset, self.positive.len());
        self.h.negative_spans = span(self.n_offset, self.negative.len());
        self.h.positive_buckets = self.positive;
        self.h.negative_buckets = self.negative;
        self.h
    }
}

/// Go's `strconv.ParseFloat` on what the test files use: decimal and exponent forms, hexadecimal
/// integers, `Inf`/`Infinity`/`NaN` in any case, an optional sign.
pub fn parse_go_float(s: &str) -> Option<f64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let v = if lower == "inf" || lower == "infinity" {
        f64::INFINITY
    } else if lower == "nan" {
        f64::NAN
    } else if let Some(hex) = lower.strip_prefix("0x") {
        u64::from_str_radix(hex, 16).ok()? as f64
    } else if body.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && body.bytes().any(|b| b.is_ascii_digit())
    {
        body.parse::<f64>().ok()?
    } else {
        return None;
    };
    Some(if neg { -v } else { v })
}

/// Go's `%g` of an `f64` (shortest digits; exponent form below 1e-4 and from 1e6).
pub fn format_go_float(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_owned();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    let sci = format!("{v:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    format!("{v}")
}

impl std::str::FromStr for FloatHistogram {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        parse(s)
    }
}

impl fmt::Display for FloatHistogram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if self.schema != 0 {
            parts.push(format!("schema:{}", self.schema));
        }
        for (key, v) in [
            ("count", self.count),
            ("sum", self.sum),
            ("z_bucket", self.zero_count),
            ("z_bucket_w", self.zero_threshold),
        ] {
            if v != 0.0 || v.is_sign_negative() {
                parts.push(format!("{key}:{}", format_go_float(v)));
            }
        }
        if self.schema == CUSTOM_BUCKETS_SCHEMA {
            parts.push(format!("custom_values:{}", list(&self.custom_values)));
        }
        match self.counter_reset_hint {
            CounterResetHint::Unknown => {}
            CounterResetHint::CounterReset => parts.push("counter_reset_hint:reset".to_owned()),
            CounterResetHint::NotCounterReset => parts.push("counter_reset_hint:not_reset".to_owned()),
            CounterResetHint::Gauge => parts.push("counter_reset_hint:gauge".to_owned()),
        }
        side(&mut parts, "offset", "buckets", &self.positive_spans, &self.positive_buckets);
        side(&mut parts, "n_offset", "n_buckets", &self.negative_spans, &self.negative_buckets);
        write!(f, "{{{{{}}}}}", parts.join(" "))
    }
}

/// One side's buckets as one span: empty buckets at the ends dropped, gaps filled with zeros.
fn side(parts: &mut Vec<String>, offset_key: &str, buckets_key: &str, spans: &[Span], counts: &[f64]) {
    let pairs: Vec<(i32, f64)> = layout::pairs(spans, counts).into_iter().filter(|p| p.1 != 0.0).collect();
    let (Some(first), Some(last)) = (pairs.first(), pairs.last()) else { return };
    let width = (i64::from(last.0) - i64::from(first.0) + 1) as u64;
    let runs: Vec<Vec<(i32, f64)>> = if width <= MAX_PRINTED_BUCKETS {
        vec![layout::compact_pairs(&pairs, usize::MAX, |c| c == 0.0)]
    } else {
        // Not representable in the notation; print each run so nothing is hidden.
        let (spans, _) = layout::from_pairs(&pairs);
        let mut rest = pairs.as_slice();
        spans
            .iter()
            .map(|s| {
                let (run, tail) = rest.split_at(s.length as usize);
                rest = tail;
                run.to_vec()
            })
            .collect()
    };
    for run in runs {
        let start = run.first().map_or(0, |p| p.0);
        if start != 0 {
            parts.push(format!("{offset_key}:{start}"));
        }
        parts.push(format!("{buckets_key}:{}", list(&run.iter().map(|p| p.1).collect::<Vec<_>>())));
    }
}

fn list(values: &[f64]) -> String {
    let items: Vec<String> = values.iter().map(|&v| format_go_float(v)).collect();
    format!("[{}]", items.join(" "))
}
