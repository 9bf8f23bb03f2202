//! Structural rules shared by integer and float histograms, as Prometheus' `Validate` states them.

use super::{MAX_EXPONENTIAL_SCHEMA, MIN_EXPONENTIAL_SCHEMA, Span, is_custom_buckets_schema, is_exponential_schema};
use crate::{Error, Result};

/// The parts of a histogram whose rules do not depend on the count type.
pub(crate) struct Shape<'a> {
    pub schema: i32,
    pub zero_threshold: f64,
    pub zero_count_is_zero: bool,
    pub positive_spans: &'a [Span],
    pub positive_len: usize,
    pub negative_spans: &'a [Span],
    pub negative_len: usize,
    pub custom_values: &'a [f64],
}

pub(crate) fn invalid(message: impl Into<String>) -> Error {
    Error::Histogram(message.into())
}

pub(crate) fn check_shape(s: &Shape<'_>) -> Result<()> {
    if is_custom_buckets_schema(s.schema) {
        check_custom(s)?;
    } else if is_exponential_schema(s.schema) {
        if !s.custom_values.is_empty() {
            return Err(invalid(format!("custom_values are only allowed with schema -53, not schema {}", s.schema)));
        }
    } else {
        return Err(invalid(format!(
            "schema {} is neither exponential ({MIN_EXPONENTIAL_SCHEMA}..={MAX_EXPONENTIAL_SCHEMA}) nor custom buckets (-53)",
            s.schema
        )));
    }
    if s.zero_threshold.is_nan() || s.zero_threshold < 0.0 {
        return Err(invalid(format!("zero threshold {} must be zero or positive", s.zero_threshold)));
    }
    check_spans("positive", s.positive_spans, s.positive_len)?;
    check_spans("negative", s.negative_spans, s.negative_len)
}

fn check_custom(s: &Shape<'_>) -> Result<()> {
    if !s.negative_spans.is_empty() || s.negative_len > 0 {
        return Err(invalid("histograms with custom buckets must not have negative buckets"));
    }
    if s.zero_threshold != 0.0 || !s.zero_count_is_zero {
        return Err(invalid("histograms with custom buckets must not have a zero bucket"));
    }
    for pair in s.custom_values.windows(2) {
        if pair[0].partial_cmp(&pair[1]) != Some(std::cmp::Ordering::Less) {
            return Err(invalid(format!("custom bucket bounds must increase, found {} then {}", pair[0], pair[1])));
        }
    }
    if s.custom_values.iter().any(|v| v.is_infinite() || v.is_nan()) {
        return Err(invalid("custom bucket bounds must be finite (the +Inf bucket is implied)"));
    }
    if s.positive_spans.first().is_some_and(|f| f.offset < 0) {
        return Err(invalid("custom bucket indexes must not be negative"));
    }
    let last = super::layout::indexes(s.positive_spans).last();
    if let Some(last) = last
        && i64::from(last) > s.custom_values.len() as i64
    {
        return Err(invalid(format!(
            "bucket index {last} is beyond the {} custom bounds (+Inf is index {})",
            s.custom_values.len(),
            s.custom_values.len()
        )));
    }
    Ok(())
}

fn check_spans(side: &str, spans: &[Span], buckets: usize) -> Result<()> {
    let mut end = 0i64;
    for (k, span) in spans.iter().enumerate() {
        if k > 0 && span.offset < 0 {
            return Err(invalid(format!("{side} span {k} has negative offset {}", span.offset)));
        }
        let start = if k == 0 { i64::from(span.offset) } else { end + i64::from(span.offset) };
        end = start + i64::from(span.length);
        if start < i64::from(i32::MIN) || end - 1 > i64::from(i32::MAX) {
            return Err(invalid(format!("{side} span {k} puts bucket indexes beyond 32 bits")));
        }
    }
    let want = super::layout::bucket_count(spans);
    if want != buckets as u64 {
        return Err(invalid(format!("{side} spans describe {want} buckets, but there are {buckets} bucket counts")));
    }
    Ok(())
}
