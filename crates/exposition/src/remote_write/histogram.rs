//! The native `Histogram` message of Remote-Write (`prompb/types.proto`): integer counts with
//! delta-encoded buckets, or float counts with absolute ones, told apart by which `count` field
//! the sender set.
//!
//! Fields: `count_int = 1` / `count_float = 2`, `sum = 3`, `schema = 4` (sint32),
//! `zero_threshold = 5`, `zero_count_int = 6` / `zero_count_float = 7`, `negative_spans = 8`,
//! `negative_deltas = 9` (sint64), `negative_counts = 10`, `positive_spans = 11`,
//! `positive_deltas = 12`, `positive_counts = 13`, `reset_hint = 14`, `timestamp = 15`,
//! `custom_values = 16`; `BucketSpan { sint32 offset = 1; uint32 length = 2 }`.

use super::wire::{Field, Reader, push_doubles, push_varints, zigzag};
use crate::Result;
use crate::protobuf::NativeSample;
use vigil_model::histogram::{CounterResetHint, FloatHistogram, Histogram, Span};

/// Everything a histogram message can hold, before choosing integer or float.
#[derive(Default)]
struct Parts {
    count_int: u64,
    count_float: Option<f64>,
    zero_int: u64,
    zero_float: f64,
    sum: f64,
    schema: i32,
    zero_threshold: f64,
    negative_spans: Vec<Span>,
    positive_spans: Vec<Span>,
    negative_deltas: Vec<u64>,
    positive_deltas: Vec<u64>,
    negative_counts: Vec<f64>,
    positive_counts: Vec<f64>,
    custom_values: Vec<f64>,
    hint: CounterResetHint,
    timestamp: i64,
}

/// Reads one histogram message: its timestamp and the histogram.
pub(super) fn read(mut r: Reader<'_>) -> Result<(i64, NativeSample)> {
    let mut p = Parts::default();
    while let Some((number, f)) = r.field()? {
        match (number, f) {
            (1, Field::Varint(v)) => p.count_int = v,
            (2, Field::Fixed64(b)) => p.count_float = Some(f64::from_bits(b)),
            (3, Field::Fixed64(b)) => p.sum = f64::from_bits(b),
            (4, Field::Varint(v)) => p.schema = zigzag(v) as i32,
            (5, Field::Fixed64(b)) => p.zero_threshold = f64::from_bits(b),
            (6, Field::Varint(v)) => p.zero_int = v,
            (7, Field::Fixed64(b)) => p.zero_float = f64::from_bits(b),
            (8, Field::Bytes(m)) => p.negative_spans.push(read_span(m)?),
            (9, f) => push_varints(&r, number, f, &mut p.negative_deltas)?,
            (10, f) => push_doubles(&r, number, f, &mut p.negative_counts)?,
            (11, Field::Bytes(m)) => p.positive_spans.push(read_span(m)?),
            (12, f) => push_varints(&r, number, f, &mut p.positive_deltas)?,
            (13, f) => push_doubles(&r, number, f, &mut p.positive_counts)?,
            (14, Field::Varint(v)) => p.hint = reset_hint(v),
            (15, Field::Varint(v)) => p.timestamp = v as i64,
            (16, f) => push_doubles(&r, number, f, &mut p.custom_values)?,
            (1..=8 | 11 | 14 | 15, f) => return Err(r.wrong_type(number, f)),
            _ => {}
        }
    }
    Ok((p.timestamp, p.into_sample()))
}

fn read_span(mut r: Reader<'_>) -> Result<Span> {
    let mut span = Span { offset: 0, length: 0 };
    while let Some((number, f)) = r.field()? {
        match (number, f) {
            (1, Field::Varint(v)) => span.offset = zigzag(v) as i32,
            (2, Field::Varint(v)) => span.length = v as u32,
            (1 | 2, f) => return Err(r.wrong_type(number, f)),
            _ => {}
        }
    }
    Ok(span)
}

/// `ResetHint`: `UNKNOWN = 0; YES = 1; NO = 2; GAUGE = 3` (unknown values read as unknown).
fn reset_hint(v: u64) -> CounterResetHint {
    match v {
        1 => CounterResetHint::CounterReset,
        2 => CounterResetHint::NotCounterReset,
        3 => CounterResetHint::Gauge,
        _ => CounterResetHint::Unknown,
    }
}

impl Parts {
    fn into_sample(self) -> NativeSample {
        match self.count_float {
            Some(count) => NativeSample::Float(FloatHistogram {
                counter_reset_hint: self.hint,
                schema: self.schema,
                zero_threshold: self.zero_threshold,
                zero_count: self.zero_float,
                count,
                sum: self.sum,
                positive_spans: self.positive_spans,
                negative_spans: self.negative_spans,
                positive_buckets: self.positive_counts,
                negative_buckets: self.negative_counts,
                custom_values: self.custom_values,
            }),
            None => NativeSample::Int(Histogram {
                counter_reset_hint: self.hint,
                schema: self.schema,
                zero_threshold: self.zero_threshold,
                zero_count: self.zero_int,
                count: self.count_int,
                sum: self.sum,
                positive_spans: self.positive_spans,
                negative_spans: self.negative_spans,
                positive_buckets: self.positive_deltas.into_iter().map(zigzag).collect(),
                negative_buckets: self.negative_deltas.into_iter().map(zigzag).collect(),
                custom_values: self.custom_values,
            }),
        }
    }
}
